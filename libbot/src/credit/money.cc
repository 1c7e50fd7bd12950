// Exact money for quotes: centavos in int64, rates in basis points, half-up rounding.
#include <limits>
#include <string>

#include "bot/credit.h"

namespace bot {

Result<int64_t> CommissionCentavos(int64_t amount_centavos, int64_t rate_bp) {
  if (amount_centavos < 0 || rate_bp < 0) return InvalidArgument("negative amount or rate");
  if (rate_bp != 0 && amount_centavos > std::numeric_limits<int64_t>::max() / rate_bp) {
    return InvalidArgument("commission overflows");
  }
  // amount · bp / 10000, plus half a centavo before truncating: half-up on non-negatives.
  // Written as quotient and remainder so that adding 5000 cannot overflow either.
  const int64_t product = amount_centavos * rate_bp;
  return product / 10000 + (product % 10000 >= 5000 ? 1 : 0);
}

Result<LoanQuote> MakeQuote(int64_t amount_centavos, int term_days, int64_t rate_bp,
                            std::chrono::year_month_day start) {
  if (amount_centavos <= 0) return InvalidArgument("amount must be positive");
  if (term_days <= 0) return InvalidArgument("term must be positive");
  if (!start.ok()) return InvalidArgument("invalid start date");
  Result<int64_t> commission = CommissionCentavos(amount_centavos, rate_bp);
  if (!commission.ok()) return commission.status();
  if (*commission > std::numeric_limits<int64_t>::max() - amount_centavos) {
    return InvalidArgument("total overflows");
  }
  LoanQuote quote;
  quote.amount = amount_centavos;
  quote.term_days = term_days;
  quote.commission = *commission;
  quote.total = amount_centavos + *commission;
  quote.due_date = std::chrono::sys_days(start) + std::chrono::days(term_days);
  return quote;
}

}  // namespace bot

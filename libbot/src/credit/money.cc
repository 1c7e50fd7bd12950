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

namespace bot {

Result<int64_t> ParsePesoAmount(std::string_view text) {
  const std::string shown = "'" + std::string(text) + "'";
  const auto refuse = [&](const std::string& why) {
    return InvalidArgument("amount " + shown + ": " + why +
                           " (write e.g. 1500, 1500.50, 1,500.50 or $1,500.50)");
  };
  if (text.starts_with('$')) text.remove_prefix(1);
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view decimals =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty()) return refuse("no pesos");
  if (dot != std::string_view::npos && (decimals.empty() || decimals.size() > 2)) {
    return refuse("one or two decimals after the point");
  }
  constexpr int64_t kMaxPesos = 10'000'000'000'000;  // 10^15 centavos
  int64_t pesos = 0;
  const bool grouped = whole.find(',') != std::string_view::npos;
  for (size_t i = 0; i < whole.size(); ++i) {
    const char c = whole[i];
    const size_t from_end = whole.size() - i;  // the units digit has 1
    if (c == ',') {
      // A comma stands before every group of three, and only there.
      if (i == 0 || from_end % 4 != 0) return refuse("commas between groups of three digits");
      continue;
    }
    if (c < '0' || c > '9') return refuse("digits only");
    if (grouped && from_end % 4 == 0) return refuse("commas between groups of three digits");
    pesos = pesos * 10 + (c - '0');
    if (pesos > kMaxPesos) return refuse("too large");
  }
  int64_t cents = 0;
  for (char c : decimals) {
    if (c < '0' || c > '9') return refuse("digits only");
    cents = cents * 10 + (c - '0');
  }
  if (decimals.size() == 1) cents *= 10;
  return pesos * 100 + cents;
}

}  // namespace bot

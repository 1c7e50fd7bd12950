// The repayment schedule and the readers for what application records hold.
#include <charconv>
#include <limits>

#include "credit/desk_impl.h"

namespace bot {

Result<std::vector<LoanPayment>> RepaymentSchedule(int64_t total, int term_days,
                                                   std::chrono::year_month_day start) {
  using std::chrono::days;
  using std::chrono::sys_days;
  if (total <= 0) return InvalidArgument("a loan total must be positive");
  if (term_days <= 0) return InvalidArgument("a loan term must be positive");
  if (!start.ok()) return InvalidArgument("invalid loan start date");
  constexpr int kPeriodDays = 30;
  const int count = (term_days + kPeriodDays - 1) / kPeriodDays;
  const int64_t each = total / count;
  std::vector<LoanPayment> payments;
  for (int number = 1; number <= count; ++number) {
    const bool last = number == count;
    const int offset = last ? term_days : number * kPeriodDays;
    payments.push_back({number, std::chrono::year_month_day(sys_days(start) + days(offset)),
                        last ? total - each * (count - 1) : each});
  }
  return payments;
}

namespace credit {

std::optional<int64_t> ParseDigits(std::string_view text) {
  int64_t value = 0;
  if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseCentavos(std::string_view text) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) {
    const auto pesos = ParseDigits(text);
    if (!pesos || *pesos > std::numeric_limits<int64_t>::max() / 100) return std::nullopt;
    return *pesos * 100;
  }
  const std::string_view decimals = text.substr(dot + 1);
  const auto pesos = ParseDigits(text.substr(0, dot));
  const auto cents = ParseDigits(decimals);
  if (!pesos || !cents || decimals.size() > 2) return std::nullopt;
  const int64_t centavos = decimals.size() == 1 ? *cents * 10 : *cents;
  if (*pesos > (std::numeric_limits<int64_t>::max() - centavos) / 100) return std::nullopt;
  return *pesos * 100 + centavos;
}

std::optional<std::chrono::year_month_day> ParseIsoDate(std::string_view text) {
  int year = 0;
  unsigned month = 0, day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](size_t from, size_t size, auto* out) {
    auto [end, error] = std::from_chars(text.data() + from, text.data() + from + size, *out);
    return error == std::errc() && end == text.data() + from + size;
  };
  if (!number(0, 4, &year) || !number(5, 2, &month) || !number(8, 2, &day)) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                         std::chrono::day(day)};
  if (!date.ok()) return std::nullopt;
  return date;
}

}  // namespace credit
}  // namespace bot

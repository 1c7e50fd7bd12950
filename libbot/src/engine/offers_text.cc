#include "engine/offers_text.h"

#include <cmath>
#include <string>
#include <vector>

#include "bot/text.h"
#include "bot/value.h"

namespace bot::engine {
namespace {

// "$2,450,000.00" -> "$2,450,000" when there are no cents.
std::string WholeUnits(int64_t cents) {
  std::string text = FormatPesos(cents);
  if (text.size() > 3 && text.compare(text.size() - 3, 3, ".00") == 0) text.resize(text.size() - 3);
  return text;
}

bool Mentions(const std::string& feature, const std::vector<std::string>& terms) {
  const std::string normalised = Normalize(feature);
  for (const std::string& term : terms) {
    if (!term.empty() && normalised.find(term) != std::string::npos) return true;
  }
  return false;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The numbers written in `text`, as values: "2,500,000" and "2.500.000" -> 2500000, "2.5" ->
// 2.5, "2.5 millones" -> 2500000, "150 mil" / "150k" -> 150000.
std::vector<double> Numbers(std::string_view text) {
  const std::string lower = Normalize(text);
  std::vector<double> out;
  for (size_t i = 0; i < lower.size();) {
    if (!IsDigit(lower[i])) {
      ++i;
      continue;
    }
    std::string digits;
    int dots = 0;
    size_t last_sep = std::string::npos;
    size_t j = i;
    for (; j < lower.size(); ++j) {
      char c = lower[j];
      if (IsDigit(c)) {
        digits += c;
      } else if ((c == ',' || c == '.') && j + 1 < lower.size() && IsDigit(lower[j + 1])) {
        if (c == '.') ++dots;
        last_sep = digits.size();
        digits += c;
      } else {
        break;
      }
    }
    // A separator followed by exactly three digits groups thousands; another one is a decimal
    // point ("2.5", "1,5").
    std::string number;
    for (size_t k = 0; k < digits.size(); ++k) {
      char c = digits[k];
      if (IsDigit(c)) {
        number += c;
      } else if (k == last_sep && digits.size() - k - 1 != 3 && dots <= 1) {
        number += '.';
      }
    }
    double value = std::strtod(number.c_str(), nullptr);
    std::string_view rest = std::string_view(lower).substr(j);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.substr(0, 5) == "millo") {
      value *= 1e6;
    } else if (rest.substr(0, 3) == "mil" || rest.substr(0, 1) == "k") {
      value *= 1e3;
    }
    out.push_back(value);
    i = j;
  }
  return out;
}

}  // namespace

std::string FormatOfferPrice(const Offer& offer) {
  std::string price = offer.currency == "MXN" ? WholeUnits(offer.price_cents) + " MXN"
                      : offer.currency == "USD"
                          ? "US" + WholeUnits(offer.price_cents)
                          : WholeUnits(offer.price_cents).substr(1) + " " + offer.currency;
  if (offer.operation == "renta") price += " al mes";
  return price;
}

std::string OfferFacts(const SearchResult& result, size_t limit) {
  std::string out;
  for (size_t i = 0; i < result.passages.size() && i < limit; ++i) {
    const Passage& passage = result.passages[i];
    const Offer& offer = passage.offer;
    if (!out.empty()) out += '\n';
    out += "• *" + offer.title + "* (" + offer.zone + ", " + offer.operation +
           "): " + FormatOfferPrice(offer);
    if (offer.bedrooms > 0) {
      out += " · " + std::to_string(offer.bedrooms) +
             (offer.bedrooms == 1 ? " recámara" : " recámaras");
    }
    std::vector<std::string> shown;
    for (const std::string& feature : offer.features) {
      if (Mentions(feature, passage.matched_terms)) shown.push_back(feature);
    }
    if (shown.empty()) {
      for (size_t f = 0; f < offer.features.size() && f < 3; ++f)
        shown.push_back(offer.features[f]);
    }
    for (size_t f = 0; f < shown.size(); ++f) out += (f == 0 ? " · " : ", ") + shown[f];
    if (!offer.link.empty()) out += "\n  " + offer.link;
  }
  return out;
}

std::string OfferContext(const SearchResult& result) {
  std::string out;
  for (const Passage& passage : result.passages) {
    const Offer& offer = passage.offer;
    out += "[id " + offer.id + "] " + offer.title + ". Operación: " + offer.operation +
           ". Zona: " + offer.zone + ". Tipo: " + offer.type +
           ". Precio: " + FormatOfferPrice(offer) +
           ". Recámaras: " + std::to_string(offer.bedrooms) + ".";
    if (!offer.features.empty()) {
      out += " Características:";
      for (size_t i = 0; i < offer.features.size(); ++i) {
        out += (i == 0 ? " " : "; ") + offer.features[i];
      }
      out += ".";
    }
    if (!offer.description.empty()) out += " Descripción: " + offer.description;
    if (!offer.link.empty()) out += " Enlace: " + offer.link;
    out += "\n";
  }
  return out;
}

bool NumbersAreGrounded(std::string_view answer, std::string_view context) {
  const std::vector<double> known = Numbers(context);
  for (double value : Numbers(answer)) {
    bool found = false;
    for (double k : known) found = found || std::fabs(k - value) <= 1e-6 * std::max(1.0, k);
    if (!found) return false;
  }
  return true;
}

}  // namespace bot::engine

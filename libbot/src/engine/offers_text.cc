#include "engine/offers_text.h"

#include <algorithm>
#include <string>
#include <vector>

#include "bot/text.h"
#include "bot/value.h"
#include "understand/numbers.h"
#include "understand/tokens.h"

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

// The numbers written in `text`, exactly, with the project's number reader
// (understand/numbers.h): "2,500,000" and "2.5 millones" are the same value, "150 mil" and
// "150k" too.
std::vector<int64_t> Numbers(std::string_view text) {
  const std::string normalized = Normalize(text);
  std::vector<int64_t> out;
  for (const understand::Number& n : understand::FindNumbers(understand::Tokenize(normalized))) {
    if (!n.too_big) out.push_back(n.negative ? -n.milli : n.milli);
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
  const std::vector<int64_t> known = Numbers(context);
  for (int64_t value : Numbers(answer)) {
    if (std::find(known.begin(), known.end(), value) == known.end()) return false;
  }
  return true;
}

}  // namespace bot::engine

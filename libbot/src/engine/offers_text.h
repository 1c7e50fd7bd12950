// Offers as text: the facts the engine answers a question with when no LLM composes the
// answer, and the only context the LLM is given when one does.
#pragma once

#include <string>
#include <string_view>

#include "bot/knowledge.h"

namespace bot::engine {

// "$2,450,000 MXN", "US$180,000", "$18,500 MXN al mes": whole units unless there are cents.
std::string FormatOfferPrice(const Offer& offer);

// One line per passage (at most `limit`): "• *Departamento en Polanco* (Polanco, venta):
// $4,500,000 MXN · 2 recámaras · cochera para 2 autos, elevador\n  https://...". The features
// shown are the ones the question asked about (Passage::matched_terms), else the first three.
std::string OfferFacts(const SearchResult& result, size_t limit = 3);

// The facts for the LLM: every field of each passage, with its id ("[id 17] ...").
std::string OfferContext(const SearchResult& result);

// The grounding check of an LLM answer: every number it writes ("2.5 millones", "$18,500",
// "tres") appears among the numbers of `context`, so a price, a size or a fee cannot be
// invented.
bool NumbersAreGrounded(std::string_view answer, std::string_view context);

}  // namespace bot::engine

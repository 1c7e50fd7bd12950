// The words the offers index holds and a question searches for: accent-folded, lower case,
// singular, with real-estate synonyms mapped to one word ("estacionamiento", "garage" ->
// "cochera"), so "¿tienen estacionamientos?" finds "cochera para 2 autos".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bot/knowledge.h"

namespace bot::knowledge {

// The index words of a text: every word folded and singular, plus its synonym group's word.
std::vector<std::string> IndexWords(std::string_view text);

// What the full-text index stores for an offer: the index words of its title, zone, type,
// operation, features and description.
std::string SearchText(const Offer& offer);

// A question's content words as index words: without stop words, question words and polite
// filler ("hola", "quisiera", "saber").
std::vector<std::string> QuestionTerms(std::string_view question);

// Words that do not by themselves support an answer: generic real-estate words ("casa",
// "propiedad", "opciones", "cerca") and verbs of asking ("tienen", "aceptan", "cobran").
bool IsGeneric(std::string_view term);
// Words that ask for a fact every offer has: its price ("precio", "cuanto", "barato"), its
// bedrooms ("recamara") or its place ("donde", "ubicacion").
bool IsFactWord(std::string_view term);
// "barato", "economico": the question wants the cheapest first.
bool AsksCheapest(std::string_view term);

// The part of a term a word must start with to match it: the first six letters of a longer
// word ("entregan" -> "entreg", so "entrega" matches), the whole of a shorter one.
std::string_view TermStem(std::string_view term);
// Whether the index word `word` matches `term` (by TermStem).
bool WordMatches(std::string_view word, std::string_view term);

}  // namespace bot::knowledge

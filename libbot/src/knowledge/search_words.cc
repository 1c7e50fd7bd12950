#include "knowledge/search_words.h"

#include <algorithm>
#include <map>
#include <set>

#include "understand/normalize.h"

namespace bot::knowledge {
namespace {

// A light Spanish singular: "cocheras" -> "cochera", "recamaras" -> "recamara", "balcones" ->
// "balcon", "luces" -> "luz". Short words and numbers stay.
std::string Singular(std::string w) {
  if (w.size() <= 3 || (w[0] >= '0' && w[0] <= '9')) return w;
  if (w.ends_with("ces")) return w.substr(0, w.size() - 3) + "z";
  if (w.ends_with("ones") || w.ends_with("ores") || w.ends_with("ales") || w.ends_with("eles") ||
      w.ends_with("ines")) {
    return w.substr(0, w.size() - 2);
  }
  if (w.ends_with("s") && !w.ends_with("ss") && !w.ends_with("is") && !w.ends_with("us")) {
    return w.substr(0, w.size() - 1);
  }
  return w;
}

// Synonym groups: every word (singular) -> the group's word.
const std::map<std::string, std::string>& Synonyms() {
  static const std::map<std::string, std::string> kMap = [] {
    const std::vector<std::vector<std::string>> groups = {
        {"cochera", "estacionamiento", "garage", "garaje", "cajon", "parking", "auto", "carro",
         "coche"},
        {"alberca", "piscina", "pileta"},
        {"mascota", "perro", "gato", "perrito", "gatito", "petfriendly", "pet"},
        {"recamara", "habitacion", "cuarto", "dormitorio", "alcoba"},
        {"bano", "sanitario", "wc"},
        {"elevador", "ascensor"},
        {"seguridad", "vigilancia", "vigilante", "guardia", "caseta", "cctv"},
        {"mantenimiento", "cuota", "administracion"},
        {"terraza", "balcon"},
        {"amueblado", "amueblada", "mueble", "muebles"},
        {"jardin", "patio", "areas verdes"},
        {"gimnasio", "gym"},
        {"roof", "rooftop", "azotea"},
        {"departamento", "depa", "depto", "dpto", "apartamento", "loft"},
        {"casa", "residencia", "casita"},
        {"metro", "metrobus", "transporte"},
        {"credito", "hipoteca", "hipotecario", "financiamiento"},
        {"infonavit", "fovissste"},
        {"estudio", "home office"},
        {"preventa", "entrega"},
        {"escritura", "escriturado", "escriturada"},
        {"lavado", "lavanderia", "lavadero"},
        {"bodega", "almacen"},
    };
    std::map<std::string, std::string> map;
    for (const auto& group : groups) {
      for (const std::string& word : group) map[Singular(word)] = group.front();
    }
    return map;
  }();
  return kMap;
}

const std::set<std::string>& StopWords() {
  static const std::set<std::string> kWords = {
      "el",       "la",        "lo",       "los",      "las",      "un",       "una",
      "uno",      "unos",      "unas",     "de",       "del",      "al",       "a",
      "en",       "y",         "o",        "u",        "e",        "que",      "con",
      "sin",      "por",       "para",     "su",       "sus",      "mi",       "mis",
      "tu",       "tus",       "me",       "te",       "se",       "le",       "les",
      "nos",      "es",        "son",      "esta",     "estan",    "este",     "esto",
      "ese",      "esa",       "eso",      "hay",      "si",       "no",       "ya",
      "mas",      "muy",       "hola",     "buena",    "buenas",   "bueno",    "buenos",
      "dia",      "tarde",     "noche",    "quisiera", "queria",   "quiero",   "saber",
      "pregunta", "preguntar", "duda",     "oye",      "disculpa", "porfa",    "favor",
      "gracias",  "como",      "cual",     "cuales",   "cuando",   "ustedes",  "usted",
      "alguno",   "alguna",    "algun",    "tambien",  "pero",     "entonces", "ahi",
      "alla",     "aqui",      "ser",      "tener",    "puede",    "pueden",   "puedo",
      "podria",   "hace",      "hacen",    "sera",     "seria",    "tiene",    "tienen",
      "tengo",    "va",        "van",      "hacer",    "dar",      "dan",      "da",
      "decir",    "dice",      "dicen",    "sabe",     "sabes",    "ok",       "oiga",
      "incluye",  "incluyen",  "cuenta",   "cuentan",  "q",        "k",        "xq",
      "pq",       "porque",    "todo",     "toda",     "todos",    "todas",    "otro",
      "otra",     "otros",     "otras",    "cosa",     "cosas",    "sigue",    "siguen",
      "todavia",  "aun",       "continua", "busco",    "buscando", "busca",    "ando",
      "necesito", "ocupo",     "interesa", "gustaria",
  };
  return kWords;
}

const std::set<std::string>& GenericWords() {
  static const std::set<std::string> kWords = {
      "casa",           "departamento", "propiedad", "inmueble", "informacion", "info",
      "algo",           "zona",         "colonia",   "venta",    "renta",       "comprar",
      "rentar",         "vender",       "venden",    "vende",    "rentan",      "aceptan",
      "acepta",         "permiten",     "permite",   "cobran",   "cobra",       "cerca",
      "lejo",           "bonito",       "bonita",    "grande",   "chico",       "nuevo",
      "nueva",          "foto",         "video",     "visita",   "ver",         "verla",
      "verlo",          "conocer",      "agendar",   "cita",     "detalle",     "dato",
      "caracteristica", "ofrecen",      "manejan",   "lugar",    "edificio",    "piso",
      "metro2",         "m2",           "cuadrado",  "ubicada",  "ubicado",
  };
  return kWords;
}

const std::set<std::string>& FactWords() {
  static const std::set<std::string> kWords = {
      "precio",      "cuanto",  "cuanta",     "costo",          "cuesta",    "cuestan",
      "vale",        "valen",   "barato",     "barata",         "economico", "economica",
      "caro",        "cara",    "recamara",   "donde",          "ubicacion", "direccion",
      "mensualidad", "mensual", "disponible", "disponibilidad",
  };
  return kWords;
}

}  // namespace

std::vector<std::string> IndexWords(std::string_view text) {
  std::vector<std::string> out;
  const std::map<std::string, std::string>& synonyms = Synonyms();
  for (std::string& word : understand::AsciiWords(text)) {
    std::string singular = Singular(word);
    out.push_back(singular);
    auto it = synonyms.find(singular);
    if (it != synonyms.end() && it->second != singular) out.push_back(it->second);
  }
  return out;
}

std::string SearchText(const Offer& offer) {
  std::string all = offer.title + " " + offer.zone + " " + offer.type + " " + offer.operation;
  for (const std::string& feature : offer.features) all += " " + feature;
  all += " " + offer.description;
  std::string out;
  for (const std::string& word : IndexWords(all)) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

std::vector<std::string> QuestionTerms(std::string_view question) {
  std::vector<std::string> out;
  const std::map<std::string, std::string>& synonyms = Synonyms();
  for (std::string& word : understand::AsciiWords(question)) {
    std::string singular = Singular(word);
    if (StopWords().count(word) || StopWords().count(singular)) continue;
    auto it = synonyms.find(singular);
    std::string term = it != synonyms.end() ? it->second : singular;
    if (std::find(out.begin(), out.end(), term) == out.end()) out.push_back(term);
  }
  return out;
}

std::string_view TermStem(std::string_view term) {
  return term.size() > 6 && !(term[0] >= '0' && term[0] <= '9') ? term.substr(0, 6) : term;
}

bool WordMatches(std::string_view word, std::string_view term) {
  std::string_view stem = TermStem(term);
  return stem.size() == term.size() ? word == term : word.substr(0, stem.size()) == stem;
}

bool IsGeneric(std::string_view term) { return GenericWords().count(std::string(term)) > 0; }
bool IsFactWord(std::string_view term) { return FactWords().count(std::string(term)) > 0; }
bool AsksCheapest(std::string_view term) {
  return term == "barato" || term == "barata" || term == "economico" || term == "economica";
}

}  // namespace bot::knowledge

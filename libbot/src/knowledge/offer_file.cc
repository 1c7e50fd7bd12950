#include "knowledge/offer_file.h"

#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "bot/text.h"

namespace bot::knowledge {
namespace {

constexpr const char* kColumns[] = {"id",       "title",       "operation", "zone",
                                    "type",     "price",       "currency",  "bedrooms",
                                    "features", "description", "link",      "ad_ids"};

std::string Trim(std::string s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  size_t b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ';');) {
    item = Trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// "2500000", "2500000.50", "2,500,000", "$2,500,000.00" -> cents. Words are refused.
bool ParsePrice(std::string text, int64_t* cents) {
  text = Trim(text);
  if (!text.empty() && text[0] == '$') text.erase(0, 1);
  std::string digits;
  int decimals = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      if (decimals >= 0 && ++decimals > 2) return false;
      digits += c;
    } else if (c == ',' && decimals < 0) {
      // a thousands separator: three digits must follow
      if (i + 3 >= text.size() + 0 && i + 3 != text.size()) return false;
    } else if (c == '.' && decimals < 0) {
      decimals = 0;
    } else {
      return false;
    }
  }
  if (digits.empty() || digits.size() > 15) return false;
  if (decimals < 0) decimals = 0;
  int64_t value = std::stoll(digits);
  for (int i = decimals; i < 2; ++i) value *= 10;
  *cents = value;
  return true;
}

bool IsCurrency(const std::string& c) {
  return c.size() == 3 &&
         std::all_of(c.begin(), c.end(), [](char x) { return x >= 'A' && x <= 'Z'; });
}

// Checks and fills one offer from its fields by column name. "" = fine, else the reason.
std::string Fill(const std::map<std::string, std::string>& f,
                 const std::map<std::string, std::vector<std::string>>& lists, Offer* o) {
  auto get = [&](const char* name) {
    auto it = f.find(name);
    return it == f.end() ? std::string() : Trim(it->second);
  };
  for (const auto& [name, value] : f) {
    if (!IsValidUtf8(value)) return "column " + name + " is not valid UTF-8";
  }
  o->id = get("id");
  o->title = get("title");
  o->zone = get("zone");
  if (o->id.empty()) return "missing id";
  if (o->id.size() > 100) return "id longer than 100 characters";
  if (o->title.empty()) return "missing title";
  if (o->zone.empty()) return "missing zone";
  const std::string price = get("price");
  if (price.empty()) return "missing price";
  if (!ParsePrice(price, &o->price_cents)) {
    return "price '" + price + "' is not a number like 2500000 or 2,500,000.00";
  }
  if (o->price_cents <= 0) return "price must be positive";
  std::string operation = Normalize(get("operation"));
  if (operation.empty() || operation == "venta" || operation == "sale") {
    o->operation = "venta";
  } else if (operation == "renta" || operation == "rent") {
    o->operation = "renta";
  } else {
    return "operation '" + get("operation") + "' is not venta or renta";
  }
  o->type = Normalize(get("type"));
  std::string currency = get("currency");
  std::transform(currency.begin(), currency.end(), currency.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  o->currency = currency.empty() ? "MXN" : currency;
  if (!IsCurrency(o->currency))
    return "currency '" + get("currency") + "' is not ISO 4217 (MXN, USD)";
  const std::string bedrooms = get("bedrooms");
  if (!bedrooms.empty()) {
    if (bedrooms.size() > 2 || !std::all_of(bedrooms.begin(), bedrooms.end(), ::isdigit)) {
      return "bedrooms '" + bedrooms + "' is not a whole number from 0 to 99";
    }
    o->bedrooms = std::stoi(bedrooms);
  }
  o->description = get("description");
  o->link = get("link");
  auto list = [&](const char* name) {
    auto it = lists.find(name);
    return it != lists.end() ? it->second : SplitList(get(name));
  };
  o->features = list("features");
  o->ad_ids = list("ad_ids");
  return "";
}

// RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks. `line` is the
// line each record starts on.
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};
bool ReadCsv(const std::string& text, std::vector<CsvRecord>* out, ImportError* error) {
  CsvRecord record;
  std::string field;
  bool quoted = false, any = false;
  int line = 1;
  record.line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
      any = true;
    } else if (c == ',') {
      record.fields.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        record.fields.push_back(std::move(field));
        out->push_back(std::move(record));
      }
      field.clear();
      record = CsvRecord{};
      any = false;
      record.line = ++line;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) {
    *error = {record.line, "a quoted field is not closed"};
    return false;
  }
  if (any || !field.empty()) {
    record.fields.push_back(std::move(field));
    out->push_back(std::move(record));
  }
  return true;
}

void ReadCsvOffers(const std::string& text, OfferFile* file) {
  std::vector<CsvRecord> records;
  ImportError error;
  if (!ReadCsv(text, &records, &error)) {
    file->errors.push_back(error);
    return;
  }
  if (records.empty()) {
    file->errors.push_back({1, "the file is empty: a header row is needed"});
    return;
  }
  std::vector<std::string> header;
  for (std::string name : records[0].fields) {
    name = Normalize(Trim(name));
    if (name.size() >= 3 && name.compare(0, 3, "\xEF\xBB\xBF") == 0) name.erase(0, 3);  // BOM
    if (std::find(std::begin(kColumns), std::end(kColumns), name) == std::end(kColumns)) {
      file->errors.push_back({records[0].line, "unknown column '" + name + "'"});
    }
    header.push_back(name);
  }
  for (const char* required : {"id", "title", "zone", "price"}) {
    if (std::find(header.begin(), header.end(), required) == header.end()) {
      file->errors.push_back({records[0].line, std::string("missing column '") + required + "'"});
    }
  }
  if (!file->errors.empty()) return;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    if (rec.fields.size() != header.size()) {
      file->errors.push_back({rec.line, std::to_string(rec.fields.size()) +
                                            " fields, the header has " +
                                            std::to_string(header.size())});
      continue;
    }
    std::map<std::string, std::string> fields;
    for (size_t i = 0; i < header.size(); ++i) fields[header[i]] = rec.fields[i];
    Offer offer;
    std::string reason = Fill(fields, {}, &offer);
    if (!reason.empty()) {
      file->errors.push_back({rec.line, reason});
    } else {
      file->offers.push_back(std::move(offer));
    }
  }
}

void ReadJsonlOffers(const std::string& text, OfferFile* file) {
  simdjson::dom::parser parser;
  std::stringstream in(text);
  int line = 0;
  for (std::string row; std::getline(in, row);) {
    ++line;
    if (Trim(row).empty()) continue;
    simdjson::dom::element root;
    if (parser.parse(row).get(root) || !root.is_object()) {
      file->errors.push_back({line, "not a JSON object"});
      continue;
    }
    std::map<std::string, std::string> fields;
    std::map<std::string, std::vector<std::string>> lists;
    std::string reason;
    for (auto [key, value] : simdjson::dom::object(root)) {
      std::string name(key);
      if (std::find(std::begin(kColumns), std::end(kColumns), name) == std::end(kColumns)) {
        reason = "unknown key '" + name + "'";
        break;
      }
      if (value.is_array()) {
        std::vector<std::string>& items = lists[name];
        for (simdjson::dom::element item : simdjson::dom::array(value)) {
          std::string_view s;
          if (item.get(s)) {
            reason = "key '" + name + "' must be a list of strings";
            break;
          }
          items.emplace_back(s);
        }
      } else if (value.is_string()) {
        fields[name] = std::string(std::string_view(value));
      } else if (value.is_number()) {
        fields[name] = simdjson::minify(value);
      } else if (!value.is_null()) {
        reason = "key '" + name + "' has a value of the wrong kind";
      }
      if (!reason.empty()) break;
    }
    Offer offer;
    if (reason.empty()) reason = Fill(fields, lists, &offer);
    if (!reason.empty()) {
      file->errors.push_back({line, reason});
    } else {
      file->offers.push_back(std::move(offer));
    }
  }
}

}  // namespace

OfferFile ReadOfferFile(const std::string& path) {
  OfferFile file;
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) {
    file.errors.push_back({0, "cannot read " + path + ": " + ec.message()});
    return file;
  }
  if (size > kMaxOfferFileBytes) {
    file.errors.push_back({0, path + " is " + std::to_string(size / (1024 * 1024)) +
                                  " MB; a catalogue may have at most 32 MB"});
    return file;
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.find('\0') != std::string::npos) {
    file.errors.push_back({0, path + " is not a text file"});
    return file;
  }
  const bool jsonl = path.ends_with(".jsonl") || path.ends_with(".ndjson");
  if (!jsonl && !path.ends_with(".csv")) {
    file.errors.push_back({0, path + ": a catalogue is a .csv or a .jsonl file"});
    return file;
  }
  jsonl ? ReadJsonlOffers(text, &file) : ReadCsvOffers(text, &file);
  std::map<std::string, int> seen;
  for (const Offer& offer : file.offers) {
    if (++seen[offer.id] == 2)
      file.errors.push_back({0, "offer id '" + offer.id + "' appears twice"});
  }
  return file;
}

}  // namespace bot::knowledge

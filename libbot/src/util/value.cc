// Value's canonical text and the JSON form slots and variables take in the store.
#include "bot/value.h"

#include <string_view>
#include <utility>

#include "util/json.h"

namespace bot {

namespace {

using simdjson::ondemand::json_type;

// "5000.00" from 500000 centavos; "-0.05" from -5. Unsigned so INT64_MIN does not overflow.
std::string MoneyToString(int64_t centavos) {
  const bool negative = centavos < 0;
  const uint64_t magnitude =
      negative ? ~static_cast<uint64_t>(centavos) + 1 : static_cast<uint64_t>(centavos);
  std::string out = negative ? "-" : "";
  out += std::to_string(magnitude / 100);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + magnitude % 100 / 10));
  out.push_back(static_cast<char>('0' + magnitude % 10));
  return out;
}

// Reads one slot value: true/false, an integer, {"centavos":N} or a string. Null means unset.
bool ReadSlot(simdjson::ondemand::value value, Value* out) {
  json_type type;
  if (value.type().get(type)) return false;
  switch (type) {
    case json_type::boolean: {
      bool b;
      if (value.get_bool().get(b)) return false;
      *out = Value::Bool(b);
      return true;
    }
    case json_type::number: {
      int64_t i;
      if (value.get_int64().get(i)) return false;
      *out = Value::Int(i);
      return true;
    }
    case json_type::string: {
      std::string_view s;
      if (value.get_string().get(s)) return false;
      *out = Value::Text(std::string(s));
      return true;
    }
    case json_type::object: {
      simdjson::ondemand::object object;
      int64_t centavos;
      if (value.get_object().get(object)) return false;
      if (object.find_field("centavos").get_int64().get(centavos)) return false;
      *out = Value::Money(centavos);
      return true;
    }
    case json_type::null:
      *out = Value();
      return true;
    case json_type::array:
      return false;
  }
  return false;
}

// Calls `read(key, value)` for each field of the top-level object of `json`.
template <typename ReadField>
bool ForEachField(const std::string& json, ReadField read) {
  json::Reader reader;
  if (!reader.Start(json)) return false;
  simdjson::ondemand::object object;
  if (reader.doc().get_object().get(object)) return false;
  for (auto field : object) {
    std::string_view key;
    simdjson::ondemand::value value;
    if (field.unescaped_key().get(key)) return false;
    std::string name(key);  // copied before reading the value reuses the parser's buffers
    if (field.value().get(value)) return false;
    if (!read(std::move(name), value)) return false;
  }
  return true;
}

}  // namespace

std::string Value::ToString() const {
  switch (kind_) {
    case Kind::kNone:
      return "";
    case Kind::kBool:
      return int_ != 0 ? "true" : "false";
    case Kind::kInt:
      return std::to_string(int_);
    case Kind::kMoney:
      return MoneyToString(int_);
    case Kind::kText:
      return text_;
  }
  return "";
}

std::string SlotsToJson(const SlotMap& slots) {
  std::string out = "{";
  for (const auto& [name, value] : slots) {
    if (value.is_none()) continue;
    if (out.size() > 1) out.push_back(',');
    json::AppendString(&out, name);
    out.push_back(':');
    switch (value.kind()) {
      case Value::Kind::kBool:
        out += value.as_bool() ? "true" : "false";
        break;
      case Value::Kind::kInt:
        out += std::to_string(value.as_int());
        break;
      case Value::Kind::kMoney:
        out += "{\"centavos\":" + std::to_string(value.centavos()) + "}";
        break;
      case Value::Kind::kText:
        json::AppendString(&out, value.text());
        break;
      case Value::Kind::kNone:
        break;
    }
  }
  out.push_back('}');
  return out;
}

bool SlotsFromJson(const std::string& json, SlotMap* out) {
  SlotMap slots;
  const bool ok = ForEachField(json, [&](std::string key, simdjson::ondemand::value raw) {
    Value value;
    if (!ReadSlot(raw, &value)) return false;
    if (!value.is_none()) slots[std::move(key)] = std::move(value);
    return true;
  });
  if (!ok) return false;
  *out = std::move(slots);
  return true;
}

std::string VarsToJson(const VarMap& vars) {
  std::string out = "{";
  for (const auto& [name, value] : vars) {
    if (out.size() > 1) out.push_back(',');
    json::AppendString(&out, name);
    out.push_back(':');
    json::AppendString(&out, value);
  }
  out.push_back('}');
  return out;
}

bool VarsFromJson(const std::string& json, VarMap* out) {
  VarMap vars;
  const bool ok = ForEachField(json, [&](std::string key, simdjson::ondemand::value raw) {
    std::string_view value;
    if (raw.get_string().get(value)) return false;
    vars[std::move(key)] = std::string(value);
    return true;
  });
  if (!ok) return false;
  *out = std::move(vars);
  return true;
}

std::string FormatPesos(int64_t centavos) {
  const bool negative = centavos < 0;
  // Unsigned so that the most negative int64 does not overflow when negated.
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(centavos) : centavos;
  const std::string pesos = std::to_string(magnitude / 100);
  std::string out = negative ? "-$" : "$";
  for (size_t i = 0; i < pesos.size(); ++i) {
    if (i > 0 && (pesos.size() - i) % 3 == 0) out += ',';
    out += pesos[i];
  }
  const uint64_t cents = magnitude % 100;
  out += '.';
  out += static_cast<char>('0' + cents / 10);
  out += static_cast<char>('0' + cents % 10);
  return out;
}


}  // namespace bot

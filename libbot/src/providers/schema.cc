// Rendering extraction schemas for providers and checking their answers. A model's JSON is
// untrusted input: anything outside the schema makes the whole answer "not understood".
#include "providers/schema.h"

#include <cmath>
#include <set>

#include "util/json.h"

namespace bot {
namespace providers {
namespace {

const char* TypeName(SchemaField::Type type) {
  switch (type) {
    case SchemaField::Type::kString:
      return "string";
    case SchemaField::Type::kInteger:
      return "integer";
    case SchemaField::Type::kNumber:
      return "number";
    case SchemaField::Type::kBoolean:
      return "boolean";
  }
  return "string";
}

std::string FormatNumber(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", d);
  return buffer;
}

// The description sent to the model: the caller's text plus the numeric range, which strict
// mode may not accept as keywords but the model should still respect (we check it).
std::string Describe(const SchemaField& f) {
  std::string d = f.description;
  if (f.minimum || f.maximum) {
    if (!d.empty()) d += " ";
    d += "Range:";
    if (f.minimum) d += " min " + FormatNumber(*f.minimum);
    if (f.maximum) d += " max " + FormatNumber(*f.maximum);
    d += ".";
  }
  if (f.nullable) d += d.empty() ? "null when not stated." : " null when not stated.";
  return d;
}

Status FieldError(const SchemaField& f, const std::string& why) {
  return BadResponse("field '" + f.name + "' " + why);
}

Result<FieldValue> CheckField(simdjson::dom::element v, const SchemaField& f) {
  FieldValue out;
  out.type = f.type;
  if (v.is_null()) {
    if (!f.nullable) return FieldError(f, "is null but not nullable");
    out.is_null = true;
    return out;
  }
  switch (f.type) {
    case SchemaField::Type::kString: {
      if (!v.is_string()) return FieldError(f, "is not a string");
      out.text = std::string(v.get_string().value());
      if (!f.enum_values.empty()) {
        bool found = false;
        for (const std::string& e : f.enum_values) found = found || e == out.text;
        if (!found) return FieldError(f, "has '" + out.text + "', not one of its enum values");
      }
      return out;
    }
    case SchemaField::Type::kBoolean:
      if (!v.is_bool()) return FieldError(f, "is not a boolean");
      out.boolean = v.get_bool().value();
      out.text = out.boolean ? "true" : "false";
      return out;
    case SchemaField::Type::kInteger:
    case SchemaField::Type::kNumber:
      if (v.is_int64()) {
        out.number = static_cast<double>(v.get_int64().value());
      } else if (v.is_uint64()) {
        out.number = static_cast<double>(v.get_uint64().value());
      } else if (v.is_double()) {
        out.number = v.get_double().value();
        if (f.type == SchemaField::Type::kInteger && std::floor(out.number) != out.number) {
          return FieldError(f, "is not an integer");
        }
      } else {
        return FieldError(f, std::string("is not a ") + TypeName(f.type));
      }
      if (f.minimum && out.number < *f.minimum) return FieldError(f, "is below its minimum");
      if (f.maximum && out.number > *f.maximum) return FieldError(f, "is above its maximum");
      out.text = FormatNumber(out.number);
      return out;
  }
  return FieldError(f, "has an unknown type");
}

}  // namespace

void AppendSchema(std::string* out, const ExtractionSchema& schema) {
  *out += "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[";
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    if (i > 0) *out += ',';
    json::AppendString(out, schema.fields[i].name);
  }
  *out += "],\"properties\":{";
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const SchemaField& f = schema.fields[i];
    if (i > 0) *out += ',';
    json::AppendString(out, f.name);
    *out += ":{\"type\":";
    // Appended piece by piece: `"lit" + std::string(...)` trips g++ 12's -Wrestrict at -O2.
    *out += f.nullable ? "[\"" : "\"";
    *out += TypeName(f.type);
    *out += f.nullable ? "\",\"null\"]" : "\"";
    std::string description = Describe(f);
    if (!description.empty()) {
      *out += ",\"description\":";
      json::AppendString(out, description);
    }
    if (f.type == SchemaField::Type::kString && !f.enum_values.empty()) {
      *out += ",\"enum\":[";
      for (size_t j = 0; j < f.enum_values.size(); ++j) {
        if (j > 0) *out += ',';
        json::AppendString(out, f.enum_values[j]);
      }
      if (f.nullable) *out += ",null";
      *out += ']';
    }
    *out += '}';
  }
  *out += "}}";
}

Result<simdjson::dom::element> ParseJson(simdjson::dom::parser& parser, std::string_view json,
                                         const std::string& what) {
  simdjson::dom::element root;
  simdjson::padded_string padded(json);
  if (auto error = parser.parse(padded).get(root)) {
    return BadResponse(what + " is not JSON: " + simdjson::error_message(error));
  }
  return root;
}

Result<ExtractedFields> ValidateObject(simdjson::dom::element element,
                                       const ExtractionSchema& schema) {
  simdjson::dom::object object;
  if (element.get_object().get(object)) return BadResponse("the answer is not a JSON object");
  std::set<std::string> seen;
  for (auto [key, value] : object) {
    std::string name(key);
    const SchemaField* field = nullptr;
    for (const SchemaField& f : schema.fields) {
      if (f.name == name) field = &f;
    }
    if (field == nullptr) return BadResponse("unexpected field '" + name + "'");
    if (!seen.insert(name).second) return BadResponse("field '" + name + "' repeated");
  }
  ExtractedFields fields;
  for (const SchemaField& f : schema.fields) {
    simdjson::dom::element value;
    if (object[f.name].get(value)) return BadResponse("field '" + f.name + "' missing");
    Result<FieldValue> checked = CheckField(value, f);
    if (!checked.ok()) return checked.status();
    fields[f.name] = std::move(checked).value();
  }
  return fields;
}

}  // namespace providers

std::string RenderJsonSchema(const ExtractionSchema& schema) {
  std::string out;
  providers::AppendSchema(&out, schema);
  return out;
}

Result<ExtractedFields> ParseExtraction(std::string_view json, const ExtractionSchema& schema) {
  simdjson::dom::parser parser;
  Result<simdjson::dom::element> root = providers::ParseJson(parser, json, "the answer");
  if (!root.ok()) return root.status();
  return providers::ValidateObject(*root, schema);
}

}  // namespace bot

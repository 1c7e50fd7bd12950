// The value of a slot: what a parser understood and what conditions compare.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace bot {

// A small tagged value. Money is exact: an integer number of centavos.
class Value {
 public:
  enum class Kind { kNone, kBool, kInt, kMoney, kText };

  Value() = default;
  static Value Bool(bool b) { Value v; v.kind_ = Kind::kBool; v.int_ = b ? 1 : 0; return v; }
  static Value Int(int64_t i) { Value v; v.kind_ = Kind::kInt; v.int_ = i; return v; }
  static Value Money(int64_t centavos) { Value v; v.kind_ = Kind::kMoney; v.int_ = centavos; return v; }
  static Value Text(std::string s) { Value v; v.kind_ = Kind::kText; v.text_ = std::move(s); return v; }

  Kind kind() const { return kind_; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool as_bool() const { return int_ != 0; }
  int64_t as_int() const { return int_; }
  int64_t centavos() const { return int_; }
  const std::string& text() const { return text_; }

  // Canonical text: "" for none, "true"/"false", "42", money "5000.00", text as is.
  // Transcripts compare SLOT lines against this and prompts render it.
  std::string ToString() const;

  bool operator==(const Value& o) const {
    return kind_ == o.kind_ && int_ == o.int_ && text_ == o.text_;
  }

 private:
  Kind kind_ = Kind::kNone;
  int64_t int_ = 0;
  std::string text_;
};

// Slots and variables by name, ordered so serialisation is stable.
using SlotMap = std::map<std::string, Value>;
using VarMap = std::map<std::string, std::string>;

// es-MX money from exact centavos: "$5,750.00", "-$12.50". Prompts render money slots with it.
std::string FormatPesos(int64_t centavos);

// JSON for the store: {"rating":5,"ok":true,"amount":{"centavos":500000},"note":"x"}.
std::string SlotsToJson(const SlotMap& slots);
bool SlotsFromJson(const std::string& json, SlotMap* out);
std::string VarsToJson(const VarMap& vars);
bool VarsFromJson(const std::string& json, VarMap* out);

}  // namespace bot

// The shared YAML value reader of the runner's config.
#include "config/config_reader.h"

#include <cctype>
#include <cstdlib>
#include <limits>

#include "bot/text.h"

namespace runner {

using bot::InvalidArgument;
using bot::Result;
using bot::Status;

Status ConfigReader::Error(const YAML::Node& node, const std::string& what) const {
  int line = node.IsDefined() ? node.Mark().line + 1 : 0;
  return InvalidArgument(origin_ + (line > 0 ? ":" + std::to_string(line) : "") + ": " + what);
}

Result<std::string> ConfigReader::String(const YAML::Node& map, const char* key,
                                         const std::string& fallback) const {
  YAML::Node node = map[key];
  if (!node.IsDefined() || node.IsNull()) return ExpandAt(map, key, fallback);
  if (!node.IsScalar()) return Error(node, std::string("'") + key + "' must be a text value");
  return ExpandAt(node, key, node.Scalar());
}

Result<long long> ConfigReader::Integer(const YAML::Node& map, const char* key, long long fallback,
                                        long long min, long long max) const {
  Result<std::string> text = String(map, key, std::to_string(fallback));
  if (!text.ok()) return text.status();
  char* end = nullptr;
  long long v = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || v < min || v > max) {
    return Error(map[key], std::string("'") + key + "' must be an integer in [" +
                               std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return v;
}

Result<double> ConfigReader::Number(const YAML::Node& map, const char* key, double fallback) const {
  Result<std::string> text = String(map, key, std::to_string(fallback));
  if (!text.ok()) return text.status();
  char* end = nullptr;
  double v = std::strtod(text->c_str(), &end);
  if (text->empty() || *end != '\0' || !(v > 0)) {
    return Error(map[key], std::string("'") + key + "' must be a positive number");
  }
  return v;
}

Result<bool> ConfigReader::Bool(const YAML::Node& map, const char* key, bool fallback) const {
  Result<std::string> text = String(map, key, fallback ? "true" : "false");
  if (!text.ok()) return text.status();
  if (*text == "true" || *text == "yes" || *text == "1") return true;
  if (*text == "false" || *text == "no" || *text == "0" || text->empty()) return false;
  return Error(map[key], std::string("'") + key + "' must be true or false");
}

Result<int64_t> ConfigReader::MicroUsd(const YAML::Node& map, const char* key,
                                       int64_t fallback) const {
  YAML::Node node = map[key];
  if (!node.IsDefined() || node.IsNull()) return fallback;
  Result<std::string> text = String(map, key, "");
  if (!text.ok()) return text.status();
  Status bad = Error(node, std::string("'") + key +
                               "' must be an amount of US dollars such as 0.15 (at most 6 "
                               "decimals, not negative)");
  constexpr int64_t kMax = (std::numeric_limits<int64_t>::max() - 9) / 10;
  int64_t micro = 0;
  int decimals = -1;  // -1: before the point
  bool digits = false;
  for (char c : *text) {
    if (c == '.' && decimals < 0) {
      decimals = 0;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c)) || decimals >= 6 || micro > kMax) return bad;
    micro = micro * 10 + (c - '0');
    digits = true;
    if (decimals >= 0) ++decimals;
  }
  if (!digits) return bad;
  for (int d = decimals < 0 ? 0 : decimals; d < 6; ++d) {
    if (micro > kMax) return bad;
    micro *= 10;
  }
  return micro;
}

Status ConfigReader::OnlyKeys(const YAML::Node& map, const std::string& where,
                              std::initializer_list<const char*> allowed) const {
  for (const auto& item : map) {
    std::string key = item.first.Scalar();
    bool known = false;
    for (const char* name : allowed) known = known || key == name;
    if (known) continue;
    std::string hint;
    if (key == "api_key" || key == "key" || key == "token") {
      hint =
          " (secrets are never written in the file: put the key in an environment variable "
          "and name it with api_key_env)";
    }
    return Error(item.first, "unknown key '" + key + "' in " + where + hint);
  }
  return Status::Ok();
}

Result<std::string> ConfigReader::SecretFromEnv(const YAML::Node& map, const char* key,
                                                const std::string& where, bool required) const {
  YAML::Node node = map[key];
  if (!node.IsDefined() || node.IsNull()) {
    if (!required) return std::string();
    return Error(map, where + " needs '" + key + "': the environment variable holding its key");
  }
  if (!node.IsScalar()) return Error(node, std::string("'") + key + "' must name a variable");
  const std::string& name = node.Scalar();
  bool valid = !name.empty();
  for (char c : name) valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!valid) {
    return Error(node, std::string("'") + key +
                           "' must be the NAME of an environment variable "
                           "(letters, digits, _), not the secret itself");
  }
  std::optional<std::string> value = env_(name);
  if (value) {
    // `export KEY=$(cat key.txt)` keeps a trailing newline, which would break the header.
    size_t begin = value->find_first_not_of(" \t\r\n");
    size_t end = value->find_last_not_of(" \t\r\n");
    *value = begin == std::string::npos ? "" : value->substr(begin, end - begin + 1);
  }
  if (!value || value->empty()) {
    return Error(node, where + ": environment variable " + name + " (" + key + ") is not set");
  }
  return *value;
}

Result<std::string> ConfigReader::ExpandAt(const YAML::Node& node, const char* key,
                                           const std::string& text) const {
  Result<std::string> out = ExpandEnv(text, env_);
  if (!out.ok()) return Error(node, std::string("'") + key + "': " + out.status().message());
  if (!bot::IsValidUtf8(*out)) {
    return Error(node,
                 std::string("'") + key + "': the environment gave a value that is not UTF-8");
  }
  return out;
}

}  // namespace runner

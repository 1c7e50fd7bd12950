// Reading the runner's YAML: one helper shared by the config files' parsers. Scalars have the
// environment expanded; yaml-cpp's problems become Status errors naming the file and line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>

#include "bot/status.h"
#include "config/config.h"

namespace runner {

// Reads values of one document. Holds references: the environment must outlive it.
class ConfigReader {
 public:
  ConfigReader(std::string origin, const EnvLookup& env) : origin_(std::move(origin)), env_(env) {}

  // "origin:line: what" (no line when the node is not in the document).
  bot::Status Error(const YAML::Node& node, const std::string& what) const;

  // A scalar value with the environment expanded; `fallback` (also expanded) when absent.
  bot::Result<std::string> String(const YAML::Node& map, const char* key,
                                  const std::string& fallback) const;
  bot::Result<long long> Integer(const YAML::Node& map, const char* key, long long fallback,
                                 long long min, long long max) const;
  // A positive number.
  bot::Result<double> Number(const YAML::Node& map, const char* key, double fallback) const;
  bot::Result<bool> Bool(const YAML::Node& map, const char* key, bool fallback) const;
  // An amount of US dollars written as a decimal ("0.15", "5", "0.000125") in micro-dollars,
  // read exactly (no floating point); `fallback` micro-dollars when absent.
  bot::Result<int64_t> MicroUsd(const YAML::Node& map, const char* key, int64_t fallback) const;

  // An error for the first key of `map` not in `allowed` (a typo would otherwise be ignored).
  bot::Status OnlyKeys(const YAML::Node& map, const std::string& where,
                       std::initializer_list<const char*> allowed) const;

  // A secret from the environment: the variable named by `key` (e.g. api_key_env:
  // OPENAI_API_KEY). "" when the key is absent and not `required`; an error naming the variable
  // (never a value) when it is unset or empty.
  bot::Result<std::string> SecretFromEnv(const YAML::Node& map, const char* key,
                                         const std::string& where, bool required) const;

  // The environment variable `name`, unexpanded; nullopt when unset.
  std::optional<std::string> Env(const std::string& name) const { return env_(name); }
  const std::string& origin() const { return origin_; }

 private:
  bot::Result<std::string> ExpandAt(const YAML::Node& node, const char* key,
                                    const std::string& text) const;

  std::string origin_;
  const EnvLookup& env_;
};

#define CONFIG_RETURN_IF_ERROR(expr) \
  do {                               \
    ::bot::Status _s = (expr);       \
    if (!_s.ok()) return _s;         \
  } while (0)

// Assigns a Result's value to `target` or returns its error from the enclosing function.
#define CONFIG_ASSIGN_OR_RETURN(target, expr) \
  do {                                        \
    auto _r = (expr);                         \
    if (!_r.ok()) return _r.status();         \
    target = std::move(*_r);                  \
  } while (0)

}  // namespace runner

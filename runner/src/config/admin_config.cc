// The `admin:` section. Tokens are configured as hashes, so a leaked config or environment
// does not let anyone in.
#include "config/admin_config.h"

#include <algorithm>
#include <cctype>

namespace runner {
namespace {

using bot::Status;

bool NameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '@' ||
         c == '-';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The 32 bytes of a 64-digit hex SHA-256; "" when `hex` is not one.
std::string DecodeSha256(const std::string& hex) {
  if (hex.size() != 64) return "";
  std::string bytes;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(hex[i]);
    const int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return "";
    bytes.push_back(static_cast<char>(hi * 16 + lo));
  }
  return bytes;
}

// tenants: [a, b]: each the tenant of one of `numbers`.
Status ReadTenants(const ConfigReader& r, const YAML::Node& item,
                   const std::vector<NumberConfig>& numbers, AdminTokenConfig* token) {
  const YAML::Node tenants = item["tenants"];
  if (!tenants.IsDefined()) return Status::Ok();
  if (!tenants.IsSequence() || tenants.size() == 0) {
    return r.Error(tenants, "admin token '" + token->name +
                                "': tenants must be a non-empty list (leave it out for all)");
  }
  for (const auto& tenant : tenants) {
    if (!tenant.IsScalar()) return r.Error(tenant, "a tenant must be a name");
    const std::string name = tenant.Scalar();
    if (std::none_of(numbers.begin(), numbers.end(),
                     [&](const NumberConfig& n) { return n.tenant == name; })) {
      return r.Error(tenant,
                     "admin token '" + token->name + "': no number has tenant '" + name + "'");
    }
    token->tenants.push_back(name);
  }
  return Status::Ok();
}

// on_duty: {number, from, content_sid, console_url}
Status ReadOnDuty(const ConfigReader& r, const YAML::Node& node,
                  const std::vector<NumberConfig>& numbers, AdminConfig* config) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return r.Error(node, "admin 'on_duty' must be a mapping");
  CONFIG_RETURN_IF_ERROR(
      r.OnlyKeys(node, "admin on_duty", {"number", "from", "content_sid", "console_url"}));
  OnDutyConfig on_duty;
  CONFIG_ASSIGN_OR_RETURN(on_duty.number, r.String(node, "number", ""));
  CONFIG_ASSIGN_OR_RETURN(on_duty.from, r.String(node, "from", ""));
  CONFIG_ASSIGN_OR_RETURN(on_duty.content_sid, r.String(node, "content_sid", ""));
  on_duty.number = WhatsAppAddress(on_duty.number);
  on_duty.from = WhatsAppAddress(on_duty.from);
  if (on_duty.number.rfind("whatsapp:+", 0) != 0) {
    return r.Error(node, "admin on_duty needs the agent's number (whatsapp:+593...)");
  }
  const auto from = std::find_if(numbers.begin(), numbers.end(),
                                 [&](const NumberConfig& n) { return n.to == on_duty.from; });
  if (from == numbers.end() || from->account.empty()) {
    return r.Error(node, "admin on_duty 'from' must be one of the numbers, with an account");
  }
  if (on_duty.content_sid.size() != 34 || on_duty.content_sid.rfind("HX", 0) != 0) {
    return r.Error(node, "admin on_duty needs content_sid: an approved template (HX...)");
  }
  CONFIG_ASSIGN_OR_RETURN(
      on_duty.console_url,
      r.String(node, "console_url",
               "http://" + config->host + ":" + std::to_string(config->port) + "/admin/"));
  config->on_duty = std::move(on_duty);
  return Status::Ok();
}

}  // namespace

Status ReadAdmin(const ConfigReader& r, const YAML::Node& node,
                 const std::vector<NumberConfig>& numbers, std::optional<AdminConfig>* admin) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return r.Error(node, "'admin' must be a mapping");
  CONFIG_RETURN_IF_ERROR(r.OnlyKeys(
      node, "admin", {"listen", "tokens", "session_idle_minutes", "secure_cookie", "on_duty"}));
  AdminConfig config;
  YAML::Node listen = node["listen"];
  if (listen.IsDefined() && !listen.IsMap()) {
    return r.Error(listen, "admin 'listen' must be a mapping {host, port}");
  }
  if (listen.IsDefined()) {
    CONFIG_RETURN_IF_ERROR(r.OnlyKeys(listen, "admin listen", {"host", "port"}));
    CONFIG_ASSIGN_OR_RETURN(config.host, r.String(listen, "host", config.host));
    long long port = 0;
    CONFIG_ASSIGN_OR_RETURN(port, r.Integer(listen, "port", config.port, 0, 65535));
    config.port = static_cast<int>(port);
  }
  long long idle_minutes = 0;
  CONFIG_ASSIGN_OR_RETURN(idle_minutes, r.Integer(node, "session_idle_minutes", 30, 1, 24 * 60));
  config.session_idle = std::chrono::minutes(idle_minutes);
  CONFIG_ASSIGN_OR_RETURN(config.secure_cookie, r.Bool(node, "secure_cookie", false));
  YAML::Node tokens = node["tokens"];
  if (!tokens.IsSequence() || tokens.size() == 0) {
    return r.Error(node, "admin needs tokens: [{name, role: agent|admin, sha256_env}]");
  }
  for (const auto& item : tokens) {
    if (!item.IsMap()) return r.Error(item, "each admin token must be a mapping");
    CONFIG_RETURN_IF_ERROR(
        r.OnlyKeys(item, "an admin token", {"name", "role", "sha256_env", "tenants"}));
    AdminTokenConfig token;
    CONFIG_ASSIGN_OR_RETURN(token.name, r.String(item, "name", ""));
    if (token.name.empty() || token.name.size() > 64 ||
        !std::all_of(token.name.begin(), token.name.end(), NameChar)) {
      return r.Error(item, "an admin token needs a name of 1 to 64 of A-Z a-z 0-9 . _ @ -");
    }
    for (const AdminTokenConfig& other : config.tokens) {
      if (other.name == token.name) return r.Error(item, "admin token '" + token.name + "' twice");
    }
    std::string role;
    CONFIG_ASSIGN_OR_RETURN(role, r.String(item, "role", ""));
    if (role == "admin") {
      token.role = AdminTokenConfig::Role::kAdmin;
    } else if (role != "agent") {
      return r.Error(item, "admin token '" + token.name + "' needs role agent or admin");
    }
    std::string hex;
    CONFIG_ASSIGN_OR_RETURN(
        hex, r.SecretFromEnv(item, "sha256_env", "admin token '" + token.name + "'", true));
    token.sha256 = DecodeSha256(hex);
    if (token.sha256.empty()) {
      return r.Error(item["sha256_env"],
                     "admin token '" + token.name + "': the variable " +
                         item["sha256_env"].Scalar() +
                         " must hold the 64 hex digits of the token's SHA-256 (not the token)");
    }
    for (const AdminTokenConfig& other : config.tokens) {
      if (other.sha256 == token.sha256) {
        return r.Error(
            item, "admin tokens '" + other.name + "' and '" + token.name + "' have the same hash");
      }
    }
    CONFIG_RETURN_IF_ERROR(ReadTenants(r, item, numbers, &token));
    config.tokens.push_back(std::move(token));
  }
  CONFIG_RETURN_IF_ERROR(ReadOnDuty(r, node["on_duty"], numbers, &config));
  *admin = std::move(config);
  return Status::Ok();
}

}  // namespace runner

// The bearer tokens the admin API and console tests call with, and what an operator would put in
// the environment for each: the 64 hex digits of `printf %s TOKEN | sha256sum`.
//
//   ParseConfig(yaml + bot::testing::kAdminTokensYaml, "test.yaml", bot::testing::AdminTokenEnv);
#pragma once

#include <optional>
#include <string>

namespace bot::testing {

inline constexpr char kAnaToken[] = "agent-ana-token-0001";    // agent `ana`, ADMIN_ANA
inline constexpr char kLuisToken[] = "agent-luis-token-0002";  // agent `luis`, ADMIN_LUIS
inline constexpr char kRootToken[] = "admin-root-token-0003";  // admin `root`, ADMIN_ROOT

inline constexpr char kAnaSha256[] =
    "3ff1f12255975291d291898e989b7b85a09e650566a820652734b4bf88bc98a8";
inline constexpr char kLuisSha256[] =
    "8c9651f5b36c3d72ea2950f699d9467b15a0e5ed8f405892cae48c17304c976f";
// Upper case: the config takes either.
inline constexpr char kRootSha256[] =
    "CA46B58D9F77B1D16EF9CB42BD55E379B5AF423C7617302BCAAA4920CBFCBAE2";

// ADMIN_ANA, ADMIN_LUIS and ADMIN_ROOT as the server's environment holds them; nullopt for
// anything else.
inline std::optional<std::string> AdminTokenEnv(const std::string& name) {
  if (name == "ADMIN_ANA") return kAnaSha256;
  if (name == "ADMIN_LUIS") return kLuisSha256;
  if (name == "ADMIN_ROOT") return kRootSha256;
  return std::nullopt;
}

}  // namespace bot::testing

#include "store/delivery_status.h"

#include <string>

namespace bot {

namespace {

struct Entry {
  std::string_view name;
  int rank;
};

constexpr Entry kRanks[] = {
    // Ours: a message the outbox still owns, or one answered inline, has not reached the
    // provider yet, so any provider status moves it forward.
    {"pending", 0},
    {"inline", 0},
    {"accepted", 1},
    {"scheduled", 1},
    {"queued", 1},
    {"sending", 2},
    {"sent", 3},
    {"delivered", 4},
    {"read", 5},
    {"failed", 6},
    {"undelivered", 6},
    {"canceled", 6},
    // Ours: never sent, so nothing may move it.
    {"not_sendable", 7},
};

}  // namespace

int DeliveryRank(std::string_view status) {
  for (const Entry& entry : kRanks) {
    if (entry.name == status) return entry.rank;
  }
  return -1;
}

std::vector<std::string_view> DeliveryStatusesRankedAtLeast(int rank) {
  std::vector<std::string_view> names;
  for (const Entry& entry : kRanks) {
    if (entry.rank >= rank) names.push_back(entry.name);
  }
  return names;
}

}  // namespace bot

namespace bot {

bool MarksContactUnreachable(std::string_view error_code) {
  return error_code == "21610" || error_code == "21211";
}

std::string UnreachableReason(std::string_view error_code) {
  if (error_code == "21610") return "unsubscribed (21610)";
  if (error_code == "21211") return "invalid number (21211)";
  return "error " + std::string(error_code);
}

}  // namespace bot

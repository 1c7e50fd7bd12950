// A fresh directory under gtest's temp dir, removed with everything in it when it goes away.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace bot::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "bot_test") {
    std::string pattern = ::testing::TempDir() + prefix + "_XXXXXX";
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace bot::testing

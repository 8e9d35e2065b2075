// Opening a data file: a FILE* closed on every path, why an open failed, and the read buffer size.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

namespace limitsim {
namespace loading {

inline constexpr std::size_t kReadBuffer = std::size_t{1} << 20;  // read buffer of the CSV reader and the hash: 1 MiB

// A FILE* closed on every path.
struct File {
  std::FILE* f = nullptr;
  explicit File(const std::string& path) : f(std::fopen(path.c_str(), "rb")) {}
  ~File() {
    if (f) std::fclose(f);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
};

// Why a file could not be opened; call it right after the failed open (it reads errno).
inline std::string open_error(const std::string& path) {
  const int err = errno;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "no such file";
  if (!std::filesystem::is_regular_file(path, ec)) return "not a regular file";
  return std::strerror(err);
}

}  // namespace loading
}  // namespace limitsim

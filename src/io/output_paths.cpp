// Outputs checked before any work (output_paths.hpp): inputs never overwritten, only regular files
// replaced, folders writable, temporaries of killed runs cleared.
#include "src/io/output_paths.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "src/config/config.hpp"

namespace limitsim {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxName = 255;  // bytes in one file name (NAME_MAX on Linux file systems)

std::string kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a folder";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// The absolute path with every symbolic link of the existing part resolved.
fs::path resolved(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return ec ? fs::absolute(path, ec).lexically_normal() : p;
}

// The nearest folder of p that exists (p's own folder, or one above it when folders are to be created).
fs::path existing_folder(const fs::path& p) {
  std::error_code ec;
  fs::path f = p.parent_path();
  while (!f.empty() && !fs::exists(f, ec)) f = f.parent_path();
  return f.empty() ? fs::current_path(ec) : f;
}

bool process_gone(long pid) {
  if (pid <= 0 || pid == static_cast<long>(::getpid())) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// Removes NAME.tmp.PID files of target whose process is gone; returns a note per file.
std::vector<std::string> clear_stale_temporaries(const fs::path& target) {
  std::vector<std::string> notes;
  std::error_code ec;
  const fs::path folder = target.parent_path();
  if (!fs::is_directory(folder, ec)) return notes;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::size_t dot = name.rfind(".tmp.");
    if (dot == std::string::npos) continue;
    const std::string digits = name.substr(dot + 5);
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::stol(digits);
    if (fs::path(temporary_name(target.string(), pid)).filename() != name || !process_gone(pid)) continue;
    if (!fs::is_regular_file(it->symlink_status(ec))) continue;
    std::error_code rm;
    if (fs::remove(it->path(), rm))
      notes.push_back("removed " + it->path().string() + ", left by a run (process " + digits +
                      ") that was killed while writing " + target.string());
    else
      notes.push_back("cannot remove " + it->path().string() + ", left by a killed run (process " + digits +
                      "): " + rm.message());
  }
  return notes;
}

// Same file: same path once resolved, or the same inode (a hard link, a bind mount).
bool same_file(const fs::path& a, const fs::path& b) {
  if (a == b) return true;
  struct stat sa{}, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

std::string mib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g MiB", bytes / (1 << 20));
  return buf;
}

}  // namespace

std::string temporary_name(const std::string& path, long pid) {
  const fs::path p(path);
  const std::string suffix = ".tmp." + std::to_string(pid);
  std::string name = p.filename().string();
  if (name.size() + suffix.size() > kMaxName) name.resize(kMaxName - suffix.size());
  return (p.parent_path() / (name + suffix)).string();
}

std::string irregular_kind(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) ? kind_of(st.st_mode) : "";
}

std::string write_target(const std::string& path) {
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(path, ec);
  if (!fs::exists(link)) return path;
  const fs::file_status target = fs::status(path, ec);
  if (fs::is_symlink(link) && !fs::exists(target))
    throw std::runtime_error("cannot write " + quoted(path) + ": a symbolic link to a missing file");
  const std::string kind = irregular_kind(path);
  if (!kind.empty())
    throw std::runtime_error("cannot write " + quoted(path) + ": it exists and is " + kind + ", not a regular file");
  return fs::is_symlink(link) ? fs::canonical(path, ec).string() : path;
}

std::vector<std::string> check_outputs(const std::vector<NamedFile>& outputs, const std::vector<NamedFile>& inputs,
                                       std::uint64_t need_bytes, bool clear_stale) {
  std::vector<std::string> notes;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const NamedFile& out = outputs[i];
    if (out.path.empty()) throw ConfigError(out.name + ": must name a file");
    try {
      write_target(out.path);
    } catch (const std::runtime_error& e) {
      throw ConfigError(out.name + ": " + e.what());
    }
    const fs::path target = resolved(out.path);
    for (const NamedFile& in : inputs)
      if (!in.path.empty() && same_file(target, resolved(in.path)))
        throw ConfigError(out.name + ": " + quoted(out.path) + " is " + in.name + " (" + in.path +
                          "), which this command reads; name another file");
    for (std::size_t j = 0; j < i; ++j)
      if (same_file(target, resolved(outputs[j].path)))
        throw ConfigError(out.name + ": " + quoted(out.path) + " is also " + outputs[j].name + "; name another file");

    // The folder: the nearest existing one must be a folder we may write into (the rest is created).
    const fs::path folder = existing_folder(target);
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
      throw ConfigError(out.name + ": cannot write " + quoted(out.path) + ": " + quoted(folder.string()) +
                        " is not a folder");
    if (::access(folder.c_str(), W_OK | X_OK) != 0)
      throw ConfigError(out.name + ": cannot write into the folder " + quoted(folder.string()) + ": " +
                        std::strerror(errno));
    struct statvfs vfs{};
    if (::statvfs(folder.c_str(), &vfs) == 0) {
      if (vfs.f_flag & ST_RDONLY)
        throw ConfigError(out.name + ": cannot write into the folder " + quoted(folder.string()) +
                          ": a read-only file system");
      const double free_bytes = static_cast<double>(vfs.f_bavail) * static_cast<double>(vfs.f_frsize);
      if (need_bytes > 0 && free_bytes < static_cast<double>(need_bytes))
        throw ConfigError(out.name + ": the file system of " + quoted(folder.string()) + " has " + mib(free_bytes) +
                          " free; " + quoted(out.path) + " needs at least " + mib(static_cast<double>(need_bytes)));
    }
    if (clear_stale)
      for (std::string& n : clear_stale_temporaries(target)) notes.push_back(std::move(n));
  }
  return notes;
}

}  // namespace limitsim

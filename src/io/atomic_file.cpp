// Files published atomically (atomic_file.hpp): parent folders, fsync, rename, the temporary removed on failure.
#include "src/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "kernels/backend.hpp"
#include "src/io/output_paths.hpp"

namespace limitsim {
namespace {

void make_parent_folders(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec)
    throw std::runtime_error("cannot write '" + path + "': cannot create folder '" + parent.string() +
                             "': " + ec.message());
}

// fsync so the rename never exposes a file whose data is not on disk yet.
void sync_path(const std::string& path, bool required) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  const int rc = fd < 0 ? -1 : ::fsync(fd);
  const int err = errno;
  if (fd >= 0) ::close(fd);
  if (rc != 0 && required) throw std::runtime_error("cannot sync '" + path + "': " + std::strerror(err));
}

}  // namespace

void publish_atomically(const std::string& path, const std::function<void(const std::string& tmp)>& fill) {
  const std::string target = write_target(path);  // through a symbolic link; never over a device or a folder
  make_parent_folders(target);
  const std::string tmp = temporary_name(target, static_cast<long>(::getpid()));
  try {
    fill(tmp);
    sync_path(tmp, true);
    if (cancel_flag().load()) throw Cancelled();  // interrupted while writing: never publish the file
    if (std::rename(tmp.c_str(), target.c_str()) != 0)
      throw std::runtime_error("cannot write '" + path + "': cannot rename '" + tmp +
                               "' over it: " + std::strerror(errno));
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  const std::string folder = std::filesystem::path(target).parent_path().string();
  sync_path(folder.empty() ? "." : folder, false);  // make the rename durable; best effort
}

void write_text_atomically(const std::string& path, const std::string& text) {
  publish_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write '" + path + "': cannot write '" + tmp + "'");
  });
}

}  // namespace limitsim

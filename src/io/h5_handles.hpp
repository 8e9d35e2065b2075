// HDF5 C API building blocks: HDF5 ids closed on every path, errors that name the file and object, types and shapes.
//
// Every HDF5 id lives in a Handle (closed on every path), every call is checked,
// and every failure throws std::runtime_error naming the file and the object,
// with the innermost message of HDF5's error stack. HDF5's automatic error
// printing is switched off while we work and restored afterwards.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace limitsim {
namespace h5 {

// The innermost message on HDF5's error stack, "" when the stack is empty.
std::string hdf5_detail();

// Switches HDF5's automatic error printing off for a scope; restores it after.
class ErrorSilencer {
 public:
  ErrorSilencer() : saved_(H5Eget_auto2(H5E_DEFAULT, &func_, &data_) >= 0) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~ErrorSilencer() {
    if (saved_) H5Eset_auto2(H5E_DEFAULT, func_, data_);
  }
  ErrorSilencer(const ErrorSilencer&) = delete;
  ErrorSilencer& operator=(const ErrorSilencer&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
  bool saved_;
};

// Owns one HDF5 id and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      close();
      id_ = o.id_;
      close_ = o.close_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { close(); }

  hid_t get() const { return id_; }
  // Closes now; returns the close's status (the destructor ignores it).
  herr_t close() {
    herr_t rc = 0;
    if (id_ >= 0) rc = close_(id_);
    id_ = H5I_INVALID_HID;
    return rc;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

// The file being read or written, for error messages.
class Context {
 public:
  explicit Context(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("HDF5 file '" + file_ + "': " + what);
  }
  // A failed HDF5 call: adds HDF5's own message.
  [[noreturn]] void fail_h5(const std::string& what) const {
    const std::string detail = hdf5_detail();
    fail(detail.empty() ? what : what + " (HDF5: " + detail + ")");
  }
  void ok(herr_t rc, const std::string& what) const {
    if (rc < 0) fail_h5(what);
  }
  Handle own(hid_t id, Handle::Closer close, const std::string& what) const {
    if (id < 0) fail_h5(what);
    return Handle(id, close);
  }

 private:
  std::string file_;
};

// An open group, dataset or file with its path in the file (for messages).
struct Object {
  Handle h;
  std::string path;
  hid_t id() const { return h.get(); }
};

inline std::string child_path(const std::string& parent, const std::string& name) {
  return parent == "/" ? "/" + name : parent + "/" + name;
}

// ================================================================ types

template <class T>
struct H5Traits;
template <>
struct H5Traits<std::int32_t> {
  static hid_t file() { return H5T_STD_I32LE; }
  static hid_t mem() { return H5T_NATIVE_INT32; }
};
template <>
struct H5Traits<std::int64_t> {
  static hid_t file() { return H5T_STD_I64LE; }
  static hid_t mem() { return H5T_NATIVE_INT64; }
};
template <>
struct H5Traits<std::uint64_t> {
  static hid_t file() { return H5T_STD_U64LE; }
  static hid_t mem() { return H5T_NATIVE_UINT64; }
};
template <>
struct H5Traits<double> {
  static hid_t file() { return H5T_IEEE_F64LE; }
  static hid_t mem() { return H5T_NATIVE_DOUBLE; }
};

// Fixed-length, null-terminated strings: all padded to the longest + 1 byte.
struct PackedStrings {
  std::size_t size = 1;
  bool ascii = true;
  std::vector<char> bytes;
};

PackedStrings pack(const std::vector<std::string>& v);

// ASCII when every byte is, else UTF-8 (plain ASCII suits older MATLAB best).
Handle string_type(const Context& ctx, std::size_t size, bool ascii, const std::string& what);

Handle make_space(const Context& ctx, const std::vector<hsize_t>& shape, const std::string& what);

std::string shape_text(const std::vector<hsize_t>& shape);

hsize_t product(std::vector<hsize_t>::const_iterator b, std::vector<hsize_t>::const_iterator e);

// File access properties: a leak of an open object is an error; file locks where the file system has them.
Handle file_access(const Context& ctx);

// Paths per chunk (and per read/write slab) of a [path, ...] int64 dataset.
hsize_t chunk_paths(const std::vector<hsize_t>& shape);

// Selects paths [p0, p0 + n) of a [path, ...] dataset; returns the matching memory space.
Handle select_paths(const Context& ctx, hid_t file_space, const std::vector<hsize_t>& shape, hsize_t p0, hsize_t n,
                    const std::string& what);

}  // namespace h5
}  // namespace limitsim

// HDF5 C API building blocks (h5_handles.hpp): error messages, string types, dataspaces, file access, chunks.
#include "src/io/h5_handles.hpp"

#include <algorithm>

namespace limitsim {
namespace h5 {

namespace {

// HDF5 closes the files still open at exit, from an atexit handler. A file
// whose close failed (a full disk: the flush fails) stays registered, and
// that handler then crashes inside HDF5 1.10 (SIGSEGV in H5F__close_cb, after
// our error was printed and the temporary removed). Every id of ours is closed
// by its Handle, so the handler has nothing to do for us: it is switched off
// before the library starts (a static initializer of this file, which every
// reader and writer of result files links).
const bool kNoExitHandler = H5dont_atexit() >= 0;

constexpr hsize_t kMaxChunkPaths = 256;           // paths per chunk, at most ...
constexpr hsize_t kTargetChunkBytes = 1u << 20;   // ... and about 1 MiB per chunk (HDF5's default chunk cache)

}  // namespace

std::string hdf5_detail() {
  std::string out;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* e, void* data) -> herr_t {
        if (n == 0 && e->desc) *static_cast<std::string*>(data) = e->desc;
        return 0;
      },
      &out);
  // A failed system call: HDF5 1.10 describes it as "file write failed: time = ..., filename = ..., file
  // descriptor = 3, errno = 28, error message = 'No space left on device', buf = ..."; keep the reason.
  const std::string key = "error message = '";
  const std::size_t at = out.find(key);
  if (at != std::string::npos) {
    const std::size_t end = out.find('\'', at + key.size());
    const std::string head = out.substr(0, std::min(out.find(':'), out.find(',')));
    out = head + ": " + out.substr(at + key.size(), end == std::string::npos ? std::string::npos : end - at - key.size());
  }
  return out;
}

PackedStrings pack(const std::vector<std::string>& v) {
  PackedStrings p;
  for (const std::string& s : v) {
    p.size = std::max(p.size, s.size() + 1);
    for (unsigned char ch : s) p.ascii = p.ascii && ch < 0x80;
  }
  p.bytes.assign(p.size * std::max<std::size_t>(v.size(), 1), '\0');
  for (std::size_t i = 0; i < v.size(); ++i) std::copy(v[i].begin(), v[i].end(), p.bytes.begin() + i * p.size);
  return p;
}

Handle string_type(const Context& ctx, std::size_t size, bool ascii, const std::string& what) {
  Handle t = ctx.own(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create the string type of " + what);
  ctx.ok(H5Tset_size(t.get(), size), "cannot size the string type of " + what);
  ctx.ok(H5Tset_strpad(t.get(), H5T_STR_NULLTERM), "cannot set the string padding of " + what);
  ctx.ok(H5Tset_cset(t.get(), ascii ? H5T_CSET_ASCII : H5T_CSET_UTF8), "cannot set the charset of " + what);
  return t;
}

Handle make_space(const Context& ctx, const std::vector<hsize_t>& shape, const std::string& what) {
  if (shape.empty()) return ctx.own(H5Screate(H5S_SCALAR), H5Sclose, "cannot create the dataspace of " + what);
  return ctx.own(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), H5Sclose,
                 "cannot create the dataspace of " + what);
}

std::string shape_text(const std::vector<hsize_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

hsize_t product(std::vector<hsize_t>::const_iterator b, std::vector<hsize_t>::const_iterator e) {
  hsize_t n = 1;
  for (; b != e; ++b) n *= *b;
  return n;
}

Handle file_access(const Context& ctx) {
  Handle fapl = ctx.own(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot create file access properties");
  // Closing the file fails if any object in it is still open: a leak is an error.
  ctx.ok(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "cannot set the file close degree");
#if H5_VERSION_GE(1, 10, 7)
  // Use file locks where the file system has them; go on without where it has not (NFS).
  ctx.ok(H5Pset_file_locking(fapl.get(), true, true), "cannot set file locking");
#endif
  return fapl;
}

hsize_t chunk_paths(const std::vector<hsize_t>& shape) {
  const hsize_t row_bytes = product(shape.begin() + 1, shape.end()) * sizeof(std::int64_t);
  const hsize_t by_size = std::max<hsize_t>(1, kTargetChunkBytes / std::max<hsize_t>(row_bytes, 1));
  return std::max<hsize_t>(1, std::min({by_size, kMaxChunkPaths, shape[0]}));
}

Handle select_paths(const Context& ctx, hid_t file_space, const std::vector<hsize_t>& shape, hsize_t p0, hsize_t n,
                    const std::string& what) {
  std::vector<hsize_t> start(shape.size(), 0), count = shape;
  start[0] = p0;
  count[0] = n;
  ctx.ok(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
         "cannot select paths of " + what);
  return make_space(ctx, count, what);
}

}  // namespace h5
}  // namespace limitsim

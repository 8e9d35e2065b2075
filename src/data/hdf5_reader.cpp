// The HDF5 reader: 1-D column datasets of equal length, read in slabs of rows, feeding the row checks.
#include <hdf5.h>

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "src/data/data_file.hpp"
#include "src/data/panel_builder.hpp"

namespace limitsim {
namespace loading {

namespace {

constexpr hsize_t kH5ChunkRows = 65536;  // HDF5 rows per hyperslab read: ~0.5 MiB per column

// Switches HDF5's automatic error printing off for a scope.
class H5Quiet {
 public:
  H5Quiet() : saved_(H5Eget_auto2(H5E_DEFAULT, &func_, &data_) >= 0) { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
  ~H5Quiet() {
    if (saved_) H5Eset_auto2(H5E_DEFAULT, func_, data_);
  }
  H5Quiet(const H5Quiet&) = delete;
  H5Quiet& operator=(const H5Quiet&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
  bool saved_;
};

class H5Id {
 public:
  H5Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  H5Id(H5Id&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  H5Id& operator=(H5Id&&) = delete;
  ~H5Id() {
    if (id_ >= 0) close_(id_);
  }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// One mapped dataset and the buffer its current chunk is read into.
struct H5Column {
  H5Column(const Slot* s, H5Id d, H5Id t, Cell::Kind k, bool v = false, std::size_t size = 0)
      : slot(s), ds(std::move(d)), mem_type(std::move(t)), kind(k), vlen(v), str_size(size) {}
  const Slot* slot;
  H5Id ds;
  H5Id mem_type;
  Cell::Kind kind;
  bool vlen = false;           // variable-length strings
  std::size_t str_size = 0;    // fixed-length strings
  std::vector<std::int64_t> i;
  std::vector<std::uint64_t> u;
  std::vector<double> d;
  std::vector<char> s;
  std::vector<char*> vs;
};

}  // namespace

void read_hdf5(const std::string& file, const Mapping& m, Builder& out) {
  H5Quiet quiet;
  {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) throw ConfigError(file + ": cannot open the data file: " + open_error(file));
    std::fclose(f);
  }
  if (H5Fis_hdf5(file.c_str()) <= 0) throw ConfigError(file + ": not an HDF5 file");
  H5Id h5(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!h5.ok()) throw ConfigError(file + ": cannot open the HDF5 file");
  const std::vector<Slot> slots = plan(m);
  std::vector<H5Column> cols;
  cols.reserve(slots.size());
  hsize_t rows = 0;
  const Slot* first = nullptr;
  for (const Slot& s : slots) {
    const std::string what = file + ": dataset '" + s.column + "' (" + s.key + " in " + m.source + ")";
    const htri_t exists = H5Lexists(h5.get(), s.column.c_str(), H5P_DEFAULT);
    H5Id ds(exists > 0 ? H5Dopen2(h5.get(), s.column.c_str(), H5P_DEFAULT) : H5I_INVALID_HID, H5Dclose);
    if (!ds.ok()) throw ConfigError(what + ": not found (no dataset at that path)");
    H5Id space(H5Dget_space(ds.get()), H5Sclose);
    if (!space.ok() || H5Sget_simple_extent_ndims(space.get()) != 1)
      throw ConfigError(what + ": must be a 1-D dataset (one value per customer), it has rank " +
                        std::to_string(space.ok() ? H5Sget_simple_extent_ndims(space.get()) : -1));
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space.get(), &n, nullptr);
    if (!first) {
      rows = n;
      first = &s;
    } else if (n != rows) {
      throw ConfigError(what + ": has " + std::to_string(n) + " rows, but dataset '" + first->column + "' has " +
                        std::to_string(rows));
    }
    H5Id ftype(H5Dget_type(ds.get()), H5Tclose);
    const H5T_class_t cls = H5Tget_class(ftype.get());
    if (cls == H5T_INTEGER) {
      const bool is_unsigned = H5Tget_sign(ftype.get()) == H5T_SGN_NONE;
      cols.emplace_back(&s, std::move(ds), H5Id(H5Tcopy(is_unsigned ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64), H5Tclose),
                        is_unsigned ? Cell::kUInt : Cell::kInt);
    } else if (cls == H5T_FLOAT) {
      cols.emplace_back(&s, std::move(ds), H5Id(H5Tcopy(H5T_NATIVE_DOUBLE), H5Tclose), Cell::kReal);
    } else if (cls == H5T_STRING && s.kind == Slot::kRegion) {
      const bool vlen = H5Tis_variable_str(ftype.get()) > 0;
      H5Id mt(H5Tcopy(H5T_C_S1), H5Tclose);
      const std::size_t size = vlen ? 0 : H5Tget_size(ftype.get());
      H5Tset_size(mt.get(), vlen ? H5T_VARIABLE : size);
      cols.emplace_back(&s, std::move(ds), std::move(mt), Cell::kText, vlen, size);
    } else {
      throw ConfigError(what + (cls == H5T_STRING ? ": holds strings; only a region column may (by name)"
                                                  : ": must hold numbers (an integer or float type)"));
    }
  }
  out.reserve(static_cast<std::size_t>(rows));
  Panel& p = out.panel();
  std::string why;
  for (hsize_t r0 = 0; r0 < rows; r0 += kH5ChunkRows) {
    const hsize_t k = std::min(kH5ChunkRows, rows - r0);
    H5Id mem(H5Screate_simple(1, &k, nullptr), H5Sclose);
    for (H5Column& c : cols) {
      H5Id fspace(H5Dget_space(c.ds.get()), H5Sclose);
      H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, &r0, nullptr, &k, nullptr);
      void* dst = nullptr;
      switch (c.kind) {
        case Cell::kInt: c.i.resize(k); dst = c.i.data(); break;
        case Cell::kUInt: c.u.resize(k); dst = c.u.data(); break;
        case Cell::kReal: c.d.resize(k); dst = c.d.data(); break;
        case Cell::kText:
          if (c.vlen) {
            c.vs.assign(k, nullptr);
            dst = c.vs.data();
          } else {
            c.s.resize(k * c.str_size);
            dst = c.s.data();
          }
          break;
      }
      if (H5Dread(c.ds.get(), c.mem_type.get(), mem.get(), fspace.get(), H5P_DEFAULT, dst) < 0)
        throw ConfigError(file + ": dataset '" + c.slot->column + "': cannot read rows " + std::to_string(r0 + 1) +
                          ".." + std::to_string(r0 + k));
    }
    for (hsize_t j = 0; j < k; ++j) {
      ++p.rows_read;
      const std::int64_t row = static_cast<std::int64_t>(r0 + j + 1);
      bool ok = true;
      for (const H5Column& c : cols) {
        Cell cell;
        cell.kind = c.kind;
        switch (c.kind) {
          case Cell::kInt: cell.i = c.i[j]; break;
          case Cell::kUInt: cell.u = c.u[j]; break;
          case Cell::kReal: cell.d = c.d[j]; break;
          case Cell::kText:
            if (c.vlen) {
              cell.text = c.vs[j] ? std::string_view(c.vs[j]) : std::string_view();
            } else {
              std::string_view v(c.s.data() + j * c.str_size, c.str_size);
              v = v.substr(0, std::min(v.size(), v.find('\0')));
              while (!v.empty() && v.back() == ' ') v.remove_suffix(1);  // space-padded strings
              cell.text = v;
            }
            break;
        }
        if (!out.set(*c.slot, cell, why)) {
          out.bad(out.where(row, c.slot->column) + ": " + why);
          ok = false;
          break;
        }
      }
      if (ok) out.commit(row);
    }
    for (H5Column& c : cols) {
      if (c.kind == Cell::kText && c.vlen) {
#if H5_VERSION_GE(1, 12, 0)
        H5Treclaim(c.mem_type.get(), mem.get(), H5P_DEFAULT, c.vs.data());
#else
        H5Dvlen_reclaim(c.mem_type.get(), mem.get(), H5P_DEFAULT, c.vs.data());
#endif
      }
    }
  }
  out.finish(Builder::id_column(m));
}

}  // namespace loading
}  // namespace limitsim

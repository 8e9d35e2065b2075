// HDF5 result files through the HDF5 C API (schema: docs/hdf5-schema.md).
//
// Every HDF5 id lives in a Handle (closed on every path), every call is checked,
// and every failure throws std::runtime_error naming the file and the object,
// with the innermost message of HDF5's error stack. HDF5's automatic error
// printing is switched off while we work and restored afterwards.
#include "src/io/h5io.hpp"

#include "kernels/backend.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace limitsim {
namespace {

constexpr unsigned kDeflateLevel = 4;
constexpr hsize_t kMaxChunkPaths = 256;           // paths per chunk, at most ...
constexpr hsize_t kTargetChunkBytes = 1u << 20;   // ... and about 1 MiB per chunk (HDF5's default chunk cache)
constexpr double kCentsPerUnit = 100.0;
constexpr double kVarCiLevel = 0.95;

// ================================================================ errors and handles

// The innermost message on HDF5's error stack, "" when the stack is empty.
std::string hdf5_detail() {
  std::string out;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* e, void* data) -> herr_t {
        if (n == 0 && e->desc) *static_cast<std::string*>(data) = e->desc;
        return 0;
      },
      &out);
  return out;
}

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

std::string child_path(const std::string& parent, const std::string& name) {
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

// ASCII when every byte is, else UTF-8 (plain ASCII suits older MATLAB best).
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

// ================================================================ schema tables

// Consecutive metrics sharing one MetricInfo (bucket and histogram columns)
// form one dataset with an extra trailing dimension.
struct MetricGroup {
  int first;
  int width;
  const MetricInfo* info;
};

const std::vector<MetricGroup>& metric_groups() {
  static const std::vector<MetricGroup> groups = [] {
    std::vector<MetricGroup> g;
    for (int m = 0; m < kNumMetrics; ++m) {
      const MetricInfo* mi = &metric_info(m);
      if (!g.empty() && g.back().info == mi)
        ++g.back().width;
      else
        g.push_back({m, 1, mi});
    }
    return g;
  }();
  return groups;
}

std::string bucket_labels() {
  std::string s = "current";
  for (int b = 1; b < kMaxBuckets; ++b) s += "," + std::to_string(30 * (b - 1) + 1) + "-" + std::to_string(30 * b);
  return s;
}

std::string bin_labels() {
  static_assert(kUtilBins == 12, "util_bin: [0], ten 10% bins, >100%");
  std::string s = "0";
  for (int b = 1; b < kUtilBins - 1; ++b)
    s += ",(" + std::to_string(10 * (b - 1)) + "-" + std::to_string(10 * b) + "%]";
  return s + ",>100%";
}

struct ExtraDim {
  const char* name;  // nullptr: a scalar metric
  std::string labels;
};

ExtraDim extra_dim(const MetricGroup& g) {
  if (g.first == kBucketCount0 || g.first == kBucketBalance0) return {"bucket", bucket_labels()};
  if (g.first == kUtilHist0) return {"bin", bin_labels()};
  if (g.width != 1) throw std::logic_error(std::string("h5io: no dimension for metric group ") + g.info->name);
  return {nullptr, ""};
}

const char* metric_description(const char* name) {
  static const std::pair<const char*, const char*> table[] = {
      {"active", "accounts open at month end"},
      {"bucket_count", "open accounts by delinquency bucket at month end"},
      {"bucket_balance", "balances of open accounts by delinquency bucket at month end"},
      {"chargeoff_count", "accounts charged off this month"},
      {"chargeoff_exposure", "exposure at charge-off this month"},
      {"chargeoff_loss", "net charge-off loss this month (exposure x LGD)"},
      {"chargeoff_recovery", "recovery this month (exposure - net loss)"},
      {"attrited_count", "accounts closed voluntarily this month"},
      {"limit", "total line of open accounts at month end"},
      {"balance", "total balance of open accounts at month end"},
      {"spend", "purchases this month"},
      {"payment", "payments received this month"},
      {"interest", "interest charged this month"},
      {"fees", "late fees charged this month"},
      {"missed_count", "payments missed this month"},
      {"limit_increase_count", "line increases this month"},
      {"limit_increase_amount", "amount added by line increases this month"},
      {"freeze_count", "lines newly frozen this month"},
      {"frozen_count", "open accounts frozen at month end"},
      {"utilization_sum", "sum over open accounts of balance / line at month end"},
      {"limit_decrease_count", "line decreases this month"},
      {"limit_decrease_amount", "amount removed by line decreases this month"},
      {"trigger_increase_count", "event-triggered line increases this month (included in limit_increase_count)"},
      {"temp_limit_count", "open accounts holding a temporary raise this month"},
      {"temp_limit_amount", "temporary extra line of those accounts this month"},
      {"signal_count", "open accounts whose borrowing-frequency signal is on at month end"},
      {"draw_count", "separate draws (transactions) this month"},
      {"shock_start_count", "income shocks that started this month"},
      {"shocked_count", "accounts in an income shock this month"},
      {"utilization_histogram", "open accounts by utilization bin at month end"},
  };
  for (const auto& e : table)
    if (std::strcmp(e.first, name) == 0) return e.second;
  throw std::logic_error(std::string("h5io: no description for metric ") + name);
}

struct MetaString {
  const char* name;
  std::string RunMetadata::*field;
};
const MetaString kMetaStrings[] = {
    {"run_name", &RunMetadata::name},
    {"limitsim_version", &RunMetadata::limitsim_version}, {"git_commit", &RunMetadata::git_commit},
    {"backend", &RunMetadata::backend},                   {"device", &RunMetadata::device},
    {"created_utc", &RunMetadata::created_utc},           {"config_file", &RunMetadata::config_file},
    {"baseline_policy", &RunMetadata::baseline_policy},
};

struct TailField {
  const char* name;
  const char* units;
  const char* description;
  double TailEstimate::*field;
};
const TailField kTailFields[] = {
    {"level", "share", "tail level q", &TailEstimate::level},
    {"var", "currency", "VaR_q of losses/net_loss: order statistic ceil(q * paths) (weighted: mass rule)",
     &TailEstimate::var},
    {"var_lo", "currency",
     "lower end of the 95% CI of VaR_q: order statistics, or bootstrap percentile when weighted (NaN: too few paths)",
     &TailEstimate::var_lo},
    {"var_hi", "currency",
     "upper end of the 95% CI of VaR_q: order statistics, or bootstrap percentile when weighted (NaN: too few paths)",
     &TailEstimate::var_hi},
    {"var_se", "currency", "bootstrap standard error of VaR_q", &TailEstimate::var_se},
    {"es", "currency", "ES_q: (weighted) mean of the losses at or beyond VaR_q", &TailEstimate::es},
    {"es_se", "currency", "bootstrap standard error of ES_q", &TailEstimate::es_se},
    {"es_lo", "currency", "lower end of the 95% bootstrap percentile CI of ES_q", &TailEstimate::es_lo},
    {"es_hi", "currency", "upper end of the 95% bootstrap percentile CI of ES_q", &TailEstimate::es_hi},
};

// The columns of the /comparison and /stress tables, in order (docs/hdf5-schema.md).
constexpr const char* kComparisonColumns =
    "scenario,policy,figure,month,unit,value,se,diff,diff_lo,diff_hi,pairing_ratio";

// Group names of scenarios and policies: '%' and '/' percent-encoded, "." as "%2E".
std::string group_name(const std::string& name) {
  std::string out;
  for (char ch : name) out += ch == '%' ? "%25" : ch == '/' ? "%2F" : std::string(1, ch);
  return out == "." ? "%2E" : out;
}

std::string combo_path(const std::string& scenario, const std::string& policy) {
  return "/results/" + group_name(scenario) + "/" + group_name(policy);
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

bool deflate_available() {
  if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0 || H5Zfilter_avail(H5Z_FILTER_SHUFFLE) <= 0) return false;
  unsigned config = 0;
  if (H5Zget_filter_info(H5Z_FILTER_DEFLATE, &config) < 0) return false;
  return (config & H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0;
}

// Paths per chunk (and per read/write slab) of a [path, ...] int64 dataset.
hsize_t chunk_paths(const std::vector<hsize_t>& shape) {
  const hsize_t row_bytes = product(shape.begin() + 1, shape.end()) * sizeof(std::int64_t);
  const hsize_t by_size = std::max<hsize_t>(1, kTargetChunkBytes / std::max<hsize_t>(row_bytes, 1));
  return std::max<hsize_t>(1, std::min({by_size, kMaxChunkPaths, shape[0]}));
}

// Selects paths [p0, p0 + n) of a [path, ...] dataset; returns the matching memory space.
Handle select_paths(const Context& ctx, hid_t file_space, const std::vector<hsize_t>& shape, hsize_t p0, hsize_t n,
                    const std::string& what) {
  std::vector<hsize_t> start(shape.size(), 0), count = shape;
  start[0] = p0;
  count[0] = n;
  ctx.ok(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
         "cannot select paths of " + what);
  return make_space(ctx, count, what);
}

// Calls f(row, cell) for every (path, month, segment) of paths [p0, p0 + n), in
// row-major order: row counts them from 0, cell = r.cell_index(path, month, segment, 0).
template <class F>
void for_each_cell(const RunResults& r, hsize_t p0, hsize_t n, F f) {
  std::size_t row = 0;
  for (hsize_t p = p0; p < p0 + n; ++p)
    for (int t = 0; t < r.months; ++t)
      for (int g = 0; g < r.segments; ++g) f(row++, r.cell_index(static_cast<int>(p), t, g, 0));
}

// ================================================================ writer

struct DatasetInfo {
  std::string units;
  std::string dims;
  std::string description;
  std::string labels;  // only for bucket / bin dimensions
};

class Writer {
 public:
  Writer(const RunResults& r, const Summary& s, const Comparison& c, const SweepSummary* sweep, const std::string& file)
      : r_(r), s_(s), c_(c), sweep_(sweep), ctx_(file) {}

  void write() {
    Handle fapl = file_access(ctx_);
    Object root{ctx_.own(H5Fcreate(ctx_.file().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose,
                         "cannot create the file"),
                "/"};
    write_root_attrs(root);
    write_string_scalar(root, "config", r_.meta.effective_config,
                        {"none", "", "effective configuration (TOML) that reproduces the run", ""});
    write_segments(root);
    write_paths(root);
    write_strings(root, "scenarios", r_.scenario_names, {"none", "scenario", "scenario names in run order", ""});
    write_strings(root, "policies", r_.policy_names, {"none", "policy", "policy names in run order", ""});
    write_results(root);
    write_comparison(root, "comparison", c_.combos);
    write_comparison(root, "stress", c_.stress);
    if (sweep_) write_sweep(root, *sweep_);
    ctx_.ok(H5Fflush(root.id(), H5F_SCOPE_GLOBAL), "cannot flush the file");
    ctx_.ok(root.h.close(), "cannot close the file");
  }

 private:
  // ---- primitives

  Object make_group(const Object& parent, const std::string& name) const {
    const std::string path = child_path(parent.path, name);
    return {ctx_.own(H5Gcreate2(parent.id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                     "cannot create group '" + path + "'"),
            path};
  }

  void write_attr_raw(const Object& obj, const std::string& name, hid_t file_type, hid_t mem_type,
                      const void* data) const {
    const std::string what = "attribute '" + name + "' of '" + obj.path + "'";
    Handle space = make_space(ctx_, {}, what);
    Handle a = ctx_.own(H5Acreate2(obj.id(), name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                        H5Aclose, "cannot create " + what);
    ctx_.ok(H5Awrite(a.get(), mem_type, data), "cannot write " + what);
  }

  template <class T>
  void write_attr(const Object& obj, const std::string& name, T value) const {
    write_attr_raw(obj, name, H5Traits<T>::file(), H5Traits<T>::mem(), &value);
  }

  void write_string_attr(const Object& obj, const std::string& name, const std::string& value) const {
    const PackedStrings p = pack({value});
    Handle t = string_type(ctx_, p.size, p.ascii, "attribute '" + name + "' of '" + obj.path + "'");
    write_attr_raw(obj, name, t.get(), t.get(), p.bytes.data());
  }

  void annotate(const Object& ds, const DatasetInfo& info) const {
    write_string_attr(ds, "units", info.units);
    write_string_attr(ds, "dims", info.dims);
    write_string_attr(ds, "description", info.description);
    if (!info.labels.empty()) write_string_attr(ds, "labels", info.labels);
  }

  // chunk: paths per chunk for a chunked, compressed [path, ...] dataset; 0 = contiguous.
  Object create_dataset(const Object& parent, const std::string& name, hid_t type, const std::vector<hsize_t>& shape,
                        hsize_t chunk, const DatasetInfo& info) const {
    const std::string path = child_path(parent.path, name);
    const std::string what = "dataset '" + path + "'";
    Handle space = make_space(ctx_, shape, what);
    Handle dcpl = ctx_.own(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "cannot create properties of " + what);
    if (chunk > 0) {
      std::vector<hsize_t> dims = shape;
      dims[0] = chunk;
      ctx_.ok(H5Pset_chunk(dcpl.get(), static_cast<int>(dims.size()), dims.data()), "cannot chunk " + what);
      if (deflate_available()) {
        ctx_.ok(H5Pset_shuffle(dcpl.get()), "cannot set the shuffle filter of " + what);
        ctx_.ok(H5Pset_deflate(dcpl.get(), kDeflateLevel), "cannot set compression of " + what);
      }
    }
    Object ds{ctx_.own(H5Dcreate2(parent.id(), name.c_str(), type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                       H5Dclose, "cannot create " + what),
              path};
    annotate(ds, info);
    return ds;
  }

  template <class T>
  void write_array(const Object& parent, const std::string& name, const std::vector<hsize_t>& shape,
                   const std::vector<T>& data, const DatasetInfo& info) const {
    Object ds = create_dataset(parent, name, H5Traits<T>::file(), shape, 0, info);
    ctx_.ok(H5Dwrite(ds.id(), H5Traits<T>::mem(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
            "cannot write dataset '" + ds.path + "'");
  }

  void write_strings(const Object& parent, const std::string& name, const std::vector<std::string>& v,
                     const DatasetInfo& info, bool scalar = false) const {
    const PackedStrings p = pack(v);
    const std::string what = "dataset '" + child_path(parent.path, name) + "'";
    Handle t = string_type(ctx_, p.size, p.ascii, what);
    const std::vector<hsize_t> shape = scalar ? std::vector<hsize_t>{} : std::vector<hsize_t>{v.size()};
    Object ds = create_dataset(parent, name, t.get(), shape, 0, info);
    ctx_.ok(H5Dwrite(ds.id(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, p.bytes.data()), "cannot write " + what);
  }

  void write_string_scalar(const Object& parent, const std::string& name, const std::string& v,
                           const DatasetInfo& info) const {
    write_strings(parent, name, {v}, info, true);
  }

  // An int64 [path, ...] dataset, chunked and compressed, written one chunk row of
  // paths at a time: fill(p0, n, buf) adds the values of paths [p0, p0 + n) into
  // the zeroed buf, laid out like the dataset.
  template <class Fill>
  void write_path_major(const Object& parent, const std::string& name, const std::vector<hsize_t>& shape,
                        const DatasetInfo& info, Fill fill) const {
    const hsize_t slab = chunk_paths(shape);
    Object ds = create_dataset(parent, name, H5Traits<std::int64_t>::file(), shape, slab, info);
    const std::string what = "dataset '" + ds.path + "'";
    Handle file_space = ctx_.own(H5Dget_space(ds.id()), H5Sclose, "cannot get the dataspace of " + what);
    const hsize_t row = product(shape.begin() + 1, shape.end());
    std::vector<std::int64_t> buf;
    for (hsize_t p0 = 0; p0 < shape[0]; p0 += slab) {
      const hsize_t n = std::min(slab, shape[0] - p0);
      buf.assign(n * row, 0);
      fill(p0, n, buf.data());
      Handle mem_space = select_paths(ctx_, file_space.get(), shape, p0, n, what);
      ctx_.ok(H5Dwrite(ds.id(), H5Traits<std::int64_t>::mem(), mem_space.get(), file_space.get(), H5P_DEFAULT,
                       buf.data()),
              "cannot write " + what);
    }
  }

  // A value dataset and its standard errors (name + "_se"), same shape.
  void write_estimates(const Object& parent, const std::string& name, const std::vector<hsize_t>& shape,
                       const std::vector<Estimate>& e, const DatasetInfo& info) const {
    std::vector<double> value, se;
    for (const Estimate& x : e) {
      value.push_back(x.value);
      se.push_back(x.se);
    }
    write_array(parent, name, shape, value, info);
    write_array(parent, name + "_se", shape, se, {info.units, info.dims, "standard error of " + name, ""});
  }

  // ---- file sections

  void write_root_attrs(const Object& root) const {
    write_string_attr(root, "schema_version",
                      std::to_string(kSchemaVersionMajor) + "." + std::to_string(kSchemaVersionMinor));
    for (const MetaString& m : kMetaStrings) write_string_attr(root, m.name, r_.meta.*(m.field));
    write_attr<std::uint64_t>(root, "seed", r_.meta.seed);
    write_attr<std::int64_t>(root, "customers", r_.meta.customers);
    write_attr<std::int32_t>(root, "paths", r_.paths);
    write_attr<std::int32_t>(root, "months", r_.months);
    write_attr<std::int32_t>(root, "segments", r_.segments);
    write_attr<std::int32_t>(root, "threads", r_.meta.threads);
    write_attr<std::int64_t>(root, "batch_size", r_.meta.batch_size);
    write_attr<double>(root, "wall_seconds", r_.meta.wall_seconds);
    write_attr<double>(root, "cost_of_funds", r_.meta.cost_of_funds);
    write_attr<double>(root, "importance_shift", r_.meta.importance_shift);
    write_string_attr(root, "population_kind", r_.meta.population_kind);
    write_string_attr(root, "population_file", r_.meta.population_file);
    write_string_attr(root, "population_sha256", r_.meta.population_sha256);
    write_attr<std::int64_t>(root, "population_rows_skipped", r_.meta.population_rows_skipped);
  }

  void write_segments(const Object& root) const {
    Object g = make_group(root, "segments");
    write_strings(g, "names", r_.segment_names,
                  {"none", "segment", "reporting segment names: (score band, region) cells", ""});
    write_array(g, "customers", {r_.segment_names.size()}, r_.segment_customers,
                {"customers", "segment", "customers simulated per segment", ""});
    const SegmentCells& cells = s_.cells;
    write_strings(g, "band_names", cells.band_names, {"none", "band", "score band names", ""});
    write_strings(g, "region_names", cells.region_names,
                  {"none", "region", "region names (one systematic factor each)", ""});
    write_array(g, "segment_band", {cells.segment_band.size()}, cells.segment_band,
                {"none", "segment", "index into band_names of each segment's score band", ""});
    write_array(g, "segment_region", {cells.segment_region.size()}, cells.segment_region,
                {"none", "segment", "index into region_names of each segment's region", ""});
  }

  void write_paths(const Object& root) const {
    Object g = make_group(root, "paths");
    const std::vector<double> w =
        r_.path_weight.empty() ? std::vector<double>(static_cast<std::size_t>(r_.paths), 1.0) : r_.path_weight;
    write_array(g, "weight", {w.size()}, w,
                {"none", "path",
                 "likelihood ratio of the path under importance sampling (1 without); every mean over paths is "
                 "weighted by it",
                 ""});
  }

  void write_results(const Object& root) const {
    Object results = make_group(root, "results");
    for (std::size_t si = 0; si < r_.scenario_names.size(); ++si) {
      const std::string& scenario = r_.scenario_names[si];
      Object sg = make_group(results, group_name(scenario));
      write_string_attr(sg, "name", scenario);
      for (std::size_t pi = 0; pi < r_.policy_names.size(); ++pi) {
        const std::string& policy = r_.policy_names[pi];
        Object pg = make_group(sg, group_name(policy));
        write_string_attr(pg, "scenario", scenario);
        write_string_attr(pg, "policy", policy);
        const std::size_t index = si * r_.policy_names.size() + pi;
        write_combo(pg, r_.combos[index], s_.combos[index]);
      }
    }
  }

  void write_combo(const Object& g, const ComboSums& c, const ComboSummary& cs) const {
    Object monthly = make_group(g, "monthly");
    Object by_segment = make_group(g, "by_segment");
    for (const MetricGroup& mg : metric_groups()) {
      write_metric(monthly, c, mg, false);
      write_metric(by_segment, c, mg, true);
    }
    write_losses(g, c);
    write_summary(g, cs);
  }

  // One metric group as [path, month(, segment)(, bucket|bin)]; without segments
  // the values are portfolio totals (sums over segments).
  void write_metric(const Object& parent, const ComboSums& c, const MetricGroup& mg, bool by_segment) const {
    const ExtraDim extra = extra_dim(mg);
    const std::size_t width = static_cast<std::size_t>(mg.width), segments = static_cast<std::size_t>(r_.segments);
    std::vector<hsize_t> shape{static_cast<hsize_t>(r_.paths), static_cast<hsize_t>(r_.months)};
    std::string dims = "path,month";
    if (by_segment) {
      shape.push_back(segments);
      dims += ",segment";
    }
    if (extra.name) {
      shape.push_back(width);
      dims += std::string(",") + extra.name;
    }
    const std::string description = std::string(metric_description(mg.info->name)) +
                                    (by_segment ? ", by segment" : ", portfolio total (sum over segments)");
    write_path_major(parent, mg.info->name, shape, {mg.info->unit, dims, description, extra.labels},
                     [&](hsize_t p0, hsize_t n, std::int64_t* out) {
                       for_each_cell(r_, p0, n, [&](std::size_t row, std::size_t cell) {
                         std::int64_t* dst = out + (by_segment ? row : row / segments) * width;
                         const std::int64_t* src = c.sums.data() + cell + mg.first;
                         for (std::size_t w = 0; w < width; ++w) dst[w] += src[w];
                       });
                     });
  }

  std::vector<std::int64_t> horizon_cents(const ComboSums& c, int metric) const {
    std::vector<std::int64_t> out(static_cast<std::size_t>(r_.paths), 0);
    for (int p = 0; p < r_.paths; ++p)
      for (int t = 0; t < r_.months; ++t) out[p] += r_.portfolio(c, p, t, metric);
    return out;
  }

  static std::vector<double> to_currency(const std::vector<std::int64_t>& cents) {
    std::vector<double> out;
    for (std::int64_t x : cents) out.push_back(static_cast<double>(x) / kCentsPerUnit);
    return out;
  }

  void write_losses(const Object& g, const ComboSums& c) const {
    Object losses = make_group(g, "losses");
    const std::vector<hsize_t> shape{static_cast<hsize_t>(r_.paths)};
    const std::vector<std::int64_t> loss = horizon_cents(c, kChargeoffLoss);
    write_array(losses, "net_loss", shape, to_currency(loss),
                {"currency", "path", "cumulative net charge-off loss over all months", ""});
    write_array(losses, "net_loss_cents", shape, loss,
                {"cents", "path", "cumulative net charge-off loss over all months (exact)", ""});
    write_array(losses, "chargeoff_exposure", shape, to_currency(horizon_cents(c, kChargeoffExposure)),
                {"currency", "path", "cumulative exposure at charge-off over all months", ""});
  }

  void write_summary(const Object& g, const ComboSummary& cs) const {
    Object sum = make_group(g, "summary");
    write_attr<std::int32_t>(sum, "bootstrap_resamples", kBootstrapResamples);
    write_attr<std::uint64_t>(sum, "bootstrap_seed", kBootstrapSeed);
    write_string_attr(sum, "bootstrap_generator", "std::mt19937_64");
    write_attr<double>(sum, "var_ci_level", kVarCiLevel);
    // Scalar figures as attributes <name> and <name>_se; their units in figure_units.
    std::string units;
    for (const auto& f : combo_figure_info()) {
      const Estimate& e = cs.*(f.field);
      write_attr<double>(sum, f.name, e.value);
      write_attr<double>(sum, std::string(f.name) + "_se", e.se);
      units += std::string(units.empty() ? "" : ",") + f.name + "=" + f.unit;
    }
    write_string_attr(sum, "figure_units", units);
    // Their 95% intervals (schema 1.2).
    write_attr<double>(sum, "expected_loss_lo", cs.expected_loss_ci.lo);
    write_attr<double>(sum, "expected_loss_hi", cs.expected_loss_ci.hi);
    write_attr<double>(sum, "unexpected_loss_lo", cs.unexpected_loss_ci.lo);
    write_attr<double>(sum, "unexpected_loss_hi", cs.unexpected_loss_ci.hi);
    write_attr<std::int32_t>(sum, "weighted", s_.weighted ? 1 : 0);
    write_string_attr(sum, "var_ci_method", s_.weighted ? "bootstrap_percentile" : "order_statistic");
    write_tail(sum, cs.tail);
    write_contributions(sum, cs);
    write_convergence(sum, cs.convergence);
    write_month_figures(sum, cs.months);
    write_array(sum, "report_months", {cs.report_months.size()}, cs.report_months,
                {"month", "report", "months (1-based) shown in summary tables; ends with the horizon", ""});
  }

  void write_tail(const Object& sum, const std::vector<TailEstimate>& tail) const {
    Object g = make_group(sum, "tail");
    for (const TailField& f : kTailFields) {
      std::vector<double> v;
      for (const TailEstimate& te : tail) v.push_back(te.*(f.field));
      write_array(g, f.name, {tail.size()}, v, {f.units, "level", f.description, ""});
    }
  }

  // Euler contributions by segment, score band and region (docs/hdf5-schema.md).
  void write_contributions(const Object& sum, const ComboSummary& cs) const {
    Object g = make_group(sum, "contributions");
    const std::size_t L = kNumTailLevels;
    std::vector<std::int64_t> rank, first, last;
    for (std::size_t l = 0; l < L; ++l) {
      rank.push_back(cs.by_segment.var_rank.at(l));
      first.push_back(cs.by_segment.var_first.at(l));
      last.push_back(cs.by_segment.var_last.at(l));
    }
    write_array(g, "var_rank", {L}, rank, {"none", "level", "1-based rank of VaR_q among the sorted path losses", ""});
    write_array(g, "var_window_first", {L}, first,
                {"none", "level", "first rank of the window of order statistics that splits VaR_q", ""});
    write_array(g, "var_window_last", {L}, last,
                {"none", "level", "last rank of the window of order statistics that splits VaR_q", ""});
    struct Unit {
      const char* name;
      const RiskContributions* c;
    };
    for (const Unit& u : {Unit{"segment", &cs.by_segment}, Unit{"band", &cs.by_band}, Unit{"region", &cs.by_region}}) {
      Object ug = make_group(g, u.name);
      const std::string dim = u.name;
      const std::size_t n = u.c->expected_loss.size();
      write_array(ug, "expected_loss", {n}, u.c->expected_loss,
                  {"currency", dim, "contribution to EL: (weighted) mean over paths of the " + dim + "'s loss", ""});
      write_array(ug, "unexpected_loss", {n}, u.c->unexpected_loss,
                  {"currency", dim, "contribution to UL: weighted covariance with the portfolio loss / UL", ""});
      std::vector<double> var, es;
      for (std::size_t l = 0; l < L; ++l) {
        var.insert(var.end(), u.c->var.at(l).begin(), u.c->var.at(l).end());
        es.insert(es.end(), u.c->es.at(l).begin(), u.c->es.at(l).end());
      }
      write_array(ug, "var", {L, n}, var,
                  {"currency", "level," + dim,
                   "contribution to VaR_q: window mean of the " + dim + "'s loss around VaR's rank, rescaled to VaR_q",
                   ""});
      write_array(ug, "es", {L, n}, es,
                  {"currency", "level," + dim,
                   "contribution to ES_q: (weighted) mean of the " + dim + "'s loss on the paths ES_q averages", ""});
    }
  }

  // The loss figures on the first n paths, n = convergence_grid(P).
  void write_convergence(const Object& sum, const std::vector<ConvergencePoint>& points) const {
    Object g = make_group(sum, "convergence");
    const std::size_t K = points.size(), L = kNumTailLevels;
    std::vector<std::int64_t> paths;
    std::vector<std::int32_t> resamples;
    std::vector<double> el, el_se, el_lo, el_hi, ul, ul_se, ul_lo, ul_hi;
    for (const ConvergencePoint& pt : points) {
      paths.push_back(pt.paths);
      resamples.push_back(pt.risk.resamples);
      el.push_back(pt.risk.expected_loss.value);
      el_se.push_back(pt.risk.expected_loss.se);
      el_lo.push_back(pt.risk.expected_loss_ci.lo);
      el_hi.push_back(pt.risk.expected_loss_ci.hi);
      ul.push_back(pt.risk.unexpected_loss.value);
      ul_se.push_back(pt.risk.unexpected_loss.se);
      ul_lo.push_back(pt.risk.unexpected_loss_ci.lo);
      ul_hi.push_back(pt.risk.unexpected_loss_ci.hi);
    }
    write_array(g, "paths", {K}, paths, {"none", "point", "n: the figures are those of paths 0..n-1; the last n is P", ""});
    write_array(g, "resamples", {K}, resamples, {"none", "point", "bootstrap resamples behind the point's se and CIs", ""});
    const std::pair<const char*, const std::vector<double>*> scalars[] = {
        {"expected_loss", &el},   {"expected_loss_se", &el_se}, {"expected_loss_lo", &el_lo},
        {"expected_loss_hi", &el_hi}, {"unexpected_loss", &ul},  {"unexpected_loss_se", &ul_se},
        {"unexpected_loss_lo", &ul_lo}, {"unexpected_loss_hi", &ul_hi}};
    for (const auto& [name, v] : scalars)
      write_array(g, name, {K}, *v, {"currency", "point", std::string(name) + " of the first n paths", ""});
    for (const TailField& f : kTailFields) {
      if (std::strcmp(f.name, "level") == 0) continue;
      std::vector<double> v;
      for (const ConvergencePoint& pt : points)
        for (const TailEstimate& te : pt.risk.tail) v.push_back(te.*(f.field));
      write_array(g, f.name, {K, L}, v, {f.units, "point,level", std::string(f.description) + ", first n paths", ""});
    }
  }

  void write_month_figures(const Object& sum, const std::vector<MonthFigures>& months) const {
    Object g = make_group(sum, "monthly");
    const std::vector<hsize_t> shape{months.size()};
    std::vector<std::int32_t> month;
    for (const MonthFigures& m : months) month.push_back(m.month);
    write_array(g, "month", shape, month, {"month", "month", "month (1-based)", ""});
    for (const auto& f : month_figure_info()) {
      std::vector<Estimate> e;
      for (const MonthFigures& m : months) e.push_back(m.*(f.field));
      write_estimates(g, f.name, shape, e, {f.unit, "month", std::string(f.description) + ", mean over paths", ""});
    }
  }

  // A comparison as one tidy table: one row per (scenario, policy, figure,
  // month), one dataset per column, all of the same length, so that pandas
  // reads it in one line (docs/hdf5-schema.md). /comparison holds every policy
  // against the baseline policy; /stress every scenario against the baseline scenario.
  void write_comparison(const Object& root, const char* name, const std::vector<PolicyComparison>& rows) const {
    const bool stress = std::strcmp(name, "stress") == 0;
    const std::string against = stress ? "the baseline scenario, same policy" : "the baseline policy, same scenario";
    Object g = make_group(root, name);
    write_string_attr(g, "baseline", c_.baseline);
    write_string_attr(g, "baseline_scenario", c_.baseline_scenario);
    write_attr<double>(g, "cost_of_funds", c_.cost_of_funds);
    write_attr<double>(g, "confidence_level", kCompareConfidence);
    write_attr<double>(g, "t_quantile", c_.t_quantile);
    write_attr<std::int32_t>(g, "bootstrap_resamples", kBootstrapResamples);
    write_attr<std::uint64_t>(g, "bootstrap_seed", kBootstrapSeed);
    write_string_attr(g, "bootstrap_generator", "std::mt19937_64");
    write_attr<std::int32_t>(g, "weighted", c_.weighted ? 1 : 0);
    std::string units;
    for (const CompareFigure& f : compare_figures())
      units += std::string(units.empty() ? "" : ",") + f.name + "=" + f.unit;
    write_string_attr(g, "figure_units", units);
    // HDF5 lists datasets alphabetically; this is the table's (and the CSV's) column order.
    write_string_attr(g, "columns", kComparisonColumns);

    std::vector<std::string> scenario, policy, figure, unit;
    std::vector<std::int32_t> month;
    std::vector<double> value, se, diff, lo, hi, pairing;
    for (const PolicyComparison& pc : rows)
      for (const ComparedValue& v : pc.values) {
        const CompareFigure& f = compare_figures().at(v.figure);
        scenario.push_back(pc.scenario);
        policy.push_back(pc.policy);
        figure.push_back(f.name);
        unit.push_back(f.unit);
        month.push_back(v.month);
        value.push_back(v.value.value);
        se.push_back(v.value.se);
        diff.push_back(v.vs_baseline.diff);
        lo.push_back(v.vs_baseline.lo);
        hi.push_back(v.vs_baseline.hi);
        pairing.push_back(v.vs_baseline.pairing_ratio);
      }
    const std::vector<hsize_t> shape{scenario.size()};
    write_strings(g, "scenario", scenario, {"none", "row", "scenario name", ""});
    write_strings(g, "policy", policy, {"none", "row", "policy name", ""});
    write_strings(g, "figure", figure, {"none", "row", "figure name (docs/metrics.md, Comparison)", ""});
    write_array(g, "month", shape, month,
                {"month", "row", "report month (1-based) of a monthly figure; 0 for a horizon figure", ""});
    write_strings(g, "unit", unit, {"none", "row", "unit of value, se, diff, diff_lo and diff_hi in this row", ""});
    write_array(g, "value", shape, value,
                {"mixed", "row",
                 "this scenario and policy: mean over paths (UL, VaR, ES: the estimate); unit in column unit", ""});
    write_array(g, "se", shape, se,
                {"mixed", "row", "standard error of value (UL, VaR, ES: bootstrap); NaN for one path", ""});
    write_array(g, "diff", shape, diff, {"mixed", "row", "value - that of " + against + ", on the same paths", ""});
    write_array(g, "diff_lo", shape, lo,
                {"mixed", "row", "lower end of the 95% CI of diff (t interval; UL, VaR, ES: paired bootstrap)", ""});
    write_array(g, "diff_hi", shape, hi,
                {"mixed", "row", "upper end of the 95% CI of diff (t interval; UL, VaR, ES: paired bootstrap)", ""});
    write_array(g, "pairing_ratio", shape, pairing,
                {"none", "row", "width of the paired CI / width of the unpaired (independent runs) CI", ""});
  }

  // One row per (scenario, policy) of a sweep: the swept keys' values, the
  // figures of sweep_columns() and the frontier flags (docs/hdf5-schema.md).
  void write_sweep(const Object& root, const SweepSummary& sw) const {
    Object g = make_group(root, "sweep");
    write_string_attr(g, "base_policy", sw.base_policy);
    std::string keys, columns = "scenario,policy,variant";
    for (const std::string& k : sw.keys) keys += (keys.empty() ? "" : ",") + k;
    write_string_attr(g, "keys", keys);
    columns += ",parameter_values";
    for (const SweepColumn& c : sweep_columns()) columns += std::string(",") + c.name;
    write_string_attr(g, "columns", columns + ",frontier_loss,frontier_var99");
    const std::size_t n = sw.rows.size(), k = sw.keys.size();
    std::vector<std::string> scenario, policy;
    std::vector<std::int32_t> variant, f_loss, f_var;
    std::vector<double> params;
    for (const SweepRow& row : sw.rows) {
      scenario.push_back(row.scenario);
      policy.push_back(row.policy);
      variant.push_back(row.variant);
      params.insert(params.end(), row.numbers.begin(), row.numbers.end());
      f_loss.push_back(row.frontier_loss ? 1 : 0);
      f_var.push_back(row.frontier_var99 ? 1 : 0);
    }
    const std::vector<hsize_t> shape{n};
    write_strings(g, "scenario", scenario, {"none", "row", "scenario name", ""});
    write_strings(g, "policy", policy, {"none", "row", "policy name: the base policy, then <base>.vNN", ""});
    write_array(g, "variant", shape, variant, {"none", "row", "0 = the base policy, v = grid point v", ""});
    write_array(g, "parameter_values", {n, k}, params,
                {"mixed", "row,key", "value of each swept key (true = 1, false = 0); keys in attribute keys", keys});
    for (const SweepColumn& c : sweep_columns()) {
      std::vector<double> v;
      for (const SweepRow& row : sw.rows) v.push_back(c.get(row));
      write_array(g, c.name, shape, v, {c.unit, "row", c.description, ""});
    }
    write_array(g, "frontier_loss", shape, f_loss,
                {"none", "row", "1: not dominated in (higher net_income, lower net_loss) within its scenario", ""});
    write_array(g, "frontier_var99", shape, f_var,
                {"none", "row", "1: not dominated in (higher net_income, lower var_99) within its scenario", ""});
  }

  const RunResults& r_;
  const Summary& s_;
  const Comparison& c_;
  const SweepSummary* sweep_;
  Context ctx_;
};

// Refuses what the file could not represent, before anything touches the disk.
void validate_for_write(const RunResults& r, const Summary& s, const Comparison& cmp, const std::string& path) {
  auto bad = [&](const std::string& what) { throw std::runtime_error("cannot write '" + path + "': " + what); };
  if (r.paths < 1 || r.months < 1 || r.segments < 1) bad("need at least one path, month and segment");
  if (r.segment_names.size() != static_cast<std::size_t>(r.segments) ||
      r.segment_customers.size() != static_cast<std::size_t>(r.segments))
    bad("segment names / customers do not match the segment count");
  for (const auto* names : {&r.scenario_names, &r.policy_names}) {
    std::vector<std::string> sorted = *names;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) bad("duplicate scenario or policy name");
    if (!sorted.empty() && sorted.front().empty()) bad("empty scenario or policy name");
  }
  const std::size_t n_policies = r.policy_names.size();
  if (r.combos.size() != r.scenario_names.size() * n_policies) bad("combo count != scenarios x policies");
  if (s.combos.size() != r.combos.size()) bad("the summary does not match the results (combo count)");
  for (std::size_t i = 0; i < r.combos.size(); ++i) {
    const ComboSums& c = r.combos[i];
    const ComboSummary& cs = s.combos[i];
    const std::string label = "combo " + c.scenario + " / " + c.policy;
    if (c.scenario != r.scenario_names[i / n_policies] || c.policy != r.policy_names[i % n_policies])
      bad(label + " is not in scenario-major run order");
    if (c.sums.size() != r.cells()) bad(label + " has " + std::to_string(c.sums.size()) + " sums, expected " +
                                        std::to_string(r.cells()));
    if (cs.scenario != c.scenario || cs.policy != c.policy || cs.months.size() != static_cast<std::size_t>(r.months) ||
        cs.tail.size() != std::size(kTailLevels))
      bad("the summary does not match the results (" + label + ")");
    if (cmp.combos.size() != r.combos.size() || cmp.combos[i].scenario != c.scenario ||
        cmp.combos[i].policy != c.policy || cmp.combos[i].values.size() != cmp.combos[0].values.size())
      bad("the comparison does not match the results (" + label + ")");
  }
  if (cmp.paths != r.paths || cmp.months != r.months)
    bad("the comparison does not match the results (paths or months)");
  if (cmp.stress.size() != cmp.combos.size()) bad("the comparison's stress view does not match the results");
  for (std::size_t i = 0; i < cmp.stress.size(); ++i)
    if (cmp.stress[i].scenario != cmp.combos[i].scenario || cmp.stress[i].policy != cmp.combos[i].policy ||
        cmp.stress[i].values.size() != cmp.combos[i].values.size())
      bad("the comparison's stress view does not match the results (combo " + std::to_string(i) + ")");
  try {
    const SegmentCells cells = segment_cells(r);
    if (cells.band_names != s.cells.band_names || cells.region_names != s.cells.region_names ||
        cells.segment_band != s.cells.segment_band || cells.segment_region != s.cells.segment_region)
      bad("the summary's bands and regions are not those of the results");
    check_weights(r.path_weight, static_cast<std::size_t>(r.paths), "path weights");
  } catch (const std::invalid_argument& e) {
    bad(e.what());
  }
  for (const ComboSummary& cs : s.combos) {
    const std::size_t G = static_cast<std::size_t>(r.segments);
    if (cs.by_segment.expected_loss.size() != G || cs.by_segment.var.size() != kNumTailLevels ||
        cs.by_segment.var_rank.size() != kNumTailLevels ||
        cs.by_band.expected_loss.size() != s.cells.band_names.size() ||
        cs.by_region.expected_loss.size() != s.cells.region_names.size() || cs.convergence.empty())
      bad("the summary's contributions or convergence bands do not match the results (" + cs.scenario + " / " +
          cs.policy + ")");
  }
  if (!std::isfinite(r.meta.cost_of_funds)) bad("the cost of funds is not finite");
}

// ================================================================ reader

class Reader {
 public:
  explicit Reader(const std::string& file) : ctx_(file) {}

  RunResults read() {
    Handle fapl = file_access(ctx_);
    root_ = {ctx_.own(H5Fopen(ctx_.file().c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose, "cannot open the file"),
             "/"};
    const int minor = check_schema();
    RunResults r;
    read_meta(r, minor);
    r.meta.effective_config = read_strings("/config", std::vector<hsize_t>{}).at(0);
    const std::vector<hsize_t> G{static_cast<hsize_t>(r.segments)};
    r.segment_names = read_strings("/segments/names", G);
    r.segment_customers = read_array<std::int64_t>("/segments/customers", G);
    read_cells_and_weights(r, minor);
    r.scenario_names = read_strings("/scenarios", std::nullopt);
    r.policy_names = read_strings("/policies", std::nullopt);
    for (const std::string& scenario : r.scenario_names)
      for (const std::string& policy : r.policy_names) r.combos.push_back(read_combo(r, scenario, policy, minor));
    const std::string rm = combo_path(r.scenario_names.at(0), r.policy_names.at(0)) + "/summary/report_months";
    r.meta.report_months = read_array<std::int32_t>(rm, {static_cast<hsize_t>(shape_of(open_dataset(rm)).at(0))});
    return r;
  }

 private:
  // Checks the major version; returns the minor one.
  int check_schema() const {
    if (H5Aexists(root_.id(), "schema_version") <= 0)
      ctx_.fail("not a limitsim result file (no schema_version attribute on '/')");
    const std::string v = read_string_attr(root_, "schema_version");
    const std::size_t dot = v.find('.');
    const std::string major = v.substr(0, dot);
    const std::string minor = dot == std::string::npos ? "" : v.substr(dot + 1);
    auto digits = [](const std::string& x) {
      return !x.empty() && x.size() < 6 && x.find_first_not_of("0123456789") == std::string::npos;
    };
    if (!digits(major) || !digits(minor)) ctx_.fail("unreadable schema_version '" + v + "'");
    if (std::stoi(major) != kSchemaVersionMajor)
      ctx_.fail("schema_version " + v + " is not supported (this build reads " + std::to_string(kSchemaVersionMajor) +
                ".x)");
    return std::stoi(minor);
  }

  // Schema 1.2 added the path weights and the segments' bands and regions; a
  // 1.1 file had no importance sampling (weights 1), and its segments were the
  // score bands of one region.
  void read_cells_and_weights(RunResults& r, int minor) const {
    const std::size_t G = static_cast<std::size_t>(r.segments);
    if (minor < 2) {
      r.band_names = r.segment_names;
      r.region_names = {"all"};
      r.segment_band.resize(G);
      std::iota(r.segment_band.begin(), r.segment_band.end(), 0);
      r.segment_region.assign(G, 0);
      r.path_weight.assign(static_cast<std::size_t>(r.paths), 1.0);
      return;
    }
    r.band_names = read_strings("/segments/band_names", std::nullopt);
    r.region_names = read_strings("/segments/region_names", std::nullopt);
    r.segment_band = read_array<std::int32_t>("/segments/segment_band", {static_cast<hsize_t>(G)});
    r.segment_region = read_array<std::int32_t>("/segments/segment_region", {static_cast<hsize_t>(G)});
    r.path_weight = read_array<double>("/paths/weight", {static_cast<hsize_t>(r.paths)});
    try {
      segment_cells(r);
      check_weights(r.path_weight, static_cast<std::size_t>(r.paths), "/paths/weight");
    } catch (const std::invalid_argument& e) {
      ctx_.fail(e.what());
    }
  }

  void read_meta(RunResults& r, int minor) const {
    // Schema 1.1 added these; a 1.0 file lacks the inputs of the comparison.
    for (const char* name : {"cost_of_funds", "baseline_policy"})
      if (H5Aexists(root_.id(), name) <= 0)
        ctx_.fail(std::string("no attribute '") + name + "' on '/' (written since schema 1.1; schema_version is " +
                  read_string_attr(root_, "schema_version") + ")");
    for (const MetaString& m : kMetaStrings) r.meta.*(m.field) = read_string_attr(root_, m.name);
    r.meta.seed = read_attr<std::uint64_t>(root_, "seed");
    r.meta.customers = read_attr<std::int64_t>(root_, "customers");
    r.meta.threads = read_attr<std::int32_t>(root_, "threads");
    r.meta.batch_size = read_attr<std::int64_t>(root_, "batch_size");
    r.meta.wall_seconds = read_attr<double>(root_, "wall_seconds");
    r.meta.cost_of_funds = read_attr<double>(root_, "cost_of_funds");
    if (!std::isfinite(r.meta.cost_of_funds)) ctx_.fail("attribute 'cost_of_funds' of '/' is not finite");
    // Schema 1.2 added importance_shift; before it there was no importance sampling.
    if (minor >= 2 || H5Aexists(root_.id(), "importance_shift") > 0)
      r.meta.importance_shift = read_attr<double>(root_, "importance_shift");
    // Schema 1.3 added the population's provenance; before it every population was synthetic.
    if (minor >= 3) {
      r.meta.population_kind = read_string_attr(root_, "population_kind");
      r.meta.population_file = read_string_attr(root_, "population_file");
      r.meta.population_sha256 = read_string_attr(root_, "population_sha256");
      r.meta.population_rows_skipped = read_attr<std::int64_t>(root_, "population_rows_skipped");
    }
    r.paths = read_attr<std::int32_t>(root_, "paths");
    r.months = read_attr<std::int32_t>(root_, "months");
    r.segments = read_attr<std::int32_t>(root_, "segments");
    if (r.paths < 1 || r.months < 1 || r.segments < 1)
      ctx_.fail("paths, months and segments must be >= 1 (got " + std::to_string(r.paths) + ", " +
                std::to_string(r.months) + ", " + std::to_string(r.segments) + ")");
  }

  // ---- primitives

  Handle open_attr(const Object& obj, const std::string& name, const std::string& what) const {
    Handle a = ctx_.own(H5Aopen(obj.id(), name.c_str(), H5P_DEFAULT), H5Aclose, "cannot open " + what);
    Handle space = ctx_.own(H5Aget_space(a.get()), H5Sclose, "cannot get the dataspace of " + what);
    if (H5Sget_simple_extent_npoints(space.get()) != 1) ctx_.fail(what + " is not a single value");
    return a;
  }

  template <class T>
  T read_attr(const Object& obj, const std::string& name) const {
    const std::string what = "attribute '" + name + "' of '" + obj.path + "'";
    Handle a = open_attr(obj, name, what);
    T value{};
    ctx_.ok(H5Aread(a.get(), H5Traits<T>::mem(), &value), "cannot read " + what);
    return value;
  }

  // The fixed-length string type of an attribute or dataset (variable-length ones are refused).
  Handle fixed_string_type(hid_t type_id, const std::string& what) const {
    Handle t = ctx_.own(type_id, H5Tclose, "cannot get the type of " + what);
    if (H5Tget_class(t.get()) != H5T_STRING || H5Tis_variable_str(t.get()) != 0)
      ctx_.fail(what + " is not a fixed-length string");
    return t;
  }

  std::string read_string_attr(const Object& obj, const std::string& name) const {
    const std::string what = "attribute '" + name + "' of '" + obj.path + "'";
    Handle a = open_attr(obj, name, what);
    Handle t = fixed_string_type(H5Aget_type(a.get()), what);
    std::vector<char> buf(H5Tget_size(t.get()) + 1, '\0');
    ctx_.ok(H5Aread(a.get(), t.get(), buf.data()), "cannot read " + what);
    return std::string(buf.data());
  }

  Object open_dataset(const std::string& path) const {
    return {ctx_.own(H5Dopen2(root_.id(), path.c_str(), H5P_DEFAULT), H5Dclose, "cannot open dataset '" + path + "'"),
            path};
  }

  std::vector<hsize_t> shape_of(const Object& ds) const {
    Handle space = ctx_.own(H5Dget_space(ds.id()), H5Sclose, "cannot get the dataspace of '" + ds.path + "'");
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0) ctx_.fail_h5("cannot get the rank of '" + ds.path + "'");
    std::vector<hsize_t> shape(static_cast<std::size_t>(rank));
    ctx_.ok(H5Sget_simple_extent_dims(space.get(), shape.data(), nullptr), "cannot get the shape of '" + ds.path + "'");
    return shape;
  }

  void expect_shape(const Object& ds, const std::vector<hsize_t>& expected) const {
    const std::vector<hsize_t> shape = shape_of(ds);
    if (shape != expected)
      ctx_.fail("dataset '" + ds.path + "' has shape " + shape_text(shape) + ", expected " + shape_text(expected));
  }

  template <class T>
  std::vector<T> read_array(const std::string& path, const std::vector<hsize_t>& shape) const {
    Object ds = open_dataset(path);
    expect_shape(ds, shape);
    std::vector<T> out(product(shape.begin(), shape.end()));
    ctx_.ok(H5Dread(ds.id(), H5Traits<T>::mem(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
            "cannot read dataset '" + path + "'");
    return out;
  }

  // Strings of a scalar (shape {}) or 1-D dataset; any length when shape is nullopt.
  std::vector<std::string> read_strings(const std::string& path,
                                        const std::optional<std::vector<hsize_t>>& shape) const {
    Object ds = open_dataset(path);
    const std::vector<hsize_t> actual = shape_of(ds);
    if (shape)
      expect_shape(ds, *shape);
    else if (actual.size() != 1)
      ctx_.fail("dataset '" + path + "' has shape " + shape_text(actual) + ", expected one dimension");
    Handle t = fixed_string_type(H5Dget_type(ds.id()), "dataset '" + path + "'");
    const std::size_t size = H5Tget_size(t.get());
    const std::size_t n = product(actual.begin(), actual.end());
    std::vector<char> buf(size * std::max<std::size_t>(n, 1), '\0');
    if (n > 0)
      ctx_.ok(H5Dread(ds.id(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()),
              "cannot read dataset '" + path + "'");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
      const char* s = buf.data() + i * size;
      out.emplace_back(s, strnlen(s, size));
    }
    return out;
  }

  // The schema minor version from which a metric is written; older files lack it
  // and read as zeros (e.g. no income shocks before 1.2).
  static int metric_since_minor(int metric) {
    return metric == kShockStartCount || metric == kShockedCount ? 2 : 0;
  }

  ComboSums read_combo(const RunResults& r, const std::string& scenario, const std::string& policy,
                       int minor) const {
    ComboSums c{scenario, policy, std::vector<std::int64_t>(r.cells(), 0)};
    const std::string base = combo_path(scenario, policy) + "/by_segment/";
    for (const MetricGroup& mg : metric_groups()) {
      if (minor < metric_since_minor(mg.first)) continue;
      const std::size_t W = static_cast<std::size_t>(mg.width);
      std::vector<hsize_t> shape{static_cast<hsize_t>(r.paths), static_cast<hsize_t>(r.months),
                                 static_cast<hsize_t>(r.segments)};
      if (extra_dim(mg).name) shape.push_back(W);
      read_path_major(base + mg.info->name, shape, [&](hsize_t p0, hsize_t n, const std::int64_t* in) {
        for_each_cell(r, p0, n, [&](std::size_t row, std::size_t cell) {
          std::copy_n(in + row * W, W, c.sums.data() + cell + mg.first);
        });
      });
    }
    return c;
  }

  // Reads an int64 [path, ...] dataset of the expected shape one slab of paths at a time.
  template <class Use>
  void read_path_major(const std::string& path, const std::vector<hsize_t>& shape, Use use) const {
    Object ds = open_dataset(path);
    expect_shape(ds, shape);
    const std::string what = "dataset '" + path + "'";
    Handle file_space = ctx_.own(H5Dget_space(ds.id()), H5Sclose, "cannot get the dataspace of " + what);
    const hsize_t slab = chunk_paths(shape), row = product(shape.begin() + 1, shape.end());
    std::vector<std::int64_t> buf;
    for (hsize_t p0 = 0; p0 < shape[0]; p0 += slab) {
      const hsize_t n = std::min(slab, shape[0] - p0);
      buf.resize(n * row);
      Handle mem_space = select_paths(ctx_, file_space.get(), shape, p0, n, what);
      ctx_.ok(H5Dread(ds.id(), H5Traits<std::int64_t>::mem(), mem_space.get(), file_space.get(), H5P_DEFAULT,
                      buf.data()),
              "cannot read " + what);
      use(p0, n, buf.data());
    }
  }

  Context ctx_;
  Object root_;
};

// ================================================================ files

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

// Writes `path` through fill(temporary name) in the same folder, flushes it
// and renames it over `path`; on any error, or an interrupt, the temporary is
// removed and `path` is untouched.
template <class Fill>
void publish_atomically(const std::string& path, Fill fill) {
  make_parent_folders(path);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    fill(tmp);
    sync_path(tmp, true);
    if (cancel_flag().load()) throw Cancelled();  // interrupted while writing: never publish the file
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
      throw std::runtime_error("cannot write '" + path + "': cannot rename '" + tmp +
                               "' over it: " + std::strerror(errno));
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  const std::string folder = std::filesystem::path(path).parent_path().string();
  sync_path(folder.empty() ? "." : folder, false);  // make the rename durable; best effort
}

}  // namespace

void write_results_h5(const RunResults& r, const Summary& s, const Comparison& c, const std::string& path,
                      const SweepSummary* sweep) {
  validate_for_write(r, s, c, path);
  publish_atomically(path, [&](const std::string& tmp) {
    ErrorSilencer quiet;
    Writer(r, s, c, sweep, tmp).write();
  });
}

void write_text_atomically(const std::string& path, const std::string& text) {
  publish_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write '" + path + "': cannot write '" + tmp + "'");
  });
}

RunResults read_results_h5(const std::string& path) {
  ErrorSilencer quiet;
  return Reader(path).read();
}

}  // namespace limitsim

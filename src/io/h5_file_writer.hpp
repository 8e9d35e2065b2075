// The primitives of writing an HDF5 result file (src/io/h5_writer.cpp): groups, attributes, annotated
// datasets (units, dims, description, labels: docs/hdf5-schema.md "Conventions"), chunked and
// compressed [path, ...] datasets written a slab of paths at a time. Shared by the writer's sections;
// nothing outside src/io uses it.
#pragma once

#include <hdf5.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "src/io/h5_handles.hpp"

namespace limitsim {
namespace h5 {

constexpr unsigned kDeflateLevel = 4;

inline bool deflate_available() {
  if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0 || H5Zfilter_avail(H5Z_FILTER_SHUFFLE) <= 0) return false;
  unsigned config = 0;
  if (H5Zget_filter_info(H5Z_FILTER_DEFLATE, &config) < 0) return false;
  return (config & H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0;
}

// The attributes every dataset carries.
struct DatasetInfo {
  std::string units;
  std::string dims;
  std::string description;
  std::string labels;  // only for bucket / bin dimensions
};

// Writes into one file (its Context names it in every error).
class FileWriter {
 protected:
  explicit FileWriter(std::string file) : ctx_(std::move(file)) {}

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

  Context ctx_;
};

}  // namespace h5
}  // namespace limitsim

// Dimension scales (HDF5 H5DS, netCDF-4 conventions) for a written result file (docs/hdf5-schema.md, "Dimension scales").
#include "src/io/h5_scales.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <cmath>
#include <set>


namespace limitsim {
namespace h5 {
namespace {

struct DatasetEntry {
  std::string group;   // "/" or "/results/..."
  std::string name;
  std::vector<std::string> dims;
  std::vector<hsize_t> shape;
  std::string labels;
};

// A fixed-length string attribute, "" when absent.
std::string string_attr(const Context& ctx, hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return "";
  Handle a = ctx.own(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, std::string("cannot open attribute ") + name);
  Handle t = ctx.own(H5Aget_type(a.get()), H5Tclose, std::string("cannot get the type of attribute ") + name);
  if (H5Tget_class(t.get()) != H5T_STRING || H5Tis_variable_str(t.get()) > 0) return "";
  const std::size_t size = H5Tget_size(t.get());
  std::vector<char> buf(size + 1, '\0');
  ctx.ok(H5Aread(a.get(), t.get(), buf.data()), std::string("cannot read attribute ") + name);
  return std::string(buf.data());
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

struct Collector {
  const Context* ctx;
  hid_t file;
  std::vector<DatasetEntry> datasets;
};

herr_t collect(hid_t, const char* name, const H5L_info_t* info, void* data) {
  auto* c = static_cast<Collector*>(data);
  if (info->type != H5L_TYPE_HARD) return 0;
  Handle obj = c->ctx->own(H5Oopen(c->file, name, H5P_DEFAULT), H5Oclose, std::string("cannot open ") + name);
  if (H5Iget_type(obj.get()) != H5I_DATASET) return 0;
  DatasetEntry e;
  const std::string path = std::string("/") + name;
  const std::size_t slash = path.rfind('/');
  e.group = slash == 0 ? "/" : path.substr(0, slash);
  e.name = path.substr(slash + 1);
  e.dims = split_commas(string_attr(*c->ctx, obj.get(), "dims"));
  e.labels = string_attr(*c->ctx, obj.get(), "labels");
  Handle space = c->ctx->own(H5Dget_space(obj.get()), H5Sclose, "cannot get the dataspace of " + path);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank > 0) {
    e.shape.resize(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), e.shape.data(), nullptr);
  }
  if (!e.dims.empty() && e.dims.size() == e.shape.size()) c->datasets.push_back(std::move(e));
  return 0;
}

void write_string_attr(const Context& ctx, hid_t obj, const std::string& name, const std::string& value) {
  const PackedStrings p = pack({value});
  Handle t = string_type(ctx, p.size, p.ascii, "attribute " + name);
  Handle space = make_space(ctx, {}, "attribute " + name);
  Handle a = ctx.own(H5Acreate2(obj, name.c_str(), t.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                     "cannot create attribute " + name);
  ctx.ok(H5Awrite(a.get(), t.get(), p.bytes.data()), "cannot write attribute " + name);
}

// Creates the coordinate dataset `dim` of length n in `group`.
Handle make_coordinate(const Context& ctx, hid_t group, const std::string& where, const std::string& dim, hsize_t n,
                       const Coordinate* known, const std::string& labels) {
  const std::string what = "dimension scale '" + where + "/" + dim + "'";
  std::vector<std::string> names;
  if (known && !known->names.empty() && known->names.size() == n) names = known->names;
  if (names.empty() && !labels.empty()) {
    names = split_commas(labels);
    if (names.size() != n) names.clear();
  }
  const bool numeric_known = known && known->names.empty() && known->numbers.size() == n;
  Handle space = make_space(ctx, {n}, what);
  Handle ds;
  std::string description;
  if (!names.empty()) {
    const PackedStrings p = pack(names);
    Handle t = string_type(ctx, p.size, p.ascii, what);
    ds = ctx.own(H5Dcreate2(group, dim.c_str(), t.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 H5Dclose, "cannot create " + what);
    ctx.ok(H5Dwrite(ds.get(), t.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, p.bytes.data()), "cannot write " + what);
    write_string_attr(ctx, ds.get(), "_Encoding", "utf-8");  // xarray decodes the bytes to text
    description = known && !known->description.empty() ? known->description : "the " + dim + " labels";
  } else if (numeric_known && !known->integer) {
    ds = ctx.own(H5Dcreate2(group, dim.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 H5Dclose, "cannot create " + what);
    ctx.ok(H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, known->numbers.data()),
           "cannot write " + what);
    description = known->description;
  } else {
    std::vector<std::int32_t> v(n);
    for (hsize_t i = 0; i < n; ++i)
      v[i] = numeric_known ? static_cast<std::int32_t>(std::lround(known->numbers[i])) : static_cast<std::int32_t>(i);
    ds = ctx.own(H5Dcreate2(group, dim.c_str(), H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 H5Dclose, "cannot create " + what);
    ctx.ok(H5Dwrite(ds.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "cannot write " + what);
    description = numeric_known ? known->description : "index along " + dim + " (0-based)";
  }
  write_string_attr(ctx, ds.get(), "units", known ? known->units : "none");
  write_string_attr(ctx, ds.get(), "dims", dim);
  write_string_attr(ctx, ds.get(), "description", "coordinate of dimension '" + dim + "': " + description);
  return ds;
}

}  // namespace

int attach_dimension_scales(const Context& ctx, hid_t file, const std::map<std::string, Coordinate>& coordinates) {
  Collector c{&ctx, file, {}};
  ctx.ok(H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, collect, &c), "cannot walk the file");
  // Per group: the dimensions its datasets use, their lengths, and the names taken.
  std::map<std::string, std::map<std::string, const DatasetEntry*>> by_group;  // group -> name -> dataset
  for (const DatasetEntry& e : c.datasets) by_group[e.group][e.name] = &e;
  int made = 0;
  for (auto& [group, members] : by_group) {
    Handle g = ctx.own(H5Gopen2(file, group.c_str(), H5P_DEFAULT), H5Gclose, "cannot open group '" + group + "'");
    // dim -> (length, labels) as the first dataset using it says; lengths must agree.
    std::map<std::string, std::pair<hsize_t, std::string>> dims;
    std::set<std::string> inconsistent;
    for (const auto& [name, e] : members) {
      for (std::size_t i = 0; i < e->dims.size(); ++i) {
        const std::string& d = e->dims[i];
        const bool labelled = d == "bucket" || d == "bin" || d == "key";  // the axis a `labels` attribute names
        auto [it, fresh] = dims.emplace(d, std::make_pair(e->shape[i], labelled ? e->labels : std::string()));
        if (!fresh && it->second.first != e->shape[i]) inconsistent.insert(d);
        if (labelled && it->second.second.empty()) it->second.second = e->labels;
      }
    }
    std::map<std::string, Handle> scales;
    for (const auto& [dim, spec] : dims) {
      if (inconsistent.count(dim)) continue;
      const auto taken = members.find(dim);
      Handle scale;
      if (taken != members.end()) {
        const DatasetEntry* e = taken->second;
        if (e->dims.size() != 1 || e->dims[0] != dim) continue;  // the name means something else here
        scale = ctx.own(H5Dopen2(g.get(), dim.c_str(), H5P_DEFAULT), H5Dclose, "cannot open " + group + "/" + dim);
      } else {
        if (H5Lexists(g.get(), dim.c_str(), H5P_DEFAULT) > 0) continue;  // a group of that name
        const auto known = coordinates.find(dim);
        scale = make_coordinate(ctx, g.get(), group, dim, spec.first,
                                known == coordinates.end() ? nullptr : &known->second, spec.second);
      }
      ctx.ok(H5DSset_scale(scale.get(), dim.c_str()), "cannot make " + group + "/" + dim + " a dimension scale");
      scales.emplace(dim, std::move(scale));
      ++made;
    }
    for (const auto& [name, e] : members) {
      if (scales.count(name) && e->dims.size() == 1 && e->dims[0] == name) continue;  // a scale itself
      Handle ds = ctx.own(H5Dopen2(g.get(), name.c_str(), H5P_DEFAULT), H5Dclose, "cannot open " + group + "/" + name);
      for (std::size_t i = 0; i < e->dims.size(); ++i) {
        const auto s = scales.find(e->dims[i]);
        if (s == scales.end()) continue;
        ctx.ok(H5DSattach_scale(ds.get(), s->second.get(), static_cast<unsigned>(i)),
               "cannot attach the scale " + e->dims[i] + " to " + group + "/" + name);
        ctx.ok(H5DSset_label(ds.get(), static_cast<unsigned>(i), e->dims[i].c_str()),
               "cannot label axis " + std::to_string(i) + " of " + group + "/" + name);
      }
    }
  }
  return made;
}

}  // namespace h5
}  // namespace limitsim

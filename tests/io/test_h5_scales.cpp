// Dimension scales of a result file (src/io/h5_scales.cpp, schema 1.4): every axis named in a dataset's `dims`
// is attached to a scale of that name in the dataset's group, holding the documented coordinates.
#include <gtest/gtest.h>
#include <hdf5_hl.h>

#include <functional>
#include <map>

#include "tests/io/h5io_fixture.hpp"

namespace limitsim {
namespace {

using namespace h5io_test;

struct Axis {
  std::string dataset;  // full path
  unsigned index;
  std::string dim;      // from the `dims` attribute
};

// Every (dataset, axis) of the file that names a dimension.
std::vector<Axis> named_axes(hid_t file) {
  struct Acc {
    hid_t file;
    std::vector<Axis> out;
  } acc{file, {}};
  auto cb = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    auto* a = static_cast<Acc*>(data);
    Id obj{H5Oopen(a->file, name, H5P_DEFAULT), H5Oclose};
    if (H5Iget_type(obj.id) != H5I_DATASET || H5Aexists(obj.id, "dims") <= 0) return 0;
    const std::string dims = string_attr(obj.id, "dims");
    if (dims.empty()) return 0;
    unsigned i = 0;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = dims.find(',', start);
      a->out.push_back({std::string("/") + name, i++, dims.substr(start, comma - start)});
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return 0;
  };
  H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, cb, &acc);
  return acc.out;
}

std::string group_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

TEST_F(H5IoTest, EveryNamedAxisHasItsScale) {
  const RunResults r = sample_results();
  const std::string path = (dir_ / "scales.h5").string();
  write_results_h5(r, compute_summary(r, {2}), compute_comparison(r), path);
  Id f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  const std::vector<Axis> axes = named_axes(f.id);
  ASSERT_GT(axes.size(), 100u);
  std::map<std::string, int> attached_by_dim;
  for (const Axis& a : axes) {
    Id ds{H5Dopen2(f.id, a.dataset.c_str(), H5P_DEFAULT), H5Dclose};
    if (H5DSis_scale(ds.id) > 0) {  // a scale is its own coordinate: one axis, named after the dimension
      EXPECT_EQ(a.index, 0u) << a.dataset;
      EXPECT_EQ(a.dataset.substr(a.dataset.rfind('/') + 1), a.dim) << a.dataset;
      continue;
    }
    const std::string scale_path = (group_of(a.dataset) == "/" ? "" : group_of(a.dataset)) + "/" + a.dim;
    ASSERT_GT(H5Lexists(f.id, scale_path.c_str(), H5P_DEFAULT), 0) << "no scale " << scale_path;
    Id scale{H5Dopen2(f.id, scale_path.c_str(), H5P_DEFAULT), H5Dclose};
    EXPECT_GT(H5DSis_scale(scale.id), 0) << scale_path;
    EXPECT_GT(H5DSis_attached(ds.id, scale.id, a.index), 0) << a.dataset << " axis " << a.index;
    char label[64] = {};
    H5DSget_label(ds.id, a.index, label, sizeof label);
    EXPECT_EQ(std::string(label), a.dim) << a.dataset;
    ++attached_by_dim[a.dim];
  }
  for (const char* dim : {"path", "month", "segment", "bucket", "bin", "scenario", "policy", "level", "band", "region"})
    EXPECT_GT(attached_by_dim[dim], 0) << dim;
}

TEST_F(H5IoTest, ScalesHoldTheCoordinates) {
  const RunResults r = sample_results();
  const std::string path = (dir_ / "coords.h5").string();
  write_results_h5(r, compute_summary(r, {2}), compute_comparison(r), path);
  expect_equal(read_results_h5(path), r);  // the coordinates do not disturb the exact round trip
  Id f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  const std::string combo = "/results/" + r.scenario_names[0] + "/" + r.policy_names[0];
  auto ints = [&](const std::string& p) {
    Id ds{H5Dopen2(f.id, p.c_str(), H5P_DEFAULT), H5Dclose};
    Id space{H5Dget_space(ds.id), H5Sclose};
    std::vector<std::int32_t> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id)));
    H5Dread(ds.id, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    return v;
  };
  std::vector<std::int32_t> paths(static_cast<std::size_t>(r.paths)), months(static_cast<std::size_t>(r.months));
  for (int p = 0; p < r.paths; ++p) paths[static_cast<std::size_t>(p)] = p;
  for (int t = 0; t < r.months; ++t) months[static_cast<std::size_t>(t)] = t + 1;
  EXPECT_EQ(ints(combo + "/monthly/path"), paths);
  EXPECT_EQ(ints(combo + "/monthly/month"), months);
  EXPECT_EQ(ints(combo + "/by_segment/month"), months);
  EXPECT_EQ(read_strings(f.id, combo + "/by_segment/segment", r.segment_names.size()), r.segment_names);
  EXPECT_EQ(read_strings(f.id, "/scenario", r.scenario_names.size()), r.scenario_names);
  EXPECT_EQ(read_strings(f.id, "/policy", r.policy_names.size()), r.policy_names);
  EXPECT_EQ(read_strings(f.id, combo + "/monthly/bucket", 7),
            (std::vector<std::string>{"current", "1-30", "31-60", "61-90", "91-120", "121-150", "151-180"}));
}

}  // namespace
}  // namespace limitsim

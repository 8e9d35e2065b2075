// Reading HDF5 column datasets through a mapping (src/data/hdf5_reader.cpp): the same panel as the CSV, fixed-length
// and index regions, bad rows naming file, row and dataset, and file errors.
#include <gtest/gtest.h>

#include "tests/data/loader_fixture.hpp"

namespace limitsim {
namespace {

using namespace loader_test;

// ================================================================ HDF5

// Writes a 1-D dataset `name` of n elements of memory type `type` from `data`.
void h5_write(hid_t file, const char* name, hid_t file_type, hid_t mem_type, hsize_t n, const void* data) {
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t ds = H5Dcreate2(file, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(ds, 0) << name;
  ASSERT_GE(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0) << name;
  H5Dclose(ds);
  H5Sclose(space);
}

// The rows of good.csv as HDF5 columns, in a mix of types: ids uint64, limits
// double, scores float, regions variable-length strings, labels int8, statuses
// int32, balances double, payments int64.
struct H5Good {
  std::vector<std::uint64_t> id = {1, 2, 3};
  std::vector<double> limit = {1000, 2000.50, 0};
  std::vector<float> score = {700, 650, 720};
  std::vector<const char*> region = {"north", "south", "north"};
  std::vector<std::int8_t> label = {0, 1, -1};
  std::vector<std::int32_t> s1 = {0, -1, 0}, s2 = {0, 1, 2};
  std::vector<double> b1 = {100.5, -20, 0}, b2 = {200, 300, 0};
  std::vector<std::int64_t> p1 = {0, 20, 0}, p2 = {50, 0, 0};
  std::vector<std::string> skip;  // datasets to leave out

  void write(const std::string& path) const {
    const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    const hsize_t n = id.size();
    auto want = [&](const char* name) { return std::find(skip.begin(), skip.end(), name) == skip.end(); };
    if (want("id")) h5_write(f, "id", H5T_STD_U64LE, H5T_NATIVE_UINT64, n, id.data());
    if (want("limit")) h5_write(f, "limit", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, limit.data());
    if (want("score")) h5_write(f, "score", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, n, score.data());
    if (want("region")) {
      const hid_t t = H5Tcopy(H5T_C_S1);
      H5Tset_size(t, H5T_VARIABLE);
      h5_write(f, "region", t, t, n, region.data());
      H5Tclose(t);
    }
    if (want("label")) h5_write(f, "label", H5T_STD_I8LE, H5T_NATIVE_INT8, n, label.data());
    if (want("s1")) h5_write(f, "s1", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s1.data());
    if (want("s2")) h5_write(f, "s2", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s2.data());
    if (want("b1")) h5_write(f, "b1", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, b1.data());
    if (want("b2")) h5_write(f, "b2", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, b2.data());
    if (want("p1")) h5_write(f, "p1", H5T_STD_I64LE, H5T_NATIVE_INT64, n, p1.data());
    if (want("p2")) h5_write(f, "p2", H5T_STD_I64LE, H5T_NATIVE_INT64, n, p2.data());
    H5Fclose(f);
  }
};

TEST(LoaderHdf5, SameFileAsCsvGivesTheSamePanel) {
  TempDir dir;
  const std::string h5 = dir.file("good.h5");
  H5Good().write(h5);
  const Mapping m = load_mapping(fixture("basic.toml"));
  const Panel a = load_panel(fixture("good.csv"), m, BadRowPolicy::kError);
  const Panel b = load_panel(h5, m, BadRowPolicy::kError);
  expect_same_panel(a, b);
  EXPECT_EQ(b.sha256, sha256_file(h5));
  EXPECT_EQ(b.source, h5);
}

TEST(LoaderHdf5, FixedLengthAndIndexRegions) {
  TempDir dir;
  const Mapping m = load_mapping(fixture("basic.toml"));
  const Panel want = load_panel(fixture("good.csv"), m, BadRowPolicy::kError);
  // Fixed-length, space-padded strings.
  H5Good g;
  g.skip = {"region"};
  const std::string fixed = dir.file("fixed.h5");
  g.write(fixed);
  {
    const hid_t f = H5Fopen(fixed.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 6);
    H5Tset_strpad(t, H5T_STR_SPACEPAD);
    const char text[] = "north south north ";
    h5_write(f, "region", t, t, 3, text);
    H5Tclose(t);
    H5Fclose(f);
  }
  EXPECT_EQ(load_panel(fixed, m, BadRowPolicy::kError).region, want.region);
  // Integer indices into regions.names.
  const std::string index = dir.file("index.h5");
  g.write(index);
  {
    const hid_t f = H5Fopen(index.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const std::int32_t r[] = {0, 1, 0};
    h5_write(f, "region", H5T_STD_I32LE, H5T_NATIVE_INT32, 3, r);
    H5Fclose(f);
  }
  EXPECT_EQ(load_panel(index, m, BadRowPolicy::kError).region, want.region);
}

TEST(LoaderHdf5, BadRowsNameFileRowAndDataset) {
  TempDir dir;
  const Mapping m = load_mapping(fixture("basic.toml"));
  struct Case {
    const char* name;
    void (*edit)(H5Good&);
    const char* want;  // after "file: "
  } cases[] = {
      {"neg_limit", [](H5Good& g) { g.limit[1] = -5; }, "row 2: dataset 'limit': a limit must not be negative, got -5"},
      {"nan", [](H5Good& g) { g.b1[2] = std::nan(""); }, "row 3: dataset 'b1': NaN is not allowed: nan"},
      {"dup", [](H5Good& g) { g.id[2] = 1; }, "row 3: dataset 'id': id 1 is repeated: it is also on row 1"},
      {"status", [](H5Good& g) { g.s2[0] = 9; }, "row 1: dataset 's2': status code 9 is not in status.codes (-1, 0, 1, 2)"},
      {"label", [](H5Good& g) { g.label[1] = 3; }, "row 2: dataset 'label': a label must be 0 or 1 (-1 or empty: unknown), got 3"},
      {"region", [](H5Good& g) { g.region[2] = "east"; },
       "row 3: dataset 'region': region 'east' is not in regions.names (north, south)"},
      {"payment", [](H5Good& g) { g.p1[0] = -1; }, "row 1: dataset 'p1': a payment must not be negative, got -1"},
      {"score", [](H5Good& g) { g.score[0] = 100; }, "row 1: dataset 'score': a score must be in [350, 950], got 100"},
  };
  for (const Case& c : cases) {
    H5Good g;
    c.edit(g);
    const std::string h5 = dir.file(std::string(c.name) + ".h5");
    g.write(h5);
    EXPECT_EQ(load_error(h5, fixture("basic.toml")), h5 + ": " + c.want) << c.name;
    const Panel p = load_panel(h5, m, BadRowPolicy::kSkip);
    EXPECT_EQ(p.rows_skipped, 1) << c.name;
    EXPECT_EQ(p.size(), 2) << c.name;
  }
  // A negative id in a signed dataset; a region index outside the names.
  const std::string h5 = dir.file("signed.h5");
  H5Good g;
  g.skip = {"id", "region"};
  g.write(h5);
  const hid_t f = H5Fopen(h5.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const std::int64_t ids[] = {1, -4, 3};
  h5_write(f, "id", H5T_STD_I64LE, H5T_NATIVE_INT64, 3, ids);
  const std::int32_t regions[] = {0, 1, 2};
  h5_write(f, "region", H5T_STD_I32LE, H5T_NATIVE_INT32, 3, regions);
  H5Fclose(f);
  const Panel p = load_panel(h5, m, BadRowPolicy::kSkip);
  EXPECT_EQ(p.id, (std::vector<std::uint64_t>{1}));
  ASSERT_EQ(p.skipped_examples.size(), 2u);
  EXPECT_EQ(p.skipped_examples[0], h5 + ": row 2: dataset 'id': an id must be a non-negative integer, got -4");
  EXPECT_EQ(p.skipped_examples[1],
            h5 + ": row 3: dataset 'region': a region index must be 0..1 (into regions.names), got 2");
}

TEST(LoaderHdf5, FileErrors) {
  TempDir dir;
  const std::string mapping = fixture("basic.toml");
  const std::string basic = load_mapping(mapping).source;
  {
    H5Good g;
    g.skip = {"p2"};
    g.write(dir.file("missing.h5"));
    EXPECT_EQ(load_error(dir.file("missing.h5"), mapping),
              dir.file("missing.h5") + ": dataset 'p2' (panel.payment[1] in " + basic +
                  "): not found (no dataset at that path)");
  }
  {
    H5Good g;
    g.skip = {"b2"};
    g.write(dir.file("short.h5"));
    const hid_t f = H5Fopen(dir.file("short.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const double b2[] = {1, 2};
    h5_write(f, "b2", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, b2);
    H5Fclose(f);
    EXPECT_EQ(load_error(dir.file("short.h5"), mapping),
              dir.file("short.h5") + ": dataset 'b2' (panel.balance[1] in " + basic +
                  "): has 2 rows, but dataset 'id' has 3");
  }
  {
    H5Good g;
    g.skip = {"b2"};
    g.write(dir.file("rank2.h5"));
    const hid_t f = H5Fopen(dir.file("rank2.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hsize_t dims[2] = {3, 2};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t ds = H5Dcreate2(f, "b2", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(ds);
    H5Sclose(space);
    H5Fclose(f);
    EXPECT_EQ(load_error(dir.file("rank2.h5"), mapping),
              dir.file("rank2.h5") + ": dataset 'b2' (panel.balance[1] in " + basic +
                  "): must be a 1-D dataset (one value per customer), it has rank 2");
  }
  {
    H5Good g;
    g.skip = {"limit"};
    g.write(dir.file("text.h5"));
    const hid_t f = H5Fopen(dir.file("text.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 2);
    h5_write(f, "limit", t, t, 3, "1\0002\0003");
    H5Tclose(t);
    H5Fclose(f);
    EXPECT_EQ(load_error(dir.file("text.h5"), mapping),
              dir.file("text.h5") + ": dataset 'limit' (fields.limit in " + basic +
                  "): holds strings; only a region column may (by name)");
  }
  const std::string fake = dir.write("fake.h5", "id,limit\n1,2\n");
  EXPECT_EQ(load_error(fake, mapping), fake + ": not an HDF5 file");
}

}  // namespace
}  // namespace limitsim

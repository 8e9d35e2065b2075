// The fuzz harnesses (harnesses.hpp): scratch files, the TOML, CSV and mapping readers, and the
// result-file reader driven by structured edits of a valid file.
#include "fuzz/harnesses.hpp"

#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "kernels/backend.hpp"
#include "src/analysis/compare.hpp"
#include "src/analysis/summary.hpp"
#include "src/config/config.hpp"
#include "src/config/mapping.hpp"
#include "src/data/panel.hpp"
#include "src/engine/engine.hpp"
#include "src/io/h5io.hpp"

#ifndef LIMITSIM_SOURCE_DIR
#define LIMITSIM_SOURCE_DIR "."
#endif

namespace limitsim {
namespace fuzz {
namespace {

namespace fs = std::filesystem;

// A scratch folder for this process, with a copy of configs/ and the loader test files; removed at exit.
const fs::path& scratch() {
  static const fs::path dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "limitsim_fuzz_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    const fs::path d = tmpl;
    fs::copy(fs::path(LIMITSIM_SOURCE_DIR) / "configs", d / "configs", fs::copy_options::recursive);
    fs::copy(fs::path(LIMITSIM_SOURCE_DIR) / "tests/data/loader", d / "loader", fs::copy_options::recursive);
    static const std::string keep = d.string();
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(keep, ec);
    });
    return d;
  }();
  return dir;
}

void write(const fs::path& p, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

void write(const fs::path& p, const std::string& text) {
  write(p, reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what.c_str());
  std::abort();
}

// Errors the readers are meant to throw; anything else escapes and is a finding.
template <class F>
void expect_clean(F f) {
  try {
    f();
  } catch (const ConfigError&) {
  } catch (const std::runtime_error&) {
  } catch (const std::invalid_argument&) {
  } catch (const std::bad_alloc&) {
  }
}

// A loaded configuration must reproduce itself: its effective TOML loads again.
void check_round_trip(const RunConfig& cfg, const fs::path& folder) {
  const fs::path again = folder / "fuzz_effective.toml";
  write(again, effective_toml(cfg));
  try {
    load_run_config(again.string());
  } catch (const ConfigError& e) {
    finding(std::string("the effective configuration of a valid run does not load: ") + e.what());
  }
}

void load_run(const fs::path& file) {
  expect_clean([&] {
    const RunConfig cfg = load_run_config(file.string());
    if (cfg.population.kind != "file") check_round_trip(cfg, file.parent_path());
  });
}

// A run file naming the fuzzed part (refs: the references; the parts not named take their defaults).
int part_file(const std::uint8_t* data, std::size_t size, const std::string& name, const std::string& refs) {
  const fs::path dir = scratch() / "configs";
  write(dir / name, data, size);
  write(dir / "fuzz_part_run.toml", refs + "\n[run]\nname = \"fuzz\"\npaths = 2\nmonths = 6\n");
  load_run(dir / "fuzz_part_run.toml");
  return 0;
}

}  // namespace

int run_file(const std::uint8_t* data, std::size_t size) {
  const fs::path file = scratch() / "configs" / "fuzz_run.toml";
  write(file, data, size);
  load_run(file);
  expect_clean([&] { load_sweep_config(file.string()); });
  return 0;
}

int policy_file(const std::uint8_t* data, std::size_t size) {
  return part_file(data, size, "policies/fuzz.toml", "policies = [\"policies/fuzz.toml\"]\nscenarios = [{ name = \"s\" }]");
}

int scenario_file(const std::uint8_t* data, std::size_t size) {
  return part_file(data, size, "scenarios/fuzz.toml", "policies = [{ name = \"p\" }]\nscenarios = [\"scenarios/fuzz.toml\"]");
}

int behaviour_file(const std::uint8_t* data, std::size_t size) {
  const fs::path file = scratch() / "configs" / "behaviour" / "fuzz.toml";
  write(file, data, size);
  expect_clean([&] { load_behaviour_config(file.string()); });
  return part_file(data, size, "behaviour/fuzz.toml",
                   "behaviour = \"behaviour/fuzz.toml\"\npolicies = [{ name = \"p\" }]\nscenarios = [{ name = \"s\" }]");
}

int mapping_file(const std::uint8_t* data, std::size_t size) {
  const fs::path file = scratch() / "loader" / "fuzz_mapping.toml";
  write(file, data, size);
  expect_clean([&] {
    const Mapping m = load_mapping(file.string());
    for (BadRowPolicy policy : {BadRowPolicy::kError, BadRowPolicy::kSkip})
      expect_clean([&] { load_panel((scratch() / "loader" / "good.csv").string(), m, policy); });
  });
  return 0;
}

int csv_data(const std::uint8_t* data, std::size_t size) {
  const fs::path loader = scratch() / "loader";
  write(loader / "fuzz.csv", data, size);
  write(loader / "fuzz.txt", data, size);
  static const Mapping basic = load_mapping((loader / "basic.toml").string());
  static const Mapping snapshot = load_mapping((loader / "snapshot.toml").string());
  static const Mapping habits = load_mapping((loader / "habits.toml").string());
  const BehaviourParams bp = default_behaviour();
  for (const auto& use : {std::pair<fs::path, const Mapping*>{loader / "fuzz.csv", &basic},
                          {loader / "fuzz.txt", &snapshot},
                          {loader / "fuzz.csv", &habits}}) {
    for (BadRowPolicy policy : {BadRowPolicy::kError, BadRowPolicy::kSkip}) {
      expect_clean([&] {
        const Panel p = load_panel(use.first.string(), *use.second, policy);
        PopulationConfig pc;
        pc.region_names = p.region_names.empty() ? std::vector<std::string>{"all"} : p.region_names;
        pc.region_shares.assign(pc.region_names.size(), 1.0 / static_cast<double>(pc.region_names.size()));
        for (std::int32_t as_of = 0; as_of < std::max(p.months, 1); ++as_of)
          population_from_panel(p, as_of, pc, bp);
      });
    }
  }
  return 0;
}

// ---------------------------------------------------------------- result files

namespace {

struct Target {
  std::string object;  // path of the dataset, or of the object holding the attribute
  std::string attr;    // "" for a dataset
  H5T_class_t type;
  hssize_t points;
};

struct Seed {
  std::vector<char> bytes;     // a valid result file
  std::vector<Target> targets; // every dataset and attribute in it
};

herr_t collect_attr(hid_t obj, const char* name, const H5A_info_t*, void* data) {
  auto* out = static_cast<std::vector<std::pair<std::string, std::pair<H5T_class_t, hssize_t>>>*>(data);
  const hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  const hid_t t = H5Aget_type(a), s = H5Aget_space(a);
  out->push_back({name, {H5Tget_class(t), H5Sget_simple_extent_npoints(s)}});
  H5Sclose(s);
  H5Tclose(t);
  H5Aclose(a);
  return 0;
}

herr_t collect_object(hid_t root, const char* name, const H5O_info_t* info, void* data) {
  auto* targets = static_cast<std::vector<Target>*>(data);
  const std::string path = std::string("/") + (std::strcmp(name, ".") == 0 ? "" : name);
  const hid_t obj = H5Oopen(root, name, H5P_DEFAULT);
  if (info->type == H5O_TYPE_DATASET) {
    const hid_t t = H5Dget_type(obj), s = H5Dget_space(obj);
    targets->push_back({path, "", H5Tget_class(t), H5Sget_simple_extent_npoints(s)});
    H5Sclose(s);
    H5Tclose(t);
  }
  std::vector<std::pair<std::string, std::pair<H5T_class_t, hssize_t>>> attrs;
  H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attr, &attrs);
  for (const auto& a : attrs) targets->push_back({path, a.first, a.second.first, a.second.second});
  H5Oclose(obj);
  return 0;
}

const Seed& seed() {
  static const Seed s = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    RunConfig cfg = load_run_config((scratch() / "configs" / "stress_test.toml").string());
    cfg.scenarios.resize(2);  // 2 scenarios x 2 policies: the comparison and the stress view
    cfg.population.customers = 60;
    cfg.paths = 3;
    cfg.months = 3;
    cfg.report_months = {2};
    cfg.threads = 1;
    for (ScenarioConfig& sc : cfg.scenarios) resolve_scenario(sc, cfg.months);
    auto backend = make_cpu_backend(1);
    const RunResults r = run_simulation(cfg, *backend);
    const fs::path file = scratch() / "seed.h5";
    write_results_h5(r, compute_summary(r, cfg.report_months), compute_comparison(r), file.string());
    Seed out;
    std::ifstream in(file, std::ios::binary);
    out.bytes.assign(std::istreambuf_iterator<char>(in), {});
    const hid_t f = H5Fopen(file.string().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, collect_object, &out.targets);
    H5Fclose(f);
    return out;
  }();
  return s;
}

// Reads the input as edits: [op][target: 2 bytes][element: 4 bytes][value: 8 bytes], repeated.
class Edits {
 public:
  Edits(const std::uint8_t* d, std::size_t n) : d_(d), n_(n) {}
  bool next(std::uint8_t& op, std::uint16_t& target, std::uint32_t& element, std::uint64_t& value) {
    if (pos_ + 15 > n_) return false;
    op = d_[pos_];
    std::memcpy(&target, d_ + pos_ + 1, 2);
    std::memcpy(&element, d_ + pos_ + 3, 4);
    std::memcpy(&value, d_ + pos_ + 7, 8);
    pos_ += 15;
    return true;
  }

 private:
  const std::uint8_t* d_;
  std::size_t n_, pos_ = 0;
};

// Values that break naive readers.
std::int64_t extreme_integer(std::uint64_t v) {
  static const std::int64_t table[] = {0, -1, 1, std::numeric_limits<std::int64_t>::max(),
                                       std::numeric_limits<std::int64_t>::min(), std::int64_t{1} << 62,
                                       -(std::int64_t{1} << 62), 1000000, std::numeric_limits<std::int32_t>::max(),
                                       std::numeric_limits<std::int32_t>::min(), 600, 601, 65535};
  return table[v % (sizeof table / sizeof table[0])];
}

double extreme_double(std::uint64_t v) {
  static const double table[] = {0.0, -0.0, -1.0, 1e300, -1e300, std::numeric_limits<double>::quiet_NaN(),
                                 std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                                 5e-324, 0.5, 2.0};
  return table[v % (sizeof table / sizeof table[0])];
}

const char* extreme_string(std::uint64_t v) {
  static const char* table[] = {"", "1.3", "1.0", "2.0", "1.", ".3", "1.99999", "x", "%2E", ".", "a/b", "baseline",
                                "static", "lender_rules", "\xff\xfe", "1.3\n"};
  return table[v % (sizeof table / sizeof table[0])];
}

// Writes value into element `element` (mod the element count) of a numeric dataset or attribute.
void set_number(hid_t file, const Target& t, std::uint32_t element, std::uint64_t raw, bool extreme) {
  const bool is_int = t.type == H5T_INTEGER;
  if (!is_int && t.type != H5T_FLOAT) return;
  std::int64_t iv = extreme ? extreme_integer(raw) : static_cast<std::int64_t>(raw);
  double dv;
  if (extreme) {
    dv = extreme_double(raw);
  } else {
    std::memcpy(&dv, &raw, sizeof dv);
  }
  const hid_t mem = is_int ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
  const void* buf = is_int ? static_cast<const void*>(&iv) : static_cast<const void*>(&dv);
  if (t.attr.empty()) {
    const hid_t ds = H5Dopen2(file, t.object.c_str(), H5P_DEFAULT);
    const hid_t space = H5Dget_space(ds);
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0))), start(dims.size());
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    hsize_t linear = t.points > 0 ? element % static_cast<hsize_t>(t.points) : 0;
    for (int k = rank - 1; k >= 0; --k) {
      start[static_cast<std::size_t>(k)] = linear % dims[static_cast<std::size_t>(k)];
      linear /= dims[static_cast<std::size_t>(k)];
    }
    std::vector<hsize_t> one(dims.size(), 1);
    if (rank > 0) H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, one.data(), nullptr);
    const hid_t mspace = H5Screate(H5S_SCALAR);
    H5Dwrite(ds, mem, mspace, space, H5P_DEFAULT, buf);
    H5Sclose(mspace);
    H5Sclose(space);
    H5Dclose(ds);
  } else {
    const hid_t obj = H5Oopen(file, t.object.c_str(), H5P_DEFAULT);
    const hid_t a = H5Aopen(obj, t.attr.c_str(), H5P_DEFAULT);
    if (t.points == 1) H5Awrite(a, mem, buf);
    H5Aclose(a);
    H5Oclose(obj);
  }
}

// Replaces a string attribute (or dataset) by a scalar string of another length.
void set_string(hid_t file, const Target& t, std::uint64_t v) {
  if (t.type != H5T_STRING) return;
  const std::string s = extreme_string(v);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, s.size() + 1);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t obj = H5Oopen(file, t.object.c_str(), H5P_DEFAULT);
  if (t.attr.empty()) {
    const std::string name = t.object.substr(t.object.rfind('/') + 1);
    const std::string parent = t.object.substr(0, t.object.rfind('/'));
    H5Oclose(obj);
    const hid_t g = H5Oopen(file, parent.empty() ? "/" : parent.c_str(), H5P_DEFAULT);
    H5Ldelete(g, name.c_str(), H5P_DEFAULT);
    const hid_t ds = H5Dcreate2(g, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, s.c_str());
    H5Dclose(ds);
    H5Oclose(g);
  } else {
    H5Adelete(obj, t.attr.c_str());
    const hid_t a = H5Acreate2(obj, t.attr.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, type, s.c_str());
    H5Aclose(a);
    H5Oclose(obj);
  }
  H5Sclose(space);
  H5Tclose(type);
}

void remove(hid_t file, const Target& t) {
  if (!t.attr.empty()) {
    const hid_t obj = H5Oopen(file, t.object.c_str(), H5P_DEFAULT);
    H5Adelete(obj, t.attr.c_str());
    H5Oclose(obj);
  } else if (t.object != "/") {
    H5Ldelete(file, t.object.c_str(), H5P_DEFAULT);
  }
}

// What a file the reader accepted must satisfy.
void check_summary(const Summary& s) {
  for (const ComboSummary& c : s.combos) {
    for (const MonthFigures& m : c.months) {
      for (const Estimate* share : {&m.overdue30_count, &m.overdue60_count, &m.overdue90_count})
        if (share->value < 0.0 || share->value > 1.0) finding("an overdue share outside [0, 1] from an accepted file");
      if (m.active.value < 0.0) finding("negative active accounts from an accepted file");
      if (m.cumulative_chargeoffs.value < 0.0) finding("negative charge-offs from an accepted file");
    }
  }
}

}  // namespace

int result_file(const std::uint8_t* data, std::size_t size) {
  const Seed& s = seed();
  const fs::path file = scratch() / "fuzz_result.h5";
  write(file, reinterpret_cast<const std::uint8_t*>(s.bytes.data()), s.bytes.size());
  {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    const hid_t f = H5Fopen(file.string().c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) finding("cannot open the seed file");
    Edits edits(data, size);
    std::uint8_t op;
    std::uint16_t target;
    std::uint32_t element;
    std::uint64_t value;
    while (edits.next(op, target, element, value)) {
      const Target& t = s.targets[target % s.targets.size()];
      switch (op % 5) {
        case 0: set_number(f, t, element, value, false); break;
        case 1: set_number(f, t, element, value, true); break;
        case 2: set_string(f, t, value); break;
        case 3: remove(f, t); break;
        default: set_number(f, t, element, value % 3, true); break;  // 0, -0 / -1, 1
      }
    }
    H5Fclose(f);
  }
  expect_clean([&] {
    const RunResults r = read_results_h5(file.string());
    const Summary sm = compute_summary(r, r.meta.report_months);
    check_summary(sm);
    format_summary_table(r, sm);
    format_summary_csv(sm);
    format_summary_json(r, sm);
    format_convergence_table(r, sm);
    const Comparison c = compute_comparison(r);
    format_comparison_table(r, c, CompareView::kBoth);
    format_comparison_csv(c, CompareView::kStress);
    format_comparison_json(r, c);
  });
  return 0;
}

Harness harness(const std::string& name) {
  static const std::map<std::string, Harness> all = {
      {"run_file", run_file},         {"policy_file", policy_file}, {"scenario_file", scenario_file},
      {"behaviour_file", behaviour_file}, {"mapping_file", mapping_file}, {"csv_data", csv_data},
      {"result_file", result_file}};
  const auto it = all.find(name);
  return it == all.end() ? nullptr : it->second;
}

}  // namespace fuzz
}  // namespace limitsim

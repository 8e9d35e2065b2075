// Shared by the tests of real-data loading: paths of the fixtures (tests/data/loader/) and of the UCI data set,
// a scratch folder, and comparisons of panels and populations.
#pragma once

#include <gtest/gtest.h>

#include <hdf5.h>
#include <omp.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/metrics.hpp"
#include "src/analysis/calibrate.hpp"
#include "src/config/config.hpp"
#include "src/engine/engine.hpp"
#include "src/engine/factors.hpp"
#include "src/data/panel.hpp"

#ifndef LIMITSIM_SOURCE_DIR
#define LIMITSIM_SOURCE_DIR "."
#endif

namespace limitsim {
namespace loader_test {

namespace fs = std::filesystem;

inline std::string src(const std::string& rel) { return std::string(LIMITSIM_SOURCE_DIR) + "/" + rel; }
inline std::string fixture(const std::string& name) { return src("tests/data/loader/" + name); }

inline const std::string kUciData = src("data/uci-credit-card/uci_credit_card.csv");
inline const std::string kUciMapping = src("configs/population/uci_credit_card.toml");
inline const std::string kUciSha256 = "f7b7d22d1f8dd27dadb25d4b78d8a4ae7c441ab6cc12d1ea58c0efc54d4d1788";

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "limitsim_loader_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
  }

 private:
  fs::path path_;
};

inline std::string load_error(const std::string& data, const std::string& mapping,
                       BadRowPolicy policy = BadRowPolicy::kError) {
  try {
    load_panel(data, load_mapping(mapping), policy);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

inline bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

#define SAME(field) EXPECT_EQ(a.field, b.field) << #field

inline void expect_same_panel(const Panel& a, const Panel& b) {
  SAME(month_names); SAME(months); SAME(id); SAME(limit); SAME(score); SAME(income); SAME(months_on_book);
  SAME(region); SAME(region_names); SAME(label); SAME(status_code); SAME(bucket); SAME(type); SAME(balance);
  SAME(payment); SAME(rows_read); SAME(rows_skipped); SAME(skipped_examples);
}

// Customers sorted by id.
inline Population by_id(const Population& p) {
  std::vector<std::size_t> order(static_cast<std::size_t>(p.size()));
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p.id[a] < p.id[b]; });
  Population s;
  s.resize(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    s.id[k] = p.id[i]; s.score[k] = p.score[i]; s.spend_propensity[k] = p.spend_propensity[i];
    s.activity[k] = p.activity[i]; s.revolve_shape[k] = p.revolve_shape[i]; s.risk[k] = p.risk[i];
    s.income[k] = p.income[i]; s.limit[k] = p.limit[i]; s.balance[k] = p.balance[i];
    s.transactor[k] = p.transactor[i]; s.segment[k] = p.segment[i]; s.region[k] = p.region[i];
    s.months_on_book[k] = p.months_on_book[i]; s.bucket[k] = p.bucket[i];
  }
  return s;
}

inline void expect_same_population(const Population& a, const Population& b) {
  SAME(id); SAME(score); SAME(spend_propensity); SAME(activity); SAME(revolve_shape); SAME(risk); SAME(income);
  SAME(limit); SAME(balance); SAME(transactor); SAME(segment); SAME(region); SAME(months_on_book); SAME(bucket);
}

#undef SAME

}  // namespace loader_test
}  // namespace limitsim

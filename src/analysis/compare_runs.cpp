// Two runs compared on the same paths (limitsim compare A.h5 B.h5; docs/metrics.md, "Two runs").
#include "src/analysis/compare_runs.hpp"

#include <toml.hpp>

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace limitsim {
namespace {

// The [population] table of an effective configuration, as TOML text ("" when absent or unreadable).
std::string population_table(const std::string& effective_config) {
  try {
    std::istringstream in(effective_config);
    const auto doc = toml::parse(in, "(effective configuration)");
    if (!doc.contains("population")) return "";
    std::ostringstream out;
    out << toml::find(doc, "population");
    return out.str();
  } catch (const std::exception&) {
    return "";
  }
}

template <class T>
std::string text(const T& x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

}  // namespace

std::string runs_not_comparable(const RunResults& a, const RunResults& b) {
  auto differ = [](const char* what, const std::string& x, const std::string& y) {
    return std::string(what) + " differ (" + x + " against " + y + ")";
  };
  if (a.meta.seed != b.meta.seed) return differ("the seeds", text(a.meta.seed), text(b.meta.seed));
  if (a.meta.customers != b.meta.customers)
    return differ("the customer counts", text(a.meta.customers), text(b.meta.customers));
  if (a.paths != b.paths) return differ("the path counts", text(a.paths), text(b.paths));
  if (a.months != b.months) return differ("the horizons (months)", text(a.months), text(b.months));
  if (a.segment_names != b.segment_names) return "the reporting segments differ (score bands or regions)";
  if (a.segment_customers != b.segment_customers) return "the populations differ (customers per segment)";
  if (a.meta.population_kind != b.meta.population_kind)
    return differ("the population kinds", a.meta.population_kind, b.meta.population_kind);
  if (a.meta.population_kind == "file") {
    if (a.meta.population_sha256 != b.meta.population_sha256)
      return "the population data files differ (SHA-256 " + a.meta.population_sha256 + " against " +
             b.meta.population_sha256 + ")";
  } else {
    const std::string pa = population_table(a.meta.effective_config), pb = population_table(b.meta.effective_config);
    if (pa.empty() || pb.empty()) return "a file does not record its population ([population] of /config)";
    if (pa != pb) return "the synthetic populations differ ([population] of the runs' effective configurations)";
  }
  const std::vector<double> one(static_cast<std::size_t>(a.paths), 1.0);
  const auto& wa = a.path_weight.empty() ? one : a.path_weight;
  const auto& wb = b.path_weight.empty() ? one : b.path_weight;
  if (wa != wb) return "the path weights differ (importance sampling: importance_shift or factor model)";
  return "";
}

std::vector<PolicyMatch> match_policies(const RunResults& a, const RunResults& b) {
  std::vector<PolicyMatch> out;
  for (const std::string& p : a.policy_names)
    if (std::find(b.policy_names.begin(), b.policy_names.end(), p) != b.policy_names.end()) out.push_back({p, p});
  if (out.empty() && a.policy_names.size() == 1 && b.policy_names.size() == 1)
    out.push_back({a.policy_names[0], b.policy_names[0]});
  return out;
}

RunResults pair_runs(const RunResults& a, const RunResults& b, const PolicyMatch& m, const std::string& label_a,
                     const std::string& label_b) {
  if (label_a == label_b) throw std::invalid_argument("pair_runs: the two labels must differ");
  RunResults r = a;  // metadata, segments, weights
  r.combos.clear();
  r.scenario_names.clear();
  r.policy_names = {label_a, label_b};
  r.meta.baseline_policy = label_a;
  auto find = [](const RunResults& x, const std::string& s, const std::string& p) -> const ComboSums* {
    for (const ComboSums& c : x.combos)
      if (c.scenario == s && c.policy == p) return &c;
    return nullptr;
  };
  for (const std::string& s : a.scenario_names) {
    const ComboSums* ca = find(a, s, m.a);
    const ComboSums* cb = find(b, s, m.b);
    if (!ca || !cb) continue;
    r.scenario_names.push_back(s);
    r.combos.push_back(ComboSums{s, label_a, ca->sums});
    r.combos.push_back(ComboSums{s, label_b, cb->sums});
  }
  return r;
}

}  // namespace limitsim

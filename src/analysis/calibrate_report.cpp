// What limitsim calibrate writes: the readable report of the estimates, and the behaviour file with them as comments.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "src/analysis/calibrate.hpp"
#include "src/analysis/calibrate_text.hpp"
#include "src/config/toml_io.hpp"

namespace limitsim {
namespace {

using namespace calib;
using toml_io::fmt_double;
using toml_io::quote;
using toml_io::toml_double;

// Text safe inside a TOML comment: no control characters.
std::string comment_safe(std::string s) {
  std::replace_if(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, '?');
  return s;
}

std::string pad(std::string s, std::size_t width, bool left = false) {
  if (s.size() >= width) return s;
  return left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
}

std::string rate_line(const std::string& label, const Rate& r) {
  std::string s = "  " + pad(label, 26, true) + pad(fmt_int(r.events), 10) + pad(fmt_int(r.trials), 11);
  if (r.trials <= 0) return s + "         -\n";
  return s + pad(fmt("%.4f", r.p), 10) + "  [" + fmt("%.4f", r.lo) + ", " + fmt("%.4f", r.hi) + "]\n";
}

std::string dist_line(const std::string& label, const Distribution& d, const char* f) {
  std::string s = "  " + pad(label, 15, true) + pad(fmt_int(d.n), 9);
  if (d.n == 0) return s + "  -\n";
  s += pad(fmt(f, d.mean), 11);
  for (const double q : d.q) s += pad(fmt(f, q), 11);
  return s + "\n";
}

std::string coef_line(const std::string& label, const Coef& c, const std::string& extra = "") {
  return "  " + pad(label, 18, true) + pad(fmt("%.4f", c.value), 10) + pad(fmt("%.4f", c.se), 9) + "  [" +
         fmt("%.4f", c.value - kZ95 * c.se) + ", " + fmt("%.4f", c.value + kZ95 * c.se) + "]" + extra + "\n";
}

bool is_estimated(const Calibration& c, const std::string& key) {
  return std::find(c.estimated.begin(), c.estimated.end(), key) != c.estimated.end();
}

}  // namespace

std::string calibration_report(const Calibration& c) {
  std::ostringstream os;
  const int cb = c.chargeoff_bucket;
  os << "Calibration of behaviour parameters (limitsim " << c.limitsim_version << ")\n";
  os << "  data      " << (c.data_file.empty() ? "(unnamed panel)" : c.data_file) << "\n";
  if (!c.data_sha256.empty()) os << "  sha256    " << c.data_sha256 << "\n";
  if (!c.mapping_file.empty()) os << "  mapping   " << c.mapping_file << "\n";
  os << "  months    " << (c.months.empty() ? "-" : c.months.front() + " .. " + c.months.back()) << " ("
     << c.months.size() << " months), " << c.customers << " customers, " << c.transitions
     << " transitions (customer, month -> next month)\n";
  os << "  risk      = -(score - " << fmt_double(c.score_mean) << ") / " << fmt_double(c.score_sd)
     << ";  util_excess = min(balance / limit, 1.5) - " << fmt_double(c.util_ref) << "\n\n";

  // Transition matrix: counts, then row shares.
  os << "Bucket transitions, month t -> t+1 (rows: from; columns: to; c/o = charged off)\n";
  std::string head = "  " + pad("from \\ to", 10, true);
  for (int b = 0; b < kMaxBuckets; ++b) head += pad(bucket_name(b), 10);
  head += pad("c/o", 8) + pad("total", 10);
  os << head << "\n";
  std::array<std::int64_t, kMaxBuckets> totals{};
  for (int a = 0; a < kMaxBuckets; ++a) {
    const std::size_t u = static_cast<std::size_t>(a);
    for (int b = 0; b < kMaxBuckets; ++b) totals[u] += c.counts[u][static_cast<std::size_t>(b)];
    totals[u] += c.to_chargeoff[u];
    std::string row = "  " + pad(bucket_name(a), 10, true);
    for (int b = 0; b < kMaxBuckets; ++b) row += pad(fmt_int(c.counts[u][static_cast<std::size_t>(b)]), 10);
    os << row << pad(fmt_int(c.to_chargeoff[u]), 8) << pad(fmt_int(totals[u]), 10) << "\n";
  }
  os << "Row shares (%)\n" << head.substr(0, head.size() - 10) << "\n";
  for (int a = 0; a < kMaxBuckets; ++a) {
    const std::size_t u = static_cast<std::size_t>(a);
    std::string row = "  " + pad(bucket_name(a), 10, true);
    auto share = [&](std::int64_t x) {
      return totals[u] > 0 ? fmt("%.2f", 100.0 * static_cast<double>(x) / static_cast<double>(totals[u])) : "-";
    };
    for (int b = 0; b < kMaxBuckets; ++b) row += pad(share(c.counts[u][static_cast<std::size_t>(b)]), 10);
    os << row << pad(share(c.to_chargeoff[u]), 8) << "\n";
  }

  os << "\nRates the model uses (Wilson 95% intervals)\n";
  os << "  " << pad("", 26, true) << pad("events", 10) << pad("trials", 11) << pad("rate", 10) << "  95% interval\n";
  os << rate_line("miss (current, due > 0)", c.miss);
  for (int b = 1; b <= cb; ++b) {
    const std::size_t u = static_cast<std::size_t>(b);
    os << rate_line("roll " + bucket_name(b), c.roll[u]);
    os << rate_line("cure " + bucket_name(b), c.cure[u]);
    os << rate_line("cure | no roll " + bucket_name(b), c.cure_share[u]);
    if (b >= 2) os << rate_line("back 1 | no roll " + bucket_name(b), c.back_one_share[u]);
    if (b >= 3) os << rate_line("back 2+ | no roll " + bucket_name(b), c.back_two_share[u]);
  }

  os << "\nUsage types (customer-months whose status states one)\n";
  os << rate_line("transactor", c.transactor_share) << rate_line("revolver", c.revolver_share)
     << rate_line("inactive", c.inactive_share);

  os << "\nDistributions (quantiles of type 7: linear interpolation between order statistics)\n";
  std::string dh = "  " + pad("", 15, true) + pad("n", 9) + pad("mean", 11);
  for (const double l : kDistributionLevels) dh += pad(fmt("%g%%", 100.0 * l), 11);
  os << dh << "\n";
  os << dist_line("payment ratio", c.payment_ratio, "%.4f") << dist_line("spend", c.spend, "%.2f")
     << dist_line("utilization", c.utilization, "%.4f");
  os << "  (payment ratio = payment of month t+1 / statement of month t > 0; spend = max(0, balance_t - "
        "balance_t-1 + payment_t) when > 0, currency units; utilization = month-end balance / limit)\n";

  os << "\nMiss regression: logit P(miss) = a + b_risk * risk + b_util * util_excess\n";
  if (c.miss_fitted) {
    os << "  (" << c.miss_rows << " current customer-months with a balance due, " << c.miss.events << " misses, "
       << c.miss_iterations << " Newton iterations; +-1.96 SE)\n";
    os << "  " << pad("", 18, true) << pad("value", 10) << pad("se", 9) << "  95% interval\n";
    os << coef_line("intercept a", c.miss_intercept,
                    "  miss_probability = " + fmt("%.5f", 1.0 / (1.0 + std::exp(-c.miss_intercept.value))));
    os << coef_line("b_risk", c.miss_beta_risk) << coef_line("b_util", c.miss_beta_util);
  } else {
    os << "  not fitted (see notes)\n";
  }
  os << "\nRoll regression: logit P(roll | bucket b) = a_b + b_risk * risk + b_util * util_excess\n";
  if (c.roll_fitted) {
    os << "  (" << c.roll_rows << " delinquent customer-months with a balance due, " << c.roll_iterations
       << " Newton iterations; +-1.96 SE)\n";
    os << "  " << pad("", 18, true) << pad("value", 10) << pad("se", 9) << "  95% interval\n";
    for (int b = 1; b <= cb; ++b) {
      const std::size_t u = static_cast<std::size_t>(b);
      if (c.roll_intercept[u].se > 0.0)
        os << coef_line("a " + bucket_name(b), c.roll_intercept[u],
                        "  roll = " + fmt("%.4f", c.behaviour.params.roll[u]));
    }
    os << coef_line("b_risk", c.roll_beta_risk) << coef_line("b_util", c.roll_beta_util);
  } else {
    os << "  not fitted (see notes)\n";
  }
  os << "\nSpending: within-customer log-sd of positive monthly spend\n";
  if (c.spend_sigma_df > 0) {
    os << "  sigma = " << fmt("%.4f", c.spend_sigma.value) << " +- " << fmt("%.4f", kZ95 * c.spend_sigma.se) << " ("
       << c.spend_sigma_customers << " customers with >= 2 active months, " << c.spend_sigma_df
       << " degrees of freedom)\n";
  } else {
    os << "  no customer has two active months\n";
  }

  os << "\nBehaviour written (delinquency by bucket; * = estimated, else the base value)\n";
  os << "  " << pad("bucket", 10, true) << pad("roll", 10) << pad("cure", 10) << pad("back 1", 10) << pad("back 2", 10)
     << "\n";
  for (int b = 1; b < kMaxBuckets; ++b) {
    const std::size_t u = static_cast<std::size_t>(b);
    const bool est = is_estimated(c, "delinquency.roll[" + std::to_string(b - 1) + "]");
    os << "  " << pad(bucket_name(b), 10, true) << pad(fmt("%.4f", c.behaviour.params.roll[u]), 10)
       << pad(fmt("%.4f", c.behaviour.params.cure[u]), 10) << pad(fmt("%.4f", c.behaviour.params.partial_cure[u]), 10)
       << pad(fmt("%.4f", c.behaviour.params.partial_cure_two[u]), 10) << (est ? " *" : "") << "\n";
  }
  os << "\nEstimated keys (roll[i] / cure[i]: file index i = bucket i + 1):" << (c.estimated.empty() ? " none" : "");
  std::size_t width = 1000;
  for (std::size_t i = 0; i < c.estimated.size(); ++i) {
    const std::string item = c.estimated[i] + (i + 1 < c.estimated.size() ? "," : "");
    if (width + item.size() + 1 > 100) {
      os << "\n ";
      width = 1;
    }
    os << " " << item;
    width += item.size() + 1;
  }
  os << "\n";
  os << "Not estimated (base values): every other key, among them payment.min_payment_rate (a contract term)\n";
  if (!c.notes.empty()) {
    os << "\nNotes\n";
    for (const std::string& note : c.notes) os << "  - " << note << "\n";
  }
  return os.str();
}

// ---------------------------------------------------------------- behaviour file

namespace {

// The comment on one `key = value` line of table [behaviour.<table>].
std::string annotation(const Calibration& c, const std::string& table, const std::string& key) {
  const std::string full = table + "." + key;
  if (full == "delinquency.roll" || full == "delinquency.cure" || full == "delinquency.partial_cure" ||
      full == "delinquency.partial_cure_two") {
    std::vector<std::string> est, def;
    for (int b = 1; b < kMaxBuckets; ++b)
      (is_estimated(c, full + "[" + std::to_string(b - 1) + "]") ? est : def).push_back(bucket_name(b));
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
      return s;
    };
    if (def.empty()) return "estimated";
    if (est.empty()) return "default (not estimated)";
    return "estimated for " + list(est) + "; default (not estimated) for " + list(def);
  }
  if (is_estimated(c, full)) return "estimated";
  if (full == "payment.min_payment_rate") return "default (not estimated: a contract term, see docs/calibration.md)";
  return "default (not estimated)";
}

}  // namespace

std::string calibration_toml(const Calibration& c) {
  // The [behaviour.*] tables exactly as src/config/ writes them (every key,
  // shortest round-trip numbers), taken from the effective configuration of a
  // run that holds this behaviour.
  RunConfig rc;
  rc.behaviour = c.behaviour;
  const std::string eff = effective_toml(rc);
  const std::size_t start = eff.find("\n[behaviour.");
  if (start == std::string::npos) throw std::logic_error("calibration_toml: effective_toml wrote no behaviour tables");
  std::size_t end = eff.find("\n[[", start + 1);
  if (end == std::string::npos) end = eff.size();

  std::ostringstream os;
  os << "# Behaviour estimated by `limitsim calibrate` (docs/calibration.md) from\n"
     << "#   " << comment_safe(c.data_file.empty() ? "(unnamed panel)" : c.data_file) << "\n"
     << "#   months " << comment_safe(c.months.empty() ? "-" : c.months.front() + " .. " + c.months.back()) << ", "
     << c.customers << " customers, " << c.transitions << " transitions.\n"
     << "# Keys marked \"estimated\" were set from the data; \"default (not estimated)\" ones are the base\n"
     << "# behaviour's (" << comment_safe(c.behaviour.source.empty() ? "the built-in defaults" : c.behaviour.source)
     << "). Money in currency units. The estimates, with counts and\n"
     << "# intervals, are listed as comments after [behaviour.calibration].\n";

  std::istringstream in(eff.substr(start, end - start));
  std::string line, table;
  bool skip = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '[') {
      table = line.substr(1, line.find(']') - 1);
      // A provenance table written by src/config/ itself is replaced by ours below.
      skip = table == "behaviour.calibration" || table.rfind("behaviour.calibration.", 0) == 0;
      if (!skip) os << line << "\n";
      table = table.rfind("behaviour.", 0) == 0 ? table.substr(10) : table;
      continue;
    }
    if (skip) continue;
    const std::size_t eq = line.find(" = ");
    if (eq == std::string::npos || line[0] == '#') {
      os << line << "\n";
      continue;
    }
    os << pad(line, 36, true) << "  # " << annotation(c, table, line.substr(0, eq)) << "\n";
  }

  os << "\n[behaviour.calibration]\n";
  os << "source = " << quote(c.data_file) << "\n";
  os << "sha256 = " << quote(c.data_sha256) << "\n";
  os << "mapping = " << quote(c.mapping_file) << "\n";
  os << "months = [";
  for (std::size_t i = 0; i < c.months.size(); ++i) os << (i ? ", " : "") << quote(c.months[i]);
  os << "]\n";
  os << "customers = " << c.customers << "\n";
  os << "transitions = " << c.transitions << "\n";
  // The scale of the risk proxy behind miss_beta_risk and roll_beta_risk: a run must use the same.
  os << "score_mean = " << toml_double(c.score_mean) << "\n";
  os << "score_sd = " << toml_double(c.score_sd) << "\n";
  if (!c.created.empty()) os << "created = " << quote(c.created) << "\n";
  os << "limitsim_version = " << quote(c.limitsim_version) << "\n";

  os << "\n# ---------------------------------------------------------------- estimates\n#\n";
  std::istringstream report(calibration_report(c));
  while (std::getline(report, line)) os << (line.empty() ? "#" : "# " + comment_safe(line)) << "\n";
  return os.str();
}

}  // namespace limitsim

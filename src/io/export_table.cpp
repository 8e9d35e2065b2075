// Tidy CSV tables of a result file's exact sums (limitsim export; docs/export.md).
#include "src/io/export_table.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "src/config/config.hpp"
#include "src/io/h5_schema.hpp"
#include "src/util/text.hpp"

namespace limitsim {
namespace {

struct Column {
  const h5::MetricGroup* group;
  int offset;         // within the group
  std::string name;   // metric or metric[label]
  bool money;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::vector<Column> columns(const ExportOptions& o) {
  const auto& groups = h5::metric_groups();
  std::vector<const h5::MetricGroup*> chosen;
  if (o.metrics.empty()) {
    for (const auto& g : groups) chosen.push_back(&g);
  } else {
    for (const std::string& m : o.metrics) {
      const auto it = std::find_if(groups.begin(), groups.end(), [&](const h5::MetricGroup& g) { return m == g.info->name; });
      if (it == groups.end()) {
        std::string names;
        for (const auto& g : groups) names += (names.empty() ? "" : ", ") + std::string(g.info->name);
        throw ConfigError("--metrics: no metric '" + m + "' (metrics: " + names + ")");
      }
      if (std::find(chosen.begin(), chosen.end(), &*it) == chosen.end()) chosen.push_back(&*it);
    }
  }
  std::vector<Column> out;
  for (const h5::MetricGroup* g : chosen) {
    const h5::ExtraDim extra = h5::extra_dim(*g);
    const bool money = std::string(g->info->unit) == "cents";
    if (!extra.name) {
      out.push_back({g, 0, g->info->name, money});
      continue;
    }
    const std::vector<std::string> labels = split(extra.labels);
    for (int w = 0; w < g->width; ++w)
      out.push_back({g, w, std::string(g->info->name) + "[" + labels[static_cast<std::size_t>(w)] + "]", money});
  }
  return out;
}

// Cents as an exact decimal in currency units: -1234 -> -12.34.
void put_money(std::ostream& out, std::int64_t cents, bool as_cents) {
  char buf[32];
  if (as_cents) {
    std::snprintf(buf, sizeof buf, "%" PRId64, cents);
  } else {
    const std::uint64_t a = cents < 0 ? 0 - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
    std::snprintf(buf, sizeof buf, "%s%" PRIu64 ".%02" PRIu64, cents < 0 ? "-" : "", a / 100, a % 100);
  }
  out << buf;
}

}  // namespace

std::vector<std::string> export_columns(const RunResults& r, const ExportOptions& o) {
  (void)r;
  std::vector<std::string> names = {"scenario", "policy", "path", "month"};
  if (o.by_segment) names.push_back("segment");
  names.push_back("weight");
  for (const Column& c : columns(o)) names.push_back(c.name);
  return names;
}

void write_export_csv(const RunResults& r, const ExportOptions& o, std::ostream& out) {
  const std::vector<Column> cols = columns(o);
  const std::vector<std::string> header = export_columns(r, o);
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i) out << ',';
    out << csv_field(header[i]);
  }
  out << '\n';
  std::vector<std::int64_t> row(kNumMetrics);
  char num[40];
  for (std::size_t k = 0; k < r.combos.size(); ++k) {
    const ComboSums& c = r.combos[k];
    for (int p = 0; p < r.paths; ++p) {
      const double w = r.path_weight.empty() ? 1.0 : r.path_weight[static_cast<std::size_t>(p)];
      std::snprintf(num, sizeof num, "%.17g", w);  // round-trips the double
      for (int t = 0; t < r.months; ++t) {
        const int segments = o.by_segment ? r.segments : 1;
        for (int g = 0; g < segments; ++g) {
          if (o.by_segment) {
            const std::int64_t* cell = c.sums.data() + r.cell_index(p, t, g, 0);
            std::copy(cell, cell + kNumMetrics, row.begin());
          } else {
            const PortfolioRow pr = r.portfolio_row(c, p, t);
            std::copy(pr.begin(), pr.end(), row.begin());
          }
          out << csv_field(c.scenario);
          out << ',';
          out << csv_field(c.policy);
          out << ',' << p << ',' << (t + 1);
          if (o.by_segment) {
            out << ',';
            out << csv_field(r.segment_names[static_cast<std::size_t>(g)]);
          }
          out << ',' << num;
          for (const Column& col : cols) {
            out << ',';
            const std::int64_t v = row[static_cast<std::size_t>(col.group->first + col.offset)];
            if (col.money) put_money(out, v, o.cents);
            else out << v;
          }
          out << '\n';
        }
      }
    }
  }
}

}  // namespace limitsim

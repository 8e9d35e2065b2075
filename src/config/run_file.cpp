// Configuration layer: TOML files -> validated plain structs (see config.hpp
// and docs/config.md).
//
// The keys of each file kind are listed once, in a *_fields() template over an
// "IO" object: Reader reads a TOML table, validates every value and rejects
// unknown keys; Writer emits the same keys for effective_toml(). What is read
// and what is written therefore cannot drift apart. Every error message starts
// with `file:line: dotted.key: reason, got value`, followed by toml11's excerpt.

#include "src/config/config.hpp"

#include <toml.hpp>

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <tuple>
#include <utility>

#include "kernels/special.hpp"
#include "src/config/mapping.hpp"
#include "src/config/toml_io.hpp"
#include "src/util/linalg.hpp"

namespace limitsim {
namespace {

namespace fs = std::filesystem;
using Value = toml::value;
using toml_io::describe;
using toml_io::fail_at;
using toml_io::fmt_double;
using toml_io::join;
using toml_io::quote;
using toml_io::syntax_failure;
using toml_io::to_text;
using toml_io::toml_double;
using toml_io::where;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kInt32Max = std::numeric_limits<std::int32_t>::max();
constexpr double kMaxMoney = 1e12;       // currency units; keeps cents exact in a double
constexpr double kSumTolerance = 1e-9;   // opening_bucket_shares must sum to 1 within this
constexpr double kProbTolerance = 1e-12; // roll[b] + cure[b] <= 1 within this

// ---------------------------------------------------------------- formatting


// x to four significant digits, for derived numbers in messages (e.g. -0.2, not -0.19999999999999996).
std::string fmt_short(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}


// Cents as an exact decimal in currency units, e.g. 500000 -> "5000.00".
std::string fmt_money(std::int64_t cents) {
  const bool negative = cents < 0;
  const std::uint64_t a = negative ? 0 - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%llu.%02llu", negative ? "-" : "", static_cast<unsigned long long>(a / 100),
                static_cast<unsigned long long>(a % 100));
  return buf;
}



template <class T, class Fmt>
std::string toml_array(const std::vector<T>& items, Fmt fmt) {
  std::vector<std::string> parts;
  for (const T& x : items) parts.push_back(fmt(x));
  return "[" + join(parts, ", ") + "]";
}


// ---------------------------------------------------------------- errors


// ---------------------------------------------------------------- checks

struct Range {
  double lo = -kInf, hi = kInf;
  bool lo_open = false, hi_open = false;
};
constexpr Range any_number() { return {}; }
constexpr Range at_least(double lo) { return {lo, kInf, false, false}; }
constexpr Range above(double lo) { return {lo, kInf, true, false}; }
constexpr Range closed(double lo, double hi) { return {lo, hi, false, false}; }
constexpr Range closed_open(double lo, double hi) { return {lo, hi, false, true}; }
constexpr Range open_closed(double lo, double hi) { return {lo, hi, true, false}; }
constexpr Range open_open(double lo, double hi) { return {lo, hi, true, true}; }

// "" when x lies in r; else the reason. Integers name the violated bound
// ("must be >= 1"), real numbers the whole interval ("must be in [0, 1)").
std::string range_error(double x, Range r, bool integral) {
  if (!std::isfinite(x)) return "must be a finite number, got " + fmt_double(x);
  const bool low = r.lo_open ? !(x > r.lo) : !(x >= r.lo);
  const bool high = r.hi_open ? !(x < r.hi) : !(x <= r.hi);
  if (!low && !high) return "";
  const std::string lo = std::string(r.lo_open ? "> " : ">= ") + fmt_double(r.lo);
  const std::string hi = std::string(r.hi_open ? "< " : "<= ") + fmt_double(r.hi);
  std::string want;
  if (integral || !std::isfinite(r.lo) || !std::isfinite(r.hi)) {
    want = low ? lo : hi;
  } else {
    want = std::string("in ") + (r.lo_open ? "(" : "[") + fmt_double(r.lo) + ", " + fmt_double(r.hi) +
           (r.hi_open ? ")" : "]");
  }
  return "must be " + want + ", got " + fmt_double(x);
}

struct Count {
  std::size_t min, max;
};
constexpr Count exactly(std::size_t n) { return {n, n}; }
constexpr Count at_most(std::size_t n) { return {0, n}; }
constexpr Count non_empty(std::size_t max = std::numeric_limits<std::size_t>::max()) { return {1, max}; }

std::string count_error(std::size_t n, Count c) {
  if (n >= c.min && n <= c.max) return "";
  std::string want;
  if (c.min == c.max) {
    want = "exactly " + std::to_string(c.min);
  } else if (c.max == std::numeric_limits<std::size_t>::max()) {
    want = "at least " + std::to_string(c.min);
  } else {
    want = std::to_string(c.min) + " to " + std::to_string(c.max);
  }
  return "must have " + want + " entries, got " + std::to_string(n);
}

std::string choice_error(const std::string& s, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) return "";
  return "must be one of " + join(allowed, ", ") + ", got " + quote(s);
}

// Policy and scenario names become HDF5 group names.
std::string name_error(const std::string& s) {
  const bool charset_ok = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
  if (charset_ok && s.find_first_not_of('.') != std::string::npos) return "";
  return "name must match [A-Za-z0-9_.-]+ and not be only dots (it becomes an HDF5 group name), got " + quote(s);
}

double to_number(const Value& v, const std::string& key, Range r) {
  const double x = toml_io::to_number(v, key);
  const std::string bad = range_error(x, r, false);
  if (!bad.empty()) fail_at(v, key, bad);
  return x;
}

// The value's text as written in the file.
std::string literal(const Value& v) {
  const auto& loc = v.location();
  return loc.column() >= 1 ? loc.line_str().substr(loc.column() - 1, loc.region()) : "";
}

std::int64_t to_integer(const Value& v, const std::string& key, Range r) {
  if (!v.is_integer()) fail_at(v, key, "must be an integer, got " + describe(v));
  const std::int64_t x = v.as_integer();
  if (x == std::numeric_limits<std::int64_t>::max() || x == std::numeric_limits<std::int64_t>::min()) {
    // toml11 saturates decimal literals that overflow int64; catch them here.
    std::string text = literal(v);
    text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
    if (!text.empty() && text[0] == '+') text.erase(0, 1);
    if (text.find_first_not_of("-0123456789") == std::string::npos && text != std::to_string(x))
      fail_at(v, key, "must fit in a 64-bit signed integer, got " + literal(v));
  }
  const std::string bad = range_error(static_cast<double>(x), r, true);
  if (!bad.empty()) fail_at(v, key, bad);
  return x;
}

// Money is written in currency units and kept in cents.
std::int64_t to_cents(const Value& v, const std::string& key, Range r) {
  const double x = to_number(v, key, r);
  if (std::fabs(x) > kMaxMoney) fail_at(v, key, "must be at most " + fmt_double(kMaxMoney) + " in size, got " + fmt_double(x));
  const std::int64_t cents = std::llround(x * 100.0);
  if (!range_error(static_cast<double>(cents) / 100.0, r, false).empty())
    fail_at(v, key, "must be at least one cent (0.01), got " + fmt_double(x));
  return cents;
}

void trim_repeats(std::vector<double>& v) {
  while (v.size() > 1 && v[v.size() - 1] == v[v.size() - 2]) v.pop_back();
}

// ---------------------------------------------------------------- Reader

// Reads one TOML table into config structs: the shared table reader (known
// keys, error positions, done() rejecting every key nobody asked for) plus
// typed getters, each leaving its output untouched when the key is absent (so
// outputs carry the defaults) and validating it otherwise.
class Reader : public toml_io::TableReader {
 public:
  using TableReader::TableReader;

  // Is the optional table `key` in the file? (A Writer answers whether it has one to write.)
  bool present(const std::string& key, bool) const { return peek(key) != nullptr; }

  void forbid(const std::string& key, const std::string& reason) {
    if (const Value* v = find(key)) fail_at(*v, path(key), reason + ", got " + describe(*v));
  }

  Reader sub(const std::string& key) {
    const Value* v = sub_table(key);
    return Reader(v, path(key), v ? *v : anchor());
  }

  void number(const std::string& key, double& out, Range r) {
    if (const Value* v = find(key)) out = to_number(*v, path(key), r);
  }
  template <class Int>
  void integer(const std::string& key, Int& out, Range r) {
    if (const Value* v = find(key)) out = static_cast<Int>(to_integer(*v, path(key), r));
  }
  void money(const std::string& key, std::int64_t& cents, Range r) {
    if (const Value* v = find(key)) cents = to_cents(*v, path(key), r);
  }
  void text(const std::string& key, std::string& out) {
    if (const Value* v = find(key)) out = to_text(*v, path(key));
  }
  void boolean(const std::string& key, bool& out) {
    const Value* v = find(key);
    if (!v) return;
    if (!v->is_boolean()) fail_at(*v, path(key), "must be true or false, got " + describe(*v));
    out = v->as_boolean();
  }
  void choice(const std::string& key, std::string& out, const std::vector<std::string>& allowed) {
    const Value* v = find(key);
    if (!v) return;
    const std::string s = to_text(*v, path(key));
    const std::string bad = choice_error(s, allowed);
    if (!bad.empty()) fail_at(*v, path(key), bad);
    out = s;
  }

  // An array whose elements are converted by elem(value, "key[i]").
  template <class T, class Elem>
  void list(const std::string& key, std::vector<T>& out, Count n, Elem elem) {
    const Value* v = find(key);
    if (!v) return;
    if (!v->is_array()) fail_at(*v, path(key), "must be an array, got " + describe(*v));
    const auto& a = v->as_array();
    const std::string bad = count_error(a.size(), n);
    if (!bad.empty()) fail_at(*v, path(key), bad);
    std::vector<T> items;
    for (std::size_t i = 0; i < a.size(); ++i) items.push_back(elem(a[i], path(key) + "[" + std::to_string(i) + "]"));
    out = std::move(items);
  }
  void numbers(const std::string& key, std::vector<double>& out, Count n, Range r) {
    list(key, out, n, [r](const Value& e, const std::string& k) { return to_number(e, k, r); });
  }
  template <class Int>
  void integers(const std::string& key, std::vector<Int>& out, Count n, Range r) {
    list(key, out, n, [r](const Value& e, const std::string& k) { return static_cast<Int>(to_integer(e, k, r)); });
  }
  void texts(const std::string& key, std::vector<std::string>& out, Count n) {
    list(key, out, n, [](const Value& e, const std::string& k) { return to_text(e, k); });
  }
  // An array of tables, each read by fields(Reader&, Row&).
  template <class Row, class Fields>
  void rows(const std::string& key, std::vector<Row>& out, Count n, Fields fields) {
    list(key, out, n, [&fields](const Value& e, const std::string& k) {
      if (!e.is_table()) fail_at(e, k, "must be a table, got " + describe(e));
      Reader row(&e, k, e);
      Row r{};
      fields(row, r);
      row.done();
      return r;
    });
  }
  // A number (every month) or a non-empty array (month 1, 2, ..., last held).
  void series(const std::string& key, std::vector<double>& out, Range r) {
    const Value* v = find(key);
    if (!v) return;
    if (v->is_array()) {
      numbers(key, out, non_empty(), r);
    } else {
      out = {to_number(*v, path(key), r)};
    }
    trim_repeats(out);
  }

  // A number (every pair) or a square array of arrays of numbers.
  void correlation(const std::string& key, double& scalar, std::vector<std::vector<double>>& matrix, Range r) {
    const Value* v = find(key);
    if (!v) return;
    if (!v->is_array()) {
      scalar = to_number(*v, path(key), r);
      matrix.clear();
      return;
    }
    if (v->as_array().empty())
      fail_at(*v, path(key), "must be a number or an array of rows (one per region), got an empty array");
    std::vector<std::vector<double>> rows;
    for (std::size_t i = 0; i < v->as_array().size(); ++i) {
      const Value& row = v->as_array()[i];
      const std::string k = path(key) + "[" + std::to_string(i) + "]";
      if (!row.is_array()) fail_at(row, k, "must be an array of numbers (one row of the matrix), got " + describe(row));
      std::vector<double> out;
      for (std::size_t j = 0; j < row.as_array().size(); ++j)
        out.push_back(to_number(row.as_array()[j], k + "[" + std::to_string(j) + "]", r));
      rows.push_back(std::move(out));
    }
    matrix = std::move(rows);
  }
};

// ---------------------------------------------------------------- Writer

// Emits `key = value` lines (or `key = value, ...` inside an inline table)
// with the same getter names as Reader, for effective_toml().
class Writer {
 public:
  Writer(std::ostream& os, std::string prefix, bool inline_table = false)
      : os_(&os), prefix_(std::move(prefix)), inline_(inline_table) {}

  std::string path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  // A configuration built in code may still be inconsistent: refuse to write it.
  void check(bool ok, const std::string& key, const std::string& reason, int index = -1) const {
    if (!ok)
      throw ConfigError("effective_toml: " + path(key) + (index >= 0 ? "[" + std::to_string(index) + "]" : "") +
                        ": " + reason);
  }
  void need(const std::string&) const {}
  void forbid(const std::string&, const std::string&) const {}
  void done() const {}
  bool present(const std::string&, bool have) const { return have; }

  Writer sub(const std::string& key) {
    *os_ << "\n[" << path(key) << "]\n";
    return Writer(*os_, path(key));
  }

  void number(const std::string& key, const double& v, Range) { put(key, toml_double(v)); }
  template <class Int>
  void integer(const std::string& key, const Int& v, Range) {
    put(key, std::to_string(v));
  }
  void money(const std::string& key, const std::int64_t& cents, Range) { put(key, fmt_money(cents)); }
  void text(const std::string& key, const std::string& s) { put(key, quote(s)); }
  void boolean(const std::string& key, const bool& v) { put(key, v ? "true" : "false"); }
  void choice(const std::string& key, const std::string& s, const std::vector<std::string>&) { put(key, quote(s)); }
  void numbers(const std::string& key, const std::vector<double>& v, Count, Range) { put(key, toml_array(v, toml_double)); }
  template <class Int>
  void integers(const std::string& key, const std::vector<Int>& v, Count, Range) {
    put(key, toml_array(v, [](Int x) { return std::to_string(x); }));
  }
  void texts(const std::string& key, const std::vector<std::string>& v, Count) { put(key, toml_array(v, quote)); }
  template <class Row, class Fields>
  void rows(const std::string& key, std::vector<Row>& v, Count, Fields fields) {
    std::ostringstream s;
    s << "[\n";
    for (std::size_t i = 0; i < v.size(); ++i) {
      s << "  { ";
      Writer row(s, path(key) + "[" + std::to_string(i) + "]", true);
      fields(row, v[i]);
      s << " },\n";
    }
    s << "]";
    put(key, s.str());
  }
  // An empty series is an optional one left out (unemployment_rate).
  void series(const std::string& key, const std::vector<double>& v, Range r) {
    if (!v.empty()) numbers(key, v, non_empty(), r);
  }
  void correlation(const std::string& key, const double& scalar, const std::vector<std::vector<double>>& matrix,
                   Range r) {
    if (matrix.empty()) return number(key, scalar, r);
    std::vector<std::string> rows;
    for (const auto& row : matrix) rows.push_back(toml_array(row, toml_double));
    put(key, "[" + join(rows, ", ") + "]");
  }

 private:
  void put(const std::string& key, const std::string& value) {
    if (inline_) {
      *os_ << (first_ ? "" : ", ") << key << " = " << value;
      first_ = false;
    } else {
      *os_ << key << " = " << value << "\n";
    }
  }

  std::ostream* os_;
  std::string prefix_;
  bool inline_;
  bool first_ = true;
};

// ---------------------------------------------------------------- schemas

const std::vector<std::string> kBackends = {"auto", "cpu", "cuda"};
constexpr Range kCustomersRange = at_least(1);
constexpr Range kPathsRange = closed(1, 1000000);
constexpr Range kMonthsRange = closed(1, 600);
constexpr Range kThreadsRange = closed(0, kInt32Max);
constexpr Range kBatchRange = at_least(1);

// Plain keys of [run]; the four references are top-level keys (Loader).
template <class IO>
void run_fields(IO& t, RunConfig& c) {
  t.text("name", c.name);
  t.check(!c.name.empty(), "name", "must not be empty");
  t.integer("seed", c.seed, at_least(0));
  t.integer("paths", c.paths, kPathsRange);
  t.integer("months", c.months, kMonthsRange);
  t.choice("backend", c.backend, kBackends);
  t.integer("threads", c.threads, kThreadsRange);
  t.integer("batch_size", c.batch_size, kBatchRange);
  t.text("output", c.output);
  t.check(!c.output.empty(), "output", "must not be empty");
  t.integers("report_months", c.report_months, at_most(600), closed(1, c.months));
  for (std::size_t i = 0; i < c.report_months.size(); ++i) {
    const bool repeated = std::count(c.report_months.begin(), c.report_months.begin() + i, c.report_months[i]) > 0;
    t.check(!repeated, "report_months", "month " + std::to_string(c.report_months[i]) + " is listed twice",
            static_cast<int>(i));
  }
  std::sort(c.report_months.begin(), c.report_months.end());
  t.text("baseline", c.baseline);
  t.number("cost_of_funds", c.cost_of_funds, closed(0, 1));
  t.number("importance_shift", c.importance_shift, closed(0, 8));
}

// Score bands and regions: the reporting segments of either kind of population.
template <class IO>
void segment_fields(IO& t, PopulationConfig& c);

template <class IO>
void population_fields(IO& t, PopulationConfig& c) {
  t.choice("kind", c.kind, {"synthetic", "file"});
  if (c.kind == "file") {
    // A real population: the data decide the customers and the regions (docs/data.md).
    t.need("file");
    t.need("mapping");
    t.text("file", c.file);
    t.check(!c.file.empty(), "file", "must name the data file (CSV or HDF5)");
    t.text("mapping", c.mapping);
    t.check(!c.mapping.empty(), "mapping", "must name the mapping file (TOML)");
    t.text("as_of", c.as_of);
    t.choice("on_bad_row", c.on_bad_row, {"error", "skip"});
    t.text("sha256", c.sha256);
    t.check(c.sha256.empty() || (c.sha256.size() == 64 && c.sha256.find_first_not_of("0123456789abcdef") ==
                                                             std::string::npos),
            "sha256", "must be 64 lower-case hex digits, got " + quote(c.sha256));
    t.number("score_mean", c.score_mean, closed(350, 950));
    t.number("score_sd", c.score_sd, above(0));
    segment_fields(t, c);
    return;
  }
  t.integer("customers", c.customers, kCustomersRange);
  t.number("score_mean", c.score_mean, closed(350, 950));
  t.number("score_sd", c.score_sd, above(0));
  t.number("income_median", c.income_median, above(0));
  t.number("income_log_sd", c.income_log_sd, at_least(0));
  t.number("income_score_corr", c.income_score_corr, closed(-1, 1));
  t.number("risk_score_corr", c.risk_score_corr, closed(-1, 1));
  t.number("transactor_logit_intercept", c.transactor_logit_intercept, any_number());
  t.number("transactor_logit_slope", c.transactor_logit_slope, any_number());
  t.number("spend_propensity_median", c.spend_propensity_median, at_least(0));
  t.number("spend_propensity_log_sd", c.spend_propensity_log_sd, at_least(0));
  t.number("activity_logit_mean", c.activity_logit_mean, any_number());
  t.number("activity_logit_sd", c.activity_logit_sd, at_least(0));
  t.number("revolve_shape_median", c.revolve_shape_median, above(0));
  t.number("revolve_shape_log_sd", c.revolve_shape_log_sd, at_least(0));
  t.number("new_account_share", c.new_account_share, closed(0, 1));
  t.integer("mob_max", c.mob_max, closed(1, kInt32Max));
  t.number("existing_line_income_multiple", c.existing_line_income_multiple, at_least(0));
  t.number("existing_line_log_sd", c.existing_line_log_sd, at_least(0));
  t.money("existing_line_min", c.existing_line_min, at_least(0));
  t.money("existing_line_max", c.existing_line_max, at_least(0));
  t.check(c.existing_line_min <= c.existing_line_max, "existing_line_max",
          "must be >= existing_line_min (" + fmt_money(c.existing_line_min) + "), got " + fmt_money(c.existing_line_max));
  t.money("existing_line_rounding", c.existing_line_rounding, above(0));
  t.number("opening_util_logit_mean_transactor", c.opening_util_logit_mean_transactor, any_number());
  t.number("opening_util_logit_mean_revolver", c.opening_util_logit_mean_revolver, any_number());
  t.number("opening_util_logit_sd", c.opening_util_logit_sd, at_least(0));

  t.numbers("opening_bucket_shares", c.opening_bucket_shares, exactly(kMaxBuckets), at_least(0));
  double sum = 0.0;
  for (const double s : c.opening_bucket_shares) sum += s;
  t.check(std::fabs(sum - 1.0) <= kSumTolerance, "opening_bucket_shares", "must sum to 1, got " + fmt_double(sum));
  segment_fields(t, c);
}

template <class IO>
void segment_fields(IO& t, PopulationConfig& c) {
  t.numbers("segment_edges", c.segment_edges, at_most(kMaxSegments - 1), open_closed(350, 950));
  for (std::size_t i = 1; i < c.segment_edges.size(); ++i)
    t.check(c.segment_edges[i] > c.segment_edges[i - 1], "segment_edges",
            "must be strictly ascending, got " + fmt_double(c.segment_edges[i]) + " after " +
                fmt_double(c.segment_edges[i - 1]),
            static_cast<int>(i));
  t.texts("segment_names", c.segment_names, non_empty(kMaxSegments));
  t.check(c.segment_names.size() == c.segment_edges.size() + 1, "segment_names",
          "must have one name more than segment_edges has edges (" + std::to_string(c.segment_edges.size() + 1) +
              "), got " + std::to_string(c.segment_names.size()));
  for (std::size_t i = 0; i < c.segment_names.size(); ++i) {
    const auto& n = c.segment_names[i];
    const bool repeated = std::count(c.segment_names.begin(), c.segment_names.begin() + i, n) > 0;
    t.check(!n.empty() && !repeated, "segment_names", "names must be non-empty and unique, got " + quote(n),
            static_cast<int>(i));
  }

  if (c.kind == "file") return;  // regions come from the mapping, and are checked when the data load
  t.texts("regions", c.region_names, non_empty(kMaxRegions));
  for (std::size_t i = 0; i < c.region_names.size(); ++i) {
    const auto& n = c.region_names[i];
    const bool repeated = std::count(c.region_names.begin(), c.region_names.begin() + i, n) > 0;
    t.check(!n.empty() && !repeated && n.find('/') == std::string::npos, "regions",
            "names must be non-empty, unique and free of '/', got " + quote(n), static_cast<int>(i));
  }
  const std::size_t cells = c.segment_names.size() * c.region_names.size();
  t.check(cells <= static_cast<std::size_t>(kMaxCells), "regions",
          "score bands x regions must be at most " + std::to_string(kMaxCells) + " reporting segments, got " +
              std::to_string(c.segment_names.size()) + " x " + std::to_string(c.region_names.size()));
  if (c.region_shares.size() != c.region_names.size() && c.region_names.size() == 1) c.region_shares = {1.0};
  t.numbers("region_shares", c.region_shares, non_empty(kMaxRegions), closed(0, 1));
  t.check(c.region_shares.size() == c.region_names.size(), "region_shares",
          "must have one share per region (" + std::to_string(c.region_names.size()) + "), got " +
              std::to_string(c.region_shares.size()));
  double share_sum = 0.0;
  for (const double x : c.region_shares) share_sum += x;
  t.check(std::fabs(share_sum - 1.0) <= kSumTolerance, "region_shares", "must sum to 1, got " + fmt_double(share_sum));
}

// File values of six buckets (1-30 .. 151-180) <-> params arrays indexed by bucket.
std::vector<double> by_bucket(const double (&a)[kMaxBuckets]) { return {a + 1, a + kMaxBuckets}; }
void set_by_bucket(double (&a)[kMaxBuckets], const std::vector<double>& v) {
  a[0] = 0.0;
  std::copy(v.begin(), v.end(), a + 1);
}

template <class IO>
void delinquency_fields(IO& t, BehaviourConfig& c) {
  BehaviourParams& p = c.params;
  t.number("miss_probability", c.miss_probability, open_open(0, 1));
  p.miss_intercept = logit(c.miss_probability);
  t.number("miss_beta_risk", p.miss_beta_risk, any_number());
  t.number("miss_beta_util", p.miss_beta_util, any_number());
  t.number("util_ref", p.util_ref, closed(0, 1.5));
  std::vector<double> roll = by_bucket(p.roll), cure = by_bucket(p.cure);
  t.numbers("roll", roll, exactly(kMaxBuckets - 1), closed(0, 1));
  t.numbers("cure", cure, exactly(kMaxBuckets - 1), closed(0, 1));
  for (std::size_t i = 0; i < roll.size(); ++i)
    t.check(roll[i] + cure[i] <= 1.0 + kProbTolerance, "cure",
            "roll[" + std::to_string(i) + "] + cure[" + std::to_string(i) + "] must be <= 1, got " +
                fmt_double(roll[i]) + " + " + fmt_double(cure[i]),
            static_cast<int>(i));
  set_by_bucket(p.roll, roll);
  set_by_bucket(p.cure, cure);
  t.number("roll_beta_risk", p.roll_beta_risk, any_number());
  t.number("roll_beta_util", p.roll_beta_util, any_number());
  std::int32_t dpd = p.chargeoff_bucket * 30;
  t.integer("chargeoff_dpd", dpd, closed(30, 180));
  t.check(dpd % 30 == 0, "chargeoff_dpd", "must be one of 30, 60, 90, 120, 150, 180, got " + std::to_string(dpd));
  p.chargeoff_bucket = dpd / 30;
  t.number("rho", p.rho, closed_open(0, 1));
  t.number("income_shock_beta", p.income_shock_beta, closed(0, 20));
}

template <class IO>
void factor_fields(IO& t, BehaviourConfig& c) {
  t.number("ar1", c.factor_ar1, open_open(-1, 1));
  t.correlation("correlation", c.factor_correlation, c.factor_correlation_matrix, closed(-1, 1));
  const int R = c.regions;
  if (!c.factor_correlation_matrix.empty()) {
    const auto& m = c.factor_correlation_matrix;
    t.check(m.size() == static_cast<std::size_t>(R), "correlation",
            "must be " + std::to_string(R) + " x " + std::to_string(R) + " (one row per region of the population), got " +
                std::to_string(m.size()) + " rows");
    for (int i = 0; i < R; ++i) {
      t.check(m[i].size() == static_cast<std::size_t>(R), "correlation",
              "row " + std::to_string(i) + " must have " + std::to_string(R) + " entries, got " +
                  std::to_string(m[i].size()),
              i);
      t.check(m[i][i] == 1.0, "correlation",
              "the diagonal must be 1, got " + fmt_double(m[i][i]) + " at [" + std::to_string(i) + "][" +
                  std::to_string(i) + "]",
              i);
      for (int j = 0; j < i; ++j)
        t.check(m[i][j] == m[j][i], "correlation",
                "must be symmetric, got [" + std::to_string(i) + "][" + std::to_string(j) + "] = " +
                    fmt_double(m[i][j]) + " but [" + std::to_string(j) + "][" + std::to_string(i) +
                    "] = " + fmt_double(m[j][i]),
                i);
    }
  }
  const std::vector<double> ev = symmetric_eigenvalues(factor_correlation(c, R), R);
  t.check(ev.front() >= -1e-10, "correlation",
          "must be positive semi-definite, but its smallest eigenvalue is " + fmt_short(ev.front()) +
              (c.factor_correlation_matrix.empty() ? " (a common correlation must be >= -1/(regions - 1))" : ""));
}

template <class IO>
void loss_fields(IO& t, BehaviourConfig& c) {
  BehaviourParams& p = c.params;
  std::string mode = p.lgd_mode == LgdMode::kBeta ? "beta" : "fixed";
  t.choice("lgd_mode", mode, {"fixed", "beta"});
  p.lgd_mode = mode == "beta" ? LgdMode::kBeta : LgdMode::kFixed;
  t.number("lgd", p.lgd, closed(0, 1));
  if (p.lgd_mode == LgdMode::kBeta) {
    t.check(p.lgd > 0.0 && p.lgd < 1.0, "lgd", "must be in (0, 1) when lgd_mode = \"beta\", got " + fmt_double(p.lgd));
    if (c.lgd_concentration <= 0.0) c.lgd_concentration = kDefaultLgdConcentration;
    t.number("lgd_concentration", c.lgd_concentration, above(0));
    p.lgd_beta_a = p.lgd * c.lgd_concentration;
    p.lgd_beta_b = (1.0 - p.lgd) * c.lgd_concentration;
  } else {
    t.forbid("lgd_concentration", "only allowed when lgd_mode = \"beta\" (lgd_mode is \"fixed\")");
    c.lgd_concentration = 0.0;
    p.lgd_beta_a = p.lgd_beta_b = 0.0;
  }
}

template <class IO>
void spending_fields(IO& t, BehaviourConfig& c) {
  BehaviourParams& p = c.params;
  t.number("sigma", p.spend_sigma, closed(0, 3));
  t.number("limit_elasticity", p.spend_limit_elasticity, closed(0, 1));
  t.number("draws_extra_mean", p.draws_extra_mean, closed(0, 50));
  t.number("draws_beta_risk", p.draws_beta_risk, closed(-5, 5));
  t.number("draws_beta_util", p.draws_beta_util, closed(-5, 5));
}

template <class IO>
void score_fields(IO& t, BehaviourConfig& c) {
  BehaviourParams& p = c.params;
  t.number("bucket_penalty", p.score_bucket_penalty, closed(0, 600));
  t.number("recent_missed_penalty", p.score_recent_penalty, closed(0, 600));
  t.integer("recent_months", p.score_recent_months, closed(1, 120));
  t.number("utilization_penalty", p.score_util_penalty, closed(0, 600));
}

template <class IO>
void payment_fields(IO& t, BehaviourConfig& c) {
  BehaviourParams& p = c.params;
  t.number("min_payment_rate", p.min_payment_rate, open_closed(0, 1));
  t.money("min_payment_floor", p.min_payment_floor, at_least(0));
  t.number("apr", p.apr, closed(0, 2));
  t.money("late_fee", p.late_fee, at_least(0));
}

template <class IO>
void attrition_fields(IO& t, BehaviourConfig& c) {
  t.number("monthly_rate", c.params.attrition_rate, closed(0, 1));
}

// Reads (or writes) subtable `key` of t with fields(IO&, Cfg&), then rejects its unknown keys.
template <class IO, class Cfg>
void subtable(IO& t, const std::string& key, Cfg& c, void (*fields)(IO&, Cfg&)) {
  IO s = t.sub(key);
  fields(s, c);
  s.done();
}

template <class IO>
void calibration_fields(IO& t, BehaviourConfig& b) {
  CalibrationInfo& c = b.calibration;
  t.need("source");
  t.text("source", c.source);
  t.check(!c.source.empty(), "source", "must name the data file the behaviour was estimated from");
  t.text("sha256", c.sha256);
  t.text("mapping", c.mapping);
  t.texts("months", c.months, at_most(kMaxMonths));
  t.integer("customers", c.customers, at_least(0));
  t.integer("transitions", c.transitions, at_least(0));
  t.number("score_mean", c.score_mean, closed(0, 950));
  t.number("score_sd", c.score_sd, at_least(0));
  t.text("created", c.created);
  t.text("limitsim_version", c.limitsim_version);
}

template <class IO>
void behaviour_fields(IO& t, BehaviourConfig& c) {
  subtable(t, "spending", c, spending_fields<IO>);
  subtable(t, "payment", c, payment_fields<IO>);
  subtable(t, "delinquency", c, delinquency_fields<IO>);
  subtable(t, "loss", c, loss_fields<IO>);
  subtable(t, "attrition", c, attrition_fields<IO>);
  subtable(t, "score", c, score_fields<IO>);
  subtable(t, "factors", c, factor_fields<IO>);
  // Provenance of a calibrated behaviour: written only when there is some.
  if (!t.present("calibration", !c.calibration.source.empty())) return;
  subtable(t, "calibration", c, calibration_fields<IO>);
}

struct Band {
  double score_min;
  double income_multiple;
  std::int64_t floor, cap;
};

template <class IO>
void band_fields(IO& t, Band& b) {
  for (const char* key : {"score_min", "income_multiple", "floor", "cap"}) t.need(key);
  t.number("score_min", b.score_min, closed(0, 950));
  t.number("income_multiple", b.income_multiple, at_least(0));
  t.money("floor", b.floor, at_least(0));
  t.money("cap", b.cap, at_least(0));
  t.check(b.floor <= b.cap, "cap", "must be >= floor (" + fmt_money(b.floor) + "), got " + fmt_money(b.cap));
}

std::vector<Band> bands_of(const PolicyParams& p) {
  std::vector<Band> bands;
  for (int i = 0; i < p.n_bands; ++i)
    bands.push_back({p.band_score_min[i], p.band_income_multiple[i], p.band_floor[i], p.band_cap[i]});
  return bands;
}

// Stores bands sorted by descending score_min (the kernel takes the first row that applies).
void set_bands(PolicyParams& p, std::vector<Band> bands) {
  std::stable_sort(bands.begin(), bands.end(), [](const Band& a, const Band& b) { return a.score_min > b.score_min; });
  p.n_bands = static_cast<std::int32_t>(bands.size());
  for (int i = 0; i < kMaxBands; ++i) {
    const bool used = i < p.n_bands;
    p.band_score_min[i] = used ? bands[i].score_min : 0.0;
    p.band_income_multiple[i] = used ? bands[i].income_multiple : 0.0;
    p.band_floor[i] = used ? bands[i].floor : 0;
    p.band_cap[i] = used ? bands[i].cap : 0;
  }
}

template <class IO>
void initial_line_fields(IO& t, PolicyParams& p) {
  t.money("rounding", p.line_rounding, above(0));
  std::vector<Band> bands = bands_of(p);
  t.rows("bands", bands, non_empty(kMaxBands), [](auto& row, Band& b) { band_fields(row, b); });
  double lowest = kInf;
  for (std::size_t i = 0; i < bands.size(); ++i) {
    lowest = std::min(lowest, bands[i].score_min);
    for (std::size_t j = 0; j < i; ++j)
      t.check(bands[j].score_min != bands[i].score_min, "bands",
              "score_min " + fmt_double(bands[i].score_min) + " appears twice (rows " + std::to_string(j) + " and " +
                  std::to_string(i) + ")",
              static_cast<int>(i));
  }
  t.check(lowest <= 350.0, "bands",
          "the lowest score_min must be <= 350 so that every score is covered, got " + fmt_double(lowest));
  set_bands(p, bands);
}

constexpr Range kShare = closed(0, 10);     // raise percentages, as shares of the line
constexpr Range kScoreOrOff = closed(0, 950);  // 0 switches a score condition off

// The raise of a review or trigger: limit x raise_pct + raise_amount, capped at
// max_raise. A lever that is on (`what` names it) must be able to raise a line.
template <class IO>
void raise_fields(IO& t, double& pct, std::int64_t& amount, std::int64_t& max_raise, bool on,
                  const std::string& what) {
  t.number("raise_pct", pct, kShare);
  t.money("raise_amount", amount, at_least(0));
  t.money("max_raise", max_raise, at_least(0));
  if (on)
    t.check(pct > 0.0 || amount > 0, "raise_pct",
            what + " needs raise_pct > 0 or raise_amount > 0, or it can never raise a line");
}

template <class IO>
void review_fields(IO& t, PolicyParams& p) {
  t.integer("every_months", p.review_every, closed(0, 120));
  t.integer("min_clean_months", p.review_min_clean_months, closed(0, kInt32Max));
  t.integer("min_months_on_book", p.review_min_months_on_book, closed(0, kInt32Max));
  t.integer("lookback_months", p.review_lookback, closed(1, kHistoryMonths));
  t.number("min_utilization", p.review_min_utilization, closed(0, 1.5));
  t.number("min_score", p.review_min_score, kScoreOrOff);
  raise_fields(t, p.review_raise_pct, p.review_raise_amount, p.review_max_raise, p.review_every > 0,
               "a review every " + std::to_string(p.review_every) + " months");
}

template <class IO>
void trigger_fields(IO& t, PolicyParams& p) {
  t.integer("clean_months", p.trigger_clean_months, closed(0, kHistoryMonths));
  t.number("min_utilization", p.trigger_min_utilization, closed(0, 1.5));
  t.number("min_score", p.trigger_min_score, kScoreOrOff);
  raise_fields(t, p.trigger_raise_pct, p.trigger_raise_amount, p.trigger_max_raise, p.trigger_clean_months > 0,
               "a trigger after " + std::to_string(p.trigger_clean_months) + " clean months");
}

template <class IO>
void decrease_fields(IO& t, PolicyParams& p) {
  t.number("score_below", p.decrease_score_below, kScoreOrOff);
  // At 100% or more the balance is at the line, and max(balance, pct x line) cuts nothing.
  t.number("high_utilization", p.decrease_high_util, closed_open(0, 1));
  t.integer("high_utilization_months", p.decrease_high_util_months, closed(1, kInt32Max));
  t.number("score_drop", p.decrease_score_drop, closed(0, 600));
  t.number("cut_to_pct", p.decrease_cut_to_pct, closed_open(0, 1));
  // The months-since-last-cut counter saturates at 1000 (kLongAgo in kernels/model.hpp).
  t.integer("cooldown_months", p.decrease_cooldown_months, closed(1, 1000));
  const bool condition = p.decrease_score_below > 0.0 || p.decrease_high_util > 0.0;
  if (condition)
    t.check(p.decrease_cut_to_pct > 0.0, "cut_to_pct",
            "is required (in (0, 1)) when score_below or high_utilization is set, got " +
                fmt_double(p.decrease_cut_to_pct));
  if (p.decrease_cut_to_pct > 0.0)
    t.check(condition, "cut_to_pct", "cuts nothing: set score_below and/or high_utilization");
}

// at_dpd -> the smallest bucket b >= 1 whose lowest DPD, 30 * (b - 1) + 1, is >= at_dpd.
std::int32_t freeze_bucket_of(std::int32_t at_dpd) { return at_dpd == 0 ? 0 : (at_dpd + 28) / 30 + 1; }
std::int32_t at_dpd_of(std::int32_t bucket) { return bucket <= 1 ? bucket : 30 * (bucket - 1); }

template <class IO>
void freeze_fields(IO& t, PolicyParams& p) {
  std::int32_t at_dpd = at_dpd_of(p.freeze_bucket);
  // 151..180 would map to a bucket no account reaches before charge-off.
  t.integer("at_dpd", at_dpd, closed(0, 150));
  p.freeze_bucket = freeze_bucket_of(at_dpd);
  t.integer("unfreeze_after_clean_months", p.unfreeze_after_clean_months, closed(0, kInt32Max));
  t.check(p.unfreeze_after_clean_months == 0 || p.freeze_bucket > 0, "unfreeze_after_clean_months",
          "must be 0 when freezing is off (at_dpd = 0), got " + std::to_string(p.unfreeze_after_clean_months));
}

std::vector<std::int32_t> months_of(const std::uint64_t (&mask)[kMonthMaskWords]) {
  std::vector<std::int32_t> months;
  for (int m = 0; m < kMaxMonths; ++m)
    if ((mask[m / 64] >> (m % 64)) & 1u) months.push_back(m + 1);
  return months;
}

template <class IO>
void temporary_fields(IO& t, PolicyParams& p) {
  std::vector<std::int32_t> months = months_of(p.temp_month_mask);
  t.integers("months", months, at_most(kMaxMonths), closed(1, kMaxMonths));
  for (std::size_t i = 0; i < months.size(); ++i)
    t.check(std::count(months.begin(), months.begin() + i, months[i]) == 0, "months",
            "month " + std::to_string(months[i]) + " is listed twice", static_cast<int>(i));
  std::fill(std::begin(p.temp_month_mask), std::end(p.temp_month_mask), 0);
  for (const std::int32_t m : months) p.temp_month_mask[(m - 1) / 64] |= std::uint64_t{1} << ((m - 1) % 64);
  t.number("raise_pct", p.temp_raise_pct, kShare);
  t.money("raise_amount", p.temp_raise_amount, at_least(0));
  if (!months.empty())
    t.check(p.temp_raise_pct > 0.0 || p.temp_raise_amount > 0, "raise_pct",
            "temporary months are listed, so raise_pct > 0 or raise_amount > 0 is needed");
  else
    t.check(p.temp_raise_pct == 0.0 && p.temp_raise_amount == 0, "months",
            "a temporary raise needs the months it applies to (1-based simulation months)");
}

template <class IO>
void frequency_fields(IO& t, PolicyParams& p) {
  t.integer("window_months", p.freq_window, closed(0, kHistoryMonths));
  t.integer("max_draws", p.freq_max_draws, closed(1, 255 * kHistoryMonths));
  bool block = p.freq_block_increases != 0;
  t.boolean("block_increases", block);
  p.freq_block_increases = block ? 1 : 0;
  t.number("cut_to_pct", p.freq_cut_to_pct, closed_open(0, 1));
  if (p.freq_window > 0)
    t.check(p.freq_max_draws <= 255 * p.freq_window, "max_draws",
            "can never be reached: a month records at most 255 draws, so " + std::to_string(p.freq_window) +
                " months hold at most " + std::to_string(255 * p.freq_window) + ", got " +
                std::to_string(p.freq_max_draws));
  if (p.freq_window > 0)
    t.check(block || p.freq_cut_to_pct > 0.0, "block_increases",
            "the signal does nothing: set block_increases = true and/or cut_to_pct > 0");
  else
    t.check(p.freq_cut_to_pct == 0.0, "window_months",
            "must be >= 1 when cut_to_pct is set (the signal needs a window)");
}

struct PriceBand {
  double score_min;
  double apr;
};

template <class IO>
void pricing_fields(IO& t, PolicyParams& p) {
  std::vector<PriceBand> bands;
  for (int i = 0; i < p.n_price_bands; ++i) bands.push_back({p.price_score_min[i], p.price_apr[i]});
  t.rows("bands", bands, at_most(kMaxBands), [](auto& row, PriceBand& b) {
    for (const char* key : {"score_min", "apr"}) row.need(key);
    row.number("score_min", b.score_min, closed(0, 950));
    row.number("apr", b.apr, closed(0, 2));
  });
  double lowest = kInf;
  for (std::size_t i = 0; i < bands.size(); ++i) {
    lowest = std::min(lowest, bands[i].score_min);
    for (std::size_t j = 0; j < i; ++j)
      t.check(bands[j].score_min != bands[i].score_min, "bands",
              "score_min " + fmt_double(bands[i].score_min) + " appears twice (rows " + std::to_string(j) + " and " +
                  std::to_string(i) + ")",
              static_cast<int>(i));
  }
  if (!bands.empty())
    t.check(lowest <= 350.0, "bands",
            "the lowest score_min must be <= 350 so that every score is priced, got " + fmt_double(lowest));
  std::stable_sort(bands.begin(), bands.end(),
                   [](const PriceBand& a, const PriceBand& b) { return a.score_min > b.score_min; });
  p.n_price_bands = static_cast<std::int32_t>(bands.size());
  for (int i = 0; i < kMaxBands; ++i) {
    const bool used = i < p.n_price_bands;
    p.price_score_min[i] = used ? bands[i].score_min : 0.0;
    p.price_apr[i] = used ? bands[i].apr : 0.0;
  }
}

template <class IO>
void policy_fields(IO& t, PolicyConfig& c) {
  PolicyParams& p = c.params;
  t.text("name", c.name);
  t.text("description", c.description);
  t.money("max_limit", p.max_limit, above(0));
  subtable(t, "initial_line", p, initial_line_fields<IO>);
  std::int64_t highest_floor = 0;
  for (int i = 0; i < p.n_bands; ++i) highest_floor = std::max(highest_floor, p.band_floor[i]);
  t.check(p.max_limit >= highest_floor, "max_limit",
          "must be >= every initial_line band floor (largest " + fmt_money(highest_floor) + "), got " +
              fmt_money(p.max_limit));
  subtable(t, "review", p, review_fields<IO>);
  subtable(t, "trigger", p, trigger_fields<IO>);
  subtable(t, "decrease", p, decrease_fields<IO>);
  subtable(t, "freeze", p, freeze_fields<IO>);
  subtable(t, "temporary", p, temporary_fields<IO>);
  subtable(t, "frequency", p, frequency_fields<IO>);
  subtable(t, "pricing", p, pricing_fields<IO>);
  // Rules that would fight each other month after month.
  if (p.decrease_score_below > 0.0 && p.decrease_cut_to_pct > 0.0) {
    if (p.review_every > 0)
      t.check(p.decrease_score_below <= p.review_min_score, "decrease",
              "decrease.score_below (" + fmt_double(p.decrease_score_below) + ") is above review.min_score (" +
                  fmt_double(p.review_min_score) + "): one account could be cut and raised in turn");
    if (p.trigger_clean_months > 0)
      t.check(p.decrease_score_below <= p.trigger_min_score, "decrease",
              "decrease.score_below (" + fmt_double(p.decrease_score_below) + ") is above trigger.min_score (" +
                  fmt_double(p.trigger_min_score) + "): one account could be cut and raised in turn");
  }
  if (p.freq_block_increases && p.freq_window > 0)
    t.check(p.review_every > 0 || p.trigger_clean_months > 0, "frequency",
            "block_increases is set but the policy has no review or trigger increases to block");
}

template <class IO>
void unemployment_fields(IO& t, ScenarioConfig& c) {
  t.need("base_rate");
  t.need("factor_per_point");
  t.number("base_rate", c.spec.unemployment_base_rate, closed(0, 100));
  t.number("factor_per_point", c.spec.unemployment_factor_per_point, closed(0, 2));
  double worst = 0.0;
  for (const double u : c.spec.unemployment_rate)
    worst = std::max(worst, std::fabs(c.spec.unemployment_factor_per_point * (u - c.spec.unemployment_base_rate)));
  t.check(worst <= 10.0, "factor_per_point",
          "gives a factor shift of " + fmt_short(worst) + " sd at some month of unemployment_rate; at most 10 is allowed");
}

template <class IO>
void scenario_fields(IO& t, ScenarioConfig& c) {
  t.text("name", c.name);
  t.text("description", c.description);
  t.series("unemployment_rate", c.spec.unemployment_rate, closed(0, 100));
  const bool unemployment = !c.spec.unemployment_rate.empty();
  if (unemployment) {
    const char* why = "is derived from unemployment_rate here (see [scenario.unemployment]); give one or the other";
    t.forbid("factor_shift", why);
    t.forbid("income_shock_probability", why);
  } else {
    t.series("factor_shift", c.spec.factor_shift, closed(-10, 10));
  }
  t.series("miss_multiplier", c.spec.miss_multiplier, at_least(0));
  t.series("roll_multiplier", c.spec.roll_multiplier, at_least(0));
  t.series("spend_multiplier", c.spec.spend_multiplier, at_least(0));
  if (!unemployment) t.series("income_shock_probability", c.spec.income_shock_probability, closed(0, 1));
  t.series("income_shock_size", c.spec.income_shock_size, closed(0, 1));
  t.series("income_shock_months", c.spec.income_shock_months, closed(1, 120));
  for (std::size_t i = 0; i < c.spec.income_shock_months.size(); ++i)
    t.check(c.spec.income_shock_months[i] == std::floor(c.spec.income_shock_months[i]), "income_shock_months",
            "must be whole months, got " + fmt_double(c.spec.income_shock_months[i]), static_cast<int>(i));
  t.series("lgd_multiplier", c.spec.lgd_multiplier, at_least(0));
  if (unemployment) {
    subtable(t, "unemployment", c, unemployment_fields<IO>);
  } else {
    t.forbid("unemployment", "is only read with unemployment_rate");
  }
}

// ---------------------------------------------------------------- Loader

// Reads a run file and the files it names. Parsed documents live as long as
// the Loader, so Readers may point into them.
// Why `file` cannot be opened, in a few words.
std::string open_error(const std::string& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return "no such file";
  if (!fs::is_regular_file(file, ec)) return "not a regular file";
  return "cannot read it";
}

class Loader {
 public:
  explicit Loader(std::string path) : path_(std::move(path)), base_(fs::path(path_).parent_path()) {}

  RunConfig load() { return load_impl(nullptr); }

  // A behaviour file on its own (a [behaviour] table and nothing else).
  BehaviourConfig load_behaviour() {
    const Value& doc = parse(path_, nullptr, "");
    Reader root(&doc, "", doc);
    const Value* table = root.find("behaviour");
    root.done();
    if (!table) fail_at(doc, "behaviour", "missing: " + path_ + " must hold a [behaviour] table");
    if (!table->is_table()) fail_at(*table, "behaviour", "must be a table, got " + describe(*table));
    BehaviourConfig b;
    b.params = default_behaviour();
    Reader r(table, "behaviour", *table);
    behaviour_fields(r, b);
    r.done();
    b.source = path_;
    return b;
  }
  SweepConfig load_sweep() {
    SweepConfig sc;
    sc.run = load_impl(&sc);
    return sc;
  }

 private:
  // Keys of [policy] a sweep may vary: a top-level key, or "section.key".
  static bool sweepable(const std::string& key) {
    static const std::vector<std::string> sections = {"initial_line", "review",    "trigger",   "decrease",
                                                      "freeze",       "temporary", "frequency", "pricing"};
    static const std::vector<std::string> arrays = {"initial_line.bands", "temporary.months", "pricing.bands"};
    const std::size_t dot = key.find('.');
    if (dot == std::string::npos) return key == "max_limit";
    const std::string section = key.substr(0, dot), field = key.substr(dot + 1);
    return std::find(sections.begin(), sections.end(), section) != sections.end() && !field.empty() &&
           field.find('.') == std::string::npos && std::find(arrays.begin(), arrays.end(), key) == arrays.end();
  }

  RunConfig load_impl(SweepConfig* sweep_out) {
    RunConfig cfg;
    cfg.source = path_;
    const Value& doc = parse(path_, nullptr, "");
    Reader root(&doc, "", doc);
    Reader run = root.sub("run");
    const Value* population = root.find("population");
    const Value* behaviour = root.find("behaviour");
    root.find("policies");
    root.find("scenarios");
    const Value* sweep = nullptr;
    if (sweep_out) {
      sweep = root.find("sweep");
      if (!sweep) root.fail("sweep", "missing: a sweep file needs a [sweep] table (see docs/config.md)");
    } else if (const Value* v = root.peek("sweep")) {
      fail_at(*v, "sweep", "a [sweep] table is read only by `limitsim sweep`; run this file with `limitsim sweep`");
    }
    root.done();

    for (const char* ref : {"population", "behaviour", "policies", "scenarios"})
      if (const Value* v = run.peek(ref))
        fail_at(*v, run.path(ref), std::string(ref) + " is a top-level key: move it above [run]");
    run_fields(run, cfg);
    run.done();
    if (population) {
      part(*population, "population", "population", cfg.population, population_fields<Reader>);
      if (cfg.population.kind == "file") resolve_population_files(*population, cfg.population);
    }
    cfg.behaviour.params = default_behaviour();
    cfg.behaviour.regions = static_cast<std::int32_t>(cfg.population.region_names.size());
    if (behaviour) part(*behaviour, "behaviour", "behaviour", cfg.behaviour, behaviour_fields<Reader>);
    check_score_scale(cfg);
    PolicyConfig policy;
    policy.params = default_policy();
    std::vector<const Value*> policy_tables;
    cfg.policies = named_parts(root, "policies", "policy", policy, policy_fields<Reader>, &policy_tables);
    cfg.scenarios = named_parts(root, "scenarios", "scenario", ScenarioConfig{}, scenario_fields<Reader>);
    for (ScenarioConfig& s : cfg.scenarios) resolve_scenario(s, cfg.months);
    for (std::size_t i = 0; i < cfg.policies.size(); ++i)
      check_freeze(cfg.policies[i].params, *policy_tables[i], cfg.behaviour.params);
    if (sweep_out) {
      if (cfg.policies.size() != 1)
        fail_at(*root.find("policies"), "policies",
                "a sweep varies one base policy: list exactly one, got " + std::to_string(cfg.policies.size()));
      expand_sweep(*sweep, *policy_tables.front(), cfg, *sweep_out);
      if (!cfg.baseline.empty() && cfg.baseline != sweep_out->base_policy)
        run.fail("baseline", "a sweep is compared with its base policy " + quote(sweep_out->base_policy) +
                                 ": leave baseline out or name the base, got " + quote(cfg.baseline));
    }
    if (!cfg.baseline.empty()) {
      std::vector<std::string> names;
      for (const PolicyConfig& p : cfg.policies) names.push_back(p.name);
      if (std::find(names.begin(), names.end(), cfg.baseline) == names.end())
        run.fail("baseline", "names no policy of this run (policies: " +
                                 (names.size() <= 8 ? join(names, ", ")
                                                    : join({names.begin(), names.begin() + 8}, ", ") + ", ...") +
                                 "), got " + quote(cfg.baseline));
    }
    return cfg;
  }

  // A file population's data and mapping are named relative to the file that
  // names them; they must exist now, so that a typo fails before any work.
  void resolve_population_files(const Value& ref, PopulationConfig& pc) {
    const Value& table = ref.is_table() ? ref : docs_.back().at("population");
    const fs::path base = pc.source.empty() ? base_ : fs::path(pc.source).parent_path();
    for (auto [key, value] : {std::pair<const char*, std::string*>{"file", &pc.file}, {"mapping", &pc.mapping}}) {
      fs::path f(*value);
      if (f.is_relative()) f = base / f;
      std::error_code ec;
      f = fs::absolute(f, ec).lexically_normal();
      if (!fs::is_regular_file(f, ec))
        fail_at(table.at(key), std::string("population.") + key, "cannot open " + quote(f.string()) + ": " + open_error(f.string()));
      *value = f.string();
    }
    set_file_regions(pc, table.at("mapping"));
  }

  // A file population's regions are its mapping's: set them now, so that the
  // behaviour's factors are validated against them.
  static void set_file_regions(PopulationConfig& pc, const Value& at) {
    const Mapping m = load_mapping(pc.mapping);
    pc.region_names = m.region_names.empty() ? std::vector<std::string>{"all"} : m.region_names;
    pc.region_shares.assign(pc.region_names.size(), 1.0 / static_cast<double>(pc.region_names.size()));
    const std::size_t cells = pc.segment_names.size() * pc.region_names.size();
    if (cells > static_cast<std::size_t>(kMaxCells))
      fail_at(at, "population.mapping",
              "its " + std::to_string(pc.region_names.size()) + " regions x " + std::to_string(pc.segment_names.size()) +
                  " score bands make more than " + std::to_string(kMaxCells) + " reporting segments");
  }

  // A behaviour calibrated on a real panel measured risk on one score scale;
  // a real population must use the same one, or miss_beta_risk would act on
  // another (docs/calibration.md).
  static void check_score_scale(const RunConfig& cfg) {
    const CalibrationInfo& c = cfg.behaviour.calibration;
    const PopulationConfig& p = cfg.population;
    if (p.kind != "file" || c.score_sd <= 0.0) return;
    if (c.score_mean == p.score_mean && c.score_sd == p.score_sd) return;
    throw ConfigError((p.source.empty() ? cfg.source : p.source) + ": population.score_mean, score_sd: " +
                      fmt_double(p.score_mean) + ", " + fmt_double(p.score_sd) + " differ from the " +
                      fmt_double(c.score_mean) + ", " + fmt_double(c.score_sd) + " that the behaviour " +
                      (cfg.behaviour.source.empty() ? std::string("") : "(" + cfg.behaviour.source + ") ") +
                      "was calibrated with (behaviour.calibration): its risk coefficients would act on another "
                      "scale; use the same values, or calibrate again with --score-mean and --score-sd");
  }

  // A freeze past the behaviour's charge-off point would never fire. `table` is the policy's table.
  static void check_freeze(const PolicyParams& p, const Value& table, const BehaviourParams& b) {
    if (p.freeze_bucket <= b.chargeoff_bucket) return;
    const Value* freeze = table.contains("freeze") ? &table.at("freeze") : nullptr;
    const Value* at = freeze && freeze->is_table() && freeze->contains("at_dpd") ? &freeze->at("at_dpd") : &table;
    fail_at(*at, "policy.freeze.at_dpd",
            "is past the behaviour's charge-off at " + std::to_string(30 * b.chargeoff_bucket) +
                " DPD, so the freeze would never fire; use at most " + std::to_string(30 * (b.chargeoff_bucket - 1)) +
                ", got " + describe(*at));
  }

  // Reads [sweep] and replaces cfg.policies with the base policy and its variants.
  void expand_sweep(const Value& table, const Value& base_table, RunConfig& cfg, SweepConfig& out) {
    constexpr std::size_t kMaxVariants = 10000;
    Reader sw(&table, "sweep", table);
    const Value* params = sw.find("parameters");
    if (!params) sw.fail("parameters", "is required: an array of { key = \"review.raise_pct\", values = [...] }");
    if (!params->is_array() || params->as_array().empty() || params->as_array().size() > 8)
      fail_at(*params, "sweep.parameters", "must be an array of 1 to 8 tables, got " + describe(*params));
    std::vector<std::vector<const Value*>> values;
    std::size_t variants = 1;
    for (std::size_t j = 0; j < params->as_array().size(); ++j) {
      const Value& row = params->as_array()[j];
      const std::string at = "sweep.parameters[" + std::to_string(j) + "]";
      if (!row.is_table()) fail_at(row, at, "must be a table, got " + describe(row));
      Reader r(&row, at, row);
      r.need("key");
      r.need("values");
      SweepParameter sp;
      r.text("key", sp.key);
      if (!sweepable(sp.key))
        r.fail("key", "must name a number or boolean key of [policy]: max_limit or <section>.<key> with section "
                      "one of initial_line, review, trigger, decrease, freeze, temporary, frequency, pricing "
                      "(not the arrays initial_line.bands, temporary.months, pricing.bands); got " +
                          quote(sp.key));
      for (const SweepParameter& q : out.parameters)
        if (q.key == sp.key) r.fail("key", "is swept twice: " + quote(sp.key));
      const Value& vs = *r.find("values");
      if (!vs.is_array() || vs.as_array().empty() || vs.as_array().size() > 1000)
        fail_at(vs, at + ".values", "must be an array of 1 to 1000 numbers or booleans, got " + describe(vs));
      std::vector<const Value*> these;
      for (std::size_t i = 0; i < vs.as_array().size(); ++i) {
        const Value& v = vs.as_array()[i];
        const std::string vk = at + ".values[" + std::to_string(i) + "]";
        if (!v.is_integer() && !v.is_floating() && !v.is_boolean())
          fail_at(v, vk, "must be a number or a boolean, got " + describe(v));
        sp.values.push_back(v.is_boolean() ? (v.as_boolean() ? "true" : "false") : literal(v));
        sp.numbers.push_back(v.is_boolean() ? (v.as_boolean() ? 1.0 : 0.0)
                                            : v.is_integer() ? static_cast<double>(v.as_integer()) : v.as_floating());
        these.push_back(&v);
      }
      r.done();
      variants *= these.size();
      if (variants > kMaxVariants)
        fail_at(*params, "sweep.parameters",
                "the grid has more than " + std::to_string(kMaxVariants) + " variants; sweep fewer values");
      values.push_back(std::move(these));
      out.parameters.push_back(std::move(sp));
    }
    std::string csv;  // "" = the output's name with .csv, decided after command-line overrides
    sw.text("csv", csv);
    if (sw.peek("csv")) sw.check(!csv.empty(), "csv", "must not be empty");
    sw.done();
    out.csv = csv;

    const PolicyConfig base = cfg.policies.front();
    out.base_policy = base.name;
    const std::size_t width = std::to_string(variants).size();
    for (std::size_t v = 0; v < variants; ++v) {
      std::vector<std::int32_t> point(values.size());
      std::size_t rest = v;
      for (std::size_t j = values.size(); j-- > 0;) {
        point[j] = static_cast<std::int32_t>(rest % values[j].size());
        rest /= values[j].size();
      }
      Value t = base_table;
      std::vector<std::string> settings;
      for (std::size_t j = 0; j < values.size(); ++j) {
        const std::string& key = out.parameters[j].key;
        const std::size_t dot = key.find('.');
        toml::table* target = &t.as_table();
        if (dot != std::string::npos) {
          Value& section = (*target)[key.substr(0, dot)];
          if (section.is_uninitialized()) section = toml::table{};
          if (!section.is_table()) fail_at(section, "policy." + key.substr(0, dot), "must be a table");
          target = &section.as_table();
        }
        (*target)[dot == std::string::npos ? key : key.substr(dot + 1)] = *values[j][point[j]];
        settings.push_back(key + " = " + out.parameters[j].values[point[j]]);
      }
      PolicyConfig pc;
      pc.params = default_policy();
      try {
        Reader r(&t, "policy", base_table);
        policy_fields(r, pc);
        r.done();
        check_freeze(pc.params, t, cfg.behaviour.params);
      } catch (const ConfigError& e) {
        throw ConfigError(std::string(e.what()) + "\n(in sweep variant " + std::to_string(v + 1) + " of " +
                          std::to_string(variants) + ": " + join(settings, ", ") + ")");
      }
      std::string index = std::to_string(v + 1);
      pc.name = base.name + ".v" + std::string(width - index.size(), '0') + index;
      pc.description = "sweep of " + base.name + ": " + join(settings, ", ");
      pc.source = base.source;
      cfg.policies.push_back(std::move(pc));
      out.grid.push_back(std::move(point));
    }
    // The base policy's own values of the swept keys, from its effective TOML (defaults included);
    // every key is known by now, since each variant has been validated.
    {
      PolicyConfig copy = base;
      std::ostringstream os;
      os << "[policy]\n";
      Writer w(os, "policy");
      policy_fields(w, copy);
      std::istringstream in(os.str());
      const Value doc = toml::parse(in, "(base policy)");
      for (SweepParameter& sp : out.parameters) {
        const std::size_t dot = sp.key.find('.');
        const Value& pol = doc.at("policy");
        const Value& v = dot == std::string::npos ? pol.at(sp.key) : pol.at(sp.key.substr(0, dot)).at(sp.key.substr(dot + 1));
        sp.base_value = v.is_boolean() ? (v.as_boolean() ? "true" : "false") : literal(v);
        sp.base_number = v.is_boolean() ? (v.as_boolean() ? 1.0 : 0.0)
                         : v.is_integer() ? static_cast<double>(v.as_integer())
                         : v.is_floating() ? v.as_floating() : std::numeric_limits<double>::quiet_NaN();
      }
    }
  }

  // Where a part's name came from: its `name` value, or the reference to it.
  struct Origin {
    const Value* table;  // the part's table (inline, or in its file)
    const Value* anchor;
    std::string key;
    std::string stem;  // the file's stem; "" for an inline part
    bool named;        // has a `name` key
  };

  const Value& parse(const std::string& file, const Value* ref, const std::string& key) {
    std::ifstream in;
    std::error_code ec;
    if (fs::is_regular_file(file, ec)) in.open(file, std::ios::binary);
    if (!in.is_open() || !in) {
      const std::string reason = "cannot open " + quote(file) + ": " + open_error(file);
      if (ref) fail_at(*ref, key, reason);
      throw ConfigError(file + ": cannot open the run file: " + open_error(file));
    }
    try {
      docs_.push_back(toml::parse(in, file));
    } catch (const toml::exception& e) {
      throw syntax_failure(e, file);
    }
    return docs_.back();
  }

  std::string resolve(const std::string& ref) const { return (base_ / ref).lexically_normal().string(); }

  // `ref` is a file name (relative to the run file) holding a [kind] table, or an inline table.
  template <class Cfg, class Fields>
  Origin part(const Value& ref, const std::string& key, const std::string& kind, Cfg& cfg, Fields fields) {
    if (ref.is_table()) {
      Reader r(&ref, key, ref);
      fields(r, cfg);
      r.done();
      return origin(r, ref, ref, key, "");
    }
    if (!ref.is_string()) fail_at(ref, key, "must be a file name or a table, got " + describe(ref));
    const std::string file = resolve(ref.as_string().str);
    const Value& doc = parse(file, &ref, key);
    Reader root(&doc, "", doc);
    const Value* table = root.find(kind);
    root.done();
    if (!table) fail_at(doc, kind, "missing: " + file + " must hold a [" + kind + "] table");
    if (!table->is_table()) fail_at(*table, kind, "must be a table, got " + describe(*table));
    Reader r(table, kind, *table);
    fields(r, cfg);
    r.done();
    cfg.source = file;
    return origin(r, *table, ref, key, fs::path(file).stem().string());
  }

  static Origin origin(const Reader& r, const Value& table, const Value& ref, const std::string& key,
                       std::string stem) {
    const Value* name = r.peek("name");
    return name ? Origin{&table, name, r.path("name"), std::move(stem), true}
                : Origin{&table, &ref, key, std::move(stem), false};
  }

  // The non-empty array `list_key` of named parts (policies or scenarios).
  template <class Cfg, class Fields>
  std::vector<Cfg> named_parts(Reader& root, const std::string& list_key, const std::string& kind, const Cfg& proto,
                               Fields fields, std::vector<const Value*>* tables = nullptr) {
    const Value* list = root.find(list_key);
    if (!list) root.fail(list_key, "missing: at least one " + kind + " is required");
    if (!list->is_array() || list->as_array().empty())
      fail_at(*list, list_key, "must be a non-empty array of file names or tables, got " + describe(*list));
    std::vector<Cfg> out;
    std::map<std::string, std::string> seen;  // name -> where it was defined
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
      Cfg cfg = proto;
      const std::string key = list_key + "[" + std::to_string(i) + "]";
      const Origin o = part(list->as_array()[i], key, kind, cfg, fields);
      if (tables) tables->push_back(o.table);
      if (!o.named) {
        if (o.stem.empty()) fail_at(*o.anchor, o.key, "an inline " + kind + " needs a name");
        cfg.name = o.stem;
      }
      const std::string bad = name_error(cfg.name);
      if (!bad.empty()) fail_at(*o.anchor, o.key, (o.named ? "" : "taken from the file name: ") + bad);
      const auto inserted = seen.emplace(cfg.name, where(*o.anchor));
      if (!inserted.second)
        fail_at(*o.anchor, o.key,
                kind + " name " + quote(cfg.name) + " is already used (at " + inserted.first->second + ")");
      out.push_back(std::move(cfg));
    }
    return out;
  }

  std::string path_;
  fs::path base_;
  std::deque<Value> docs_;
};

// An override's value checked against the file key's range.
void check_option(const char* option, double x, Range r) {
  const std::string bad = range_error(x, r, true);
  if (!bad.empty()) throw ConfigError(std::string(option) + ": " + bad);
}

template <class Field>
std::vector<double> column(const std::vector<ScenarioMonth>& months, Field field) {
  std::vector<double> out;
  for (const ScenarioMonth& m : months) out.push_back(m.*field);
  return out;
}

std::string comment_safe(std::string s) {
  std::replace_if(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, '?');
  return s;
}

}  // namespace

// ---------------------------------------------------------------- public API

BehaviourParams default_behaviour() {
  BehaviourParams p;
  std::memset(&p, 0, sizeof p);
  p.spend_sigma = 0.5;
  p.spend_limit_elasticity = 0.1;
  p.draws_extra_mean = 1.0;
  p.draws_beta_risk = 0.3;
  p.draws_beta_util = 0.5;
  p.min_payment_rate = 0.10;
  p.min_payment_floor = 5000;  // 50.00
  p.apr = 0.18;
  p.late_fee = 2500;  // 25.00
  p.miss_intercept = logit(kDefaultMissProbability);
  p.miss_beta_risk = 0.9;
  p.miss_beta_util = 1.5;
  p.util_ref = 0.5;
  set_by_bucket(p.roll, {0.20, 0.45, 0.65, 0.75, 0.80, 0.85});
  set_by_bucket(p.cure, {0.60, 0.25, 0.12, 0.08, 0.05, 0.03});
  p.roll_beta_risk = 0.3;
  p.roll_beta_util = 0.5;
  p.chargeoff_bucket = 6;  // 180 DPD
  p.rho = 0.04;
  p.income_shock_beta = 3.0;
  p.lgd_mode = LgdMode::kFixed;
  p.lgd = 0.85;
  p.attrition_rate = 0.005;
  p.score_bucket_penalty = 40.0;
  p.score_recent_penalty = 60.0;
  p.score_recent_months = 12;
  p.score_util_penalty = 80.0;
  return p;
}

PolicyParams default_policy() {
  PolicyParams p;
  std::memset(&p, 0, sizeof p);  // every lever off: no review, trigger, decrease, freeze, temporary raise, signal
  set_bands(p, {{350.0, 1.0, 50000, 5000000}});  // floor 500.00, cap 50,000.00
  p.line_rounding = 10000;                         // 100.00
  p.max_limit = 100000000;                         // 1,000,000.00
  p.review_every = 0;
  p.review_min_clean_months = 6;
  p.review_min_months_on_book = 0;
  p.review_lookback = 6;
  p.review_min_utilization = 0.5;
  p.review_min_score = 600.0;
  p.review_raise_pct = 0.20;
  p.review_raise_amount = 0;
  p.review_max_raise = 1000000;  // 10,000.00
  p.trigger_clean_months = 0;
  p.trigger_min_utilization = 0.8;
  p.trigger_min_score = 600.0;
  p.trigger_raise_pct = 0.20;
  p.trigger_raise_amount = 0;
  p.trigger_max_raise = 1000000;  // 10,000.00
  p.decrease_score_below = 0.0;
  p.decrease_high_util = 0.0;
  p.decrease_high_util_months = 3;
  p.decrease_score_drop = 20.0;
  p.decrease_cut_to_pct = 0.0;
  p.decrease_cooldown_months = 3;
  p.freeze_bucket = 0;
  p.unfreeze_after_clean_months = 0;
  p.temp_raise_pct = 0.0;
  p.temp_raise_amount = 0;
  p.freq_window = 0;
  p.freq_max_draws = 10;
  p.freq_block_increases = 1;
  p.freq_cut_to_pct = 0.0;
  p.n_price_bands = 0;
  return p;
}

ScenarioMonth neutral_scenario_month() { return ScenarioMonth{0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 6}; }

std::vector<double> factor_correlation(const BehaviourConfig& b, int regions) {
  const std::size_t R = static_cast<std::size_t>(regions);
  std::vector<double> c(R * R);
  for (std::size_t i = 0; i < R; ++i)
    for (std::size_t j = 0; j < R; ++j)
      c[i * R + j] = i == j ? 1.0
                            : (b.factor_correlation_matrix.empty() ? b.factor_correlation
                                                                   : b.factor_correlation_matrix[i][j]);
  return c;
}

void resolve_scenario(ScenarioConfig& s, std::int32_t months) {
  const ScenarioMonth neutral = neutral_scenario_month();
  auto at = [](const std::vector<double>& v, std::size_t m, double fallback) {
    return v.empty() ? fallback : v[std::min(m, v.size() - 1)];
  };
  s.months.assign(static_cast<std::size_t>(std::max(months, 0)), neutral);
  for (std::size_t m = 0; m < s.months.size(); ++m) {
    s.months[m].factor_shift = at(s.spec.factor_shift, m, neutral.factor_shift);
    s.months[m].miss_mult = at(s.spec.miss_multiplier, m, neutral.miss_mult);
    s.months[m].roll_mult = at(s.spec.roll_multiplier, m, neutral.roll_mult);
    s.months[m].spend_mult = at(s.spec.spend_multiplier, m, neutral.spend_mult);
    s.months[m].shock_size = at(s.spec.income_shock_size, m, neutral.shock_size);
    s.months[m].shock_months =
        static_cast<std::int32_t>(at(s.spec.income_shock_months, m, static_cast<double>(neutral.shock_months)));
    s.months[m].lgd_mult = at(s.spec.lgd_multiplier, m, neutral.lgd_mult);
    s.months[m].shock_prob = at(s.spec.income_shock_probability, m, neutral.shock_prob);
  }
  s.unemployment.clear();
  if (!s.spec.unemployment_rate.empty()) {
    for (std::size_t m = 0; m < s.months.size(); ++m) {
      const double excess = at(s.spec.unemployment_rate, m, 0.0) - s.spec.unemployment_base_rate;
      s.unemployment.push_back(at(s.spec.unemployment_rate, m, 0.0));
      s.months[m].factor_shift = -s.spec.unemployment_factor_per_point * excess;
      s.months[m].shock_prob = std::max(0.0, excess) / 100.0 / s.months[m].shock_months;
    }
  }
}

namespace {

// Runs one Loader entry point, turning every failure into a ConfigError that
// names the file (and the line, where toml11 knows it).
template <typename F>
auto load_with_errors(const std::string& path, F&& load) -> decltype(load(std::declval<Loader&>())) {
  return toml_io::with_file_errors(path, [&] {
    Loader loader(path);
    return load(loader);
  });
}

}  // namespace

SweepConfig load_sweep_config(const std::string& path) {
  return load_with_errors(path, [](Loader& l) { return l.load_sweep(); });
}

RunConfig load_run_config(const std::string& path) {
  return load_with_errors(path, [](Loader& l) { return l.load(); });
}

BehaviourConfig load_behaviour_config(const std::string& path) {
  return load_with_errors(path, [](Loader& l) { return l.load_behaviour(); });
}

void apply_overrides(RunConfig& cfg, const Overrides& o) {
  RunConfig c = cfg;  // all or nothing
  if (o.population_file || o.mapping) {
    if (c.population.kind != "file" && !(o.population_file && o.mapping))
      throw ConfigError(std::string(o.population_file ? "--population" : "--mapping") +
                        ": a real population needs both --population DATA and --mapping MAPPING");
    c.population.kind = "file";
    for (auto [option, given, field] :
         {std::tuple<const char*, const std::optional<std::string>*, std::string*>{"--population", &o.population_file,
                                                                                   &c.population.file},
          {"--mapping", &o.mapping, &c.population.mapping}}) {
      if (!*given) continue;
      std::error_code ec;
      const fs::path f = fs::absolute(fs::path(**given), ec).lexically_normal();
      if (given->value().empty() || !fs::is_regular_file(f, ec))
        throw ConfigError(std::string(option) + ": cannot open " + quote(**given) + ": " + open_error(f.string()));
      *field = f.string();
    }
    if (o.population_file) c.population.sha256.clear();  // another file: the config's checksum is not its
    // The regions are the mapping's; the behaviour's factors must fit them.
    const Mapping m = load_mapping(c.population.mapping);
    const std::string option = o.mapping ? "--mapping" : "--population";
    c.population.region_names = m.region_names.empty() ? std::vector<std::string>{"all"} : m.region_names;
    const int R = static_cast<int>(c.population.region_names.size());
    c.population.region_shares.assign(static_cast<std::size_t>(R), 1.0 / R);
    if (c.population.segment_names.size() * static_cast<std::size_t>(R) > static_cast<std::size_t>(kMaxCells))
      throw ConfigError(option + ": the mapping's " + std::to_string(R) + " regions x " +
                        std::to_string(c.population.segment_names.size()) + " score bands make more than " +
                        std::to_string(kMaxCells) + " reporting segments");
    const BehaviourConfig& b = c.behaviour;
    if (!b.factor_correlation_matrix.empty() && b.factor_correlation_matrix.size() != static_cast<std::size_t>(R))
      throw ConfigError(option + ": the mapping " + m.source + " has " + std::to_string(R) +
                        " regions, but behaviour.factors.correlation is a " +
                        std::to_string(b.factor_correlation_matrix.size()) + " x " +
                        std::to_string(b.factor_correlation_matrix.size()) + " matrix");
    const std::vector<double> ev = symmetric_eigenvalues(factor_correlation(b, R), R);
    if (ev.front() < -1e-10)
      throw ConfigError(option + ": behaviour.factors.correlation is not positive semi-definite for the mapping's " +
                        std::to_string(R) + " regions (smallest eigenvalue " + fmt_short(ev.front()) +
                        "; a common correlation must be >= -1/(regions - 1))");
    c.behaviour.regions = R;
  }
  if ((o.as_of || o.on_bad_row) && c.population.kind != "file")
    throw ConfigError(std::string(o.as_of ? "--as-of" : "--on-bad-row") +
                      ": applies to a real population only (kind = \"file\", or --population and --mapping)");
  if (o.as_of) c.population.as_of = *o.as_of;
  if (o.on_bad_row) {
    const std::string bad = choice_error(*o.on_bad_row, {"error", "skip"});
    if (!bad.empty()) throw ConfigError("--on-bad-row: " + bad);
    c.population.on_bad_row = *o.on_bad_row;
  }
  if (o.customers) {
    if (c.population.kind == "file")
      throw ConfigError("--customers: a real population has the customers of its data file (" + c.population.file +
                        "); select rows in the file instead");
    check_option("--customers", static_cast<double>(*o.customers), kCustomersRange);
    c.population.customers = *o.customers;
  }
  if (o.paths) {
    check_option("--paths", *o.paths, kPathsRange);
    c.paths = *o.paths;
  }
  if (o.months) {
    check_option("--months", *o.months, kMonthsRange);
    c.months = *o.months;
    // Report months past a shortened horizon are dropped; the horizon itself is always reported.
    c.report_months.erase(std::remove_if(c.report_months.begin(), c.report_months.end(),
                                         [&](std::int32_t m) { return m > c.months; }),
                          c.report_months.end());
    for (ScenarioConfig& s : c.scenarios) resolve_scenario(s, c.months);
  }
  if (o.seed) {
    if (*o.seed > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      throw ConfigError("--seed: must be <= " + std::to_string(std::numeric_limits<std::int64_t>::max()) + ", got " +
                        std::to_string(*o.seed));
    c.seed = *o.seed;
  }
  if (o.threads) {
    check_option("--threads", *o.threads, kThreadsRange);
    c.threads = *o.threads;
  }
  if (o.batch_size) {
    check_option("--batch-size", static_cast<double>(*o.batch_size), kBatchRange);
    c.batch_size = *o.batch_size;
  }
  if (o.output) {
    if (o.output->empty()) throw ConfigError("--out: must not be empty");
    c.output = *o.output;
  }
  if (o.importance_shift) {
    const std::string bad = range_error(*o.importance_shift, closed(0, 8), false);
    if (!bad.empty()) throw ConfigError("--importance-shift: " + bad);
    c.importance_shift = *o.importance_shift;
  }
  if (o.backend) {
    const std::string bad = choice_error(*o.backend, kBackends);
    if (!bad.empty()) throw ConfigError("--backend: " + bad);
    c.backend = *o.backend;
  }
  cfg = std::move(c);
}

std::string effective_toml(const RunConfig& in) {
  RunConfig cfg = in;  // the field templates take non-const references
  std::ostringstream os;
  os << "# Effective configuration of run " << comment_safe(quote(cfg.name)) << ", read from "
     << comment_safe(cfg.source.empty() ? "(no file)" : cfg.source) << ".\n"
     << "# Written by limitsim: every value explicit, every file inlined; money in currency units.\n"
     << "\n[run]\n";
  Writer run(os, "run");
  run_fields(run, cfg);

  os << "\n[population]\n";
  Writer population(os, "population");
  population_fields(population, cfg.population);

  Writer behaviour(os, "behaviour");
  behaviour_fields(behaviour, cfg.behaviour);

  for (PolicyConfig& p : cfg.policies) {
    os << "\n[[policies]]\n";
    Writer w(os, "policies");
    policy_fields(w, p);
  }
  for (ScenarioConfig& s : cfg.scenarios) {
    s.spec.factor_shift = column(s.months, &ScenarioMonth::factor_shift);
    s.spec.miss_multiplier = column(s.months, &ScenarioMonth::miss_mult);
    s.spec.roll_multiplier = column(s.months, &ScenarioMonth::roll_mult);
    s.spec.spend_multiplier = column(s.months, &ScenarioMonth::spend_mult);
    s.spec.income_shock_probability = column(s.months, &ScenarioMonth::shock_prob);
    s.spec.income_shock_size = column(s.months, &ScenarioMonth::shock_size);
    s.spec.income_shock_months = column(s.months, &ScenarioMonth::shock_months);
    s.spec.lgd_multiplier = column(s.months, &ScenarioMonth::lgd_mult);
    if (!s.spec.unemployment_rate.empty()) s.spec.unemployment_rate = s.unemployment;
    os << "\n[[scenarios]]\n";
    Writer w(os, "scenarios");
    scenario_fields(w, s);
  }
  return os.str();
}

}  // namespace limitsim

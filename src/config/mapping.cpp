// Mapping files (docs/data.md "The mapping file"): TOML -> a validated Mapping.
//
// The same conventions as the other config files (src/config/fields.hpp): every error starts with
// `file:line: dotted.key: reason`, followed by toml11's excerpt with a caret;
// unknown keys are errors, so a misspelt key is never silently ignored.

#include <toml.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <utility>

#include "src/config/mapping.hpp"
#include "src/config/toml_io.hpp"
#include "kernels/params.hpp"

namespace limitsim {
namespace {

namespace fs = std::filesystem;
using Value = toml::value;

constexpr std::size_t kMaxPanelMonths = 600;  // the model's horizon limit; far beyond any real panel
constexpr double kMaxMoney = 1e12;            // currency units, as in src/config/fields.hpp
constexpr double kMaxMoneyScale = 1e6;

using toml_io::describe;
using toml_io::fail_at;
using toml_io::fmt_double;
using toml_io::join;
using toml_io::quote;
using Reader = toml_io::TableReader;

using toml_io::to_number;
using toml_io::to_text;

const std::vector<std::string> kStaticFields = {"id",     "limit",          "balance", "status", "score",
                                                "income", "months_on_book", "region",  "label"};

// Every column named anywhere in the mapping, to refuse one column mapped twice.
class ColumnRegistry {
 public:
  void add(const Value& v, const std::string& key, const std::string& column) {
    if (column.empty()) fail_at(v, key, "must name a column, got an empty string");
    const auto it = seen_.find(column);
    if (it != seen_.end()) fail_at(v, key, "column " + quote(column) + " is already mapped by " + it->second);
    seen_.emplace(column, key);
  }

 private:
  std::map<std::string, std::string> seen_;
};

std::vector<std::string> series(Reader& panel, const std::string& key, std::size_t months, ColumnRegistry& cols) {
  const Value* v = panel.find(key);
  if (!v) return {};
  if (!v->is_array()) fail_at(*v, panel.path(key), "must be an array of column names, got " + describe(*v));
  const auto& a = v->as_array();
  if (a.size() != months)
    fail_at(*v, panel.path(key),
            "must have one column per month of panel.months (" + std::to_string(months) + "), got " +
                std::to_string(a.size()));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string k = panel.path(key) + "[" + std::to_string(i) + "]";
    out.push_back(to_text(a[i], k));
    cols.add(a[i], k, out.back());
  }
  return out;
}

UsageType usage_type(const Value& v, const std::string& key) {
  const std::string s = to_text(v, key);
  if (s == "none") return UsageType::kNone;
  if (s == "inactive") return UsageType::kInactive;
  if (s == "transactor") return UsageType::kTransactor;
  if (s == "revolver") return UsageType::kRevolver;
  fail_at(v, key, "must be one of none, inactive, transactor, revolver, got " + quote(s));
}

void read_codes(Reader& status, Mapping& m) {
  const Value* codes = status.find("codes");
  if (!codes) status.fail("codes", "is required: a status column is mapped, so every code it may hold must be listed");
  const std::string key = status.path("codes");
  if (!codes->is_table()) fail_at(*codes, key, "must be a table of code = { bucket, type }, got " + describe(*codes));
  if (codes->as_table().empty()) fail_at(*codes, key, "must list at least one code");
  // Sorted by position so that errors come out in file order.
  std::vector<std::pair<std::string, const Value*>> entries;
  for (const auto& kv : codes->as_table()) entries.emplace_back(kv.first, &kv.second);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.second->location().line(), a.second->location().column()) <
           std::make_pair(b.second->location().line(), b.second->location().column());
  });
  for (const auto& [name, v] : entries) {
    const std::string k = key + "." + quote(name);
    std::int64_t code = 0;
    const char* end = name.data() + name.size();
    const auto r = std::from_chars(name.data(), end, code);
    if (name.empty() || r.ec != std::errc() || r.ptr != end)
      fail_at(*v, k, "a status code must be a 64-bit integer written as a key, e.g. \"-2\" or \"1\", got " + quote(name));
    if (!v->is_table())
      fail_at(*v, k, "must be a table { bucket = 0..6 or \"charged_off\", type = \"...\" }, got " + describe(*v));
    Reader r2(v, k, *v);
    StatusCode sc;
    const Value* b = r2.find("bucket");
    if (!b) r2.fail("bucket", "is required");
    if (b->is_string() && b->as_string().str == "charged_off") {
      sc.bucket = kChargedOffBucket;
    } else {
      if (!b->is_integer())
        fail_at(*b, r2.path("bucket"), "must be an integer bucket 0..6 or \"charged_off\", got " + describe(*b));
      if (b->as_integer() < 0 || b->as_integer() >= kMaxBuckets)
        fail_at(*b, r2.path("bucket"),
                "must be a delinquency bucket 0..6 (0 current, b = b x 30 days past due) or \"charged_off\", got " +
                    std::to_string(b->as_integer()));
      sc.bucket = static_cast<std::int32_t>(b->as_integer());
    }
    if (const Value* t = r2.find("type")) sc.type = usage_type(*t, r2.path("type"));
    r2.done();
    if (!m.codes.emplace(code, sc).second)
      fail_at(*v, k, "code " + std::to_string(code) + " is listed twice (as another spelling of the same number)");
  }
}

void read_defaults(Reader& d, Mapping& m) {
  if (const Value* v = d.find("score")) {
    const std::string key = d.path("score");
    if (m.columns.count("score")) fail_at(*v, key, "not used: fields.score maps a score column");
    if (v->is_table()) {
      Reader r(v, key, *v);
      const Value* of = r.find("rank_of");
      if (!of) r.fail("rank_of", "is required in a rank rule (or give a constant score)");
      const std::string field = to_text(*of, r.path("rank_of"));
      // fields.limit is required, so the rank rule always has its column.
      if (field != "limit") fail_at(*of, r.path("rank_of"), "must be \"limit\" (the only rank rule), got " + quote(field));
      m.score.kind = ScoreRule::Kind::kLimitRank;
      if (const Value* x = r.find("mean")) {
        m.score.mean = to_number(*x, r.path("mean"));
        if (m.score.mean < 350.0 || m.score.mean > 950.0)
          fail_at(*x, r.path("mean"), "must be in [350, 950], got " + fmt_double(m.score.mean));
      }
      if (const Value* x = r.find("sd")) {
        m.score.sd = to_number(*x, r.path("sd"));
        if (!(m.score.sd > 0.0) || m.score.sd > 600.0)
          fail_at(*x, r.path("sd"), "must be in (0, 600], got " + fmt_double(m.score.sd));
      }
      r.done();
    } else {
      m.score.kind = ScoreRule::Kind::kConstant;
      m.score.value = to_number(*v, key);
      if (m.score.value < 350.0 || m.score.value > 950.0)
        fail_at(*v, key, "a constant score must be in [350, 950], got " + fmt_double(m.score.value));
    }
  }
  if (const Value* v = d.find("income")) {
    const std::string key = d.path("income");
    if (m.columns.count("income")) fail_at(*v, key, "not used: fields.income maps an income column");
    if (v->is_table()) {
      Reader r(v, key, *v);
      const Value* x = r.find("limit_multiple");
      if (!x) r.fail("limit_multiple", "is required (income = limit / limit_multiple), or give a constant income");
      m.income_limit_multiple = to_number(*x, r.path("limit_multiple"));
      if (!(m.income_limit_multiple >= 0.01) || m.income_limit_multiple > 1000.0)
        fail_at(*x, r.path("limit_multiple"), "must be in [0.01, 1000], got " + fmt_double(m.income_limit_multiple));
      r.done();
    } else {
      const double units = to_number(*v, key);
      if (units < 0.0 || units > kMaxMoney)
        fail_at(*v, key, "must be in [0, 1e12] currency units, got " + fmt_double(units));
      m.income = std::llround(units * 100.0);
      m.income_limit_multiple = 0.0;
    }
  }
  if (const Value* v = d.find("months_on_book")) {
    const std::string key = d.path("months_on_book");
    if (m.columns.count("months_on_book")) fail_at(*v, key, "not used: fields.months_on_book maps a column");
    if (!v->is_integer()) fail_at(*v, key, "must be an integer, got " + describe(*v));
    if (v->as_integer() < 0 || v->as_integer() > std::numeric_limits<std::int32_t>::max())
      fail_at(*v, key, "must be >= 0, got " + std::to_string(v->as_integer()));
    m.months_on_book = static_cast<std::int32_t>(v->as_integer());
  }
  d.done();
}

Mapping read_mapping(const Value& doc, const std::string& path) {
  Mapping m;
  m.source = path;
  Reader root(&doc, "", doc);
  ColumnRegistry cols;

  Reader source = root.sub("source");
  if (const Value* v = source.find("format")) {
    m.format = to_text(*v, source.path("format"));
    if (m.format != "csv" && m.format != "hdf5")
      fail_at(*v, source.path("format"), "must be \"csv\" or \"hdf5\", got " + quote(m.format));
  }
  if (const Value* v = source.find("delimiter")) {
    const std::string d = to_text(*v, source.path("delimiter"));
    if (m.format == "hdf5") fail_at(*v, source.path("delimiter"), "only applies to CSV, but format is \"hdf5\"");
    if (d.size() != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r' || d[0] == ' ')
      fail_at(*v, source.path("delimiter"),
              "must be one character other than a double quote, a space or a line break, got " + quote(d));
    m.delimiter = d[0];
  }
  if (const Value* v = source.find("money_scale")) {
    m.money_scale = to_number(*v, source.path("money_scale"));
    if (!(m.money_scale > 0.0) || m.money_scale > kMaxMoneyScale)
      fail_at(*v, source.path("money_scale"), "must be in (0, 1e6], got " + fmt_double(m.money_scale));
  }
  source.done();

  Reader fields = root.sub("fields");
  if (!fields.present()) root.fail("fields", "missing: a [fields] table naming at least the id and limit columns");
  for (const std::string& f : kStaticFields) {
    if (const Value* v = fields.find(f)) {
      m.columns[f] = to_text(*v, fields.path(f));
      cols.add(*v, fields.path(f), m.columns[f]);
    }
  }
  for (const char* req : {"id", "limit"})
    if (!m.columns.count(req)) fields.fail(req, "is required: every customer needs its own id and its limit");
  fields.done();

  Reader panel = root.sub("panel");
  if (panel.present()) {
    const Value* months = panel.find("months");
    if (!months) panel.fail("months", "is required: name every panel month, oldest first (e.g. \"2005-04\")");
    if (!months->is_array()) fail_at(*months, panel.path("months"), "must be an array of month names, got " + describe(*months));
    const auto& a = months->as_array();
    if (a.empty() || a.size() > kMaxPanelMonths)
      fail_at(*months, panel.path("months"),
              "must name 1 to " + std::to_string(kMaxPanelMonths) + " months, got " + std::to_string(a.size()));
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string k = panel.path("months") + "[" + std::to_string(i) + "]";
      const std::string name = to_text(a[i], k);
      if (name.empty()) fail_at(a[i], k, "a month name must not be empty");
      if (name.find(':') != std::string::npos)
        fail_at(a[i], k, "a month name must not contain ':' (calibrate --window FIRST:LAST splits at it), got " +
                             quote(name));
      if (std::find(m.months.begin(), m.months.end(), name) != m.months.end())
        fail_at(a[i], k, "month " + quote(name) + " is named twice");
      m.months.push_back(name);
    }
    m.status_columns = series(panel, "status", a.size(), cols);
    m.balance_columns = series(panel, "balance", a.size(), cols);
    m.payment_columns = series(panel, "payment", a.size(), cols);
    if (m.status_columns.empty() && m.balance_columns.empty() && m.payment_columns.empty())
      fail_at(*months, panel.path("months"), "a panel needs at least one series: status, balance or payment");
    for (const char* f : {"balance", "status"}) {
      if (m.columns.count(f)) {
        Reader again(&doc.at("fields"), "fields", doc.at("fields"));
        again.fail(f, std::string("a snapshot column cannot be combined with [panel]; map the monthly series as panel.") +
                          f + " instead");
      }
    }
  }
  panel.done();

  const bool has_status = m.columns.count("status") || !m.status_columns.empty();
  Reader status = root.sub("status");
  if (has_status) {
    // Without a [status] table the error points at the status column's mapping.
    if (!status.present())
      fail_at(m.columns.count("status") ? doc.at("fields").at("status") : doc.at("panel").at("status"), "status.codes",
              "is required: a status column is mapped, so every code it may hold must be listed");
    read_codes(status, m);
  } else if (status.present()) {
    fail_at(status.anchor(), "status", "not used: no status column is mapped (fields.status or panel.status)");
  }
  status.done();

  Reader regions = root.sub("regions");
  if (m.columns.count("region")) {
    const Value* names = regions.find("names");
    if (!names)
      fail_at(regions.present() ? regions.anchor() : doc.at("fields").at("region"), "regions.names",
              "is required with fields.region: the region names the column may hold");
    const std::string key = regions.path("names");
    if (!names->is_array()) fail_at(*names, key, "must be an array of region names, got " + describe(*names));
    const auto& a = names->as_array();
    if (a.empty() || a.size() > static_cast<std::size_t>(kMaxRegions))
      fail_at(*names, key, "must have 1 to " + std::to_string(kMaxRegions) + " names, got " + std::to_string(a.size()));
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string k = key + "[" + std::to_string(i) + "]";
      const std::string n = to_text(a[i], k);
      const bool repeated = std::find(m.region_names.begin(), m.region_names.end(), n) != m.region_names.end();
      if (n.empty() || repeated || n.find('/') != std::string::npos)
        fail_at(a[i], k, "names must be non-empty, unique and free of '/', got " + quote(n));
      m.region_names.push_back(n);
    }
  } else if (regions.present()) {
    fail_at(regions.anchor(), "regions", "not used: no region column is mapped (fields.region)");
  }
  regions.done();

  Reader defaults = root.sub("defaults");
  read_defaults(defaults, m);
  root.done();
  return m;
}

}  // namespace

Mapping load_mapping(const std::string& path) {
  std::ifstream in;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) in.open(path, std::ios::binary);
  if (!in.is_open() || !in)
    throw ConfigError(path + ": cannot open the mapping file: " +
                      (fs::exists(path, ec) ? "not a readable regular file" : "no such file"));
  const Value doc = toml_io::parse_stream(in, path);
  return toml_io::with_file_errors(path, [&] { return read_mapping(doc, path); });
}

}  // namespace limitsim

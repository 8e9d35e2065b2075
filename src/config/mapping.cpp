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

// The columns of the panel's series: each may appear once (a column named in
// two months, or in two series, is nearly always a copy-and-paste slip).
// Static fields and fill rules may share columns with each other and with the
// series: one column may feed several fields.
class ColumnRegistry {
 public:
  void add(const Value& v, const std::string& key, const std::string& column) {
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
    if (out.back().empty()) fail_at(a[i], k, "must name a column, got an empty string");
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

// A bucket 0..6 (from = 0) or 1..6 (from = 1), or "charged_off".
std::int32_t bucket_value(const Value& b, const std::string& key, int from) {
  if (b.is_string() && b.as_string().str == "charged_off") return kChargedOffBucket;
  const std::string range = std::to_string(from) + "..6";
  if (!b.is_integer())
    fail_at(b, key, "must be an integer bucket " + range + " or \"charged_off\", got " + describe(b));
  if (b.as_integer() < from || b.as_integer() >= kMaxBuckets)
    fail_at(b, key,
            "must be a delinquency bucket " + range + (from == 0 ? " (0 current, " : " (") +
                "b = b x 30 days past due) or \"charged_off\", got " + std::to_string(b.as_integer()));
  return static_cast<std::int32_t>(b.as_integer());
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
    if (code < kMinStatusCode || code > kMaxStatusCode)
      fail_at(*v, k, "a status code must be in " + std::to_string(kMinStatusCode) + ".." + std::to_string(kMaxStatusCode) +
                         " (it is stored in 16 bits), got " + std::to_string(code));
    if (!v->is_table())
      fail_at(*v, k, "must be a table { bucket = 0..6 or \"charged_off\", type = \"...\" }, got " + describe(*v));
    Reader r2(v, k, *v);
    StatusCode sc;
    const Value* b = r2.find("bucket");
    if (!b) r2.fail("bucket", "is required");
    sc.bucket = bucket_value(*b, r2.path("bucket"), 0);
    if (const Value* t = r2.find("type")) sc.type = usage_type(*t, r2.path("type"));
    r2.done();
    if (!m.codes.emplace(code, sc).second)
      fail_at(*v, k, "code " + std::to_string(code) + " is listed twice (as another spelling of the same number)");
  }
}

// [status] from_counts: the bucket from counts of past-due events.
void read_count_rules(const Value& v, const std::string& key, Mapping& m) {
  if (!v.is_array() || v.as_array().empty())
    fail_at(v, key, "must be an array of { column, bucket, min_count } tables, got " + describe(v));
  for (std::size_t i = 0; i < v.as_array().size(); ++i) {
    const Value& e = v.as_array()[i];
    const std::string k = key + "[" + std::to_string(i) + "]";
    if (!e.is_table()) fail_at(e, k, "must be a table { column, bucket, min_count }, got " + describe(e));
    Reader r(&e, k, e);
    CountRule rule;
    const Value* c = r.find("column");
    const Value* b = r.find("bucket");
    const Value* n = r.find("min_count");
    if (!c) r.fail("column", "is required: the column holding a count of past-due events");
    if (!b) r.fail("bucket", "is required: the bucket a count of at least min_count means (1..6 or \"charged_off\")");
    rule.column = to_text(*c, r.path("column"));
    rule.bucket = bucket_value(*b, r.path("bucket"), 1);
    if (n) {
      rule.min_count = to_number(*n, r.path("min_count"));
      if (!(rule.min_count > 0.0)) fail_at(*n, r.path("min_count"), "must be > 0, got " + fmt_double(rule.min_count));
    }
    r.done();
    for (const CountRule& other : m.status_from_counts)
      if (other.column == rule.column) fail_at(*c, r.path("column"), "column " + quote(rule.column) + " is listed twice");
    m.status_from_counts.push_back(rule);
  }
}

double money_units(const Value& v, const std::string& key) {
  const double units = to_number(v, key);
  if (units < 0.0 || units > kMaxMoney) fail_at(v, key, "must be in [0, 1e12] currency units, got " + fmt_double(units));
  return units;
}

double positive(const Value& v, const std::string& key, double lo, double hi) {
  const double x = to_number(v, key);
  if (!(x >= lo) || x > hi) fail_at(v, key, "must be in [" + fmt_double(lo) + ", " + fmt_double(hi) + "], got " + fmt_double(x));
  return x;
}

// A field that has a column may have a [defaults] entry only as the fill of its NA cells.
void check_fallback(const Value& v, const std::string& key, const Mapping& m, const std::string& field) {
  if (!m.columns.count(field) || !m.na_values.empty()) return;
  fail_at(v, key, "not used: fields." + field + " maps " +
                      (field == "score" || field == "income" ? std::string(field == "score" ? "a score" : "an income") +
                                                                   " column"
                                                             : "a column") +
                      "; a default for a field with a column fills only its NA cells, so set [source] na_values");
}

// [defaults] limit / income / balance.
MoneyRule money_rule(const Value& v, const std::string& key, const std::string& field) {
  MoneyRule rule;
  if (!v.is_table()) {
    rule.kind = MoneyRule::Kind::kConstant;
    rule.cents = std::llround(money_units(v, key) * 100.0);
    return rule;
  }
  Reader r(&v, key, v);
  const char* from = field == "limit" ? "income_multiple" : (field == "income" ? "limit_multiple" : nullptr);
  const Value* f = from ? r.find(from) : nullptr;
  const Value* col = r.find("column");
  const Value* factor = r.find("factor");
  const Value* ratio = field == "balance" ? r.find("ratio") : nullptr;
  const Value* cap = field == "balance" ? r.find("max_ratio") : nullptr;
  const int given = (f != nullptr) + (col != nullptr) + (ratio != nullptr);
  const std::string forms = field == "limit"     ? "{ income_multiple = m } or { column = \"X\", factor = f }"
                            : field == "income" ? "{ limit_multiple = m } or { column = \"X\", factor = f }"
                                                 : "{ ratio = \"X\" } or { column = \"X\", factor = f }";
  if (given != 1) {
    r.done();  // an unknown key is named first
    fail_at(v, key, "must be a number or one of " + forms);
  }
  if (f) {
    rule.kind = MoneyRule::Kind::kFromField;
    rule.multiple = positive(*f, r.path(from), 0.01, 1000.0);
  } else if (col) {
    rule.kind = MoneyRule::Kind::kColumn;
    rule.column = to_text(*col, r.path("column"));
    rule.multiple = factor ? positive(*factor, r.path("factor"), 1e-6, 1e6) : 1.0;
  } else {
    rule.kind = MoneyRule::Kind::kRatio;
    rule.column = to_text(*ratio, r.path("ratio"));
    if (cap) rule.max_ratio = positive(*cap, r.path("max_ratio"), 0.01, 1000.0);
  }
  if (factor && !col) fail_at(*factor, r.path("factor"), "only applies with column");
  if (cap && !ratio) fail_at(*cap, r.path("max_ratio"), "only applies with ratio");
  r.done();
  return rule;
}

void read_score(const Value& v, const std::string& key, Mapping& m) {
  check_fallback(v, key, m, "score");
  m.score_fallback = m.columns.count("score") > 0;
  if (!v.is_table()) {
    m.score.kind = ScoreRule::Kind::kConstant;
    m.score.value = to_number(v, key);
    if (m.score.value < 350.0 || m.score.value > 950.0)
      fail_at(v, key, "a constant score must be in [350, 950], got " + fmt_double(m.score.value));
    return;
  }
  Reader r(&v, key, v);
  const Value* of = r.find("rank_of");
  const Value* card = r.find("scorecard");
  const Value* dir = r.find("direction");
  if (of && card) fail_at(*card, r.path("scorecard"), "give rank_of or scorecard, not both");
  if (!of && !card) {
    r.find("mean");
    r.find("sd");
    r.done();
    r.fail("rank_of", "is required in a rank rule (or give a constant score, or a scorecard)");
  }
  if (of) {
    m.score.kind = ScoreRule::Kind::kRank;
    const std::string name = to_text(*of, r.path("rank_of"));
    if (name == "limit" || name == "income" || name == "balance") {
      m.score.rank_field = name;
    } else {
      if (name.empty()) fail_at(*of, r.path("rank_of"), "must name a field (limit, income, balance) or a column");
      m.score.rank_column = name;
    }
    if (dir) {
      const std::string d = to_text(*dir, r.path("direction"));
      if (d != "higher_is_better" && d != "higher_is_worse")
        fail_at(*dir, r.path("direction"), "must be \"higher_is_better\" or \"higher_is_worse\", got " + quote(d));
      m.score.higher_is_better = d == "higher_is_better";
    } else if (name != "limit") {
      r.fail("direction", "is required when ranking " + quote(name) +
                              ": \"higher_is_better\" (a higher value, a better score) or \"higher_is_worse\"");
    }
  } else {
    if (dir) fail_at(*dir, r.path("direction"), "only applies to a rank rule");
    if (m.columns.count("score"))
      fail_at(*card, r.path("scorecard"), "a scorecard gives every customer's score: leave fields.score out");
    m.score.kind = ScoreRule::Kind::kScorecard;
    const std::string file = to_text(*card, r.path("scorecard"));
    if (file.empty()) fail_at(*card, r.path("scorecard"), "must name a scorecard file");
    fs::path p(file);
    if (p.is_relative()) p = fs::path(m.source).parent_path() / p;
    m.score.scorecard_file = p.lexically_normal().string();
    try {
      m.score.scorecard = std::make_shared<const Scorecard>(load_scorecard(m.score.scorecard_file));
    } catch (const ConfigError& e) {
      fail_at(*card, r.path("scorecard"), std::string("cannot use the scorecard: ") + e.what());
    }
  }
  if (const Value* x = r.find("mean")) {
    m.score.mean = to_number(*x, r.path("mean"));
    if (m.score.mean < 350.0 || m.score.mean > 950.0)
      fail_at(*x, r.path("mean"), "must be in [350, 950], got " + fmt_double(m.score.mean));
  }
  if (const Value* x = r.find("sd")) {
    m.score.sd = to_number(*x, r.path("sd"));
    if (!(m.score.sd > 0.0) || m.score.sd > 600.0) fail_at(*x, r.path("sd"), "must be in (0, 600], got " + fmt_double(m.score.sd));
  }
  r.done();
}

void read_defaults(Reader& d, Mapping& m) {
  if (const Value* v = d.find("score")) read_score(*v, d.path("score"), m);
  const Value* lim = d.find("limit");
  const Value* inc = d.find("income");
  const Value* bal = d.find("balance");
  if (lim) {
    check_fallback(*lim, d.path("limit"), m, "limit");
    m.limit = money_rule(*lim, d.path("limit"), "limit");
  }
  if (inc) {
    if (m.columns.count("income") && m.na_values.empty())
      fail_at(*inc, d.path("income"), "not used: fields.income maps an income column; a default for a field with a "
                                      "column fills only its NA cells, so set [source] na_values");
    m.income = money_rule(*inc, d.path("income"), "income");
  } else if (!m.columns.count("income")) {
    m.income.kind = MoneyRule::Kind::kConstant;
    m.income.cents = kDefaultIncomeCents;
  }
  if (bal) {
    if (!m.months.empty())
      fail_at(*bal, d.path("balance"), "only for a snapshot: with a [panel], the balance is panel.balance");
    check_fallback(*bal, d.path("balance"), m, "balance");
    m.balance = money_rule(*bal, d.path("balance"), "balance");
  }
  if (m.limit.kind == MoneyRule::Kind::kFromField && m.income.kind == MoneyRule::Kind::kFromField)
    fail_at(*lim, d.path("limit"), "limit = income x income_multiple and income = limit / limit_multiple: each needs the "
                                   "other; give one of them a column or a constant");
  if (const Value* v = d.find("months_on_book")) {
    const std::string key = d.path("months_on_book");
    if (m.columns.count("months_on_book") && m.na_values.empty()) fail_at(*v, key, "not used: fields.months_on_book maps a column");
    m.mob_fallback = m.columns.count("months_on_book") > 0;
    if (!v->is_integer()) fail_at(*v, key, "must be an integer, got " + describe(*v));
    if (v->as_integer() < 0 || v->as_integer() > std::numeric_limits<std::int32_t>::max())
      fail_at(*v, key, "must be >= 0, got " + std::to_string(v->as_integer()));
    m.months_on_book = static_cast<std::int32_t>(v->as_integer());
  }
  d.done();
  // Rules that read fields or columns need their sources.
  if (m.score.kind == ScoreRule::Kind::kRank && m.score.rank_field == "income" && !m.columns.count("income") &&
      m.income.kind == MoneyRule::Kind::kConstant)
    fail_at(*d.find("score"), "defaults.score.rank_of", "income has no column and no rule from other data: every "
                                                        "customer would tie");
  if (m.score.kind == ScoreRule::Kind::kRank && m.score.rank_field == "balance" && !m.columns.count("balance") &&
      m.balance.kind == MoneyRule::Kind::kNone)
    fail_at(*d.find("score"), "defaults.score.rank_of", "\"balance\" needs a snapshot balance (fields.balance or "
                                                        "defaults.balance)");
}

// The inputs of a scorecard named by [defaults] score must be in the data.
void check_scorecard_inputs(const Value& at, const Mapping& m) {
  const Scorecard& s = *m.score.scorecard;
  const bool status = !m.status_columns.empty() || !m.snapshot_status_columns.empty() || !m.status_from_counts.empty();
  bool typed = false;
  for (const auto& kv : m.codes) typed = typed || kv.second.type != UsageType::kNone;
  const bool balance = !m.balance_columns.empty() || m.columns.count("balance") || m.balance.kind != MoneyRule::Kind::kNone;
  const bool payment = !m.payment_columns.empty();
  for (const ScorecardFeature& f : s.features) {
    if (f.behaviour < 0) continue;
    const int b = f.behaviour;
    std::string need;
    if (b <= kFeatShare31Plus && !status) need = "a status (panel.status, fields.status or status.from_counts)";
    if ((b == kFeatShareInactive || b == kFeatShareTransactor) && !typed) need = "status codes with a type";
    if (b >= kFeatUtilLast && b <= kFeatUtilTrend && !balance) need = "a balance";
    if ((b == kFeatUtilMean || b == kFeatUtilTrend || (b >= kFeatPayRatioMean && b <= kFeatLogPaymentMean)) &&
        m.months.size() < 2 && b != kFeatLogPaymentMean && b != kFeatUtilMean)
      need = "a panel of at least 2 months";
    if (b >= kFeatPayRatioMean && b <= kFeatLogPaymentMean && !payment) need = "panel.payment";
    if (b == kFeatLogIncome && !m.columns.count("income")) need = "an income column";
    if (!need.empty())
      fail_at(at, "defaults.score.scorecard",
              "the scorecard " + s.source + " uses " + f.name() + ", which needs " + need + " in this mapping");
  }
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
  if (const Value* v = source.find("na_values")) {
    const std::string key = source.path("na_values");
    if (!v->is_array() || v->as_array().empty())
      fail_at(*v, key, "must be an array of the texts that mean no value, e.g. [\"NA\", \"\"], got " + describe(*v));
    for (std::size_t i = 0; i < v->as_array().size(); ++i) {
      const std::string k = key + "[" + std::to_string(i) + "]";
      const std::string s = to_text(v->as_array()[i], k);
      if (s.size() > 64) fail_at(v->as_array()[i], k, "must be at most 64 characters");
      if (std::find(m.na_values.begin(), m.na_values.end(), s) != m.na_values.end())
        fail_at(v->as_array()[i], k, quote(s) + " is listed twice");
      m.na_values.push_back(s);
    }
  }
  source.done();

  Reader fields = root.sub("fields");
  if (!fields.present()) root.fail("fields", "missing: a [fields] table naming at least the id (and the limit) columns");
  for (const std::string& f : kStaticFields) {
    const Value* v = fields.find(f);
    if (!v) continue;
    const std::string key = fields.path(f);
    if (f == "id" && v->is_table()) {
      Reader r(v, key, *v);
      const Value* rn = r.find("row_number");
      if (!rn) r.fail("row_number", "is required: id = { row_number = true } numbers the data rows 1, 2, ...");
      if (!rn->is_boolean() || !rn->as_boolean()) fail_at(*rn, r.path("row_number"), "must be true, got " + describe(*rn));
      r.done();
      m.id_from_row = true;
      continue;
    }
    if (f == "status" && v->is_array()) {
      const auto& a = v->as_array();
      if (a.empty()) fail_at(*v, key, "must name one or more status columns");
      for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string k = key + "[" + std::to_string(i) + "]";
        const std::string c = to_text(a[i], k);
        if (std::find(m.snapshot_status_columns.begin(), m.snapshot_status_columns.end(), c) !=
            m.snapshot_status_columns.end())
          fail_at(a[i], k, "column " + quote(c) + " is listed twice");
        m.snapshot_status_columns.push_back(c);
      }
      m.columns[f] = m.snapshot_status_columns.front();
      continue;
    }
    m.columns[f] = to_text(*v, key);
    if (f == "status") m.snapshot_status_columns = {m.columns[f]};
  }
  if (!m.columns.count("id") && !m.id_from_row)
    fields.fail("id", "is required: every customer needs its own id (a column, or { row_number = true })");
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
  const Value* counts = status.find("from_counts");
  if (counts) {
    if (!m.months.empty()) fail_at(*counts, status.path("from_counts"), "only for a snapshot: a [panel] has panel.status");
    if (has_status)
      fail_at(*counts, status.path("from_counts"), "give either a status column (fields.status) or from_counts, not both");
    read_count_rules(*counts, status.path("from_counts"), m);
  }
  if (has_status) {
    // Without a [status] table the error points at the status column's mapping.
    if (!status.present())
      fail_at(m.columns.count("status") ? doc.at("fields").at("status") : doc.at("panel").at("status"), "status.codes",
              "is required: a status column is mapped, so every code it may hold must be listed");
    read_codes(status, m);
  } else if (status.present() && !counts) {
    fail_at(status.anchor(), "status", "not used: no status column is mapped (fields.status or panel.status)");
  } else if (const Value* c = status.peek("codes")) {
    fail_at(*c, status.path("codes"), "not used: no status column is mapped (fields.status or panel.status)");
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

  Reader label = root.sub("label");
  if (label.present()) {
    if (!m.columns.count("label")) fail_at(label.anchor(), "label", "not used: no label column is mapped (fields.label)");
    m.label_defined = true;
    if (const Value* v = label.find("horizon_months")) {
      if (!v->is_integer() || v->as_integer() < 1 || v->as_integer() > static_cast<std::int64_t>(kMaxPanelMonths))
        fail_at(*v, label.path("horizon_months"), "must be an integer 1..600 (months after the last panel month), got " +
                                                      describe(*v));
      m.label_horizon = static_cast<std::int32_t>(v->as_integer());
    }
    if (const Value* v = label.find("min_bucket")) m.label_min_bucket = bucket_value(*v, label.path("min_bucket"), 1);
  }
  label.done();

  Reader card = root.sub("scorecard");
  if (card.present()) {
    if (const Value* v = card.find("protected_attributes")) {
      if (!v->is_boolean()) fail_at(*v, card.path("protected_attributes"), "must be true or false, got " + describe(*v));
      m.allow_protected = v->as_boolean();
    }
    if (const Value* v = card.find("columns")) {
      const std::string key = card.path("columns");
      if (!v->is_array()) fail_at(*v, key, "must be an array of column names, got " + describe(*v));
      for (std::size_t i = 0; i < v->as_array().size(); ++i) {
        const std::string k = key + "[" + std::to_string(i) + "]";
        const std::string c = to_text(v->as_array()[i], k);
        if (std::find(m.feature_columns.begin(), m.feature_columns.end(), c) != m.feature_columns.end())
          fail_at(v->as_array()[i], k, "column " + quote(c) + " is listed twice");
        if (protected_attribute_name(c) && !m.allow_protected)
          fail_at(v->as_array()[i], k, "column " + quote(c) + " reads as a protected attribute (sex, marital status, "
                                       "age, ...), which a scorecard leaves out by default; set "
                                       "scorecard.protected_attributes = true to use it");
        m.feature_columns.push_back(c);
      }
    }
  }
  card.done();

  Reader defaults = root.sub("defaults");
  read_defaults(defaults, m);
  if (!m.columns.count("limit") && m.limit.kind == MoneyRule::Kind::kNone)
    fail_at(doc.at("fields"), "fields.limit", "is required: every customer needs its limit (a column, or [defaults] limit)");
  if (m.score.kind == ScoreRule::Kind::kScorecard) check_scorecard_inputs(doc.at("defaults").at("score"), m);
  root.done();
  return m;
}

}  // namespace

Mapping load_mapping(const std::string& path) {
  const Value doc = toml_io::parse_file(path, "mapping file");
  return toml_io::with_file_errors(path, [&] { return read_mapping(doc, path); });
}

}  // namespace limitsim

// Scorecard files (scorecard.hpp): the TOML reader, with file:line:key errors, and the writer it reads back.
#include <toml.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "src/config/config.hpp"
#include "src/config/scorecard.hpp"
#include "src/config/toml_io.hpp"

namespace limitsim {

const std::array<const char*, kBehaviourFeatureCount> kBehaviourFeatureNames = {
    "status_last",        "status_max",         "share_past_due",  "share_31_plus",   "share_inactive",
    "share_transactor",   "util_last",          "util_mean",       "util_trend",      "pay_ratio_mean",
    "share_min_payer",    "share_full_payer",   "log_payment_mean", "log_limit",      "log_income"};

std::string ScorecardFeature::name() const {
  return behaviour >= 0 ? kBehaviourFeatureNames[static_cast<std::size_t>(behaviour)] : "column:" + column;
}

std::vector<std::string> Scorecard::columns() const {
  std::vector<std::string> out;
  for (const auto& f : features)
    if (f.behaviour < 0) out.push_back(f.column);
  return out;
}

bool Scorecard::uses(int behaviour) const {
  return std::any_of(features.begin(), features.end(), [&](const ScorecardFeature& f) { return f.behaviour == behaviour; });
}

double scorecard_eta(const Scorecard& s, const double* behaviour, const double* columns) {
  double eta = s.intercept;
  std::size_t c = 0;
  for (const ScorecardFeature& f : s.features) {
    const double raw = f.behaviour >= 0 ? behaviour[f.behaviour] : columns[c++];
    if (std::isnan(raw)) {
      eta += f.coef * (f.fill - f.mean) / f.sd + (f.has_na ? f.na_coef : 0.0);
    } else {
      eta += f.coef * (std::clamp(raw, f.lo, f.hi) - f.mean) / f.sd;
    }
  }
  return eta;
}

bool protected_attribute_name(const std::string& column) {
  static const std::set<std::string> kWords = {"sex",       "gender",   "marriage", "married",   "marital",
                                               "age",       "race",     "ethnicity", "ethnic",   "religion",
                                               "nationality", "birth",  "dob",      "pregnancy", "disability"};
  // Words: runs of letters, split at case changes (camelCase) and non-letters.
  std::vector<std::string> words;
  std::string w;
  for (std::size_t i = 0; i < column.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(column[i]);
    const bool letter = std::isalpha(c) != 0;
    const bool boundary = letter && std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(column[i - 1]));
    if (!letter || boundary) {
      if (!w.empty()) words.push_back(w);
      w.clear();
    }
    if (letter) w += static_cast<char>(std::tolower(c));
  }
  if (!w.empty()) words.push_back(w);
  return std::any_of(words.begin(), words.end(), [](const std::string& x) { return kWords.count(x) > 0; });
}

namespace {

namespace fs = std::filesystem;
using toml_io::describe;
using toml_io::fail_at;
using toml_io::fmt_double;
using toml_io::quote;
using toml_io::to_number;
using toml_io::to_text;
using toml_io::toml_double;
using Value = toml::value;
using Reader = toml_io::TableReader;

double number(Reader& r, const std::string& key, bool required, double fallback = 0.0) {
  const Value* v = r.find(key);
  if (!v) {
    if (required) r.fail(key, "is required");
    return fallback;
  }
  return to_number(*v, r.path(key));
}

std::vector<double> numbers(Reader& r, const std::string& key) {
  std::vector<double> out;
  const Value* v = r.find(key);
  if (!v) return out;
  if (!v->is_array()) fail_at(*v, r.path(key), "must be an array of numbers, got " + describe(*v));
  for (std::size_t i = 0; i < v->as_array().size(); ++i)
    out.push_back(to_number(v->as_array()[i], r.path(key) + "[" + std::to_string(i) + "]"));
  return out;
}

std::int64_t integer(Reader& r, const std::string& key, std::int64_t fallback) {
  const Value* v = r.find(key);
  if (!v) return fallback;
  if (!v->is_integer() || v->as_integer() < 0) fail_at(*v, r.path(key), "must be an integer >= 0, got " + describe(*v));
  return v->as_integer();
}

std::string text(Reader& r, const std::string& key) {
  const Value* v = r.find(key);
  return v ? to_text(*v, r.path(key)) : std::string();
}

ScorecardFeature read_feature(const Value& v, const std::string& key) {
  if (!v.is_table()) fail_at(v, key, "must be a table { feature or column, lo, hi, fill, mean, sd, coef }, got " + describe(v));
  Reader r(&v, key, v);
  ScorecardFeature f;
  const Value* feature = r.find("feature");
  const Value* column = r.find("column");
  if ((feature != nullptr) == (column != nullptr))
    r.fail(feature ? "column" : "feature", "give exactly one of feature (a behaviour feature) and column (a column of the data file)");
  if (feature) {
    const std::string name = to_text(*feature, r.path("feature"));
    const auto it = std::find_if(kBehaviourFeatureNames.begin(), kBehaviourFeatureNames.end(),
                                 [&](const char* n) { return name == n; });
    if (it == kBehaviourFeatureNames.end()) {
      std::vector<std::string> names(kBehaviourFeatureNames.begin(), kBehaviourFeatureNames.end());
      fail_at(*feature, r.path("feature"), "unknown behaviour feature " + quote(name) + " (known: " +
                                               toml_io::join(names, ", ") + ")");
    }
    f.behaviour = static_cast<int>(it - kBehaviourFeatureNames.begin());
  } else {
    f.column = to_text(*column, r.path("column"));
  }
  f.lo = number(r, "lo", true);
  f.hi = number(r, "hi", true);
  if (f.hi < f.lo) r.fail("hi", "must be >= lo (" + fmt_double(f.lo) + "), got " + fmt_double(f.hi));
  f.fill = number(r, "fill", true);
  f.mean = number(r, "mean", true);
  f.sd = number(r, "sd", true);
  if (!(f.sd > 0.0)) r.fail("sd", "must be > 0, got " + fmt_double(f.sd));
  f.coef = number(r, "coef", true);
  if (const Value* x = r.find("na_coef")) {
    f.has_na = true;
    f.na_coef = to_number(*x, r.path("na_coef"));
  }
  r.done();
  return f;
}

Scorecard read_scorecard(const Value& doc, const std::string& path) {
  Scorecard s;
  s.source = path;
  Reader root(&doc, "", doc);
  Reader sc = root.sub("scorecard");
  if (!sc.present()) root.fail("scorecard", "missing: a [scorecard] table (write one with limitsim calibrate --scorecard)");
  s.target = text(sc, "target");
  s.as_of = text(sc, "as_of");
  s.data_file = text(sc, "data");
  s.data_sha256 = text(sc, "sha256");
  s.intercept = number(sc, "intercept", true);
  s.penalty = number(sc, "penalty", false);
  s.eta_mean = number(sc, "eta_mean", true);
  s.eta_sd = number(sc, "eta_sd", true);
  if (!(s.eta_sd > 0.0)) sc.fail("eta_sd", "must be > 0, got " + fmt_double(s.eta_sd));
  if (const Value* v = sc.find("protected_attributes")) {
    if (!v->is_boolean()) fail_at(*v, sc.path("protected_attributes"), "must be true or false, got " + describe(*v));
    s.protected_attributes = v->as_boolean();
  }
  const Value* feats = sc.find("features");
  if (!feats) sc.fail("features", "is required: [[scorecard.features]] tables, one per input");
  if (!feats->is_array() || feats->as_array().empty())
    fail_at(*feats, sc.path("features"), "must be one or more [[scorecard.features]] tables, got " + describe(*feats));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < feats->as_array().size(); ++i) {
    const std::string key = sc.path("features") + "[" + std::to_string(i) + "]";
    const Value& v = feats->as_array()[i];
    s.features.push_back(read_feature(v, key));
    if (!seen.insert(s.features.back().name()).second)
      fail_at(v, key, "input " + quote(s.features.back().name()) + " is listed twice");
    if (s.features.back().behaviour < 0 && protected_attribute_name(s.features.back().column) && !s.protected_attributes)
      fail_at(v, key, "column " + quote(s.features.back().column) +
                          " reads as a protected attribute; set scorecard.protected_attributes = true to use it");
  }
  Reader fit = sc.sub("fit");
  s.fit.rows = integer(fit, "rows", 0);
  s.fit.events = integer(fit, "events", 0);
  s.fit.folds = static_cast<std::int32_t>(integer(fit, "folds", 0));
  s.fit.penalties = numbers(fit, "penalties");
  s.fit.cv_log_loss = numbers(fit, "cv_log_loss");
  s.fit.auc = number(fit, "auc_out_of_fold", false);
  s.fit.brier = number(fit, "brier_out_of_fold", false);
  s.fit.mean_predicted = number(fit, "mean_predicted_out_of_fold", false);
  s.fit.observed = number(fit, "observed", false);
  for (const double c : numbers(fit, "decile_count")) s.fit.decile_count.push_back(static_cast<std::int64_t>(c));
  s.fit.decile_predicted = numbers(fit, "decile_predicted");
  s.fit.decile_observed = numbers(fit, "decile_observed");
  fit.done();
  sc.done();
  root.done();
  return s;
}

std::string array(const std::vector<double>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + toml_double(v[i]);
  return s + "]";
}

}  // namespace

Scorecard load_scorecard(const std::string& path) {
  const Value doc = toml_io::parse_file(path, "scorecard file");
  return toml_io::with_file_errors(path, [&] { return read_scorecard(doc, path); });
}

std::string scorecard_toml(const Scorecard& s, const std::string& header_comment) {
  std::ostringstream os;
  os << header_comment;
  os << "[scorecard]\n"
     << "target = " << quote(s.target) << "    # the label column it predicts\n"
     << "as_of = " << quote(s.as_of) << "    # the panel month its behaviour features describe (\"\": a snapshot)\n"
     << "data = " << quote(s.data_file) << "\n"
     << "sha256 = " << quote(s.data_sha256) << "\n"
     << "intercept = " << toml_double(s.intercept) << "\n"
     << "penalty = " << toml_double(s.penalty) << "    # ridge penalty on the standardised coefficients, chosen by "
        "cross-validation\n"
     << "eta_mean = " << toml_double(s.eta_mean) << "    # the log-odds over the fit sample: risk = (eta - eta_mean) / "
        "eta_sd\n"
     << "eta_sd = " << toml_double(s.eta_sd) << "\n"
     << "protected_attributes = " << (s.protected_attributes ? "true" : "false")
     << "    # false: no column named like sex, marital status, age, ... is an input\n";
  for (const ScorecardFeature& f : s.features) {
    os << "\n[[scorecard.features]]\n";
    if (f.behaviour >= 0) {
      os << "feature = " << quote(kBehaviourFeatureNames[static_cast<std::size_t>(f.behaviour)]) << "\n";
    } else {
      os << "column = " << quote(f.column) << "\n";
    }
    os << "lo = " << toml_double(f.lo) << "\nhi = " << toml_double(f.hi) << "\nfill = " << toml_double(f.fill)
       << "\nmean = " << toml_double(f.mean) << "\nsd = " << toml_double(f.sd) << "\ncoef = " << toml_double(f.coef)
       << "\n";
    if (f.has_na) os << "na_coef = " << toml_double(f.na_coef) << "\n";
  }
  const ScorecardFit& fit = s.fit;
  os << "\n# How well it predicts, out of fold (each customer scored by the model fitted without its fold).\n"
     << "[scorecard.fit]\n"
     << "rows = " << fit.rows << "\nevents = " << fit.events << "\nfolds = " << fit.folds << "\n"
     << "penalties = " << array(fit.penalties) << "\n"
     << "cv_log_loss = " << array(fit.cv_log_loss) << "\n"
     << "auc_out_of_fold = " << toml_double(fit.auc) << "\n"
     << "brier_out_of_fold = " << toml_double(fit.brier) << "\n"
     << "mean_predicted_out_of_fold = " << toml_double(fit.mean_predicted) << "\n"
     << "observed = " << toml_double(fit.observed) << "\n";
  std::vector<double> counts(fit.decile_count.begin(), fit.decile_count.end());
  os << "decile_count = " << array(counts) << "\n"
     << "decile_predicted = " << array(fit.decile_predicted) << "\n"
     << "decile_observed = " << array(fit.decile_observed) << "\n";
  return os.str();
}

}  // namespace limitsim

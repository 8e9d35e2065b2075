// The product file ([product], src/config/product.hpp): the keys of a cash-loan product, the checks
// on them, the documented defaults (docs/config.md "Product file — [product]"), the loader and the writer.
#include "src/config/product.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/special.hpp"
#include "src/config/fields.hpp"

namespace limitsim {
namespace fields {

namespace {

namespace fs = std::filesystem;

// The highest daily rate accepted: 0.1% a day, APR 36.5%. A rate written in percent (0.05 for 0.05% a
// day, APR 1825%) is refused with the reading explained.
constexpr double kMaxDailyRate = 0.001;
const std::vector<std::string> kAmortisations = {"equal_instalment", "equal_principal"};
// The terms the product offers (issue 16: 3, 6 or 12 monthly instalments).
constexpr std::int32_t kOfferedTerms[] = {3, 6, 12};

std::string amortisation_name(Amortisation a) {
  return a == Amortisation::kEqualPrincipal ? "equal_principal" : "equal_instalment";
}

std::vector<std::int32_t> terms_of(const LoanParams& p) { return {p.terms, p.terms + p.n_terms}; }

// Stores the terms and the running sum of their shares (the last is 1: a uniform always finds a term).
void set_terms(LoanParams& p, const std::vector<std::int32_t>& terms, const std::vector<double>& shares) {
  p.n_terms = static_cast<std::int32_t>(terms.size());
  double cum = 0.0;
  for (int k = 0; k < kMaxLoanTerms; ++k) {
    const bool used = k < p.n_terms;
    p.terms[k] = used ? terms[static_cast<std::size_t>(k)] : 0;
    cum += used ? shares[static_cast<std::size_t>(k)] : 0.0;
    p.term_cum[k] = k + 1 >= p.n_terms ? 1.0 : cum;
  }
}

template <class IO>
void terms_fields(IO& t, ProductConfig& c) {
  std::vector<std::int32_t> terms = terms_of(c.params);
  t.integers("terms", terms, non_empty(kMaxLoanTerms), closed(1, kMaxLoanMonths));
  for (std::size_t i = 0; i < terms.size(); ++i) {
    t.check(std::find(std::begin(kOfferedTerms), std::end(kOfferedTerms), terms[i]) != std::end(kOfferedTerms),
            "terms", "must be 3, 6 or 12 monthly instalments, got " + std::to_string(terms[i]), static_cast<int>(i));
    if (i > 0)
      t.check(terms[i] > terms[i - 1], "terms",
              "must be listed once each, in ascending order, got " + std::to_string(terms[i]) + " after " +
                  std::to_string(terms[i - 1]),
              static_cast<int>(i));
  }
  t.numbers("term_shares", c.term_shares, non_empty(kMaxLoanTerms), closed(0, 1));
  t.check(c.term_shares.size() == terms.size(), "term_shares",
          "must have one share per term (" + std::to_string(terms.size()) + "), got " +
              std::to_string(c.term_shares.size()));
  double sum = 0.0;
  for (const double share : c.term_shares) sum += share;
  t.check(std::fabs(sum - 1.0) <= kSumTolerance, "term_shares", "must sum to 1, got " + fmt_double(sum));
  set_terms(c.params, terms, c.term_shares);
}

template <class IO>
void takeup_fields(IO& t, ProductConfig& c) {
  LoanParams& p = c.params;
  t.number("probability", c.takeup_probability, open_open(0, 1));
  p.takeup_intercept = logit(c.takeup_probability);
  t.number("beta_risk", p.takeup_beta_risk, any_number());
  t.number("beta_income_shock", p.takeup_beta_shock, any_number());
  t.number("beta_utilization", p.takeup_beta_util, any_number());
  t.number("util_ref", p.takeup_util_ref, closed(0, 1.5));
}

template <class IO>
void size_fields(IO& t, ProductConfig& c) {
  LoanParams& p = c.params;
  t.number("median_share", p.size_median_share, open_closed(0, 1));
  t.number("log_sd", p.size_log_sd, closed(0, 5));
  t.money("rounding", p.size_rounding, above(0));
  t.money("min_amount", p.min_amount, at_least(0));
}

}  // namespace

template <class IO>
void product_fields(IO& t, ProductConfig& c) {
  LoanParams& p = c.params;
  t.text("name", c.name);
  t.text("description", c.description);
  t.number("daily_rate", p.daily_rate, at_least(0));
  t.check(p.daily_rate <= kMaxDailyRate, "daily_rate",
          "is a rate per day (0.0005 is 0.05% a day, APR 18.25%): at most 0.001 (APR 36.5%) is allowed, got " +
              fmt_double(p.daily_rate));
  std::string method = amortisation_name(p.amortisation);
  t.choice("amortisation", method, kAmortisations);
  p.amortisation = method == "equal_principal" ? Amortisation::kEqualPrincipal : Amortisation::kEqualInstalment;
  terms_fields(t, c);
  t.number("prepayment_probability", p.prepay_rate, closed(0, 1));
  t.money("late_fee", p.late_fee, at_least(0));
  t.number("penalty_rate_multiplier", p.penalty_rate_mult, closed(0, 10));
  subtable(t, "takeup", c, takeup_fields<IO>);
  subtable(t, "size", c, size_fields<IO>);
}

template void product_fields<Reader>(Reader&, ProductConfig&);
template void product_fields<Writer>(Writer&, ProductConfig&);

}  // namespace fields

ProductConfig default_product() {
  ProductConfig c;
  LoanParams& p = c.params;
  std::memset(&p, 0, sizeof p);
  p.daily_rate = 0.0004;  // 0.04% a day, APR 14.6%: a guess within the 0.02%-0.05% quoted (docs/config.md)
  p.amortisation = Amortisation::kEqualInstalment;
  c.term_shares = {0.2, 0.3, 0.5};
  fields::set_terms(p, {3, 6, 12}, c.term_shares);
  p.prepay_rate = 0.03;
  p.late_fee = 0;
  p.penalty_rate_mult = 1.5;
  c.takeup_probability = 0.03;
  p.takeup_intercept = logit(c.takeup_probability);
  p.takeup_beta_risk = 0.3;
  p.takeup_beta_shock = 2.0;
  p.takeup_beta_util = 0.5;
  p.takeup_util_ref = 0.3;
  p.size_median_share = 0.3;
  p.size_log_sd = 0.8;
  p.size_rounding = 10000;  // 100.00
  p.min_amount = 50000;     // 500.00
  return c;
}

ProductConfig load_product_config(const std::string& path) {
  using namespace fields;
  const Value doc = toml_io::parse_file(path, "product file");
  return toml_io::with_file_errors(path, [&] {
    Reader root(&doc, "", doc);
    const Value* table = root.find("product");
    root.done();
    if (!table) fail_at(doc, "product", "missing: " + path + " must hold a [product] table");
    if (!table->is_table()) fail_at(*table, "product", "must be a table, got " + describe(*table));
    ProductConfig c = default_product();
    Reader r(table, "product", *table);
    product_fields(r, c);
    r.done();
    const bool named = r.peek("name") != nullptr;
    if (!named) c.name = fs::path(path).stem().string();
    const std::string bad = name_error(c.name);
    if (!bad.empty())
      fail_at(named ? *r.peek("name") : *table, "product.name", (named ? "" : "taken from the file name: ") + bad);
    c.source = path;
    return c;
  });
}

std::string product_toml(const ProductConfig& product) {
  ProductConfig c = product;  // the field list takes non-const references
  const std::string bad = fields::name_error(c.name);
  if (!bad.empty()) throw ConfigError("product_toml: product.name: " + bad);
  std::ostringstream os;
  os << "[product]\n";
  fields::Writer w(os, "product");
  fields::product_fields(w, c);
  return os.str();
}

}  // namespace limitsim

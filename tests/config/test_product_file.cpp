// The product file (src/config/product_file.cpp): the shipped Jiebei-like product, the values the keys
// set, product_toml written back and read again, and every validation error naming file, line and key.
#include <gtest/gtest.h>

#include <string>

#include "src/config/product.hpp"
#include "tests/config/config_fixture.hpp"

namespace limitsim {
namespace {

using namespace config_test;

const std::string kJiebei = std::string(LIMITSIM_SOURCE_DIR) + "/configs/products/jiebei.toml";

#define SAME(field) EXPECT_EQ(a.field, b.field) << #field
void expect_same(const LoanParams& a, const LoanParams& b) {
  SAME(daily_rate);
  SAME(amortisation);
  SAME(n_terms);
  for (int k = 0; k < kMaxLoanTerms; ++k) {
    SAME(terms[k]);
    SAME(term_cum[k]);
  }
  SAME(takeup_intercept);
  SAME(takeup_beta_risk);
  SAME(takeup_beta_shock);
  SAME(takeup_beta_util);
  SAME(takeup_util_ref);
  SAME(size_median_share);
  SAME(size_log_sd);
  SAME(size_rounding);
  SAME(min_amount);
  SAME(prepay_rate);
  SAME(late_fee);
  SAME(penalty_rate_mult);
}
#undef SAME

class ProductFile : public Config {
 protected:
  // The error of loading the product file `path`; fails the test when it loads.
  static std::string product_error(const std::string& path) {
    try {
      load_product_config(path);
    } catch (const ConfigError& e) {
      return e.what();
    }
    ADD_FAILURE() << path << " loaded without error";
    return "";
  }
  // The error of loading `text` as prod/p.toml; it must start `file:line: key: ` (line = the first
  // holding `needle`) and contain `reason`.
  void expect_product_error(const std::string& text, const std::string& needle, const std::string& key,
                            const std::string& reason) {
    const std::string file = write("prod/p.toml", text);
    SCOPED_TRACE(text);
    expect_error(product_error(file), file, text, needle, key, reason);
  }
};

TEST_F(ProductFile, ShippedJiebeiIsTheBuiltInDefault) {
  const ProductConfig c = load_product_config(kJiebei);
  EXPECT_EQ(c.name, "jiebei");
  EXPECT_EQ(c.source, kJiebei);
  expect_same(c.params, default_product().params);
  EXPECT_EQ(c.term_shares, default_product().term_shares);
  EXPECT_EQ(c.takeup_probability, default_product().takeup_probability);
}

// What each key sets: rates per day, cumulative term shares, money in cents, the take-up's logit.
TEST_F(ProductFile, KeysSetTheLoanParams) {
  const ProductConfig c = load_product_config(write("prod/cash.toml", R"([product]
daily_rate = 0.0005
amortisation = "equal_principal"
terms = [6, 12]
term_shares = [0.25, 0.75]
prepayment_probability = 0.02
late_fee = 12.5
penalty_rate_multiplier = 1.25
[product.takeup]
probability = 0.1
beta_risk = 0.7
beta_income_shock = 1.5
beta_utilization = -0.5
util_ref = 0.4
[product.size]
median_share = 0.6
log_sd = 0.5
rounding = 50.0
min_amount = 300.0
)"));
  const LoanParams& p = c.params;
  EXPECT_EQ(c.name, "cash");  // the file's stem when no name is given
  EXPECT_EQ(p.daily_rate, 0.0005);
  EXPECT_EQ(p.amortisation, Amortisation::kEqualPrincipal);
  EXPECT_EQ(p.n_terms, 2);
  EXPECT_EQ(p.terms[0], 6);
  EXPECT_EQ(p.terms[1], 12);
  EXPECT_EQ(p.term_cum[0], 0.25);
  EXPECT_EQ(p.term_cum[1], 1.0);
  EXPECT_EQ(loan_term(p, 0.2), 6);
  EXPECT_EQ(loan_term(p, 0.3), 12);
  EXPECT_EQ(p.prepay_rate, 0.02);
  EXPECT_EQ(p.late_fee, 1250);
  EXPECT_EQ(p.penalty_rate_mult, 1.25);
  EXPECT_EQ(p.takeup_intercept, logit(0.1));
  EXPECT_NEAR(loan_takeup_probability(p, 0.0, 0.0, 0.4), 0.1, 1e-15);
  EXPECT_EQ(p.takeup_beta_risk, 0.7);
  EXPECT_EQ(p.takeup_beta_shock, 1.5);
  EXPECT_EQ(p.takeup_beta_util, -0.5);
  EXPECT_EQ(p.takeup_util_ref, 0.4);
  EXPECT_EQ(p.size_median_share, 0.6);
  EXPECT_EQ(p.size_log_sd, 0.5);
  EXPECT_EQ(p.size_rounding, 5000);
  EXPECT_EQ(p.min_amount, 30000);
  // APR = 365 x daily, the month a twelfth of it.
  EXPECT_NEAR(loan_monthly_rate(p) * 12.0, 0.1825, 1e-15);
}

// product_toml writes every key; reading it back gives the same values and the same text.
TEST_F(ProductFile, WrittenBackItReadsAsTheSameProduct) {
  ProductConfig other = default_product();
  other.name = "short_loans";
  other.description = "two terms, \"equal principal\"";
  other.params.amortisation = Amortisation::kEqualPrincipal;
  other.params.daily_rate = 0.00025;
  other.params.late_fee = 3333;
  for (const ProductConfig& a : {load_product_config(kJiebei), other}) {
    const std::string text = product_toml(a);
    const ProductConfig b = load_product_config(write("back/" + a.name + ".toml", text));
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.description, b.description);
    expect_same(a.params, b.params);
    EXPECT_EQ(a.term_shares, b.term_shares);
    EXPECT_EQ(a.takeup_probability, b.takeup_probability);
    EXPECT_EQ(product_toml(b), text);
  }
  ProductConfig unnamed = default_product();
  EXPECT_THROW(product_toml(unnamed), ConfigError);  // a name is needed to be read back
}

TEST_F(ProductFile, EveryValidationErrorNamesFileLineKeyAndReason) {
  struct Case {
    const char* body;
    const char* needle;
    const char* key;
    const char* reason;
  };
  const Case cases[] = {
      {"daily_rte = 0.0004\n", "daily_rte", "product.daily_rte", "unknown key; did you mean 'daily_rate'?"},
      {"daily_rate = 0.05\n", "daily_rate", "product.daily_rate",
       "is a rate per day (0.0005 is 0.05% a day, APR 18.25%): at most 0.001 (APR 36.5%) is allowed, got 0.05"},
      {"daily_rate = -0.5\n", "daily_rate", "product.daily_rate", "must be >= 0, got -0.5"},
      {"daily_rate = \"0.04%\"\n", "daily_rate", "product.daily_rate", "got string \"0.04%\""},
      {"amortisation = \"bullet\"\n", "amortisation", "product.amortisation",
       "must be one of equal_instalment, equal_principal, got \"bullet\""},
      {"terms = [3, 9]\nterm_shares = [0.5, 0.5]\n", "terms", "product.terms[1]",
       "must be 3, 6 or 12 monthly instalments, got 9"},
      {"terms = [6, 3]\nterm_shares = [0.5, 0.5]\n", "terms", "product.terms[1]",
       "must be listed once each, in ascending order, got 3 after 6"},
      {"terms = [3, 3]\nterm_shares = [0.5, 0.5]\n", "terms", "product.terms[1]",
       "must be listed once each, in ascending order, got 3 after 3"},
      {"terms = []\n", "terms", "product.terms", "must have 1 to 3 entries, got 0"},
      {"terms = [3, 6, 12, 12]\n", "terms", "product.terms", "must have 1 to 3 entries, got 4"},
      {"terms = [13]\n", "terms", "product.terms[0]", "must be <= 12, got 13"},
      {"terms = [3, 6]\n", "[product]", "product.term_shares", "must have one share per term (2), got 3"},
      {"term_shares = [0.5, 0.6, 0.1]\n", "term_shares", "product.term_shares", "must sum to 1, got 1.2"},
      {"term_shares = [0.5, -0.5, 1.0]\n", "term_shares", "product.term_shares[1]", "must be in [0, 1], got -0.5"},
      {"prepayment_probability = 1.5\n", "prepayment_probability", "product.prepayment_probability",
       "must be in [0, 1], got 1.5"},
      {"late_fee = -1\n", "late_fee", "product.late_fee", "must be >= 0, got -1"},
      {"penalty_rate_multiplier = 11\n", "penalty_rate_multiplier", "product.penalty_rate_multiplier",
       "must be in [0, 10], got 11"},
      {"name = \"a b\"\n", "name", "product.name", "name must match [A-Za-z0-9_.-]+"},
      {"takeup = 0.1\n", "takeup", "product.takeup", "must be a table, got 0.1"},
      {"[product.takeup]\nprobability = 1\n", "probability", "product.takeup.probability", "must be in (0, 1), got 1"},
      {"[product.takeup]\nutil_ref = 2\n", "util_ref", "product.takeup.util_ref", "must be in [0, 1.5], got 2"},
      {"[product.takeup]\nbeta_risk = true\n", "beta_risk", "product.takeup.beta_risk", "got true"},
      {"[product.size]\nmedian_share = 0\n", "median_share", "product.size.median_share", "must be in (0, 1], got 0"},
      {"[product.size]\nlog_sd = 6\n", "log_sd", "product.size.log_sd", "must be in [0, 5], got 6"},
      {"[product.size]\nrounding = 0\n", "rounding", "product.size.rounding", "must be > 0, got 0"},
      {"[product.size]\nmin_amount = -10\n", "min_amount", "product.size.min_amount", "must be >= 0, got -10"},
      {"[product.size]\ncolour = 1\n", "colour", "product.size.colour",
       "unknown key (allowed here: median_share, log_sd, rounding, min_amount)"},
  };
  for (const Case& c : cases) expect_product_error(std::string("[product]\n") + c.body, c.needle, c.key, c.reason);
  expect_product_error("[policy]\nname = \"p\"\n[product]\n", "[policy]", "policy", "unknown key (allowed here: product)");
  expect_product_error("product = 3\n", "product", "product", "must be a table, got 3");
}

TEST_F(ProductFile, AFileWithoutAProductTableOrNoFileAtAllIsRefused) {
  const std::string empty = write("prod/empty.toml", "# nothing here\n");
  EXPECT_NE(product_error(empty).find("product: missing: " + empty + " must hold a [product] table"), std::string::npos)
      << product_error(empty);
  const std::string none = dir_ + "/prod/none.toml";
  EXPECT_EQ(product_error(none), none + ": cannot open the product file: no such file");
  const std::string bad = write("prod/bad.toml", "[product]\ndaily_rate = = 1\n");
  EXPECT_EQ(product_error(bad).rfind(bad + ":2: syntax error", 0), 0u) << product_error(bad);
}

}  // namespace
}  // namespace limitsim

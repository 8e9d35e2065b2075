// The comparison's output (src/analysis/compare_output.cpp): the tidy CSV, the JSON document and the table.
#include <gtest/gtest.h>

#include "tests/analysis/compare_fixture.hpp"

namespace limitsim {
namespace {

using namespace compare_test;

// ---------------------------------------------------------------- output

TEST(CompareOutput, CsvIsTidyWithOneRowPerFigureAndMonth) {
  RunResults r = hand_built();
  const Comparison c = compute_comparison(r);
  const std::string csv = format_comparison_csv(c);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "scenario,policy,figure,month,unit,value,se,diff,diff_lo,diff_hi,pairing_ratio");
  const auto lines = static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n'));
  EXPECT_EQ(lines, 1 + 2 * c.combos[0].values.size());
  EXPECT_NE(csv.find("\nscen0,pol1,overdue30_count,2,share,0.1"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nscen0,pol1,limit_increases,,accounts,4,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nscen0,pol0,net_loss,,currency,25,"), std::string::npos) << csv;
  // Equal values have no spread: se 0, a zero-width interval, and no pairing ratio (0 / 0).
  EXPECT_NE(csv.find("\nscen0,pol1,overdue30_balance,2,share,0,0,-0.1"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nscen0,pol1,trigger_increases,,accounts,2,0,2,2,2,\n"), std::string::npos) << csv;
}

TEST(CompareOutput, JsonEscapesNamesAndWritesNullForNaN) {
  RunResults r = make_results(1, 1, 1);
  r.policy_names = {"a\"b\\c", "tab\there\x01"};
  r.combos[0].policy = r.policy_names[0];
  r.combos[1].policy = r.policy_names[1];
  r.meta.name = "caf\xc3\xa9 \xff";  // valid UTF-8, then a stray byte
  const Comparison c = compute_comparison(r);
  const std::string json = format_comparison_json(r, c);
  EXPECT_NE(json.find("\"name\": \"a\\\"b\\\\c\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"name\": \"tab\\there\\u0001\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"run_name\": \"caf\xc3\xa9 \\ufffd\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"is_baseline\": true"), std::string::npos);
  EXPECT_NE(json.find("\"pairing_ratio\": null"), std::string::npos);
  // Balanced brackets and braces outside strings (a cheap well-formedness check).
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char ch = json[i];
    if (in_string) {
      if (ch == '\\') ++i;
      else if (ch == '"') in_string = false;
      continue;
    }
    if (ch == '"') in_string = true;
    if (ch == '{' || ch == '[') ++depth;
    if (ch == '}' || ch == ']') --depth;
    EXPECT_GE(depth, 0);
  }
  EXPECT_EQ(depth, 0);
  EXPECT_FALSE(in_string);
}

TEST(CompareOutput, TableGroupsByScenarioAndMarksTheBaseline) {
  RunResults r = make_results(5, 2, 1, 2, 2);
  for (int i = 0; i < 4; ++i) fill_random(r, i, 10 + i);
  r.meta.baseline_policy = "pol1";
  const Comparison c = compute_comparison(r);
  const std::string t = format_comparison_table(r, c);
  EXPECT_NE(t.find("baseline 'pol1'"), std::string::npos) << t;
  const std::size_t s0 = t.find("scenario 'scen0'"), s1 = t.find("scenario 'scen1'");
  ASSERT_NE(s0, std::string::npos);
  ASSERT_NE(s1, std::string::npos);
  EXPECT_LT(s0, s1);
  EXPECT_NE(t.find("net_income"), std::string::npos);
  EXPECT_NE(t.find(" pp"), std::string::npos);  // share differences in percentage points
  // One row per policy and value in each scenario, the baseline's marked at its end;
  // then the stress view: one row per scenario and value for each policy, the
  // baseline scenario's marked.
  auto marks = [](const std::string& text) {
    std::size_t n = 0;
    for (std::size_t i = text.find("  baseline\n"); i != std::string::npos; i = text.find("  baseline\n", i + 1)) ++n;
    return n;
  };
  EXPECT_EQ(marks(format_comparison_table(r, c, CompareView::kPolicies)), 2 * c.combos[0].values.size());
  EXPECT_EQ(marks(t), 4 * c.combos[0].values.size());
  const std::size_t stress = t.find("stress: every scenario");
  ASSERT_NE(stress, std::string::npos) << t;
  EXPECT_LT(s1, stress);
  EXPECT_NE(t.find("policy 'pol0'", stress), std::string::npos);
  EXPECT_NE(t.find("policy 'pol1'", stress), std::string::npos);
  const std::string only_stress = format_comparison_table(r, c, CompareView::kStress);
  EXPECT_EQ(only_stress.find("\nscenario 'scen0'\n"), std::string::npos);  // no policy blocks
  EXPECT_EQ(marks(only_stress), 2 * c.combos[0].values.size());
}

}  // namespace
}  // namespace limitsim

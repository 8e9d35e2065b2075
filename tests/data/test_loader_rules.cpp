// The mapping's rules for foreign schemas at load time (docs/data.md): an id from the row number or an unnamed
// column, fill rules and NA fallbacks with their counts, one column feeding several fields, ranks of any column,
// the worst of several status columns, buckets from counts of past-due events, scorecard scores, the load report.
#include <gtest/gtest.h>

#include "kernels/special.hpp"
#include "src/data/features.hpp"
#include "tests/data/loader_fixture.hpp"

namespace limitsim {
namespace {

using namespace loader_test;

const std::string kForeignMapping = src("configs/population/foreign_snapshot.toml");

Panel load(const std::string& data, const std::string& mapping, BadRowPolicy policy = BadRowPolicy::kError) {
  return load_panel(data, load_mapping(mapping), policy);
}

TEST(LoaderRules, ForeignCrossSectionLoadsAsDelivered) {
  const Panel p = load(fixture("foreign.csv"), kForeignMapping);
  ASSERT_EQ(p.size(), 12);
  EXPECT_EQ(p.months, 1);
  EXPECT_TRUE(p.month_names.empty());
  for (int i = 0; i < 12; ++i) EXPECT_EQ(p.id[static_cast<std::size_t>(i)], static_cast<std::uint64_t>(i + 1));
  // MonthlyIncome is NA on rows 7, 9 and 11: the [defaults] income fills them, and the count says so.
  const std::vector<double> income = {9120, 2600, 3042, 3300, 63588, 3500, 5400, 3500, 5400, 23684, 5400, 4000};
  const std::vector<double> ratio = {0.766126609, 0.957151019, 0.65818014, 0.233809776, 0.9072394,   0.213178682,
                                     0.305682465, 0.754463648, 0.116950644, 0.189169052, 1.5 /* 2.5 capped */, 0.0};
  for (std::size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(p.income[i], std::llround(income[i] * 100.0)) << i;
    EXPECT_EQ(p.limit[i], std::llround(static_cast<double>(p.income[i]) * 3.0)) << i;  // limit = income x 3
    EXPECT_NEAR(static_cast<double>(p.balance[i]), ratio[i] * static_cast<double>(p.limit[i]), 0.5) << i;
  }
  EXPECT_EQ(p.filled.at("income: NA, filled by defaults.income"), 3);
  EXPECT_EQ(p.ratio_capped, 1);
  EXPECT_EQ(p.label, (std::vector<std::int8_t>{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}));
  EXPECT_TRUE(p.bucket.empty());
  EXPECT_EQ(p.months_on_book, std::vector<std::int32_t>(12, 24));
  // The score ranks utilization, higher worse: ordering the rows by ratio orders their scores the other way.
  for (std::size_t a = 0; a < 12; ++a) {
    for (std::size_t b = 0; b < 12; ++b) {
      if (!(ratio[a] < ratio[b])) continue;
      EXPECT_GT(p.score[a], p.score[b]) << a << " " << b;
    }
  }
  // The scorecard's input columns are kept, NA as NaN (MonthlyIncome feeds income and an input: one column, two
  // fields), and their NAs are counted too.
  ASSERT_EQ(p.feature_columns.size(), 8u);
  EXPECT_EQ(p.feature_columns[3], "MonthlyIncome");
  EXPECT_TRUE(std::isnan(p.features[6 * 8 + 3]));
  EXPECT_FLOAT_EQ(p.features[0 * 8 + 3], 9120.0f);
  EXPECT_FLOAT_EQ(p.features[10 * 8 + 5], 3.0f);  // NumberOfTimes90DaysLate of row 11
  EXPECT_EQ(p.filled.at("column MonthlyIncome: NA, a scorecard input (filled by it)"), 3);
  EXPECT_TRUE(p.income_observed);
}

TEST(LoaderRules, IdFromTheRowNumberSurvivesSkippedRows) {
  TempDir dir;
  const std::string map = dir.write("m.toml", "[fields]\nid = { row_number = true }\nlimit = \"L\"\n");
  const std::string data = dir.write("d.csv", "L\n100\nbad\n\n300\n");
  const Panel p = load(data, map, BadRowPolicy::kSkip);
  // Data rows 1 and 3 are kept (the blank line is not a row); their ids are their row numbers.
  EXPECT_EQ(p.id, (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(p.rows_skipped, 1);
  EXPECT_NE(p.skipped_examples.at(0).find(":3: column 'L': not a number"), std::string::npos) << p.skipped_examples[0];
}

TEST(LoaderRules, UnnamedColumnAndOneColumnFeedingSeveralFields) {
  TempDir dir;
  const std::string map = dir.write("m.toml",
                                    "[fields]\nid = \"\"\nincome = \"X\"\n[defaults]\n"
                                    "limit = { column = \"X\", factor = 2.5 }\n"
                                    "score = { rank_of = \"X\", direction = \"higher_is_better\", mean = 600, sd = 50 }\n");
  const std::string data = dir.write("d.csv", ",X\n7,1000\n9,3000\n8,2000\n");
  const Panel p = load(data, map);
  EXPECT_EQ(p.id, (std::vector<std::uint64_t>{7, 9, 8}));
  EXPECT_EQ(p.income, (std::vector<std::int64_t>{100000, 300000, 200000}));
  EXPECT_EQ(p.limit, (std::vector<std::int64_t>{250000, 750000, 500000}));
  // Ranks 1, 3, 2 of 3: 600 + 50 * Phi^-1((rank - 0.5) / 3).
  EXPECT_FLOAT_EQ(p.score[0], static_cast<float>(600.0 + 50.0 * norm_inv(0.5 / 3.0)));
  EXPECT_FLOAT_EQ(p.score[1], static_cast<float>(600.0 + 50.0 * norm_inv(2.5 / 3.0)));
  EXPECT_FLOAT_EQ(p.score[2], 600.0f);
}

TEST(LoaderRules, NaFallsBackToDefaultsOnlyWhereGivenAndIsCounted) {
  TempDir dir;
  const std::string map = dir.write("m.toml",
                                    "[source]\nna_values = [\"NA\", \"-\"]\n"
                                    "[fields]\nid = \"ID\"\nlimit = \"L\"\nscore = \"S\"\nmonths_on_book = \"M\"\nlabel = \"Y\"\n"
                                    "[defaults]\nlimit = 500.0\nscore = 650\nmonths_on_book = 12\n");
  const std::string data = dir.write("d.csv", "ID,L,S,M,Y\n1,NA,700,3,1\n2,900,-,NA,NA\n3,800,720,5,0\n");
  const Panel p = load(data, map);
  EXPECT_EQ(p.limit, (std::vector<std::int64_t>{50000, 90000, 80000}));
  EXPECT_EQ(p.score, (std::vector<float>{700.0f, 650.0f, 720.0f}));
  EXPECT_EQ(p.months_on_book, (std::vector<std::int32_t>{3, 12, 5}));
  EXPECT_EQ(p.label, (std::vector<std::int8_t>{1, -1, 0}));
  EXPECT_EQ(p.filled.at("limit: NA, filled by defaults.limit"), 1);
  EXPECT_EQ(p.filled.at("score: NA, filled by defaults.score"), 1);
  EXPECT_EQ(p.filled.at("months_on_book: NA, filled by defaults.months_on_book"), 1);
  EXPECT_EQ(p.filled.at("label: NA, unknown"), 1);
  // A field without a fallback refuses its NA, naming the line and the column.
  const std::string strict = dir.write("s.toml", "[source]\nna_values = [\"NA\"]\n[fields]\nid = \"ID\"\nlimit = \"L\"\nincome = \"I\"\n");
  const std::string bad = dir.write("b.csv", "ID,L,I\n1,100,NA\n");
  EXPECT_EQ(load_error(bad, strict), bad + ":2: column 'I': NA: no value, and [defaults] income gives no fill for it");
  // Without na_values, NA is just text that is not a number.
  const std::string plain = dir.write("p.toml", "[fields]\nid = \"ID\"\nlimit = \"L\"\n");
  const std::string na = dir.write("n.csv", "ID,L\n1,NA\n");
  EXPECT_EQ(load_error(na, plain), na + ":2: column 'L': not a number: 'NA'");
}

TEST(LoaderRules, DerivedFromAColumnRefusesItsNa) {
  TempDir dir;
  const std::string map = dir.write("m.toml",
                                    "[source]\nna_values = [\"NA\"]\n[fields]\nid = \"ID\"\n"
                                    "[defaults]\nlimit = { column = \"X\", factor = 2 }\n");
  const std::string data = dir.write("d.csv", "ID,X\n1,NA\n2,-4\n3,10\n");
  EXPECT_EQ(load_error(data, map), data + ":2: column 'X': NA: defaults.limit needs a value here");
  const Panel p = load(data, map, BadRowPolicy::kSkip);
  EXPECT_EQ(p.id, (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(p.limit, (std::vector<std::int64_t>{2000}));
  EXPECT_EQ(p.rows_skipped, 2);
  EXPECT_NE(p.skipped_examples.at(1).find(":3: column 'X': defaults.limit would be negative"), std::string::npos)
      << p.skipped_examples[1];
}

TEST(LoaderRules, RankDirectionAndNaTakesTheMiddle) {
  TempDir dir;
  const std::string map = dir.write("m.toml",
                                    "[source]\nna_values = [\"NA\"]\n[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\n"
                                    "score = { rank_of = \"U\", direction = \"higher_is_worse\" }\n");
  const std::string data = dir.write("d.csv", "ID,L,U\n1,100,0.9\n2,100,NA\n3,100,0.1\n4,100,0.1\n");
  const Panel p = load(data, map);
  // Ranked among the 3 with a value, best (lowest U) last: 0.9 is rank 1; the tied 0.1s share ranks 2 and 3.
  EXPECT_FLOAT_EQ(p.score[0], static_cast<float>(680.0 + 80.0 * norm_inv(0.5 / 3.0)));
  EXPECT_FLOAT_EQ(p.score[1], 680.0f);
  EXPECT_FLOAT_EQ(p.score[2], static_cast<float>(680.0 + 80.0 * norm_inv(2.0 / 3.0)));
  EXPECT_EQ(p.score[2], p.score[3]);
  EXPECT_EQ(p.filled.at("score: NA in U, the middle rank"), 1);
}

TEST(LoaderRules, WorstOfSeveralStatusColumns) {
  TempDir dir;
  const std::string map = dir.write("m.toml",
                                    "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = [\"CARD\", \"LOAN\"]\nbalance = \"B\"\n"
                                    "[status.codes]\n\"0\" = { bucket = 0, type = \"revolver\" }\n\"1\" = { bucket = 1 }\n"
                                    "\"2\" = { bucket = 2 }\n\"9\" = { bucket = \"charged_off\" }\n");
  const std::string data = dir.write("d.csv", "ID,L,CARD,LOAN,B\n1,100,0,2,5\n2,100,1,0,5\n3,100,0,0,5\n4,100,9,1,5\n");
  const Panel p = load(data, map);
  EXPECT_EQ(p.bucket, (std::vector<std::int8_t>{2, 1, 0, kChargedOffBucket}));
  EXPECT_EQ(p.status_code, (std::vector<std::int16_t>{2, 1, 0, 9}));
  EXPECT_EQ(p.type, (std::vector<UsageType>{UsageType::kNone, UsageType::kNone, UsageType::kRevolver, UsageType::kNone}));
}

TEST(LoaderRules, BucketFromCountsOfPastDueEvents) {
  TempDir dir;
  const std::string map = dir.write("m.toml",
                                    "[fields]\nid = \"ID\"\nlimit = \"L\"\n[status]\nfrom_counts = [\n"
                                    "  { column = \"D90\", bucket = 3 },\n  { column = \"D30\", bucket = 1, min_count = 2 },\n]\n");
  const std::string data = dir.write("d.csv", "ID,L,D30,D90\n1,100,0,0\n2,100,1,0\n3,100,2,0\n4,100,5,1\n5,100,-1,0\n");
  EXPECT_EQ(load_error(data, map), data + ":6: column 'D30': a count of past-due events must not be negative, got -1");
  const Panel p = load(data, map, BadRowPolicy::kSkip);
  EXPECT_EQ(p.bucket, (std::vector<std::int8_t>{0, 0, 1, 3}));
  EXPECT_EQ(p.status_code, (std::vector<std::int16_t>{0, 0, 0, 0}));
}

TEST(LoaderRules, Hdf5NanIsNa) {
  TempDir dir;
  const std::string path = dir.file("d.h5");
  const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  auto write = [&](const char* name, const double* v) {
    const hsize_t n = 3;
    const hid_t s = H5Screate_simple(1, &n, nullptr);
    const hid_t d = H5Dcreate2(f, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    H5Dclose(d);
    H5Sclose(s);
  };
  const double id[] = {1, 2, 3}, limit[] = {100, 200, 300}, income[] = {50, NAN, -999};
  write("id", id);
  write("limit", limit);
  write("income", income);
  H5Fclose(f);
  const std::string map = dir.write("m.toml",
                                    "[source]\nna_values = [\"-999\"]\n[fields]\nid = \"id\"\nlimit = \"limit\"\n"
                                    "income = \"income\"\n[defaults]\nincome = { limit_multiple = 2.0 }\n");
  const Panel p = load(path, map);
  EXPECT_EQ(p.income, (std::vector<std::int64_t>{5000, 10000, 15000}));
  EXPECT_EQ(p.filled.at("income: NA, filled by defaults.income"), 2);
}

TEST(LoaderRules, LoadReportShowsCountsMixAndWarnings) {
  TempDir dir;
  const std::string map = dir.write("m.toml",
                                    "[source]\nna_values = [\"NA\"]\n[fields]\nid = \"ID\"\nlimit = \"L\"\nincome = \"I\"\n"
                                    "status = \"S\"\nbalance = \"B\"\n[status.codes]\n\"0\" = { bucket = 0 }\n\"1\" = { bucket = 1 }\n"
                                    "[defaults]\nincome = 1000.0\n");
  const std::string data = dir.write("d.csv", "ID,L,I,S,B\n1,100,NA,0,50\n2,100,500,1,0\n3,100,500,1,-5\n4,100,500,0,120\nx,1,1,0,0\n");
  const Panel p = load(data, map, BadRowPolicy::kSkip);
  PopulationConfig pc;
  const Population pop = population_from_panel(p, -1, pc, default_behaviour());
  const std::string r = load_report(p, pop, pc);
  EXPECT_NE(r.find("5 rows read, 4 kept, 1 skipped as bad rows"), std::string::npos) << r;
  EXPECT_NE(r.find("filled: income: NA, filled by defaults.income: 1 rows (25.0%)"), std::string::npos) << r;
  EXPECT_NE(r.find("1-30 DPD                            2   50.0%"), std::string::npos) << r;
  EXPECT_NE(r.find("over the line                       1   25.0%"), std::string::npos) << r;
  EXPECT_NE(r.find("warning: 2 delinquent accounts (50.0%) owe nothing"), std::string::npos) << r;
}

}  // namespace
}  // namespace limitsim

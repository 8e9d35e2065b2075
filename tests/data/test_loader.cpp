// Tests of real-data loading (src/mapping.cpp, src/loader.cpp): every mapping
// error and every bad-row path names file, line and key or column; skip mode
// counts; CSV and HDF5 read the same; ids are kept and row order does not
// matter; money scaling, limit-rank scores and habits worked by hand; and the
// shipped UCI data set through its shipped mapping, against its README.

#include <gtest/gtest.h>

#include <hdf5.h>
#include <omp.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/metrics.hpp"
#include "src/analysis/calibrate.hpp"
#include "src/config/config.hpp"
#include "src/engine/engine.hpp"
#include "src/engine/factors.hpp"
#include "src/data/panel.hpp"

#ifndef LIMITSIM_SOURCE_DIR
#define LIMITSIM_SOURCE_DIR "."
#endif

namespace limitsim {
namespace {

namespace fs = std::filesystem;

std::string src(const std::string& rel) { return std::string(LIMITSIM_SOURCE_DIR) + "/" + rel; }
std::string fixture(const std::string& name) { return src("tests/data/loader/" + name); }

const std::string kUciData = src("data/uci-credit-card/uci_credit_card.csv");
const std::string kUciMapping = src("configs/population/uci_credit_card.toml");
const std::string kUciSha256 = "f7b7d22d1f8dd27dadb25d4b78d8a4ae7c441ab6cc12d1ea58c0efc54d4d1788";

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "limitsim_loader_XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
  }

 private:
  fs::path path_;
};

std::string load_error(const std::string& data, const std::string& mapping,
                       BadRowPolicy policy = BadRowPolicy::kError) {
  try {
    load_panel(data, load_mapping(mapping), policy);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

#define SAME(field) EXPECT_EQ(a.field, b.field) << #field

void expect_same_panel(const Panel& a, const Panel& b) {
  SAME(month_names); SAME(months); SAME(id); SAME(limit); SAME(score); SAME(income); SAME(months_on_book);
  SAME(region); SAME(region_names); SAME(label); SAME(status_code); SAME(bucket); SAME(type); SAME(balance);
  SAME(payment); SAME(rows_read); SAME(rows_skipped); SAME(skipped_examples);
}

// Customers sorted by id.
Population by_id(const Population& p) {
  std::vector<std::size_t> order(static_cast<std::size_t>(p.size()));
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p.id[a] < p.id[b]; });
  Population s;
  s.resize(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    s.id[k] = p.id[i]; s.score[k] = p.score[i]; s.spend_propensity[k] = p.spend_propensity[i];
    s.activity[k] = p.activity[i]; s.revolve_shape[k] = p.revolve_shape[i]; s.risk[k] = p.risk[i];
    s.income[k] = p.income[i]; s.limit[k] = p.limit[i]; s.balance[k] = p.balance[i];
    s.transactor[k] = p.transactor[i]; s.segment[k] = p.segment[i]; s.region[k] = p.region[i];
    s.months_on_book[k] = p.months_on_book[i]; s.bucket[k] = p.bucket[i];
  }
  return s;
}

void expect_same_population(const Population& a, const Population& b) {
  SAME(id); SAME(score); SAME(spend_propensity); SAME(activity); SAME(revolve_shape); SAME(risk); SAME(income);
  SAME(limit); SAME(balance); SAME(transactor); SAME(segment); SAME(region); SAME(months_on_book); SAME(bucket);
}

#undef SAME

// ================================================================ mapping errors

struct MappingCase {
  const char* name;
  const char* toml;
  int line;
  const char* key;      // dotted key the message names
  const char* reason;   // a fragment of the reason
};

const MappingCase kMappingCases[] = {
    {"unknown_top_level_key", "colour = 1\n[fields]\nid = \"ID\"\nlimit = \"L\"\n", 1, "colour",
     "unknown key (allowed here: source, fields, panel, status, regions, defaults)"},
    {"unknown_field", "[fields]\nid = \"ID\"\nlimit = \"L\"\nlimt = \"X\"\n", 4, "fields.limt", "unknown key"},
    {"field_not_a_string", "[fields]\nid = 3\nlimit = \"L\"\n", 2, "fields.id", "must be a string, got 3"},
    {"no_fields_table", "[source]\nformat = \"csv\"\n", 1, "fields", "missing: a [fields] table"},
    {"no_id", "[fields]\nlimit = \"L\"\n", 1, "fields.id", "is required"},
    {"no_limit", "[fields]\nid = \"ID\"\n", 1, "fields.limit", "is required"},
    {"empty_column_name", "[fields]\nid = \"ID\"\nlimit = \"\"\n", 3, "fields.limit", "must name a column"},
    {"column_mapped_twice", "[fields]\nid = \"ID\"\nlimit = \"ID\"\n", 3, "fields.limit",
     "column \"ID\" is already mapped by fields.id"},
    {"series_column_twice",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nmonths = [\"a\", \"b\"]\nbalance = [\"B\", \"B\"]\n", 6,
     "panel.balance[1]", "column \"B\" is already mapped by panel.balance[0]"},
    {"format_unknown", "[source]\nformat = \"xlsx\"\n[fields]\nid = \"ID\"\nlimit = \"L\"\n", 2, "source.format",
     "must be \"csv\" or \"hdf5\", got \"xlsx\""},
    {"delimiter_two_chars", "[source]\ndelimiter = \";;\"\n[fields]\nid = \"ID\"\nlimit = \"L\"\n", 2,
     "source.delimiter", "must be one character"},
    {"delimiter_quote", "[source]\ndelimiter = '\"'\n[fields]\nid = \"ID\"\nlimit = \"L\"\n", 2, "source.delimiter",
     "must be one character other than a double quote"},
    {"delimiter_with_hdf5", "[source]\nformat = \"hdf5\"\ndelimiter = \";\"\n[fields]\nid = \"ID\"\nlimit = \"L\"\n", 3,
     "source.delimiter", "only applies to CSV"},
    {"money_scale_zero", "[source]\nmoney_scale = 0\n[fields]\nid = \"ID\"\nlimit = \"L\"\n", 2, "source.money_scale",
     "must be in (0, 1e6], got 0"},
    {"money_scale_text", "[source]\nmoney_scale = \"1\"\n[fields]\nid = \"ID\"\nlimit = \"L\"\n", 2,
     "source.money_scale", "must be a number, got string \"1\""},
    {"unknown_source_key", "[source]\nencoding = \"utf-8\"\n[fields]\nid = \"ID\"\nlimit = \"L\"\n", 2,
     "source.encoding", "unknown key"},
    {"panel_without_months", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nbalance = [\"B\"]\n", 4, "panel.months",
     "is required"},
    {"panel_months_not_array", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nmonths = \"2005\"\n", 5, "panel.months",
     "must be an array of month names"},
    {"panel_months_empty", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nmonths = []\nbalance = []\n", 5,
     "panel.months", "must name 1 to 600 months, got 0"},
    {"panel_month_twice", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nmonths = [\"a\", \"a\"]\n", 5,
     "panel.months[1]", "month \"a\" is named twice"},
    {"panel_series_wrong_length",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nmonths = [\"a\", \"b\"]\nbalance = [\"B1\", \"B2\", \"B3\"]\n", 6,
     "panel.balance", "must have one column per month of panel.months (2), got 3"},
    {"panel_without_series", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nmonths = [\"a\"]\n", 5, "panel.months",
     "a panel needs at least one series"},
    {"panel_unknown_key",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nmonths = [\"a\"]\nbalance = [\"B\"]\nbalances = [\"C\"]\n", 7,
     "panel.balances", "unknown key"},
    {"snapshot_balance_with_panel",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\nbalance = \"X\"\n[panel]\nmonths = [\"a\"]\nbalance = [\"B\"]\n", 4,
     "fields.balance", "a snapshot column cannot be combined with [panel]"},
    {"status_without_codes", "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n", 4, "status.codes",
     "is required: a status column is mapped"},
    {"codes_without_status", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[status.codes]\n\"0\" = { bucket = 0 }\n", 4,
     "status", "not used: no status column is mapped"},
    {"codes_empty", "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status]\ncodes = {}\n", 6, "status.codes",
     "must list at least one code"},
    {"code_not_an_integer", "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status.codes]\n\"x1\" = { bucket = 0 }\n",
     6, "status.codes.\"x1\"", "a status code must be a 64-bit integer"},
    {"code_listed_twice",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status.codes]\n\"1\" = { bucket = 1 }\n\"01\" = { bucket = 1 }\n",
     7, "status.codes.\"01\"", "code 1 is listed twice"},
    {"code_not_a_table", "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status.codes]\n\"0\" = 0\n", 6,
     "status.codes.\"0\"", "must be a table { bucket = 0..6"},
    {"bucket_too_high", "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status.codes]\n\"9\" = { bucket = 7 }\n", 6,
     "status.codes.\"9\".bucket", "must be a delinquency bucket 0..6"},
    {"bucket_negative", "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status.codes]\n\"9\" = { bucket = -1 }\n",
     6, "status.codes.\"9\".bucket", "must be a delinquency bucket 0..6"},
    {"bucket_not_integer", "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status.codes]\n\"9\" = { bucket = 1.5 }\n",
     6, "status.codes.\"9\".bucket", "must be an integer bucket 0..6 or \"charged_off\", got 1.5"},
    {"month_with_colon", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nmonths = [\"a:1\"]\nbalance = [\"B\"]\n",
     5, "panel.months[0]", "must not contain ':'"},
    {"bucket_other_text", "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status.codes]\n\"9\" = { bucket = \"gone\" }\n",
     6, "status.codes.\"9\".bucket", "must be an integer bucket 0..6 or \"charged_off\", got string \"gone\""},
    {"bucket_missing", "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status.codes]\n\"9\" = { type = \"revolver\" }\n",
     6, "status.codes.\"9\".bucket", "is required"},
    {"type_unknown",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status.codes]\n\"0\" = { bucket = 0, type = \"revolving\" }\n", 6,
     "status.codes.\"0\".type", "must be one of none, inactive, transactor, revolver, got \"revolving\""},
    {"code_unknown_key",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status.codes]\n\"0\" = { bucket = 0, days = 30 }\n", 6,
     "status.codes.\"0\".days", "unknown key"},
    {"region_without_names", "[fields]\nid = \"ID\"\nlimit = \"L\"\nregion = \"R\"\n", 4, "regions.names",
     "is required with fields.region"},
    {"names_without_region", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[regions]\nnames = [\"a\"]\n", 4, "regions",
     "not used: no region column is mapped"},
    {"region_name_twice", "[fields]\nid = \"ID\"\nlimit = \"L\"\nregion = \"R\"\n[regions]\nnames = [\"a\", \"a\"]\n", 6,
     "regions.names[1]", "unique"},
    {"region_name_slash", "[fields]\nid = \"ID\"\nlimit = \"L\"\nregion = \"R\"\n[regions]\nnames = [\"a/b\"]\n", 6,
     "regions.names[0]", "free of '/'"},
    {"too_many_regions",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\nregion = \"R\"\n[regions]\nnames = "
     "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\"]\n",
     6, "regions.names", "must have 1 to 16 names, got 17"},
    {"score_rank_of_income",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\nincome = \"I\"\n[defaults]\nscore = { rank_of = \"income\" }\n", 6,
     "defaults.score.rank_of", "must be \"limit\""},
    {"score_rule_without_rank_of", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nscore = { mean = 600.0 }\n", 5,
     "defaults.score.rank_of", "is required in a rank rule"},
    {"score_rule_unknown_key",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nscore = { rank_of = \"limit\", mu = 600.0 }\n", 5,
     "defaults.score.mu", "unknown key"},
    {"score_rule_sd_zero", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nscore = { rank_of = \"limit\", sd = 0 }\n",
     5, "defaults.score.sd", "must be in (0, 600], got 0"},
    {"score_rule_mean_out_of_range",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nscore = { rank_of = \"limit\", mean = 300 }\n", 5,
     "defaults.score.mean", "must be in [350, 950], got 300"},
    {"score_constant_out_of_range", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nscore = 1000\n", 5,
     "defaults.score", "a constant score must be in [350, 950], got 1000"},
    {"score_with_score_column", "[fields]\nid = \"ID\"\nlimit = \"L\"\nscore = \"S\"\n[defaults]\nscore = 700\n", 6,
     "defaults.score", "not used: fields.score maps a score column"},
    {"income_multiple_zero", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nincome = { limit_multiple = 0 }\n", 5,
     "defaults.income.limit_multiple", "must be in [0.01, 1000], got 0"},
    {"income_negative", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nincome = -5.0\n", 5, "defaults.income",
     "must be in [0, 1e12] currency units, got -5"},
    {"income_with_income_column", "[fields]\nid = \"ID\"\nlimit = \"L\"\nincome = \"I\"\n[defaults]\nincome = 5000.0\n",
     6, "defaults.income", "not used: fields.income maps an income column"},
    {"income_rule_unknown_key", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nincome = { multiple = 2.0 }\n", 5,
     "defaults.income.limit_multiple", "is required"},
    {"mob_negative", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nmonths_on_book = -1\n", 5,
     "defaults.months_on_book", "must be >= 0, got -1"},
    {"mob_not_integer", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nmonths_on_book = 1.5\n", 5,
     "defaults.months_on_book", "must be an integer, got 1.5"},
    {"mob_with_column", "[fields]\nid = \"ID\"\nlimit = \"L\"\nmonths_on_book = \"M\"\n[defaults]\nmonths_on_book = 3\n",
     6, "defaults.months_on_book", "not used"},
    {"defaults_unknown_key", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nage = 40\n", 5, "defaults.age",
     "unknown key"},
};

class MappingErrors : public ::testing::TestWithParam<MappingCase> {};

TEST_P(MappingErrors, NameFileLineKeyAndReason) {
  const MappingCase& c = GetParam();
  TempDir dir;
  const std::string path = dir.write("m.toml", c.toml);
  std::string msg;
  try {
    load_mapping(path);
  } catch (const ConfigError& e) {
    msg = e.what();
  }
  ASSERT_FALSE(msg.empty()) << c.name << ": accepted";
  const std::string head = path + ":" + std::to_string(c.line) + ": " + c.key + ": ";
  EXPECT_TRUE(starts_with(msg, head)) << c.name << "\nwant prefix: " << head << "\ngot: " << msg;
  EXPECT_NE(msg.find(std::string(": ") + c.key + ": "), std::string::npos) << c.name << ": " << msg;
  EXPECT_NE(msg.find(c.reason), std::string::npos) << c.name << "\nwant: " << c.reason << "\ngot: " << msg;
}

INSTANTIATE_TEST_SUITE_P(Mapping, MappingErrors, ::testing::ValuesIn(kMappingCases),
                         [](const ::testing::TestParamInfo<MappingCase>& i) { return std::string(i.param.name); });

TEST(Mapping, SyntaxErrorNamesFileAndLine) {
  TempDir dir;
  const std::string path = dir.write("m.toml", "[fields]\nid = \"ID\"\nlimit = \n");
  try {
    load_mapping(path);
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(starts_with(e.what(), path + ":3: syntax error: ")) << e.what();
  }
}

TEST(Mapping, MissingFile) {
  try {
    load_mapping("/nonexistent/m.toml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/m.toml: cannot open the mapping file: no such file");
  }
}

TEST(Mapping, UciMappingReadsAsDocumented) {
  const Mapping m = load_mapping(kUciMapping);
  EXPECT_EQ(m.format, "csv");
  EXPECT_EQ(m.delimiter, ',');
  EXPECT_EQ(m.money_scale, 1.0);
  EXPECT_EQ(m.columns.at("id"), "ID");
  EXPECT_EQ(m.columns.at("limit"), "LIMIT_BAL");
  EXPECT_EQ(m.columns.at("label"), "default.payment.next.month");
  EXPECT_EQ(m.columns.size(), 3u);
  EXPECT_EQ(m.months, (std::vector<std::string>{"2005-04", "2005-05", "2005-06", "2005-07", "2005-08", "2005-09"}));
  EXPECT_EQ(m.status_columns, (std::vector<std::string>{"PAY_6", "PAY_5", "PAY_4", "PAY_3", "PAY_2", "PAY_0"}));
  EXPECT_EQ(m.balance_columns.front(), "BILL_AMT6");
  EXPECT_EQ(m.balance_columns.back(), "BILL_AMT1");
  EXPECT_EQ(m.payment_columns.front(), "PAY_AMT6");
  EXPECT_EQ(m.payment_columns.back(), "PAY_AMT1");
  ASSERT_EQ(m.codes.size(), 12u);
  EXPECT_EQ(m.codes.at(-2).type, UsageType::kInactive);
  EXPECT_EQ(m.codes.at(-1).type, UsageType::kTransactor);
  EXPECT_EQ(m.codes.at(0).type, UsageType::kRevolver);
  for (int k = 1; k <= 9; ++k) {
    // 1..6 are 30-day buckets; 7..9 (more than 180 days late) are past the model's charge-off point.
    EXPECT_EQ(m.codes.at(k).bucket, k <= 6 ? k : kChargedOffBucket) << k;
    EXPECT_EQ(m.codes.at(k).type, UsageType::kNone) << k;
  }
  EXPECT_EQ(m.score.kind, ScoreRule::Kind::kLimitRank);
  EXPECT_EQ(m.score.mean, 680.0);
  EXPECT_EQ(m.score.sd, 80.0);
  EXPECT_EQ(m.income_limit_multiple, 1.5);
  EXPECT_EQ(m.months_on_book, 24);
}

TEST(Mapping, DefaultsWhenAbsent) {
  TempDir dir;
  const Mapping m = load_mapping(dir.write("m.toml", "[fields]\nid = \"a\"\nlimit = \"b\"\n"));
  EXPECT_EQ(m.format, "");
  EXPECT_EQ(m.delimiter, ',');
  EXPECT_EQ(m.money_scale, 1.0);
  EXPECT_EQ(m.score.kind, ScoreRule::Kind::kConstant);
  EXPECT_EQ(m.score.value, 680.0);
  EXPECT_EQ(m.income_limit_multiple, 0.0);
  EXPECT_EQ(m.income, 600000);
  EXPECT_EQ(m.months_on_book, 24);
  EXPECT_TRUE(m.months.empty());
  EXPECT_TRUE(m.codes.empty());
}

// ================================================================ CSV: good files

TEST(Loader, GoodCsvValues) {
  const Panel p = load_panel(fixture("good.csv"), load_mapping(fixture("basic.toml")), BadRowPolicy::kError);
  EXPECT_EQ(p.source, fixture("good.csv"));
  EXPECT_EQ(p.months, 2);
  EXPECT_EQ(p.month_names, (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(p.rows_read, 3);
  EXPECT_EQ(p.rows_skipped, 0);
  EXPECT_EQ(p.id, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(p.limit, (std::vector<std::int64_t>{100000, 200050, 0}));
  EXPECT_EQ(p.score, (std::vector<float>{700.0f, 650.0f, 720.0f}));
  EXPECT_EQ(p.region, (std::vector<std::int32_t>{0, 1, 0}));
  EXPECT_EQ(p.region_names, (std::vector<std::string>{"north", "south"}));
  EXPECT_EQ(p.label, (std::vector<std::int8_t>{0, 1, -1}));
  EXPECT_EQ(p.status_code, (std::vector<std::int64_t>{0, 0, -1, 1, 0, 2}));
  EXPECT_EQ(p.bucket, (std::vector<std::int8_t>{0, 0, 0, 1, 0, 2}));
  EXPECT_EQ(p.type, (std::vector<UsageType>{UsageType::kRevolver, UsageType::kRevolver, UsageType::kTransactor,
                                            UsageType::kNone, UsageType::kRevolver, UsageType::kNone}));
  EXPECT_EQ(p.balance, (std::vector<std::int64_t>{10050, 20000, -2000, 30000, 0, 0}));
  EXPECT_EQ(p.payment, (std::vector<std::int64_t>{0, 5000, 2000, 0, 0, 0}));
  // Defaults of the mapping: constant income 6,000.00, 24 months on book.
  EXPECT_EQ(p.income, (std::vector<std::int64_t>{600000, 600000, 600000}));
  EXPECT_EQ(p.months_on_book, (std::vector<std::int32_t>{24, 24, 24}));
  EXPECT_EQ(p.sha256, sha256_file(fixture("good.csv")));
}

TEST(Loader, QuotingCrlfBomAndBlankLinesReadTheSame) {
  // The fixture must really hold CRLF line ends (tests/data/loader/.gitattributes keeps them).
  std::ifstream raw(fixture("good_quoted_crlf.csv"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(raw)), std::istreambuf_iterator<char>());
  ASSERT_NE(bytes.find("\r\n"), std::string::npos);
  ASSERT_EQ(bytes.substr(0, 3), "\xEF\xBB\xBF");
  const Mapping m = load_mapping(fixture("basic.toml"));
  Panel a = load_panel(fixture("good.csv"), m, BadRowPolicy::kError);
  Panel b = load_panel(fixture("good_quoted_crlf.csv"), m, BadRowPolicy::kError);
  expect_same_panel(a, b);
  const Panel c = load_panel(fixture("good_no_final_newline.csv"), m, BadRowPolicy::kError);
  EXPECT_EQ(c.id, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(c.payment, (std::vector<std::int64_t>{0, 5000, 2000, 0}));
}

TEST(Loader, SnapshotWithDelimiterMoneyScaleAndExplicitFormat) {
  const Panel p = load_panel(fixture("snapshot.txt"), load_mapping(fixture("snapshot.toml")), BadRowPolicy::kError);
  EXPECT_EQ(p.months, 1);
  EXPECT_TRUE(p.month_names.empty());
  EXPECT_EQ(p.id, (std::vector<std::uint64_t>{7, 9, 8}));
  // money_scale = 0.01: the file's cents are 0.01 currency units, so cents come back unchanged.
  EXPECT_EQ(p.limit, (std::vector<std::int64_t>{12345, 500000, 100}));
  EXPECT_EQ(p.balance, (std::vector<std::int64_t>{-250, 123456, 100}));
  EXPECT_EQ(p.income, (std::vector<std::int64_t>{600000, 0, 1}));
  EXPECT_EQ(p.months_on_book, (std::vector<std::int32_t>{3, 0, 120}));
  EXPECT_EQ(p.status_code, (std::vector<std::int64_t>{0, 30, -1}));
  EXPECT_EQ(p.bucket, (std::vector<std::int8_t>{0, 1, 0}));
  EXPECT_EQ(p.score, (std::vector<float>{700.0f, 700.0f, 700.0f}));
  EXPECT_TRUE(p.payment.empty());
  EXPECT_TRUE(p.label.empty());
}

TEST(Loader, MoneyScaleMultipliesAndRounds) {
  TempDir dir;
  const std::string map = "[source]\nmoney_scale = %s\n[fields]\nid = \"id\"\nlimit = \"limit\"\n";
  const std::string data = dir.write("d.csv", "id,limit\n1,1.5\n2,0.004\n3,0.005\n4,20000000\n");
  auto with_scale = [&](const char* scale) {
    std::string text = map;
    text.replace(text.find("%s"), 2, scale);
    return load_mapping(dir.write(std::string("m") + scale + ".toml", text));
  };
  // cents = llround(value * scale * 100): 1.5 x 1000 = 1,500.00; 0.004 x 1000 = 4.00; 2e7 x 1000 = 2e10 units.
  Panel p = load_panel(data, with_scale("1000"), BadRowPolicy::kError);
  EXPECT_EQ(p.limit, (std::vector<std::int64_t>{150000, 400, 500, 2000000000000}));
  // scale 1: 0.004 -> 0.4 cent rounds to 0; 0.005 -> 0.5 cent rounds away from zero to 1.
  p = load_panel(data, with_scale("1"), BadRowPolicy::kError);
  EXPECT_EQ(p.limit, (std::vector<std::int64_t>{150, 0, 1, 2000000000}));
  // scale 1e6: 2e7 x 1e6 = 2e13 units, beyond 1e12: refused on its line.
  with_scale("1e6");
  EXPECT_EQ(load_error(data, dir.file("m1e6.toml")),
            data + ":5: column 'limit': amount out of range: '20000000' is more than 1e12 currency units");
}

// ================================================================ CSV: every bad-row path

struct BadRowCase {
  const char* file;
  int line;
  const char* column;  // as the message names it: "column 'x'" or "column #13 (beyond the header)"
  const char* reason;
};

const BadRowCase kBadRows[] = {
    {"bad_short_row.csv", 3, "column 'p2'", "missing: the row has 11 fields, the header 12"},
    {"bad_long_row.csv", 2, "column #13 (beyond the header)", "the row has 13 fields, the header 12"},
    {"bad_trailing_garbage.csv", 3, "column 'limit'", "trailing characters after the number: '1000x'"},
    {"bad_not_a_number.csv", 2, "column 'b1'", "not a number: 'abc'"},
    {"bad_empty_field.csv", 3, "column 'limit'", "empty: a number is required"},
    {"bad_nan_balance.csv", 2, "column 'b2'", "NaN is not allowed: 'NaN'"},
    {"bad_inf_balance.csv", 2, "column 'b1'", "an infinite value is not allowed: 'inf'"},
    {"bad_negative_limit.csv", 4, "column 'limit'", "a limit must not be negative, got '-5'"},
    {"bad_unknown_status.csv", 2, "column 's2'", "status code 7 is not in status.codes (-1, 0, 1, 2)"},
    {"bad_fractional_status.csv", 2, "column 's1'", "a status must be an integer code, got '1.5'"},
    {"bad_unknown_region.csv", 3, "column 'region'", "region 'east' is not in regions.names (north, south)"},
    {"bad_duplicate_id.csv", 5, "column 'id'", "id 2 is repeated: it is also on line 3"},
    {"bad_negative_id.csv", 2, "column 'id'", "an id must be a non-negative integer, got '-4'"},
    {"bad_fractional_id.csv", 2, "column 'id'", "an id must be a non-negative integer, got '2.5'"},
    {"bad_label.csv", 2, "column 'label'", "a label must be 0 or 1 (-1 or empty: unknown), got '2'"},
    {"bad_unterminated_quote.csv", 3, "column 'name'", "unterminated quoted field: the file ends inside it"},
    {"bad_text_after_quote.csv", 2, "column 'name'",
     "a quoted field must end at the delimiter or the line end, got 'x' after its closing quote"},
    {"bad_negative_payment.csv", 2, "column 'p1'", "a payment must not be negative, got '-3'"},
    {"bad_score_range.csv", 2, "column 'score'", "a score must be in [350, 950], got '999'"},
    {"bad_huge_amount.csv", 2, "column 'limit'", "amount out of range: '1e13' is more than 1e12 currency units"},
    {"bad_number_out_of_range.csv", 2, "column 'b1'", "number out of range: '1e400'"},
    {"bad_after_multiline.csv", 4, "column 'limit'", "not a number: 'x'"},  // row 1 spans lines 2-3
};

class BadRows : public ::testing::TestWithParam<BadRowCase> {};

TEST_P(BadRows, ErrorModeNamesFileLineColumnAndReason) {
  const BadRowCase& c = GetParam();
  const std::string data = fixture(c.file);
  const std::string msg = load_error(data, fixture("basic.toml"));
  const std::string want = data + ":" + std::to_string(c.line) + ": " + c.column + ": " + c.reason;
  EXPECT_EQ(msg, want);
}

TEST_P(BadRows, SkipModeSkipsExactlyThatRow) {
  const BadRowCase& c = GetParam();
  const std::string data = fixture(c.file);
  const Mapping m = load_mapping(fixture("basic.toml"));
  const std::string msg = data + ":" + std::to_string(c.line) + ": " + c.column + ": " + c.reason;
  const Panel p = load_panel(data, m, BadRowPolicy::kSkip);
  EXPECT_EQ(p.rows_skipped, 1);
  ASSERT_EQ(p.skipped_examples.size(), 1u);
  EXPECT_EQ(p.skipped_examples[0], msg);
  EXPECT_EQ(p.size(), p.rows_read - 1);
}

INSTANTIATE_TEST_SUITE_P(Loader, BadRows, ::testing::ValuesIn(kBadRows),
                         [](const ::testing::TestParamInfo<BadRowCase>& i) {
                           std::string n = i.param.file;
                           return n.substr(0, n.find('.'));
                         });

// Error paths that concern the whole file: refused whatever the policy.
TEST(Loader, FileErrorsAreRefusedInBothModes) {
  const std::string mapping = fixture("basic.toml");
  const std::string basic = load_mapping(mapping).source;
  struct Case {
    std::string file, want;
  } cases[] = {
      {fixture("bad_missing_column.csv"),
       fixture("bad_missing_column.csv") + ":1: column 'p2' (panel.payment[1] in " + basic + "): not in the header"},
      {fixture("bad_header_twice.csv"), fixture("bad_header_twice.csv") + ":1: column 'limit' (fields.limit in " + basic +
                                            "): the header has it twice (fields 3 and 13)"},
      {fixture("empty.csv"), fixture("empty.csv") + ": empty file: no header row"},
      {fixture("header_only.csv"), fixture("header_only.csv") + ": no data rows"},
      {fixture("no_such_file.csv"), fixture("no_such_file.csv") + ": cannot open the data file: no such file"},
      {fixture("all_bad.csv"), fixture("all_bad.csv") + ": no usable rows: all 2 data rows were refused (the first: " +
                                   fixture("all_bad.csv") + ":2: column 'limit': a limit must not be negative, got '-1')"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(load_error(c.file, mapping, BadRowPolicy::kSkip), c.want);
    if (c.file != fixture("all_bad.csv")) {
      EXPECT_EQ(load_error(c.file, mapping, BadRowPolicy::kError), c.want);
    }
  }
  EXPECT_EQ(load_error(fixture("all_bad.csv"), mapping, BadRowPolicy::kError),
            fixture("all_bad.csv") + ":2: column 'limit': a limit must not be negative, got '-1'");
  EXPECT_EQ(load_error(fixture("snapshot.txt"), mapping),
            fixture("snapshot.txt") + ": cannot tell the format from the extension '.txt' (.csv, .h5, .hdf5): "
                                      "set [source] format in " + basic);
}

TEST(Loader, SnapshotBadRows) {
  const std::string mapping = fixture("snapshot.toml");
  EXPECT_EQ(load_error(fixture("snapshot_bad_mob.txt"), mapping),
            fixture("snapshot_bad_mob.txt") + ":2: column 'mob': months on book must be a non-negative 32-bit integer, got '-1'");
  EXPECT_EQ(load_error(fixture("snapshot_bad_income.txt"), mapping),
            fixture("snapshot_bad_income.txt") + ":2: column 'inc_cents': an income must not be negative, got '-600000'");
}

TEST(Loader, SkipModeCountsAndKeepsTheFirstOfRepeatedIds) {
  const std::string data = fixture("skip_mixed.csv");
  const Panel p = load_panel(data, load_mapping(fixture("basic.toml")), BadRowPolicy::kSkip);
  EXPECT_EQ(p.rows_read, 10);  // the blank line 6 is not a row
  EXPECT_EQ(p.rows_skipped, 6);
  EXPECT_EQ(p.id, (std::vector<std::uint64_t>{10, 12, 15, 17}));
  EXPECT_EQ(p.limit, (std::vector<std::int64_t>{100000, 200000, 150000, 150000}));  // the first id 10 and 12
  EXPECT_EQ(p.label, (std::vector<std::int8_t>{0, 1, -1, 0}));
  EXPECT_EQ(p.balance.size(), 8u);
  EXPECT_EQ(p.balance[2], 30000);  // id 12, month 1
  ASSERT_EQ(p.skipped_examples.size(), 5u);
  EXPECT_EQ(p.skipped_examples[0], data + ":3: column 'limit': a limit must not be negative, got '-1'");
  EXPECT_EQ(p.skipped_examples[1], data + ":5: column 's2': missing: the row has 7 fields, the header 12");
  EXPECT_EQ(p.skipped_examples[2], data + ":7: column 'region': region 'west' is not in regions.names (north, south)");
  EXPECT_EQ(p.skipped_examples[3], data + ":10: column 'b1': NaN is not allowed: 'nan'");
  EXPECT_EQ(p.skipped_examples[4], data + ":8: column 'id': id 10 is repeated: it is also on line 2");
  // In error mode the first bad row stops the load.
  EXPECT_EQ(load_error(data, fixture("basic.toml")), p.skipped_examples[0]);
}

// A record longer than the 1 MiB read buffer, with delimiters, doubled quotes
// and line breaks inside: read whole, and later lines still numbered physically.
TEST(Loader, RecordLongerThanTheReadBuffer) {
  TempDir dir;
  std::string name;
  for (int i = 0; name.size() < 3u << 20; ++i) name += i % 1000 == 999 ? "a\nb" : "x, \"\"y\"\" ";
  const auto newlines = std::count(name.begin(), name.end(), '\n');
  std::string text = "id,name,limit,score,region,label,s1,s2,b1,b2,p1,p2\n";
  text += "1,\"" + name + "\",1000,700,north,0,0,0,100,200,0,50\n";
  text += "2,Bob,2000,700,south,1,0,1,1,2,3,4\n";
  text += "3,Cy,oops,700,south,1,0,1,1,2,3,4\n";
  const std::string data = dir.write("long.csv", text);
  const Panel p = load_panel(data, load_mapping(fixture("basic.toml")), BadRowPolicy::kSkip);
  EXPECT_EQ(p.id, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(p.limit, (std::vector<std::int64_t>{100000, 200000}));
  EXPECT_EQ(p.payment, (std::vector<std::int64_t>{0, 5000, 300, 400}));
  ASSERT_EQ(p.skipped_examples.size(), 1u);
  EXPECT_EQ(p.skipped_examples[0], data + ":" + std::to_string(4 + newlines) + ": column 'limit': not a number: 'oops'");
}

// Records that straddle the end of the 1 MiB read buffer exactly between
// "\r" and "\n", and between the two quotes of a doubled quote.
TEST(Loader, RecordsStraddlingTheBufferEdge) {
  constexpr std::size_t kBuffer = std::size_t{1} << 20;
  TempDir dir;
  const std::string header = "id,name,limit,score,region,label,s1,s2,b1,b2,p1,p2\r\n";
  auto build = [&](bool quoted) {
    std::string text = header;
    std::int64_t id = 1;
    const std::string tail = ",1000,700,north,0,0,0,100,200,0,50\r\n";
    while (text.size() + 200 < kBuffer) text += std::to_string(id++) + ",filler" + tail;
    // One row whose break ("\r" | "\n") or doubled quote ('"' | '"') sits across the edge.
    const std::string head = std::to_string(id++) + (quoted ? ",\"" : ",");
    const std::size_t used = text.size() + head.size();
    if (quoted) {
      const std::size_t fill = kBuffer - 1 - used;  // the first quote of "" at the last byte of the buffer
      text += head + std::string(fill, 'q') + "\"\"end\"" + tail;
    } else {
      const std::size_t fill = kBuffer - 1 - used - (tail.size() - 2);  // "\r" at the last byte
      text += head + std::string(fill, 'n') + tail;
      EXPECT_EQ(text[kBuffer - 1], '\r');
      EXPECT_EQ(text[kBuffer], '\n');
    }
    for (int k = 0; k < 100; ++k) text += std::to_string(id++) + ",after" + tail;
    return std::make_pair(text, id - 1);
  };
  for (const bool quoted : {false, true}) {
    const auto [text, rows] = build(quoted);
    if (quoted) {
      ASSERT_EQ(text[kBuffer - 1], '"');
      ASSERT_EQ(text[kBuffer], '"');
    }
    const std::string data = dir.write(quoted ? "q.csv" : "r.csv", text);
    const Panel p = load_panel(data, load_mapping(fixture("basic.toml")), BadRowPolicy::kError);
    ASSERT_EQ(p.size(), rows) << quoted;
    for (std::int64_t i = 0; i < rows; ++i) {
      ASSERT_EQ(p.id[static_cast<std::size_t>(i)], static_cast<std::uint64_t>(i + 1));
      ASSERT_EQ(p.payment[p.at(i, 1)], 5000) << "row " << i;
    }
  }
}

// ================================================================ SHA-256

TEST(Loader, Sha256KnownAnswers) {
  TempDir dir;
  // Lengths around the 64-byte block and the 56-byte padding edge, both implementations alike.
  std::string text;
  for (int n = 0; n < 200; ++n, text += static_cast<char>('a' + n % 26)) {
    const std::string f = dir.write("len" + std::to_string(n), text);
    ASSERT_EQ(sha256_file(f), sha256_file(f, true)) << n;
  }
  EXPECT_EQ(sha256_file(dir.write("abc", "abc"), true),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_file(dir.write("million", std::string(1000000, 'a')), true),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // FIPS 180-2 appendix B vectors.
  EXPECT_EQ(sha256_file(dir.write("e", "")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_file(dir.write("abc", "abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_file(dir.write("two", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_file(dir.write("million", std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(sha256_file(kUciData), kUciSha256);
}

TEST(Loader, EveryHashModeGivesTheFileHash) {
  const Mapping m = load_mapping(kUciMapping);
  for (const HashMode mode : {HashMode::kConcurrent, HashMode::kInline, HashMode::kSecondPass})
    EXPECT_EQ(load_panel(kUciData, m, BadRowPolicy::kError, mode).sha256, kUciSha256);
}

// ================================================================ ids and row order

TEST(Loader, ShuffledRowsGiveTheSameCustomers) {
  TempDir dir;
  std::ifstream in(kUciData, std::ios::binary);
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> rows;
  while (std::getline(in, line)) rows.push_back(line);
  std::mt19937_64 rng(20261123);
  std::shuffle(rows.begin(), rows.end(), rng);
  std::string text = header + "\n";
  for (const std::string& r : rows) text += r + "\n";
  const std::string shuffled = dir.write("shuffled.csv", text);

  const Mapping m = load_mapping(kUciMapping);
  const Panel a = load_panel(kUciData, m, BadRowPolicy::kError);
  const Panel b = load_panel(shuffled, m, BadRowPolicy::kError);
  ASSERT_EQ(a.size(), 30000);
  ASSERT_EQ(b.size(), 30000);
  EXPECT_NE(a.id, b.id);  // really another order
  const PopulationConfig pc;
  const BehaviourParams bp = default_behaviour();
  for (const std::int32_t as_of : {5, 2, 0}) {
    const Population pa = by_id(population_from_panel(a, as_of, pc, bp));
    const Population pb = by_id(population_from_panel(b, as_of, pc, bp));
    expect_same_population(pa, pb);
    // Ids are the file's: 1..30000.
    EXPECT_EQ(pa.id.front(), 1u);
    EXPECT_EQ(pa.id.back(), 30000u);
  }
}

TEST(Loader, PopulationDoesNotDependOnTheThreadCount) {
  const Panel p = load_panel(kUciData, load_mapping(kUciMapping), BadRowPolicy::kError);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const Population one = population_from_panel(p, -1, PopulationConfig{}, default_behaviour());
  omp_set_num_threads(3);
  const Population three = population_from_panel(p, -1, PopulationConfig{}, default_behaviour());
  omp_set_num_threads(saved);
  expect_same_population(one, three);
}

// ================================================================ scores and habits by hand

TEST(Loader, LimitRankScoresByHand) {
  const Panel p = load_panel(fixture("ranks.csv"), load_mapping(fixture("ranks.toml")), BadRowPolicy::kError);
  // Limits 100, 300, 300, 200, 500: ranks 1, 3.5, 3.5, 2, 5 of n = 5, so
  // (rank - 0.5) / 5 = 0.1, 0.6, 0.6, 0.3, 0.9 and Phi^-1 of these is
  // -1.2815516, 0.2533471, 0.2533471, -0.5244005, 1.2815516; score = 680 + 80 z.
  ASSERT_EQ(p.size(), 5);
  EXPECT_NEAR(p.score[0], 577.47587, 1e-3);
  EXPECT_NEAR(p.score[1], 700.26777, 1e-3);
  EXPECT_NEAR(p.score[2], 700.26777, 1e-3);
  EXPECT_NEAR(p.score[3], 638.04796, 1e-3);
  EXPECT_NEAR(p.score[4], 782.52413, 1e-3);
  EXPECT_EQ(p.score[1], p.score[2]);
  // income = limit / 2.
  EXPECT_EQ(p.income, (std::vector<std::int64_t>{5000, 15000, 15000, 10000, 25000}));
}

TEST(Loader, PopulationHabitsByHand) {
  const Panel p = load_panel(fixture("habits.csv"), load_mapping(fixture("habits.toml")), BadRowPolicy::kError);
  const PopulationConfig pc;                      // score 680 / 80, one region, default bands
  const BehaviourParams bp = default_behaviour();  // minimum payment max(50.00, 10%)
  ASSERT_EQ(bp.min_payment_floor, 5000);
  ASSERT_EQ(bp.min_payment_rate, 0.10);
  const Population pop = population_from_panel(p, -1, pc, bp);  // as of the last month, t = 2
  ASSERT_EQ(pop.size(), 3);
  // Months t = 1, 2 are observed (spend needs the month before). Income 1,000.00 each.
  // Customer 1: spend 1500-1000+500 = 1000 and 1200-1500+900 = 600: active 2 of 2, 1,600 in all.
  //   Revolver shares: statement 1000 (min 100), paid 500: 400/900; statement 1500 (min 150), paid 900:
  //   750/1350. Sum 1.0 over 2. Types revolver, revolver, transactor: a revolver.
  // Customer 2: spend 2000-2000+2000 = 2000, then 0-2000+2000 = 0: active 1 of 2. Shares 1 and 1
  //   (paid in full). Types transactor x3.
  // Customer 3: no spend, nothing due; types inactive, inactive, none: untyped, so the
  //   panel's majority: 1 transactor of 2 typed customers is no majority, so a revolver.
  // Panel-wide: activity 3/6 = 0.5; propensity (own spend / 2 months / income): 0.8, 1.0, 0 -> 0.6;
  //   revolver share (customers 1 and 3): 1.0 / 2 = 0.5.
  // Shrunk with 3 pseudo-months: activity (a + 3 x 0.5) / 5; propensity (2 x own + 3 x 0.6) / 5;
  //   share (sum + 3 x 0.5) / (n + 3), gamma = 1 / share - 1.
  EXPECT_EQ(pop.transactor, (std::vector<std::uint8_t>{0, 1, 0}));
  const float activity[] = {0.7f, 0.5f, 0.3f}, propensity[] = {0.68f, 0.76f, 0.36f};
  const float gamma[] = {1.0f, static_cast<float>(1.0 / 0.7 - 1.0), 1.0f};
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(pop.activity[i], activity[i], 1e-6) << i;
    EXPECT_NEAR(pop.spend_propensity[i], propensity[i], 1e-6) << i;
    EXPECT_NEAR(pop.revolve_shape[i], gamma[i], 1e-6) << i;
  }
  EXPECT_EQ(pop.id, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(pop.balance, (std::vector<std::int64_t>{120000, 0, 0}));
  EXPECT_EQ(pop.bucket, (std::vector<std::int8_t>{0, 0, 1}));
  EXPECT_EQ(pop.limit, (std::vector<std::int64_t>{500000, 800000, 300000}));
  EXPECT_EQ(pop.income, (std::vector<std::int64_t>{100000, 100000, 100000}));
  EXPECT_EQ(pop.months_on_book, (std::vector<std::int32_t>{24, 24, 24}));
  // Limits 5000, 8000, 3000 rank 2, 3, 1 of 3: Phi^-1(0.5, 5/6, 1/6) = 0, +-0.9674216.
  EXPECT_NEAR(pop.score[0], 680.0, 1e-4);
  EXPECT_NEAR(pop.score[1], 757.39373, 1e-3);
  EXPECT_NEAR(pop.score[2], 602.60627, 1e-3);
  EXPECT_NEAR(pop.risk[1], -0.9674216, 1e-5);
  // Segments: score bands at 550, 620, 680, 740, 800.
  EXPECT_EQ(pop.segment, (std::vector<std::int32_t>{3, 4, 1}));

  // As of month 0 nothing is observed: the synthetic population's medians, month 0's
  // state, two fewer months on book; types of month 0 only (customer 3 untyped again).
  const Population first = population_from_panel(p, 0, pc, bp);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(first.activity[i], 1.0 / (1.0 + std::exp(-1.5)), 1e-6);
    EXPECT_NEAR(first.spend_propensity[i], 0.25, 1e-7);
    EXPECT_NEAR(first.revolve_shape[i], 2.0, 1e-7);
  }
  EXPECT_EQ(first.transactor, (std::vector<std::uint8_t>{0, 1, 0}));
  EXPECT_EQ(first.balance, (std::vector<std::int64_t>{100000, 200000, 0}));
  EXPECT_EQ(first.bucket, (std::vector<std::int8_t>{0, 0, 0}));
  EXPECT_EQ(first.months_on_book, (std::vector<std::int32_t>{22, 22, 22}));
}

TEST(Loader, SnapshotPopulationUsesTheDocumentedConstants) {
  const Panel p = load_panel(fixture("snapshot.txt"), load_mapping(fixture("snapshot.toml")), BadRowPolicy::kError);
  PopulationConfig pc;
  const Population pop = population_from_panel(p, -1, pc, default_behaviour());
  EXPECT_EQ(pop.balance, (std::vector<std::int64_t>{-250, 123456, 100}));
  EXPECT_EQ(pop.bucket, (std::vector<std::int8_t>{0, 1, 0}));
  EXPECT_EQ(pop.months_on_book, (std::vector<std::int32_t>{3, 0, 120}));
  // One typed customer (8, a transactor) is the majority of the typed: everyone untyped follows it.
  EXPECT_EQ(pop.transactor, (std::vector<std::uint8_t>{1, 1, 1}));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FLOAT_EQ(pop.spend_propensity[i], 0.25f);
    EXPECT_FLOAT_EQ(pop.revolve_shape[i], 2.0f);
  }
  // Without any typed month the type follows the score: logistic(-0.6 + 0.8 (score - 650) / 100)
  // is above 1/2 from score 725 on.
  TempDir dir;
  const std::string map = dir.write("m.toml", "[fields]\nid = \"id\"\nlimit = \"limit\"\nscore = \"score\"\n");
  const Panel q = load_panel(dir.write("d.csv", "id,limit,score\n1,100,724\n2,100,726\n"), load_mapping(map),
                             BadRowPolicy::kError);
  EXPECT_EQ(population_from_panel(q, -1, pc, default_behaviour()).transactor, (std::vector<std::uint8_t>{0, 1}));
}

TEST(Loader, PopulationRefusesABadMonthOrOtherRegions) {
  const Panel p = load_panel(fixture("good.csv"), load_mapping(fixture("basic.toml")), BadRowPolicy::kError);
  PopulationConfig pc;
  pc.region_names = {"north", "south"};
  pc.region_shares = {0.5, 0.5};
  const Population pop = population_from_panel(p, 1, pc, default_behaviour());
  EXPECT_EQ(pop.region, (std::vector<std::int32_t>{0, 1, 0}));
  // Scores 700, 650, 720 are bands 3, 2, 3; segment = band x 2 regions + region.
  EXPECT_EQ(pop.segment, (std::vector<std::int32_t>{6, 5, 6}));
  try {
    population_from_panel(p, 2, pc, default_behaviour());
    FAIL() << "accepted month 2 of 2";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), fixture("good.csv") + ": as-of month 2 is past the panel's last month (0..1)");
  }
  pc.region_names = {"south", "north"};
  try {
    population_from_panel(p, 1, pc, default_behaviour());
    FAIL() << "accepted other regions";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("the data's regions (north, south) differ from the population's regions "
                                         "(south, north)"),
              std::string::npos)
        << e.what();
  }
}

// ================================================================ the UCI data set

TEST(LoaderUci, LoadsEveryRowWithTheReadmeFigures) {
  const Panel p = load_panel(kUciData, load_mapping(kUciMapping), BadRowPolicy::kError);
  ASSERT_EQ(p.rows_read, 30000);
  ASSERT_EQ(p.size(), 30000);
  EXPECT_EQ(p.rows_skipped, 0);
  EXPECT_EQ(p.sha256, kUciSha256);
  EXPECT_EQ(p.months, 6);
  // PAY_0 (September, the last panel month).
  std::map<std::int64_t, std::int64_t> pay0;
  for (std::int64_t i = 0; i < p.size(); ++i) ++pay0[p.status_code[p.at(i, 5)]];
  const std::map<std::int64_t, std::int64_t> readme = {{-2, 2759}, {-1, 5686}, {0, 14737}, {1, 3688},
                                                       {2, 2667},  {3, 322},   {4, 76},     {5, 26},
                                                       {6, 11},    {7, 9},     {8, 19}};
  EXPECT_EQ(pay0, readme);
  EXPECT_EQ(std::count(p.label.begin(), p.label.end(), 1), 6636);
  // Default rate by PAY_0: 13.2% (-2), 16.8% (-1), 12.8% (0), 33.9% (1), 69.1% (2), 75.8% (3).
  std::map<std::int64_t, std::int64_t> defaults;
  for (std::int64_t i = 0; i < p.size(); ++i) defaults[p.status_code[p.at(i, 5)]] += p.label[static_cast<std::size_t>(i)];
  const std::pair<std::int64_t, double> rates[] = {{-2, 13.2}, {-1, 16.8}, {0, 12.8}, {1, 33.9}, {2, 69.1}, {3, 75.8}};
  for (const auto& [code, pct] : rates)
    EXPECT_NEAR(100.0 * defaults[code] / readme.at(code), pct, 0.05) << "PAY_0 = " << code;
  EXPECT_EQ(std::count(p.label.begin(), p.label.end(), 0), 30000 - 6636);
  // LIMIT_BAL: mean 167,484 (to the unit), median 140,000, range 10,000 to 1,000,000.
  std::int64_t sum = 0;
  for (const std::int64_t c : p.limit) {
    ASSERT_EQ(c % 100, 0);
    sum += c / 100;
  }
  EXPECT_EQ(sum / 30000, 167484);
  std::vector<std::int64_t> sorted = p.limit;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ((sorted[14999] + sorted[15000]) / 2, 14000000);
  EXPECT_EQ(sorted.front(), 1000000);
  EXPECT_EQ(sorted.back(), 100000000);
  // BILL_AMT1 / LIMIT_BAL: mean 0.424, median 0.314.
  std::vector<double> util;
  for (std::int64_t i = 0; i < p.size(); ++i)
    util.push_back(static_cast<double>(p.balance[p.at(i, 5)]) / static_cast<double>(p.limit[static_cast<std::size_t>(i)]));
  EXPECT_NEAR(std::accumulate(util.begin(), util.end(), 0.0) / 30000.0, 0.424, 0.0005);
  std::sort(util.begin(), util.end());
  EXPECT_NEAR(0.5 * (util[14999] + util[15000]), 0.314, 0.0005);
  // Client 1, by hand from its line: PAY_6..PAY_0 = -2 -2 -1 -1 2 2; BILL_AMT1 = 3913; PAY_AMT2 = 689.
  ASSERT_EQ(p.id[0], 1u);
  EXPECT_EQ(std::vector<std::int64_t>(p.status_code.begin(), p.status_code.begin() + 6),
            (std::vector<std::int64_t>{-2, -2, -1, -1, 2, 2}));
  EXPECT_EQ(p.balance[p.at(0, 5)], 391300);
  EXPECT_EQ(p.payment[p.at(0, 4)], 68900);
  EXPECT_EQ(p.limit[0], 2000000);
  EXPECT_EQ(p.income[0], 1333333);  // 20,000 / 1.5
}

TEST(LoaderUci, PopulationAsOfSeptember) {
  const Panel p = load_panel(kUciData, load_mapping(kUciMapping), BadRowPolicy::kError);
  const PopulationConfig pc;
  std::vector<std::int64_t> rows;
  const Population pop = population_from_panel(p, -1, pc, default_behaviour(), &rows);
  // The 9 + 19 clients coded 7 and 8 in September are charged off: left out.
  ASSERT_EQ(pop.size(), 30000 - 9 - 19);
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(pop.size()));
  for (std::size_t k = 0; k < rows.size(); ++k) {
    ASSERT_EQ(pop.id[k], p.id[static_cast<std::size_t>(rows[k])]);
    ASSERT_LE(p.status_code[p.at(rows[k], 5)], 6);
  }
  // Buckets from PAY_0: -2/-1/0 current; 1..6 as themselves.
  std::vector<std::int64_t> buckets(7, 0);
  for (const std::int8_t b : pop.bucket) ++buckets[static_cast<std::size_t>(b)];
  EXPECT_EQ(buckets, (std::vector<std::int64_t>{2759 + 5686 + 14737, 3688, 2667, 322, 76, 26, 11}));
  // Client 1: two transactor months, no revolver month: a transactor; bucket 2; balance 3,913.
  EXPECT_EQ(pop.transactor[0], 1);
  EXPECT_EQ(pop.bucket[0], 2);
  EXPECT_EQ(pop.balance[0], 391300);
  EXPECT_EQ(pop.months_on_book[0], 24);
  for (std::size_t i = 0; i < static_cast<std::size_t>(pop.size()); ++i) {
    ASSERT_GE(pop.score[i], 350.0f);
    ASSERT_LE(pop.score[i], 950.0f);
    ASSERT_GT(pop.activity[i], 0.0f);
    ASSERT_LT(pop.activity[i], 1.0f);
    ASSERT_GE(pop.spend_propensity[i], 0.0f);
    ASSERT_LE(pop.spend_propensity[i], 3.0f);
    ASSERT_GE(pop.revolve_shape[i], kMinRevolveShape);
    ASSERT_LE(pop.revolve_shape[i], kMaxRevolveShape);
  }
}

// The loaded customers through the model: the CPU backend simulates the UCI
// population under the quickstart's behaviour, policy and scenario.
TEST(LoaderUci, SimulatesOnTheCpuBackend) {
  RunConfig cfg = load_run_config(src("configs/quickstart.toml"));
  cfg.paths = 2;
  cfg.months = 3;
  for (ScenarioConfig& s : cfg.scenarios) resolve_scenario(s, cfg.months);
  const Panel panel = load_panel(kUciData, load_mapping(kUciMapping), BadRowPolicy::kError);
  const Population pop = population_from_panel(panel, -1, cfg.population, cfg.behaviour.params);
  const int segments = static_cast<int>(cfg.population.segment_names.size() * cfg.population.region_names.size());
  for (const std::int32_t g : pop.segment) ASSERT_TRUE(g >= 0 && g < segments) << g;

  const FactorModel fm = factor_model(cfg);
  const FactorDraws factors = systematic_factors(cfg.seed, cfg.paths, cfg.months, fm);
  ASSERT_EQ(cfg.behaviour.params.lgd_mode, LgdMode::kFixed);
  const ModelView mv = model_view(cfg.behaviour.params, cfg.policies[0].params, cfg.scenarios[0].months.data(), factors,
                                  fm, {}, cfg.seed, cfg.months, cfg.paths);
  std::vector<std::int64_t> sums(static_cast<std::size_t>(cfg.paths) * cfg.months * segments * kNumMetrics, 0);
  std::int64_t* out = sums.data();
  auto backend = make_cpu_backend(2);
  backend->set_customers(pop.view());
  backend->simulate(&mv, 1, cfg.paths, segments, &out);
  auto total = [&](int path, int month, int metric) {
    std::int64_t x = 0;
    for (int g = 0; g < segments; ++g)
      x += sums[((static_cast<std::size_t>(path) * cfg.months + month) * segments + g) * kNumMetrics + metric];
    return x;
  };
  for (int path = 0; path < cfg.paths; ++path) {
    // Every customer is open, charged off or attrited at the end of month 1.
    EXPECT_EQ(total(path, 0, kActive) + total(path, 0, kChargeoffCount) + total(path, 0, kAttritedCount),
              30000 - 9 - 19);
    // Only the 11 accounts that start in bucket 6 can charge off in month 1.
    EXPECT_LE(total(path, 0, kChargeoffCount), 11);
    EXPECT_GT(total(path, 0, kBalance), 0);
    EXPECT_GT(total(path, 0, kSpend), 0);
    EXPECT_GT(total(path, 0, kPayment), 0);
  }
}

// ================================================================ HDF5

// Writes a 1-D dataset `name` of n elements of memory type `type` from `data`.
void h5_write(hid_t file, const char* name, hid_t file_type, hid_t mem_type, hsize_t n, const void* data) {
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t ds = H5Dcreate2(file, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(ds, 0) << name;
  ASSERT_GE(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0) << name;
  H5Dclose(ds);
  H5Sclose(space);
}

// The rows of good.csv as HDF5 columns, in a mix of types: ids uint64, limits
// double, scores float, regions variable-length strings, labels int8, statuses
// int32, balances double, payments int64.
struct H5Good {
  std::vector<std::uint64_t> id = {1, 2, 3};
  std::vector<double> limit = {1000, 2000.50, 0};
  std::vector<float> score = {700, 650, 720};
  std::vector<const char*> region = {"north", "south", "north"};
  std::vector<std::int8_t> label = {0, 1, -1};
  std::vector<std::int32_t> s1 = {0, -1, 0}, s2 = {0, 1, 2};
  std::vector<double> b1 = {100.5, -20, 0}, b2 = {200, 300, 0};
  std::vector<std::int64_t> p1 = {0, 20, 0}, p2 = {50, 0, 0};
  std::vector<std::string> skip;  // datasets to leave out

  void write(const std::string& path) const {
    const hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    const hsize_t n = id.size();
    auto want = [&](const char* name) { return std::find(skip.begin(), skip.end(), name) == skip.end(); };
    if (want("id")) h5_write(f, "id", H5T_STD_U64LE, H5T_NATIVE_UINT64, n, id.data());
    if (want("limit")) h5_write(f, "limit", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, limit.data());
    if (want("score")) h5_write(f, "score", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, n, score.data());
    if (want("region")) {
      const hid_t t = H5Tcopy(H5T_C_S1);
      H5Tset_size(t, H5T_VARIABLE);
      h5_write(f, "region", t, t, n, region.data());
      H5Tclose(t);
    }
    if (want("label")) h5_write(f, "label", H5T_STD_I8LE, H5T_NATIVE_INT8, n, label.data());
    if (want("s1")) h5_write(f, "s1", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s1.data());
    if (want("s2")) h5_write(f, "s2", H5T_STD_I32LE, H5T_NATIVE_INT32, n, s2.data());
    if (want("b1")) h5_write(f, "b1", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, b1.data());
    if (want("b2")) h5_write(f, "b2", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, b2.data());
    if (want("p1")) h5_write(f, "p1", H5T_STD_I64LE, H5T_NATIVE_INT64, n, p1.data());
    if (want("p2")) h5_write(f, "p2", H5T_STD_I64LE, H5T_NATIVE_INT64, n, p2.data());
    H5Fclose(f);
  }
};

TEST(LoaderHdf5, SameFileAsCsvGivesTheSamePanel) {
  TempDir dir;
  const std::string h5 = dir.file("good.h5");
  H5Good().write(h5);
  const Mapping m = load_mapping(fixture("basic.toml"));
  const Panel a = load_panel(fixture("good.csv"), m, BadRowPolicy::kError);
  const Panel b = load_panel(h5, m, BadRowPolicy::kError);
  expect_same_panel(a, b);
  EXPECT_EQ(b.sha256, sha256_file(h5));
  EXPECT_EQ(b.source, h5);
}

TEST(LoaderHdf5, FixedLengthAndIndexRegions) {
  TempDir dir;
  const Mapping m = load_mapping(fixture("basic.toml"));
  const Panel want = load_panel(fixture("good.csv"), m, BadRowPolicy::kError);
  // Fixed-length, space-padded strings.
  H5Good g;
  g.skip = {"region"};
  const std::string fixed = dir.file("fixed.h5");
  g.write(fixed);
  {
    const hid_t f = H5Fopen(fixed.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 6);
    H5Tset_strpad(t, H5T_STR_SPACEPAD);
    const char text[] = "north south north ";
    h5_write(f, "region", t, t, 3, text);
    H5Tclose(t);
    H5Fclose(f);
  }
  EXPECT_EQ(load_panel(fixed, m, BadRowPolicy::kError).region, want.region);
  // Integer indices into regions.names.
  const std::string index = dir.file("index.h5");
  g.write(index);
  {
    const hid_t f = H5Fopen(index.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const std::int32_t r[] = {0, 1, 0};
    h5_write(f, "region", H5T_STD_I32LE, H5T_NATIVE_INT32, 3, r);
    H5Fclose(f);
  }
  EXPECT_EQ(load_panel(index, m, BadRowPolicy::kError).region, want.region);
}

TEST(LoaderHdf5, BadRowsNameFileRowAndDataset) {
  TempDir dir;
  const Mapping m = load_mapping(fixture("basic.toml"));
  struct Case {
    const char* name;
    void (*edit)(H5Good&);
    const char* want;  // after "file: "
  } cases[] = {
      {"neg_limit", [](H5Good& g) { g.limit[1] = -5; }, "row 2: dataset 'limit': a limit must not be negative, got -5"},
      {"nan", [](H5Good& g) { g.b1[2] = std::nan(""); }, "row 3: dataset 'b1': NaN is not allowed: nan"},
      {"dup", [](H5Good& g) { g.id[2] = 1; }, "row 3: dataset 'id': id 1 is repeated: it is also on row 1"},
      {"status", [](H5Good& g) { g.s2[0] = 9; }, "row 1: dataset 's2': status code 9 is not in status.codes (-1, 0, 1, 2)"},
      {"label", [](H5Good& g) { g.label[1] = 3; }, "row 2: dataset 'label': a label must be 0 or 1 (-1 or empty: unknown), got 3"},
      {"region", [](H5Good& g) { g.region[2] = "east"; },
       "row 3: dataset 'region': region 'east' is not in regions.names (north, south)"},
      {"payment", [](H5Good& g) { g.p1[0] = -1; }, "row 1: dataset 'p1': a payment must not be negative, got -1"},
      {"score", [](H5Good& g) { g.score[0] = 100; }, "row 1: dataset 'score': a score must be in [350, 950], got 100"},
  };
  for (const Case& c : cases) {
    H5Good g;
    c.edit(g);
    const std::string h5 = dir.file(std::string(c.name) + ".h5");
    g.write(h5);
    EXPECT_EQ(load_error(h5, fixture("basic.toml")), h5 + ": " + c.want) << c.name;
    const Panel p = load_panel(h5, m, BadRowPolicy::kSkip);
    EXPECT_EQ(p.rows_skipped, 1) << c.name;
    EXPECT_EQ(p.size(), 2) << c.name;
  }
  // A negative id in a signed dataset; a region index outside the names.
  const std::string h5 = dir.file("signed.h5");
  H5Good g;
  g.skip = {"id", "region"};
  g.write(h5);
  const hid_t f = H5Fopen(h5.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const std::int64_t ids[] = {1, -4, 3};
  h5_write(f, "id", H5T_STD_I64LE, H5T_NATIVE_INT64, 3, ids);
  const std::int32_t regions[] = {0, 1, 2};
  h5_write(f, "region", H5T_STD_I32LE, H5T_NATIVE_INT32, 3, regions);
  H5Fclose(f);
  const Panel p = load_panel(h5, m, BadRowPolicy::kSkip);
  EXPECT_EQ(p.id, (std::vector<std::uint64_t>{1}));
  ASSERT_EQ(p.skipped_examples.size(), 2u);
  EXPECT_EQ(p.skipped_examples[0], h5 + ": row 2: dataset 'id': an id must be a non-negative integer, got -4");
  EXPECT_EQ(p.skipped_examples[1],
            h5 + ": row 3: dataset 'region': a region index must be 0..1 (into regions.names), got 2");
}

TEST(LoaderHdf5, FileErrors) {
  TempDir dir;
  const std::string mapping = fixture("basic.toml");
  const std::string basic = load_mapping(mapping).source;
  {
    H5Good g;
    g.skip = {"p2"};
    g.write(dir.file("missing.h5"));
    EXPECT_EQ(load_error(dir.file("missing.h5"), mapping),
              dir.file("missing.h5") + ": dataset 'p2' (panel.payment[1] in " + basic +
                  "): not found (no dataset at that path)");
  }
  {
    H5Good g;
    g.skip = {"b2"};
    g.write(dir.file("short.h5"));
    const hid_t f = H5Fopen(dir.file("short.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const double b2[] = {1, 2};
    h5_write(f, "b2", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, b2);
    H5Fclose(f);
    EXPECT_EQ(load_error(dir.file("short.h5"), mapping),
              dir.file("short.h5") + ": dataset 'b2' (panel.balance[1] in " + basic +
                  "): has 2 rows, but dataset 'id' has 3");
  }
  {
    H5Good g;
    g.skip = {"b2"};
    g.write(dir.file("rank2.h5"));
    const hid_t f = H5Fopen(dir.file("rank2.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hsize_t dims[2] = {3, 2};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t ds = H5Dcreate2(f, "b2", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(ds);
    H5Sclose(space);
    H5Fclose(f);
    EXPECT_EQ(load_error(dir.file("rank2.h5"), mapping),
              dir.file("rank2.h5") + ": dataset 'b2' (panel.balance[1] in " + basic +
                  "): must be a 1-D dataset (one value per customer), it has rank 2");
  }
  {
    H5Good g;
    g.skip = {"limit"};
    g.write(dir.file("text.h5"));
    const hid_t f = H5Fopen(dir.file("text.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 2);
    h5_write(f, "limit", t, t, 3, "1\0002\0003");
    H5Tclose(t);
    H5Fclose(f);
    EXPECT_EQ(load_error(dir.file("text.h5"), mapping),
              dir.file("text.h5") + ": dataset 'limit' (fields.limit in " + basic +
                  "): holds strings; only a region column may (by name)");
  }
  const std::string fake = dir.write("fake.h5", "id,limit\n1,2\n");
  EXPECT_EQ(load_error(fake, mapping), fake + ": not an HDF5 file");
}

}  // namespace
}  // namespace limitsim

namespace limitsim {
namespace {

// A status mapped to "charged_off": a population leaves such accounts out
// (they are no longer on the book), and calibration counts moves into it as
// charge-offs from the model's last bucket.
TEST(Loader, ChargedOffAccountsAreLeftOutAndCountAsChargeOffs) {
  TempDir dir;
  const std::string mapping = dir.write("m.toml",
                                        "[fields]\nid = \"id\"\nlimit = \"limit\"\n"
                                        "[panel]\nmonths = [\"m1\", \"m2\"]\nstatus = [\"s1\", \"s2\"]\n"
                                        "balance = [\"b1\", \"b2\"]\n"
                                        "[status.codes]\n\"0\" = { bucket = 0 }\n\"6\" = { bucket = 6 }\n"
                                        "\"7\" = { bucket = \"charged_off\" }\n");
  // ids 10..14: current; at 151-180 then charged off; at 151-180 twice; charged off twice; current.
  const std::string data = dir.write("d.csv",
                                     "id,limit,s1,s2,b1,b2\n10,1000,0,0,10,20\n11,1000,6,7,900,950\n"
                                     "12,1000,6,6,800,820\n13,1000,7,7,990,990\n14,1000,0,0,0,0\n"
                                     "15,1000,6,0,500,0\n");
  const Panel p = load_panel(data, load_mapping(mapping), BadRowPolicy::kError);
  ASSERT_EQ(p.size(), 6);
  EXPECT_EQ(p.bucket[p.at(1, 1)], kChargedOffBucket);

  std::vector<std::int64_t> rows;
  const PopulationConfig pc;
  const Population second = population_from_panel(p, 1, pc, default_behaviour(), &rows);
  EXPECT_EQ(second.id, (std::vector<std::uint64_t>{10, 12, 14, 15}));
  EXPECT_EQ(rows, (std::vector<std::int64_t>{0, 2, 4, 5}));
  EXPECT_EQ(second.bucket, (std::vector<std::int8_t>{0, 6, 0, 0}));
  // The payment history: id 15 was 151-180 DPD in m1 and is current in m2, so
  // one month current and one month since the miss; ids 10 and 14 were never
  // late, so current since opening (24 months on book by default).
  EXPECT_EQ(second.months_current, (std::vector<std::int32_t>{24, 0, 24, 1}));
  EXPECT_EQ(second.since_missed, (std::vector<std::int32_t>{kLongAgo, 0, kLongAgo, 1}));
  const Population first = population_from_panel(p, 0, pc, default_behaviour(), &rows);
  EXPECT_EQ(first.id, (std::vector<std::uint64_t>{10, 11, 12, 14, 15}));

  BehaviourConfig base;
  base.params = default_behaviour();
  const Calibration c = calibrate(p, 0, 1, base, pc);
  EXPECT_EQ(c.to_chargeoff[6], 1);  // id 11: 151-180 -> charged off
  EXPECT_EQ(c.counts[6][6], 1);     // id 12 stays
  EXPECT_EQ(c.roll[6].events, 1);
  EXPECT_EQ(c.roll[6].trials, 3);   // ids 11, 12 and 15
  EXPECT_EQ(c.cure[6].events, 1);   // id 15
}

}  // namespace
}  // namespace limitsim

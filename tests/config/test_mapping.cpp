// Mapping files (src/config/mapping.cpp): every mapping error names file, line and key; the UCI mapping reads as
// documented; defaults when keys are absent.
#include <gtest/gtest.h>

#include "tests/data/loader_fixture.hpp"

namespace limitsim {
namespace {

using namespace loader_test;

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
     "unknown key (allowed here: source, fields, panel, status, regions, label, scorecard, defaults)"},
    {"unknown_field", "[fields]\nid = \"ID\"\nlimit = \"L\"\nlimt = \"X\"\n", 4, "fields.limt", "unknown key"},
    {"field_not_a_string", "[fields]\nid = 3\nlimit = \"L\"\n", 2, "fields.id", "must be a string, got 3"},
    {"no_fields_table", "[source]\nformat = \"csv\"\n", 1, "fields", "missing: a [fields] table"},
    {"no_id", "[fields]\nlimit = \"L\"\n", 1, "fields.id", "is required"},
    {"no_limit", "[fields]\nid = \"ID\"\n", 1, "fields.limit", "is required"},
    {"empty_series_column_name",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nmonths = [\"a\"]\nbalance = [\"\"]\n", 6, "panel.balance[0]",
     "must name a column"},
    {"column_in_two_series",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nmonths = [\"a\"]\nbalance = [\"S\"]\npayment = [\"S\"]\n", 7,
     "panel.payment[0]", "column \"S\" is already mapped by panel.balance[0]"},
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
    {"score_rank_without_direction",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\nincome = \"I\"\n[defaults]\nscore = { rank_of = \"income\" }\n", 6,
     "defaults.score.direction", "is required when ranking \"income\""},
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
     "defaults.income.multiple", "unknown key"},
    {"mob_negative", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nmonths_on_book = -1\n", 5,
     "defaults.months_on_book", "must be >= 0, got -1"},
    {"mob_not_integer", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nmonths_on_book = 1.5\n", 5,
     "defaults.months_on_book", "must be an integer, got 1.5"},
    {"mob_with_column", "[fields]\nid = \"ID\"\nlimit = \"L\"\nmonths_on_book = \"M\"\n[defaults]\nmonths_on_book = 3\n",
     6, "defaults.months_on_book", "not used"},
    {"id_row_number_false", "[fields]\nid = { row_number = false }\nlimit = \"L\"\n", 2, "fields.id.row_number", "must be true"},
    {"id_table_without_row_number", "[fields]\nid = { row = true }\nlimit = \"L\"\n", 2, "fields.id.row_number", "is required"},
    {"na_values_not_array", "[source]\nna_values = \"NA\"\n[fields]\nid = \"ID\"\nlimit = \"L\"\n", 2, "source.na_values",
     "must be an array of the texts that mean no value"},
    {"na_values_twice", "[source]\nna_values = [\"NA\", \"NA\"]\n[fields]\nid = \"ID\"\nlimit = \"L\"\n", 2,
     "source.na_values[1]", "\"NA\" is listed twice"},
    {"limit_default_with_column_no_na", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nlimit = 1000\n", 5,
     "defaults.limit", "not used: fields.limit maps a column"},
    {"limit_income_multiple_zero", "[fields]\nid = \"ID\"\nincome = \"I\"\n[defaults]\nlimit = { income_multiple = 0 }\n", 5,
     "defaults.limit.income_multiple", "must be in [0.01, 1000], got 0"},
    {"limit_factor_without_column", "[fields]\nid = \"ID\"\n[defaults]\nlimit = { factor = 2 }\n", 4, "defaults.limit",
     "must be a number or one of { income_multiple = m } or { column = \"X\", factor = f }"},
    {"limit_two_forms", "[fields]\nid = \"ID\"\n[defaults]\nlimit = { income_multiple = 2, column = \"X\" }\n", 4,
     "defaults.limit", "must be a number or one of"},
    {"limit_factor_negative", "[fields]\nid = \"ID\"\n[defaults]\nlimit = { column = \"X\", factor = -1 }\n", 4,
     "defaults.limit.factor", "must be in [1e-06, 1e+06], got -1"},
    {"limit_rule_unknown_key", "[fields]\nid = \"ID\"\n[defaults]\nlimit = { column = \"X\", scale = 2 }\n", 4,
     "defaults.limit.scale", "unknown key"},
    {"limit_negative_constant", "[fields]\nid = \"ID\"\n[defaults]\nlimit = -5\n", 4, "defaults.limit",
     "must be in [0, 1e12] currency units, got -5"},
    {"limit_and_income_need_each_other",
     "[fields]\nid = \"ID\"\n[defaults]\nlimit = { income_multiple = 3 }\nincome = { limit_multiple = 3 }\n", 4,
     "defaults.limit", "each needs the other"},
    {"balance_rule_with_panel",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nmonths = [\"a\"]\nbalance = [\"B\"]\n[defaults]\nbalance = { ratio = \"U\" }\n",
     8, "defaults.balance", "only for a snapshot"},
    {"balance_max_ratio_zero", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nbalance = { ratio = \"U\", max_ratio = 0 }\n",
     5, "defaults.balance.max_ratio", "must be in [0.01, 1000], got 0"},
    {"balance_max_ratio_without_ratio",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nbalance = { column = \"B\", max_ratio = 2 }\n", 5,
     "defaults.balance.max_ratio", "only applies with ratio"},
    {"balance_income_multiple", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nbalance = { income_multiple = 2 }\n", 5,
     "defaults.balance.income_multiple", "unknown key"},
    {"score_rank_of_empty",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nscore = { rank_of = \"\", direction = \"higher_is_worse\" }\n", 5,
     "defaults.score.rank_of", "must name a field (limit, income, balance) or a column"},
    {"score_direction_unknown", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nscore = { rank_of = \"U\", direction = \"up\" }\n",
     5, "defaults.score.direction", "must be \"higher_is_better\" or \"higher_is_worse\", got \"up\""},
    {"score_rank_of_constant_income",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nscore = { rank_of = \"income\", direction = \"higher_is_better\" }\n", 5,
     "defaults.score.rank_of", "every customer would tie"},
    {"score_rank_of_balance_without_balance",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nscore = { rank_of = \"balance\", direction = \"higher_is_worse\" }\n", 5,
     "defaults.score.rank_of", "needs a snapshot balance"},
    {"score_rank_and_scorecard",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nscore = { rank_of = \"limit\", scorecard = \"s.toml\" }\n", 5,
     "defaults.score.scorecard", "give rank_of or scorecard, not both"},
    {"score_scorecard_missing_file", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nscore = { scorecard = \"nowhere.toml\" }\n",
     5, "defaults.score.scorecard", "cannot use the scorecard: "},
    {"score_direction_with_scorecard",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[defaults]\nscore = { scorecard = \"s.toml\", direction = \"higher_is_worse\" }\n",
     5, "defaults.score.direction", "only applies to a rank rule"},
    {"score_fallback_without_na_values",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\nscore = \"S\"\n[defaults]\nscore = { rank_of = \"limit\" }\n", 6, "defaults.score",
     "set [source] na_values"},
    {"status_code_past_16_bits",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status.codes]\n\"40000\" = { bucket = 0 }\n", 6,
     "status.codes.\"40000\"", "must be in -32768..32767"},
    {"status_columns_twice",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = [\"A\", \"A\"]\n[status.codes]\n\"0\" = { bucket = 0 }\n", 4,
     "fields.status[1]", "column \"A\" is listed twice"},
    {"status_columns_empty", "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = []\n", 4, "fields.status",
     "must name one or more status columns"},
    {"counts_with_panel",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[panel]\nmonths = [\"a\"]\nbalance = [\"B\"]\n[status]\nfrom_counts = [{ column = \"C\", bucket = 1 }]\n",
     8, "status.from_counts", "only for a snapshot"},
    {"counts_with_status_column",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\nstatus = \"S\"\n[status]\nfrom_counts = [{ column = \"C\", bucket = 1 }]\n", 6,
     "status.from_counts", "not both"},
    {"counts_not_array", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[status]\nfrom_counts = \"C\"\n", 5, "status.from_counts",
     "must be an array of { column, bucket, min_count } tables"},
    {"counts_without_bucket", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[status]\nfrom_counts = [{ column = \"C\" }]\n", 5,
     "status.from_counts[0].bucket", "is required"},
    {"counts_bucket_zero", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[status]\nfrom_counts = [{ column = \"C\", bucket = 0 }]\n", 5,
     "status.from_counts[0].bucket", "must be a delinquency bucket 1..6"},
    {"counts_min_count_zero",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[status]\nfrom_counts = [{ column = \"C\", bucket = 1, min_count = 0 }]\n", 5,
     "status.from_counts[0].min_count", "must be > 0, got 0"},
    {"counts_column_twice",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[status]\nfrom_counts = [{ column = \"C\", bucket = 1 }, { column = \"C\", bucket = 2 }]\n",
     5, "status.from_counts[1].column", "column \"C\" is listed twice"},
    {"counts_with_codes",
     "[fields]\nid = \"ID\"\nlimit = \"L\"\n[status]\nfrom_counts = [{ column = \"C\", bucket = 1 }]\ncodes = { \"0\" = { bucket = 0 } }\n",
     6, "status.codes", "not used: no status column is mapped"},
    {"label_without_column", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[label]\nhorizon_months = 24\n", 4, "label",
     "not used: no label column is mapped"},
    {"label_horizon_zero", "[fields]\nid = \"ID\"\nlimit = \"L\"\nlabel = \"Y\"\n[label]\nhorizon_months = 0\n", 6,
     "label.horizon_months", "must be an integer 1..600"},
    {"label_min_bucket_zero", "[fields]\nid = \"ID\"\nlimit = \"L\"\nlabel = \"Y\"\n[label]\nmin_bucket = 0\n", 6,
     "label.min_bucket", "must be a delinquency bucket 1..6"},
    {"label_unknown_key", "[fields]\nid = \"ID\"\nlimit = \"L\"\nlabel = \"Y\"\n[label]\nevent = \"90+\"\n", 6, "label.event",
     "unknown key"},
    {"scorecard_protected_column", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[scorecard]\ncolumns = [\"DebtRatio\", \"age\"]\n", 5,
     "scorecard.columns[1]", "reads as a protected attribute"},
    {"scorecard_column_twice", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[scorecard]\ncolumns = [\"X\", \"X\"]\n", 5,
     "scorecard.columns[1]", "column \"X\" is listed twice"},
    {"scorecard_protected_not_bool", "[fields]\nid = \"ID\"\nlimit = \"L\"\n[scorecard]\nprotected_attributes = 1\n", 5,
     "scorecard.protected_attributes", "must be true or false"},
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
  EXPECT_EQ(m.score.kind, ScoreRule::Kind::kRank);
  EXPECT_EQ(m.score.rank_field, "limit");
  EXPECT_TRUE(m.score.higher_is_better);
  EXPECT_EQ(m.score.mean, 680.0);
  EXPECT_EQ(m.score.sd, 80.0);
  EXPECT_EQ(m.income.kind, MoneyRule::Kind::kFromField);
  EXPECT_EQ(m.income.multiple, 1.5);
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
  EXPECT_EQ(m.income.kind, MoneyRule::Kind::kConstant);
  EXPECT_EQ(m.income.cents, 600000);
  EXPECT_EQ(m.limit.kind, MoneyRule::Kind::kNone);
  EXPECT_EQ(m.balance.kind, MoneyRule::Kind::kNone);
  EXPECT_TRUE(m.na_values.empty());
  EXPECT_FALSE(m.id_from_row);
  EXPECT_FALSE(m.label_defined);
  EXPECT_EQ(m.label_horizon, 1);
  EXPECT_EQ(m.label_min_bucket, 1);
  EXPECT_EQ(m.months_on_book, 24);
  EXPECT_TRUE(m.months.empty());
  EXPECT_TRUE(m.codes.empty());
}

}  // namespace
}  // namespace limitsim

// Reading a CSV data file through a mapping (src/data/loader.cpp, csv_reader.cpp, panel_builder.hpp): good files,
// every bad-row path (each names file, line and column; skip mode counts), records across the read buffer, SHA-256.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "tests/data/loader_fixture.hpp"

namespace limitsim {
namespace {

using namespace loader_test;

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
  EXPECT_EQ(p.status_code, (std::vector<std::int16_t>{0, 0, -1, 1, 0, 2}));
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
  EXPECT_EQ(p.status_code, (std::vector<std::int16_t>{0, 30, -1}));
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

// CR-only line endings made the whole file one header record, and the error blamed the last mapped column.
TEST(Loader, CrOnlyLineEndingsAreNamedAndAFifoIsNotRead) {
  const TempDir dir;
  std::ifstream in(fixture("good.csv"), std::ios::binary);
  std::string text{std::istreambuf_iterator<char>(in), {}};
  std::replace(text.begin(), text.end(), '\n', '\r');
  const std::string cr = dir.write("cr.csv", text);
  for (BadRowPolicy policy : {BadRowPolicy::kError, BadRowPolicy::kSkip})
    EXPECT_EQ(load_error(cr, fixture("basic.toml"), policy),
              cr + ":1: header: a carriage return (CR) inside it: the file's lines seem to end in CR alone (classic "
                   "Mac OS); convert them to LF or CR LF");
  // A FIFO would block the read for ever: refused without opening it.
  const std::string fifo = dir.file("pipe.csv");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(load_error(fifo, fixture("basic.toml")), fifo + ": cannot read the data file: not a regular file");
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

}  // namespace
}  // namespace limitsim

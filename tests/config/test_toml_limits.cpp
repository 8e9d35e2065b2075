// The limits every TOML file is read under (src/config/toml_io.hpp, parse_stream): nesting depth, size,
// UTF-8, line endings, long lines of many values; and what error messages may quote (ContentScope).
#include <gtest/gtest.h>

#include <sstream>

#include "src/config/mapping.hpp"
#include "src/config/scorecard.hpp"
#include "src/config/targets.hpp"
#include "src/config/toml_io.hpp"
#include "tests/config/config_fixture.hpp"

namespace limitsim {
namespace {

using namespace config_test;

std::string parse_error(const std::string& text, const std::string& name = "t.toml") {
  std::istringstream in(text);
  try {
    toml_io::parse_stream(in, name);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "parsed without error";
  return "";
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// 10,000 nested arrays and 5,000 nested inline tables crashed toml11 (unbounded recursion).
TEST_F(Config, DeepNestingIsRefusedNotACrash) {
  const std::string arrays = "x = 1\ny = " + repeat("[", 10000) + repeat("]", 10000) + "\n";
  std::string msg = parse_error(arrays);
  EXPECT_EQ(msg.rfind("t.toml:2: arrays and inline tables nested more than 32 deep", 0), 0u) << msg;
  const std::string tables = "\n\nz = " + repeat("{a = ", 5000) + "1" + repeat("}", 5000) + "\n";
  msg = parse_error(tables);
  EXPECT_EQ(msg.rfind("t.toml:3: arrays and inline tables nested more than 32 deep", 0), 0u) << msg;

  // In a run file and in a mapping file, named with the file.
  RunFile rf;
  rf.tables = "[behaviour]\nx = " + repeat("[", 400) + repeat("]", 400) + "\n";
  const std::string path = write("run.toml", rf.text());
  msg = load_error(path);
  EXPECT_EQ(msg.rfind(path + ":" + std::to_string(line_of(rf.text(), "x = [")) + ": arrays and inline tables", 0),
            0u)
      << msg;
  const std::string mapping = write("m.toml", "[columns]\nid = " + repeat("{a=", 100) + repeat("}", 100) + "\n");
  try {
    load_mapping(mapping);
    ADD_FAILURE() << "loaded";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(mapping + ":2: arrays and inline tables nested", 0), 0u) << e.what();
  }
}

// The scorecard and targets files go through the same reader (they once called toml11 directly).
TEST_F(Config, ScorecardAndTargetsFilesHaveTheSameBounds) {
  const std::string deep = "[scorecard]\nx = " + repeat("[", 400) + repeat("]", 400) + "\n";
  for (const char* kind : {"scorecard", "targets"}) {
    const std::string file = write(std::string(kind) + ".toml", deep);
    try {
      if (std::string(kind) == "scorecard")
        load_scorecard(file);
      else
        load_targets_config(file);
      ADD_FAILURE() << kind << " loaded";
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(file + ":2: arrays and inline tables nested more than 32 deep", 0), 0u)
          << e.what();
    }
  }
}

TEST_F(Config, NestingAtTheLimitAndBracketsInStringsAndCommentsAreFine) {
  std::istringstream ok("x = " + repeat("[", 32) + "1" + repeat("]", 32) + "\n");
  EXPECT_NO_THROW(toml_io::parse_stream(ok, "ok.toml"));
  EXPECT_NE(parse_error("x = " + repeat("[", 33) + "1" + repeat("]", 33) + "\n").find("nested more than 32"),
            std::string::npos);
  // Brackets in strings of every kind, and in comments, are not nesting.
  const std::string b = repeat("[{", 40);
  std::istringstream strings("a = \"" + b + "\\\"" + b + "\"\nb = '" + b + "'\nc = \"\"\"\n" + b + "\n\"\"\"\nd = '''" +
                             b + "\n'''\n# " + b + "\ne = [1, [2]] # " + b + "\n[t]\n[[u]]\n");
  EXPECT_NO_THROW(toml_io::parse_stream(strings, "strings.toml"));
}

TEST_F(Config, InvalidUtf8IsNamedAsSuch) {
  // Was "an invalid key appeared".
  std::string msg = parse_error("# caf\xff\nx = 1\n");
  EXPECT_EQ(msg.rfind("t.toml:1: invalid UTF-8: byte 0xFF at column 6", 0), 0u) << msg;
  msg = parse_error("x = 1\ny = \"\xc3\x28\"\n");  // a lead byte without its continuation
  EXPECT_EQ(msg.rfind("t.toml:2: invalid UTF-8: byte 0xC3", 0), 0u) << msg;
  msg = parse_error("y = \"\xed\xa0\x80\"\n");  // a UTF-16 surrogate
  EXPECT_NE(msg.find("invalid UTF-8"), std::string::npos) << msg;
  msg = parse_error("y = \"\xc0\xaf\"\n");  // an overlong '/'
  EXPECT_NE(msg.find("invalid UTF-8"), std::string::npos) << msg;
  // Valid UTF-8 and a byte-order mark pass.
  std::istringstream ok("\xEF\xBB\xBFname = \"Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x98\x80\"\n");
  EXPECT_EQ(toml::find<std::string>(toml_io::parse_stream(ok, "ok.toml"), "name"), "Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST_F(Config, CrOnlyLineEndingsAreNamed) {
  const std::string msg = parse_error("[run]\rname = \"x\"\r");
  EXPECT_EQ(msg.rfind("t.toml:1: a carriage return (CR) not followed by a line feed", 0), 0u) << msg;
  std::istringstream crlf("[run]\r\nname = \"x\"\r\n");
  EXPECT_NO_THROW(toml_io::parse_stream(crlf, "crlf.toml"));
}

TEST_F(Config, OversizedFileIsRefused) {
  const std::string big = "x = 1\n" + repeat("# padding padding padding padding padding padding padding\n", 20000);
  ASSERT_GT(big.size(), toml_io::kMaxTomlBytes);
  const std::string msg = parse_error(big);
  EXPECT_EQ(msg.rfind("t.toml: the file is larger than 1 MiB", 0), 0u) << msg;
}

// A 100,000-element array on one line took toml11 76 s (quadratic in the line's length):
// refused at once, naming the line; the same values over several lines parse.
TEST_F(Config, LongLinesOfManyValuesAreRefusedAndSplitOnesParse) {
  std::string one_line = "a = 1\nx = [0.0";
  for (int i = 1; i < 100000; ++i) one_line += ", 0.0";
  one_line += "]\n";
  const std::string msg = parse_error(one_line);
  EXPECT_EQ(msg.rfind("t.toml:2: this line holds about 100002 values", 0), 0u) << msg;
  EXPECT_NE(msg.find("write long arrays over several lines"), std::string::npos) << msg;

  std::string split = "x = [0.0";
  for (int i = 1; i < 100000; ++i) split += (i % 10 == 0 ? ",\n0.0" : ", 0.0");
  split += "]\n";
  std::istringstream in(split);
  EXPECT_EQ(toml::find(toml_io::parse_stream(in, "split.toml"), "x").as_array().size(), 100000u);

  // A 600-month scenario series at full precision, 8 of them, is far inside the bound.
  std::string scenario;
  for (int k = 0; k < 8; ++k) {
    scenario += "s" + std::to_string(k) + " = [";
    for (int i = 0; i < 600; ++i) scenario += (i ? ", " : "") + std::string("-0.12345678901234567");
    scenario += "]\n";
  }
  std::istringstream sin(scenario);
  EXPECT_NO_THROW(toml_io::parse_stream(sin, "scenario.toml"));
}

// A message shows toml11's excerpt of the line, but never a line longer than kMaxExcerptLine (the fuzzer's
// 25 KB line of values came back whole in the message): the error's column instead.
TEST_F(Config, AVeryLongLineIsNotRepeatedInTheMessage) {
  const std::string line = "x = [" + repeat("0,", 2000) + "0 oops]";
  const std::string msg = parse_error("a = 1\n" + line + "\n");
  EXPECT_EQ(msg.rfind("t.toml:2: syntax error", 0), 0u) << msg.substr(0, 300);
  EXPECT_LT(msg.size(), 600u) << msg.substr(0, 300);
  // "x = [" is 5 characters, 2,000 "0," 4,000, then "0 ": the o of oops is column 4,008.
  EXPECT_NE(msg.find("(the line is too long to show; the error is at column 4008)"), std::string::npos) << msg;
  // A short line is still quoted, with toml11's caret.
  const std::string short_msg = parse_error("a = 1\nx = [0, 0 oops]\n");
  EXPECT_NE(short_msg.find("x = [0, 0 oops]"), std::string::npos) << short_msg;
  // The project's own errors (fail_at) follow the same rule.
  RunFile rf;
  rf.run = "name = \"t\"\nmonths = 6\npaths = 4.0" + std::string(300, ' ') + "\n";
  const std::string own = load_error(write("run.toml", rf.text()));
  EXPECT_NE(own.find("run.paths: must be an integer, got 4.0"), std::string::npos) << own;
  EXPECT_NE(own.find("(the line is too long to show; the error is at column "), std::string::npos) << own;
  EXPECT_EQ(own.find(std::string(300, ' ')), std::string::npos);
}

TEST_F(Config, AFloatWhereAnIntegerIsWantedIsEchoedAsAFloat) {
  RunFile rf;
  rf.run = "name = \"t\"\nmonths = 6\npaths = 4.0\n";
  const std::string msg = load_error(write("run.toml", rf.text()));
  EXPECT_NE(first_line(msg).find("run.paths: must be an integer, got 4.0"), std::string::npos) << msg;
}

// An include that escapes the run file's folder is read, but its lines are never quoted
// (the excerpt could show, say, a line of /etc/shadow when run as root).
TEST_F(Config, FilesOutsideTheRunFilesFolderAreNeverQuoted) {
  const std::string secret = write("secret.toml", "x = 1\nroot:$6$SECRET:19000:0:99999:7:::\n");
  const std::string run = write("cfg/run.toml", "population = \"../secret.toml\"\n" + RunFile().text());
  std::string msg = load_error(run);
  EXPECT_EQ(msg.rfind(fs::path(secret).lexically_normal().string() + ":2: syntax error", 0), 0u) << msg;
  EXPECT_EQ(msg.find("SECRET"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;  // the reason only, no excerpt

  // A semantic error outside: named with file, line and key, no excerpt.
  write("outside.toml", "[population]\ncustomers = -5 # SECRET\n");
  msg = load_error(write("cfg/run2.toml", "population = \"../outside.toml\"\n" + RunFile().text()));
  EXPECT_NE(msg.find("outside.toml:2: population.customers: must be >= 1"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("SECRET"), std::string::npos) << msg;

  // Inside the folder (a sub-folder too) the excerpt is shown, as before.
  write("cfg/sub/inside.toml", "[population]\ncustomers = -5 # SHOWN\n");
  msg = load_error(write("cfg/run3.toml", "population = \"sub/inside.toml\"\n" + RunFile().text()));
  EXPECT_NE(msg.find("SHOWN"), std::string::npos) << msg;

  // A symbolic link inside the folder that points outside is outside.
  fs::create_symlink(fs::path(dir_) / "outside.toml", fs::path(dir_) / "cfg" / "link.toml");
  msg = load_error(write("cfg/run4.toml", "population = \"link.toml\"\n" + RunFile().text()));
  EXPECT_EQ(msg.find("SECRET"), std::string::npos) << msg;
}

}  // namespace
}  // namespace limitsim

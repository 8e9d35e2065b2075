// The progress bar of a long run (src/engine/progress.cpp): durations, the bar line, and one log line per 10%.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "src/engine/progress.hpp"

namespace limitsim {
namespace {

TEST(Progress, DurationsAndTheBarLine) {
  EXPECT_EQ(format_duration(0.4), "0 s");
  EXPECT_EQ(format_duration(59.4), "59 s");
  EXPECT_EQ(format_duration(65), "1 min 05 s");
  EXPECT_EQ(format_duration(7620), "2 h 07 min");
  EXPECT_EQ(format_duration(-1), "?");
  EXPECT_EQ(format_duration(std::nan("")), "?");
  // Half done after 12 s: 12 s to go, at the average speed so far.
  EXPECT_EQ(progress_line(0.5, 12.0, 10), "simulating [#####.....]  50.0%  elapsed 12 s  ETA 12 s");
  EXPECT_EQ(progress_line(0.0, 0.0, 4), "simulating [....]   0.0%  elapsed 0 s  ETA ?");
  EXPECT_EQ(progress_line(1.0, 30.0, 4), "simulating [####] 100.0%  elapsed 30 s  ETA done");
}

TEST(Progress, LogModeWritesOneLinePerTenPercent) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressReporter p(ProgressReporter::Mode::kLog, f);
    for (int i = 0; i <= 100; ++i) p.update(i / 100.0);
    p.update(1.0);  // repeated: no new line
  }
  std::rewind(f);
  std::string text;
  char buf[256];
  while (std::fgets(buf, sizeof buf, f)) text += buf;
  std::fclose(f);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 10) << text;
  EXPECT_NE(text.find("limitsim: 10% done, elapsed "), std::string::npos);
  EXPECT_NE(text.find("limitsim: 100% done, elapsed "), std::string::npos);
  std::FILE* q = std::tmpfile();
  ProgressReporter quiet(ProgressReporter::Mode::kQuiet, q);
  quiet.update(0.5);
  quiet.finish();
  EXPECT_EQ(std::ftell(q), 0);
  std::fclose(q);
}

}  // namespace
}  // namespace limitsim

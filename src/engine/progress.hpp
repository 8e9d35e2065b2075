// Progress of a long run on stderr: a bar with the elapsed time and an ETA on
// a terminal, a log line per 10% otherwise, nothing with --quiet.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace limitsim {

// "42 s", "3 min 05 s", "2 h 07 min"; "?" for a negative or non-finite duration.
std::string format_duration(double seconds);

// One line of the terminal bar, e.g.
// "simulating [##########..........]  50.0%  elapsed 12 s  ETA 12 s".
std::string progress_line(double fraction, double elapsed_seconds, int width = 30);

class ProgressReporter {
 public:
  enum class Mode { kQuiet, kBar, kLog };
  ProgressReporter(Mode mode, std::FILE* out);
  // fraction in [0, 1]; may be called often (the bar redraws at most 10 times a second).
  void update(double fraction);
  // Ends the bar's line (once); call when the work is over or interrupted.
  void finish();

 private:
  Mode mode_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  int last_decile_ = 0;
  bool drawn_ = false, finished_ = false;
};

}  // namespace limitsim

// Progress of a long run on stderr (src/engine/progress.hpp): durations, the terminal bar and the log lines.
#include "src/engine/progress.hpp"

#include <cmath>

namespace limitsim {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0) return "?";
  const long s = std::lround(seconds);
  char buf[48];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%ld s", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%ld min %02ld s", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld h %02ld min", s / 3600, (s % 3600) / 60);
  }
  return buf;
}

std::string progress_line(double fraction, double elapsed, int width) {
  const double f = fraction < 0.0 ? 0.0 : (fraction > 1.0 ? 1.0 : fraction);
  const int filled = static_cast<int>(f * width);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar += std::string(static_cast<std::size_t>(width - filled), '.');
  char pct[16];
  std::snprintf(pct, sizeof pct, "%5.1f%%", 100.0 * f);
  // The ETA assumes the rest goes at the average speed so far; it is unknown at the very start.
  const std::string eta = f >= 1.0 ? "done" : (f > 0.0 && elapsed > 0.0 ? format_duration(elapsed * (1.0 - f) / f) : "?");
  return "simulating [" + bar + "] " + pct + "  elapsed " + format_duration(elapsed) + "  ETA " + eta;
}

ProgressReporter::ProgressReporter(Mode mode, std::FILE* out)
    : mode_(mode), out_(out), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void ProgressReporter::update(double fraction) {
  if (mode_ == Mode::kQuiet || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (mode_ == Mode::kBar) {
    if (drawn_ && fraction < 1.0 && now - last_draw_ < std::chrono::milliseconds(100)) return;
    std::fprintf(out_, "\r%s\033[K", progress_line(fraction, elapsed).c_str());
    std::fflush(out_);
    drawn_ = true;
    last_draw_ = now;
    if (fraction >= 1.0) finish();
    return;
  }
  const int decile = static_cast<int>(std::floor(fraction * 10.0 + 1e-9));
  while (last_decile_ < decile && last_decile_ < 10) {
    ++last_decile_;
    const double f = last_decile_ / 10.0;
    std::fprintf(out_, "limitsim: %d%% done, elapsed %s, ETA %s\n", last_decile_ * 10, format_duration(elapsed).c_str(),
                 f >= 1.0 ? "done" : format_duration(elapsed * (1.0 - fraction) / fraction).c_str());
  }
  std::fflush(out_);
}

void ProgressReporter::finish() {
  if (mode_ == Mode::kBar && drawn_ && !finished_) std::fprintf(out_, "\n");
  finished_ = true;
}

}  // namespace limitsim

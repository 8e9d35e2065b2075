// What every subcommand shares (src/cli/common.hpp). choose_backend is the one place that decides cpu, cuda or auto.
#include "src/cli/common.hpp"

#include <csignal>
#include <cstdio>
#include <ctime>

#include "src/cli/mpi.hpp"
#include "version.hpp"

namespace limitsim {
namespace {

volatile std::sig_atomic_t g_signal = 0;

// First SIGINT/SIGTERM: stop cleanly (no result file). A second one kills at once.
extern "C" void on_signal(int sig) {
  g_signal = sig;
  cancel_flag().store(true);
  std::signal(sig, SIG_DFL);
}

}  // namespace

std::unique_ptr<Backend> choose_backend(const std::string& which, int threads) {
  std::string note;
  auto backend = make_backend(which, threads, &note);
  if (!note.empty() && world().rank() == 0) std::fprintf(stderr, "limitsim: note: %s\n", note.c_str());
  return backend;
}

std::string version_text() {
  bool gpu = false;
  const std::string cuda = cuda_device_description(&gpu);
  std::string s = "limitsim " LIMITSIM_VERSION " (commit " LIMITSIM_GIT_COMMIT ")\n";
  s += std::string("backends: cpu") + (cuda_built() ? ", cuda" : "") + "\n";
  s += "cpu backend device: " + make_cpu_backend(0)->device().substr(5) + "\n";
  s += "cuda device: " + cuda + "\n";
  s += std::string("--backend auto would use: ") + (gpu ? "cuda" : "cpu") + "\n";
  s += mpi_version_text();
  return s;
}

std::string utc_now() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void stop_cleanly_on_interrupt() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

int interrupt_signal() { return static_cast<int>(g_signal); }

}  // namespace limitsim

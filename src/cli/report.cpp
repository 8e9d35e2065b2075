// limitsim report: charts (PNG) and an HTML page of a result file, by the Python package python/limitsim.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "src/cli/commands.hpp"
#include "src/config/config.hpp"
#include "src/io/h5io.hpp"

namespace limitsim {
namespace {

struct ReportCliOptions {
  std::string file, out;
  std::optional<int> dpi;  // unset = the package's default
  bool quiet = false;
};

// Runs the Python package (python/limitsim, docs/python.md): PNG charts and a
// self-contained HTML page. The interpreter is $LIMITSIM_PYTHON, else Debian's
// /usr/bin/python3 (where setup.sh installs h5py, pandas and matplotlib).
int report_command(const ReportCliOptions& opt) {
  if (opt.out.empty()) throw ConfigError("--out-dir: must name the folder to write the report into");
  if (opt.dpi && (*opt.dpi < 20 || *opt.dpi > 600))
    throw ConfigError("--dpi: must be in [20, 600], got " + std::to_string(*opt.dpi));
  // The reader's checks first (src/io/h5_checks.cpp): a damaged file is refused, naming the dataset, before
  // Python starts; the package then checks what it reads besides (python/limitsim/checks.py).
  read_results_h5(opt.file);
  const char* env_python = std::getenv("LIMITSIM_PYTHON");
  const std::string python = env_python && *env_python ? env_python : "/usr/bin/python3";
  const char* old_path = std::getenv("PYTHONPATH");
  const std::string path = std::string(LIMITSIM_PYTHON_DIR) + (old_path && *old_path ? ":" + std::string(old_path) : "");
  if (!std::filesystem::is_directory(std::string(LIMITSIM_PYTHON_DIR) + "/limitsim"))
    throw std::runtime_error("the Python package is not at " LIMITSIM_PYTHON_DIR "/limitsim (limitsim report runs it "
                             "from the source tree it was built from)");
  setenv("PYTHONPATH", path.c_str(), 1);
  std::vector<std::string> args = {python, "-m", "limitsim.report", opt.file, "--out", opt.out};
  if (opt.dpi) args.insert(args.end(), {"--dpi", std::to_string(*opt.dpi)});
  if (opt.quiet) args.push_back("--quiet");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  execvp(python.c_str(), argv.data());  // a bare name is looked up on PATH
  throw std::runtime_error("cannot run " + python + ": " + std::strerror(errno) +
                           " (install python3 with h5py, pandas and matplotlib: bash scripts/setup.sh; or set "
                           "LIMITSIM_PYTHON)");
}

}  // namespace

Subcommand setup_report(CLI::App& app) {
  auto opt = std::make_shared<ReportCliOptions>();
  CLI::App* report = app.add_subcommand(
      "report", "Write charts (PNG) and a self-contained HTML page of a result file (runs python/limitsim)");
  report->add_option("file", opt->file, "HDF5 result file (read only)")->required()->check(CLI::ExistingFile);
  report->add_option("--out-dir", opt->out, "Folder to write the PNGs and index.html into");
  // Before 0.2 the folder was --out, which elsewhere always names a file: still read, not shown.
  report->add_option("--out", opt->out, "")->group("");
  report->add_option("--dpi", opt->dpi, "Resolution of the PNGs");
  report->add_flag("-q,--quiet", opt->quiet, "Print nothing on success");
  report->footer("Example:\n  limitsim report results/stress_test.h5 --out-dir report/   (then open report/index.html)");
  return {report, [opt] { return report_command(*opt); }};
}

}  // namespace limitsim

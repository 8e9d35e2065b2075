// limitsim export: a result file's exact sums as a tidy table (CSV here; Parquet through python/limitsim and pyarrow).
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "src/cli/commands.hpp"
#include "src/cli/preflight.hpp"
#include "src/config/config.hpp"
#include "src/io/atomic_file.hpp"
#include "src/io/export_table.hpp"
#include "src/io/h5io.hpp"

namespace limitsim {
namespace {

struct ExportCliOptions {
  std::string file, format = "csv", out, money = "currency";
  std::vector<std::string> metrics;
  std::string by;
};

// Parquet: python/limitsim/export.py with pyarrow (Debian 12 packages no
// Parquet library for C++ or Python; see docs/export.md).
int export_parquet(const ExportCliOptions& o) {
  const char* env_python = std::getenv("LIMITSIM_PYTHON");
  const std::string python = env_python && *env_python ? env_python : "/usr/bin/python3";
  const char* old_path = std::getenv("PYTHONPATH");
  const std::string path = std::string(LIMITSIM_PYTHON_DIR) + (old_path && *old_path ? ":" + std::string(old_path) : "");
  setenv("PYTHONPATH", path.c_str(), 1);
  std::vector<std::string> args = {python, "-m", "limitsim.export", o.file, "--format", "parquet", "--out", o.out,
                                   "--money", o.money};
  if (!o.by.empty()) args.insert(args.end(), {"--by", o.by});
  for (const std::string& m : o.metrics) args.insert(args.end(), {"--metrics", m});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  execvp(python.c_str(), argv.data());
  throw std::runtime_error("cannot run " + python + ": " + std::strerror(errno));
}

int export_command(const ExportCliOptions& o) {
  if (o.format != "csv" && o.format != "parquet")
    throw ConfigError("--format: csv or parquet, got '" + o.format + "'");
  if (o.by != "" && o.by != "segment") throw ConfigError("--by: segment is the only breakdown, got '" + o.by + "'");
  if (o.money != "currency" && o.money != "cents")
    throw ConfigError("--money: currency or cents, got '" + o.money + "'");
  if (o.format == "parquet" && o.out.empty())
    throw ConfigError("--out: Parquet needs a file to write (--out FILE.parquet)");
  if (!o.out.empty() && o.out != "-")  // before any work: the one output rule (docs/config.md, Outputs)
    check_command_outputs({{"--out", o.out}}, {{"the result file", o.file}});
  if (o.format == "parquet") {
    return export_parquet(o);
  }
  const RunResults r = read_results_h5(o.file);
  ExportOptions eo;
  eo.metrics = o.metrics;
  eo.by_segment = o.by == "segment";
  eo.cents = o.money == "cents";
  export_columns(r, eo);  // an unknown metric is refused before anything is written
  if (o.out.empty() || o.out == "-") {
    write_export_csv(r, eo, std::cout);
    std::cout.flush();
    if (!std::cout) throw std::runtime_error("cannot write the table to standard output");
    return 0;
  }
  publish_atomically(o.out, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
    write_export_csv(r, eo, out);
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  });
  return 0;
}

}  // namespace

Subcommand setup_export(CLI::App& app) {
  auto opt = std::make_shared<ExportCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write a result file's monthly sums as a tidy table: one row per scenario x policy x path x month");
  cmd->add_option("file", opt->file, "HDF5 result file (read only)")->required()->check(CLI::ExistingFile);
  cmd->add_option("-f,--format", opt->format, "csv (default) or parquet (needs pyarrow)")
      ->check(CLI::IsMember({"csv", "parquet"}));
  cmd->add_option("--metrics", opt->metrics, "Metrics to export, comma-separated (default: all)")->delimiter(',');
  cmd->add_option("--by", opt->by, "segment: one row per reporting segment too")->check(CLI::IsMember({"segment"}));
  cmd->add_option("--money", opt->money, "currency (default: exact decimals) or cents (exact integers)")
      ->check(CLI::IsMember({"currency", "cents"}));
  cmd->add_option("-o,--out", opt->out, "File to write (default: standard output for CSV)");
  cmd->footer("Examples:\n"
              "  limitsim export results/quickstart.h5 --metrics balance,chargeoff_loss -o qs.csv\n"
              "  limitsim export results/stress_test.h5 --by segment --money cents -f parquet -o st.parquet");
  return {cmd, [opt] { return export_command(*opt); }};
}

}  // namespace limitsim

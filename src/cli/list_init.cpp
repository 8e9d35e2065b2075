// limitsim list (the configurations that ship, a sentence each) and limitsim init (a commented run file to start from).
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "src/cli/commands.hpp"
#include "src/cli/conventions.hpp"
#include "src/config/config.hpp"
#include "src/io/atomic_file.hpp"
#include "src/util/text.hpp"

namespace limitsim {
namespace {

namespace fs = std::filesystem;

// The folder of each kind under configs/.
const std::map<std::string, std::string>& kinds() {
  static const std::map<std::string, std::string> k = {
      {"policies", "policies"},       {"scenarios", "scenarios"}, {"behaviours", "behaviour"},
      {"populations", "population"},  {"runs", ""}};
  return k;
}

// A file's sentence: its `description = "..."`, else the first sentence of its opening comment.
std::string sentence(const fs::path& file) {
  std::ifstream in(file);
  std::string line, comment;
  bool opening = true;
  static const std::regex desc(R"(^\s*description\s*=\s*"((?:[^"\\]|\\.)*)\")");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, desc)) return m[1].str();
    if (opening && line.rfind("#", 0) == 0) {
      std::string text = line.substr(1);
      if (!text.empty() && text[0] == ' ') text.erase(0, 1);
      // The opening paragraph ends at an empty comment line or an indented (example) line.
      if (text.empty() || text[0] == ' ') {
        opening = false;
        continue;
      }
      if (text.rfind("limitsim ", 0) == 0 && comment.empty() && text.find(':') != std::string::npos)
        text = text.substr(text.find(':') + 1);  // "limitsim quickstart: ..." -> "..."
      comment += (comment.empty() ? "" : " ") + text;
      if (!text.empty() && text.back() == ':') {  // introduces an example: the sentence ends here
        comment.back() = '.';
        opening = false;
      }
    } else if (!line.empty()) {
      opening = false;
    }
  }
  const std::size_t stop = comment.find(". ");
  std::string s = stop == std::string::npos ? comment : comment.substr(0, stop + 1);
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  if (!s.empty() && s.back() != '.') s += "...";  // the paragraph stopped mid-sentence (at an example)
  return s;
}

int list_command(const std::string& what) {
  const auto it = kinds().find(what);
  if (it == kinds().end()) {
    std::vector<std::string> names;
    for (const auto& k : kinds()) names.push_back(k.first);
    const std::string hint = closest_name(what, names);
    throw ConfigError("list: no kind '" + what + "'" + (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                      " (kinds: policies, scenarios, behaviours, populations, runs)");
  }
  const fs::path dir = fs::path(LIMITSIM_CONFIG_DIR) / it->second;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".toml") files.push_back(e.path());
  if (ec) throw std::runtime_error("cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::size_t width = 0;
  for (const fs::path& f : files) width = std::max(width, f.stem().string().size());
  std::cout << what << " in " << dir.string() << ":\n";
  for (const fs::path& f : files) {
    const std::string name = f.stem().string();
    std::cout << "  " << name << std::string(width - name.size() + 2, ' ') << sentence(f) << "\n";
  }
  return kExitOk;
}

int init_command(const std::string& name) {
  static const std::regex ok(R"([A-Za-z0-9][A-Za-z0-9_.-]*)");
  std::string stem = name;
  if (stem.size() > 5 && stem.compare(stem.size() - 5, 5, ".toml") == 0) stem.resize(stem.size() - 5);
  if (!std::regex_match(stem, ok) || stem.size() > 100)
    throw ConfigError("init: NAME must be letters, digits, '_', '-' or '.' (at most 100), got '" + name + "'");
  const fs::path out = stem + ".toml";
  if (fs::exists(fs::symlink_status(out)))
    throw ConfigError("init: " + out.string() + " exists; init never overwrites a file");
  const std::string c = fs::absolute(LIMITSIM_CONFIG_DIR).lexically_normal().string();
  std::string t;
  t += "# " + stem + ": a limitsim run, made by `limitsim init " + stem + "` to start from.\n";
  t += "# Every key is described in docs/config.md; `limitsim list policies` (scenarios,\n";
  t += "# behaviours, populations) shows what ships, a sentence each.\n#\n";
  t += "# The four references below name the population, the behaviour, the policies and\n";
  t += "# the scenarios. They point at the files limitsim ships; copy one next to this\n";
  t += "# file to change it (names are relative to this file's folder), or write it\n";
  t += "# inline as a [population], [behaviour.*], [[policies]] or [[scenarios]] table.\n";
  t += "# The references are top-level keys, so they come before [run].\n\n";
  t += "population = \"" + c + "/population/card_prime.toml\"   # a US prime card book (docs/calibration.md)\n";
  t += "behaviour = \"" + c + "/behaviour/card_prime.toml\"\n";
  t += "policies = [\"" + c + "/policies/static.toml\", \"" + c + "/policies/card_prime.toml\"]\n";
  t += "scenarios = [\"" + c + "/scenarios/baseline.toml\", \"" + c + "/scenarios/severe.toml\"]\n\n";
  t += "[run]\n";
  t += "name = \"" + stem + "\"\n";
  t += "seed = 20261204          # the same seed gives the same result, byte for byte\n";
  t += "paths = 64               # Monte Carlo paths (tail figures need several hundred)\n";
  t += "months = 36              # months to simulate\n";
  t += "backend = \"auto\"         # auto (the GPU where there is one) | cpu | cuda\n";
  t += "threads = 0              # CPU threads, 0 = all cores\n";
  t += "batch_size = 1048576     # customers per batch: bounds memory; results do not depend on it\n";
  t += "output = \"results/" + stem + ".h5\"\n";
  t += "report_months = [12, 24] # shown in summaries besides the horizon\n";
  t += "baseline = \"static\"      # the policy the others are compared with\n";
  t += "cost_of_funds = 0.03     # annual rate on month-end balances, charged in net income\n";
  t += "\n[pnl]                    # the rest of the P&L (docs/pnl.md); these are the defaults\n";
  t += "interchange_rate = 0.02  # share of purchase volume earned by the issuer (US credit cards: 1.5-2%)\n";
  t += "annual_fee = 0           # per open account and year (a guess, as are the three below)\n";
  t += "operating_cost = 60      # per open account and year\n";
  t += "acquisition_cost = 200   # per account opened\n";
  t += "collection_cost = 20     # per delinquent account and month\n";
  write_text_atomically(out.string(), t);
  try {
    load_run_config(out.string());  // what init writes must run
  } catch (...) {
    fs::remove(out);
    throw;
  }
  std::cout << "wrote " << out.string() << "; try: limitsim run " << out.string() << " -n 20000\n";
  return kExitOk;
}

}  // namespace

Subcommand setup_list(CLI::App& app) {
  auto what = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("list", "List the configurations that ship with limitsim, a sentence each");
  cmd->add_option("kind", *what, "policies, scenarios, behaviours, populations or runs")->required();
  cmd->footer("Example:\n  limitsim list policies");
  return {cmd, [what] { return list_command(*what); }};
}

Subcommand setup_init(CLI::App& app) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("init", "Write NAME.toml, a commented run file to start from (never overwrites)");
  cmd->add_option("name", *name, "Name of the run (the file is NAME.toml in the current folder)")->required();
  cmd->footer("Example:\n  limitsim init my_book && limitsim run my_book.toml -n 20000");
  return {cmd, [name] { return init_command(*name); }};
}

}  // namespace limitsim

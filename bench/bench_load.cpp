// Load speed of real customer data: rows per second and peak memory of
// load_panel on a generated CSV in the UCI layout, for each way of hashing the
// file (docs/data.md "Load speed").
//   limitsim_bench_load [--rows N] [--repeats R] [--dir DIR] [--keep]
//                       [--mode all|concurrent|inline|second-pass] [--source CSV] [--mapping TOML] [--json FILE]
// The CSV has N rows (default 10,000,000): the shipped UCI rows repeated with
// new ids 1..N. Each measurement runs in a forked child, so its peak RSS
// (getrusage) is that load's alone; the best of R runs (default 3) is reported.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "src/config/config.hpp"
#include "src/data/panel.hpp"

using namespace limitsim;
namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

template <class T>
double bytes(const std::vector<T>& v) {
  return static_cast<double>(v.capacity() * sizeof(T));
}

double panel_bytes(const Panel& p) {
  return bytes(p.id) + bytes(p.limit) + bytes(p.score) + bytes(p.income) + bytes(p.months_on_book) + bytes(p.region) +
         bytes(p.label) + bytes(p.status_code) + bytes(p.bucket) + bytes(p.type) + bytes(p.balance) + bytes(p.payment) +
         bytes(p.features);
}

// The UCI rows with their ID replaced by 1..rows.
std::uint64_t generate(const std::string& source, const std::string& out, std::int64_t rows) {
  std::ifstream in(source);
  if (!in) throw std::runtime_error("cannot read " + source);
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> tails;  // each row after its ID
  while (std::getline(in, line)) tails.push_back(line.substr(line.find(',')));
  std::FILE* f = std::fopen(out.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + out);
  std::vector<char> buf(1 << 20);
  std::setvbuf(f, buf.data(), _IOFBF, buf.size());
  std::fprintf(f, "%s\n", header.c_str());
  for (std::int64_t i = 0; i < rows; ++i) {
    const std::string& t = tails[static_cast<std::size_t>(i) % tails.size()];
    std::fprintf(f, "%lld%s\n", static_cast<long long>(i + 1), t.c_str());
  }
  std::fclose(f);
  return fs::file_size(out);
}

struct Result {
  double seconds = 0, rss_mib = 0, panel_mib = 0, population_seconds = 0, population_rss_mib = 0;
  std::int64_t rows = 0;
  char sha256[65] = {};
  bool ok = false;
};

// Runs one load in a child process; with population, also population_from_panel.
Result measure(const std::string& csv, const Mapping& m, HashMode mode, bool population) {
  int fd[2];
  if (pipe(fd) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    Result r;
    try {
      const auto t0 = std::chrono::steady_clock::now();
      const Panel p = load_panel(csv, m, BadRowPolicy::kError, mode);
      r.seconds = seconds_since(t0);
      r.rss_mib = peak_rss_mib();
      r.rows = p.size();
      r.panel_mib = panel_bytes(p) / (1024.0 * 1024.0);
      std::snprintf(r.sha256, sizeof r.sha256, "%s", p.sha256.c_str());
      if (population) {
        const auto t1 = std::chrono::steady_clock::now();
        const Population pop = population_from_panel(p, -1, PopulationConfig{}, default_behaviour());
        r.population_seconds = seconds_since(t1);
        r.population_rss_mib = peak_rss_mib();
      }
      r.ok = true;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "load failed: %s\n", e.what());
    }
    if (write(fd[1], &r, sizeof r) != static_cast<ssize_t>(sizeof r)) _exit(2);
    _exit(0);
  }
  close(fd[1]);
  Result r;
  const ssize_t n = read(fd[0], &r, sizeof r);
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (n != static_cast<ssize_t>(sizeof r) || !r.ok) throw std::runtime_error("the measuring child failed");
  return r;
}

const char* mode_name(HashMode m) {
  return m == HashMode::kConcurrent ? "concurrent" : (m == HashMode::kInline ? "inline" : "second-pass");
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t rows = 10000000;
  int repeats = 3;
  std::string dir, json, mode = "all";
  std::string source = "data/uci-credit-card/uci_credit_card.csv";
  std::string mapping = "configs/population/uci_credit_card.toml";
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--rows") rows = std::stoll(next());
    else if (a == "--repeats") repeats = std::max(1, std::stoi(next()));
    else if (a == "--dir") dir = next();
    else if (a == "--keep") keep = true;
    else if (a == "--mode") mode = next();
    else if (a == "--source") source = next();
    else if (a == "--mapping") mapping = next();
    else if (a == "--json") json = next();
    else {
      std::fprintf(stderr, "unknown argument: %s\n", a.c_str());
      return 2;
    }
  }
  std::vector<HashMode> modes;
  if (mode == "all" || mode == "concurrent") modes.push_back(HashMode::kConcurrent);
  if (mode == "all" || mode == "inline") modes.push_back(HashMode::kInline);
  if (mode == "all" || mode == "second-pass") modes.push_back(HashMode::kSecondPass);
  if (modes.empty()) {
    std::fprintf(stderr, "--mode must be all, concurrent, inline or second-pass\n");
    return 2;
  }
  try {
    const Mapping m = load_mapping(mapping);
    std::string tmp = dir;
    if (tmp.empty()) {
      std::string tmpl = (fs::temp_directory_path() / "limitsim_bench_load_XXXXXX").string();
      if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
      tmp = tmpl;
    }
    const std::string csv = (fs::path(tmp) / "customers.csv").string();
    auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t size = generate(source, csv, rows);
    std::printf("generated %lld rows, %.1f MiB, in %.2f s: %s\n", static_cast<long long>(rows),
                static_cast<double>(size) / (1024.0 * 1024.0), seconds_since(t0), csv.c_str());

    t0 = std::chrono::steady_clock::now();
    const std::string sha = sha256_file(csv);
    const double hash_s = seconds_since(t0);
    std::printf("sha256 alone: %.2f s, %.0f MiB/s\n", hash_s, static_cast<double>(size) / (1024.0 * 1024.0) / hash_s);

    std::printf("best of %d:\n%-12s %-9s %-12s %-12s %-12s %-10s\n", repeats, "hash", "load_s", "rows/s", "MiB/s",
                "peak_RSS_MiB", "panel_MiB");
    std::string out_rows;
    double population_s = 0, population_rss = 0;
    // Rounds over the modes (not a mode's repeats back to back), so a burst of
    // load from elsewhere on the machine does not fall on one mode only.
    std::vector<Result> best(modes.size());
    for (int k = 0; k < repeats; ++k) {
      for (std::size_t j = 0; j < modes.size(); ++j) {
        const Result r = measure(csv, m, modes[j], modes[j] == HashMode::kConcurrent);
        if (r.rows != rows || sha != r.sha256)
          throw std::runtime_error(std::string("wrong result in mode ") + mode_name(modes[j]));
        if (k == 0 || r.seconds < best[j].seconds) best[j] = r;
      }
    }
    for (std::size_t j = 0; j < modes.size(); ++j) {
      const HashMode hm = modes[j];
      const Result& r = best[j];
      std::printf("%-12s %-9.2f %-12.3e %-12.1f %-12.0f %-10.0f\n", mode_name(hm), r.seconds, rows / r.seconds,
                  static_cast<double>(size) / (1024.0 * 1024.0) / r.seconds, r.rss_mib, r.panel_mib);
      if (hm == HashMode::kConcurrent) {
        population_s = r.population_seconds;
        population_rss = r.population_rss_mib;
      }
      char buf[400];
      std::snprintf(buf, sizeof buf,
                    "%s{\"hash\": \"%s\", \"seconds\": %.3f, \"rows_per_s\": %.4e, \"peak_rss_mib\": %.1f, "
                    "\"panel_mib\": %.1f, \"panel_bytes_per_row\": %.1f}",
                    out_rows.empty() ? "" : ", ", mode_name(hm), r.seconds, rows / r.seconds, r.rss_mib, r.panel_mib,
                    r.panel_mib * 1024.0 * 1024.0 / static_cast<double>(rows));
      out_rows += buf;
    }
    if (population_s > 0)
      std::printf("population_from_panel (as of the last month): %.2f s, peak RSS %.0f MiB\n", population_s,
                  population_rss);
    if (!keep && dir.empty()) fs::remove_all(tmp);
    if (!keep && !dir.empty()) fs::remove(csv);
    if (!json.empty()) {
      std::ofstream(json) << "{\"benchmark\": \"load\", \"repeats\": " << repeats << ", \"rows\": " << rows << ", \"file_bytes\": " << size
                          << ", \"sha256_seconds\": " << hash_s << ", \"population_seconds\": " << population_s
                          << ", \"population_peak_rss_mib\": " << population_rss << ", \"loads\": [" << out_rows
                          << "]}\n";
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "limitsim_bench_load: %s\n", e.what());
    return 1;
  }
  return 0;
}

// load_panel: a data file read through a mapping into a Panel, streaming (docs/data.md), with its SHA-256.
//
// CSV (src/data/csv_reader.cpp) and HDF5 column datasets
// (src/data/hdf5_reader.cpp) feed the same row checks (Builder,
// src/data/panel_builder.hpp), so a value is accepted or refused for the same
// reason whatever the format.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

#include "kernels/special.hpp"
#include "src/data/panel.hpp"
#include "src/data/panel_builder.hpp"
#include "src/data/sha256.hpp"

namespace limitsim {
namespace {

namespace fs = std::filesystem;

std::string lower_extension(const std::string& file) {
  std::string ext = fs::path(file).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

}  // namespace

bool Shard::owns(std::uint64_t id) const {
  if (count <= 1) return true;
  // splitmix64's finalizer: consecutive or patterned ids spread evenly.
  std::uint64_t z = id + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return z % static_cast<std::uint64_t>(count) == static_cast<std::uint64_t>(index);
}

bool scores_by_limit_rank(const Mapping& m) {
  return m.score.kind == ScoreRule::Kind::kRank && m.score.rank_field == "limit" && m.score.rank_column.empty() &&
         m.score.higher_is_better;
}

LimitCounts limit_counts(const Panel& p) {
  std::vector<std::int64_t> limits = p.limit;
  std::sort(limits.begin(), limits.end());
  LimitCounts counts;
  for (const std::int64_t x : limits) {
    if (counts.empty() || counts.back().first != x) counts.emplace_back(x, 0);
    ++counts.back().second;
  }
  return counts;
}

// score = mean + sd * Phi^-1((rank - 0.5) / n) by limit, ties sharing their
// mean rank, clamped to the model's 350..950.
void apply_limit_rank_scores(Panel& p, const LimitCounts& all, double mean, double sd) {
  std::int64_t n = 0;
  for (const auto& c : all) n += c.second;
  std::vector<float> score(all.size());
  std::int64_t below = 0;  // customers with a smaller limit
  for (std::size_t k = 0; k < all.size(); ++k) {
    // 1-based positions below + 1 .. below + count share their mean rank.
    const std::int64_t a = below, b = below + all[k].second - 1;
    const double rank = 0.5 * static_cast<double>(a + 1 + b + 1);
    const double z = norm_inv((rank - 0.5) / static_cast<double>(n));
    score[k] = static_cast<float>(std::clamp(mean + sd * z, 350.0, 950.0));
    below += all[k].second;
  }
  for (std::size_t i = 0; i < p.limit.size(); ++i) {
    if (!std::isnan(p.score[i])) continue;  // the file's own score (a score column whose NA cells the rank fills)
    const auto it = std::lower_bound(all.begin(), all.end(), p.limit[i],
                                     [](const std::pair<std::int64_t, std::int64_t>& c, std::int64_t x) { return c.first < x; });
    if (it == all.end() || it->first != p.limit[i])
      throw std::logic_error("apply_limit_rank_scores: a limit is missing from the population's counts");
    p.score[i] = score[static_cast<std::size_t>(it - all.begin())];
  }
}

Panel load_panel(const std::string& data_file, const Mapping& m, BadRowPolicy bad_rows, HashMode hash) {
  return load_panel(data_file, m, bad_rows, hash, Shard{});
}

Panel load_panel(const std::string& data_file, const Mapping& m, BadRowPolicy bad_rows, HashMode hash,
                 const Shard& shard) {
  std::error_code ec;
  if (fs::exists(data_file, ec) && !fs::is_regular_file(data_file, ec))  // a FIFO would block the read
    throw ConfigError(data_file + ": cannot read the data file: not a regular file");
  std::string format = m.format;
  if (format.empty()) {
    const std::string ext = lower_extension(data_file);
    if (ext == ".csv") {
      format = "csv";
    } else if (ext == ".h5" || ext == ".hdf5") {
      format = "hdf5";
    } else {
      throw ConfigError(data_file + ": cannot tell the format from the extension '" + ext +
                        "' (.csv, .h5, .hdf5): set [source] format in " + m.source);
    }
  }
  if (shard.count > 1 && m.score.kind == ScoreRule::Kind::kRank && !scores_by_limit_rank(m)) {
    const std::string of = m.score.rank_column.empty() ? m.score.rank_field : m.score.rank_column;
    throw ConfigError(m.source + ": defaults.score: score = { rank_of = \"" + of + "\"" +
                      (of == "limit" ? ", direction = \"higher_is_worse\"" : "") + " } " +
                      (of == "limit" ? "ranks the limit with the higher limits worse, which"
                                     : "ranks something other than the limit, which") +
                      " is not supported with more than one MPI rank (each rank holds a share of the customers and "
                      "only the limit rank is ranked across them): run on one rank, or give the file a score column "
                      "or a scorecard");
  }
  const bool csv = format == "csv";
  loading::Builder out(m, bad_rows, data_file, csv, shard);
  if (csv && hash == HashMode::kInline) {
    loading::Sha256 h;
    loading::read_csv(data_file, m, out, &h);
    out.panel().sha256 = h.hex();
  } else if (hash == HashMode::kConcurrent) {
    loading::BackgroundHash h(data_file);
    if (csv) {
      loading::read_csv(data_file, m, out, nullptr);
    } else {
      loading::read_hdf5(data_file, m, out);
    }
    out.panel().sha256 = h.get();
  } else {  // a second pass (HDF5 reads are not one sequential pass, so kInline means this for HDF5)
    if (csv) {
      loading::read_csv(data_file, m, out, nullptr);
    } else {
      loading::read_hdf5(data_file, m, out);
    }
    out.panel().sha256 = sha256_file(data_file);
  }
  return std::move(out.panel());
}

Panel load_panel(const std::string& data_file, const Mapping& m, BadRowPolicy bad_rows) {
  return load_panel(data_file, m, bad_rows, HashMode::kConcurrent);
}

}  // namespace limitsim

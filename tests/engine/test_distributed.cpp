// A run spread over several ranks (src/engine/distributed.hpp, docs/scaling.md),
// with threads standing in for MPI ranks (thread_comm.hpp): the division of the
// work, the start-up failure agreement, and the same sums and the same
// customers as one process, bit for bit. tests/mpi/ runs the real MPI program.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "src/config/config.hpp"
#include "src/data/panel.hpp"
#include "src/engine/distributed.hpp"
#include "src/engine/engine.hpp"
#include "tests/engine/thread_comm.hpp"

using namespace limitsim;
using testing_comm::run_ranks;

namespace {

RunConfig config_from(const char* file, std::int64_t customers, int paths, int months) {
  RunConfig cfg = load_run_config(file);
  Overrides o;
  if (customers > 0) o.customers = customers;
  o.paths = paths;
  o.months = months;
  o.threads = 1;
  apply_overrides(cfg, o);
  return cfg;
}

TEST(Decompose, ARunSplitsTheCustomersOnly) {
  for (int r = 0; r < 3; ++r) {
    const Decomposition d = decompose(r, 3, 8, false);
    EXPECT_EQ(d.groups, 1);
    EXPECT_EQ(d.group, 0);
    EXPECT_EQ(d.slice, r);
    EXPECT_EQ(d.slices, 3);
    EXPECT_EQ(d.first_combo, 0);
    EXPECT_EQ(d.end_combo, 8);
  }
  // 10 customers over 3 slices: [0, 3), [3, 6), [6, 10).
  EXPECT_EQ(slice_begin(10, 0, 3), 0);
  EXPECT_EQ(slice_begin(10, 1, 3), 3);
  EXPECT_EQ(slice_begin(10, 2, 3), 6);
  EXPECT_EQ(slice_begin(10, 3, 3), 10);
}

TEST(Decompose, ASweepSplitsTheVariantsThenTheCustomers) {
  // 25 pairs on 4 ranks: one rank a group, pairs [0, 6), [6, 12), [12, 18), [18, 25).
  const std::int64_t first[] = {0, 6, 12, 18}, end[] = {6, 12, 18, 25};
  for (int r = 0; r < 4; ++r) {
    const Decomposition d = decompose(r, 4, 25, true);
    EXPECT_EQ(d.groups, 4);
    EXPECT_EQ(d.group, r);
    EXPECT_EQ(d.slices, 1);
    EXPECT_EQ(d.first_combo, first[r]);
    EXPECT_EQ(d.end_combo, end[r]);
  }
  // 3 pairs on 4 ranks: groups {0, 3}, {1}, {2}; ranks 0 and 3 split pair 0's customers.
  const Decomposition d0 = decompose(0, 4, 3, true), d3 = decompose(3, 4, 3, true), d1 = decompose(1, 4, 3, true);
  EXPECT_EQ(d0.groups, 3);
  EXPECT_EQ(d0.group, 0);
  EXPECT_EQ(d3.group, 0);
  EXPECT_EQ(d0.slices, 2);
  EXPECT_EQ(d3.slices, 2);
  EXPECT_EQ(d0.slice, 0);
  EXPECT_EQ(d3.slice, 1);
  EXPECT_EQ(d1.slices, 1);
  EXPECT_EQ(d1.first_combo, 1);
  EXPECT_EQ(d1.end_combo, 2);
}

TEST(Decompose, FewCustomersAreSplitByPathToo) {
  // 4 ranks, 2501 customers: 2 customer slices of >= 1024 (1250, 1251), each over 2 path slices.
  for (int r = 0; r < 4; ++r) {
    const Decomposition d = decompose(r, 4, 8, false, 2501, 6);
    EXPECT_EQ(d.slices, 2);
    EXPECT_EQ(d.path_slices, 2);
    EXPECT_EQ(d.slice, r / 2);
    EXPECT_EQ(d.path_slice, r % 2);
  }
  // 3 ranks, 2501 customers: no divisor of 3 leaves 1024 a slice, so the paths are split 3 ways.
  const Decomposition d3 = decompose(2, 3, 8, false, 2501, 6);
  EXPECT_EQ(d3.slices, 1);
  EXPECT_EQ(d3.path_slices, 3);
  EXPECT_EQ(d3.path_slice, 2);
  // 2 ranks, 2501 customers: the customers alone (1250 and 1251).
  EXPECT_EQ(decompose(1, 2, 8, false, 2501, 6).path_slices, 1);
  // Never more path slices than paths: 4 ranks, 2 customers, 2 paths -> 2 x 2.
  const Decomposition few = decompose(3, 4, 1, false, 2, 2);
  EXPECT_EQ(few.path_slices, 2);
  EXPECT_EQ(few.slices, 2);
  // 6 ranks, 10 customers, 1 path: the customers alone, whatever their number.
  EXPECT_EQ(decompose(5, 6, 1, false, 10, 1).slices, 6);
  // A file population (customers = 0) is split by customer only; so is a large synthetic one.
  EXPECT_EQ(decompose(3, 4, 8, false, 0, 64).path_slices, 1);
  EXPECT_EQ(decompose(3, 4, 8, false, 100000000, 64).path_slices, 1);
  // A sweep's group of 2 ranks (3 pairs on 4 ranks) with 700 customers splits its paths.
  const Decomposition g = decompose(3, 4, 3, true, 700, 5);
  EXPECT_EQ(g.group, 0);
  EXPECT_EQ(g.slices, 1);
  EXPECT_EQ(g.path_slices, 2);
  EXPECT_EQ(g.path_slice, 1);
}

TEST(CollectiveStep, TheLowestFailingRankIsReportedByEveryRank) {
  std::mutex m;
  std::map<int, std::pair<int, std::string>> seen;  // rank -> (code, "rank: message")
  run_ranks(4, [&](const Comm& comm) {
    try {
      collective_step(comm, [&] {
        if (comm.rank() == 3) throw std::runtime_error("rank three broke");
        if (comm.rank() == 2) throw ConfigError("bad key on rank two");
      });
      ADD_FAILURE() << "rank " << comm.rank() << " went on";
    } catch (const JobFailed& e) {
      std::lock_guard<std::mutex> lock(m);
      seen[comm.rank()] = {e.code(), std::to_string(e.rank()) + ": " + e.what()};
    }
  });
  ASSERT_EQ(seen.size(), 4u);
  for (const auto& [rank, got] : seen) {
    EXPECT_EQ(got.first, 2) << rank;  // a ConfigError: bad input
    EXPECT_EQ(got.second, "2: bad key on rank two") << rank;
  }
  // Nested steps keep the rank where the failure began; nothing failing, nothing thrown.
  run_ranks(3, [&](const Comm& comm) {
    collective_step(comm, [] {});
    try {
      collective_step(comm, [&] {
        const auto part = comm.split(comm.rank() == 0 ? 0 : 1);
        collective_step(*part, [&] {
          if (comm.rank() == 2) throw std::runtime_error("deep");
        });
      });
      ADD_FAILURE();
    } catch (const JobFailed& e) {
      EXPECT_EQ(e.code(), 1);
      EXPECT_EQ(e.rank(), 2);
      EXPECT_STREQ(e.what(), "deep");
    }
  });
}

TEST(SumAllExact, AddsBeyondSixtyFourBits) {
  run_ranks(3, [](const Comm& comm) {
    std::vector<__int128> v = {static_cast<__int128>(1) << 100, -static_cast<__int128>(comm.rank())};
    sum_all_exact(comm, v);
    EXPECT_TRUE(v[0] == static_cast<__int128>(3) << 100);
    EXPECT_TRUE(v[1] == -3);
  });
}

// Runs cfg on `ranks` thread-ranks as the command line does under MPI, and returns rank 0's reduced results.
RunResults run_spread(RunConfig cfg, int ranks, bool split_combos) {
  RunResults out;
  run_ranks(ranks, [&](const Comm& comm) {
    RunConfig mine = cfg;
    const Decomposition d = decompose(comm.rank(), comm.size(),
                                      static_cast<std::int64_t>(mine.scenarios.size() * mine.policies.size()), split_combos,
                                      mine.population.kind == "file" ? 0 : mine.population.customers, mine.paths);
    const auto group = comm.split(d.group);
    std::optional<FilePopulation> file;
    if (mine.population.kind == "file") file = load_file_population(mine, *group);
    auto backend = make_cpu_backend(1);
    const RunShare share = run_share(mine, d, comm.rank() == 0);
    RunResults r = run_simulation(mine, *backend, {}, file ? &file->customers : nullptr, &share);
    reduce_results(r, comm);
    if (comm.rank() == 0) out = std::move(r);
  });
  return out;
}

RunResults run_alone(RunConfig cfg) {
  std::optional<FilePopulation> file;
  if (cfg.population.kind == "file") file = load_file_population(cfg);
  auto backend = make_cpu_backend(1);
  return run_simulation(cfg, *backend, {}, file ? &file->customers : nullptr);
}

void expect_same_sums(const RunResults& a, const RunResults& b, const std::string& what) {
  ASSERT_EQ(a.combos.size(), b.combos.size()) << what;
  for (std::size_t k = 0; k < a.combos.size(); ++k) EXPECT_TRUE(a.combos[k].sums == b.combos[k].sums) << what << ", pair " << k;
  EXPECT_EQ(a.segment_customers, b.segment_customers) << what;
  EXPECT_EQ(a.path_weight, b.path_weight) << what;
  EXPECT_EQ(a.meta.customers, b.meta.customers) << what;
}

TEST(Spread, ARunOverRanksHasTheSameSums) {
  RunConfig cfg = config_from(LIMITSIM_SOURCE_DIR "/configs/stress_test.toml", 1301, 3, 7);
  cfg.batch_size = 200;
  const RunResults ref = run_alone(cfg);
  std::int64_t active = 0;
  for (const std::int64_t s : ref.combos[0].sums) active += s;
  ASSERT_GT(active, 0);
  for (int ranks : {2, 3, 5}) expect_same_sums(run_spread(cfg, ranks, false), ref, std::to_string(ranks) + " ranks");
}

TEST(Spread, PathsSplitAcrossRanksGiveTheSameSums) {
  // 2,600 customers, 5 paths: 4 ranks are 2 customer slices x 2 path slices ([0, 2), [2, 5)); 5 ranks
  // split the paths alone, one each; 2 ranks the customers alone.
  RunConfig cfg = config_from(LIMITSIM_SOURCE_DIR "/configs/stress_test.toml", 2600, 5, 4);
  cfg.batch_size = 700;
  ASSERT_EQ(decompose(0, 4, 8, false, 2600, 5).path_slices, 2);
  ASSERT_EQ(decompose(0, 5, 8, false, 2600, 5).path_slices, 5);
  const RunResults ref = run_alone(cfg);
  for (int ranks : {2, 4, 5}) expect_same_sums(run_spread(cfg, ranks, false), ref, std::to_string(ranks) + " ranks");
}

TEST(Spread, ASweepOverRanksHasTheSameSums) {
  // 4 policies: 3 ranks split the pairs; 6 ranks form 4 groups, two of which split their customers.
  const RunConfig cfg = config_from(LIMITSIM_SOURCE_DIR "/configs/compare_policies.toml", 700, 3, 6);
  const RunResults ref = run_alone(cfg);
  for (int ranks : {3, 6}) expect_same_sums(run_spread(cfg, ranks, true), ref, std::to_string(ranks) + " ranks");
}

TEST(Spread, ARealPopulationIsSplitByIdAndMadeAsByOneProcess) {
  // The UCI clients: limit-rank scores and panel-wide habit means must be the whole file's.
  const RunConfig cfg = config_from(LIMITSIM_SOURCE_DIR "/configs/uci.toml", 0, 2, 3);
  RunConfig alone_cfg = cfg;
  const FilePopulation alone = load_file_population(alone_cfg);
  std::map<std::uint64_t, std::int64_t> row;  // id -> index in the whole population
  for (std::int64_t i = 0; i < alone.customers.size(); ++i) row[alone.customers.id[static_cast<std::size_t>(i)]] = i;
  for (int ranks : {2, 3}) {
    std::mutex m;
    std::int64_t held = 0;
    run_ranks(ranks, [&](const Comm& comm) {
      RunConfig mine = cfg;
      const FilePopulation fp = load_file_population(mine, comm);
      EXPECT_EQ(mine.population.customers, alone_cfg.population.customers);
      EXPECT_EQ(mine.population.sha256, alone_cfg.population.sha256);
      EXPECT_EQ(fp.charged_off, alone.charged_off);
      EXPECT_EQ(fp.rows_read, alone.rows_read);
      EXPECT_LT(fp.customers.size(), alone.customers.size());
      EXPECT_EQ(fp.report, alone.report) << "the load report is the whole file's on every rank";
      const Population& p = fp.customers;
      const Population& q = alone.customers;
      std::lock_guard<std::mutex> lock(m);
      held += p.size();
      for (std::size_t i = 0; i < static_cast<std::size_t>(p.size()); ++i) {
        const Shard shard{comm.rank(), comm.size()};
        EXPECT_TRUE(shard.owns(p.id[i]));
        const auto it = row.find(p.id[i]);
        ASSERT_NE(it, row.end()) << p.id[i];
        const auto j = static_cast<std::size_t>(it->second);
        EXPECT_EQ(p.score[i], q.score[j]) << p.id[i];
        EXPECT_EQ(p.risk[i], q.risk[j]);
        EXPECT_EQ(p.activity[i], q.activity[j]) << p.id[i];
        EXPECT_EQ(p.spend_propensity[i], q.spend_propensity[j]) << p.id[i];
        EXPECT_EQ(p.revolve_shape[i], q.revolve_shape[j]) << p.id[i];
        EXPECT_EQ(p.transactor[i], q.transactor[j]);
        EXPECT_EQ(p.segment[i], q.segment[j]);
        EXPECT_EQ(p.limit[i], q.limit[j]);
        EXPECT_EQ(p.balance[i], q.balance[j]);
        EXPECT_EQ(p.bucket[i], q.bucket[j]);
        EXPECT_EQ(p.months_current[i], q.months_current[j]);
        EXPECT_EQ(p.since_missed[i], q.since_missed[j]);
      }
    });
    EXPECT_EQ(held, alone.customers.size()) << ranks << " ranks hold every customer once";
  }
  const RunResults ref = run_alone(cfg);
  expect_same_sums(run_spread(cfg, 3, false), ref, "3 ranks");
}

// Loads cfg's file population on `ranks` thread-ranks; the failure each rank agreed on (none where it loaded).
std::vector<JobFailed> load_failures(const RunConfig& cfg, int ranks) {
  std::mutex m;
  std::vector<JobFailed> failed;
  run_ranks(ranks, [&](const Comm& comm) {
    RunConfig mine = cfg;
    try {
      load_file_population(mine, comm);
    } catch (const JobFailed& e) {
      std::lock_guard<std::mutex> lock(m);
      failed.push_back(e);
    }
  });
  return failed;
}

TEST(Spread, ARepeatedIdOnOneRankFailsEveryRank) {
  // Rows of the UCI layout with one id repeated; refused (on_bad_row = error) by the rank that owns it alone.
  const std::string dir = ::testing::TempDir();
  const std::string data = dir + "/spread_dup.csv";
  {
    std::ifstream in(LIMITSIM_SOURCE_DIR "/data/uci-credit-card/uci_credit_card.csv");
    std::ofstream out(data);
    std::string line, repeat;
    for (int k = 0; k <= 300 && std::getline(in, line); ++k) {
      out << line << "\n";
      if (k == 7) repeat = line;
    }
    out << repeat << "\n";
  }
  RunConfig cfg = config_from(LIMITSIM_SOURCE_DIR "/configs/uci.toml", 0, 2, 3);
  Overrides o;
  o.population_file = data;
  o.mapping = LIMITSIM_SOURCE_DIR "/configs/population/uci_credit_card.toml";
  apply_overrides(cfg, o);
  const std::uint64_t id = 7;  // the 7th data row's ID
  int owner = -1;
  for (int r = 0; r < 3; ++r)
    if (Shard{r, 3}.owns(id)) owner = r;
  const std::vector<JobFailed> failed = load_failures(cfg, 3);
  EXPECT_EQ(failed.size(), 3u);
  for (const JobFailed& e : failed) {
    EXPECT_EQ(e.code(), 2);
    EXPECT_EQ(e.rank(), owner);
    EXPECT_NE(std::string(e.what()).find("id 7 is repeated"), std::string::npos) << e.what();
  }
}


// The foreign cross-section (tests/data/loader/foreign.csv) through a copy of
// its mapping whose score rule is `score`, written to `dir`.
std::string foreign_mapping(const std::string& dir, const std::string& name, const std::string& score) {
  std::ifstream in(LIMITSIM_SOURCE_DIR "/configs/population/foreign_snapshot.toml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string rule = "score = { rank_of = \"RevolvingUtilizationOfUnsecuredLines\"";
  const std::size_t at = text.find(rule);
  if (at == std::string::npos) throw std::runtime_error("foreign_snapshot.toml: no score rule to replace");
  text.replace(at, text.find('\n', at) - at, score);
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

RunConfig foreign_config(const std::string& mapping) {
  RunConfig cfg = config_from(LIMITSIM_SOURCE_DIR "/configs/quickstart.toml", 0, 2, 3);
  Overrides o;
  o.population_file = LIMITSIM_SOURCE_DIR "/tests/data/loader/foreign.csv";
  o.mapping = mapping;
  apply_overrides(cfg, o);
  return cfg;
}

TEST(Spread, TheLimitRankAndTheFillCountsAreTheWholeFiles) {
  // Row-number ids, NA incomes filled, capped ratios, and the limit rank (of lines filled from income)
  // over all the shards: each rank's customers and the load report as from one process.
  const std::string dir = ::testing::TempDir();
  const RunConfig cfg =
      foreign_config(foreign_mapping(dir, "foreign_limit_rank.toml", "score = { rank_of = \"limit\", mean = 680.0, sd = 80.0 }"));
  RunConfig alone_cfg = cfg;
  const FilePopulation alone = load_file_population(alone_cfg);
  ASSERT_EQ(alone.customers.size(), 12);
  for (int ranks : {2, 3, 5}) {
    std::mutex m;
    std::int64_t held = 0;
    run_ranks(ranks, [&](const Comm& comm) {
      RunConfig mine = cfg;
      const FilePopulation fp = load_file_population(mine, comm);
      EXPECT_EQ(fp.report, alone.report);
      std::lock_guard<std::mutex> lock(m);
      held += fp.customers.size();
      for (std::size_t i = 0; i < static_cast<std::size_t>(fp.customers.size()); ++i) {
        const std::uint64_t id = fp.customers.id[i];
        ASSERT_GE(id, 1u);
        ASSERT_LE(id, 12u);
        const auto j = static_cast<std::size_t>(id - 1);  // the row number is the id
        EXPECT_EQ(fp.customers.score[i], alone.customers.score[j]) << id;
        EXPECT_EQ(fp.customers.limit[i], alone.customers.limit[j]) << id;
        EXPECT_EQ(fp.customers.balance[i], alone.customers.balance[j]) << id;
      }
    });
    EXPECT_EQ(held, 12) << ranks << " ranks";
  }
}

TEST(Spread, ARankOfAnotherColumnIsRefusedOverSeveralRanks) {
  // The shipped foreign mapping ranks the utilization column: not gathered across shards, so refused.
  const RunConfig cfg = foreign_config(LIMITSIM_SOURCE_DIR "/configs/population/foreign_snapshot.toml");
  RunConfig alone_cfg = cfg;
  EXPECT_EQ(load_file_population(alone_cfg).customers.size(), 12);
  const std::vector<JobFailed> failed = load_failures(cfg, 2);
  EXPECT_EQ(failed.size(), 2u);
  for (const JobFailed& e : failed) {
    EXPECT_EQ(e.code(), 2);
    const std::string what = e.what();
    EXPECT_NE(what.find("defaults.score: score = { rank_of = \"RevolvingUtilizationOfUnsecuredLines\""),
              std::string::npos) << what;
    EXPECT_NE(what.find("not supported with more than one MPI rank"), std::string::npos) << what;
  }
}

}  // namespace

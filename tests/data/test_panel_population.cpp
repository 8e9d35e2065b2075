// The population built from a panel (src/data/panel_population.cpp): ids and row order, limit-rank scores and
// habits worked by hand, and charged-off accounts left out.
#include <gtest/gtest.h>

#include "tests/data/loader_fixture.hpp"

namespace limitsim {
namespace {

using namespace loader_test;

// ================================================================ ids and row order

TEST(Loader, ShuffledRowsGiveTheSameCustomers) {
  TempDir dir;
  std::ifstream in(kUciData, std::ios::binary);
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> rows;
  while (std::getline(in, line)) rows.push_back(line);
  std::mt19937_64 rng(20261123);
  std::shuffle(rows.begin(), rows.end(), rng);
  std::string text = header + "\n";
  for (const std::string& r : rows) text += r + "\n";
  const std::string shuffled = dir.write("shuffled.csv", text);

  const Mapping m = load_mapping(kUciMapping);
  const Panel a = load_panel(kUciData, m, BadRowPolicy::kError);
  const Panel b = load_panel(shuffled, m, BadRowPolicy::kError);
  ASSERT_EQ(a.size(), 30000);
  ASSERT_EQ(b.size(), 30000);
  EXPECT_NE(a.id, b.id);  // really another order
  const PopulationConfig pc;
  const BehaviourParams bp = default_behaviour();
  for (const std::int32_t as_of : {5, 2, 0}) {
    const Population pa = by_id(population_from_panel(a, as_of, pc, bp));
    const Population pb = by_id(population_from_panel(b, as_of, pc, bp));
    expect_same_population(pa, pb);
    // Ids are the file's: 1..30000.
    EXPECT_EQ(pa.id.front(), 1u);
    EXPECT_EQ(pa.id.back(), 30000u);
  }
}

TEST(Loader, PopulationDoesNotDependOnTheThreadCount) {
  const Panel p = load_panel(kUciData, load_mapping(kUciMapping), BadRowPolicy::kError);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const Population one = population_from_panel(p, -1, PopulationConfig{}, default_behaviour());
  omp_set_num_threads(3);
  const Population three = population_from_panel(p, -1, PopulationConfig{}, default_behaviour());
  omp_set_num_threads(saved);
  expect_same_population(one, three);
}

// ================================================================ scores and habits by hand

TEST(Loader, LimitRankScoresByHand) {
  const Panel p = load_panel(fixture("ranks.csv"), load_mapping(fixture("ranks.toml")), BadRowPolicy::kError);
  // Limits 100, 300, 300, 200, 500: ranks 1, 3.5, 3.5, 2, 5 of n = 5, so
  // (rank - 0.5) / 5 = 0.1, 0.6, 0.6, 0.3, 0.9 and Phi^-1 of these is
  // -1.2815516, 0.2533471, 0.2533471, -0.5244005, 1.2815516; score = 680 + 80 z.
  ASSERT_EQ(p.size(), 5);
  EXPECT_NEAR(p.score[0], 577.47587, 1e-3);
  EXPECT_NEAR(p.score[1], 700.26777, 1e-3);
  EXPECT_NEAR(p.score[2], 700.26777, 1e-3);
  EXPECT_NEAR(p.score[3], 638.04796, 1e-3);
  EXPECT_NEAR(p.score[4], 782.52413, 1e-3);
  EXPECT_EQ(p.score[1], p.score[2]);
  // income = limit / 2.
  EXPECT_EQ(p.income, (std::vector<std::int64_t>{5000, 15000, 15000, 10000, 25000}));
}

TEST(Loader, PopulationHabitsByHand) {
  const Panel p = load_panel(fixture("habits.csv"), load_mapping(fixture("habits.toml")), BadRowPolicy::kError);
  const PopulationConfig pc;                      // score 680 / 80, one region, default bands
  BehaviourParams bp = default_behaviour();
  bp.min_payment_floor = 5000;  // minimum payment max(50.00, 10%)
  bp.min_payment_rate = 0.10;
  const Population pop = population_from_panel(p, -1, pc, bp);  // as of the last month, t = 2
  ASSERT_EQ(pop.size(), 3);
  // Months t = 1, 2 are observed (spend needs the month before). Income 1,000.00 each.
  // Customer 1: spend 1500-1000+500 = 1000 and 1200-1500+900 = 600: active 2 of 2, 1,600 in all.
  //   Revolver shares: statement 1000 (min 100), paid 500: 400/900; statement 1500 (min 150), paid 900:
  //   750/1350. Sum 1.0 over 2. Types revolver, revolver, transactor: a revolver.
  // Customer 2: spend 2000-2000+2000 = 2000, then 0-2000+2000 = 0: active 1 of 2. Shares 1 and 1
  //   (paid in full). Types transactor x3.
  // Customer 3: no spend, nothing due; types inactive, inactive, none: untyped, so the
  //   panel's majority: 1 transactor of 2 typed customers is no majority, so a revolver.
  // Panel-wide: activity 3/6 = 0.5; propensity (own spend / 2 months / income): 0.8, 1.0, 0 -> 0.6;
  //   revolver share (customers 1 and 3): 1.0 / 2 = 0.5.
  // Shrunk with 3 pseudo-months: activity (a + 3 x 0.5) / 5; propensity (2 x own + 3 x 0.6) / 5;
  //   share (sum + 3 x 0.5) / (n + 3), gamma = 1 / share - 1.
  EXPECT_EQ(pop.transactor, (std::vector<std::uint8_t>{0, 1, 0}));
  const float activity[] = {0.7f, 0.5f, 0.3f}, propensity[] = {0.68f, 0.76f, 0.36f};
  const float gamma[] = {1.0f, static_cast<float>(1.0 / 0.7 - 1.0), 1.0f};
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(pop.activity[i], activity[i], 1e-6) << i;
    EXPECT_NEAR(pop.spend_propensity[i], propensity[i], 1e-6) << i;
    EXPECT_NEAR(pop.revolve_shape[i], gamma[i], 1e-6) << i;
  }
  EXPECT_EQ(pop.id, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(pop.balance, (std::vector<std::int64_t>{120000, 0, 0}));
  EXPECT_EQ(pop.bucket, (std::vector<std::int8_t>{0, 0, 1}));
  EXPECT_EQ(pop.limit, (std::vector<std::int64_t>{500000, 800000, 300000}));
  EXPECT_EQ(pop.income, (std::vector<std::int64_t>{100000, 100000, 100000}));
  EXPECT_EQ(pop.months_on_book, (std::vector<std::int32_t>{24, 24, 24}));
  // Limits 5000, 8000, 3000 rank 2, 3, 1 of 3: Phi^-1(0.5, 5/6, 1/6) = 0, +-0.9674216.
  EXPECT_NEAR(pop.score[0], 680.0, 1e-4);
  EXPECT_NEAR(pop.score[1], 757.39373, 1e-3);
  EXPECT_NEAR(pop.score[2], 602.60627, 1e-3);
  EXPECT_NEAR(pop.risk[1], -0.9674216, 1e-5);
  // Segments: score bands at 550, 620, 680, 740, 800.
  EXPECT_EQ(pop.segment, (std::vector<std::int32_t>{3, 4, 1}));

  // As of month 0 nothing is observed: the synthetic population's medians, month 0's
  // state, two fewer months on book; types of month 0 only (customer 3 untyped again).
  const Population first = population_from_panel(p, 0, pc, bp);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(first.activity[i], 1.0 / (1.0 + std::exp(-1.5)), 1e-6);
    EXPECT_NEAR(first.spend_propensity[i], 0.25, 1e-7);
    EXPECT_NEAR(first.revolve_shape[i], 2.0, 1e-7);
  }
  EXPECT_EQ(first.transactor, (std::vector<std::uint8_t>{0, 1, 0}));
  EXPECT_EQ(first.balance, (std::vector<std::int64_t>{100000, 200000, 0}));
  EXPECT_EQ(first.bucket, (std::vector<std::int8_t>{0, 0, 0}));
  EXPECT_EQ(first.months_on_book, (std::vector<std::int32_t>{22, 22, 22}));
}

TEST(Loader, SnapshotPopulationUsesTheDocumentedConstants) {
  const Panel p = load_panel(fixture("snapshot.txt"), load_mapping(fixture("snapshot.toml")), BadRowPolicy::kError);
  PopulationConfig pc;
  const Population pop = population_from_panel(p, -1, pc, default_behaviour());
  EXPECT_EQ(pop.balance, (std::vector<std::int64_t>{-250, 123456, 100}));
  EXPECT_EQ(pop.bucket, (std::vector<std::int8_t>{0, 1, 0}));
  EXPECT_EQ(pop.months_on_book, (std::vector<std::int32_t>{3, 0, 120}));
  // One typed customer (8, a transactor) is the majority of the typed: everyone untyped follows it.
  EXPECT_EQ(pop.transactor, (std::vector<std::uint8_t>{1, 1, 1}));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FLOAT_EQ(pop.spend_propensity[i], 0.25f);
    EXPECT_FLOAT_EQ(pop.revolve_shape[i], 2.0f);
  }
  // Without any typed month the type follows the score: logistic(-0.6 + 0.8 (score - 650) / 100)
  // is above 1/2 from score 725 on.
  TempDir dir;
  const std::string map = dir.write("m.toml", "[fields]\nid = \"id\"\nlimit = \"limit\"\nscore = \"score\"\n");
  const Panel q = load_panel(dir.write("d.csv", "id,limit,score\n1,100,724\n2,100,726\n"), load_mapping(map),
                             BadRowPolicy::kError);
  EXPECT_EQ(population_from_panel(q, -1, pc, default_behaviour()).transactor, (std::vector<std::uint8_t>{0, 1}));
}

TEST(Loader, PopulationRefusesABadMonthOrOtherRegions) {
  const Panel p = load_panel(fixture("good.csv"), load_mapping(fixture("basic.toml")), BadRowPolicy::kError);
  PopulationConfig pc;
  pc.region_names = {"north", "south"};
  pc.region_shares = {0.5, 0.5};
  const Population pop = population_from_panel(p, 1, pc, default_behaviour());
  EXPECT_EQ(pop.region, (std::vector<std::int32_t>{0, 1, 0}));
  // Scores 700, 650, 720 are bands 3, 2, 3; segment = band x 2 regions + region.
  EXPECT_EQ(pop.segment, (std::vector<std::int32_t>{6, 5, 6}));
  try {
    population_from_panel(p, 2, pc, default_behaviour());
    FAIL() << "accepted month 2 of 2";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), fixture("good.csv") + ": as-of month 2 is past the panel's last month (0..1)");
  }
  pc.region_names = {"south", "north"};
  try {
    population_from_panel(p, 1, pc, default_behaviour());
    FAIL() << "accepted other regions";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("the data's regions (north, south) differ from the population's regions "
                                         "(south, north)"),
              std::string::npos)
        << e.what();
  }
}

// A status mapped to "charged_off": a population leaves such accounts out
// (they are no longer on the book), and calibration counts moves into it as
// charge-offs from the model's last bucket.
TEST(Loader, ChargedOffAccountsAreLeftOutAndCountAsChargeOffs) {
  TempDir dir;
  const std::string mapping = dir.write("m.toml",
                                        "[fields]\nid = \"id\"\nlimit = \"limit\"\n"
                                        "[panel]\nmonths = [\"m1\", \"m2\"]\nstatus = [\"s1\", \"s2\"]\n"
                                        "balance = [\"b1\", \"b2\"]\n"
                                        "[status.codes]\n\"0\" = { bucket = 0 }\n\"6\" = { bucket = 6 }\n"
                                        "\"7\" = { bucket = \"charged_off\" }\n");
  // ids 10..14: current; at 151-180 then charged off; at 151-180 twice; charged off twice; current.
  const std::string data = dir.write("d.csv",
                                     "id,limit,s1,s2,b1,b2\n10,1000,0,0,10,20\n11,1000,6,7,900,950\n"
                                     "12,1000,6,6,800,820\n13,1000,7,7,990,990\n14,1000,0,0,0,0\n"
                                     "15,1000,6,0,500,0\n");
  const Panel p = load_panel(data, load_mapping(mapping), BadRowPolicy::kError);
  ASSERT_EQ(p.size(), 6);
  EXPECT_EQ(p.bucket[p.at(1, 1)], kChargedOffBucket);

  std::vector<std::int64_t> rows;
  const PopulationConfig pc;
  const Population second = population_from_panel(p, 1, pc, default_behaviour(), &rows);
  EXPECT_EQ(second.id, (std::vector<std::uint64_t>{10, 12, 14, 15}));
  EXPECT_EQ(rows, (std::vector<std::int64_t>{0, 2, 4, 5}));
  EXPECT_EQ(second.bucket, (std::vector<std::int8_t>{0, 6, 0, 0}));
  // The payment history: id 15 was 151-180 DPD in m1 and is current in m2, so
  // one month current and one month since the miss; ids 10 and 14 were never
  // late, so current since opening (24 months on book by default).
  EXPECT_EQ(second.months_current, (std::vector<std::int32_t>{24, 0, 24, 1}));
  EXPECT_EQ(second.since_missed, (std::vector<std::int32_t>{kLongAgo, 0, kLongAgo, 1}));
  const Population first = population_from_panel(p, 0, pc, default_behaviour(), &rows);
  EXPECT_EQ(first.id, (std::vector<std::uint64_t>{10, 11, 12, 14, 15}));

  BehaviourConfig base;
  base.params = default_behaviour();
  const Calibration c = calibrate(p, 0, 1, base, pc);
  EXPECT_EQ(c.to_chargeoff[6], 1);  // id 11: 151-180 -> charged off
  EXPECT_EQ(c.counts[6][6], 1);     // id 12 stays
  EXPECT_EQ(c.roll[6].events, 1);
  EXPECT_EQ(c.roll[6].trials, 3);   // ids 11, 12 and 15
  EXPECT_EQ(c.cure[6].events, 1);   // id 15
}

}  // namespace
}  // namespace limitsim

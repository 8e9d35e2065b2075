// Writing HDF5 result files (src/io/h5_writer.cpp): the exact round trip and the documented layout, checked with
// the C API: datasets, attributes, the comparison table, tail risk, chunking, and inconsistent inputs refused.
#include <gtest/gtest.h>

#include "tests/io/h5io_fixture.hpp"

namespace limitsim {
namespace {

using namespace h5io_test;

TEST_F(H5IoTest, RoundTripIsExact) {
  const RunResults r = sample_results();
  const std::string path = (dir_ / "run.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  expect_equal(read_results_h5(path), r);
  EXPECT_EQ(leftovers(), std::vector<std::string>{"run.h5"});  // no temporary left behind
}

TEST_F(H5IoTest, RoundTripWithManyPathsSpansSeveralChunks) {
  RunResults r = sample_results();
  r.paths = 600;  // more than the 256 paths of one chunk row
  r.path_weight.resize(600);
  for (std::size_t i = 0; i < 600; ++i) r.path_weight[i] = 0.5 + 0.25 * static_cast<double>(i % 4);
  fill_possible_sums(r, 2654435761u);
  const std::string path = (dir_ / "many.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  expect_equal(read_results_h5(path), r);
}

TEST_F(H5IoTest, LayoutMatchesTheSchema) {
  const RunResults r = sample_results();
  const Summary s = compute_summary(r, {2});
  const std::string path = (dir_ / "layout.h5").string();
  write_results_h5(r, s, compute_comparison(r), path);

  Id f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(f.id, 0);
  EXPECT_EQ(string_attr(f.id, "schema_version"), "1.5");
  EXPECT_EQ(numeric_attr<std::int32_t>(f.id, "mpi_ranks", H5T_NATIVE_INT32), 4);
  EXPECT_EQ(string_attr(f.id, "run_name"), "h5test");
  EXPECT_EQ(string_attr(f.id, "population_kind"), r.meta.population_kind);
  EXPECT_EQ(string_attr(f.id, "population_file"), r.meta.population_file);
  EXPECT_EQ(string_attr(f.id, "population_sha256"), r.meta.population_sha256);
  EXPECT_EQ(numeric_attr<std::int64_t>(f.id, "population_rows_skipped", H5T_NATIVE_INT64), 3);
  EXPECT_EQ(string_attr(f.id, "git_commit"), r.meta.git_commit);
  EXPECT_EQ(numeric_attr<std::uint64_t>(f.id, "seed", H5T_NATIVE_UINT64), r.meta.seed);
  EXPECT_EQ(numeric_attr<std::int32_t>(f.id, "paths", H5T_NATIVE_INT32), 5);
  EXPECT_EQ(numeric_attr<double>(f.id, "wall_seconds", H5T_NATIVE_DOUBLE), 1.25);
  EXPECT_EQ(numeric_attr<double>(f.id, "cost_of_funds", H5T_NATIVE_DOUBLE), 0.0375);
  EXPECT_EQ(string_attr(f.id, "baseline_policy"), "raise/10%");

  const std::string combo = "/results/severe recession/raise%2F10%25";
  struct Expect {
    std::string path;
    std::vector<hsize_t> shape;
    H5T_class_t cls;
    std::size_t size;  // bytes per element; 0 for strings
    const char* units;
    const char* dims;
  };
  const Expect expected[] = {
      {"/config", {}, H5T_STRING, 0, "none", ""},
      {"/segments/names", {2}, H5T_STRING, 0, "none", "segment"},
      {"/segments/customers", {2}, H5T_INTEGER, 8, "customers", "segment"},
      {"/scenarios", {2}, H5T_STRING, 0, "none", "scenario"},
      {"/policies", {2}, H5T_STRING, 0, "none", "policy"},
      {combo + "/monthly/active", {5, 3}, H5T_INTEGER, 8, "accounts", "path,month"},
      {combo + "/monthly/chargeoff_loss", {5, 3}, H5T_INTEGER, 8, "cents", "path,month"},
      {combo + "/monthly/utilization_sum", {5, 3}, H5T_INTEGER, 8, "ppm", "path,month"},
      {combo + "/monthly/bucket_count", {5, 3, 7}, H5T_INTEGER, 8, "accounts", "path,month,bucket"},
      {combo + "/monthly/bucket_balance", {5, 3, 7}, H5T_INTEGER, 8, "cents", "path,month,bucket"},
      {combo + "/monthly/utilization_histogram", {5, 3, 12}, H5T_INTEGER, 8, "accounts", "path,month,bin"},
      {combo + "/by_segment/balance", {5, 3, 2}, H5T_INTEGER, 8, "cents", "path,month,segment"},
      {combo + "/by_segment/bucket_count", {5, 3, 2, 7}, H5T_INTEGER, 8, "accounts", "path,month,segment,bucket"},
      {combo + "/by_segment/utilization_histogram", {5, 3, 2, 12}, H5T_INTEGER, 8, "accounts",
       "path,month,segment,bin"},
      {combo + "/losses/net_loss", {5}, H5T_FLOAT, 8, "currency", "path"},
      {combo + "/losses/net_loss_cents", {5}, H5T_INTEGER, 8, "cents", "path"},
      {combo + "/losses/chargeoff_exposure", {5}, H5T_FLOAT, 8, "currency", "path"},
      {combo + "/summary/tail/level", {3}, H5T_FLOAT, 8, "share", "level"},
      {combo + "/summary/tail/var_lo", {3}, H5T_FLOAT, 8, "currency", "level"},
      {combo + "/summary/tail/es_se", {3}, H5T_FLOAT, 8, "currency", "level"},
      {combo + "/summary/monthly/month", {3}, H5T_INTEGER, 4, "month", "month"},
      {combo + "/summary/monthly/overdue30_count", {3}, H5T_FLOAT, 8, "share", "month"},
      {combo + "/summary/monthly/cumulative_net_loss_se", {3}, H5T_FLOAT, 8, "currency", "month"},
      {combo + "/summary/report_months", {2}, H5T_INTEGER, 4, "month", "report"},
  };
  for (const Expect& e : expected) {
    const DatasetFacts d = facts(f.id, e.path);
    EXPECT_EQ(d.shape, e.shape) << e.path;
    EXPECT_EQ(d.type_class, e.cls) << e.path;
    if (e.size != 0) {
      EXPECT_EQ(d.type_size, e.size) << e.path;
    }
    EXPECT_EQ(d.units, e.units) << e.path;
    EXPECT_EQ(d.dims, e.dims) << e.path;
  }
  EXPECT_EQ(facts(f.id, combo + "/monthly/bucket_count").labels, "current,1-30,31-60,61-90,91-120,121-150,151-180");
  EXPECT_EQ(facts(f.id, combo + "/by_segment/utilization_histogram").labels,
            "0,(0-10%],(10-20%],(20-30%],(30-40%],(40-50%],(50-60%],(60-70%],(70-80%],(80-90%],(90-100%],>100%");

  // Every dataset documents itself; 4 combos x (21 + 21 monthly/by_segment + 3 losses + ...).
  const std::vector<std::string> datasets = all_datasets(f.id);
  EXPECT_GT(datasets.size(), 4u * 45u);
  for (const std::string& p : datasets) {
    const DatasetFacts d = facts(f.id, p);
    EXPECT_NE(d.units, "<missing>") << p;
    EXPECT_NE(d.dims, "<missing>") << p;
    EXPECT_FALSE(d.description.empty() || d.description == "<missing>") << p;
    EXPECT_EQ(std::count(d.dims.begin(), d.dims.end(), ',') + (d.dims.empty() ? 0 : 1),
              static_cast<long>(d.shape.size()))
        << p << " dims '" << d.dims << "'";
  }

  // Group names and their attributes.
  Id g{H5Gopen2(f.id, combo.c_str(), H5P_DEFAULT), H5Gclose};
  ASSERT_GE(g.id, 0);
  EXPECT_EQ(string_attr(g.id, "scenario"), "severe recession");
  EXPECT_EQ(string_attr(g.id, "policy"), "raise/10%");

  // Values: monthly = sum over segments; losses and summary agree with the sums.
  const int ci = 3;  // severe recession / raise/10%
  const ComboSums& c = r.combos[ci];
  const auto active = read_all<std::int64_t>(f.id, combo + "/monthly/active", H5T_NATIVE_INT64, 15);
  const auto buckets =
      read_all<std::int64_t>(f.id, combo + "/by_segment/bucket_count", H5T_NATIVE_INT64, 5 * 3 * 2 * 7);
  const auto net_loss = read_all<double>(f.id, combo + "/losses/net_loss", H5T_NATIVE_DOUBLE, 5);
  const auto loss_cents = read_all<std::int64_t>(f.id, combo + "/losses/net_loss_cents", H5T_NATIVE_INT64, 5);
  for (int p = 0; p < 5; ++p) {
    std::int64_t cents = 0;
    for (int t = 0; t < 3; ++t) {
      EXPECT_EQ(active[p * 3 + t], r.portfolio(c, p, t, kActive));
      cents += r.portfolio(c, p, t, kChargeoffLoss);
      for (int g = 0; g < 2; ++g)
        for (int b = 0; b < 7; ++b)
          EXPECT_EQ(buckets[((p * 3 + t) * 2 + g) * 7 + b], c.sums[r.cell_index(p, t, g, kBucketCount0 + b)]);
    }
    EXPECT_EQ(loss_cents[p], cents);
    EXPECT_EQ(net_loss[p], s.combos[ci].path_loss[p]);
  }
  // Scalar figures: attributes of the summary group, units in figure_units.
  Id sum{H5Gopen2(f.id, (combo + "/summary").c_str(), H5P_DEFAULT), H5Gclose};
  ASSERT_GE(sum.id, 0);
  for (const auto& fig : combo_figure_info()) {
    const Estimate& e = s.combos[ci].*(fig.field);
    EXPECT_EQ(numeric_attr<double>(sum.id, fig.name, H5T_NATIVE_DOUBLE), e.value) << fig.name;
    EXPECT_EQ(numeric_attr<double>(sum.id, (std::string(fig.name) + "_se").c_str(), H5T_NATIVE_DOUBLE), e.se)
        << fig.name;
  }
  EXPECT_EQ(string_attr(sum.id, "figure_units"),
            "expected_loss=currency,unexpected_loss=currency,exposure_at_chargeoff=currency,revenue=currency,"
            "reversals=currency,limit_increases=accounts,freezes=accounts");
  EXPECT_EQ(numeric_attr<std::int32_t>(sum.id, "bootstrap_resamples", H5T_NATIVE_INT32), 2000);
  const auto var = read_all<double>(f.id, combo + "/summary/tail/var", H5T_NATIVE_DOUBLE, 3);
  for (int l = 0; l < 3; ++l) EXPECT_EQ(var[l], s.combos[ci].tail[l].var);
  const auto od = read_all<double>(f.id, combo + "/summary/monthly/overdue60_balance", H5T_NATIVE_DOUBLE, 3);
  for (int t = 0; t < 3; ++t) EXPECT_EQ(od[t], s.combos[ci].months[t].overdue60_balance.value);
  EXPECT_EQ(read_all<std::int32_t>(f.id, combo + "/summary/report_months", H5T_NATIVE_INT32, 2),
            (std::vector<std::int32_t>{2, 3}));
}

TEST_F(H5IoTest, ComparisonIsATidyTableOfTheComparison) {
  RunResults r = sample_results();
  r.meta.report_months = {2};
  const Comparison c = compute_comparison(r);
  ASSERT_EQ(c.baseline, "raise/10%");  // from meta.baseline_policy
  const std::string path = (dir_ / "cmp.h5").string();
  write_results_h5(r, compute_summary(r, r.meta.report_months), c, path);

  Id f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(f.id, 0);
  Id g{H5Gopen2(f.id, "/comparison", H5P_DEFAULT), H5Gclose};
  ASSERT_GE(g.id, 0);
  EXPECT_EQ(string_attr(g.id, "baseline"), "raise/10%");
  EXPECT_EQ(numeric_attr<double>(g.id, "cost_of_funds", H5T_NATIVE_DOUBLE), 0.0375);
  EXPECT_EQ(numeric_attr<double>(g.id, "confidence_level", H5T_NATIVE_DOUBLE), 0.95);
  EXPECT_EQ(numeric_attr<double>(g.id, "t_quantile", H5T_NATIVE_DOUBLE), student_t_quantile(0.975, 4));
  EXPECT_EQ(numeric_attr<std::int32_t>(g.id, "bootstrap_resamples", H5T_NATIVE_INT32), 2000);
  EXPECT_NE(string_attr(g.id, "figure_units").find("net_income=currency"), std::string::npos);
  EXPECT_EQ(string_attr(g.id, "columns"), "scenario,policy,figure,month,unit,value,se,diff,diff_lo,diff_hi,pairing_ratio");

  // 23 horizon figures (6 of them the P&L lines of schema 1.5) + 4 overdue figures at months 2 and 3, for 4 combos.
  const std::size_t per_combo = c.combos[0].values.size();
  ASSERT_EQ(per_combo, 23u + 4u * 2u);
  const std::size_t rows = 4 * per_combo;
  struct Column {
    const char* name;
    H5T_class_t cls;
    const char* units;
  };
  const Column columns[] = {{"scenario", H5T_STRING, "none"}, {"policy", H5T_STRING, "none"},
                            {"figure", H5T_STRING, "none"},   {"month", H5T_INTEGER, "month"},
                            {"unit", H5T_STRING, "none"},     {"value", H5T_FLOAT, "mixed"},
                            {"se", H5T_FLOAT, "mixed"},       {"diff", H5T_FLOAT, "mixed"},
                            {"diff_lo", H5T_FLOAT, "mixed"},  {"diff_hi", H5T_FLOAT, "mixed"},
                            {"pairing_ratio", H5T_FLOAT, "none"}};
  for (const Column& col : columns) {
    const DatasetFacts d = facts(f.id, std::string("/comparison/") + col.name);
    EXPECT_EQ(d.shape, std::vector<hsize_t>{rows}) << col.name;
    EXPECT_EQ(d.type_class, col.cls) << col.name;
    EXPECT_EQ(d.units, col.units) << col.name;
    EXPECT_EQ(d.dims, "row") << col.name;
  }
  const auto scenario = read_strings(f.id, "/comparison/scenario", rows);
  const auto policy = read_strings(f.id, "/comparison/policy", rows);
  const auto figure = read_strings(f.id, "/comparison/figure", rows);
  const auto unit = read_strings(f.id, "/comparison/unit", rows);
  const auto month = read_all<std::int32_t>(f.id, "/comparison/month", H5T_NATIVE_INT32, rows);
  const auto value = read_all<double>(f.id, "/comparison/value", H5T_NATIVE_DOUBLE, rows);
  const auto diff_hi = read_all<double>(f.id, "/comparison/diff_hi", H5T_NATIVE_DOUBLE, rows);
  const auto ratio = read_all<double>(f.id, "/comparison/pairing_ratio", H5T_NATIVE_DOUBLE, rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const PolicyComparison& pc = c.combos[i / per_combo];
    const ComparedValue& v = pc.values[i % per_combo];
    EXPECT_EQ(scenario[i], pc.scenario) << i;
    EXPECT_EQ(policy[i], pc.policy) << i;
    EXPECT_EQ(figure[i], compare_figures()[v.figure].name) << i;
    EXPECT_EQ(unit[i], compare_figures()[v.figure].unit) << i;
    EXPECT_EQ(month[i], v.month) << i;
    EXPECT_EQ(value[i], v.value.value) << i;
    EXPECT_TRUE(diff_hi[i] == v.vs_baseline.hi || (std::isnan(diff_hi[i]) && std::isnan(v.vs_baseline.hi))) << i;
    EXPECT_TRUE(ratio[i] == v.vs_baseline.pairing_ratio ||
                (std::isnan(ratio[i]) && std::isnan(v.vs_baseline.pairing_ratio)))
        << i;
  }
  EXPECT_EQ(figure[per_combo - 1], "temp_limit_months");
  EXPECT_EQ(month[per_combo - 1], 0);
}

TEST_F(H5IoTest, RoundTripOfWeightsBandsAndRegions) {
  const RunResults r = weighted_results();
  const std::string path = (dir_ / "weighted.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  const RunResults back = read_results_h5(path);
  expect_equal(back, r);
  // What summary and compare compute from the file is what the run computed.
  const Summary a = compute_summary(r), b = compute_summary(back);
  EXPECT_TRUE(b.weighted);
  EXPECT_EQ(a.combos[1].tail[2].es, b.combos[1].tail[2].es);
  EXPECT_EQ(a.combos[1].by_region.var[0], b.combos[1].by_region.var[0]);
}

TEST_F(H5IoTest, TailRiskContributionsConvergenceAndStressAreStored) {
  const RunResults r = weighted_results();
  const Summary s = compute_summary(r, {2});
  const Comparison c = compute_comparison(r);
  const std::string path = (dir_ / "risk.h5").string();
  write_results_h5(r, s, c, path);

  Id f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(f.id, 0);
  EXPECT_EQ(numeric_attr<double>(f.id, "importance_shift", H5T_NATIVE_DOUBLE), 0.75);
  const std::string combo = "/results/severe recession/raise%2F10%25";
  const std::string sum = combo + "/summary";
  struct Expect {
    std::string path;
    std::vector<hsize_t> shape;
    const char* units;
    const char* dims;
  };
  const Expect expected[] = {
      {"/paths/weight", {5}, "none", "path"},
      {"/segments/band_names", {1}, "none", "band"},
      {"/segments/region_names", {2}, "none", "region"},
      {"/segments/segment_band", {2}, "none", "segment"},
      {"/segments/segment_region", {2}, "none", "segment"},
      {sum + "/tail/es_lo", {3}, "currency", "level"},
      {sum + "/tail/es_hi", {3}, "currency", "level"},
      {sum + "/contributions/var_rank", {3}, "none", "level"},
      {sum + "/contributions/var_window_first", {3}, "none", "level"},
      {sum + "/contributions/segment/expected_loss", {2}, "currency", "segment"},
      {sum + "/contributions/segment/var", {3, 2}, "currency", "level,segment"},
      {sum + "/contributions/band/unexpected_loss", {1}, "currency", "band"},
      {sum + "/contributions/band/es", {3, 1}, "currency", "level,band"},
      {sum + "/contributions/region/es", {3, 2}, "currency", "level,region"},
      {sum + "/convergence/paths", {1}, "none", "point"},  // P = 5 < 10: one point, P itself
      {sum + "/convergence/expected_loss_lo", {1}, "currency", "point"},
      {sum + "/convergence/var", {1, 3}, "currency", "point,level"},
      {sum + "/convergence/es_hi", {1, 3}, "currency", "point,level"},
      {"/stress/diff", {4 * c.stress[0].values.size()}, "mixed", "row"},
      {"/stress/scenario", {4 * c.stress[0].values.size()}, "none", "row"},
  };
  for (const Expect& e : expected) {
    const DatasetFacts d = facts(f.id, e.path);
    EXPECT_EQ(d.shape, e.shape) << e.path;
    EXPECT_EQ(d.units, e.units) << e.path;
    EXPECT_EQ(d.dims, e.dims) << e.path;
  }
  EXPECT_EQ(read_all<double>(f.id, "/paths/weight", H5T_NATIVE_DOUBLE, 5), r.path_weight);
  EXPECT_EQ(read_strings(f.id, "/segments/region_names", 2), (std::vector<std::string>{"east", "west"}));
  EXPECT_EQ(read_all<std::int32_t>(f.id, "/segments/segment_region", H5T_NATIVE_INT32, 2),
            (std::vector<std::int32_t>{0, 1}));

  const ComboSummary& cs = s.combos[3];
  Id g{H5Gopen2(f.id, sum.c_str(), H5P_DEFAULT), H5Gclose};
  EXPECT_EQ(numeric_attr<double>(g.id, "expected_loss_lo", H5T_NATIVE_DOUBLE), cs.expected_loss_ci.lo);
  EXPECT_EQ(numeric_attr<double>(g.id, "unexpected_loss_hi", H5T_NATIVE_DOUBLE), cs.unexpected_loss_ci.hi);
  EXPECT_EQ(numeric_attr<std::int32_t>(g.id, "weighted", H5T_NATIVE_INT32), 1);
  EXPECT_EQ(string_attr(g.id, "var_ci_method"), "bootstrap_percentile");
  const auto es_lo = read_all<double>(f.id, sum + "/tail/es_lo", H5T_NATIVE_DOUBLE, 3);
  for (int l = 0; l < 3; ++l) EXPECT_EQ(es_lo[l], cs.tail[l].es_lo) << l;
  // Contributions: [level][unit], and they add up to the stored tail figures.
  const auto var_region = read_all<double>(f.id, sum + "/contributions/region/var", H5T_NATIVE_DOUBLE, 6);
  const auto var = read_all<double>(f.id, sum + "/tail/var", H5T_NATIVE_DOUBLE, 3);
  for (int l = 0; l < 3; ++l) {
    EXPECT_EQ(var_region[l * 2], cs.by_region.var[l][0]);
    EXPECT_EQ(var_region[l * 2 + 1], cs.by_region.var[l][1]);
    EXPECT_NEAR(var_region[l * 2] + var_region[l * 2 + 1], var[l], 1e-9 * std::fabs(var[l]));
  }
  const auto ul_band = read_all<double>(f.id, sum + "/contributions/band/unexpected_loss", H5T_NATIVE_DOUBLE, 1);
  EXPECT_NEAR(ul_band[0], cs.unexpected_loss.value, 1e-9 * cs.unexpected_loss.value);
  EXPECT_EQ(read_all<std::int64_t>(f.id, sum + "/convergence/paths", H5T_NATIVE_INT64, 1),
            std::vector<std::int64_t>{5});
  const auto conv_es = read_all<double>(f.id, sum + "/convergence/es", H5T_NATIVE_DOUBLE, 3);
  for (int l = 0; l < 3; ++l) EXPECT_EQ(conv_es[l], cs.tail[l].es);

  // /stress: the stress view as a tidy table, like /comparison.
  Id st{H5Gopen2(f.id, "/stress", H5P_DEFAULT), H5Gclose};
  ASSERT_GE(st.id, 0);
  EXPECT_EQ(string_attr(st.id, "baseline_scenario"), "baseline");
  EXPECT_EQ(string_attr(st.id, "columns"), "scenario,policy,figure,month,unit,value,se,diff,diff_lo,diff_hi,pairing_ratio");
  const std::size_t per = c.stress[0].values.size(), rows = 4 * per;
  const auto scenario = read_strings(f.id, "/stress/scenario", rows);
  const auto figure = read_strings(f.id, "/stress/figure", rows);
  const auto diff = read_all<double>(f.id, "/stress/diff", H5T_NATIVE_DOUBLE, rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const PolicyComparison& pc = c.stress[i / per];
    EXPECT_EQ(scenario[i], pc.scenario) << i;
    EXPECT_EQ(figure[i], compare_figures()[pc.values[i % per].figure].name) << i;
    EXPECT_EQ(diff[i], pc.values[i % per].vs_baseline.diff) << i;
  }
}

TEST_F(H5IoTest, MonthlyDatasetsAreChunkedAndCompressed) {
  const RunResults r = sample_results();
  const std::string path = (dir_ / "chunks.h5").string();
  write_results_h5(r, compute_summary(r), compute_comparison(r), path);
  Id f{H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  Id d{H5Dopen2(f.id, "/results/baseline/current/by_segment/bucket_count", H5P_DEFAULT), H5Dclose};
  Id plist{H5Dget_create_plist(d.id), H5Pclose};
  ASSERT_EQ(H5Pget_layout(plist.id), H5D_CHUNKED);
  hsize_t chunk[4] = {};
  ASSERT_EQ(H5Pget_chunk(plist.id, 4, chunk), 4);
  EXPECT_EQ(chunk[0], 5u);  // min(P, 256) at this size
  EXPECT_EQ(chunk[1], 3u);
  if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
    unsigned flags = 0, level = 0;
    size_t n = 1;
    EXPECT_GE(H5Pget_filter_by_id2(plist.id, H5Z_FILTER_DEFLATE, &flags, &n, &level, 0, nullptr, nullptr), 0);
    EXPECT_EQ(level, 4u);
  }
}

TEST_F(H5IoTest, RefusesInconsistentInputs) {
  RunResults r = sample_results();
  const Summary s = compute_summary(r);
  const Comparison c = compute_comparison(r);
  const std::string path = (dir_ / "x.h5").string();
  RunResults dup = r;
  dup.policy_names[1] = dup.policy_names[0];
  dup.combos[1].policy = dup.policy_names[0];
  dup.combos[3].policy = dup.policy_names[0];
  EXPECT_THROW(write_results_h5(dup, s, c, path), std::runtime_error);
  EXPECT_THROW(write_results_h5(r, Summary{}, c, path), std::runtime_error);
  EXPECT_THROW(write_results_h5(r, s, Comparison{}, path), std::runtime_error);
  RunResults other_rate = r;
  other_rate.meta.cost_of_funds = std::numeric_limits<double>::infinity();
  EXPECT_THROW(write_results_h5(other_rate, s, c, path), std::runtime_error);
  RunResults short_sums = r;
  short_sums.combos[2].sums.pop_back();
  EXPECT_THROW(write_results_h5(short_sums, s, c, path), std::runtime_error);
  EXPECT_TRUE(leftovers().empty());
}

}  // namespace
}  // namespace limitsim

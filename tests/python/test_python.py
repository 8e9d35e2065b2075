#!/usr/bin/env python3
"""Tests of the Python package (python/limitsim), the report and the R snippet.

Runs the CLI on small configurations, then checks every loader against h5py
reads of the same file, the report's PNGs and HTML page, and the R snippet
scripts/read_results.R (skipped, with a message, where Rscript or hdf5r is
missing).
Usage: test_python.py PATH_TO_LIMITSIM   (any working directory)
"""
import base64
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PYDIR = os.path.join(ROOT, "python")
sys.path.insert(0, PYDIR)

import limitsim  # noqa: E402
from limitsim import io as lio  # noqa: E402

LIMITSIM = None
TMP = None
FILES = {}


def text(v):
    return v.decode() if isinstance(v, (bytes, np.bytes_)) else str(v)


def strings(ds):
    return [text(v) for v in ds[()]]


def run(*args):
    p = subprocess.run([LIMITSIM, *args], capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise RuntimeError(f"limitsim {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p


def setUpModule():
    """Four small results, made here: policies, scenarios with importance sampling, a sweep."""
    global TMP
    TMP = tempfile.TemporaryDirectory(prefix="limitsim-py-")
    FILES["cmp"] = os.path.join(TMP.name, "cmp.h5")
    FILES["stress"] = os.path.join(TMP.name, "stress.h5")
    FILES["sweep"] = os.path.join(TMP.name, "sweep.h5")
    run("run", "configs/compare_policies.toml", "--customers", "3000", "--paths", "12", "--months", "14",
        "--seed", "5", "--threads", "2", "--out", FILES["cmp"], "--quiet")
    run("run", "configs/stress_test.toml", "--customers", "1500", "--paths", "10", "--months", "12",
        "--seed", "7", "--threads", "2", "--importance-shift", "0.8", "--out", FILES["stress"], "--quiet")
    FILES["living"] = os.path.join(TMP.name, "living.h5")
    run("run", "configs/living_book.toml", "--customers", "2000", "--paths", "4", "--months", "12",
        "--seed", "11", "--threads", "2", "--out", FILES["living"], "--quiet")
    run("sweep", "configs/sweep_lender_rules.toml", "--customers", "800", "--paths", "4", "--months", "10",
        "--seed", "9", "--threads", "2", "--out", FILES["sweep"], "--csv", os.path.join(TMP.name, "sweep.csv"),
        "--quiet")


def tearDownModule():
    TMP.cleanup()


def combos(f):
    for s in strings(f["scenarios"]):
        for p in strings(f["policies"]):
            yield s, p, f["results"][lio.group_name(s)][lio.group_name(p)]


class Loaders(unittest.TestCase):
    def test_meta_comes_from_the_root_attributes(self):
        for name, path in FILES.items():
            m = limitsim.load_meta(path)
            with h5py.File(path, "r") as f:
                self.assertEqual(m["schema_version"], text(f.attrs["schema_version"]))
                self.assertEqual(m["run_name"], text(f.attrs["run_name"]))
                self.assertEqual(m["seed"], int(f.attrs["seed"]))
                self.assertEqual(m["paths"], int(f.attrs["paths"]))
                self.assertEqual(m["months"], int(f.attrs["months"]))
                self.assertEqual(m["scenarios"], strings(f["scenarios"]))
                self.assertEqual(m["policies"], strings(f["policies"]))
                self.assertEqual(m["config"], text(f["config"][()]))
                self.assertEqual(list(m["segment_table"].segment), strings(f["segments/names"]))
                self.assertEqual(m["has_sweep"], name == "sweep")
                self.assertEqual(m["weighted"], name == "stress")
                w = f["paths/weight"][()]
                self.assertAlmostEqual(m["effective_paths"], w.sum() ** 2 / (w ** 2).sum(), places=9)
                if name != "stress":
                    self.assertEqual(m["effective_paths"], m["paths"])
        self.assertEqual(limitsim.load_meta(FILES["cmp"])["baseline"], "static")

    def test_wide_monthly_is_the_file_with_cents_in_currency(self):
        path = FILES["cmp"]
        df = limitsim.load_monthly(path)
        with h5py.File(path, "r") as f:
            P, T = int(f.attrs["paths"]), int(f.attrs["months"])
            self.assertEqual(len(df), 4 * P * T)
            for s, p, g in combos(f):
                d = df[(df.scenario == s) & (df.policy == p)]
                np.testing.assert_array_equal(d.path.to_numpy(), np.repeat(np.arange(P), T))
                np.testing.assert_array_equal(d.month.to_numpy(), np.tile(np.arange(1, T + 1), P))
                for m, ds in g["monthly"].items():
                    if lio.is_dimension_scale(ds):  # a coordinate (schema 1.4), not a metric
                        continue
                    x = ds[()]
                    cents = text(ds.attrs["units"]) == "cents"
                    want = x / 100.0 if cents else x
                    if x.ndim == 2:
                        np.testing.assert_array_equal(d[m].to_numpy(), want.reshape(-1), m)
                        self.assertEqual(df.attrs["units"][m], "currency" if cents else text(ds.attrs["units"]))
                    else:
                        labels = text(ds.attrs["labels"]).split(",")
                        self.assertEqual(len(labels), x.shape[2])
                        for i, lab in enumerate(labels):
                            np.testing.assert_array_equal(d[f"{m}[{lab}]"].to_numpy(), want[:, :, i].reshape(-1))
        self.assertIn("bucket_count[31-60]", df.columns)
        self.assertIn("utilization_histogram[>100%]", df.columns)
        self.assertEqual(df.attrs["units"]["active"], "accounts")
        self.assertEqual(df.attrs["units"]["utilization_sum"], "ppm")

    def test_long_monthly_sums_equal_the_dataset_sums(self):
        path = FILES["stress"]
        cents = limitsim.load_monthly(path, ["balance", "bucket_count", "active"], form="long", money="cents")
        cur = limitsim.load_monthly(path, ["balance"], form="long", by_segment=True, policies="lender_rules")
        self.assertEqual(list(cents.columns),
                         ["scenario", "policy", "path", "month", "metric", "label", "unit", "value"])
        self.assertEqual(cents.value.dtype, np.int64)
        with h5py.File(path, "r") as f:
            for s, p, g in combos(f):
                d = cents[(cents.scenario == s) & (cents.policy == p)]
                for m in ("balance", "bucket_count", "active"):
                    self.assertEqual(int(d[d.metric == m].value.sum()), int(g["monthly"][m][()].sum()), m)
                self.assertEqual(set(d[d.metric == "balance"].unit), {"cents"})
                self.assertEqual(set(d[d.metric == "bucket_count"].label),
                                 set(text(g["monthly/bucket_count"].attrs["labels"]).split(",")))
                if p == "lender_rules":
                    c = cur[(cur.scenario == s)]
                    self.assertEqual(set(c.unit), {"currency"})
                    self.assertAlmostEqual(c.value.sum(), g["by_segment/balance"][()].sum() / 100.0,
                                           delta=1e-6 * c.value.sum())
                    self.assertEqual(set(c.segment), set(strings(f["segments/names"])))
        self.assertEqual(set(cur.policy), {"lender_rules"})

    def test_by_segment_adds_up_to_the_portfolio(self):
        path = FILES["cmp"]
        seg = limitsim.load_monthly(path, ["balance", "active"], by_segment=True, money="cents")
        tot = limitsim.load_monthly(path, ["balance", "active"], money="cents")
        summed = seg.groupby(["scenario", "policy", "path", "month"], sort=False)[["balance", "active"]].sum()
        np.testing.assert_array_equal(summed.to_numpy(), tot[["balance", "active"]].to_numpy())

    def test_axes_are_found_by_the_dims_attribute(self):
        """A dataset stored as [month, path] (dims says so) loads the same as the original."""
        copy = os.path.join(TMP.name, "transposed.h5")
        shutil.copy(FILES["cmp"], copy)
        with h5py.File(copy, "r+") as f:
            g = f["results/baseline/static/monthly"]
            for name in ("active", "bucket_count"):
                ds = g[name]
                attrs = {k: v for k, v in ds.attrs.items()}
                data = ds[()]
                del g[name]
                dims = text(attrs["dims"]).split(",")
                order = [1, 0] + list(range(2, data.ndim))
                new = g.create_dataset(name, data=np.transpose(data, order))
                for k, v in attrs.items():
                    new.attrs[k] = v
                new.attrs["dims"] = np.bytes_(",".join(dims[i] for i in order))
        a = limitsim.load_monthly(FILES["cmp"], ["active", "bucket_count"], policies="static")
        b = limitsim.load_monthly(copy, ["active", "bucket_count"], policies="static")
        self.assertTrue(a.equals(b))
        with h5py.File(copy, "r+") as f:
            f["results/baseline/static/monthly/active"].attrs["dims"] = np.bytes_("month,segment")
        with self.assertRaisesRegex(limitsim.LimitsimFileError, "dims 'month,segment'"):
            limitsim.load_monthly(copy, ["active"], policies="static")

    def test_monthly_figures_average_to_the_summary(self):
        """Per-path shares (docs/metrics.md): their weighted mean over paths is summary/monthly."""
        for path in (FILES["cmp"], FILES["stress"]):
            fig = limitsim.load_monthly_figures(path)
            sm = limitsim.load_summary_monthly(path)
            P = limitsim.load_meta(path)["paths"]
            stored = [k for k in lio.MONTHLY_FIGURE_UNITS if k in sm.columns]  # the file stores most of them
            self.assertGreaterEqual(len(stored), 11)
            for k in stored:
                mean = (fig.weight * fig[k]).groupby([fig.scenario, fig.policy, fig.month], sort=False).sum() / P
                np.testing.assert_allclose(mean.to_numpy(), sm[k].to_numpy(), rtol=1e-12, atol=1e-15, err_msg=k)
            self.assertTrue(((fig.overdue30_count >= fig.overdue90_count) & (fig.overdue90_count >= 0)).all())

    def test_path_losses(self):
        path = FILES["stress"]
        df = limitsim.load_path_losses(path)
        with h5py.File(path, "r") as f:
            w = f["paths/weight"][()]
            self.assertFalse(np.all(w == 1))  # importance sampling: weights from the file
            for s, p, g in combos(f):
                d = df[(df.scenario == s) & (df.policy == p)]
                np.testing.assert_array_equal(d.net_loss.to_numpy(), g["losses/net_loss"][()])
                np.testing.assert_array_equal(d.net_loss_cents.to_numpy(), g["losses/net_loss_cents"][()])
                np.testing.assert_array_equal(d.chargeoff_exposure.to_numpy(), g["losses/chargeoff_exposure"][()])
                np.testing.assert_array_equal(d.weight.to_numpy(), w)
                np.testing.assert_array_equal(d.path.to_numpy(), np.arange(len(w)))
                self.assertAlmostEqual((d.weight * d.net_loss).mean(), g["summary"].attrs["expected_loss"],
                                       delta=1e-9 * g["summary"].attrs["expected_loss"])
        self.assertEqual(df.net_loss_cents.dtype, np.int64)
        np.testing.assert_array_equal(df.net_loss.to_numpy(), df.net_loss_cents.to_numpy() / 100.0)
        self.assertEqual(df.attrs["units"]["net_loss_cents"], "cents")
        self.assertEqual(df.attrs["units"]["net_loss"], "currency")

    def test_summary_and_tail(self):
        path = FILES["cmp"]
        df = limitsim.load_summary(path)
        tail = limitsim.load_tail(path)
        with h5py.File(path, "r") as f:
            for s, p, g in combos(f):
                r = df[(df.scenario == s) & (df.policy == p)].iloc[0]
                a = g["summary"].attrs
                for k in ("expected_loss", "expected_loss_se", "expected_loss_lo", "unexpected_loss_hi", "revenue",
                          "freezes", "limit_increases_se", "exposure_at_chargeoff"):
                    self.assertEqual(r[k], float(a[k]), k)
                levels = g["summary/tail/level"][()]
                for i, q in enumerate(levels):
                    name = {0.95: "95", 0.99: "99", 0.999: "99.9"}[round(float(q), 3)]
                    for k in ("var", "var_lo", "var_hi", "var_se", "es", "es_se", "es_lo", "es_hi"):
                        measure, _, part = k.partition("_")
                        want = g["summary/tail"][k][i]
                        got = r[f"{measure}_{name}" + (f"_{part}" if part else "")]
                        self.assertTrue(got == want or (math.isnan(got) and math.isnan(want)), (k, q))
                    t = tail[(tail.scenario == s) & (tail.policy == p) & (tail.level == q)].iloc[0]
                    self.assertEqual(t["var"], g["summary/tail/var"][i])
                    self.assertEqual(t["es"], g["summary/tail/es"][i])
        self.assertEqual(df.attrs["units"]["expected_loss"], "currency")
        self.assertEqual(df.attrs["units"]["freezes"], "accounts")
        self.assertEqual(len(df), 4)

    def test_contributions_add_up(self):
        s = limitsim.load_summary(FILES["stress"])
        for by in ("band", "region", "segment"):
            c = limitsim.load_contributions(FILES["stress"], by)
            total = c.groupby(["scenario", "policy"], sort=False)[["expected_loss", "es_99", "var_95"]].sum()
            np.testing.assert_allclose(total.expected_loss.to_numpy(), s.expected_loss.to_numpy(), rtol=1e-9)
            np.testing.assert_allclose(total.es_99.to_numpy(), s.es_99.to_numpy(), rtol=1e-9)
            np.testing.assert_allclose(total.var_95.to_numpy(), s.var_95.to_numpy(), rtol=1e-9)

    def test_comparison_and_stress_tables_are_the_file(self):
        path = FILES["stress"]
        for loader, group in ((limitsim.load_comparison, "comparison"), (limitsim.load_stress, "stress")):
            df = loader(path)
            with h5py.File(path, "r") as f:
                g = f[group]
                cols = text(g.attrs["columns"]).split(",")
                self.assertEqual(list(df.columns), cols)
                for c in cols:
                    x = g[c][()]
                    if x.dtype.kind == "S":
                        self.assertEqual(list(df[c]), [text(v) for v in x], c)
                    else:
                        np.testing.assert_array_equal(df[c].to_numpy(), x, c)
                self.assertEqual(df.attrs["baseline"], text(g.attrs["baseline"]))
                self.assertEqual(df.attrs["baseline_scenario"], "baseline")
        cmp = limitsim.load_comparison(path)
        self.assertEqual(cmp.attrs["units"]["net_income"], "currency")
        base = cmp[(cmp.policy == "static")]
        self.assertTrue((base["diff"] == 0).all())

    def test_pnl_is_the_file_and_adds_up_to_the_comparison(self):
        """load_pnl (docs/pnl.md): the stored monthly means; net income is its signed lines; over the
        months they add up to /comparison's horizon figures (weighted paths included)."""
        lines = ["interest", "fees", "reversals", "interchange", "annual_fees", "cost_of_funds", "operating_cost",
                 "acquisition_cost", "collection_cost", "net_loss"]
        sign = {k: (-1.0 if k in ("reversals", "cost_of_funds", "operating_cost", "acquisition_cost",
                                  "collection_cost", "net_loss") else 1.0) for k in lines}
        for path in (FILES["cmp"], FILES["stress"]):
            meta = limitsim.load_meta(path)
            self.assertEqual(meta["interchange_rate"], 0.02)  # the shipped runs use the documented defaults
            self.assertEqual(meta["operating_cost"], 60.0)
            pnl = limitsim.load_pnl(path)
            self.assertEqual(len(pnl), len(meta["scenarios"]) * len(meta["policies"]) * meta["months"])
            self.assertEqual(pnl.attrs["units"]["risk_adjusted_margin"], "share")
            with h5py.File(path, "r") as f:
                for s, p, g in combos(f):
                    rows = pnl[(pnl.scenario == s) & (pnl.policy == p)]
                    for k in lines + ["net_income", "net_income_se", "risk_adjusted_margin"]:
                        np.testing.assert_array_equal(rows[k].to_numpy(), g["pnl"][k][()], k)
            signed = sum(sign[k] * pnl[k] for k in lines)
            np.testing.assert_allclose(pnl.net_income, signed, rtol=1e-9, atol=1e-6)
            self.assertTrue((pnl.interchange > 0).all())
            totals = pnl.groupby(["scenario", "policy"], sort=False)[lines + ["net_income"]].sum()
            cmp = limitsim.load_comparison(path)
            for k in ["revenue" if k == "interest" else k for k in
                      ("interest", "cost_of_funds", "interchange", "operating_cost", "net_income")]:
                got = cmp[(cmp.figure == k)].set_index(["scenario", "policy"])["value"]
                want = (totals.interest + totals.fees - totals.reversals) if k == "revenue" else totals[k]
                np.testing.assert_allclose(got.loc[want.index].to_numpy(), want.to_numpy(), rtol=1e-9, err_msg=k)
        # A file without the P&L (schema before 1.5) is refused clearly.
        old = os.path.join(TMP.name, "no-pnl.h5")
        shutil.copy(FILES["cmp"], old)
        with h5py.File(old, "r+") as f:
            for _, _, g in combos(f):
                del g["pnl"]
        with self.assertRaisesRegex(lio.LimitsimFileError, r"no '.*pnl' \(written since schema 1\.5"):
            limitsim.load_pnl(old)

    def test_sweep(self):
        sw = limitsim.load_sweep(FILES["sweep"])
        with h5py.File(FILES["sweep"], "r") as f:
            g = f["sweep"]
            keys = text(g.attrs["keys"]).split(",")
            pv = g["parameter_values"][()]
            for i, k in enumerate(keys):
                np.testing.assert_array_equal(sw[k].to_numpy(), pv[:, i])
            for c in ("net_income", "net_loss", "var_99", "net_income_diff_lo", "variant"):
                np.testing.assert_array_equal(sw[c].to_numpy(), g[c][()])
            np.testing.assert_array_equal(sw.frontier_loss.to_numpy(), g["frontier_loss"][()] == 1)
            self.assertEqual(list(sw.policy), strings(g["policy"]))
        self.assertEqual(sw.frontier_loss.dtype, bool)
        self.assertEqual(len(sw), 25)
        self.assertGreaterEqual(int(sw.frontier_loss.sum()), 1)
        with self.assertRaisesRegex(limitsim.LimitsimFileError, "not a sweep file"):
            limitsim.load_sweep(FILES["cmp"])

    def test_bad_files_and_names_are_refused_clearly(self):
        junk = os.path.join(TMP.name, "junk.h5")
        with open(junk, "w") as fh:
            fh.write("not hdf5\n")
        with self.assertRaisesRegex(limitsim.LimitsimFileError, "not an HDF5 file"):
            limitsim.load_meta(junk)
        other = os.path.join(TMP.name, "other.h5")
        with h5py.File(other, "w") as f:
            f["x"] = np.arange(3)
        with self.assertRaisesRegex(limitsim.LimitsimFileError, "not a limitsim result file"):
            limitsim.load_summary(other)
        for version, msg in (("1.0", "too old"), ("2.0", "not supported"), ("one", "not MAJOR.MINOR")):
            old = os.path.join(TMP.name, f"v{version}.h5")
            shutil.copy(FILES["cmp"], old)
            with h5py.File(old, "r+") as f:
                f.attrs["schema_version"] = np.bytes_(version)
            with self.assertRaisesRegex(limitsim.LimitsimFileError, f"schema.*{msg}"):
                limitsim.load_monthly(old)
        with self.assertRaises(FileNotFoundError):
            limitsim.load_meta(os.path.join(TMP.name, "missing.h5"))
        with self.assertRaisesRegex(ValueError, "unknown policy 'nope'.*static"):
            limitsim.load_monthly(FILES["cmp"], policies=["nope"])
        with self.assertRaisesRegex(ValueError, "unknown metric 'balanse'"):
            limitsim.load_monthly(FILES["cmp"], ["balanse"])

    def test_schema_1_1_file_reads_without_the_1_2_parts(self):
        old = os.path.join(TMP.name, "v11.h5")
        shutil.copy(FILES["cmp"], old)
        with h5py.File(old, "r+") as f:
            f.attrs["schema_version"] = np.bytes_("1.1")
            del f.attrs["importance_shift"]
            for path in ("paths", "stress", "segments/band_names", "segments/region_names", "segments/segment_band",
                         "segments/segment_region"):
                del f[path]
            for _, _, g in combos(f):
                for m in ("shock_start_count", "shocked_count"):
                    del g["monthly"][m], g["by_segment"][m]
                s = g["summary"]
                for k in ("es_lo", "es_hi"):
                    del s["tail"][k]
                del s["contributions"], s["convergence"]
                for k in ("expected_loss_lo", "expected_loss_hi", "unexpected_loss_lo", "unexpected_loss_hi",
                          "weighted", "var_ci_method"):
                    del s.attrs[k]
        m = limitsim.load_meta(old)
        self.assertFalse(m["weighted"])
        self.assertFalse(m["has_stress"])
        self.assertEqual(list(limitsim.load_path_losses(old).weight.unique()), [1.0])
        s = limitsim.load_summary(old)
        self.assertNotIn("es_99_lo", s.columns)
        self.assertNotIn("shocked_count", limitsim.load_monthly(old).columns)
        with self.assertRaisesRegex(limitsim.LimitsimFileError, "no 'stress' .written since schema 1.2"):
            limitsim.load_stress(old)
        from limitsim import report
        out = os.path.join(TMP.name, "report11")
        result = report.build_report(old, out)
        self.assertIn("overdue.png", result["charts"])


def png_is_a_real_chart(test, path):
    from matplotlib import image
    size = os.path.getsize(path)
    test.assertGreater(size, 15_000, path)
    img = image.imread(path)
    test.assertGreaterEqual(img.shape[0], 300, path)
    test.assertGreaterEqual(img.shape[1], 600, path)
    rgb = img[..., :3]
    test.assertGreater(float(rgb.std()), 0.05, path)
    not_white = np.mean(np.any(rgb < 0.9, axis=2))
    test.assertGreater(not_white, 0.02, path)          # more than a frame and a title
    packed = (np.round(rgb * 255).astype(np.int32) * np.array([65536, 256, 1])).sum(axis=2)
    test.assertGreater(len(np.unique(packed)), 50, path)   # colours, not a blank or flat image


class LivingBook(unittest.TestCase):
    """The living book's vintages (schema 1.5): the loader against h5py, the chart, the CLI view."""

    def test_vintages_add_up_to_the_portfolio(self):
        path = FILES["living"]
        df = limitsim.load_vintages(path)
        with h5py.File(path) as f:
            paths = int(f.attrs["paths"])
            self.assertGreater(int(f.attrs["applicants"]), 0)
            self.assertEqual(list(f["acquisition/volume"][()]), [40] * 12)  # 2% of 2,000 a month
            for s, p, g in combos(f):
                active = g["monthly/active"][()].sum(axis=0) / paths
                new = g["monthly/new_account_count"][()].sum(axis=0) / paths
                d = df[(df.scenario == s) & (df.policy == p)]
                for m in range(12):
                    self.assertAlmostEqual(d[d.month == m + 1]["active"].sum(), active[m], places=6)
                    opened = d[(d.month == m + 1) & (d.cohort_month > 0) & (d.months_on_book == 0)]["opened"].sum()
                    self.assertAlmostEqual(opened, new[m], places=6)
                # The opening book opened with the run's customers; a cohort reaches months 0 .. 12 - its month.
                self.assertEqual(d[(d.cohort_month == 0) & (d.months_on_book == 0)]["opened"].iloc[0], 2000)
                self.assertEqual(len(d[d.cohort_month == 5]), 12 - 4)
                # Derived columns from the sums.
                row = d[(d.cohort_month == 1) & (d.months_on_book == 6)].iloc[0]
                self.assertAlmostEqual(row["mean_line"], row["limit"] / row["active"])
        self.assertEqual(df.attrs["units"]["balance"], "currency")

    def test_vintages_refused_without_acquisition(self):
        with self.assertRaises(limitsim.LimitsimFileError) as e:
            limitsim.load_vintages(FILES["cmp"])
        self.assertIn("vintages", str(e.exception))

    def test_report_draws_the_vintages(self):
        from limitsim import report
        result = report.build_report(FILES["living"], os.path.join(TMP.name, "report-living"))
        self.assertIn("vintages.png", result["charts"])
        self.assertNotIn("vintages.png", result["skipped"])

    def test_vintage_chart_and_cli_view(self):
        from limitsim import charts
        out = os.path.join(TMP.name, "vintages.png")
        charts.vintage_chart(FILES["living"], out=out)
        self.assertGreater(os.path.getsize(out), 10000)
        p = run("summary", FILES["living"], "--vintages", "--cohort-step", "4")
        self.assertIn("opening book", p.stdout)
        self.assertIn("month 5", p.stdout)
        self.assertIn("cumulative charge-offs, share of accounts opened", p.stdout)
        q = subprocess.run([LIMITSIM, "summary", FILES["cmp"], "--vintages"], capture_output=True, text=True)
        self.assertEqual(q.returncode, 0)
        self.assertIn("no vintages: the run acquires nobody", q.stdout)
        bad = subprocess.run([LIMITSIM, "summary", FILES["living"], "--vintages", "-f", "json"], capture_output=True,
                             text=True)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--vintages", bad.stderr)
        step = subprocess.run([LIMITSIM, "summary", FILES["living"], "--vintages", "--cohort-step", "0"],
                              capture_output=True, text=True)
        self.assertEqual(step.returncode, 2)
        self.assertIn("--cohort-step: must be >= 1", step.stderr)


class Xarray(unittest.TestCase):
    """Schema 1.4: every group opens in xarray with labelled dimensions and coordinates, no extra code."""

    def open(self, key, group):
        try:
            import xarray as xr  # noqa: F401
            import h5netcdf  # noqa: F401
        except ImportError as e:  # scripts/setup.sh installs both (python3-xarray, python3-h5netcdf)
            self.skipTest(f"xarray or h5netcdf missing: {e}")
        import xarray as xr
        return xr.open_dataset(FILES[key], group=group, engine="h5netcdf")

    def test_monthly_and_by_segment_have_labelled_coordinates(self):
        with h5py.File(FILES["stress"], "r") as f:
            s, p, g = next(combos(f))
            base = g.name
            segments = strings(f["segments/names"])
            weights = f["paths/weight"][()]
            balance = g["by_segment/balance"][()]
            buckets = g["monthly/bucket_count"][()]
            labels = text(g["monthly/bucket_count"].attrs["labels"]).split(",")
        ds = self.open("stress", base + "/monthly")
        self.assertEqual(list(ds["balance"].dims), ["path", "month"])
        self.assertEqual(list(ds["path"].values), list(range(len(weights))))
        self.assertEqual(list(ds["month"].values), list(range(1, 13)))
        self.assertEqual(list(ds["bucket"].values), labels)
        self.assertEqual(list(ds["bucket_count"].dims), ["path", "month", "bucket"])
        np.testing.assert_array_equal(ds["bucket_count"].values, buckets)
        # Labelled selection gives the h5py numbers.
        self.assertEqual(int(ds["bucket_count"].sel(path=1, month=12, bucket="1-30")), int(buckets[1, 11, 1]))
        seg = self.open("stress", base + "/by_segment")
        self.assertEqual(list(seg["balance"].dims), ["path", "month", "segment"])
        self.assertEqual(list(seg["segment"].values), segments)
        np.testing.assert_array_equal(seg["balance"].sel(segment=segments[-1]).values, balance[:, :, -1])
        for name in ds.data_vars:  # no phony dimensions anywhere
            self.assertFalse(any(d.startswith("phony_dim") for d in ds[name].dims), name)

    def test_summary_tail_root_and_segments(self):
        with h5py.File(FILES["stress"], "r") as f:
            s, p, g = next(combos(f))
            base = g.name
            scenarios = strings(f["scenarios"])
            bands = strings(f["segments/band_names"])
        tail = self.open("stress", base + "/summary/tail")
        self.assertEqual([round(x, 3) for x in tail["level"].values], [0.95, 0.99, 0.999])
        self.assertEqual(list(tail["var"].dims), ["level"])
        monthly = self.open("stress", base + "/summary/monthly")
        self.assertEqual(list(monthly["month"].values), list(range(1, 13)))
        root = self.open("stress", "/")
        self.assertEqual(list(root["scenario"].values), scenarios)
        self.assertEqual(list(root["scenarios"].dims), ["scenario"])
        segs = self.open("stress", "/segments")
        self.assertEqual(list(segs["band"].values), bands)
        contrib = self.open("stress", base + "/summary/contributions/band")
        self.assertEqual(list(contrib["var"].dims), ["level", "band"])

    def test_the_loaders_skip_the_coordinates(self):
        wide = limitsim.load_monthly(FILES["cmp"])
        units = wide.attrs["units"]
        for name in ("path", "month", "bucket", "bin", "segment"):
            self.assertNotIn(name, units)  # a coordinate is not a metric column
        self.assertIn("balance", units)
        long = limitsim.load_monthly(FILES["cmp"], by_segment=True, form="long")
        self.assertFalse(set(long["metric"]) & {"path", "month", "bucket", "bin", "segment"})


class Export(unittest.TestCase):
    """limitsim export: the tidy table equals the loaders' wide form (and so the file), exactly."""

    def test_csv_is_the_wide_monthly_table_with_the_weights(self):
        import pandas as pd
        out = os.path.join(TMP.name, "stress.csv")
        run("export", FILES["stress"], "--money", "cents", "--out", out)
        csv = pd.read_csv(out, float_precision="round_trip")  # %.17g: every double round-trips
        want = limitsim.load_monthly(FILES["stress"], money="cents")
        self.assertEqual(list(csv.columns), ["scenario", "policy", "path", "month", "weight"] +
                         list(want.columns[4:]))
        for col in want.columns:
            np.testing.assert_array_equal(csv[col].to_numpy(), want[col].to_numpy(), col)
        weights = limitsim.load_path_weights(FILES["stress"])
        np.testing.assert_array_equal(csv["weight"].to_numpy(), weights.reindex(csv["path"]).to_numpy())
        self.assertNotEqual(len(set(csv["weight"])), 1)  # importance sampling: the weights differ

    def test_currency_is_exact_and_by_segment_adds_up(self):
        import pandas as pd
        out = os.path.join(TMP.name, "cmp-seg.csv")
        run("export", FILES["cmp"], "--by", "segment", "--metrics", "balance,bucket_count", "--out", out)
        seg = pd.read_csv(out, dtype={"balance": str})
        with h5py.File(FILES["cmp"], "r") as f:
            s, p, g = next(combos(f))
            cents = g["by_segment/balance"][()]
            names = strings(f["segments/names"])
        mine = seg[(seg.scenario == s) & (seg.policy == p)]
        for i, row in enumerate(mine.head(50).itertuples()):
            c = int(cents[row.path, row.month - 1, names.index(row.segment)])
            self.assertEqual(row.balance, f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}")
        portfolio = limitsim.load_monthly(FILES["cmp"], ["bucket_count"])
        summed = seg.groupby(["scenario", "policy", "path", "month"], sort=False)["bucket_count[31-60]"].sum()
        np.testing.assert_array_equal(summed.to_numpy(), portfolio["bucket_count[31-60]"].to_numpy())

    def test_bad_requests_exit_2_and_write_nothing(self):
        out = os.path.join(TMP.name, "never.csv")
        for args in (["--metrics", "no_such_metric"], ["--format", "xlsx"], ["--by", "region"]):
            p = subprocess.run([LIMITSIM, "export", FILES["cmp"], "--out", out, *args], capture_output=True,
                               text=True, cwd=ROOT)
            self.assertNotEqual(p.returncode, 0, args)
            self.assertFalse(os.path.exists(out), args)
        p = subprocess.run([LIMITSIM, "export", FILES["cmp"], "--metrics", "no_such_metric"], capture_output=True,
                           text=True, cwd=ROOT)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no metric 'no_such_metric'", p.stderr)
        self.assertEqual(p.stdout, "")

    def test_parquet_round_trip_where_pyarrow_is_installed(self):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            p = subprocess.run([LIMITSIM, "export", FILES["cmp"], "--format", "parquet", "--out",
                                os.path.join(TMP.name, "x.parquet")], capture_output=True, text=True, cwd=ROOT)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("pyarrow", p.stderr)
            self.skipTest("pyarrow is not installed (Debian 12 does not package it); the refusal was checked")
        import pandas as pd
        out = os.path.join(TMP.name, "cmp.parquet")
        run("export", FILES["cmp"], "--format", "parquet", "--money", "cents", "--out", out)
        pq = pd.read_parquet(out)
        want = limitsim.load_monthly(FILES["cmp"], money="cents")
        for col in want.columns:
            np.testing.assert_array_equal(pq[col].to_numpy(), want[col].to_numpy(), col)


class Package(unittest.TestCase):
    """python/ is a pip-installable package, and the example notebook of docs/ runs from a run to the charts."""

    def test_pip_install_into_a_fresh_venv(self):
        import venv  # noqa: F401
        work = tempfile.mkdtemp(dir=TMP.name)
        src = os.path.join(work, "src")
        shutil.copytree(PYDIR, src, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
        env_dir = os.path.join(work, "venv")
        # Debian's packages (h5py, pandas, ...) come from the system site; nothing is downloaded: --no-index.
        # Debian registers h5py under another distribution name, so pip cannot see it as installed: --no-deps.
        p = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", env_dir], capture_output=True,
                           text=True)
        if p.returncode != 0:
            self.skipTest(f"python3 -m venv failed (python3-venv missing?): {p.stderr.strip()}")
        py = os.path.join(env_dir, "bin", "python")
        p = subprocess.run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index", "--no-deps", "-q", src],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        code = ("import limitsim, sys; print(limitsim.__file__); "
                f"print(len(limitsim.load_monthly({FILES['cmp']!r}, ['active'])))")
        p = subprocess.run([py, "-c", code], capture_output=True, text=True, cwd=work)  # not the source tree
        self.assertEqual(p.returncode, 0, p.stderr)
        where, rows = p.stdout.split()
        self.assertTrue(where.startswith(env_dir), where)
        self.assertGreater(int(rows), 0)
        p = subprocess.run([os.path.join(env_dir, "bin", "limitsim-report"), "--help"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.exists(os.path.join(PYDIR, "build")))  # the source tree stays clean

    def test_the_example_notebook_runs(self):
        try:
            import nbclient
            import nbformat
        except ImportError as e:  # scripts/setup.sh installs python3-nbclient and python3-ipykernel
            self.skipTest(f"nbclient missing: {e}")
        nb = nbformat.read(os.path.join(ROOT, "docs", "example.ipynb"), as_version=4)
        old = os.environ.get("LIMITSIM")
        os.environ["LIMITSIM"] = LIMITSIM
        try:
            nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                    resources={"metadata": {"path": ROOT}}).execute()
        finally:
            if old is None:
                del os.environ["LIMITSIM"]
            else:
                os.environ["LIMITSIM"] = old
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        self.assertFalse([o for o in outputs if o.output_type == "error"])
        text_out = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
        self.assertIn("compare_policies", text_out)
        self.assertIn("mean line per open account at month 24", text_out)


class Report(unittest.TestCase):
    def check_page(self, out, drawn, skipped, must_contain):
        with open(os.path.join(out, "index.html"), encoding="utf-8") as fh:
            page = fh.read()
        for name in drawn:
            path = os.path.join(out, name)
            self.assertTrue(os.path.exists(path), name)
            png_is_a_real_chart(self, path)
            with open(path, "rb") as fh:
                self.assertTrue("data:image/png;base64," + base64.b64encode(fh.read()).decode() in page, name)
            self.assertIn(f'data-file="{name}"', page)
        for name in skipped:
            self.assertFalse(os.path.exists(os.path.join(out, name)), name)
            self.assertRegex(page, rf"Charts not drawn.*\({re.escape(name)}\)", name)
        self.assertNotRegex(page, r'src="(?!data:)')      # self-contained: no outside file
        for s in must_contain:
            self.assertTrue(s in page, f"{s!r} is not in index.html")
        return page

    def test_report_command_on_a_run(self):
        out = os.path.join(TMP.name, "report-cmp")
        # Through the CLI: `limitsim report` runs this package with the interpreter that runs this test.
        env = dict(os.environ, LIMITSIM_PYTHON=sys.executable)
        env.pop("PYTHONPATH", None)
        p = subprocess.run([LIMITSIM, "report", FILES["cmp"], "--out-dir", out],
                           capture_output=True, text=True, env=env, cwd=TMP.name)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("index.html", p.stdout)
        s = limitsim.load_summary(FILES["cmp"])
        el = f"{s.expected_loss.iloc[0]:,.0f}"
        page = self.check_page(out, ["overdue.png", "utilization.png", "loss_distribution.png", "comparison.png"],
                               ["stress.png", "frontier.png"],
                               [">Run</h2>", ">Summary</h2>", ">Tail risk</h2>", ">Policy comparison</h2>",
                                "compare_policies", "conservative", "growth", "lender_rules", el,
                                f"<td>{limitsim.load_meta(FILES['cmp'])['seed']}</td>"])
        # The comparison table holds the file's paired differences.
        c = limitsim.load_comparison(FILES["cmp"])
        r = c[(c.policy == "growth") & (c.figure == "net_income")].iloc[0]
        self.assertIn(f"{r['diff']:+,.0f}", page)
        self.assertIn("not a sweep file", page)
        bad = subprocess.run([LIMITSIM, "report", FILES["cmp"], "--out-dir", out + "-bad", "--dpi", "5"],
                             capture_output=True, text=True, env=env)
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertIn("--dpi", bad.stderr)
        self.assertFalse(os.path.exists(out + "-bad"))

    def test_rough_tail_figures_are_flagged(self):
        tail = limitsim.load_tail(FILES["cmp"])  # 12 paths: every level rests on 1 or 2 paths
        with h5py.File(FILES["cmp"], "r") as f:
            _, _, g = next(combos(f))
            loss = g["losses/net_loss"][()]
            var = g["summary/tail/var"][()]
            np.testing.assert_array_equal(g["summary/tail/paths_beyond"][()], [(loss >= v).sum() for v in var])
        self.assertTrue((tail.paths_beyond < lio.TAIL_CAVEAT_PATHS).all())
        out = os.path.join(TMP.name, "rough")
        limitsim.report.build_report(FILES["cmp"], out, dpi=40)
        with open(os.path.join(out, "index.html"), encoding="utf-8") as fh:
            page = fh.read()
        self.assertIn("Rough tail figures", page)
        js = json.loads(run("summary", FILES["cmp"], "--format", "json").stdout)
        var99 = js["results"][0]["horizon"]["var_99"]
        self.assertLess(var99["paths_beyond"], 10)
        self.assertIn("rests on", var99["caveat"])
        self.assertNotIn("caveat", js["results"][0]["horizon"]["expected_loss"])

    def test_report_on_scenarios_with_importance_sampling(self):
        from limitsim import report
        out = os.path.join(TMP.name, "report-stress")
        result = report.build_report(FILES["stress"], out)
        self.assertEqual(set(result["skipped"]), {"frontier.png", "vintages.png"})
        self.check_page(out, ["overdue.png", "utilization.png", "loss_distribution.png", "comparison.png",
                              "stress.png"], ["frontier.png"],
                        [">Stress view</h2>", "fed_2025_severely_adverse", "paths weighted", "factor shift 0.8"])

    def test_report_on_a_sweep(self):
        from limitsim import report
        out = os.path.join(TMP.name, "report-sweep")
        result = report.build_report(FILES["sweep"], out)
        self.assertEqual(set(result["skipped"]), {"stress.png", "convergence.png", "vintages.png"})  # 4 paths: no bands
        self.assertIn("the convergence bands start at 10", result["skipped"]["convergence.png"])
        sw = limitsim.load_sweep(FILES["sweep"])
        front = sw[sw.frontier_loss].policy.iloc[0]
        self.check_page(out, ["overdue.png", "utilization.png", "loss_distribution.png", "comparison.png",
                              "frontier.png"], ["stress.png"],
                        [">Sweep: efficient frontier</h2>", "review.raise_pct", front])

    def test_report_refuses_a_bad_file_and_writes_nothing(self):
        junk = os.path.join(TMP.name, "junk-report.h5")
        with h5py.File(junk, "w") as f:
            f["x"] = 1
        out = os.path.join(TMP.name, "report-junk")
        env = dict(os.environ, PYTHONPATH=PYDIR)
        p = subprocess.run([sys.executable, "-m", "limitsim.report", junk, "--out", out], capture_output=True,
                           text=True, env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("not a limitsim result file", p.stderr)
        self.assertFalse(os.path.exists(out))
        p = subprocess.run([sys.executable, "-m", "limitsim.report", FILES["cmp"]], capture_output=True, text=True,
                           env=env)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--out", p.stderr)

    def _damaged(self, name, edit):
        """A copy of the cmp file with `edit(h5py.File)` applied."""
        path = os.path.join(TMP.name, name)
        shutil.copyfile(FILES["cmp"], path)
        with h5py.File(path, "r+") as f:
            edit(f, f["results"]["baseline"]["static"])
        return path

    def _report(self, *args):
        env = dict(os.environ, PYTHONPATH=PYDIR)
        return subprocess.run([sys.executable, "-m", "limitsim.report", *args], capture_output=True, text=True,
                              env=env, cwd=TMP.name)

    def test_damaged_files_are_refused_naming_the_dataset_and_no_folder_is_left(self):
        def nan_loss(f, g):
            g["losses/net_loss"][3] = np.nan

        def drop_losses(f, g):
            del g["losses"]

        def negative_active(f, g):
            g["by_segment/active"][0, 0, 0] = -30  # checked before its sums: the first error names it

        def share_above_one(f, g):
            g["summary/monthly/overdue30_count"][2] = 866276.74

        def monthly_not_the_sum(f, g):
            g["monthly/spend"][1, 1] += 1

        cases = [("nan.h5", nan_loss, "dataset '/results/baseline/static/losses/net_loss' at [3]: not a finite number"),
                 ("noloss.h5", drop_losses, "no '/results/baseline/static/losses'"),
                 ("negative.h5", negative_active,
                  "dataset '/results/baseline/static/by_segment/active' at [0,0,0]: -30 accounts: a count cannot be "
                  "negative"),
                 ("share.h5", share_above_one,
                  "dataset '/results/baseline/static/summary/monthly/overdue30_count' at [2]: 866276.74 is not a "
                  "share in [0, 1]"),
                 ("sum.h5", monthly_not_the_sum,
                  "dataset '/results/baseline/static/monthly/spend' is not the sum over segments")]
        for name, edit, message in cases:
            path = self._damaged(name, edit)
            out = os.path.join(TMP.name, "damaged-" + name)
            p = self._report(path, "--out", out)
            self.assertEqual(p.returncode, 1, (name, p.stderr))
            self.assertIn(message, p.stderr, name)
            self.assertNotIn("Traceback", p.stderr, name)
            self.assertEqual([e for e in os.listdir(TMP.name) if e.startswith("damaged-")], [], name)
        # Through the CLI, the C++ reader's checks come first and name the same dataset.
        path = self._damaged("negative2.h5", negative_active)
        p = subprocess.run([LIMITSIM, "report", path, "--out", os.path.join(TMP.name, "damaged-cli")],
                           capture_output=True, text=True, env=dict(os.environ, LIMITSIM_PYTHON=sys.executable))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("by_segment/active' at [0,0,0]: -30 accounts", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(TMP.name, "damaged-cli")))

    def test_a_failure_keeps_the_previous_report_and_leaves_no_partial_folder(self):
        from limitsim import report
        out = os.path.join(TMP.name, "kept")
        report.write_report(FILES["cmp"], out)
        before = sorted(os.listdir(out))
        with open(os.path.join(out, "index.html"), "rb") as fh:
            page = fh.read()
        self.assertIn("comparison.png", before)
        # A failure half-way (a chart that raises): the folder is the previous report, nothing else is left.
        real = report.charts.utilization_chart
        report.charts.utilization_chart = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk gone"))
        try:
            with self.assertRaises(RuntimeError):
                report.write_report(FILES["cmp"], out)
        finally:
            report.charts.utilization_chart = real
        self.assertEqual(sorted(os.listdir(out)), before)
        with open(os.path.join(out, "index.html"), "rb") as fh:
            self.assertEqual(fh.read(), page)
        self.assertEqual([e for e in os.listdir(TMP.name) if e.startswith("kept.")], [])
        # A complete new report replaces it.
        report.write_report(FILES["stress"], out)
        self.assertIn("stress.png", os.listdir(out))

    def test_out_must_be_a_report_folder_and_never_the_files_folder(self):
        other = os.path.join(TMP.name, "someone-elses")
        os.makedirs(other)
        with open(os.path.join(other, "notes.txt"), "w") as fh:
            fh.write("keep me")
        p = self._report(FILES["cmp"], "--out", other)
        self.assertEqual(p.returncode, 1)
        self.assertIn("holds files that are not a report's (notes.txt)", p.stderr)
        self.assertEqual(os.listdir(other), ["notes.txt"])
        p = self._report(FILES["cmp"], "--out", TMP.name)
        self.assertEqual(p.returncode, 1)
        self.assertIn("holds the result file", p.stderr)
        p = self._report(FILES["cmp"], "--out", FILES["stress"])
        self.assertEqual(p.returncode, 1)
        self.assertIn("exists and is not a folder", p.stderr)
        # The folder of a report killed half-way is removed by the next report written there.
        stale = os.path.join(TMP.name, "fresh.tmp.999999")
        os.makedirs(stale)
        p = self._report(FILES["cmp"], "--out", os.path.join(TMP.name, "fresh"), "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.exists(stale))
        self.assertIn("left by a report (process 999999) that was killed", p.stderr)

    def test_charts_return_figures_and_refuse_what_does_not_apply(self):
        from matplotlib.figure import Figure
        from limitsim import charts
        fig = charts.overdue_chart(FILES["cmp"], by="balance", policies=["static", "growth"])
        self.assertIsInstance(fig, Figure)
        out = os.path.join(TMP.name, "one.png")
        charts.save(fig, out)
        png_is_a_real_chart(self, out)
        with self.assertRaisesRegex(ValueError, "nothing to compare"):
            charts.comparison_chart(FILES["cmp"], view="stress")
        with self.assertRaises(limitsim.LimitsimFileError):
            charts.frontier_chart(FILES["cmp"])
        q = charts.weighted_quantile(np.array([[1.0], [2.0], [3.0], [10.0]]), np.array([1.0, 1.0, 1.0, 5.0]),
                                     [0.25, 0.5])
        np.testing.assert_array_equal(q[:, 0], [2.0, 10.0])


class Docs(unittest.TestCase):
    def test_the_doc_shows_the_tested_r_script(self):
        with open(os.path.join(ROOT, "docs", "r-matlab.md"), encoding="utf-8") as fh:
            doc = fh.read()
        with open(os.path.join(ROOT, "scripts", "read_results.R"), encoding="utf-8") as fh:
            script = fh.read()
        self.assertIn("```r\n" + script + "```", doc, "docs/r-matlab.md must include scripts/read_results.R verbatim")


class RReader(unittest.TestCase):
    """scripts/limitsim.R: read_limitsim() gives the table of `limitsim export` (checked against h5py above)."""

    @classmethod
    def setUpClass(cls):
        cls.rscript = shutil.which("Rscript")
        if cls.rscript is None:
            raise unittest.SkipTest("Rscript is not installed (apt-get install r-cran-hdf5r, as scripts/setup.sh does)")
        p = subprocess.run([cls.rscript, "-e", "library(hdf5r); library(bit64)"], capture_output=True, text=True)
        if p.returncode != 0:
            raise unittest.SkipTest(f"R has no hdf5r or bit64 (apt-get install r-cran-hdf5r): {p.stderr.strip()[:200]}")

    def r(self, code):
        p = subprocess.run([self.rscript, "-e", f'source("{ROOT}/scripts/limitsim.R"); {code}'], capture_output=True,
                           text=True)
        return p

    def test_monthly_by_segment_in_cents_is_the_export(self):
        import pandas as pd
        for key, extra in (("stress", ["--by", "segment"]), ("cmp", [])):
            r_csv = os.path.join(TMP.name, f"r-{key}.csv")
            by = "TRUE" if extra else "FALSE"
            p = self.r(f'write.csv(read_limitsim("{FILES[key]}", by_segment = {by}, money = "cents"), "{r_csv}", '
                       f'row.names = FALSE)')
            self.assertEqual(p.returncode, 0, p.stderr)
            e_csv = os.path.join(TMP.name, f"e-{key}.csv")
            run("export", FILES[key], "--money", "cents", "--out", e_csv, *extra)
            got = pd.read_csv(r_csv, float_precision="round_trip")
            want = pd.read_csv(e_csv, float_precision="round_trip")
            self.assertEqual(list(got.columns), list(want.columns))
            self.assertEqual(len(got), len(want))
            for col in want.columns:
                if col == "weight":  # write.csv keeps 15 significant digits of a double
                    np.testing.assert_allclose(got[col].to_numpy(), want[col].to_numpy(), rtol=1e-14)
                else:  # every sum exact (integer64 in R)
                    np.testing.assert_array_equal(got[col].to_numpy(), want[col].to_numpy(), f"{key}: {col}")

    def test_summary_losses_comparison_and_meta(self):
        import pandas as pd
        out = os.path.join(TMP.name, "r-summary.csv")
        p = self.r(f'f <- "{FILES["cmp"]}"; s <- read_limitsim(f, "summary"); '
                   f'l <- read_limitsim(f, "losses", money = "cents"); c <- read_limitsim(f, "comparison"); '
                   f'm <- read_limitsim_meta(f); write.csv(s, "{out}", row.names = FALSE); '
                   f'cat(m$run_name, m$paths, nrow(c), as.character(sum(l$net_loss)), "\\n")')
        self.assertEqual(p.returncode, 0, p.stderr)
        run_name, paths, rows, loss = p.stdout.split()
        summary = limitsim.load_summary(FILES["cmp"])
        got = pd.read_csv(out, float_precision="round_trip")
        # write.csv keeps 15 significant digits
        np.testing.assert_allclose(got["expected_loss"].to_numpy(), summary["expected_loss"].to_numpy(), rtol=1e-14)
        self.assertEqual(list(got["policy"]), list(summary["policy"]))
        self.assertEqual(run_name, limitsim.load_meta(FILES["cmp"])["run_name"])
        self.assertEqual(int(paths), 12)
        self.assertEqual(int(rows), len(limitsim.load_comparison(FILES["cmp"])))
        with h5py.File(FILES["cmp"], "r") as f:
            total = sum(int(g["losses/net_loss_cents"][()].sum()) for _, _, g in combos(f))
        self.assertEqual(int(loss), total)

    def test_unknown_metric_and_foreign_file_are_refused(self):
        p = self.r(f'read_limitsim("{FILES["cmp"]}", metrics = "no_such")')
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no metric no_such", p.stderr)
        bad = os.path.join(TMP.name, "foreign.h5")
        with h5py.File(bad, "w") as f:
            f["x"] = [1, 2]
        p = self.r(f'read_limitsim("{bad}")')
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not a limitsim result file", p.stderr)


class RSnippet(unittest.TestCase):
    SCRIPT = os.path.join(ROOT, "scripts", "read_results.R")

    @classmethod
    def setUpClass(cls):
        cls.rscript = shutil.which("Rscript")
        if cls.rscript is None:
            raise unittest.SkipTest("Rscript is not installed: the R snippet is not tested "
                                    "(apt-get install r-cran-hdf5r, as scripts/setup.sh does)")
        p = subprocess.run([cls.rscript, "-e", "library(hdf5r); library(bit64)"], capture_output=True, text=True)
        if p.returncode != 0:
            raise unittest.SkipTest("R has no hdf5r or bit64: the R snippet is not tested "
                                    f"(apt-get install r-cran-hdf5r): {p.stderr.strip()[:200]}")

    def read(self, *args):
        p = subprocess.run([self.rscript, self.SCRIPT, *args], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = {}
        for line in p.stdout.splitlines():
            k, _, v = line.partition("=")
            out[k] = v
        return out

    def check(self, path, scenario, policy, r):
        ints = lambda k: [int(x) for x in r[k].split(",")]
        floats = lambda k: [float(x) for x in r[k].split(",")]
        with h5py.File(path, "r") as f:
            P, T = int(f.attrs["paths"]), int(f.attrs["months"])
            self.assertEqual(r["schema_version"], text(f.attrs["schema_version"]))
            self.assertEqual(int(r["paths"]), P)
            self.assertEqual(int(r["months"]), T)
            self.assertEqual(int(r["seed"]), int(f.attrs["seed"]))
            self.assertEqual(r["scenarios"].split(","), strings(f["scenarios"]))
            self.assertEqual(r["policies"].split(","), strings(f["policies"]))
            self.assertEqual(r["segments"].split(","), strings(f["segments/names"]))
            self.assertEqual((r["scenario"], r["policy"]), (scenario, policy))
            g = f["results"][lio.group_name(scenario)][lio.group_name(policy)]
            active = g["monthly/active"][()]
            self.assertEqual(ints("active_r_dims"), [T, P])              # reversed
            self.assertEqual(int(r["active_path0_month1"]), active[0, 0])
            self.assertEqual(int(r["active_last_path_month"]), active[P - 1, T - 1])
            self.assertEqual(int(r["active_sum"]), int(active.sum()))
            bal = g["monthly/balance"][()]
            self.assertEqual(int(r["balance_cents_sum"]), int(bal.sum()))    # exact through integer64
            self.assertEqual(float(r["balance_currency_path1_month2"]), bal[1, 1] / 100.0)
            self.assertEqual(int(r["monthly_rows"]), P * T)
            bc = g["monthly/bucket_count"][()]
            self.assertEqual(r["bucket_labels"], text(g["monthly/bucket_count"].attrs["labels"]))
            self.assertEqual(ints("bucket_count_r_dims"), [bc.shape[2], T, P])
            self.assertEqual(ints("bucket_count_path0_monthT"), list(bc[0, T - 1, :]))
            self.assertAlmostEqual(float(r["overdue30_count_monthT_mean"]),
                                   float(np.mean(bc[:, T - 1, 2:].sum(axis=1) / active[:, T - 1])), places=12)
            self.assertEqual(ints("by_segment_balance_r_dims"), [len(strings(f["segments/names"])), T, P])
            self.assertEqual(int(r["by_segment_balance_cents_sum"]), int(bal.sum()))
            self.assertEqual(ints("net_loss_cents"), list(g["losses/net_loss_cents"][()]))
            self.assertAlmostEqual(float(r["net_loss_sum"]), float(g["losses/net_loss"][()].sum()), places=4)
            s = g["summary"]
            self.assertEqual(float(r["expected_loss"]), float(s.attrs["expected_loss"]))
            self.assertEqual(float(r["expected_loss_se"]), float(s.attrs["expected_loss_se"]))
            np.testing.assert_array_equal(floats("var"), s["tail/var"][()])
            np.testing.assert_array_equal(floats("es"), s["tail/es"][()])
            self.assertEqual(float(r["summary_overdue30_count_monthT"]), s["monthly/overdue30_count"][T - 1])
            c = f["comparison"]
            self.assertEqual(int(r["comparison_rows"]), len(c["value"]))
            self.assertEqual(r["comparison_baseline"], text(c.attrs["baseline"]))
            fig, sc = np.array(strings(c["figure"])), np.array(strings(c["scenario"]))
            sel = (fig == "net_income") & (sc == scenario)
            self.assertEqual(r["net_income_policies"].split(","), list(np.array(strings(c["policy"]))[sel]))
            np.testing.assert_array_equal(floats("net_income_diff"), c["diff"][()][sel])

    def test_r_reads_the_first_combination(self):
        self.check(FILES["cmp"], "baseline", "static", self.read(FILES["cmp"]))

    def test_r_reads_a_named_scenario_and_policy(self):
        self.check(FILES["stress"], "severe", "lender_rules", self.read(FILES["stress"], "severe", "lender_rules"))

    def test_r_refuses_a_non_limitsim_file(self):
        other = os.path.join(TMP.name, "other-r.h5")
        with h5py.File(other, "w") as f:
            f["x"] = np.arange(3)
        p = subprocess.run([self.rscript, self.SCRIPT, other], capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not a limitsim result", p.stderr)



if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: test_python.py PATH_TO_LIMITSIM")
    LIMITSIM = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""Tests of the Python package (python/limitsim), the report and the R snippet.

Runs the CLI on small configurations, then checks every loader against h5py
reads of the same file, the report's PNGs and HTML page, and the R snippet
scripts/read_results.R (skipped, with a message, where Rscript or hdf5r is
missing).
Usage: test_python.py PATH_TO_LIMITSIM   (any working directory)
"""
import base64
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
            for k in lio.MONTHLY_FIGURE_UNITS:
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
        p = subprocess.run([LIMITSIM, "report", FILES["cmp"], "--out", out],
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
        bad = subprocess.run([LIMITSIM, "report", FILES["cmp"], "--out", out + "-bad", "--dpi", "5"],
                             capture_output=True, text=True, env=env)
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertIn("--dpi", bad.stderr)
        self.assertFalse(os.path.exists(out + "-bad"))

    def test_report_on_scenarios_with_importance_sampling(self):
        from limitsim import report
        out = os.path.join(TMP.name, "report-stress")
        result = report.build_report(FILES["stress"], out)
        self.assertEqual(set(result["skipped"]), {"frontier.png"})
        self.check_page(out, ["overdue.png", "utilization.png", "loss_distribution.png", "comparison.png",
                              "stress.png"], ["frontier.png"],
                        [">Stress view</h2>", "fed_2025_severely_adverse", "paths weighted", "factor shift 0.8"])

    def test_report_on_a_sweep(self):
        from limitsim import report
        out = os.path.join(TMP.name, "report-sweep")
        result = report.build_report(FILES["sweep"], out)
        self.assertEqual(set(result["skipped"]), {"stress.png"})
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

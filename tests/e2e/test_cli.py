#!/usr/bin/env python3
"""End-to-end tests of the limitsim command line.

Runs the CLI on a small configuration, reads the HDF5 result back with h5py and
checks its schema and internal consistency; checks the CLI's error paths (bad
configs and bad command-line values exit non-zero and write nothing); checks
`limitsim compare` in every format against the file's raw sums and its
/comparison table.
Usage: test_cli.py PATH_TO_LIMITSIM   (run from the repository root)
"""
import csv
import hashlib
import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np

LIMITSIM = None
QUICKSTART = "configs/quickstart.toml"


def run(*args):
    return subprocess.run([LIMITSIM, *args], capture_output=True, text=True)


class EndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls.tmp.name, "sub", "small.h5")
        cls.proc = run("run", QUICKSTART, "--customers", "4000", "--paths", "6", "--months", "13",
                       "--seed", "17", "--threads", "2", "--out", cls.out)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_run_succeeds_and_prints_a_summary(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertIn("overdue", self.proc.stdout.lower())
        self.assertTrue(os.path.exists(self.out))
        leftovers = [f for f in os.listdir(os.path.dirname(self.out)) if ".tmp" in f]
        self.assertEqual(leftovers, [])

    def test_file_explains_itself(self):
        with h5py.File(self.out, "r") as f:
            a = f.attrs
            self.assertEqual(a["schema_version"].decode() if isinstance(a["schema_version"], bytes) else a["schema_version"], "1.5")
            self.assertEqual(int(a["mpi_ranks"]), 1)  # a build without MPI: one process
            self.assertEqual(float(a["importance_shift"]), 0.0)
            self.assertEqual(int(a["seed"]), 17)
            self.assertEqual(int(a["customers"]), 4000)
            self.assertEqual(int(a["paths"]), 6)
            self.assertEqual(int(a["months"]), 13)
            backend = a["backend"]
            self.assertIn(backend.decode() if isinstance(backend, bytes) else backend, ("cpu", "cuda"))
            cfg = f["config"][()]
            cfg = cfg.decode() if isinstance(cfg, bytes) else cfg
            self.assertIn("seed = 17", cfg)
            name = a["run_name"]
            self.assertEqual(name.decode() if isinstance(name, bytes) else name, "quickstart")

    def _combo(self, f):
        scen = [s.decode() if isinstance(s, bytes) else s for s in f["scenarios"][()]]
        pol = [s.decode() if isinstance(s, bytes) else s for s in f["policies"][()]]
        return f["results"][scen[0]][pol[0]]

    def test_monthly_series_are_consistent(self):
        with h5py.File(self.out, "r") as f:
            g = self._combo(f)
            active = g["monthly/active"][()]
            self.assertEqual(active.shape, (6, 13))
            self.assertEqual(active.dtype, np.int64)
            buckets = g["monthly/bucket_count"][()]
            self.assertEqual(buckets.shape[:2], (6, 13))
            np.testing.assert_array_equal(buckets.sum(axis=2), active)
            hist = g["monthly/utilization_histogram"][()]
            np.testing.assert_array_equal(hist.sum(axis=2), active)
            # Portfolio = sum over segments.
            seg = g["by_segment/balance"][()]
            np.testing.assert_array_equal(seg.sum(axis=2), g["monthly/balance"][()])
            # Loss identity: exposure = loss + recovery, and the per-path loss is the monthly sum.
            loss = g["monthly/chargeoff_loss"][()]
            np.testing.assert_array_equal(loss + g["monthly/chargeoff_recovery"][()],
                                          g["monthly/chargeoff_exposure"][()])
            np.testing.assert_array_equal(g["losses/net_loss_cents"][()], loss.sum(axis=1))
            self.assertEqual(g["monthly/balance"].attrs["units"].decode()
                             if isinstance(g["monthly/balance"].attrs["units"], bytes)
                             else g["monthly/balance"].attrs["units"], "cents")
            # Accounts only leave: active(t) <= customers.
            self.assertTrue((active <= 4000).all())
            self.assertTrue((loss.sum(axis=1) > 0).all())

    def test_expected_loss_matches_raw_sums(self):
        with h5py.File(self.out, "r") as f:
            g = self._combo(f)
            net = g["losses/net_loss_cents"][()] / 100.0
            el = g["summary"].attrs["expected_loss"]
            self.assertAlmostEqual(float(el), float(net.mean()), places=6)

    def test_summary_command_reads_the_file(self):
        p = run("summary", self.out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("overdue", p.stdout.lower())
        self.assertIn("risk contributions by score band", p.stdout)
        self.assertNotIn("importance sampling", p.stdout)
        p = run("summary", self.out, "--convergence")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("first n paths", p.stdout)
        self.assertIn("VaR 99.9%", p.stdout)

    def test_summary_formats_agree_with_the_file(self):
        """summary --format csv|json: every figure as stored in the file's summary/."""
        pj = run("summary", self.out, "--format", "json")
        self.assertEqual(pj.returncode, 0, pj.stderr)
        doc = json.loads(pj.stdout)
        pc = run("summary", self.out, "--format", "csv")
        self.assertEqual(pc.returncode, 0, pc.stderr)
        rows = list(csv.DictReader(io.StringIO(pc.stdout)))
        with h5py.File(self.out, "r") as f:
            s = self._combo(f)["summary"]
            res = doc["results"][0]
            self.assertEqual(doc["paths"], 6)
            self.assertEqual(doc["months"], 13)
            el = res["horizon"]["expected_loss"]
            self.assertEqual(el["value"], float(s.attrs["expected_loss"]))
            self.assertEqual(el["ci_lo"], float(s.attrs["expected_loss_lo"]))
            for i, level in enumerate(s["tail/level"][()]):
                name = "var_%g" % (100 * level)
                self.assertEqual(res["horizon"][name]["value"], float(s["tail/var"][i]), name)
                self.assertEqual(res["horizon"]["es_%g" % (100 * level)]["value"], float(s["tail/es"][i]))
            self.assertEqual(len(res["months"]), 13)
            mine = [r for r in rows if r["scenario"] == res["scenario"] and r["policy"] == res["policy"]]
            el_row = [r for r in mine if r["figure"] == "expected_loss"][0]
            self.assertEqual(float(el_row["value"]), float(s.attrs["expected_loss"]))
            self.assertEqual(el_row["month"], "")
            months = sorted({int(r["month"]) for r in mine if r["month"]})
            self.assertEqual(months, list(range(1, 14)))
        bad = run("summary", self.out, "--format", "xml")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--format", bad.stderr)

    def test_weights_cells_and_tail_risk_are_stored(self):
        """Schema 1.2: path weights, bands and regions, CIs, contributions that add up, convergence."""
        with h5py.File(self.out, "r") as f:
            w = f["paths/weight"][()]
            self.assertEqual(w.shape, (6,))
            np.testing.assert_array_equal(w, np.ones(6))   # no importance sampling
            seg = f["segments"]
            names = list(seg["names"].asstr()[()])
            bands = list(seg["band_names"].asstr()[()])
            regions = list(seg["region_names"].asstr()[()])
            self.assertEqual(regions, ["all"])
            self.assertEqual(bands, names)                  # one region: segments are the bands
            np.testing.assert_array_equal(seg["segment_band"][()], np.arange(len(names)))
            np.testing.assert_array_equal(seg["segment_region"][()], np.zeros(len(names)))
            s = self._combo(f)["summary"]
            self.assertEqual(int(s.attrs["weighted"]), 0)
            self.assertEqual(text(s.attrs["var_ci_method"]), "order_statistic")
            el, ul = float(s.attrs["expected_loss"]), float(s.attrs["unexpected_loss"])
            self.assertLessEqual(float(s.attrs["expected_loss_lo"]), el)
            self.assertGreaterEqual(float(s.attrs["expected_loss_hi"]), el)
            tail = {k: s["tail"][k][()] for k in s["tail"]}
            self.assertTrue((tail["es_lo"] <= tail["es"] + 1e-9).all() and (tail["es"] <= tail["es_hi"] + 1e-9).all())
            c = s["contributions"]
            for unit, n in (("segment", len(names)), ("band", len(bands)), ("region", len(regions))):
                g = c[unit]
                self.assertEqual(g["expected_loss"].shape, (n,))
                self.assertEqual(g["var"].shape, (3, n))
                self.assertEqual(text(g["es"].attrs["dims"]), "level," + unit)
                self.assertAlmostEqual(g["expected_loss"][()].sum(), el, delta=1e-9 * el)
                self.assertAlmostEqual(g["unexpected_loss"][()].sum(), ul, delta=1e-9 * ul)
                np.testing.assert_allclose(g["var"][()].sum(axis=1), tail["var"], rtol=1e-9)
                np.testing.assert_allclose(g["es"][()].sum(axis=1), tail["es"], rtol=1e-9)
            # The segments' EL contributions are the means of their own losses, from the raw sums.
            seg_loss = self._combo(f)["by_segment/chargeoff_loss"][()].sum(axis=1) / 100.0   # [path, segment]
            np.testing.assert_allclose(c["segment/expected_loss"][()], seg_loss.mean(axis=0), rtol=1e-9)
            conv = s["convergence"]
            self.assertEqual(list(conv["paths"][()]), [6])   # fewer than 10 paths: P only
            np.testing.assert_array_equal(conv["var"][()][-1], tail["var"])

    def test_same_seed_same_bytes_of_results(self):
        out2 = os.path.join(self.tmp.name, "again.h5")
        p = run("run", QUICKSTART, "--customers", "4000", "--paths", "6", "--months", "13",
                "--seed", "17", "--threads", "1", "--batch-size", "999", "--out", out2, "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        with h5py.File(self.out, "r") as a, h5py.File(out2, "r") as b:
            ga, gb = self._combo(a), self._combo(b)
            for name in ga["by_segment"]:
                np.testing.assert_array_equal(ga["by_segment"][name][()], gb["by_segment"][name][()], name)

    def test_effective_config_reproduces_the_run(self):
        with h5py.File(self.out, "r") as f:
            cfg = f["config"][()]
            cfg = cfg.decode() if isinstance(cfg, bytes) else cfg
        path = os.path.join(self.tmp.name, "effective.toml")
        with open(path, "w") as fh:
            fh.write(cfg)
        out3 = os.path.join(self.tmp.name, "replay.h5")
        p = run("run", path, "--out", out3, "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        with h5py.File(self.out, "r") as a, h5py.File(out3, "r") as b:
            np.testing.assert_array_equal(self._combo(a)["monthly/balance"][()], self._combo(b)["monthly/balance"][()])


def is_scale(ds):
    """A coordinate dataset of schema 1.4 (an HDF5 dimension scale)."""
    return text(ds.attrs.get("CLASS", b"")) == "DIMENSION_SCALE"


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def same(a, b):
    """Equal numbers, or both missing (JSON null, NaN in HDF5, empty in CSV)."""
    missing = lambda x: x is None or (isinstance(x, float) and math.isnan(x))
    return (missing(a) and missing(b)) or a == b


class Compare(unittest.TestCase):
    """Three policies (one an exact twin of the baseline) under two scenarios."""

    POLICIES = ["simple_review", "twin", "no_review"]
    SCENARIOS = ["baseline", "stress"]

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        root = os.getcwd()
        with open(os.path.join(root, "configs/policies/simple_review.toml")) as fh:
            twin = fh.read().replace('name = "simple_review"', 'name = "twin"')
        assert 'name = "twin"' in twin
        with open(os.path.join(cls.tmp.name, "twin.toml"), "w") as fh:
            fh.write(twin)
        cls.out = os.path.join(cls.tmp.name, "cmp.h5")
        cls.config = os.path.join(cls.tmp.name, "cmp.toml")
        with open(cls.config, "w") as fh:
            fh.write(f"""population = "{root}/configs/population/card_prime.toml"
behaviour = "{root}/configs/behaviour/card_prime.toml"
policies = ["{root}/configs/policies/simple_review.toml", "twin.toml",
            {{ name = "no_review", freeze = {{ at_dpd = 30 }} }}]
scenarios = ["{root}/configs/scenarios/baseline.toml", {{ name = "stress", factor_shift = -1.0 }}]

[run]
name = "compare_e2e"
seed = 5
paths = 8
months = 13
threads = 2
report_months = [6]
output = "{cls.out}"
""")
        cls.proc = run("run", cls.config, "--customers", "3000", "--quiet")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)

    def compare(self, *args):
        p = run("compare", self.out, *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def json(self, *args):
        return json.loads(self.compare("--format", "json", *args))

    @staticmethod
    def rows(doc):
        """(scenario, policy, figure, month) -> stats of a compare JSON document (month 0: horizon)."""
        out = {}
        for s in doc["scenarios"]:
            for p in s["policies"]:
                for fig, st in p["horizon"].items():
                    out[(s["name"], p["name"], fig, 0)] = st
                for fig, months in p["monthly"].items():
                    for st in months:
                        out[(s["name"], p["name"], fig, st["month"])] = st
        return out

    def test_json_structure(self):
        doc = self.json()
        self.assertEqual(doc["run_name"], "compare_e2e")
        self.assertEqual((doc["paths"], doc["months"]), (8, 13))
        self.assertEqual(doc["baseline"], "simple_review")
        self.assertEqual(doc["report_months"], [6, 13])
        self.assertAlmostEqual(doc["t_quantile"], 2.3646242515927827, places=9)  # t(0.975, 7)
        self.assertEqual([s["name"] for s in doc["scenarios"]], self.SCENARIOS)
        for s in doc["scenarios"]:
            self.assertEqual([p["name"] for p in s["policies"]], self.POLICIES)
            self.assertEqual([p["is_baseline"] for p in s["policies"]], [True, False, False])
        names = [f["name"] for f in doc["figures"]]
        for name in ("net_loss", "var_99", "es_99.9", "net_income", "cost_of_funds", "overdue90_balance",
                     "average_utilization", "trigger_increases", "temp_limit_months"):
            self.assertIn(name, names)

    def test_identical_policies_show_zero_difference(self):
        rows = self.rows(self.json())
        twins = [(k, v) for k, v in rows.items() if k[1] == "twin"]
        self.assertGreater(len(twins), 20)
        for key, st in twins:
            self.assertEqual((st["diff"], st["diff_lo"], st["diff_hi"]), (0, 0, 0), key)
            self.assertTrue(same(st["value"], rows[(key[0], "simple_review", key[2], key[3])]["value"]), key)
        # The policy without reviews raises no line: its difference is minus the baseline's increases.
        for scen in self.SCENARIOS:
            base = rows[(scen, "simple_review", "limit_increases", 0)]
            alt = rows[(scen, "no_review", "limit_increases", 0)]
            self.assertEqual(alt["value"], 0)
            self.assertGreater(base["value"], 0)
            self.assertAlmostEqual(alt["diff"], -base["value"], places=9)

    def test_figures_match_the_raw_sums(self):
        """net_income (the full P&L, docs/pnl.md) and its paired CI recomputed with numpy from the file's sums
        and its [pnl] attributes, at a what-if rate."""
        doc = self.json("--cost-of-funds", "0.1")
        self.assertEqual(doc["cost_of_funds"], 0.1)
        rows = self.rows(doc)
        t = doc["t_quantile"]
        with h5py.File(self.out, "r") as f:
            a = f.attrs
            self.assertEqual(doc["pnl"]["interchange_rate"], float(a["interchange_rate"]))
            self.assertGreater(float(a["interchange_rate"]), 0)
            self.assertGreater(float(a["operating_cost"]), 0)

            def net_income(scen, pol):
                g = f["results"][scen][pol]["monthly"]
                # Revenue is net of the interest and fees reversed at charge-off (schema 1.4).
                cents = (g["interest"][()] + g["fees"][()] - g["reversal"][()] - g["chargeoff_loss"][()]).sum(axis=1)
                active = g["active"][()].sum(axis=1)
                delinquent = g["bucket_count"][()][:, :, 1:].sum(axis=(1, 2))
                return (cents / 100.0 - 0.1 / 12 * (g["balance"][()].sum(axis=1) / 100.0)
                        + float(a["interchange_rate"]) * g["spend"][()].sum(axis=1) / 100.0
                        + (float(a["annual_fee"]) - float(a["operating_cost"])) / 12 * active
                        - float(a["acquisition_cost"]) * g["new_account_count"][()].sum(axis=1)
                        - float(a["collection_cost"]) * delinquent)
            for scen in self.SCENARIOS:
                base = net_income(scen, "simple_review")
                for pol in self.POLICIES:
                    x = net_income(scen, pol)
                    st = rows[(scen, pol, "net_income", 0)]
                    self.assertAlmostEqual(st["value"], x.mean(), delta=1e-9 * abs(x.mean()) + 1e-9)
                    d = x - base
                    half = t * d.std(ddof=1) / math.sqrt(len(d))
                    self.assertAlmostEqual(st["diff"], d.mean(), delta=1e-6)
                    self.assertAlmostEqual(st["diff_lo"], d.mean() - half, delta=1e-6)
                    self.assertAlmostEqual(st["diff_hi"], d.mean() + half, delta=1e-6)
                    if pol == "no_review":
                        unpaired = t * math.sqrt(x.var(ddof=1) / len(x) + base.var(ddof=1) / len(x))
                        self.assertAlmostEqual(st["pairing_ratio"], half / unpaired, delta=1e-9)
                        self.assertLess(st["pairing_ratio"], 1.0)  # same customers, same draws

    def test_file_holds_the_same_comparison(self):
        rows = self.rows(self.json())
        with h5py.File(self.out, "r") as f:
            g = f["comparison"]
            self.assertEqual(text(g.attrs["baseline"]), "simple_review")
            self.assertEqual(float(g.attrs["cost_of_funds"]), float(f.attrs["cost_of_funds"]))
            self.assertEqual(text(f.attrs["baseline_policy"]), "simple_review")  # resolved by the run
            order = text(g.attrs["columns"]).split(",")
            self.assertEqual(sorted(order), sorted(k for k in g.keys() if not is_scale(g[k])))
            cols = {k: (g[k].asstr()[()] if g[k].dtype.kind == "S" else g[k][()]) for k in order}
            self.assertEqual(len(set(len(v) for v in cols.values())), 1)
            for k in cols:
                self.assertEqual(text(g[k].attrs["dims"]), "row")
            self.assertEqual(len(cols["value"]), len(rows))
            for i in range(len(cols["value"])):
                key = (cols["scenario"][i], cols["policy"][i], cols["figure"][i], int(cols["month"][i]))
                st = rows[key]
                for col in ("value", "se", "diff", "diff_lo", "diff_hi", "pairing_ratio"):
                    self.assertTrue(same(float(cols[col][i]), st[col]), (key, col, cols[col][i], st[col]))

    def test_csv_is_tidy(self):
        out = self.compare("--format", "csv")
        lines = out.splitlines()
        self.assertEqual(lines[0], "scenario,policy,figure,month,unit,value,se,diff,diff_lo,diff_hi,pairing_ratio")
        records = list(csv.DictReader(io.StringIO(out)))
        self.assertEqual(len(records), len(self.rows(self.json())))
        for rec in records:
            if rec["policy"] == "twin":
                self.assertEqual((rec["diff"], rec["diff_lo"], rec["diff_hi"]), ("0", "0", "0"), rec)
            self.assertEqual(rec["month"] == "", rec["figure"] not in (
                "overdue30_count", "overdue90_count", "overdue30_balance", "overdue90_balance"), rec)

    def test_table(self):
        out = self.compare()
        self.assertIn("baseline 'simple_review'", out)
        self.assertIn("scenario 'baseline'", out)
        self.assertIn("scenario 'stress'", out)
        self.assertIn("net_income", out)

    def test_stress_view(self):
        """Every scenario against the first, per policy: /stress, --stress and the JSON's "stress"."""
        doc = self.json()
        self.assertEqual(doc["baseline_scenario"], "baseline")
        self.assertFalse(doc["weighted"])
        names = [f["name"] for f in doc["figures"]]
        for name in ("unexpected_loss", "var_95", "es_95", "var_99", "es_99.9"):
            self.assertIn(name, names)
        stress = {}
        for p in doc["stress"]:
            for sc in p["scenarios"]:
                for fig, st in sc["horizon"].items():
                    stress[(sc["name"], p["policy"], fig)] = st
                self.assertEqual(sc["is_baseline"], sc["name"] == "baseline")
        with h5py.File(self.out, "r") as f:
            for pol in self.POLICIES:
                base = f["results/baseline"][pol]["losses/net_loss"][()]
                loss = f["results/stress"][pol]["losses/net_loss"][()]
                st = stress[("stress", pol, "net_loss")]
                self.assertAlmostEqual(st["diff"], (loss - base).mean(), delta=1e-6)
                self.assertGreater(st["diff"], 0)   # the stress scenario loses more, path by path
                self.assertEqual(stress[("baseline", pol, "net_loss")]["diff"], 0)
            g = f["stress"]
            self.assertEqual(text(g.attrs["baseline_scenario"]), "baseline")
            order = text(g.attrs["columns"]).split(",")
            cols = {k: (g[k].asstr()[()] if g[k].dtype.kind == "S" else g[k][()]) for k in order}
            for i in range(len(cols["value"])):
                if cols["month"][i] != 0:
                    continue
                st = stress[(cols["scenario"][i], cols["policy"][i], cols["figure"][i])]
                for col in ("value", "diff", "diff_lo", "diff_hi", "pairing_ratio"):
                    self.assertTrue(same(float(cols[col][i]), st[col]), (i, col))
        out = self.compare("--stress", "--format", "csv")
        records = list(csv.DictReader(io.StringIO(out)))
        self.assertEqual(len(records), len(self.rows(doc)))
        rec = [r for r in records if (r["scenario"], r["policy"], r["figure"]) == ("stress", "no_review", "var_99")]
        self.assertEqual(float(rec[0]["diff"]), stress[("stress", "no_review", "var_99")]["diff"])
        table = self.compare("--stress")
        self.assertIn("stress: every scenario", table)
        self.assertNotIn("\nscenario 'stress'\n", table)
        self.assertIn("stress: every scenario", self.compare())

    def test_baseline_option(self):
        doc = self.json("--baseline", "twin")
        self.assertEqual(doc["baseline"], "twin")
        rows = self.rows(doc)
        st = rows[("stress", "simple_review", "net_loss", 0)]
        self.assertEqual((st["diff"], st["diff_lo"], st["diff_hi"]), (0, 0, 0))

    def test_bad_options_exit_2(self):
        p = run("compare", self.out, "--baseline", "nope")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        for name in ("nope",) + tuple(self.POLICIES):
            self.assertIn(f"'{name}'", p.stderr)
        self.assertEqual(p.stdout, "")
        for args in (("--format", "xml"), ("--cost-of-funds", "-0.01"), ("--cost-of-funds", "5")):
            p = run("compare", self.out, *args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(args[0], p.stderr)
        p = run("compare", os.path.join(self.tmp.name, "missing.h5"))
        self.assertNotEqual(p.returncode, 0)

    def test_tail_levels_option_recomputes_var_and_es(self):
        """--tail-levels on compare and summary: VaR and ES at the chosen levels, named by them; bad lists exit 2."""
        doc = self.json("--tail-levels", "0.975,0.995")
        names = [f["name"] for f in doc["figures"]]
        for name in ("var_97.5", "es_97.5", "var_99.5", "es_99.5"):
            self.assertIn(name, names)
        self.assertNotIn("var_99", names)
        p = run("summary", self.out, "--format", "json", "--tail-levels", "0.975,0.995")
        self.assertEqual(p.returncode, 0, p.stderr)
        horizon = json.loads(p.stdout)["results"][0]["horizon"]
        self.assertIn("var_97.5", horizon)
        rows = self.rows(doc)
        first = json.loads(p.stdout)["results"][0]
        self.assertEqual(rows[(first["scenario"], first["policy"], "var_99.5", 0)]["value"],
                         horizon["var_99.5"]["value"])
        for args in (("compare", self.out, "--tail-levels", "0.99,0.95"),
                     ("summary", self.out, "--tail-levels", "1.5"),
                     ("run", self.config, "--tail-levels", "0.9,x")):
            p = run(*args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn("--tail-levels", p.stderr)

    def test_summary_regulatory_one_year_figures(self):
        """summary --regulatory: economic capital = one-year VaR 99.9% - EL from the file's losses; PD per segment."""
        p = run("summary", self.out, "--regulatory", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["months"], 12)
        with h5py.File(self.out, "r") as f:
            for res in doc["results"]:
                g = f["results"][res["scenario"]][res["policy"]]
                loss = g["monthly/chargeoff_loss"][()][:, :12].sum(axis=1) / 100.0
                self.assertAlmostEqual(res["expected_loss"], loss.mean(), delta=1e-6 * max(1.0, loss.mean()))
                self.assertEqual(res["var_99.9"], np.sort(loss)[-1])  # 8 paths: rank ceil(7.992) = 8
                self.assertAlmostEqual(res["economic_capital"], res["var_99.9"] - res["expected_loss"], delta=1e-6)
                for seg in res["segments"]:
                    self.assertTrue(0 <= seg["pd"] < 1, seg)
        table = run("summary", self.out, "--regulatory").stdout
        self.assertIn("economic capital", table)
        # The allowance at the start, at a 12% rate, is the mean discounted loss of the file's paths.
        flat = json.loads(run("summary", self.out, "--regulatory", "-f", "json", "--eir", "0.12").stdout)
        with h5py.File(self.out, "r") as f:
            for res in flat["results"]:
                monthly = f["results"][res["scenario"]][res["policy"]]["monthly/chargeoff_loss"][()] / 100.0
                v = (1 / 1.01) ** np.arange(1, monthly.shape[1] + 1)
                want = (monthly * v).sum(axis=1).mean()
                self.assertAlmostEqual(res["lifetime_allowance"][0], want, delta=1e-9 * max(1.0, want))
                self.assertEqual(len(res["stages"]), monthly.shape[1])
        doc = self.json("--raroc")
        self.assertIn("raroc", [f["name"] for f in doc["figures"]])
        self.assertNotIn("raroc", [f["name"] for f in self.json()["figures"]])
        for args in (("--irb-scaling",), ("--regulatory", "--format", "csv"), ("--regulatory", "--pd-floor", "2")):
            p = run("summary", self.out, *args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))

    def test_compare_does_not_touch_the_file(self):
        def digest():
            with open(self.out, "rb") as fh:
                return hashlib.sha256(fh.read()).hexdigest(), os.stat(self.out).st_mtime_ns
        before = digest()
        self.compare("--format", "json", "--baseline", "no_review", "--cost-of-funds", "0.2")
        self.compare()
        self.assertEqual(digest(), before)
        self.assertEqual(sorted(os.listdir(self.tmp.name)), ["cmp.h5", "cmp.toml", "twin.toml"])

    def test_one_path_prints_not_available(self):
        out1 = os.path.join(self.tmp.name, "one", "one.h5")
        p = run("run", self.config, "--customers", "300", "--paths", "1", "--out", out1, "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        try:
            table = run("compare", out1)
            self.assertEqual(table.returncode, 0, table.stderr)
            self.assertIn("n/a", table.stdout)
            doc = json.loads(run("compare", out1, "--format", "json").stdout)
            self.assertIsNone(doc["t_quantile"])
            st = self.rows(doc)[("baseline", "no_review", "net_income", 0)]
            self.assertIsNone(st["diff_lo"])
            self.assertIsNone(st["se"])
            self.assertIsNotNone(st["diff"])
        finally:
            os.remove(out1)
            os.rmdir(os.path.dirname(out1))


class CompareTwoRuns(unittest.TestCase):
    """limitsim compare A.h5 B.h5: the same seed and population, B's policies against A's on the same paths."""

    @classmethod
    def setUpClass(cls):
        import shutil
        cls.tmp = tempfile.TemporaryDirectory()
        cls.cfg = os.path.join(cls.tmp.name, "configs")
        shutil.copytree("configs", cls.cfg)
        beh = os.path.join(cls.cfg, "behaviour", "card_prime.toml")  # the behaviour compare_policies uses
        with open(beh) as fh:
            text_ = fh.read()
        assert "late_fee = 30.00" in text_
        with open(beh, "w") as fh:
            fh.write(text_.replace("late_fee = 30.00", "late_fee = 45.00", 1))  # run B: a higher late fee
        common = ["--customers", "2500", "--paths", "10", "--months", "12", "--threads", "2", "--quiet"]
        cls.a = os.path.join(cls.tmp.name, "a.h5")
        cls.b = os.path.join(cls.tmp.name, "b.h5")
        cls.c = os.path.join(cls.tmp.name, "other_seed.h5")
        for out, cfg, extra in ((cls.a, "configs/compare_policies.toml", ["--seed", "31"]),
                                (cls.b, os.path.join(cls.cfg, "compare_policies.toml"), ["--seed", "31"]),
                                (cls.c, "configs/compare_policies.toml", ["--seed", "32"])):
            p = run("run", cfg, *common, *extra, "--out", out)
            assert p.returncode == 0, p.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def rows(self, *files):
        p = run("compare", *files, "--format", "csv")
        self.assertEqual(p.returncode, 0, p.stderr)
        return list(csv.DictReader(io.StringIO(p.stdout)))

    def test_every_shared_policy_is_paired_and_the_fee_difference_is_exact(self):
        rows = self.rows(self.a, self.b)
        policies = sorted({r["policy"] for r in rows})
        self.assertEqual(len(policies), 8)  # four shared policies, each as run a and run b
        with h5py.File(self.a, "r") as fa, h5py.File(self.b, "r") as fb:
            for pol in ("static", "growth"):
                ga = fa["results/baseline"][pol]
                gb = fb["results/baseline"][pol]
                w = fa["paths/weight"][()]
                def revenue(g):  # interest + fees - reversals (metrics.md)
                    m = g["monthly"]
                    return (m["interest"][()] + m["fees"][()] - m["reversal"][()]).sum(axis=1) / 100.0
                want = float(np.average(revenue(gb) - revenue(ga), weights=w))
                row = [r for r in rows if r["policy"] == f"{pol} @ b" and r["figure"] == "revenue"][0]
                self.assertAlmostEqual(float(row["diff"]), want, delta=1e-6 * max(1.0, abs(want)))
                self.assertGreater(float(row["diff"]), 0.0)  # a higher late fee raises revenue on the same paths
                self.assertLess(float(row["pairing_ratio"]), 0.5)  # pairing narrows the interval a lot
                base = [r for r in rows if r["policy"] == f"{pol} @ a" and r["figure"] == "revenue"][0]
                self.assertEqual(float(base["diff"]), 0.0)

    def test_a_run_against_itself_differs_by_exactly_zero(self):
        for r in self.rows(self.a, self.a):
            if r["diff"] not in ("", "nan"):
                self.assertEqual(float(r["diff"]), 0.0, r)

    def test_runs_that_are_not_comparable_are_refused(self):
        p = run("compare", self.a, self.c)
        self.assertEqual(p.returncode, 2)
        self.assertIn("seeds differ", p.stderr)
        p = run("compare", self.a, self.b, "--stress")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--stress", p.stderr)
        small = os.path.join(self.tmp.name, "small.h5")
        self.assertEqual(run("run", "configs/compare_policies.toml", "--customers", "2000", "--paths", "10",
                             "--months", "12", "--seed", "31", "--quiet", "--out", small).returncode, 0)
        p = run("compare", self.a, small)
        self.assertEqual(p.returncode, 2)
        self.assertIn("customer counts differ", p.stderr)


class Conventions(unittest.TestCase):
    """docs/cli.md: exit codes, did you mean, help, choices, examples, short options, completion."""

    def test_usage_errors_exit_2_with_a_hint(self):
        p = run("summry", "x.h5")
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean 'summary'?", p.stderr)
        p = run("run", QUICKSTART, "--pahts", "4")
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean '--paths'", p.stderr)
        p = run("run", QUICKSTART, "--backend", "gpu")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--backend", p.stderr)
        p = run("report", "no_such_file.h5", "--out-dir", "x")
        self.assertEqual(p.returncode, 2)
        p = run("summary")  # a required argument is missing
        self.assertEqual(p.returncode, 2)
        self.assertTrue(p.stderr.startswith("error:"), p.stderr)

    def test_a_misspelt_config_key_gets_a_hint(self):
        with tempfile.TemporaryDirectory() as d:
            cfg = os.path.join(d, "run.toml")
            with open(QUICKSTART) as fh:
                body = fh.read()
            body = body.replace('population = "population/synthetic.toml"',
                                'population = "' + os.path.abspath("configs/population/synthetic.toml") + '"')
            for key in ("behaviour", "policies", "scenarios"):
                body = body.replace(f'{key} = "', f'{key} = "' + os.path.abspath("configs") + "/", 1)
                body = body.replace(f'{key} = ["', f'{key} = ["' + os.path.abspath("configs") + "/", 1)
            with open(cfg, "w") as fh:
                fh.write(body.replace("paths = 32", "pahts = 32"))
            p = run("run", cfg, "--customers", "10")
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("did you mean 'paths'?", p.stderr)
            self.assertIn("run.toml", p.stderr)

    def test_help_lists_choices_examples_and_exit_codes(self):
        p = run("help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("Exit codes: 0 success, 1 runtime failure, 2 usage error", p.stdout)
        p = run("help", "compare")
        self.assertEqual(p.returncode, 0)
        self.assertIn("{table,csv,json}", p.stdout)
        self.assertIn("Examples:", p.stdout)
        self.assertEqual(run("compare", "--help").stdout, p.stdout)
        for cmd in ("run", "sweep", "summary", "compare", "report", "export", "calibrate", "backtest"):
            self.assertIn("Example", run("help", cmd).stdout, cmd)
        p = run("help", "comapre")
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean 'compare'?", p.stderr)

    def test_short_options_mean_the_long_ones(self):
        with tempfile.TemporaryDirectory() as d:
            a, b = os.path.join(d, "a.h5"), os.path.join(d, "b.h5")
            self.assertEqual(run("run", QUICKSTART, "-n", "500", "-p", "3", "--months", "4", "-s", "3", "-j", "2",
                                 "-q", "-o", a).returncode, 0)
            self.assertEqual(run("run", QUICKSTART, "--customers", "500", "--paths", "3", "--months", "4",
                                 "--seed", "3", "--threads", "2", "--quiet", "--out", b).returncode, 0)
            with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
                ga = fa["results/baseline/simple_review/monthly/balance"][()]
                gb = fb["results/baseline/simple_review/monthly/balance"][()]
                np.testing.assert_array_equal(ga, gb)
                self.assertEqual(int(fa.attrs["customers"]), 500)
            self.assertEqual(run("summary", a, "-f", "json").returncode, 0)

    def test_list_shows_every_shipped_file_with_a_sentence(self):
        for kind, folder in (("policies", "policies"), ("scenarios", "scenarios"), ("behaviours", "behaviour"),
                             ("populations", "population")):
            p = run("list", kind)
            self.assertEqual(p.returncode, 0, p.stderr)
            names = sorted(f[:-5] for f in os.listdir(os.path.join("configs", folder)) if f.endswith(".toml"))
            listed = [line.split()[0] for line in p.stdout.splitlines()[1:]]
            self.assertEqual(listed, names, kind)
            for line in p.stdout.splitlines()[1:]:
                self.assertGreater(len(line.split(None, 1)[1]), 15, line)  # a sentence, not just the name
        self.assertIn("Growth: small starter lines", run("list", "policies").stdout)
        p = run("list", "policys")
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean 'policies'?", p.stderr)

    def test_init_writes_a_run_file_that_runs_and_never_overwrites(self):
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([LIMITSIM, "init", "my_book"], capture_output=True, text=True, cwd=d)
            self.assertEqual(p.returncode, 0, p.stderr)
            path = os.path.join(d, "my_book.toml")
            with open(path) as fh:
                body = fh.read()
            self.assertIn('name = "my_book"', body)
            self.assertIn("# ", body)  # commented
            out = os.path.join(d, "b.h5")
            p = subprocess.run([LIMITSIM, "run", "my_book.toml", "-n", "300", "-p", "2", "--months", "3", "-q", "-o",
                                out], capture_output=True, text=True, cwd=d)
            self.assertEqual(p.returncode, 0, p.stderr)
            with h5py.File(out, "r") as f:
                self.assertEqual(sorted(text(x) for x in f["policies"][()]), ["card_prime", "static"])
            p = subprocess.run([LIMITSIM, "init", "my_book"], capture_output=True, text=True, cwd=d)
            self.assertEqual(p.returncode, 2)
            self.assertIn("never overwrites", p.stderr)
            with open(path) as fh:
                self.assertEqual(fh.read(), body)
            p = subprocess.run([LIMITSIM, "init", "../escape"], capture_output=True, text=True, cwd=d)
            self.assertEqual(p.returncode, 2)

    def test_validate_and_dry_run_check_everything_and_write_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "sub", "never.h5")
            stale = os.path.join(d, "x.h5.tmp.999999999")  # a killed run's temporary: a dry run removes nothing
            open(stale, "w").close()
            before = sorted(os.listdir(d))
            p = run("validate", "configs/stress_test.toml", "-n", "20000", "-p", "64", "-b", "cpu", "-j", "2",
                    "-o", out)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("the configuration is valid", p.stdout)
            # 20,000 x 36 months x 64 paths x (2 policies x 4 scenarios): the customer-months, by hand
            self.assertIn("3.69e+08 customer-months (20,000 customers x 36 months x 64 paths x 8 scenario-policy pairs)",
                          p.stdout)
            for name in ("static", "lender_rules", "baseline", "severe"):
                self.assertIn("'" + name + "'", p.stdout)
            self.assertRegex(p.stdout, r"memory +about [0-9.]+ MiB \([0-9.]+ MiB of exact sums\)")
            self.assertRegex(p.stdout, r"time +about .* on ")
            self.assertIn("cpu, 2 threads", p.stdout)
            self.assertEqual(sorted(os.listdir(d)), before)  # no output, no folder made, the temporary kept
            # run --dry-run is the same check and text
            q = run("run", "configs/stress_test.toml", "-n", "20000", "-p", "64", "-b", "cpu", "-j", "2", "-o", out,
                    "--dry-run")
            self.assertEqual(q.returncode, 0, q.stderr)
            self.assertEqual(q.stdout, p.stdout)
            # a sweep file is recognised by its [sweep] table
            p = run("validate", "configs/sweep_lender_rules.toml", "-n", "1000", "-o", os.path.join(d, "s.h5"))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("'lender_rules' and 24 variants over 3 parameters", p.stdout)
            self.assertEqual(sorted(os.listdir(d)), before)
            # a real population is loaded (every row read and checked) and counted
            p = run("validate", "configs/uci.toml", "-o", os.path.join(d, "u.h5"))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("29,972 customers loaded from", p.stdout)  # the 30,000 clients less 28 already charged off
            self.assertIn("as of 2005-09", p.stdout)
            # errors are the run's own: a bad value, an output that is an input
            p = run("validate", "configs/stress_test.toml", "-p", "0")
            self.assertEqual(p.returncode, 2)
            self.assertIn("paths", p.stderr)
            p = run("validate", "configs/stress_test.toml", "-o", "configs/stress_test.toml")
            self.assertEqual(p.returncode, 2)
            self.assertIn("which this command reads", p.stderr)
            p = run("validate", "configs/stress_test.toml", "--csv", os.path.join(d, "x.csv"))
            self.assertEqual(p.returncode, 2)
            self.assertIn("only a sweep file", p.stderr)
            # a run estimated past --max-hours is described, with the note that it needs --yes
            p = run("validate", "configs/stress_test.toml", "-n", "100000000", "-p", "1000", "-b", "cpu", "-j", "1",
                    "--max-hours", "1", "-o", out)
            self.assertIn("will need --yes", p.stdout + p.stderr)

    def test_bash_completion_completes_commands_options_and_choices(self):
        script = run("completion", "bash")
        self.assertEqual(script.returncode, 0)

        def complete(*words):
            probe = script.stdout + "\nCOMP_WORDS=(" + " ".join(f"'{w}'" for w in words) + ")\n" + \
                f"COMP_CWORD={len(words) - 1}\n_limitsim\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
            p = subprocess.run(["bash", "-c", probe], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            return p.stdout.split()

        self.assertEqual(complete("limitsim", "sum"), ["summary"])
        self.assertIn("export", complete("limitsim", "e"))
        self.assertIn("--format", complete("limitsim", "summary", "--f"))
        self.assertEqual(sorted(complete("limitsim", "summary", "--format", "")), ["csv", "json", "table"])
        self.assertEqual(sorted(complete("limitsim", "run", "--backend", "c")), ["cpu", "cuda"])
        self.assertIn("--importance-shift", complete("limitsim", "run", "--imp"))


class Sweep(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = os.path.join(cls.tmp.name, "sweep.h5")
        cls.csv = os.path.join(cls.tmp.name, "sweep.csv")
        cls.proc = run("sweep", "configs/sweep_lender_rules.toml", "--customers", "1500", "--paths", "5",
                       "--months", "13", "--threads", "2", "--out", cls.out, "--csv", cls.csv)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_writes_hdf5_and_csv_that_agree(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertIn("frontier", self.proc.stdout)
        records = list(csv.DictReader(open(self.csv)))
        self.assertEqual(len(records), 25)
        self.assertEqual(records[0]["policy"], "lender_rules")
        self.assertEqual(records[0]["net_income_diff"], "0")
        with h5py.File(self.out, "r") as f:
            g = f["sweep"]
            self.assertEqual(text(g.attrs["base_policy"]), "lender_rules")
            self.assertEqual(text(g.attrs["keys"]), "review.raise_pct,review.every_months,freeze.at_dpd")
            self.assertEqual(g["parameter_values"].shape, (25, 3))
            self.assertEqual([text(p) for p in g["policy"][()]], [r["policy"] for r in records])
            self.assertEqual(list(f["policies"].asstr()[()]), [r["policy"] for r in records])
            for col in ("net_loss", "var_99", "net_income", "net_income_diff_lo", "average_utilization"):
                for i, rec in enumerate(records):
                    self.assertEqual(float(g[col][i]), float(rec[col]), (col, i))
            for i, rec in enumerate(records):
                self.assertEqual(int(g["frontier_loss"][i]), int(rec["frontier_loss"]))
                self.assertEqual(list(g["parameter_values"][i]),
                                 [float(rec[k]) for k in ("review.raise_pct", "review.every_months", "freeze.at_dpd")])
            # net_loss is the mean over paths of the summed charge-off losses of each variant
            for i, pol in enumerate(records):
                loss = f["results/baseline/" + pol["policy"] + "/monthly/chargeoff_loss"][()]
                self.assertAlmostEqual(float(g["net_loss"][i]), loss.sum(axis=1).mean() / 100.0, delta=1e-6)
        # The frontier flags are the undominated (net_loss, net_income) points.
        pts = [(float(r["net_loss"]), float(r["net_income"])) for r in records]
        for i, (x, y) in enumerate(pts):
            dominated = any(x2 <= x and y2 >= y and (x2, y2) != (x, y) for x2, y2 in pts)
            self.assertEqual(records[i]["frontier_loss"] == "1", not dominated, records[i]["policy"])

    def test_csv_follows_out_and_may_not_be_the_hdf5_file(self):
        d = os.path.join(self.tmp.name, "csvpath")
        os.makedirs(d)
        cfg = os.path.join(d, "s.toml")
        with open(cfg, "w") as fh:
            fh.write('policies = [{ name = "p", review = { every_months = 3 } }]\n'
                     'scenarios = [{ name = "s" }]\n[run]\noutput = "from_file.h5"\n'
                     '[sweep]\nparameters = [{ key = "review.raise_pct", values = [0.1, 0.3] }]\n')
        out = os.path.join(d, "other.h5")
        proc = run("sweep", cfg, "--customers", "300", "--paths", "2", "--months", "4", "--out", out, "--quiet")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(os.path.exists(os.path.join(d, "other.csv")))
        self.assertFalse(os.path.exists(os.path.join(d, "from_file.csv")))
        same = os.path.join(d, "same.h5")
        proc = run("sweep", cfg, "--customers", "300", "--paths", "2", "--months", "4", "--out", same,
                   "--csv", same, "--quiet")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--csv: is the HDF5 output file too", proc.stderr)
        self.assertFalse(os.path.exists(same))

    def test_run_refuses_a_sweep_file_and_sweep_needs_one(self):
        proc = run("run", "configs/sweep_lender_rules.toml", "--out", os.path.join(self.tmp.name, "x.h5"))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("read only by `limitsim sweep`", proc.stderr)
        proc = run("sweep", QUICKSTART, "--out", os.path.join(self.tmp.name, "y.h5"))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("a sweep file needs a [sweep] table", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "x.h5")))
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "y.h5")))


class Errors(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.tmp.name, "never.h5")

    def tearDown(self):
        self.tmp.cleanup()

    def assertRefused(self, proc, *needles):
        self.assertNotEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        for n in needles:
            self.assertIn(n, proc.stderr + proc.stdout)
        self.assertFalse(os.path.exists(self.out))
        written = [f for f in os.listdir(self.tmp.name) if not f.endswith(".toml")]
        self.assertEqual(written, [], "nothing but the test's own configs may be in the folder")

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as fh:
            fh.write(text)
        return path

    def test_missing_config(self):
        self.assertRefused(run("run", "no/such/file.toml", "--out", self.out), "no/such/file.toml")

    def test_bad_command_line_values(self):
        for opt, val in (("--paths", "0"), ("--months", "0"), ("--customers", "0"),
                         ("--backend", "gpu"), ("--months", "100000"), ("--batch-size", "0"),
                         ("--seed", "-1"), ("--paths", "-3"), ("--threads", "-1")):
            self.assertRefused(run("run", QUICKSTART, opt, val, "--out", self.out), opt)
        for opt, val in (("--paths", "abc"), ("--seed", "x"), ("--customers", "1e3"), ("--months", "2.5")):
            self.assertRefused(run("run", QUICKSTART, opt, val, "--out", self.out), opt)

    def test_bad_config_names_file_line_and_key(self):
        root = os.getcwd()
        path = self.write("bad.toml", f"""population = "{root}/configs/population/synthetic.toml"
policies = ["{root}/configs/policies/simple_review.toml"]
scenarios = ["{root}/configs/scenarios/baseline.toml"]

[run]
name = "bad"
paths = 2

[behaviour.delinquency]
rho = 1.5
""")
        p = run("run", path, "--out", self.out)
        self.assertRefused(p, "bad.toml", "rho")
        self.assertIn(":10", p.stderr)

    def test_unknown_key(self):
        path = self.write("unknown.toml", '[run]\nname = "x"\npathz = 3\n')
        self.assertRefused(run("run", path, "--out", self.out), "unknown.toml", "pathz")

    def test_syntax_error(self):
        path = self.write("syntax.toml", '[run]\nname = "x\n')
        self.assertRefused(run("run", path, "--out", self.out), "syntax.toml")

    def test_cuda_without_gpu_is_a_clear_error(self):
        v = run("--version")
        self.assertEqual(v.returncode, 0)
        if "auto would use: cuda" in v.stdout:
            self.skipTest("a GPU is present")
        self.assertRefused(run("run", QUICKSTART, "--backend", "cuda", "--customers", "10", "--out", self.out),
                           "cuda")

    def test_interrupt_leaves_no_file(self):
        # A run big enough to still be going after a second, then Ctrl-C.
        proc = subprocess.Popen([LIMITSIM, "run", QUICKSTART, "--customers", "2000000", "--paths", "64",
                                 "--out", self.out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 130, out + err)
        self.assertIn("interrupted", err)
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual([f for f in os.listdir(self.tmp.name)], [])

    def test_importance_shift_option_exists(self):
        p = run("run", "--help")
        self.assertIn("--importance-shift", p.stdout)
        p = run("sweep", "--help")
        self.assertIn("--importance-shift", p.stdout)
        p = run("run", QUICKSTART, "--importance-shift", "abc", "--out", self.out)
        self.assertRefused(p, "--importance-shift")

    def test_version(self):
        v = run("--version")
        self.assertEqual(v.returncode, 0)
        self.assertIn("limitsim", v.stdout)
        self.assertIn("backends: cpu", v.stdout)
        self.assertIn("cuda device:", v.stdout)
        self.assertRegex(v.stdout, r"\nmpi: (not built in|.*built in)")


UCI_DATA = "data/uci-credit-card/uci_credit_card.csv"
UCI_MAPPING = "configs/population/uci_credit_card.toml"


class RealData(unittest.TestCase):
    """Issue 5 end to end on the shipped UCI panel: run, calibrate, backtest, and bad input."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def test_run_on_the_real_population(self):
        out = self.path("uci.h5")
        p = run("run", "configs/uci.toml", "--paths", "4", "--months", "3", "--threads", "2", "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("loaded 29,972 customers", p.stderr)
        self.assertIn("left out 28 already charged off", p.stderr)   # PAY_0 = 7 or 8: past 180 days
        self.assertIn("as of 2005-09", p.stderr)
        with h5py.File(out, "r") as f:
            a = f.attrs
            self.assertEqual(text(a["population_kind"]), "file")
            self.assertTrue(text(a["population_file"]).endswith(UCI_DATA))
            self.assertEqual(text(a["population_sha256"]),
                             "f7b7d22d1f8dd27dadb25d4b78d8a4ae7c441ab6cc12d1ea58c0efc54d4d1788")
            self.assertEqual(int(a["customers"]), 29972)
            self.assertEqual(int(f["segments/customers"][()].sum()), 29972)
            cfg = text(f["config"][()])
            self.assertIn('kind = "file"', cfg)
            self.assertIn('sha256 = "f7b7d22d', cfg)
            self.assertIn("[behaviour.calibration]", cfg)
        # The effective configuration reproduces the run, byte for byte in the sums.
        eff = self.path("uci-effective.toml")
        with open(eff, "w") as fh:
            fh.write(cfg)
        again = self.path("uci-again.h5")
        q = run("run", eff, "--out", again, "--quiet")
        self.assertEqual(q.returncode, 0, q.stderr)
        with h5py.File(out, "r") as f, h5py.File(again, "r") as g:
            for scen in f["results"]:
                for pol in f["results"][scen]:
                    np.testing.assert_array_equal(f["results"][scen][pol]["monthly/balance"][()],
                                                  g["results"][scen][pol]["monthly/balance"][()])

    def test_results_do_not_depend_on_row_order(self):
        """Customers keep their ids, and their draws are keyed by id: shuffled rows give the same bytes."""
        shuffled = self.path("shuffled.csv")
        with open(UCI_DATA) as src:
            header, *rows = src.readlines()
        order = np.random.default_rng(5).permutation(len(rows))
        with open(shuffled, "w") as dst:
            dst.write(header)
            dst.writelines(rows[i] for i in order)
        outs = []
        for data in (UCI_DATA, shuffled):
            out = self.path("order-%d.h5" % len(outs))
            p = run("run", "configs/uci.toml", "--population", data, "--paths", "3", "--months", "4",
                    "--threads", "2", "--out", out, "--quiet")
            self.assertEqual(p.returncode, 0, p.stderr)
            outs.append(out)
        with h5py.File(outs[0], "r") as f, h5py.File(outs[1], "r") as g:
            self.assertNotEqual(text(f.attrs["population_sha256"]), text(g.attrs["population_sha256"]))
            for scen in f["results"]:
                for pol in f["results"][scen]:
                    for name in f["results"][scen][pol]["by_segment"]:
                        a = f["results"][scen][pol]["by_segment"][name][()]
                        b = g["results"][scen][pol]["by_segment"][name][()]
                        np.testing.assert_array_equal(a, b, err_msg=scen + "/" + pol + "/" + name)

    def test_population_options_on_any_run_file(self):
        out = self.path("qs-uci.h5")
        p = run("run", QUICKSTART, "--population", UCI_DATA, "--mapping", UCI_MAPPING, "--as-of", "2005-06",
                "--paths", "2", "--months", "2", "--out", out, "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        with h5py.File(out, "r") as f:
            self.assertEqual(int(f.attrs["customers"]), 30000 - 58 - 2)   # PAY_4 = 7 (58) or 8 (2) in June: charged off
            self.assertIn('as_of = "2005-06"', text(f["config"][()]))

    def test_bad_real_population_input_is_refused_and_writes_nothing(self):
        out = self.path("never.h5")
        bad_csv = self.path("bad.csv")
        with open(UCI_DATA) as src, open(bad_csv, "w") as dst:
            lines = src.readlines()[:6]
            cells = lines[3].split(",")
            cells[1] = "-5000"                       # a negative limit on line 4
            lines[3] = ",".join(cells)
            dst.writelines(lines)
        cases = [
            (["--population", UCI_DATA], "--population: a real population needs both"),
            (["--population", UCI_DATA, "--mapping", "no/such.toml"], "--mapping: cannot open"),
            (["--population", UCI_DATA, "--mapping", UCI_MAPPING, "--customers", "10"], "--customers"),
            (["--population", UCI_DATA, "--mapping", UCI_MAPPING, "--as-of", "2005-13"], "2005-13"),
            (["--as-of", "2005-06"], "--as-of: applies to a real population only"),
            (["--population", bad_csv, "--mapping", UCI_MAPPING], "bad.csv:4: column 'LIMIT_BAL'"),
            (["--population", bad_csv, "--mapping", UCI_MAPPING, "--on-bad-row", "maybe"], "--on-bad-row"),
        ]
        for extra, message in cases:
            p = run("run", QUICKSTART, *extra, "--paths", "2", "--months", "2", "--out", out)
            self.assertEqual(p.returncode, 2, (extra, p.stderr))
            self.assertIn(message, p.stderr, extra)
            self.assertFalse(os.path.exists(out), extra)
        # Lines of 1e12 currency units for 1,000 customers could overflow the exact sums: refused.
        big_csv, big_map = self.path("big.csv"), self.path("big.toml")
        with open(big_csv, "w") as fh:
            fh.write("id,limit,balance\n" + "".join("%d,1000000000000,5\n" % i for i in range(1, 1001)))
        with open(big_map, "w") as fh:
            fh.write('[fields]\nid = "id"\nlimit = "limit"\nbalance = "balance"\n')
        p = run("run", QUICKSTART, "--population", big_csv, "--mapping", big_map, "--out", out)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("could overflow the exact 64-bit sums", p.stderr)
        self.assertFalse(os.path.exists(out))
        # Skipping: the four good rows run, and the file counts the skipped one.
        p = run("run", QUICKSTART, "--population", bad_csv, "--mapping", UCI_MAPPING, "--on-bad-row", "skip",
                "--paths", "2", "--months", "2", "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("skipped 1 bad rows of 5", p.stderr)
        with h5py.File(out, "r") as f:
            self.assertEqual(int(f.attrs["customers"]), 4)
            self.assertEqual(int(f.attrs["population_rows_skipped"]), 1)

    def test_calibrate_writes_a_behaviour_that_runs(self):
        beh = self.path("cal.toml")
        p = run("calibrate", UCI_DATA, "--mapping", UCI_MAPPING, "--window", "2005-04:2005-08", "--out", beh)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Bucket transitions", p.stdout)
        with open(beh) as fh:
            body = fh.read()
        self.assertIn('months = ["2005-04", "2005-05", "2005-06", "2005-07", "2005-08"]', body)
        self.assertIn("transitions = 120000", body)
        run_file = self.path("cal-run.toml")
        with open(run_file, "w") as fh:
            fh.write('behaviour = "cal.toml"\n[run]\nname = "cal"\nmonths = 2\npaths = 2\n'
                     '[[policies]]\nname = "static"\n[[scenarios]]\nname = "baseline"\n')
        q = run("run", run_file, "--customers", "500", "--out", self.path("cal.h5"), "--quiet")
        self.assertEqual(q.returncode, 0, q.stderr)
        for args, message in [(["--window", "2005-08:2005-04"], "--window"),
                              (["--window", "2005-04"], "--window"),
                              (["--window", "2004-01:2005-08"], "2004-01")]:
            r = run("calibrate", UCI_DATA, "--mapping", UCI_MAPPING, "--out", self.path("no.toml"), *args)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(message, r.stderr)
            self.assertFalse(os.path.exists(self.path("no.toml")))

    def test_calibrate_fits_a_behaviour_score(self):
        card, beh = self.path("uci-score.toml"), self.path("uci-score-behaviour.toml")
        p = run("calibrate", UCI_DATA, "--mapping", UCI_MAPPING, "--scorecard", card, "--label-fit", "--out", beh)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("warning: 1,689 delinquent accounts", p.stdout)   # coded 1 in September, nothing owed
        with open(card) as fh:
            body = fh.read()
        auc = float(re.search(r"auc_out_of_fold = ([0-9.]+)", body).group(1))
        self.assertGreaterEqual(auc, 0.75)
        self.assertIn("protected_attributes = false", body)
        for column in ("SEX", "MARRIAGE", "AGE", "EDUCATION"):
            self.assertNotIn('"%s"' % column, body)
        with open(beh) as fh:
            self.assertIn("the miss regression is fitted to the label", fh.read())
        # A mapping that takes its score from the scorecard runs.
        mapping = self.path("uci-scored.toml")
        with open(UCI_MAPPING) as src, open(mapping, "w") as dst:
            dst.write(src.read().replace('score = { rank_of = "limit", mean = 680.0, sd = 80.0 }',
                                         'score = { scorecard = "uci-score.toml", mean = 680.0, sd = 80.0 }'))
        q = run("run", QUICKSTART, "--population", UCI_DATA, "--mapping", mapping, "--paths", "2", "--months", "2",
                "--out", self.path("scored.h5"), "--quiet")
        self.assertEqual(q.returncode, 0, q.stderr)

    def test_backtest_on_the_real_file(self):
        report = self.path("backtest.md")
        p = run("backtest", "configs/backtest_uci.toml", "--paths", "40", "--report", report)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("observed default rate 22.08%", p.stdout)       # the 29,972 clients not charged off
        self.assertIn("28 clients charged off by 2005-09 left out", p.stdout)
        with open(report) as fh:
            md = fh.read()
        self.assertIn("## 1. Out of time: 2005-09 from 2005-08", md)
        self.assertIn("| 1-30 | 3,686 |", md)          # PAY_0 = 1 in September, of the clients not charged off in August
        self.assertIn("| charged off | 9 |", md)       # PAY_2 <= 6, PAY_0 = 7 or 8
        self.assertRegex(md, r"limitsim's predicted probability \| \*\*0\.[5-9]\d\d\*\*")
        # Check 3: the label with a behaviour score, out of fold; check 4: balances and payments.
        self.assertIn("## 3. The label with a behaviour score, out of fold", md)
        self.assertIn("default.payment.next.month", md)
        self.assertRegex(md, r"\| the behaviour score alone \(its own probability\) \| 29,972 \| 22\.08% \| 2\d\.\d\d% \| 0\.7[5-9]\d \|")
        self.assertIn("miss regression fitted to the label", md)
        self.assertIn("## 4. Balances and payments: 2005-05 .. 2005-09 from 2005-04", md)
        q = run("backtest", QUICKSTART)
        self.assertEqual(q.returncode, 2)
        self.assertIn("needs a real population", q.stderr)


class CalibrateTargets(unittest.TestCase):
    """limitsim calibrate --targets: the fit written as a behaviour file that runs, its exit codes and errors."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def targets(self, value):
        path = os.path.join(self.tmp.name, f"targets_{value}.toml")
        with open(path, "w") as fh:
            fh.write(f"""[calibrate]
run = "{os.getcwd()}/configs/card_prime.toml"
customers = 800
paths = 3
months = 6
seed = 3
evaluations = 8

[[target]]
figure = "overdue30_balance"
months = [4, 6]
value = {value}
tolerance = 0.004
parameter = "delinquency.miss_probability"
bounds = [0.002, 0.05]
source = "e2e"

[[check]]
figure = "balance_to_line"
months = [1, 6]
band = [0.0, 1.0]
source = "e2e"
""")
        return path

    def test_fit_writes_a_behaviour_that_runs(self):
        out = os.path.join(self.tmp.name, "fitted.toml")
        p = run("calibrate", "--targets", self.targets(0.03), "--base", "configs/behaviour/card_prime.toml",
                "--out", out, "--threads", "2", "--quiet")
        self.assertIn(p.returncode, (0, 3), p.stderr)
        self.assertIn("overdue30_balance", p.stdout)
        self.assertIn("MC error", p.stdout)
        with open(out) as fh:
            text = fh.read()
        self.assertIn("#   limitsim calibrate --targets", text)
        self.assertIn("# FRED TERMCBCCALLNS", text)  # the base's comments are kept
        cfg = os.path.join(self.tmp.name, "fitted_run.toml")
        with open(cfg, "w") as fh:
            fh.write(f'population = "{os.getcwd()}/configs/population/card_prime.toml"\nbehaviour = "{out}"\n'
                     'policies = [{ name = "p" }]\nscenarios = [{ name = "s" }]\n\n[run]\nname = "fitted"\n')
        r = run("run", cfg, "--customers", "300", "--paths", "2", "--months", "3", "--quiet",
                "--out", os.path.join(self.tmp.name, "q.h5"))
        self.assertEqual(r.returncode, 0, r.stderr)
        # Out of reach: reported, exit code 3, the file still written.
        far = os.path.join(self.tmp.name, "far.toml")
        q = run("calibrate", "--targets", self.targets(0.9), "--base", "configs/behaviour/card_prime.toml",
                "--out", far, "--quiet")
        self.assertEqual(q.returncode, 3, q.stderr)
        self.assertIn("NOT REACHED", q.stdout)
        self.assertIn("at the upper bound", q.stdout)
        self.assertTrue(os.path.exists(far))

    def test_errors(self):
        p = run("calibrate", "--targets", self.targets(0.03), "--out", os.path.join(self.tmp.name, "x.toml"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("--targets: needs --base", p.stderr)
        bad = os.path.join(self.tmp.name, "bad.toml")
        with open(self.targets(0.03)) as fh, open(bad, "w") as out:
            out.write(fh.read().replace('figure = "overdue30_balance"', 'figure = "overdue31"'))
        q = run("calibrate", "--targets", bad, "--base", "configs/behaviour/card_prime.toml",
                "--out", os.path.join(self.tmp.name, "y.toml"))
        self.assertEqual(q.returncode, 2)
        self.assertIn("target[0].figure: must be one of", q.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "y.toml")))


FOREIGN_MAPPING = "configs/population/foreign_snapshot.toml"


def write_foreign_snapshot(path, n=20000, seed=7):
    """A synthetic cross-section in the layout of a 150,000-row public credit file: an unnamed index column, no
    limit, a utilization ratio, counts of past-due events over two years, NA in the income, a 2-year label."""
    rng = np.random.default_rng(seed)
    hidden = rng.normal(size=n)                                   # the borrower's risk, seen only through the columns
    util = np.clip(rng.beta(0.7, 1.5, size=n) + 0.25 * np.maximum(hidden, 0), 0, None)
    outlier = rng.random(n) < 0.01                                # ratios in the thousands, as in the real file
    util[outlier] = rng.uniform(10, 3000, size=outlier.sum())
    late30 = rng.poisson(0.25 * np.exp(0.7 * hidden))
    late60 = rng.poisson(0.06 * np.exp(0.9 * hidden))
    late90 = rng.poisson(0.05 * np.exp(1.0 * hidden))
    income = np.round(np.exp(rng.normal(8.5 - 0.1 * hidden, 0.6)))
    income_na = rng.random(n) < 0.2 + 0.05 * (hidden > 1)
    debt = np.exp(rng.normal(-1.0, 1.0, size=n))
    age = rng.integers(21, 90, size=n)
    lines = rng.poisson(8, size=n)
    estate = rng.poisson(1, size=n)
    dependents = rng.poisson(0.8, size=n).astype(float)
    dep_na = rng.random(n) < 0.026
    eta = -3.3 + 1.5 * np.minimum(util, 1.5) + 0.45 * np.minimum(late30, 5) + 0.6 * np.minimum(late60, 5) \
        + 0.8 * np.minimum(late90, 5) + 0.3 * hidden
    label = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    with open(path, "w") as fh:
        fh.write(",SeriousDlqin2yrs,RevolvingUtilizationOfUnsecuredLines,age,NumberOfTime30-59DaysPastDueNotWorse,"
                 "DebtRatio,MonthlyIncome,NumberOfOpenCreditLinesAndLoans,NumberOfTimes90DaysLate,"
                 "NumberRealEstateLoansOrLines,NumberOfTime60-89DaysPastDueNotWorse,NumberOfDependents\n")
        for i in range(n):
            fh.write("%d,%d,%.6f,%d,%d,%.6f,%s,%d,%d,%d,%d,%s\n" % (
                i + 1, label[i], util[i], age[i], late30[i], debt[i], "NA" if income_na[i] else "%d" % income[i],
                lines[i], late90[i], estate[i], late60[i], "NA" if dep_na[i] else "%d" % dependents[i]))
    return label.mean()


class ForeignData(unittest.TestCase):
    """Issue 18: another lender's cross-section loads as delivered, is scored and backtested without a panel."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.csv = os.path.join(cls.tmp.name, "cs-training.csv")
        cls.rate = write_foreign_snapshot(cls.csv)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def test_loads_as_delivered_and_runs(self):
        p = run("run", QUICKSTART, "--population", self.csv, "--mapping", FOREIGN_MAPPING, "--paths", "2",
                "--months", "3", "--out", self.path("foreign.h5"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("20,000 rows read, 20,000 kept, 0 skipped", p.stderr)
        self.assertRegex(p.stderr, r"filled: income: NA, filled by defaults.income: 4,\d\d\d rows")
        self.assertIn("capped:", p.stderr)
        self.assertIn("starting mix of 20,000 customers", p.stderr)
        with h5py.File(self.path("foreign.h5"), "r") as f:
            self.assertEqual(int(f.attrs["customers"]), 20000)

    def test_calibrate_and_backtest_a_snapshot(self):
        card, beh = self.path("foreign_scorecard.toml"), self.path("foreign_behaviour.toml")
        p = run("calibrate", self.csv, "--mapping", FOREIGN_MAPPING, "--scorecard", card, "--out", beh)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(card) as fh:
            body = fh.read()
        self.assertGreater(float(re.search(r"auc_out_of_fold = ([0-9.]+)", body).group(1)), 0.7)
        self.assertNotIn('"age"', body)
        self.assertIn('column = "MonthlyIncome"', body)
        self.assertIn("na_coef", body)                      # MonthlyIncome has NAs: an indicator of its own
        with open(beh) as fh:
            self.assertIn("within 24 months", fh.read())
        pop = self.path("foreign_population.toml")
        with open(pop, "w") as fh:
            fh.write('[population]\nkind = "file"\nfile = %s\nmapping = %s\n' %
                     (json.dumps(self.csv), json.dumps(os.path.abspath(FOREIGN_MAPPING))))
        bt = self.path("foreign_backtest.toml")
        with open(bt, "w") as fh:
            fh.write('population = "foreign_population.toml"\nbehaviour = %s\n'
                     'policies = [%s]\nscenarios = [%s]\n[run]\nname = "foreign"\nseed = 3\npaths = 8\n'
                     'months = 1\n' % (json.dumps(os.path.abspath("configs/behaviour/legacy.toml")),
                                       json.dumps(os.path.abspath("configs/policies/static.toml")),
                                       json.dumps(os.path.abspath("configs/scenarios/baseline.toml"))))
        report = self.path("foreign.md")
        q = run("backtest", bt, "--report", report)
        self.assertEqual(q.returncode, 0, q.stderr)
        self.assertIn("label with the behaviour score, out of 5 folds", q.stdout)
        with open(report) as fh:
            md = fh.read()
        self.assertIn("within 24 months", md)
        self.assertIn("| decile of the prediction |", md)
        m = re.search(r"\| model, miss regression fitted to the label, risk = the behaviour score \| 20,000 \| "
                      r"([0-9.]+)% \| ([0-9.]+)%", md)
        self.assertIsNotNone(m, md[:3000])
        self.assertAlmostEqual(float(m.group(1)), 100 * self.rate, places=1)
        self.assertLess(abs(float(m.group(2)) - float(m.group(1))), 2.0)   # the aggregate within 2 points


if __name__ == "__main__":
    LIMITSIM = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""End-to-end tests of the limitsim command line.

Runs the CLI on a small configuration, reads the HDF5 result back with h5py and
checks its schema and internal consistency; checks the CLI's error paths (bad
configs and bad command-line values exit non-zero and write nothing).
Usage: test_cli.py PATH_TO_LIMITSIM   (run from the repository root)
"""
import os
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
            self.assertEqual(a["schema_version"].decode() if isinstance(a["schema_version"], bytes) else a["schema_version"], "1.0")
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

    def test_version(self):
        v = run("--version")
        self.assertEqual(v.returncode, 0)
        self.assertIn("limitsim", v.stdout)
        self.assertIn("backends: cpu", v.stdout)
        self.assertIn("cuda device:", v.stdout)


if __name__ == "__main__":
    LIMITSIM = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

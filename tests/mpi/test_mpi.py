#!/usr/bin/env python3
"""MPI runs (docs/scaling.md): the same run under `mpirun --oversubscribe -np N`
for N = 1, 2, 3, 4 must give a result file whose every dataset is byte for byte
that of the build without MPI (limitsim_serial), and every attribute too except
the four that describe how it ran (created_utc, wall_seconds, device,
mpi_ranks); and a rank that fails at start-up or mid-run must end the job with
a non-zero exit code, one clear message and no result file.

Usage (from the repository root; ctest label mpi):
    test_mpi.py LIMITSIM_MPI LIMITSIM_SERIAL MPIEXEC [unittest options, e.g. -k Sweep]
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py
import numpy as np

LIMITSIM = SERIAL = MPIEXEC = None
RANKS = (1, 2, 3, 4)
# Attributes of '/' that say how a run ran, not what it computed.
HOW_IT_RAN = {"created_utc", "wall_seconds", "device", "mpi_ranks"}
UCI_DATA = "data/uci-credit-card/uci_credit_card.csv"
UCI_MAPPING = "configs/population/uci_credit_card.toml"
FOREIGN_MAPPING = "configs/population/foreign_snapshot.toml"

# Open MPI refuses root unless told; these change nothing for other users.
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_btl_vader_single_copy_mechanism="none")


def mpirun(n, *args, **kw):
    return subprocess.run([MPIEXEC, "--oversubscribe", "-np", str(n), LIMITSIM, *args], capture_output=True,
                          text=True, env=ENV, timeout=kw.get("timeout", 300))


def serial(*args):
    return subprocess.run([SERIAL, *args], capture_output=True, text=True, env=ENV, timeout=300)


def attrs(obj):
    return {k: obj.attrs[k] for k in obj.attrs}


def object_key(obj):
    """Where an object lies in its file (its address): a cheap key, unlike obj.name, which HDF5 finds
    by searching the whole tree when the object was opened through a reference."""
    info = h5py.h5o.get_info(obj.id)
    return getattr(info, "addr", None) or info.token


def names_by_address(f):
    """Each object's name, keyed by object_key: built once per file."""
    index = {}
    f.visititems(lambda name, obj: index.setdefault(object_key(obj), "/" + name))
    return index


def plain(v, f, index):
    """A value with object references replaced by the referenced object's name (the dimension scales'
    DIMENSION_LIST and REFERENCE_LIST attributes hold references, whose addresses are the file's own)."""
    if isinstance(v, h5py.Reference):
        return ("ref", index.get(object_key(f[v])) if v else None)
    if isinstance(v, np.void) and v.dtype.names:
        return tuple(plain(v[n], f, index) for n in v.dtype.names)
    if isinstance(v, np.ndarray) and (v.dtype == object or v.dtype.names):
        return [plain(x, f, index) for x in v]
    if isinstance(v, (list, tuple)):
        return [plain(x, f, index) for x in v]
    return v


def same_value(a, b, fa=None, fb=None):
    """fa and fb: (file, names_by_address(file)) where values may hold references."""
    a, b = np.asarray(a), np.asarray(b)
    if fa is not None and (a.dtype == object or a.dtype.names):
        return a.dtype == b.dtype and a.shape == b.shape and repr(plain(a, *fa)) == repr(plain(b, *fb))
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def differences(ref_path, got_path):
    """Every dataset's dtype, shape and bytes, and every attribute, of two files; '' when identical."""
    out = []
    with h5py.File(ref_path, "r") as a, h5py.File(got_path, "r") as b:
        names_a, names_b = [], []
        a.visit(names_a.append)
        b.visit(names_b.append)
        fa, fb = (a, names_by_address(a)), (b, names_by_address(b))
        if sorted(names_a) != sorted(names_b):
            out.append(f"objects differ: only in reference {sorted(set(names_a) - set(names_b))[:5]}, "
                       f"only in MPI run {sorted(set(names_b) - set(names_a))[:5]}")
        for name in ["/"] + sorted(set(names_a) & set(names_b)):
            x, y = a[name], b[name]
            if isinstance(x, h5py.Dataset):
                if x.dtype != y.dtype or x.shape != y.shape:
                    out.append(f"{name}: {x.dtype} {x.shape} against {y.dtype} {y.shape}")
                elif not same_value(x[()], y[()]):
                    out.append(f"{name}: the bytes differ")
            ax, ay = attrs(x), attrs(y)
            skip = HOW_IT_RAN if name == "/" else set()
            if set(ax) - skip != set(ay) - skip:
                out.append(f"{name}: attributes {sorted(set(ax) ^ set(ay))}")
            for k in sorted((set(ax) & set(ay)) - skip):
                if not same_value(ax[k], ay[k], fa, fb):
                    out.append(f"{name}: attribute {k}: {ax[k]!r} against {ay[k]!r}")
    return "\n".join(out[:20])


class Identical(unittest.TestCase):
    """Each case: the reference from the build without MPI, then mpirun -np 1..4 with the same options
    (the same --out, as the file's effective configuration records it), compared."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.tmp.name, "run.h5")
        self.ref = os.path.join(self.tmp.name, "reference.h5")

    def tearDown(self):
        self.tmp.cleanup()

    def check(self, *args, sweep=False):
        command = "sweep" if sweep else "run"
        csv = self.out[:-3] + ".csv"
        if sweep:
            args += ("--csv", csv)
        p = serial(command, *args, "--out", self.out, "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        shutil.move(self.out, self.ref)
        csv_ref = None
        if sweep:
            csv_ref = self.ref + ".csv"
            shutil.move(csv, csv_ref)
        for n in RANKS:
            with self.subTest(ranks=n):
                p = mpirun(n, command, *args, "--out", self.out)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stdout.count("wrote " + self.out), 1, "rank 0 alone prints:\n" + p.stdout)
                diff = differences(self.ref, self.out)
                self.assertEqual(diff, "", f"mpirun -np {n}: the file differs from the build without MPI")
                with h5py.File(self.out, "r") as f:
                    self.assertEqual(int(f.attrs["mpi_ranks"]), n)
                if sweep:
                    with open(csv_ref, "rb") as a, open(csv, "rb") as b:
                        self.assertEqual(a.read(), b.read(), "the sweep's CSV differs")
                    os.remove(csv)
                self.assertEqual([x for x in os.listdir(self.tmp.name) if ".tmp" in x], [], "temporaries left")
                os.remove(self.out)

    def test_stress_run(self):
        # 2 policies x 4 scenarios, each rank in several batches: 2 ranks split the customers, 3 the paths,
        # 4 both (2 customer slices x 2 path slices; docs/scaling.md).
        self.check("configs/stress_test.toml", "--customers", "2501", "--paths", "6", "--months", "12",
                   "--threads", "1", "--batch-size", "300")

    def test_living_book(self):
        # Acquisition: the applicants are split across the ranks' customer slices like the opening book,
        # and the vintage sums are reduced with the rest (schema 1.5).
        self.check("configs/living_book.toml", "--customers", "1500", "--paths", "4", "--months", "8",
                   "--threads", "1", "--batch-size", "300")

    def test_importance_sampling_and_regions(self):
        # tail_risk: three scenarios, importance-sampled factors (weighted paths).
        self.check("configs/tail_risk.toml", "--customers", "1200", "--paths", "12", "--months", "9",
                   "--threads", "1", "--importance-shift", "2.0")

    def test_fewer_customers_than_ranks(self):
        # One path, so the customers alone are split: ranks with no customer at all still take part in the
        # reduction. Then 2 customers over 4 paths: the paths are split.
        self.check("configs/quickstart.toml", "--customers", "2", "--paths", "1", "--months", "6", "--threads", "1")
        self.check("configs/quickstart.toml", "--customers", "2", "--paths", "4", "--months", "6", "--threads", "1")

    def test_sweep(self):
        # 25 policies (the base and 24 variants): the variants are split across the ranks.
        self.check("configs/sweep_lender_rules.toml", "--customers", "700", "--paths", "4", "--months", "8",
                   "--threads", "1", sweep=True)

    def test_sweep_with_more_ranks_than_variants(self):
        # 3 policies on up to 4 ranks: the groups that share a variant split its customers.
        path = os.path.join(self.tmp.name, "small_sweep.toml")
        with open("configs/sweep_lender_rules.toml") as f:
            text = f.read()
        root = os.path.abspath("configs")
        text = text.replace('"population/', f'"{root}/population/').replace('"behaviour/', f'"{root}/behaviour/')
        text = text.replace('"policies/', f'"{root}/policies/').replace('"scenarios/', f'"{root}/scenarios/')
        start = text.index("parameters = [")
        text = text[:start] + 'parameters = [\n  { key = "review.raise_pct", values = [0.1, 0.5] },\n]\n'
        with open(path, "w") as f:
            f.write(text)
        self.check(path, "--customers", "901", "--paths", "5", "--months", "8", "--threads", "1", sweep=True)

    def test_real_population(self):
        # The 30,000 UCI clients: each rank keeps the customers whose id hashes to it; the scores
        # (rank of the limit among all) and the habits (shrunk towards panel-wide means) must not change.
        self.check("configs/uci.toml", "--paths", "6", "--months", "6", "--threads", "1")

    def test_real_population_with_skipped_rows(self):
        # Bad rows and repeated ids skipped: the count in the file is the whole file's.
        data = os.path.join(self.tmp.name, "uci_bad.csv")
        with open(UCI_DATA) as f:
            lines = f.read().splitlines()
        rows = lines[:1] + lines[1:2001]
        rows += [lines[5], lines[17], lines[600]]               # three repeated ids
        rows.insert(40, rows[40].replace(",", ",x", 1))         # an unparsable limit
        with open(data, "w") as f:
            f.write("\n".join(rows) + "\n")
        self.check("configs/uci.toml", "--population", data, "--mapping", UCI_MAPPING, "--on-bad-row", "skip",
                   "--paths", "5", "--months", "4", "--threads", "1")
        with h5py.File(self.ref, "r") as f:
            self.assertEqual(int(f.attrs["population_rows_skipped"]), 4)

    def foreign_snapshot(self, rows=3000):
        """A cross-section in the foreign layout (configs/population/foreign_snapshot.toml): the 12 rows of
        tests/data/loader/foreign.csv repeated, each copy's utilization moved a little, NA incomes kept."""
        with open("tests/data/loader/foreign.csv") as f:
            lines = f.read().splitlines()
        out = [lines[0]]
        for i in range(rows):
            cells = lines[1 + i % 12].split(",")
            cells[0] = str(i + 1)
            cells[2] = "%.6f" % (float(cells[2]) * (1.0 + 0.001 * (i // 12)))
            out.append(",".join(cells))
        path = os.path.join(self.tmp.name, "foreign.csv")
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")
        return path

    def foreign_mapping(self, score):
        with open(FOREIGN_MAPPING) as f:
            text = f.read()
        start = text.index('score = { rank_of = "RevolvingUtilizationOfUnsecuredLines"')
        text = text[:start] + score + text[text.index("\n", start):]
        path = os.path.join(self.tmp.name, "foreign.toml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_foreign_snapshot_with_a_scorecard(self):
        # Issue 18's mapping rules (row-number ids, NA fills, a ratio balance) and a scorecard's scores:
        # each customer's score is its own row's, so the ranks need not share anything for it.
        data = self.foreign_snapshot()
        card = os.path.join(self.tmp.name, "card.toml")
        p = serial("calibrate", data, "--mapping", FOREIGN_MAPPING, "--scorecard", card,
                   "--out", os.path.join(self.tmp.name, "behaviour.toml"))
        self.assertEqual(p.returncode, 0, p.stderr)
        mapping = self.foreign_mapping('score = { scorecard = "%s", mean = 680.0, sd = 80.0 }' % card)
        self.check("configs/quickstart.toml", "--population", data, "--mapping", mapping,
                   "--paths", "4", "--months", "4", "--threads", "1")

    def test_foreign_snapshot_with_the_limit_rank(self):
        # The limit rank (lines filled from incomes: many ties) over every shard.
        data = self.foreign_snapshot()
        mapping = self.foreign_mapping('score = { rank_of = "limit", mean = 680.0, sd = 80.0 }')
        self.check("configs/quickstart.toml", "--population", data, "--mapping", mapping,
                   "--paths", "4", "--months", "4", "--threads", "1")


def owner(customer_id, ranks):
    """The rank that keeps a customer of a real population (Shard::owns, src/data/loader.cpp)."""
    m = (1 << 64) - 1
    z = (customer_id + 0x9E3779B97F4A7C15) & m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    z ^= z >> 31
    return z % ranks


def errors(stderr):
    """Error messages printed: lines that start with 'error:'."""
    return sum(1 for line in stderr.splitlines() if line.startswith("error:"))


class Failures(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.tmp.name, "run.h5")

    def tearDown(self):
        self.tmp.cleanup()

    def assertNoFile(self):
        left = [x for x in os.listdir(self.tmp.name) if x.startswith("run")]
        self.assertEqual(left, [], "no result file and no temporary may be left")

    def test_bad_config_is_reported_once(self):
        path = os.path.join(self.tmp.name, "bad.toml")
        with open("configs/quickstart.toml") as f:
            text = f.read().replace("\n[run]\n", "\n[run]\npathz = 3\n", 1)
        with open(path, "w") as f:
            f.write(text)
        p = mpirun(3, "run", path, "--out", self.out)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(errors(p.stderr), 1, p.stderr)
        self.assertIn("pathz", p.stderr)
        self.assertIn("bad.toml", p.stderr)
        self.assertNoFile()

    def test_bad_option_is_reported_once(self):
        p = mpirun(3, "run", "configs/quickstart.toml", "--paths", "0", "--out", self.out)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(errors(p.stderr), 1, p.stderr)
        self.assertIn("--paths", p.stderr)
        self.assertNoFile()

    def test_a_rank_of_another_column_is_refused(self):
        # score = { rank_of = COLUMN } is ranked within one process only: refused on more than one rank,
        # naming the mapping key, rather than ranked within each rank's share.
        data = os.path.join(self.tmp.name, "foreign.csv")
        shutil.copy("tests/data/loader/foreign.csv", data)
        p = mpirun(2, "run", "configs/quickstart.toml", "--population", data, "--mapping", FOREIGN_MAPPING,
                   "--paths", "2", "--months", "2", "--out", self.out)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(errors(p.stderr), 1, p.stderr)
        self.assertIn('defaults.score: score = { rank_of = "RevolvingUtilizationOfUnsecuredLines"', p.stderr)
        self.assertIn("not supported with more than one MPI rank", p.stderr)
        self.assertNoFile()
        q = mpirun(1, "run", "configs/quickstart.toml", "--population", data, "--mapping", FOREIGN_MAPPING,
                   "--paths", "2", "--months", "2", "--out", self.out, "--quiet")
        self.assertEqual(q.returncode, 0, q.stderr)

    def test_one_rank_fails_at_start_up(self):
        # A repeated id refused (--on-bad-row error) where only the rank that owns it can see it.
        with open(UCI_DATA) as f:
            lines = f.read().splitlines()
        rows = lines[:1] + lines[1:1001]
        ids = [int(r.split(",", 1)[0]) for r in rows[1:]]
        victim = next(i for i in ids if owner(i, 3) == 2)
        rows.append(rows[1 + ids.index(victim)])
        data = os.path.join(self.tmp.name, "dup.csv")
        with open(data, "w") as f:
            f.write("\n".join(rows) + "\n")
        p = mpirun(3, "run", "configs/uci.toml", "--population", data, "--mapping", UCI_MAPPING,
                   "--paths", "4", "--out", self.out)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(errors(p.stderr), 1, p.stderr)
        self.assertIn(f"rank 2: {data}:{len(rows)}: column 'ID': id {victim} is repeated", p.stderr)
        os.remove(data)
        self.assertNoFile()

    def test_one_rank_fails_mid_run(self):
        env = dict(ENV, LIMITSIM_TEST_FAIL_RANK="2")
        p = subprocess.run([MPIEXEC, "--oversubscribe", "-np", "3", LIMITSIM, "run", "configs/quickstart.toml",
                            "--customers", "200000", "--paths", "16", "--threads", "1", "--out", self.out],
                           capture_output=True, text=True, env=env, timeout=300)
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertIn("rank 2 of 3: error: LIMITSIM_TEST_FAIL_RANK", p.stderr)
        self.assertIn("limitsim: rank 2 ends the job (MPI_Abort, exit code 1)", p.stderr)
        self.assertNoFile()

    def test_a_killed_rank_ends_the_job(self):
        # Rank 1 is killed (as the kernel's OOM killer would) once rank 0 reports progress.
        proc = subprocess.Popen([MPIEXEC, "--oversubscribe", "-np", "2", LIMITSIM, "run", "configs/quickstart.toml",
                                 "--customers", "400000", "--paths", "16", "--threads", "1", "--out", self.out],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        try:
            seen = ""
            for line in proc.stderr:  # rank 0's first progress line ("10% done"): every rank is simulating
                seen += line
                if "% done" in line:
                    break
            self.assertIn("% done", seen)
            ranks = {}
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/environ", "rb") as f:
                        env = dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
                    with open(f"/proc/{pid}/stat") as f:
                        parent = int(f.read().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError):
                    continue
                if parent == proc.pid and b"OMPI_COMM_WORLD_RANK" in env:
                    ranks[int(env[b"OMPI_COMM_WORLD_RANK"])] = int(pid)
            self.assertIn(1, ranks, "rank 1's process, a child of mpirun")
            os.kill(ranks[1], signal.SIGKILL)
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertNotEqual(proc.returncode, 0, err)
        self.assertNoFile()


class Version(unittest.TestCase):
    def test_version_says_whether_mpi_is_built_in(self):
        v = subprocess.run([LIMITSIM, "--version"], capture_output=True, text=True, env=ENV)
        self.assertEqual(v.returncode, 0, v.stderr)
        self.assertRegex(v.stdout, r"\nmpi: Open MPI v?\d.*built in")
        v = serial("--version")
        self.assertIn("\nmpi: not built in", v.stdout)

    def test_without_mpirun_the_mpi_binary_runs_alone(self):
        # Started without a launcher it is a job of one rank (a singleton), the same as the build without MPI.
        tmp = tempfile.TemporaryDirectory()
        out = os.path.join(tmp.name, "run.h5")
        args = ("run", "configs/quickstart.toml", "--customers", "500", "--paths", "3", "--months", "4", "--out", out)
        p = serial(*args, "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        shutil.move(out, out + ".ref")
        p = subprocess.run([LIMITSIM, *args, "--quiet"], capture_output=True, text=True, env=ENV, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(differences(out + ".ref", out), "")
        tmp.cleanup()


if __name__ == "__main__":
    LIMITSIM, SERIAL, MPIEXEC = sys.argv[1:4]
    del sys.argv[1:4]
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""MPI strong and weak scaling, and the cost of the reduction and of rank 0's
tail, on this machine (bench/README.md, "MPI: strong and weak scaling").

    python3 bench/bench_mpi.py BUILD_MPI_DIR OUT.json [--repeats R] [--quick]

BUILD_MPI_DIR holds limitsim (with MPI) and limitsim_serial (the same program
without MPI). Every figure is the best of R runs of the whole command
(`mpirun ... limitsim run`, from start to exit), with rank 0's log line
(simulation time of the slowest rank, size and time of the reduction) and
the file's wall_seconds, and the CPU time of all its processes (which, on a
machine shared with other work, shows the cost of the work apart from the
cores it got). The model is configs/quickstart.toml (one policy,
one scenario, 6 score bands).
"""
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

import h5py

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
LOG = re.compile(r"limitsim: (\d+) ranks: simulated in ([\d.]+) s \(slowest rank; rank 0: ([\d.]+) s\), "
                 r"reduced ([\d.]+) MiB of sums in ([\d.]+) s")
CONFIG = "configs/quickstart.toml"


def one(build, ranks, threads, customers, paths, months, out, mpi=True):
    args = ["run", CONFIG, "--customers", str(customers), "--paths", str(paths), "--months", str(months),
            "--threads", str(threads), "--out", out]
    if mpi:
        cmd = ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(ranks), f"{build}/limitsim", *args]
    else:
        cmd = [f"{build}/limitsim_serial", *args]
    t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    total, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    with h5py.File(out, "r") as f:
        wall = float(f.attrs["wall_seconds"])
    os.remove(out)
    m = LOG.search(p.stderr)
    return {"total_s": total, "cpu_s": (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), "wall_seconds": wall,
            "sim_slowest_s": float(m.group(2)) if m else wall, "sim_rank0_s": float(m.group(3)) if m else wall,
            "reduced_mib": float(m.group(4)) if m else 0.0, "reduce_s": float(m.group(5)) if m else 0.0}


def best(repeats, **kw):
    runs = [one(**kw) for _ in range(repeats)]
    b = min(runs, key=lambda r: r["total_s"])
    cm = kw["customers"] * kw["paths"] * kw["months"]
    return dict(mpi=kw.get("mpi", True), ranks=kw["ranks"], threads=kw["threads"], customers=kw["customers"],
                paths=kw["paths"], months=kw["months"], customer_months=cm, repeats=repeats,
                customer_months_per_s=cm / b["total_s"], all_total_s=[r["total_s"] for r in runs], **b)


def main():
    build, path_out = sys.argv[1], sys.argv[2]
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 2
    quick = "--quick" in sys.argv
    strong_n, weak_n = (12000, 6000) if quick else (60000, 30000)
    tmp = tempfile.TemporaryDirectory()
    out = os.path.join(tmp.name, "run.h5")
    load_before = os.getloadavg()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout
    result = {"date": time.strftime("%Y-%m-%d", time.gmtime()), "commit": commit + ("+uncommitted" if dirty else ""),
              "machine": {"cpu": cpu, "cores": os.cpu_count()},
              "mpi": subprocess.run(["mpirun", "--version"], capture_output=True, text=True).stdout.splitlines()[0],
              "config": CONFIG, "load_average_before": load_before}

    def run(**kw):
        r = best(repeats, build=build, out=out, **kw)
        print(f"  {'mpirun' if r['mpi'] else 'no MPI'} ranks {r['ranks']} x threads {r['threads']}: {r['customers']} customers, {r['total_s']:.2f} s, "
              f"cpu {r['cpu_s']:.2f} s, sim {r['sim_slowest_s']:.2f} s, reduce {r['reduce_s']:.3f} s", flush=True)
        return r

    print("strong scaling", flush=True)
    result["strong"] = [run(ranks=1, threads=1, customers=strong_n, paths=16, months=36, mpi=False),
                        run(ranks=1, threads=2, customers=strong_n, paths=16, months=36, mpi=False)]
    for ranks, threads in ((1, 1), (1, 2), (2, 1), (3, 1), (4, 1)):
        result["strong"].append(run(ranks=ranks, threads=threads, customers=strong_n, paths=16, months=36))
    print("weak scaling", flush=True)
    result["weak"] = [run(ranks=n, threads=1, customers=weak_n * n, paths=16, months=36) for n in (1, 2, 3, 4)]
    print("reduction and rank 0's tail: 1,000 paths x 36 months x 6 bands (87 MiB a pair), 64 customers", flush=True)
    result["startup"] = run(ranks=1, threads=1, customers=1, paths=1, months=1, mpi=False)
    result["reduction"] = [run(ranks=1, threads=1, customers=64, paths=1000, months=36, mpi=False)]
    result["reduction"] += [run(ranks=n, threads=1, customers=64, paths=1000, months=36) for n in (2, 4)]
    result["load_average_after"] = os.getloadavg()
    with open(path_out, "w") as f:
        json.dump(result, f, indent=2)
    print("wrote", path_out)


if __name__ == "__main__":
    main()

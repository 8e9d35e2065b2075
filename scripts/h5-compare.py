#!/usr/bin/env python3
"""Compares every numeric dataset of two limitsim result files (say, one run on
the CPU and the same run on the GPU) and writes a JSON report:

    python3 scripts/h5-compare.py A.h5 B.h5 REPORT.json

For each dataset that differs: the share of identical cells and the largest
absolute difference relative to the largest value. The `config` dataset (it
names the backend) is left out. Exit status 0 whatever the differences."""
import json
import sys

import h5py
import numpy as np


def main(path_a, path_b, path_out):
    a, b = h5py.File(path_a, "r"), h5py.File(path_b, "r")
    report = {"a": path_a, "b": path_b, "identical": 0, "different": [], "missing_in_b": []}

    def visit(name, obj):
        if not isinstance(obj, h5py.Dataset) or name == "config":
            return
        if name not in b:
            report["missing_in_b"].append(name)
            return
        x, y = obj[()], b[name][()]
        if not (isinstance(x, np.ndarray) and x.dtype.kind in "iuf"):
            return
        if x.shape == y.shape and np.array_equal(x, y, equal_nan=True):
            report["identical"] += 1
            return
        xf, yf = x.astype(float), y.astype(float)
        scale = float(np.nanmax(np.abs(xf))) if xf.size else 0.0
        cells = float(np.mean(x == y)) if x.shape == y.shape else 0.0
        diff = float(np.nanmax(np.abs(xf - yf))) if x.shape == y.shape and xf.size else float("nan")
        report["different"].append({"dataset": name, "cells_identical": cells,
                                    "max_abs_diff_over_max": diff / scale if scale else diff})

    a.visititems(visit)
    report["attrs_b"] = {k: str(v) for k, v in b.attrs.items() if k in ("backend", "device")}
    with open(path_out, "w") as f:
        json.dump(report, f, indent=2)
    print(f"{report['identical']} datasets identical, {len(report['different'])} differ, "
          f"{len(report['missing_in_b'])} missing")
    for d in report["different"][:20]:
        print(d)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: h5-compare.py A.h5 B.h5 REPORT.json")
    main(*sys.argv[1:])

"""Tidy tables of a limitsim result file: one row per scenario x policy x path x month (x segment).

    python3 -m limitsim.export FILE --format parquet --out FILE.parquet [--metrics a,b] [--by segment]
                                    [--money currency|cents]

The columns are those of ``limitsim export`` (docs/export.md): scenario,
policy, path, month[, segment], weight, then one per metric (``metric[label]``
for the bucket and bin axes). CSV is written by ``limitsim export`` itself;
Parquet needs pyarrow (``pip install pyarrow``: Debian 12 packages no Parquet
library), which pandas uses to write it.
"""
import argparse
import os
import sys
import tempfile

import numpy as np

from .io import LimitsimFileError, load_monthly, load_path_weights


def export_frame(source, metrics=None, *, by_segment=False, money="currency"):
    """The export table as a pandas DataFrame (the columns of ``limitsim export``)."""
    df = load_monthly(source, metrics, by_segment=by_segment, money=money)
    weights = load_path_weights(source)
    w = weights.reindex(df["path"].to_numpy()).to_numpy()
    key = ["scenario", "policy", "path", "month"] + (["segment"] if by_segment else [])
    at = len(key)
    df.insert(at, "weight", np.asarray(w, dtype=float))
    return df


def write_parquet(df, out):
    """Writes df to `out` through a temporary file in the same folder (nothing is left on an error)."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise SystemExit("error: --format parquet needs pyarrow, which Debian 12 does not package: "
                         "pip install pyarrow (or use --format csv)")
    folder = os.path.dirname(os.path.abspath(out))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(out) + ".tmp.", dir=folder)
    os.close(fd)
    try:
        df.to_parquet(tmp, engine="pyarrow", index=False)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="limitsim export", description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--format", choices=["csv", "parquet"], default="csv")
    ap.add_argument("--out", required=True)
    ap.add_argument("--metrics", action="append", default=[])
    ap.add_argument("--by", choices=["segment"])
    ap.add_argument("--money", choices=["currency", "cents"], default="currency")
    a = ap.parse_args(argv)
    metrics = [m for group in a.metrics for m in group.split(",") if m] or None
    try:
        df = export_frame(a.file, metrics, by_segment=a.by == "segment", money=a.money)
    except (LimitsimFileError, KeyError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if a.format == "parquet":
        write_parquet(df, a.out)
    else:
        df.to_csv(a.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

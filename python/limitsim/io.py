"""Readers of limitsim HDF5 result files (docs/hdf5-schema.md) into pandas DataFrames.

Every loader takes a file name (or an open ``h5py.File``), checks that it is a
limitsim result of a supported schema, and returns a tidy DataFrame: one row
per observation, one column per variable, names as given (not escaped).

Conventions, all taken from the file rather than assumed:

- Axes are found by name from each dataset's ``dims`` attribute, not by
  position, and reordered to ``path, month[, segment][, bucket|bin]``.
- Months are 1-based (axis index t is month t + 1, the state at the end of
  that month); paths and segments are 0-based, as in the file.
- Money: a dataset whose ``units`` attribute is ``cents`` is converted to
  currency units as ``cents / 100`` in double precision (the schema's
  ``currency``), unless ``money="cents"`` is asked for, which keeps the exact
  int64 cents. Every other unit (``accounts``, ``ppm``, ``share``...) is kept
  as stored. The unit of every column is in ``df.attrs["units"]``.
- Bucket and bin entries are named by the dataset's ``labels`` attribute.
"""

from __future__ import annotations

import contextlib
import os
import re

import h5py
import numpy as np
import pandas as pd

__all__ = [
    "LimitsimFileError",
    "SUPPORTED_SCHEMA",
    "CENTS_PER_UNIT",
    "open_result",
    "load_meta",
    "load_monthly",
    "load_monthly_figures",
    "load_path_weights",
    "load_path_losses",
    "load_summary",
    "load_summary_monthly",
    "load_pnl",
    "load_tail",
    "load_contributions",
    "load_comparison",
    "load_stress",
    "load_sweep",
    "group_name",
]

#: Schema versions this package reads: major 1, minor 1 or later.
SUPPORTED_SCHEMA = (1, 1)
#: "currency (= cents / 100)": docs/hdf5-schema.md, Conventions.
CENTS_PER_UNIT = 100

# The metrics of monthly/ and by_segment/ in the order of docs/hdf5-schema.md.
# A later minor version may add metrics: they are read too, after these.
_METRIC_ORDER = (  # files before schema 1.4; 1.4 lists them in the group attribute "metrics"
    "active", "bucket_count", "bucket_balance", "chargeoff_count", "chargeoff_exposure", "chargeoff_loss",
    "chargeoff_recovery", "attrited_count", "limit", "balance", "spend", "payment", "interest", "fees",
    "missed_count", "limit_increase_count", "limit_increase_amount", "freeze_count", "frozen_count",
    "utilization_sum", "limit_decrease_count", "limit_decrease_amount", "trigger_increase_count",
    "temp_limit_count", "temp_limit_amount", "signal_count", "draw_count", "shock_start_count", "shocked_count",
    "utilization_histogram",
)


#: VaR and ES resting on fewer paths than this at or beyond the quantile are
#: flagged as rough (src/analysis/risk.hpp, kTailCaveatPaths).
TAIL_CAVEAT_PATHS = 10


class LimitsimFileError(ValueError):
    """The file is not a limitsim result, has an unsupported schema version, or lacks something."""


# ----------------------------------------------------------------------------- low-level helpers


def _str(x) -> str:
    """A fixed-length HDF5 string (bytes) or a str as str."""
    if isinstance(x, (bytes, np.bytes_)):
        return bytes(x).decode("utf-8", errors="replace")
    return str(x)


def _plain(x):
    """An attribute value as a plain Python value (str, int, float)."""
    if isinstance(x, (bytes, np.bytes_, str)):
        return _str(x)
    if isinstance(x, np.generic):
        return x.item()
    return x


def _strings(ds) -> list[str]:
    return [_str(v) for v in np.atleast_1d(ds[()])]


def group_name(name: str) -> str:
    """The HDF5 group name of a scenario or policy: '%' -> %25, '/' -> %2F, '.' -> %2E (Conventions)."""
    out = name.replace("%", "%25").replace("/", "%2F")
    return "%2E" if out == "." else out


def _attr(obj, name: str, what: str | None = None):
    if name not in obj.attrs:
        raise LimitsimFileError(f"{obj.file.filename}: no attribute '{name}' on '{what or obj.name}'")
    return _plain(obj.attrs[name])


def _need(f, path: str, since: str | None = None):
    """f[path] (f a file or a group); LimitsimFileError naming the file and the object when it is missing."""
    if path not in f:
        extra = f" (written since schema {since}; this file is {_str(f.file.attrs['schema_version'])})" if since else ""
        where = path if path.startswith("/") or f.name == "/" else f"{f.name}/{path}"
        raise LimitsimFileError(f"{f.file.filename}: no '{where}'{extra}")
    return f[path]


def _units(ds) -> str:
    if "units" not in ds.attrs:
        raise LimitsimFileError(f"{ds.file.filename}: dataset '{ds.name}' has no 'units' attribute")
    return _str(ds.attrs["units"])


def _dims(ds) -> list[str]:
    if "dims" not in ds.attrs:
        raise LimitsimFileError(f"{ds.file.filename}: dataset '{ds.name}' has no 'dims' attribute")
    text = _str(ds.attrs["dims"])
    dims = [d.strip() for d in text.split(",")] if text else []
    if len(dims) != ds.ndim:
        raise LimitsimFileError(
            f"{ds.file.filename}: dataset '{ds.name}' has {ds.ndim} dimensions but dims = '{text}'")
    return dims


def _labels(ds, n: int) -> list[str]:
    if "labels" in ds.attrs:
        labels = _str(ds.attrs["labels"]).split(",")
        if len(labels) == n:
            return labels
    return [str(i) for i in range(n)]


def _read(ds, order: list[str]) -> np.ndarray:
    """The dataset with its axes in the named order (names from its dims attribute)."""
    dims = _dims(ds)
    missing = [d for d in order if d not in dims]
    extra = [d for d in dims if d not in order]
    if missing or extra:
        raise LimitsimFileError(
            f"{ds.file.filename}: dataset '{ds.name}' has dims '{','.join(dims)}', expected '{','.join(order)}'")
    data = ds[()]
    return np.transpose(data, [dims.index(d) for d in order]) if dims != order else data


def _money(values: np.ndarray, unit: str, money: str):
    """Converts cents to currency units unless money == "cents"; returns (values, unit)."""
    if unit == "cents" and money == "currency":
        return values / float(CENTS_PER_UNIT), "currency"
    return values, unit


def _check_money(money: str):
    if money not in ("currency", "cents"):
        raise ValueError(f"money must be 'currency' or 'cents', not {money!r}")


def _schema(f) -> tuple[int, int]:
    if "schema_version" not in f.attrs:
        raise LimitsimFileError(f"{f.filename}: not a limitsim result file (no schema_version attribute on '/')")
    text = _str(f.attrs["schema_version"])
    m = re.fullmatch(r"(\d+)\.(\d+)", text)
    if not m:
        raise LimitsimFileError(f"{f.filename}: schema_version '{text}' is not MAJOR.MINOR")
    major, minor = int(m.group(1)), int(m.group(2))
    want = f"{SUPPORTED_SCHEMA[0]}.{SUPPORTED_SCHEMA[1]}"
    if major != SUPPORTED_SCHEMA[0]:
        raise LimitsimFileError(
            f"{f.filename}: schema {text} is not supported: this package reads schema {want} to "
            f"{SUPPORTED_SCHEMA[0]}.x (a new major version changes the layout; update the package)")
    if minor < SUPPORTED_SCHEMA[1]:
        raise LimitsimFileError(
            f"{f.filename}: schema {text} is too old: this package reads schema {want} and later "
            f"(re-run the config stored in /config with a current limitsim)")
    return major, minor


@contextlib.contextmanager
def open_result(source):
    """Opens a limitsim result read-only and checks its schema version.

    ``source`` is a file name or an open ``h5py.File`` (left open). Raises
    ``FileNotFoundError`` for a missing file and ``LimitsimFileError`` for a
    file that is not HDF5, not a limitsim result, or of an unsupported schema.
    """
    if isinstance(source, h5py.File):
        _schema(source)
        yield source
        return
    path = os.fspath(source)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise LimitsimFileError(f"{path}: not an HDF5 file ({e})") from None
    try:
        _schema(f)
        yield f
    finally:
        f.close()


def _run_order(f):
    return _strings(_need(f, "scenarios")), _strings(_need(f, "policies"))


def _select(what: str, given, available: list[str]) -> list[str]:
    if given is None:
        return list(available)
    given = [given] if isinstance(given, str) else list(given)
    unknown = [g for g in given if g not in available]
    if unknown:
        raise ValueError(f"unknown {what} {', '.join(map(repr, unknown))}; the file has {', '.join(available)}")
    return given


def _combos(f, scenarios, policies):
    """(scenario, policy, group) in run order, restricted to the names given."""
    all_s, all_p = _run_order(f)
    out = []
    for s in _select("scenario", scenarios, all_s):
        for p in _select("policy", policies, all_p):
            out.append((s, p, _need(f, f"results/{group_name(s)}/{group_name(p)}")))
    return out


def _weights(f) -> np.ndarray:
    paths = int(_attr(f, "paths"))
    if "paths/weight" not in f:  # schema 1.1: no importance sampling, every weight 1
        return np.ones(paths)
    w = _read(f["paths/weight"], ["path"]).astype(float)
    if w.shape != (paths,):
        raise LimitsimFileError(f"{f.filename}: /paths/weight has {w.size} entries for {paths} paths")
    return w


def _level_name(q: float) -> str:
    """0.95 -> '95', 0.999 -> '99.9': the naming of /comparison (var_99.9)."""
    return f"{q * 100:.10g}"


# ----------------------------------------------------------------------------- metadata


def load_meta(source) -> dict:
    """The run's metadata as a dict of plain Python values.

    Keys: every root attribute (``schema_version``, ``run_name``, ``seed``,
    ``customers``, ``paths``, ``months``, ``backend``, ``cost_of_funds``,
    ``importance_shift``...), plus ``scenarios`` and ``policies`` (run order),
    ``baseline`` (the comparison's baseline policy, resolved), ``segment_table`` (a
    DataFrame: segment, customers, band, region), ``config`` (the effective
    TOML), ``weighted`` (whether any path weight differs from 1),
    ``effective_paths`` (Kish's effective sample size of the path weights,
    (sum w)^2 / sum w^2: the number of paths without importance sampling),
    ``has_stress``, ``has_sweep`` and ``has_vintages``, and ``file``.
    """
    with open_result(source) as f:
        meta = {k: _plain(v) for k, v in f.attrs.items()}
        meta["file"] = f.filename
        meta["scenarios"], meta["policies"] = _run_order(f)
        meta["baseline"] = meta.get("baseline_policy") or meta["policies"][0]
        meta["config"] = _str(f["config"][()]) if "config" in f else ""
        names = _strings(_need(f, "segments/names"))
        seg = pd.DataFrame({"segment": names, "customers": _read(f["segments/customers"], ["segment"])})
        if "segments/band_names" in f:
            bands, regions = _strings(f["segments/band_names"]), _strings(f["segments/region_names"])
            seg["band"] = [bands[i] for i in f["segments/segment_band"][()]]
            seg["region"] = [regions[i] for i in f["segments/segment_region"][()]]
        else:  # 1.1: the segments are the score bands of one region
            seg["band"], seg["region"] = names, "all"
        meta["segment_table"] = seg
        w = _weights(f)
        meta["weighted"] = bool(np.any(w != 1.0))
        # Kish's effective sample size: P without importance sampling, far fewer when a few paths dominate.
        meta["effective_paths"] = float(w.sum() ** 2 / (w ** 2).sum()) if (w ** 2).sum() > 0 else 0.0
        meta["has_stress"] = "stress" in f
        meta["has_sweep"] = "sweep" in f
        meta["has_vintages"] = "acquisition" in f  # schema 1.5, a run with [acquisition]
        return meta


def load_path_weights(source) -> pd.Series:
    """The importance-sampling likelihood ratio of each path (all 1 without), indexed by path."""
    with open_result(source) as f:
        w = _weights(f)
    return pd.Series(w, index=pd.RangeIndex(len(w), name="path"), name="weight")


# ----------------------------------------------------------------------------- monthly sums


def is_dimension_scale(ds) -> bool:
    """True for the coordinate datasets of schema 1.4 (HDF5 dimension scales), which hold no metric."""
    cls = ds.attrs.get("CLASS")
    return cls is not None and _str(cls) == "DIMENSION_SCALE"


def _metric_names(group) -> list[str]:
    present = [k for k in group.keys() if not is_dimension_scale(group[k])]
    # Schema 1.4 lists the metrics in order on the group; older files follow _METRIC_ORDER.
    order = _str(group.attrs["metrics"]).split(",") if "metrics" in group.attrs else list(_METRIC_ORDER)
    return [m for m in order if m in present] + sorted(m for m in present if m not in order)


def load_monthly(source, metrics=None, *, scenarios=None, policies=None, by_segment=False, form="wide",
                 money="currency") -> pd.DataFrame:
    """The exact monthly sums of ``monthly/`` (or ``by_segment/``), per path.

    ``metrics``: metric names (default: all); ``scenarios``, ``policies``: names
    to keep (default: all, in run order); ``by_segment``: one row per segment
    too, from ``by_segment/`` (default: the portfolio totals of ``monthly/``).

    ``form="wide"`` (default): one row per scenario x policy x path x month
    (x segment), columns ``scenario, policy, path, month[, segment]`` and one
    column per metric. A metric with a bucket or bin axis gives one column per
    entry, named ``metric[label]``, e.g. ``bucket_count[31-60]``,
    ``utilization_histogram[>100%]``. ``df.attrs["units"]`` maps each metric
    column to its unit.

    ``form="long"``: one row per scenario x policy x path x month (x segment) x
    metric (x bucket/bin), columns ``scenario, policy, path, month[, segment],
    metric, label, unit, value``; ``label`` is the bucket or bin label, or ""
    for metrics without one.

    ``money="currency"`` (default) converts cents to currency units (float64);
    ``money="cents"`` keeps the exact int64 sums.
    """
    _check_money(money)
    if form not in ("wide", "long"):
        raise ValueError(f"form must be 'wide' or 'long', not {form!r}")
    kind = "by_segment" if by_segment else "monthly"
    with open_result(source) as f:
        P, T = int(_attr(f, "paths")), int(_attr(f, "months"))
        segments = _strings(_need(f, "segments/names"))
        G = len(segments) if by_segment else 1
        combos = _combos(f, scenarios, policies)
        available = _metric_names(_need(combos[0][2], kind))
        wanted = _select("metric", metrics, available)
        base = ["path", "month"] + (["segment"] if by_segment else [])

        # Row keys of one (scenario, policy) block, in C order of [path, month(, segment)].
        n = P * T * G
        idx_path = np.repeat(np.arange(P), T * G)
        idx_month = np.tile(np.repeat(np.arange(1, T + 1), G), P)
        idx_seg = np.tile(np.asarray(segments, dtype=object), P * T) if by_segment else None

        blocks, units = [], {}
        for scenario, policy, g in combos:
            cols = {}
            for m in wanted:
                ds = _need(g, f"{kind}/{m}")
                dims = _dims(ds)
                extra = [d for d in dims if d not in base]
                if len(extra) > 1:
                    raise LimitsimFileError(f"{f.filename}: '{ds.name}' has more than one extra axis: {dims}")
                data = _read(ds, base + extra)
                if data.shape[: len(base)] != (P, T) + ((G,) if by_segment else ()):
                    raise LimitsimFileError(f"{f.filename}: '{ds.name}' has shape {data.shape}, expected "
                                            f"[{P}, {T}{', ' + str(G) if by_segment else ''}, ...]")
                values, unit = _money(data, _units(ds), money)
                if extra:
                    labels = _labels(ds, data.shape[-1])
                    for i, lab in enumerate(labels):
                        cols[(m, lab)] = (values[..., i].reshape(n), unit)
                else:
                    cols[(m, "")] = (values.reshape(n), unit)
            if form == "wide":
                frame = {"scenario": np.full(n, scenario, dtype=object), "policy": np.full(n, policy, dtype=object),
                         "path": idx_path, "month": idx_month}
                if by_segment:
                    frame["segment"] = idx_seg
                for (m, lab), (v, unit) in cols.items():
                    name = f"{m}[{lab}]" if lab else m
                    frame[name] = v
                    units[name] = unit
                blocks.append(pd.DataFrame(frame))
            else:
                k = len(cols)
                v = np.concatenate([c[0] for c in cols.values()]) if k else np.empty(0)
                frame = {"scenario": np.full(n * k, scenario, dtype=object),
                         "policy": np.full(n * k, policy, dtype=object),
                         "path": np.tile(idx_path, k), "month": np.tile(idx_month, k)}
                if by_segment:
                    frame["segment"] = np.tile(idx_seg, k)
                frame["metric"] = np.repeat(np.asarray([m for m, _ in cols], dtype=object), n)
                frame["label"] = np.repeat(np.asarray([lab for _, lab in cols], dtype=object), n)
                frame["unit"] = np.repeat(np.asarray([u for _, u in cols.values()], dtype=object), n)
                frame["value"] = v
                for (m, _), (_, unit) in cols.items():
                    units[m] = unit
                blocks.append(pd.DataFrame(frame))
        df = pd.concat(blocks, ignore_index=True)
        df.attrs["units"] = units
        df.attrs["file"] = f.filename
        return df


def _bucket_from(labels: list[str], dpd: int) -> int:
    """Index of the first bucket whose days past due all exceed ``dpd`` (labels like 'current', '31-60')."""
    for i, lab in enumerate(labels):
        m = re.fullmatch(r"(\d+)-(\d+)", lab.strip())
        if m and int(m.group(1)) > dpd:
            return i
    raise LimitsimFileError(f"no delinquency bucket beyond {dpd} days past due in labels {','.join(labels)}")


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, and 0 where den is 0 (docs/metrics.md, zero denominators)."""
    num = num.astype(float)
    den = den.astype(float)
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den != 0)


#: Units of the per-path monthly figures (docs/metrics.md, Monthly figures).
MONTHLY_FIGURE_UNITS = {
    "active": "accounts", "overdue30_count": "share", "overdue60_count": "share", "overdue90_count": "share",
    "overdue30_balance": "share", "overdue60_balance": "share", "overdue90_balance": "share",
    "utilization": "share", "mean_utilization": "share", "cumulative_net_loss": "currency",
    "cumulative_chargeoffs": "accounts", "gross_chargeoffs": "currency", "recoveries": "currency",
    "net_chargeoffs": "currency", "net_chargeoff_rate": "share", "net_loss": "currency", "balance": "currency",
    "line": "currency", "temp_limit_count": "accounts",
}


def load_monthly_figures(source, *, scenarios=None, policies=None) -> pd.DataFrame:
    """The summary's monthly figures (docs/metrics.md) computed on every path.

    One row per scenario x policy x path x month with columns ``scenario,
    policy, path, month, weight`` and the figures ``active``,
    ``overdue30_count``, ``overdue60_count``, ``overdue90_count``,
    ``overdue30_balance``, ``overdue60_balance``, ``overdue90_balance``,
    ``utilization``, ``mean_utilization`` (shares in [0, 1], 0 where the
    denominator is 0), ``cumulative_net_loss`` (currency),
    ``cumulative_chargeoffs``, this month's ``gross_chargeoffs``, ``recoveries``
    and ``net_chargeoffs`` (currency) and ``net_chargeoff_rate`` (12 x net
    charge-offs / month-end balance), and the month's ``net_loss`` (the loss
    booked at charge-off), ``balance`` and ``line`` (total line of open
    accounts; currency) and ``temp_limit_count`` (accounts holding a temporary
    raise). The weighted mean over paths, ``(1/P) sum(weight * x)``, of the
    figures the file's ``summary/monthly/`` holds is that dataset.
    30+ means buckets 31-60 days past due and worse, found from the bucket labels.
    """
    with open_result(source) as f:
        P, T = int(_attr(f, "paths")), int(_attr(f, "months"))
        w = _weights(f)
        blocks = []
        for scenario, policy, g in _combos(f, scenarios, policies):
            def get(name, unit=None):
                ds = _need(g, f"monthly/{name}")
                if unit is not None and _units(ds) != unit:
                    raise LimitsimFileError(f"{f.filename}: '{ds.name}' is in {_units(ds)}, expected {unit}")
                return ds
            bc_ds, bb_ds = get("bucket_count", "accounts"), get("bucket_balance", "cents")
            labels = _labels(bc_ds, bc_ds.shape[-1])
            b30, b60, b90 = (_bucket_from(labels, d) for d in (30, 60, 90))
            bc = _read(bc_ds, ["path", "month", "bucket"])
            bb = _read(bb_ds, ["path", "month", "bucket"])
            active = _read(get("active", "accounts"), ["path", "month"])
            balance = _read(get("balance", "cents"), ["path", "month"])
            limit = _read(get("limit", "cents"), ["path", "month"])
            usum = _read(get("utilization_sum", "ppm"), ["path", "month"])
            loss = _read(get("chargeoff_loss", "cents"), ["path", "month"])
            co = _read(get("chargeoff_count", "accounts"), ["path", "month"])
            gross = _read(get("chargeoff_exposure", "cents"), ["path", "month"])
            # Schema 1.4 added the recoveries collected each month; before it they were booked at charge-off.
            rec = _read(get("recovery" if "monthly/recovery" in g else "chargeoff_recovery", "cents"), ["path", "month"])
            nco = (gross - rec) / float(CENTS_PER_UNIT)
            fig = {
                "active": active,
                "overdue30_count": _ratio(bc[:, :, b30:].sum(axis=2), active),
                "overdue60_count": _ratio(bc[:, :, b60:].sum(axis=2), active),
                "overdue90_count": _ratio(bc[:, :, b90:].sum(axis=2), active),
                "overdue30_balance": _ratio(bb[:, :, b30:].sum(axis=2), balance),
                "overdue60_balance": _ratio(bb[:, :, b60:].sum(axis=2), balance),
                "overdue90_balance": _ratio(bb[:, :, b90:].sum(axis=2), balance),
                "utilization": _ratio(balance, limit),
                "mean_utilization": _ratio(usum / 1e6, active),
                "cumulative_net_loss": np.cumsum(loss, axis=1) / float(CENTS_PER_UNIT),
                "cumulative_chargeoffs": np.cumsum(co, axis=1),
                "gross_chargeoffs": gross / float(CENTS_PER_UNIT),
                "recoveries": rec / float(CENTS_PER_UNIT),
                "net_chargeoffs": nco,
                "net_chargeoff_rate": _ratio(12.0 * nco, balance / float(CENTS_PER_UNIT)),
                "net_loss": loss / float(CENTS_PER_UNIT),
                "balance": balance / float(CENTS_PER_UNIT),
                "line": limit / float(CENTS_PER_UNIT),
                "temp_limit_count": _read(get("temp_limit_count", "accounts"), ["path", "month"]),
            }
            frame = {"scenario": np.full(P * T, scenario, dtype=object),
                     "policy": np.full(P * T, policy, dtype=object),
                     "path": np.repeat(np.arange(P), T), "month": np.tile(np.arange(1, T + 1), P),
                     "weight": np.repeat(w, T)}
            frame.update({k: v.reshape(P * T) for k, v in fig.items()})
            blocks.append(pd.DataFrame(frame))
        df = pd.concat(blocks, ignore_index=True)
        df.attrs["units"] = dict(MONTHLY_FIGURE_UNITS, weight="none")
        return df


# ----------------------------------------------------------------------------- losses and summary


def load_path_losses(source, *, scenarios=None, policies=None) -> pd.DataFrame:
    """The loss of every path (``losses/``): one row per scenario x policy x path.

    Columns ``scenario, policy, path, weight, net_loss`` (currency),
    ``net_loss_cents`` (exact int64) and ``chargeoff_exposure`` (currency),
    plus any dataset a later schema adds to ``losses/``, cents converted.
    """
    with open_result(source) as f:
        w = _weights(f)
        blocks, units = [], {"weight": "none"}
        for scenario, policy, g in _combos(f, scenarios, policies):
            lg = _need(g, "losses")
            frame = {}
            for name in ["net_loss", "net_loss_cents", "chargeoff_exposure"] + sorted(
                    k for k in lg if k not in ("net_loss", "net_loss_cents", "chargeoff_exposure")):
                if name not in lg:
                    continue
                ds = lg[name]
                # net_loss_cents is kept exact (int64): its name says the unit.
                money = "cents" if name.endswith("_cents") else "currency"
                values, unit = _money(_read(ds, ["path"]), _units(ds), money)
                frame[name] = values
                units[name] = unit
            P = len(frame["net_loss"])
            blocks.append(pd.DataFrame({"scenario": [scenario] * P, "policy": [policy] * P,
                                        "path": np.arange(P), "weight": w, **frame}))
        df = pd.concat(blocks, ignore_index=True)
        df.attrs["units"] = units
        return df


def _figure_units(obj) -> dict:
    text = _str(obj.attrs.get("figure_units", b""))
    return dict(item.split("=", 1) for item in text.split(",") if "=" in item)


def load_summary(source, *, scenarios=None, policies=None) -> pd.DataFrame:
    """The derived summary (``summary/``): one row per scenario x policy.

    Columns ``scenario, policy``; every scalar figure of ``figure_units``
    (``expected_loss``, ``unexpected_loss``, ``exposure_at_chargeoff``,
    ``revenue``, ``limit_increases``, ``freezes``) with its ``_se`` and, where
    the file has them, ``_lo``/``_hi`` (95% intervals); ``weighted``,
    ``var_ci_method``; then the tail, one column per measure and level:
    ``var_95``, ``var_95_lo``, ``var_95_hi``, ``var_95_se``, ``es_95``,
    ``es_95_se``, ``es_95_lo``, ``es_95_hi``, the same for 99 and 99.9. All
    money in currency units. ``df.attrs["units"]`` maps columns to units.
    """
    with open_result(source) as f:
        rows, units = [], {}
        for scenario, policy, g in _combos(f, scenarios, policies):
            s = _need(g, "summary")
            fu = _figure_units(s)
            if not fu:
                raise LimitsimFileError(f"{f.filename}: '{s.name}' has no figure_units attribute")
            row = {"scenario": scenario, "policy": policy}
            for name, unit in fu.items():
                for suffix in ("", "_se", "_lo", "_hi"):
                    if name + suffix in s.attrs:
                        row[name + suffix] = float(s.attrs[name + suffix])
                        units[name + suffix] = unit
            row["weighted"] = int(s.attrs.get("weighted", 0))
            row["var_ci_method"] = _str(s.attrs.get("var_ci_method", b"order_statistic"))
            tail = _need(s, "tail")
            levels = _read(tail["level"], ["level"])
            for measure, parts in (("var", ("", "_lo", "_hi", "_se")), ("es", ("", "_se", "_lo", "_hi"))):
                for i, q in enumerate(levels):
                    for part in parts:
                        if measure + part not in tail:
                            continue
                        ds = tail[measure + part]
                        values, unit = _money(_read(ds, ["level"]), _units(ds), "currency")
                        col = f"{measure}_{_level_name(q)}{part}"
                        row[col] = float(values[i])
                        units[col] = unit
            rows.append(row)
        df = pd.DataFrame(rows)
        df.attrs["units"] = units
        return df


def load_tail(source, *, scenarios=None, policies=None) -> pd.DataFrame:
    """VaR and ES (``summary/tail/``): one row per scenario x policy x level.

    Columns ``scenario, policy, level`` (0.95, 0.99, 0.999), ``var, var_lo,
    var_hi, var_se, es, es_se, es_lo, es_hi`` in currency units (NaN where the
    file says the figure cannot be estimated) and ``paths_beyond``: the paths at
    or beyond VaR that VaR and ES rest on (below ``TAIL_CAVEAT_PATHS``, little
    more than the largest losses seen).
    """
    with open_result(source) as f:
        blocks, units = [], {}
        for scenario, policy, g in _combos(f, scenarios, policies):
            tail = _need(g, "summary/tail")
            levels = _read(tail["level"], ["level"])
            frame = {"scenario": [scenario] * len(levels), "policy": [policy] * len(levels), "level": levels}
            for k in ("var", "var_lo", "var_hi", "var_se", "es", "es_se", "es_lo", "es_hi"):
                if k in tail:
                    frame[k], units[k] = _money(_read(tail[k], ["level"]), _units(tail[k]), "currency")
            if "paths_beyond" in tail:  # schema 1.4; older files: counted from the per-path losses
                frame["paths_beyond"] = _read(tail["paths_beyond"], ["level"]).astype(np.int64)
            else:
                loss = _read(_need(g, "losses/net_loss"), ["path"])
                frame["paths_beyond"] = np.array([int((loss >= v).sum()) for v in frame["var"]], dtype=np.int64)
            units["paths_beyond"] = "paths"
            blocks.append(pd.DataFrame(frame))
        df = pd.concat(blocks, ignore_index=True)
        df.attrs["units"] = units
        return df


def load_summary_monthly(source, *, scenarios=None, policies=None) -> pd.DataFrame:
    """The summary's monthly figures (``summary/monthly/``): means over paths.

    One row per scenario x policy x month; columns ``scenario, policy, month``
    and every figure with its ``_se`` (``active``, ``overdue30_count``, ...,
    ``cumulative_net_loss``). Units in ``df.attrs["units"]``.
    """
    return _monthly_means(source, "summary/monthly", None, scenarios, policies)


def load_pnl(source, *, scenarios=None, policies=None) -> pd.DataFrame:
    """The P&L per month (``pnl/``, schema 1.5; docs/pnl.md): means over paths.

    One row per scenario x policy x month; columns ``scenario, policy, month``
    and every line with its ``_se``: ``interest``, ``fees``, ``reversals``,
    ``interchange``, ``annual_fees``, ``cost_of_funds``, ``operating_cost``,
    ``acquisition_cost``, ``collection_cost``, ``net_loss`` (costs as positive
    amounts, currency units), ``net_income`` and ``risk_adjusted_margin`` (a
    share a year). The parameters are root attributes (``load_meta``:
    ``interchange_rate``, ``annual_fee``, ...). Units in ``df.attrs["units"]``.
    A file before schema 1.5 has no P&L: LimitsimFileError.
    """
    return _monthly_means(source, "pnl", "1.5", scenarios, policies)


def _monthly_means(source, group: str, since, scenarios, policies) -> pd.DataFrame:
    """The [month] datasets of each combo's `group` as one table (see load_summary_monthly)."""
    with open_result(source) as f:
        blocks, units = [], {}
        for scenario, policy, g in _combos(f, scenarios, policies):
            m = _need(g, group, since)
            months = _read(m["month"], ["month"])
            frame = {"scenario": [scenario] * len(months), "policy": [policy] * len(months), "month": months}
            for k in m:
                if k == "month":
                    continue
                frame[k], units[k] = _money(_read(m[k], ["month"]), _units(m[k]), "currency")
            blocks.append(pd.DataFrame(frame))
        df = pd.concat(blocks, ignore_index=True)
        df.attrs["units"] = units
        return df


def load_contributions(source, by="band", *, scenarios=None, policies=None) -> pd.DataFrame:
    """Risk contributions (``summary/contributions/<by>/``, schema 1.2).

    ``by``: ``"segment"``, ``"band"`` or ``"region"``. One row per scenario x
    policy x unit; columns ``scenario, policy, <by>, expected_loss,
    unexpected_loss, var_95, var_99, var_99.9, es_95, es_99, es_99.9``
    (currency). Each column adds up over the units to the portfolio figure.
    """
    names_ds = {"segment": "segments/names", "band": "segments/band_names", "region": "segments/region_names"}
    if by not in names_ds:
        raise ValueError(f"by must be 'segment', 'band' or 'region', not {by!r}")
    with open_result(source) as f:
        names = _strings(_need(f, names_ds[by], since="1.2"))
        blocks, units = [], {}
        for scenario, policy, g in _combos(f, scenarios, policies):
            c = _need(g, f"summary/contributions/{by}")
            levels = _read(_need(g, "summary/tail/level"), ["level"])
            frame = {"scenario": [scenario] * len(names), "policy": [policy] * len(names), by: names}
            for k in ("expected_loss", "unexpected_loss"):
                frame[k], units[k] = _money(_read(c[k], [by]), _units(c[k]), "currency")
            for k in ("var", "es"):
                values, unit = _money(_read(c[k], ["level", by]), _units(c[k]), "currency")
                for q, row in zip(levels, values):
                    col = f"{k}_{_level_name(q)}"
                    frame[col], units[col] = row, unit
            blocks.append(pd.DataFrame(frame))
        df = pd.concat(blocks, ignore_index=True)
        df.attrs["units"] = units
        return df


def load_convergence(source, *, scenarios=None, policies=None) -> pd.DataFrame:
    """The convergence bands (``summary/convergence/``, schema 1.2): the loss figures on the first n paths.

    One row per scenario x policy x point; columns ``scenario, policy, paths``,
    ``expected_loss, expected_loss_lo, expected_loss_hi``, and per tail level
    ``var_<q>, var_<q>_lo, var_<q>_hi, es_<q>, es_<q>_lo, es_<q>_hi`` (currency;
    q as in ``var_99.9``).
    """
    with open_result(source) as f:
        blocks = []
        for scenario, policy, g in _combos(f, scenarios, policies):
            c = _need(g, "summary/convergence", since="1.2")
            levels = _read(_need(g, "summary/tail/level"), ["level"])
            paths = _read(c["paths"], ["point"]).astype(np.int64)
            frame = {"scenario": [scenario] * len(paths), "policy": [policy] * len(paths), "paths": paths}
            for k in ("expected_loss", "expected_loss_lo", "expected_loss_hi"):
                frame[k] = _money(_read(c[k], ["point"]), _units(c[k]), "currency")[0]
            for k in ("var", "es"):
                for suffix in ("", "_lo", "_hi"):
                    values = _money(_read(c[k + suffix], ["point", "level"]), _units(c[k + suffix]), "currency")[0]
                    for j, q in enumerate(levels):
                        frame[f"{k}_{_level_name(q)}{suffix}"] = values[:, j]
            blocks.append(pd.DataFrame(frame))
        return pd.concat(blocks, ignore_index=True)


# ----------------------------------------------------------------------------- comparison, stress, sweep


def _table(f, group, name: str) -> pd.DataFrame:
    cols = _str(_attr(group, "columns")).split(",")
    frame = {}
    for c in cols:
        ds = _need(f, f"{name}/{c}")
        frame[c] = _strings(ds) if ds.dtype.kind in "SOU" else ds[()]
    df = pd.DataFrame(frame)
    df.attrs.update({k: _plain(v) for k, v in group.attrs.items()})
    df.attrs["units"] = _figure_units(group)
    return df


def load_comparison(source) -> pd.DataFrame:
    """Every policy against the baseline policy (``/comparison``), as stored.

    One row per (scenario, policy, figure, month) with the columns of the
    group's ``columns`` attribute: ``scenario, policy, figure, month, unit,
    value, se, diff, diff_lo, diff_hi, pairing_ratio``. ``month`` is the
    report month of a monthly figure and 0 for a horizon figure; ``unit`` is
    the row's unit (``currency``, ``share``, ``accounts``, ``account-months``).
    The group's attributes (``baseline``, ``cost_of_funds``,
    ``confidence_level``...) are in ``df.attrs``, the figures' units in
    ``df.attrs["units"]``.
    """
    with open_result(source) as f:
        return _table(f, _need(f, "comparison", since="1.1"), "comparison")


def load_stress(source) -> pd.DataFrame:
    """Every scenario against the baseline scenario (``/stress``, schema 1.2).

    The same columns as :func:`load_comparison`; ``diff`` compares the row's
    scenario with ``df.attrs["baseline_scenario"]`` under the row's policy.
    """
    with open_result(source) as f:
        return _table(f, _need(f, "stress", since="1.2"), "stress")


def load_sweep(source) -> pd.DataFrame:
    """The sweep table (``/sweep``; only in files written by ``limitsim sweep``).

    One row per (scenario, policy) in the column order of the group's
    ``columns`` attribute, with ``parameter_values`` expanded into one column
    per swept key (named by the key, e.g. ``review.raise_pct``). The frontier
    flags ``frontier_loss`` and ``frontier_var99`` are booleans. Raises
    ``LimitsimFileError`` when the file has no ``/sweep``.
    """
    with open_result(source) as f:
        if "sweep" not in f:
            raise LimitsimFileError(f"{f.filename}: not a sweep file (no /sweep group; only `limitsim sweep` "
                                    f"writes it)")
        g = f["sweep"]
        keys = _str(_attr(g, "keys")).split(",")
        frame, units = {}, {}
        for c in _str(_attr(g, "columns")).split(","):
            ds = _need(f, f"sweep/{c}")
            if c == "parameter_values":
                values = _read(ds, ["row", "key"])
                labels = _labels(ds, values.shape[1])
                if labels != keys:
                    raise LimitsimFileError(f"{f.filename}: /sweep/parameter_values labels {labels} != keys {keys}")
                for i, k in enumerate(keys):
                    frame[k] = values[:, i]
                    units[k] = _units(ds)  # "mixed": each key's own unit (docs/config.md)
            elif ds.dtype.kind in "SOU":
                frame[c] = _strings(ds)
            else:
                v = ds[()]
                frame[c] = v.astype(bool) if c.startswith("frontier_") else v
                units[c] = _units(ds)
        df = pd.DataFrame(frame)
        df.attrs.update({k: _plain(v) for k, v in g.attrs.items()})
        df.attrs["keys"] = keys
        df.attrs["units"] = units
        return df


_VINTAGE_SUMS = ("opened", "active", "balance", "limit", "overdue30_count", "overdue30_balance", "chargeoff_count",
                 "chargeoff_exposure", "chargeoff_loss")


def load_vintages(source, *, scenarios=None, policies=None, money="currency") -> pd.DataFrame:
    """The living book's vintages (``vintages/``, schema 1.5; runs with ``[acquisition]``).

    One row per scenario x policy x cohort x months on book that the run reached: ``cohort``
    (``opening book``, ``month 1``, ...), ``cohort_month`` (0 for the opening book, else the run month
    the cohort was acquired in), ``months_on_book``, ``month`` (the run month, 1-based), the means over
    paths of the sums (``opened`` .. ``chargeoff_loss``; money in currency, or cents with
    ``money="cents"``), and the derived ``mean_line`` (line per open account), ``overdue30_rate``
    and ``overdue30_balance_rate`` (shares of open accounts and of balances), ``cum_chargeoff_rate``
    (cumulative charge-offs / accounts opened) and ``cum_net_loss``. Vintages are plain means over
    paths (not weighted by importance sampling). A file without vintages is refused.
    """
    _check_money(money)
    with open_result(source) as f:
        paths = int(_attr(f, "paths"))
        blocks, units = [], {}
        for scenario, policy, g in _combos(f, scenarios, policies):
            vg = _need(g, "vintages", since="1.5 (a run with [acquisition])")
            cols = {}
            for name in _VINTAGE_SUMS:
                ds = _need(vg, name)
                values, unit = _money(_read(ds, ["cohort", "months_on_book"]) / paths, _units(ds), money)
                cols[name], units[name] = values, unit
            C, T = cols["active"].shape
            rows = []
            for c in range(C):
                last = T if c == 0 else T - (c - 1)  # months on book the run reached
                opened = cols["opened"][c, 0]
                cum_co = np.cumsum(cols["chargeoff_count"][c, :last])
                cum_loss = np.cumsum(cols["chargeoff_loss"][c, :last])
                for k in range(last):
                    act, bal = cols["active"][c, k], cols["balance"][c, k]
                    row = {"scenario": scenario, "policy": policy,
                           "cohort": "opening book" if c == 0 else f"month {c}", "cohort_month": c,
                           "months_on_book": k, "month": (k if c == 0 else c - 1 + k) + 1}
                    row.update({n: cols[n][c, k] for n in _VINTAGE_SUMS})
                    row["mean_line"] = cols["limit"][c, k] / act if act > 0 else 0.0
                    row["overdue30_rate"] = cols["overdue30_count"][c, k] / act if act > 0 else 0.0
                    row["overdue30_balance_rate"] = cols["overdue30_balance"][c, k] / bal if bal > 0 else 0.0
                    row["cum_chargeoff_rate"] = cum_co[k] / opened if opened > 0 else 0.0
                    row["cum_net_loss"] = cum_loss[k]
                    rows.append(row)
            blocks.append(pd.DataFrame(rows))
        df = pd.concat(blocks, ignore_index=True)
        units.update({"mean_line": units["limit"], "cum_net_loss": units["chargeoff_loss"], "overdue30_rate": "share",
                      "overdue30_balance_rate": "share", "cum_chargeoff_rate": "share"})
        df.attrs["units"] = units
        return df

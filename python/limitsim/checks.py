"""Checks of a limitsim result before anything is drawn from it.

``check_result(source)`` refuses, with :class:`limitsim.io.LimitsimFileError`
naming the dataset (and the element), a file whose numbers no run can have
written. It mirrors the checks of the C++ reader (src/io/h5_checks.cpp, which
``limitsim summary``, ``compare`` and ``report`` apply first) on the exact sums,
and adds those of the derived datasets the report reads:

- every dataset the report needs is present, with the expected shape and type;
- ``by_segment/``: counts (units ``accounts``, ``draws``, ``ppm``) are >= 0,
  accounts at most the segment's customers (and, in a run that acquires, its
  applicants); the buckets and the utilization
  bins add up to ``active``, the buckets' balances to ``balance``;
- ``monthly/`` is the sum over segments of ``by_segment/``, exactly;
- ``losses/net_loss_cents`` is the sum over months of ``chargeoff_loss``, and
  ``losses/net_loss`` and ``chargeoff_exposure`` are finite and agree with it;
- the path weights are finite, >= 0 and not all 0;
- ``summary/``: expected and unexpected loss, VaR and ES are finite; the monthly
  shares of overdue accounts lie in [0, 1] (NaN where there are no accounts).
"""

from __future__ import annotations

import h5py
import numpy as np

from .io import LimitsimFileError, _combos, _dims, _need, _str, open_result

__all__ = ["check_result"]


def _fail(f, what: str):
    raise LimitsimFileError(f"{f.filename}: {what}")


def _array(f, g, name: str, kind: str, ndim: int) -> np.ndarray:
    """The dataset `name` of group g: present, of `kind` ("i" int64, "f" float64) and `ndim` dimensions."""
    ds = _need(f, f"{g.name}/{name}")
    if not isinstance(ds, h5py.Dataset):
        _fail(f, f"'{ds.name}' is not a dataset")
    if ds.dtype.kind != kind or ds.dtype.itemsize != 8:
        _fail(f, f"dataset '{ds.name}' is stored as {ds.dtype}, expected {'int64' if kind == 'i' else 'float64'}")
    if ds.ndim != ndim:
        _fail(f, f"dataset '{ds.name}' has {ds.ndim} dimensions, expected {ndim}")
    return ds[()]


def _first(mask: np.ndarray) -> str:
    return "[" + ",".join(str(int(i)) for i in np.argwhere(mask)[0]) + "]"


def _check_sums(f, g, customers: np.ndarray, paths: int, months: int):
    seg, mon = _need(f, f"{g.name}/by_segment"), _need(f, f"{g.name}/monthly")
    data = {}
    for name in seg:
        ds = seg[name]
        if h5py.h5ds.is_scale(ds.id):  # a coordinate (path, month, segment, bucket, bin; docs/hdf5-schema.md), not a sum
            continue
        values = _array(f, seg, name, "i", ds.ndim)
        if _dims(ds)[:3] != ["path", "month", "segment"] or values.shape[:3] != (paths, months, len(customers)):
            _fail(f, f"dataset '{ds.name}' has shape {values.shape}, expected ({paths}, {months}, {len(customers)}, ...)")
        unit = _str(ds.attrs.get("units", b""))
        if unit in ("accounts", "draws", "ppm") and (values < 0).any():
            bad = values < 0
            _fail(f, f"dataset '{ds.name}' at {_first(bad)}: {values[bad][0]} {unit}: a count cannot be negative")
        if unit == "accounts":
            limit = customers.reshape((1, 1, -1) + (1,) * (values.ndim - 3))
            if (values > limit).any():
                bad = values > limit
                idx = np.argwhere(bad)[0]
                _fail(f, f"dataset '{ds.name}' at {_first(bad)}: {values[bad][0]} accounts in a segment of "
                         f"{customers[idx[2]]} customers")
        data[name] = values
        total = _array(f, mon, name, "i", values.ndim - 1)
        if total.shape != values.shape[:2] + values.shape[3:] or not np.array_equal(total, values.sum(axis=2)):
            _fail(f, f"dataset '{mon.name}/{name}' is not the sum over segments of '{ds.name}'")
    for name in ("active", "bucket_count", "bucket_balance", "balance", "utilization_histogram", "chargeoff_loss",
                 "chargeoff_exposure"):
        if name not in data:
            _fail(f, f"no dataset '{seg.name}/{name}'")
    for parts, whole in (("bucket_count", "active"), ("utilization_histogram", "active"),
                         ("bucket_balance", "balance")):
        bad = data[parts].sum(axis=3) != data[whole]
        if bad.any():
            _fail(f, f"dataset '{seg.name}/{parts}' at {_first(bad)}: does not add up to '{seg.name}/{whole}'")
    return data


def _check_losses(f, g, data: dict):
    lg = _need(f, f"{g.name}/losses")
    cents = _array(f, lg, "net_loss_cents", "i", 1)
    if not np.array_equal(cents, data["chargeoff_loss"].sum(axis=(1, 2))):
        _fail(f, f"dataset '{lg.name}/net_loss_cents' is not the sum over months of the charge-off losses")
    for name, exact in (("net_loss", cents), ("chargeoff_exposure", data["chargeoff_exposure"].sum(axis=(1, 2)))):
        values = _array(f, lg, name, "f", 1)
        if not np.isfinite(values).all():
            _fail(f, f"dataset '{lg.name}/{name}' at {_first(~np.isfinite(values))}: not a finite number")
        if not np.allclose(values, exact / 100.0, rtol=1e-9, atol=0.01):
            _fail(f, f"dataset '{lg.name}/{name}' does not agree with the exact sums in cents")


def _check_summary(f, g):
    sg = _need(f, f"{g.name}/summary")
    for name in ("expected_loss", "unexpected_loss"):
        if name not in sg.attrs or not np.isfinite(float(sg.attrs[name])):
            _fail(f, f"attribute '{name}' of '{sg.name}' is missing or not finite")
    for name in ("var", "es"):
        values = _array(f, sg, f"tail/{name}", "f", 1)
        if not np.isfinite(values).all():
            _fail(f, f"dataset '{sg.name}/tail/{name}' at {_first(~np.isfinite(values))}: not a finite number")
    for name in ("overdue30_count", "overdue60_count", "overdue90_count"):
        values = _array(f, sg, f"monthly/{name}", "f", 1)
        bad = (values < 0) | (values > 1)
        if bad.any():
            _fail(f, f"dataset '{sg.name}/monthly/{name}' at {_first(bad)}: {values[bad][0]} is not a share in [0, 1]")


def check_result(source) -> None:
    """Refuses (LimitsimFileError) a result whose numbers no run can have written; see the module's doc."""
    with open_result(source) as f:
        try:
            paths, months = int(f.attrs["paths"]), int(f.attrs["months"])
        except (KeyError, TypeError, ValueError):
            _fail(f, "attributes 'paths' and 'months' of '/' are missing or not integers")
        customers = _array(f, f["/"], "segments/customers", "i", 1)
        if (customers < 0).any():
            _fail(f, f"dataset '/segments/customers' at {_first(customers < 0)}: a count cannot be negative")
        # The living book (schema 1.5): a segment's accounts are its customers and at most every applicant.
        applicants = int(f.attrs.get("applicants", 0))
        if applicants < 0:
            _fail(f, f"attribute 'applicants' of '/' is negative ({applicants})")
        customers = customers + applicants
        if "paths/weight" in f:
            w = _array(f, f["/"], "paths/weight", "f", 1)
            if w.shape != (paths,) or not np.isfinite(w).all() or (w < 0).any() or not (w > 0).any():
                _fail(f, "dataset '/paths/weight': weights must be finite, >= 0 and not all 0, one per path")
        for _scenario, _policy, g in _combos(f, None, None):
            data = _check_sums(f, g, customers, paths, months)
            _check_losses(f, g, data)
            _check_summary(f, g)

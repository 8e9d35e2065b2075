"""limitsim: read limitsim's HDF5 results into pandas and chart them.

    import limitsim
    monthly = limitsim.load_monthly("results/quickstart.h5", ["active", "balance"])
    fig = limitsim.charts.overdue_chart("results/quickstart.h5")

The loaders are in :mod:`limitsim.io`, the charts in :mod:`limitsim.charts`,
and the report (PNG charts and a self-contained HTML page) in
:mod:`limitsim.report` (``python3 -m limitsim.report FILE --out DIR``).
See docs/python.md.
"""

try:
    import h5py  # noqa: F401
    import pandas  # noqa: F401
except ImportError as e:  # a Python without the packages (a pyenv one, say): say what to install
    raise ImportError(f"limitsim needs h5py, numpy and pandas, and matplotlib for charts: {e}. On Debian: "
                      f"apt-get install python3-h5py python3-pandas python3-matplotlib (scripts/setup.sh), "
                      f"and run /usr/bin/python3") from e

from .io import (  # noqa: E402,F401
    CENTS_PER_UNIT,
    SUPPORTED_SCHEMA,
    LimitsimFileError,
    group_name,
    load_comparison,
    load_contributions,
    load_convergence,
    load_meta,
    load_monthly,
    load_monthly_figures,
    load_path_losses,
    load_path_weights,
    load_pnl,
    load_stress,
    load_summary,
    load_summary_monthly,
    load_sweep,
    load_tail,
    load_vintages,
    open_result,
)

__all__ = [
    "CENTS_PER_UNIT", "SUPPORTED_SCHEMA", "LimitsimFileError", "group_name", "load_comparison",
    "load_contributions", "load_convergence", "load_meta", "load_monthly", "load_monthly_figures", "load_path_losses",
    "load_path_weights", "load_stress", "load_summary", "load_summary_monthly", "load_sweep", "load_tail",
    "open_result", "charts", "report",
]


def __getattr__(name):
    # charts and report import matplotlib: load them only when asked for.
    if name in ("charts", "report"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'limitsim' has no attribute {name!r}")

"""The standard charts of a limitsim result file.

Each function takes a result file (name or open ``h5py.File``), returns a
``matplotlib.figure.Figure`` drawn with the Agg renderer (no display, no
pyplot state; a notebook shows the returned figure), and writes it as a PNG
when ``out`` is given:

- :func:`overdue_chart`: 30+ and 90+ days-past-due rates by month, median and
  percentile band over paths, one colour per policy, one row per scenario;
- :func:`utilization_chart`: utilization by month, the same way;
- :func:`loss_chart`: net loss by month and cumulated, the same way;
- :func:`balance_chart`: balances, lines and open accounts by month;
- :func:`contributions_chart`: risk contributions by score band and region;
- :func:`convergence_chart`: EL, VaR and ES against the number of paths;
- :func:`loss_distribution_chart`: the distribution of the path loss with EL,
  VaR and ES marked;
- :func:`comparison_chart`: paired differences from the baseline policy (or,
  ``view="stress"``, from the baseline scenario) with their 95% intervals;
- :func:`frontier_chart`: a sweep's efficient frontiers;
- :func:`vintage_chart`: the living book's vintage curves by months on book.

Figures are computed from the file as docs/metrics.md defines them; under
importance sampling, percentiles and histograms are weighted by the paths'
likelihood ratios.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import io

__all__ = [
    "overdue_chart", "utilization_chart", "loss_chart", "balance_chart", "contributions_chart", "convergence_chart",
    "loss_distribution_chart", "comparison_chart", "frontier_chart", "vintage_chart",
    "weighted_quantile", "money_format", "save",
]

DPI = 110


# ----------------------------------------------------------------------------- helpers


def save(fig: Figure, out, dpi: int = DPI) -> None:
    """Writes the figure as a PNG."""
    fig.savefig(out, dpi=dpi, format="png", facecolor="white")


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _grid(fig: Figure, nrow: int, ncol: int, legend: bool, **share):
    """An nrow x ncol grid of axes, and below it, when legend is true, a row for the figure's legend."""
    if not legend:
        return fig.subplots(nrow, ncol, squeeze=False, **share), None
    height = fig.get_figheight()
    outer = fig.add_gridspec(2, 1, height_ratios=[height - 0.45, 0.45])
    axes = outer[0].subgridspec(nrow, ncol).subplots(squeeze=False, **share)
    lax = fig.add_subplot(outer[1])
    lax.axis("off")
    return axes, lax


def _legend(lax, handles, ncol=5):
    lax.legend(handles=handles, loc="center", ncol=min(len(handles), ncol), frameon=False, fontsize=9)


def _finish(fig: Figure, out, dpi: int) -> Figure:
    if out is not None:
        save(fig, out, dpi)
    return fig


def money_format(x: float, _pos=None) -> str:
    """Currency units, short: 1,234 / 350k / 2.6M / 1.2B."""
    if not np.isfinite(x):
        return ""
    a = abs(x)
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= scale:
            v = x / scale
            return f"{v:.3g}{suffix}" if abs(v) < 100 else f"{v:,.0f}{suffix}"
    return f"{x:,.0f}" if a >= 10 or a == 0 else f"{x:.3g}"


def _minus(text: str) -> str:
    """A typographic minus, as matplotlib's own tick labels have."""
    return text.replace("-", "\u2212")


_MONEY = FuncFormatter(lambda x, _pos: _minus(money_format(x)))
_PERCENT = FuncFormatter(lambda x, _pos: f"{x * 100:.3g}%" if np.isfinite(x) else "")


def _colors(names: list[str], palette: str | None = None) -> dict:
    """A fixed colour per name (run order), the same in every chart: policies in tab10, scenarios in Dark2.

    Runs with more than 10 policies (sweeps) colour the policies shown, in their order.
    """
    from matplotlib import colormaps
    cmap = colormaps[palette or ("tab10" if len(names) <= 10 else "tab20")]
    return {n: cmap(i % cmap.N) for i, n in enumerate(names)}


def weighted_quantile(values: np.ndarray, weights: np.ndarray, qs) -> np.ndarray:
    """Quantiles over axis 0 of ``values`` [paths, ...].

    With every weight 1 these are numpy's linear-interpolation quantiles.
    Otherwise they are the quantiles of the weighted empirical distribution
    (the smallest value whose cumulative normalised weight reaches q).
    """
    qs = np.atleast_1d(np.asarray(qs, dtype=float))
    if np.all(weights == 1.0):
        return np.quantile(values, qs, axis=0)
    order = np.argsort(values, axis=0, kind="stable")
    v = np.take_along_axis(values, order, axis=0)
    w = np.asarray(weights, dtype=float)[order] if values.ndim == 1 else np.take_along_axis(
        np.broadcast_to(np.asarray(weights, dtype=float).reshape((-1,) + (1,) * (values.ndim - 1)),
                        values.shape), order, axis=0)
    cw = np.cumsum(w, axis=0)
    cw = cw / cw[-1]
    out = np.empty((len(qs),) + values.shape[1:])
    for i, q in enumerate(qs):
        k = np.argmax(cw >= q - 1e-12, axis=0)
        out[i] = np.take_along_axis(v, np.expand_dims(k, 0), axis=0)[0]
    return out


def _subtitle(meta: dict) -> str:
    def n(count, word):
        return f"{int(count):,} {word}{'' if int(count) == 1 else 's'}"
    bits = [f"{meta['run_name']}", n(meta["customers"], "customer"), n(meta["paths"], "path"),
            n(meta["months"], "month")]
    if meta.get("weighted"):
        bits.append(f"importance sampling (shift {meta.get('importance_shift', 0):g}), weighted: "
                    f"{meta['effective_paths']:.1f} effective paths")
    return " · ".join(bits)


def _choose(what, given, available):
    return io._select(what, given, available)


# ----------------------------------------------------------------------------- monthly band charts


def _temp_months(df, scenario, pols) -> list:
    """Months in which some shown policy gives temporary raises on some path (to shade them)."""
    d = df[(df.scenario == scenario) & (df.policy.isin(pols))]
    return sorted(int(m) for m in d.loc[d["temp_limit_count"] > 0, "month"].unique())


def _band_chart(source, panels, title, *, scenarios, policies, band, out, dpi, width=5.4):
    """panels: (figure, label[, "share" | "money"]) of load_monthly_figures, one column each."""
    meta = io.load_meta(source)
    scen = _choose("scenario", scenarios, meta["scenarios"])
    pols = _choose("policy", policies, meta["policies"])
    df = io.load_monthly_figures(source, scenarios=scen, policies=pols)
    colors = _colors(meta["policies"] if len(meta["policies"]) <= 10 else pols)
    lo, hi = band
    P = int(meta["paths"])
    nrow, ncol = len(scen), len(panels)
    fig = _figure(width * ncol, 2.9 * nrow + 1.3)
    axes, lax = _grid(fig, nrow, ncol, True, sharex=True, sharey="col")
    top = np.zeros(ncol)
    bottom = np.zeros(ncol)
    T = int(meta["months"])
    shaded = False
    styles = ["-", "--", "-.", ":"]
    for r, s in enumerate(scen):
        temp = _temp_months(df, s, pols)
        for c, panel in enumerate(panels):
            figure, label = panel[0], panel[1]
            kind = panel[2] if len(panel) > 2 else "share"
            ax = axes[r][c]
            for m in temp:
                ax.axvspan(m - 0.5, m + 0.5, color="#f2d16b", alpha=0.25, linewidth=0, zorder=0)
                shaded = True
            for i, p in enumerate(pols):
                d = df[(df.scenario == s) & (df.policy == p)]
                x = d[figure].to_numpy().reshape(P, -1)
                w = d["weight"].to_numpy().reshape(P, -1)[:, 0]
                months = d["month"].to_numpy()[: x.shape[1]]
                q = weighted_quantile(x, w, [lo / 100, 0.5, hi / 100])
                # Light fill and each policy's own dashed edges, so overlapping bands stay apart.
                ax.fill_between(months, q[0], q[2], color=colors[p], alpha=0.08, linewidth=0)
                for edge in (q[0], q[2]):
                    ax.plot(months, edge, color=colors[p], linewidth=0.9, alpha=0.8,
                            linestyle=styles[1 + i % (len(styles) - 1)])
                ax.plot(months, q[1], color=colors[p], linewidth=1.9, marker="o" if T <= 3 else None)
                top[c] = max(top[c], float(np.max(q[2])))
                bottom[c] = min(bottom[c], float(np.min(q[0])))
            if r == 0:
                ax.set_title(label, fontsize=10)
            if c == 0 and len(meta["scenarios"]) > 1:
                ax.set_ylabel(s, fontsize=10, fontweight="bold")
            ax.yaxis.set_major_formatter(_PERCENT if kind == "share" else FuncFormatter(money_format))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8, min_n_ticks=1))
            ax.set_xlim((0.5, T + 0.5) if temp else ((1, T) if T > 1 else (0.5, 1.5)))
            ax.grid(True, alpha=0.3)
            if r == nrow - 1:
                ax.set_xlabel("month")
    for c in range(ncol):  # shared by column: one scale for every scenario
        span = top[c] - bottom[c]
        axes[0][c].set_ylim(min(0.0, bottom[c] - 0.03 * span), top[c] * 1.06 if top[c] > 0 else 1.0)
    handles = [Line2D([], [], color=colors[p], linewidth=1.8, label=p) for p in pols]
    handles.append(Patch(facecolor="grey", alpha=0.2, edgecolor="grey", linestyle="--",
                         label=f"{lo}th–{hi}th percentile over paths (dashed edges)"))
    if shaded:
        handles.append(Patch(color="#f2d16b", alpha=0.5, label="temporary limits in force"))
    _legend(lax, handles)
    fig.suptitle(f"{title}\n{_subtitle(meta)} · line: median over paths", fontsize=11)
    return _finish(fig, out, dpi)


def overdue_chart(source, *, scenarios=None, policies=None, by="both", band=(5, 95), out=None, dpi=DPI) -> Figure:
    """30+ and 90+ days-past-due rates by month (one row per scenario, one colour per policy).

    ``by="count"``: share of open accounts; ``by="balance"``: share of balances;
    ``by="both"`` (default): the four panels side by side (the two can rank
    policies differently). The line is the (weighted) median over paths, the
    band the ``band`` percentiles over paths of the per-path rate
    (docs/metrics.md).
    """
    if by not in ("count", "balance", "both"):
        raise ValueError(f"by must be 'count', 'balance' or 'both', not {by!r}")
    panels = []
    for b in (("count", "balance") if by == "both" else (by,)):
        of = "open accounts" if b == "count" else "balances"
        panels += [(f"overdue30_{b}", f"30+ days past due, share of {of}"),
                   (f"overdue90_{b}", f"90+ days past due, share of {of}")]
    return _band_chart(source, panels, "Overdue rates by month", scenarios=scenarios, policies=policies,
                       band=band, out=out, dpi=dpi, width=5.4 if by != "both" else 4.3)


def loss_chart(source, *, scenarios=None, policies=None, band=(5, 95), out=None, dpi=DPI) -> Figure:
    """Net charge-off loss by month and cumulated, per policy: median and percentile band over paths."""
    panels = [("net_loss", "net loss in the month", "money"), ("cumulative_net_loss", "cumulative net loss", "money")]
    return _band_chart(source, panels, "Net losses", scenarios=scenarios, policies=policies, band=band, out=out,
                       dpi=dpi)


def balance_chart(source, *, scenarios=None, policies=None, band=(5, 95), out=None, dpi=DPI) -> Figure:
    """Total balance and total line of open accounts by month, per policy."""
    panels = [("balance", "total balance, month end", "money"), ("line", "total line, month end", "money"),
              ("active", "open accounts", "money")]
    return _band_chart(source, panels, "Balances and lines", scenarios=scenarios, policies=policies, band=band,
                       out=out, dpi=dpi, width=4.3)


def utilization_chart(source, *, scenarios=None, policies=None, band=(5, 95), out=None, dpi=DPI) -> Figure:
    """Utilization by month: balance-weighted (total balance / total line) and the mean over accounts."""
    panels = [("utilization", "utilization: total balance / total line"),
              ("mean_utilization", "mean utilization of open accounts")]
    return _band_chart(source, panels, "Utilization by month", scenarios=scenarios, policies=policies,
                       band=band, out=out, dpi=dpi)


# ----------------------------------------------------------------------------- contributions and convergence


def contributions_chart(source, *, scenario=None, policies=None, level=0.99, out=None, dpi=DPI) -> Figure:
    """Risk contributions (Euler allocation) to EL and VaR at ``level`` by score band and, with several
    regions, by region: one bar per policy and unit, for one scenario (default the first)."""
    meta = io.load_meta(source)
    s = scenario if scenario is not None else meta["scenarios"][0]
    pols = _choose("policy", policies, meta["policies"])
    colors = _colors(meta["policies"] if len(meta["policies"]) <= 10 else pols)
    var_col = f"var_{io._level_name(level)}"
    bys = ["band"] + (["region"] if meta["segment_table"]["region"].nunique() > 1 else [])
    fig = _figure(6.0 * len(bys), 2 * 2.8 + 1.3)
    axes, lax = _grid(fig, 2, len(bys), True)
    for c, by in enumerate(bys):
        d = io.load_contributions(source, by, scenarios=[s], policies=pols)
        units = list(dict.fromkeys(d[by]))
        x = np.arange(len(units))
        width = 0.8 / max(1, len(pols))
        for r, (col, label) in enumerate((("expected_loss", "expected loss"), (var_col, f"VaR {level * 100:g}%"))):
            ax = axes[r][c]
            for i, p in enumerate(pols):
                v = d[d.policy == p].set_index(by).reindex(units)[col].to_numpy()
                ax.bar(x + (i - (len(pols) - 1) / 2) * width, v, width, color=colors[p])
            ax.set_xticks(x, units, fontsize=8, rotation=30 if len(units) > 6 else 0)
            ax.yaxis.set_major_formatter(FuncFormatter(money_format))
            ax.axhline(0, color="black", linewidth=0.6)
            ax.grid(True, axis="y", alpha=0.3)
            ax.set_title(f"{label}: contribution by {by}", fontsize=10)
    _legend(lax, [Patch(color=colors[p], label=p) for p in pols])
    fig.suptitle(f"Risk contributions (each set adds up to the portfolio figure), scenario {s}\n"
                 f"{_subtitle(meta)}", fontsize=11)
    return _finish(fig, out, dpi)


def convergence_chart(source, *, scenario=None, policies=None, level=0.99, out=None, dpi=DPI) -> Figure:
    """EL, VaR and ES at ``level`` on the first n paths against n (log scale), with their 95% intervals: where
    the lines have not settled, more paths are needed. One scenario (default the first)."""
    meta = io.load_meta(source)
    s = scenario if scenario is not None else meta["scenarios"][0]
    pols = _choose("policy", policies, meta["policies"])
    colors = _colors(meta["policies"] if len(meta["policies"]) <= 10 else pols)
    d = io.load_convergence(source, scenarios=[s], policies=pols)
    q = io._level_name(level)
    panels = (("expected_loss", "expected loss"), (f"var_{q}", f"VaR {level * 100:g}%"), (f"es_{q}", f"ES {level * 100:g}%"))
    fig = _figure(4.6 * len(panels), 3.2 + 1.3)
    axes, lax = _grid(fig, 1, len(panels), True, sharex=True)
    for c, (col, label) in enumerate(panels):
        ax = axes[0][c]
        for p in pols:
            e = d[d.policy == p]
            ax.plot(e["paths"], e[col], color=colors[p], marker="o", markersize=3, linewidth=1.6)
            ax.fill_between(e["paths"], e[col + "_lo"], e[col + "_hi"], color=colors[p], alpha=0.12, linewidth=0)
        ax.set_xscale("log")
        ticks = sorted(set(int(x) for x in d["paths"]))
        ax.set_xticks(ticks, [f"{t:,}" for t in ticks], fontsize=8)
        ax.minorticks_off()
        ax.yaxis.set_major_formatter(FuncFormatter(money_format))
        ax.grid(True, alpha=0.3)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("paths used (the first n)")
    handles = [Line2D([], [], color=colors[p], linewidth=1.6, marker="o", markersize=3, label=p) for p in pols]
    handles.append(Patch(color="grey", alpha=0.25, label="95% interval (missing where too few paths)"))
    _legend(lax, handles)
    fig.suptitle(f"Convergence: the loss figures on the first n paths, scenario {s}\n{_subtitle(meta)}", fontsize=11)
    return _finish(fig, out, dpi)


# ----------------------------------------------------------------------------- loss distribution


def loss_distribution_chart(source, *, scenarios=None, policies=None, level=0.99, max_panels=16, out=None,
                            dpi=DPI) -> Figure:
    """Histogram of the path loss (``losses/net_loss``) per scenario and policy.

    EL, VaR and ES at ``level`` (one of the run's tail levels: 0.95, 0.99 or 0.999 by default) are marked with the
    values stored in ``summary/`` (docs/metrics.md). Under importance
    sampling the histogram is weighted by the path weights (it estimates the
    model's distribution). All panels share the loss axis.
    """
    meta = io.load_meta(source)
    scen = _choose("scenario", scenarios, meta["scenarios"])
    pols = _choose("policy", policies, meta["policies"])
    losses = io.load_path_losses(source, scenarios=scen, policies=pols)
    summary = io.load_summary(source, scenarios=scen, policies=pols)
    name = io._level_name(level)
    if f"var_{name}" not in summary:
        levels = ", ".join(f"{x:g}" for x in sorted({float(v) for v in io.load_tail(source).level}))
        raise ValueError(f"no tail level {level} in the file (levels: {levels})")
    combos = [(s, p) for s in scen for p in pols][:max_panels]
    n = len(combos)
    if len(scen) > 1 and 1 < len(pols) <= 4 and len(scen) * len(pols) <= max_panels:
        ncol = len(pols)  # a row per scenario, a column per policy
    else:
        ncol = 1 if n == 1 else 2 if n in (2, 4) else min(3, n) if n <= 9 else 4
    nrow = math.ceil(n / ncol)
    weighted = bool(meta.get("weighted"))
    fig = _figure(4.6 * ncol if ncol > 1 else 7.5, 3.0 * nrow + 1.0)
    axes = fig.subplots(nrow, ncol, squeeze=False, sharex=True)
    all_x = losses["net_loss"].to_numpy()
    lo, hi = float(np.min(all_x)), float(np.max(all_x))
    pad = 0.04 * (hi - lo if hi > lo else max(abs(hi), 1.0))
    edges = np.linspace(lo - pad, hi + pad, int(np.clip(2 * math.sqrt(meta["paths"]), 10, 60)) + 1)
    pct = f"{float(name):g}%"
    for i, (s, p) in enumerate(combos):
        ax = axes[i // ncol][i % ncol]
        d = losses[(losses.scenario == s) & (losses.policy == p)]
        row = summary[(summary.scenario == s) & (summary.policy == p)].iloc[0]
        w = d["weight"].to_numpy()
        # Under importance sampling: each path's share of the total weight (an estimate of probability).
        counts, _, _ = ax.hist(d["net_loss"].to_numpy(), bins=edges, weights=w / w.sum() if weighted else None,
                               color="#8aa9c9", edgecolor="white", linewidth=0.5)
        top = max(float(np.max(counts)), 1e-12) * 1.35  # headroom for the legend
        ax.set_ylim(0, min(top, 1.04) if weighted else top)
        # ES first and wide, so that it shows when it equals VaR (few paths).
        marks = [(f"ES {pct}", row[f"es_{name}"], "#9467bd", "-", 3.2, 0.55),
                 ("EL", row["expected_loss"], "black", "-", 1.6, 1.0),
                 (f"VaR {pct}", row[f"var_{name}"], "#d62728", "--", 1.6, 1.0)]
        for label, x, color, style, lw, alpha in marks:
            if np.isfinite(x):
                ax.axvline(x, color=color, linestyle=style, linewidth=lw, alpha=alpha, label=f"{label}: {x:,.0f}")
        handles, labels = ax.get_legend_handles_labels()
        order = [1, 2, 0] if len(handles) == 3 else list(range(len(handles)))
        ax.legend([handles[i] for i in order], [labels[i] for i in order], fontsize=7.5, loc="best",
                  frameon=True, framealpha=0.85)
        ax.set_title(f"{s} / {p}" if len(meta["scenarios"]) > 1 else p, fontsize=10)
        ax.xaxis.set_major_formatter(_MONEY)
        if weighted:
            ax.yaxis.set_major_formatter(_PERCENT)
        else:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, axis="y", alpha=0.3)
        if i // ncol == nrow - 1 or i + ncol >= n:
            ax.set_xlabel("cumulative net loss over the horizon (currency units)")
            ax.xaxis.set_tick_params(labelbottom=True)
        if i % ncol == 0:
            ax.set_ylabel("share of path weight" if weighted else "paths")
    for j in range(n, nrow * ncol):
        axes[j // ncol][j % ncol].set_visible(False)
    more = "" if len(scen) * len(pols) <= max_panels else f" (first {max_panels} of {len(scen) * len(pols)})"
    fig.suptitle(f"Loss distribution over paths{more}\n{_subtitle(meta)}", fontsize=11)
    return _finish(fig, out, dpi)


# ----------------------------------------------------------------------------- comparison


#: The figures shown by default: (figure name, month: None = horizon, "T" = the last report month).
COMPARISON_FIGURES = (
    ("net_income", None), ("net_loss", None), ("es_99", None),
    ("revenue", None), ("overdue30_count", "T"), ("average_utilization", None),
)

_FIGURE_LABELS = {
    "net_income": "net income", "net_loss": "expected loss (net)", "revenue": "revenue",
    "cost_of_funds": "cost of funds", "unexpected_loss": "unexpected loss", "average_utilization":
    "average utilization", "overdue30_count": "30+ DPD, share of accounts", "overdue90_count":
    "90+ DPD, share of accounts", "overdue30_balance": "30+ DPD, share of balances", "overdue90_balance":
    "90+ DPD, share of balances", "limit_increases": "limit increases", "limit_decreases": "limit decreases",
    "freezes": "freezes", "trigger_increases": "triggered increases", "temp_limit_months": "temporary-line months",
}


def figure_label(name: str) -> str:
    """A readable name of a comparison figure: var_99.9 -> 'VaR 99.9%'."""
    for prefix, label in (("var_", "VaR"), ("es_", "ES")):
        if name.startswith(prefix):
            return f"{label} {name[len(prefix):]}%"
    return _FIGURE_LABELS.get(name, name.replace("_", " "))


def comparison_chart(source, *, view="comparison", figures=COMPARISON_FIGURES, scenarios=None, policies=None,
                     out=None, dpi=DPI) -> Figure:
    """Paired differences with 95% intervals, one panel per figure.

    ``view="comparison"``: each policy minus the baseline policy (rows:
    policies, colours: scenarios), from ``/comparison``. ``view="stress"``:
    each scenario minus the baseline scenario (rows: scenarios, colours:
    policies), from ``/stress``. ``figures``: (name, month) pairs, month None
    for a horizon figure or "T" for the last report month. Shares are shown in
    percentage points. Raises ValueError when there is nothing to compare
    (one policy, or one scenario for the stress view).
    """
    if view not in ("comparison", "stress"):
        raise ValueError(f"view must be 'comparison' or 'stress', not {view!r}")
    meta = io.load_meta(source)
    table = io.load_comparison(source) if view == "comparison" else io.load_stress(source)
    scen = _choose("scenario", scenarios, meta["scenarios"])
    pols = _choose("policy", policies, meta["policies"])
    if view == "comparison":
        base = table.attrs["baseline"]
        rows_of, colours_of = [p for p in pols if p != base], scen
        row_key, colour_key, versus = "policy", "scenario", f"policy − baseline policy '{base}'"
    else:
        base = table.attrs["baseline_scenario"]
        rows_of, colours_of = [s for s in scen if s != base], pols
        row_key, colour_key, versus = "scenario", "policy", f"scenario − baseline scenario '{base}'"
    if not rows_of:
        raise ValueError(f"nothing to compare: the only {row_key} is the baseline '{base}'")
    table = table[table.scenario.isin(scen) & table.policy.isin(pols)]
    colors = (_colors(meta["scenarios"], "Dark2") if view == "comparison" else
              _colors(meta["policies"] if len(meta["policies"]) <= 10 else pols))
    n = len(figures)
    ncol = min(3, n)
    nrow = math.ceil(n / ncol)
    height = max(2.2, 0.32 * len(rows_of) * max(1, len(colours_of)) ** 0.5 + 1.2)
    fig = _figure(4.3 * ncol + 1.2, height * nrow + 1.1 + (0.45 if len(colours_of) > 1 else 0))
    axes, lax = _grid(fig, nrow, ncol, len(colours_of) > 1, sharey=True)
    ypos = np.arange(len(rows_of))[::-1]
    k = len(colours_of)
    offsets = ((k - 1) / 2 - np.arange(k)) * (0.7 / k) if k > 1 else np.zeros(1)  # first colour on top
    for i, (figure, month) in enumerate(figures):
        ax = axes[i // ncol][i % ncol]
        t = table[table.figure == figure]
        if t.empty:
            ax.set_visible(False)
            continue
        m = int(t.month.max()) if month == "T" else 0 if month is None else int(month)
        t = t[t.month == m]
        unit = t.unit.iloc[0]
        scale = 100.0 if unit == "share" else 1.0
        for j, c in enumerate(colours_of):
            tc = t[t[colour_key] == c].set_index(row_key).reindex(rows_of)
            d, lo_, hi_ = (tc[k_].to_numpy() * scale for k_ in ("diff", "diff_lo", "diff_hi"))
            err = np.vstack([np.where(np.isfinite(lo_), d - lo_, 0), np.where(np.isfinite(hi_), hi_ - d, 0)])
            ax.errorbar(d, ypos + offsets[j], xerr=err, fmt="o", color=colors[c], markersize=4.5, capsize=3,
                        linewidth=1.3, label=c)
        ax.axvline(0, color="black", linewidth=0.8)
        shown = t[["diff", "diff_lo", "diff_hi"]].to_numpy(dtype=float)
        if not np.any(np.isfinite(shown) & (shown != 0)):
            ax.set_xlim(-1, 1)  # every difference is 0: no scale to show
        ax.set_yticks(ypos, rows_of)
        title = figure_label(figure) + (f", month {m}" if m else "")
        ax.set_title(title, fontsize=10)
        if unit == "share":
            ax.set_xlabel("difference (percentage points)")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: _minus(f"{x:+.2g} pp") if x else "0"))
        elif unit == "currency":
            ax.set_xlabel("difference (currency units)")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: _minus(("+" if x > 0 else "") + money_format(x))))
        else:
            ax.set_xlabel(f"difference ({unit})")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.grid(True, axis="x", alpha=0.3)
        ax.margins(x=0.12)
    for j in range(n, nrow * ncol):
        axes[j // ncol][j % ncol].set_visible(False)
    if k > 1:
        handles = [Line2D([], [], color=colors[c], marker="o", linestyle="", label=c) for c in colours_of]
        _legend(lax, handles)
    what = "Policy comparison" if view == "comparison" else "Stress view"
    only = "" if k > 1 else f" ({colour_key} {colours_of[0]})"
    fig.suptitle(f"{what}: {versus}{only}, same paths, paired 95% CI\n{_subtitle(meta)}", fontsize=11)
    return _finish(fig, out, dpi)


# ----------------------------------------------------------------------------- sweep frontier


def frontier_chart(source, *, scenarios=None, label_top=8, out=None, dpi=DPI) -> Figure:
    """A sweep's efficient frontiers: net income against expected loss and against VaR 99%.

    One row per scenario. Every variant is a grey dot; the points on the
    frontier (``frontier_loss``, ``frontier_var99`` of ``/sweep``) are
    coloured, joined in order of risk and labelled with their variant number;
    the base policy is a star. Raises LimitsimFileError for a file without
    ``/sweep``.
    """
    meta = io.load_meta(source)
    sw = io.load_sweep(source)
    scen = _choose("scenario", scenarios, list(dict.fromkeys(sw.scenario)))
    keys = sw.attrs["keys"]
    nrow = len(scen)
    fig = _figure(12.5, 4.6 * nrow + 1.3)
    axes = fig.subplots(nrow, 2, squeeze=False)
    for r, s in enumerate(scen):
        d = sw[sw.scenario == s]
        for c, (risk, flag, label) in enumerate((("net_loss", "frontier_loss", "expected loss (net)"),
                                                 ("var_99", "frontier_var99", "VaR 99%"))):
            ax = axes[r][c]
            off = d[~d[flag]]
            on = d[d[flag]].sort_values([risk, "net_income"], ascending=[True, False])
            ax.scatter(off[risk], off.net_income, s=22, color="#b0b0b0", label="variant", zorder=2)
            ax.plot(on[risk], on.net_income, "-o", color="#1f77b4", markersize=6, linewidth=1.5,
                    label="on the frontier", zorder=3)
            b = d[d.variant == 0]
            ax.scatter(b[risk], b.net_income, marker="*", s=200, color="#ff7f0e", edgecolor="black",
                       linewidth=0.6, label=f"base policy ({sw.attrs['base_policy']})", zorder=4)
            for _, pt in on.head(label_top).iterrows():
                ax.annotate(f"v{int(pt.variant)}" if pt.variant else "base", (pt[risk], pt.net_income),
                            textcoords="offset points", xytext=(5, 4), fontsize=8, color="#1f4f7f")
            ax.xaxis.set_major_formatter(_MONEY)
            ax.yaxis.set_major_formatter(_MONEY)
            ax.set_xlabel(f"{label} (currency units; lower is better)")
            ax.set_ylabel("net income (currency units)")
            ax.set_title(f"net income against {label}" + (f" — {s}" if len(scen) > 1 else ""), fontsize=10)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=8, loc="best")
    # The swept keys of the frontier points, for reading the labels.
    on_any = sw[(sw.frontier_loss | sw.frontier_var99) & sw.scenario.isin(scen)].drop_duplicates("variant")
    lines = [f"v{int(v.variant)}: " + ", ".join(f"{k} = {v[k]:g}" for k in keys)
             for _, v in on_any.sort_values("variant").head(2 * label_top).iterrows() if v.variant]
    fig.suptitle(f"Sweep of {sw.attrs['base_policy']}: efficient frontiers ({len(d)} policies per scenario)\n"
                 f"{_subtitle(meta)}", fontsize=11)
    if lines:
        rows = ["    ".join(lines[i:i + 3]) for i in range(0, len(lines), 3)]
        fig.supxlabel("frontier variants: " + "\n".join(rows), fontsize=8)
    return _finish(fig, out, dpi)


def vintage_chart(source, *, scenario=None, policies=None, step=3, out=None, dpi=DPI) -> Figure:
    """The living book's vintage curves (schema 1.5, runs with ``[acquisition]``), one column per policy.

    Rows: cumulative charge-offs as a share of the accounts each cohort opened with, 30+ days past due as a
    share of open accounts, and the mean line per open account, each by months on book, for every
    ``step``-th monthly cohort (darker = later) and the opening book (grey, dashed). The mean line of a
    new cohort shows how a policy grows its lines (a growth policy's small starter lines raised month
    after month). Means over paths (vintages are not weighted by importance sampling).
    """
    from matplotlib import colormaps
    meta = io.load_meta(source)
    scen = scenario if scenario is not None else meta["scenarios"][0]
    df = io.load_vintages(source, scenarios=[scen], policies=policies)
    pols = [p for p in meta["policies"] if p in set(df["policy"])]
    panels = [("cum_chargeoff_rate", "cumulative charge-offs / accounts opened", _PERCENT),
              ("overdue30_rate", "30+ days past due, share of open accounts", _PERCENT),
              ("mean_line", "mean line per open account", _MONEY)]
    fig = _figure(4.2 * len(pols), 2.6 * len(panels) + 0.5)
    axes, lax = _grid(fig, len(panels), len(pols), True, sharex=True, sharey="row")
    cohorts = sorted(c for c in set(df["cohort_month"]) if c > 0 and (c - 1) % step == 0)
    cmap = colormaps["viridis"]
    for j, pol in enumerate(pols):
        d = df[df["policy"] == pol]
        for i, (col, label, fmt) in enumerate(panels):
            ax = axes[i][j]
            base = d[d["cohort_month"] == 0]
            ax.plot(base["months_on_book"], base[col], color="0.45", ls="--", lw=1.2)
            for n, c in enumerate(cohorts):
                v = d[d["cohort_month"] == c]
                if v["opened"].iloc[0] <= 0:
                    continue
                ax.plot(v["months_on_book"], v[col], color=cmap(0.1 + 0.8 * n / max(1, len(cohorts) - 1)), lw=1.2)
            ax.yaxis.set_major_formatter(fmt)
            ax.grid(alpha=0.3)
            if i == 0:
                ax.set_title(pol, fontsize=10)
            if j == 0:
                ax.set_ylabel(label, fontsize=8)
            if i == len(panels) - 1:
                ax.set_xlabel("months on book")
    handles = [Line2D([], [], color="0.45", ls="--", label="opening book (months since the start)")]
    if cohorts:
        handles += [Line2D([], [], color=cmap(0.1), label=f"cohort of month {cohorts[0]}"),
                    Line2D([], [], color=cmap(0.9), label=f"cohort of month {cohorts[-1]}")]
    _legend(lax, handles, ncol=3)
    fig.suptitle(f"Vintages, {scen}: {_subtitle(meta)}", fontsize=11)
    return _finish(fig, out, dpi)

"""The report of a limitsim result: the standard charts as PNG and one self-contained HTML page.

    python3 -m limitsim.report FILE --out DIR [--dpi N] [--quiet]

writes DIR whole or not at all: the report is built in DIR.tmp.PID next to it
and renamed to DIR when complete, replacing a previous report there (a folder
holding anything a report does not write, or the result file itself, is
refused). The file is checked first (limitsim.checks): a damaged one is
refused, naming the dataset, and nothing is written. DIR holds:

- ``overdue.png``, ``utilization.png``, ``loss_distribution.png``: always;
- ``comparison.png``: when the run has more than one policy;
- ``stress.png``: when it has more than one scenario;
- ``frontier.png``: for a sweep file;
- ``vintages.png``: for a run with ``[acquisition]`` (the living book's vintage curves);
- ``index.html``: every chart above, embedded as a data: URI (the page needs
  no other file), and the key tables: run metadata, the summary of every
  scenario x policy, the tail risk, the policy comparison, the stress view and
  the sweep's frontier. A chart that does not apply is listed with the reason.

Exit codes: 0 written; 1 the file cannot be read as a limitsim result (the
message says why); 2 bad command-line arguments.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import html
import math
import os
import shutil
import sys

try:
    from . import charts, checks, io
except ImportError as e:  # h5py, pandas or matplotlib missing
    if __name__ != "__main__":
        raise
    print(f"limitsim report: error: the Python module '{e.name}' is not installed (Debian: apt-get install "
          f"python3-h5py python3-pandas python3-matplotlib, as scripts/setup.sh does)", file=sys.stderr)
    sys.exit(1)

__all__ = ["build_report", "write_report", "main", "CHARTS"]

#: Every chart the report can draw: (file name, title).
CHARTS = (
    ("overdue.png", "Overdue rates by month, by count and by balance"),
    ("losses.png", "Net losses by month and cumulated"),
    ("balances.png", "Balances, lines and open accounts by month"),
    ("utilization.png", "Utilization by month"),
    ("loss_distribution.png", "Loss distribution"),
    ("contributions.png", "Risk contributions by score band and region"),
    ("convergence.png", "Convergence of EL, VaR and ES with the number of paths"),
    ("comparison.png", "Policy comparison"),
    ("stress.png", "Stress view"),
    ("frontier.png", "Efficient frontier"),
    ("vintages.png", "Vintages: cumulative charge-offs, 30+ and mean line by months on book"),
)

#: At most this many policies in the monthly and loss charts (a sweep has many).
MAX_CHART_POLICIES = 6

# The figures of the comparison tables: (figure, month: None = horizon, "T" = last report month).
# VaR and ES at the report's headline level q (_headline_level; "99" unless the run chose levels without 0.99).
def _table_figures(q: str = "99"):
    return (("net_income", None), ("net_loss", None), (f"var_{q}", None), (f"es_{q}", None), ("revenue", None),
            ("cost_of_funds", None), ("average_utilization", None), ("overdue30_count", "T"),
            ("overdue90_count", "T"), ("limit_increases", None), ("limit_decreases", None), ("freezes", None))


def _headline_level(source) -> float:
    """The tail level of the report's headline VaR and ES: 0.99, or the run's highest level when it has no 0.99
    (``[run] tail_levels``)."""
    levels = sorted({float(x) for x in io.load_tail(source).level})
    return 0.99 if not levels or any(abs(x - 0.99) < 1e-12 for x in levels) else levels[-1]


# ----------------------------------------------------------------------------- formatting


def _finite(x) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def fmt(x, unit: str) -> str:
    """A value in its unit: money without decimals, shares in percent with 2 decimals, counts with 1."""
    if not _finite(x):
        return "n/a"
    x = float(x)
    if unit in ("currency",):
        return f"{x:,.0f}"
    if unit == "share":
        return f"{x * 100:.2f}%"
    if unit in ("accounts", "account-months", "customers"):
        return f"{x:,.1f}"
    return f"{x:,.4g}"


def fmt_diff(x, unit: str) -> str:
    """A signed difference: money, or percentage points for shares."""
    if not _finite(x):
        return "n/a"
    x = float(x)
    if unit == "share":
        return f"{x * 100:+.2f} pp"
    if unit == "currency":
        return f"{x:+,.0f}"
    return f"{x:+,.1f}"


def _ci(lo, hi, unit, diff=False) -> str:
    f = fmt_diff if diff else fmt
    if not _finite(lo) and not _finite(hi):
        return "n/a"
    return f"[{f(lo, unit)}, {f(hi, unit)}]"


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    """An HTML table; cells are HTML already (escape them with _e)."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>'


def _e(x) -> str:
    return html.escape(str(x))


# ----------------------------------------------------------------------------- tables


def _meta_table(meta: dict) -> str:
    rows = [
        ("run", meta.get("run_name")), ("file", os.path.basename(meta["file"])),
        ("schema", meta.get("schema_version")), ("limitsim", meta.get("limitsim_version")),
        ("git commit", meta.get("git_commit")), ("backend", meta.get("backend")), ("device", meta.get("device")),
        ("finished (UTC)", meta.get("created_utc")), ("config file", meta.get("config_file")),
        ("seed", meta.get("seed")), ("customers", f"{int(meta['customers']):,}"), ("paths", meta["paths"]),
        ("months", meta["months"]), ("segments", meta.get("segments")), ("threads", meta.get("threads")),
        ("wall time", f"{float(meta.get('wall_seconds', float('nan'))):.1f} s"),
        ("cost of funds", f"{float(meta.get('cost_of_funds', 0)) * 100:g}% a year"),
        ("baseline policy", meta["baseline"]),
        ("importance sampling", f"factor shift {meta['importance_shift']:g}, paths weighted; "
         f"{meta['effective_paths']:.1f} effective paths of {meta['paths']} (Kish)"
         if meta.get("weighted") else "none"),
        ("scenarios", ", ".join(meta["scenarios"])),
        ("policies", ", ".join(meta["policies"]) if len(meta["policies"]) <= 12 else
         f"{len(meta['policies'])}: {', '.join(meta['policies'][:6])}, …"),
    ]
    return _table(["", ""], [[_e(k), _e(v)] for k, v in rows], "meta")


def _summary_table(source, meta: dict, level: float = 0.99) -> str:
    s = io.load_summary(source)
    m = io.load_summary_monthly(source)
    tail = io.load_tail(source)
    q = io._level_name(level)
    few = {(t.scenario, t.policy) for t in tail.itertuples()
           if abs(t.level - level) < 1e-9 and t.paths_beyond < io.TAIL_CAVEAT_PATHS}
    T = int(meta["months"])
    last = m[m.month == T].set_index(["scenario", "policy"])
    rows = []
    for _, r in s.iterrows():
        lm = last.loc[(r.scenario, r.policy)]
        rough = ' <b class="rough">rough</b>' if (r.scenario, r.policy) in few else ""
        rows.append([_e(r.scenario), _e(r.policy),
                     f"{fmt(r.expected_loss, 'currency')} ± {fmt(r.expected_loss_se, 'currency')}<br><small>"
                     f"{_ci(r.get('expected_loss_lo'), r.get('expected_loss_hi'), 'currency')}</small>",
                     fmt(r.unexpected_loss, "currency"),
                     f"{fmt(r[f'var_{q}'], 'currency')}{rough}<br><small>"
                     f"{_ci(r[f'var_{q}_lo'], r[f'var_{q}_hi'], 'currency')}</small>",
                     f"{fmt(r[f'es_{q}'], 'currency')}{rough}<br><small>"
                     f"{_ci(r.get(f'es_{q}_lo'), r.get(f'es_{q}_hi'), 'currency')}</small>",
                     fmt(r.exposure_at_chargeoff, "currency"), fmt(r.revenue, "currency"),
                     fmt(r.limit_increases, "accounts"), fmt(r.freezes, "accounts"),
                     fmt(lm.active, "accounts"), fmt(lm.overdue30_count, "share"), fmt(lm.overdue90_count, "share"),
                     fmt(lm.utilization, "share")])
    header = ["scenario", "policy", "EL ± se<br><small>95% CI</small>", "UL", f"VaR {q}%<br><small>95% CI</small>",
              f"ES {q}%<br><small>95% CI</small>", "exposure at charge-off", "revenue", "limit increases", "freezes",
              f"active, month {T}", f"30+ DPD, month {T}", f"90+ DPD, month {T}", f"utilization, month {T}"]
    return _table(header, rows, "num")


def _report_month_table(source, meta: dict) -> str:
    """The monthly figures at the report months (e.g. 12, 24 and the horizon), with a flag where temporary limits
    are in force in that month (they lift the line, so utilization and the balance-weighted rates dip)."""
    m = io.load_summary_monthly(source)
    with io.open_result(source) as f:
        some = next(iter(f["results"].values()))
        months = [int(x) for x in next(iter(some.values()))["summary/report_months"][()]]
    figs = io.load_monthly_figures(source)
    temp = figs.groupby(["scenario", "policy", "month"])["temp_limit_count"].max()
    rows = []
    for (s, p), g in m.groupby(["scenario", "policy"], sort=False):
        for t in months:
            r = g[g.month == t].iloc[0]
            flag = " <b class=\"rough\">temporary limits</b>" if temp.get((s, p, t), 0) > 0 else ""
            rows.append([_e(s), _e(p), f"{t}{flag}", fmt(r.active, "accounts"), fmt(r.overdue30_count, "share"),
                         fmt(r.overdue90_count, "share"), fmt(r.overdue30_balance, "share"),
                         fmt(r.overdue90_balance, "share"), fmt(r.utilization, "share"),
                         fmt(r.cumulative_net_loss, "currency")])
    return _table(["scenario", "policy", "month", "active", "30+ DPD (n)", "90+ DPD (n)", "30+ DPD (bal)",
                   "90+ DPD (bal)", "utilization", "cumulative net loss"], rows, "num")


def _tail_table(source) -> str:
    t = io.load_tail(source)
    rows = []
    rough = False
    for _, r in t.iterrows():
        few = int(r.paths_beyond) < io.TAIL_CAVEAT_PATHS
        rough = rough or few
        beyond = f"{int(r.paths_beyond)}" + (' <b class="rough">rough</b>' if few else "")
        rows.append([_e(r.scenario), _e(r.policy), f"{r.level * 100:g}%",
                     fmt(r["var"], "currency"), _ci(r.var_lo, r.var_hi, "currency"), fmt(r.var_se, "currency"),
                     fmt(r.es, "currency"), _ci(r.get("es_lo"), r.get("es_hi"), "currency"),
                     fmt(r.es_se, "currency"), beyond])
    table = _table(["scenario", "policy", "level", "VaR", "VaR 95% CI", "VaR se", "ES", "ES 95% CI", "ES se",
                    "paths beyond VaR"], rows, "num")
    if rough:
        table = (f'<p class="caveat"><b>Rough tail figures.</b> Where fewer than {io.TAIL_CAVEAT_PATHS} paths lie '
                 f"at or beyond VaR, VaR and ES are little more than the largest losses seen, whatever their "
                 f"intervals say; run more paths before acting on them.</p>" + table)
    return table


def _diff_table(table, rows_key: str, cols_key: str, base: str, row_order, col_order, q: str = "99") -> str:
    """One row per (row_key, col_key) pair; one column per figure: value, and diff [95% CI] under it."""
    figures = []
    for name, month in _table_figures(q):
        t = table[table.figure == name]
        if t.empty:
            continue
        m = int(t.month.max()) if month == "T" else 0
        figures.append((name, m, t[t.month == m].set_index([rows_key, cols_key])))
    header = [rows_key, cols_key] + [
        _e(charts.figure_label(n) + (f", month {m}" if m else "")) + "<br><small>value; diff [95% CI]</small>"
        for n, m, _ in figures]
    rows = []
    for a in row_order:
        for b in col_order:
            cells = [_e(a), _e(b)]
            for _, _, t in figures:
                if (a, b) not in t.index:
                    cells.append("")
                    continue
                r = t.loc[(a, b)]
                unit = r.unit
                d = "baseline" if b == base else (f"{fmt_diff(r['diff'], unit)} "
                                                f"{_ci(r.diff_lo, r.diff_hi, unit, diff=True)}")
                cells.append(f"{fmt(r.value, unit)}<br><small>{_e(d)}</small>")
            rows.append(cells)
    return _table(header, rows, "num")


def _sweep_table(sw) -> str:
    keys = sw.attrs["keys"]
    sel = sw[(sw.variant == 0) | sw.frontier_loss | sw.frontier_var99]
    rows = []
    for _, r in sel.iterrows():
        on = [n for n, f in (("EL", r.frontier_loss), ("VaR", r.frontier_var99)) if f]
        rows.append([_e(r.scenario), _e(r.policy)] + [f"{r[k]:g}" for k in keys] +
                    [fmt(r.net_loss, "currency"), fmt(r.var_99, "currency"), fmt(r.net_income, "currency"),
                     f"{fmt_diff(r.net_income_diff, 'currency')}<br><small>"
                     f"{_ci(r.net_income_diff_lo, r.net_income_diff_hi, 'currency', diff=True)}</small>",
                     "+".join(on) or "–"])
    return _table(["scenario", "policy"] + [_e(k) for k in keys] +
                  ["expected loss", "VaR 99%", "net income", "net income − base<br><small>95% CI</small>",
                   "frontier"], rows, "num")


def _wrap(table_html: str) -> str:
    """A wide table scrolls sideways instead of widening the page."""
    return f'<div class="wide">{table_html}</div>'


def _ci_method(source) -> str:
    s = io.load_summary(source)
    methods = set(s.var_ci_method)
    if methods == {"bootstrap_percentile"}:
        return "bootstrap percentile intervals; the paths are weighted"
    return "VaR: distribution-free order-statistic interval; ES: bootstrap percentile interval"


def _subtitle_text(meta: dict) -> str:
    n_s, n_p = len(meta["scenarios"]), len(meta["policies"])
    text = (f"{int(meta['customers']):,} customers, {meta['paths']} paths, {meta['months']} months, "
            f"{n_s} scenario{'s' if n_s > 1 else ''}, {n_p} polic{'ies' if n_p > 1 else 'y'}")
    if meta.get("weighted"):
        text += f", importance sampling (factor shift {meta['importance_shift']:g})"
    return text


# ----------------------------------------------------------------------------- report


def _chart_policies(meta: dict, sweep) -> tuple[list[str], str]:
    """The policies of the monthly and loss charts, and a note when not all are shown."""
    pols = meta["policies"]
    if len(pols) <= MAX_CHART_POLICIES:
        return pols, ""
    if sweep is not None:
        front = sweep[sweep.frontier_loss | sweep.frontier_var99].policy.tolist()
        chosen = [p for p in pols if p == sweep.attrs["base_policy"] or p in front][:MAX_CHART_POLICIES]
        return chosen, (f"These charts show {len(chosen)} of the {len(pols)} policies: the base policy and the "
                        f"variants on a frontier.")
    chosen = pols[:MAX_CHART_POLICIES]
    return chosen, f"These charts show the first {len(chosen)} of the {len(pols)} policies."


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1500px;
       padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.85em; }
th, td { border: 1px solid #ddd; padding: 3px 7px; vertical-align: top; }
th { background: #f3f3f3; text-align: center; }
table.num td { text-align: right; } table.num td:nth-child(-n+2) { text-align: left; }
table.meta td:first-child { font-weight: 600; }
small { color: #555; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; }
.note { color: #555; font-size: 0.9em; }
nav { margin: 0.5em 0 1em; } h3 { font-size: 1em; }
div.wide { overflow-x: auto; }
p.caveat { background: #fff4e0; border-left: 4px solid #d98c00; padding: 0.4em 0.8em; }
b.rough { color: #b35c00; font-weight: 600; }
"""


def build_report(source, out_dir, *, dpi: int = charts.DPI, log=None) -> dict:
    """Writes the charts and index.html into out_dir.

    Returns ``{"html": path, "charts": {file name: path}, "skipped": {file name: reason}}``.
    """
    log = log or (lambda _msg: None)
    meta = io.load_meta(source)  # checks the file first: nothing is written for a bad one
    checks.check_result(source)  # ... and its numbers (limitsim.checks)
    os.makedirs(out_dir, exist_ok=True)
    sweep = io.load_sweep(source) if meta["has_sweep"] else None
    pols, pols_note = _chart_policies(meta, sweep)
    since_1_2 = tuple(int(x) for x in str(meta.get("schema_version", "1.1")).split(".")) >= (1, 2)
    level = _headline_level(source) if since_1_2 else 0.99

    def overdue(out):
        return charts.overdue_chart(source, policies=pols, out=out, dpi=dpi)

    def utilization(out):
        return charts.utilization_chart(source, policies=pols, out=out, dpi=dpi)

    def net_losses(out):
        return charts.loss_chart(source, policies=pols, out=out, dpi=dpi)

    def balances(out):
        return charts.balance_chart(source, policies=pols, out=out, dpi=dpi)

    def contributions(out):
        return charts.contributions_chart(source, policies=pols, level=level, out=out, dpi=dpi)

    def convergence(out):
        return charts.convergence_chart(source, policies=pols, level=level, out=out, dpi=dpi)

    def losses(out):
        return charts.loss_distribution_chart(source, policies=pols, level=level, out=out, dpi=dpi)

    def comparison(out):
        return charts.comparison_chart(source, out=out, dpi=dpi)

    def stress(out):
        return charts.comparison_chart(source, view="stress", policies=pols, out=out, dpi=dpi)

    def frontier(out):
        return charts.frontier_chart(source, out=out, dpi=dpi)

    def vintages(out):
        return charts.vintage_chart(source, policies=pols, out=out, dpi=dpi)

    plan = {
        "overdue.png": (overdue, None),
        "utilization.png": (utilization, None),
        "losses.png": (net_losses, None),
        "balances.png": (balances, None),
        "loss_distribution.png": (losses, None),
        "contributions.png": (contributions, None if since_1_2 else "the file has no risk contributions "
                              "(written since schema 1.2)"),
        "convergence.png": (convergence, "the file has no convergence bands (written since schema 1.2)"
                            if not since_1_2 else None if int(meta["paths"]) >= 10 else
                            f"{meta['paths']} paths: the convergence bands start at 10"),
        "comparison.png": (comparison, None if len(meta["policies"]) > 1 else
                           f"the run has one policy ({meta['policies'][0]}): there is nothing to compare"),
        "stress.png": (stress, None if len(meta["scenarios"]) > 1 and meta["has_stress"] else
                       f"the run has one scenario ({meta['scenarios'][0]}): there is no stress view"
                       if len(meta["scenarios"]) == 1 else "the file has no /stress (written since schema 1.2)"),
        "frontier.png": (frontier, None if sweep is not None else
                         "not a sweep file: only `limitsim sweep` writes the efficient frontier (/sweep)"),
        "vintages.png": (vintages, None if meta.get("has_vintages") else
                         "the run acquires nobody: vintages need [acquisition] (docs/config.md)"),
    }
    written, skipped = {}, {}
    for name, _title in CHARTS:
        draw, reason = plan[name]
        if reason:
            skipped[name] = reason
            log(f"skipped {name}: {reason}")
            continue
        path = os.path.join(out_dir, name)
        draw(path)
        written[name] = path
        log(f"wrote {path}")

    titles = dict(CHARTS)
    sections = []  # (anchor, title, html)

    charts_html = [f"<p class=\"note\">{_e(pols_note)}</p>"] if pols_note else []
    for name, path in written.items():
        with open(path, "rb") as fh:
            data = base64.b64encode(fh.read()).decode("ascii")
        charts_html.append(f"<figure id=\"{_e(name)}\"><img src=\"data:image/png;base64,{data}\" "
                           f"alt=\"{_e(titles[name])}\" data-file=\"{_e(name)}\">"
                           f"<figcaption>{_e(titles[name])} ({_e(name)})</figcaption></figure>")
    if skipped:
        charts_html.append("<h3>Charts not drawn</h3><ul>" + "".join(
            f"<li><b>{_e(titles[n])}</b> ({_e(n)}): {_e(r)}</li>" for n, r in skipped.items()) + "</ul>")
    sections.append(("charts", "Charts", "\n".join(charts_html)))

    weighted = " weighted by the importance-sampling likelihood ratios" if meta.get("weighted") else ""
    sections.append(("summary", "Summary",
                     f"<p class=\"note\">Per scenario and policy: means over paths{weighted}, ± standard error, "
                     f"with 95% intervals; VaR and ES of the cumulative net loss at the horizon; the monthly "
                     f"figures at the last month.</p>" + _wrap(_summary_table(source, meta, level))))
    sections.append(("months", "Report months",
                     "<p class=\"note\">Means over paths at the run's report months and the horizon. A month marked "
                     "<b class=\"rough\">temporary limits</b> has temporary raises in force: the line is higher "
                     "that month, so utilization and the rates by balance dip and spending rises; compare it with "
                     "a month without them.</p>" + _wrap(_report_month_table(source, meta))))
    sections.append(("tail", "Tail risk",
                     "<p class=\"note\">VaR and ES of the cumulative net loss at each level, with their 95% "
                     f"intervals ({_e(_ci_method(source))}) and bootstrap standard errors; n/a: too few paths "
                     "to bound that side.</p>" + _wrap(_tail_table(source))))
    if len(meta["policies"]) > 1:
        cmp = io.load_comparison(source)
        sections.append(("comparison", "Policy comparison",
                         f"<p class=\"note\">Every policy against the baseline policy "
                         f"<b>{_e(cmp.attrs['baseline'])}</b> on the same paths: value, then the paired "
                         f"difference policy − baseline with its 95% interval. Cost of funds "
                         f"{float(cmp.attrs['cost_of_funds']) * 100:g}% a year.</p>"
                         + _wrap(_diff_table(cmp, "scenario", "policy", cmp.attrs["baseline"], meta["scenarios"],
                                             meta["policies"], io._level_name(level)))))
    if len(meta["scenarios"]) > 1 and meta["has_stress"]:
        st = io.load_stress(source)
        sections.append(("stress", "Stress view",
                         f"<p class=\"note\">Every scenario against the baseline scenario "
                         f"<b>{_e(st.attrs['baseline_scenario'])}</b> under the same policy, on the same paths."
                         f"</p>" + _wrap(_diff_table(st, "policy", "scenario", st.attrs["baseline_scenario"],
                                                     meta["policies"], meta["scenarios"], io._level_name(level)))))
    if sweep is not None:
        sections.append(("sweep", "Sweep: efficient frontier",
                         f"<p class=\"note\">The base policy <b>{_e(sweep.attrs['base_policy'])}</b> and the "
                         f"variants on a frontier (of {len(sweep)} rows): net income against expected loss (EL) "
                         f"or VaR 99%.</p>" + _wrap(_sweep_table(sweep))))
    sections.append(("run", "Run", _meta_table(meta)))

    nav = " · ".join(f"<a href=\"#{a}\">{_e(t)}</a>" for a, t, _ in sections)
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>limitsim report: {_e(meta['run_name'])}</title><style>{_CSS}</style></head><body>",
             f"<h1>limitsim report: {_e(meta['run_name'])}</h1>",
             f"<p class=\"note\">{_e(_subtitle_text(meta))}. From <code>{_e(os.path.abspath(meta['file']))}"
             f"</code>, written {_e(datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))}. "
             f"Money in currency units (the file's cents / 100); shares in percent; differences of shares in "
             f"percentage points (pp). Definitions: docs/metrics.md.</p>",
             f"<nav>{nav}</nav>"]
    for anchor, title, body in sections:
        parts += [f"<h2 id=\"{anchor}\">{_e(title)}</h2>", body]
    parts.append("</body></html>\n")
    index = os.path.join(out_dir, "index.html")
    tmp = index + f".tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("\n".join(parts))
    os.replace(tmp, index)
    log(f"wrote {index}")
    return {"html": index, "charts": written, "skipped": skipped}


# ----------------------------------------------------------------------------- the output folder

#: What a report folder holds: a folder with anything else in it is not replaced.
_REPORT_FILES = {"index.html"} | {name for name, _title in CHARTS}


def _check_out_dir(source: str, out: str) -> None:
    """Refuses an --out that is not a folder, holds the result file, or holds files a report does not write."""
    if os.path.lexists(out) and not os.path.isdir(out):
        raise io.LimitsimFileError(f"--out: '{out}' exists and is not a folder")
    real_out, real_src = os.path.realpath(out), os.path.realpath(source)
    if os.path.commonpath([real_out, real_src]) == real_out:
        raise io.LimitsimFileError(f"--out: '{out}' holds the result file {source}: name another folder")
    if os.path.isdir(out):
        other = sorted(set(os.listdir(out)) - _REPORT_FILES)
        if other:
            shown = ", ".join(other[:5]) + (", ..." if len(other) > 5 else "")
            raise io.LimitsimFileError(f"--out: '{out}' holds files that are not a report's ({shown}): name a new "
                                       f"or empty folder, or a previous report's, which is replaced")


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _sibling(out: str, kind: str, pid: int) -> str:
    """OUT.tmp.PID or OUT.old.PID next to OUT, OUT shortened so that the name fits in 255 bytes."""
    parent, base = os.path.split(os.path.abspath(out))
    suffix = f".{kind}.{pid}"
    raw = os.fsencode(base)[:255 - len(suffix)]
    return os.path.join(parent, os.fsdecode(raw) + suffix)


def _remove_stale(out: str, log) -> None:
    """Removes OUT.tmp.PID and OUT.old.PID folders left by reports that were killed."""
    parent = os.path.dirname(os.path.abspath(out))
    for name in os.listdir(parent):
        pid_text = name.rsplit(".", 1)[-1]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        pid = int(pid_text)
        for kind in ("tmp", "old"):
            if os.path.basename(_sibling(out, kind, pid)) == name and _pid_gone(pid):
                shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
                log(f"removed {os.path.join(parent, name)}, left by a report (process {pid}) that was killed")


def write_report(source: str, out: str, *, dpi: int = charts.DPI, log=None) -> dict:
    """build_report into a new folder next to `out`, then renamed to `out`: a failure leaves no partial
    folder, and a previous report at `out` is replaced only by a complete one."""
    log = log or (lambda _msg: None)
    _check_out_dir(source, out)
    out = os.path.abspath(out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    _remove_stale(out, lambda msg: print(f"limitsim report: note: {msg}", file=sys.stderr))
    tmp, old = _sibling(out, "tmp", os.getpid()), _sibling(out, "old", os.getpid())
    try:
        result = build_report(source, tmp, dpi=dpi, log=lambda _msg: None)
        if os.path.isdir(out):
            os.rename(out, old)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if os.path.isdir(old) and not os.path.exists(out):
            os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
    rename = lambda p: os.path.join(out, os.path.basename(p))  # noqa: E731
    result = {"html": rename(result["html"]), "charts": {k: rename(v) for k, v in result["charts"].items()},
              "skipped": result["skipped"]}
    for path in result["charts"].values():
        log(f"wrote {path}")
    log(f"wrote {result['html']}")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="limitsim report",
        description="Write the standard charts of a limitsim result as PNG, and one self-contained HTML page "
                    "with them and the key tables.")
    parser.add_argument("file", help="a limitsim HDF5 result (limitsim run or limitsim sweep)")
    parser.add_argument("--out", required=True, help="folder for the PNGs and index.html (created if needed)")
    parser.add_argument("--dpi", type=int, default=charts.DPI, help=f"PNG resolution (default {charts.DPI})")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)
    if args.dpi < 20 or args.dpi > 600:
        parser.error(f"--dpi must be between 20 and 600, not {args.dpi}")
    try:
        result = write_report(args.file, args.out, dpi=args.dpi, log=None if args.quiet else print)
    except (io.LimitsimFileError, OSError) as e:  # includes a missing file, or --out naming a file
        print(f"limitsim report: error: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # anything else the file's content provokes: named, never a traceback
        print(f"limitsim report: error: {args.file}: cannot be read as a limitsim result: "
              f"{type(e).__name__}: {e}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"report: {len(result['charts'])} charts, {len(result['skipped'])} not applicable; "
              f"open {result['html']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The report of :func:`emergence.diagnose.diagnose`: terminal table, Markdown, CSV, figures.

- :func:`format_terminal`: the readable table ``emergence diagnose`` prints;
- :func:`to_markdown`: the Markdown report, with a guide to reading each line;
- :func:`plot_family`: one figure per task x family in the book's house style,
  sharp and smooth metrics side by side, exact intervals drawn, the resolution
  floor marked, the p^L prediction and the backtest's forecast shown;
- :func:`write_report`: all of it into a folder (``report.md``,
  ``curves.csv``, ``points.csv``, ``figures/``), never over an existing
  folder unless asked.

Examples
--------
>>> import pandas as pd
>>> from emergence.diagnose import diagnose
>>> table = pd.DataFrame({"task": "t", "family": "F", "model": list("abcd"),
...                       "scale": [1e6, 1e7, 1e8, 1e9], "metric": "exact_match",
...                       "value": [0.0, 0.1, 0.2, 0.3]})
>>> print(format_terminal(diagnose(table)).splitlines()[-1])
    -> no jump (score 3 <= 10); the largest model not forecast by the smaller ones (predicted 0.435, observed 0.3)
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .diagnose import SCALE_UNITS, SHARP_KINDS, SMOOTH_KINDS, _fmt

__all__ = ["CURVE_COLUMNS", "POINT_COLUMNS", "READING_GUIDE", "format_terminal", "to_markdown",
           "plot_family", "plot_families", "alt_text", "write_report", "summary"]

#: Every column of the table :func:`emergence.diagnose.diagnose` returns.
CURVE_COLUMNS = {
    "task": "the task (BIG-bench: subtask and shots)",
    "family": "the model family",
    "metric": "the metric",
    "metric_kind": "discontinuous, nonlinear, linear, continuous or unknown "
                   "(emergence.diagnose.METRICS)",
    "higher_is_better": "whether larger values are better",
    "chance": "the random baseline, where given",
    "n_models": "models in the family on this curve",
    "scale_min": "the smallest model's scale",
    "scale_max": "the largest model's scale",
    "emergence_score": "emergence.score.emergence_score of the curve",
    "sharp": "emergence score above the cut-off",
    "share_of_gain_at_middle": "share of the total gain made by model n // 2 "
                               "(emergence.score.share_of_gain)",
    "n_items_min": "the smallest test set on the curve (metrics that count items)",
    "n_items_max": "the largest test set on the curve",
    "resolution_floor": "upper end of the exact 95% interval at 0 correct, about 3.7 / n",
    "models_at_zero": "models with 0 items right",
    "smallest_at_zero": "how many of the smallest models in a row have 0 items right",
    "partner_metric": "the most linear other metric of the same task and family "
                      "(sharp-kind metrics)",
    "partner_kind": "its kind",
    "partner_score": "its emergence score",
    "partner_sharp": "whether it is sharp too",
    "p_l_source": "the per-token metric p comes from, for the p^L prediction",
    "p_l_length": "target length L (a range where targets differ)",
    "p_l_max_gap": "largest observed - p^L difference",
    "p_l_gap_scale": "the scale at which it occurs",
    "p_l_fits": "every point within 0.05 of p^L, or within its exact interval",
    "backtest_scale": "scale of the held-out model with the largest error",
    "backtest_observed": "its value",
    "backtest_predicted": "the fit's prediction for it",
    "backtest_error": "predicted - observed",
    "backtest_fit_rmse": "root mean squared residual of the fit on the models it was fitted to",
    "backtest_kind": "logistic (bounded scores) or power_law (losses, error counts)",
    "backtest_floor": "the logistic's floor (chance or the metric's worst) or the range's low end",
    "backtest_ceiling": "the logistic's ceiling or the range's high end",
    "backtest_forecast": "every held-out model within tolerance (5% of the range for a logistic, "
                         "10% of the gap for a power law, or inside its exact interval)",
    "backtest_note": "why no backtest was made",
    "verdict": "what the evidence supports",
}

#: Every column of ``attrs["points"]``.
POINT_COLUMNS = {
    "task": "", "family": "", "metric": "", "model": "", "scale": "", "value": "",
    "n_items": "test-set size, where given",
    "n_correct": "value x n_items, where the metric counts items",
    "ci_low": "exact (Clopper-Pearson) 95% interval, low end",
    "ci_high": "high end",
    "resolution_floor": "high end of the interval at 0 of n_items",
    "p_l_predicted": "the exact match p^L predicts from the per-token metric",
    "implied_p": "the per-token p the observed exact match implies, value ** (1 / L)",
    "backtest_predicted": "the backtest's prediction, for held-out models",
}

#: How to read each clause of a verdict line (the report prints it).
READING_GUIDE = [
    ("sharp (score S > 10) / no jump (score S <= 10)",
     "the emergence score: the rise divided by the typical step between neighbouring models. "
     "A straight line through k models scores k - 1; 'inf' means flat, then a jump. Sharp says "
     "how concentrated the rise is, not whether it is real."),
    ("sharp under A, smooth under B on the same outputs: consistent with a metric-made jump",
     "B is a linear or continuous metric of the same outputs and does not jump: the jump can be "
     "made by how A scores them (the mirage paper's explanation). Consistent with, not proof of."),
    ("sharp under both A and B of the same outputs: not made by the metric alone",
     "the smooth metric jumps too, so the metric cannot be the whole story."),
    ("sharp under B too, but it is nonlinear as well / not sharp under B, itself nonlinear",
     "the only other metric of the same outputs is not linear either (BLEU, for instance): the "
     "comparison cannot separate the metric from the models; a linear metric is needed."),
    ("p^L from B (L = ...) reproduces it / misses it",
     "if each of the L target tokens is right independently with probability p (B's per-token "
     "accuracy), exact match is p^L. Reproduced: the jump is what independent token errors "
     "predict. Missed: the errors are not independent (some items are hard all through), so "
     "p^L is not the explanation."),
    ("the k smallest models at 0 of n: below resolution (under 3.7/n), more items needed",
     "0 of n is not 0: the exact 95% interval reaches about 3.7/n. A curve flat at 0 may hide "
     "a smooth rise below what n items can show."),
    ("the largest model forecast / not forecast by the smaller ones",
     "the backtest: a logistic in log-scale (between chance and the ceiling) for bounded "
     "scores, a power law for losses and error counts, fitted without the largest model. Not "
     "forecast: the smaller models did not foretell it by this fit, which is the claim of "
     "unpredictability put to a test."),
    ("the largest model still at the metric's worst end ...: the backtest has nothing to test",
     "the held-out model and its forecast both sit within 5% of the range of chance (or of the "
     "metric's worst value): agreeing there says nothing about predictability."),
    ("fewer than 4 models: no verdict / only 2 models: skipped",
     "too few points for the checks to mean anything."),
]


def summary(curves: pd.DataFrame) -> dict:
    """Counts for the head of the report.

    Examples
    --------
    >>> summary(pd.DataFrame({"n_models": [2, 5], "sharp": [False, True],
    ...                       "verdict": ["x", "consistent with a metric-made jump"],
    ...                       "backtest_forecast": [None, False], "smallest_at_zero": [0, 2]}))
    {'curves': 2, 'skipped': 1, 'sharp': 1, 'metric_made': 1, 'not_forecast': 1, 'below_resolution': 1}
    """
    forecast = curves["backtest_forecast"]
    return {
        "curves": int(len(curves)),
        "skipped": int((curves["n_models"] < 3).sum()),
        "sharp": int(curves["sharp"].sum()),
        "metric_made": int(curves["verdict"].str.contains("consistent with a metric-made jump",
                                                          regex=False).sum()),
        "not_forecast": int(forecast.map(lambda v: v is False or v is np.False_).sum()),
        "below_resolution": int((curves["smallest_at_zero"] > 0).sum()),
    }


def _head(curves) -> list[str]:
    s = curves.attrs.get("settings", {})
    c = summary(curves)
    unit = SCALE_UNITS.get(s.get("scale_unit", "parameters"), "parameters")
    return [
        f"input: {s.get('source', '?')} ({s.get('input', '?')}; {s.get('rows', '?')} rows of "
        "results); "
        f"scale: {unit}; cut-off: emergence score > {_fmt(s.get('cutoff', 10.0))}; "
        f"backtest holds back {s.get('holdout', 1)} model(s)",
        f"{c['curves']} curves: {c['sharp']} sharp, {c['metric_made']} consistent with a "
        f"metric-made jump, {c['not_forecast']} not forecast by their smaller models, "
        f"{c['below_resolution']} with models below resolution, {c['skipped']} skipped",
    ]


def _order(curves):
    """Task, family, then sharp-kind metrics before smooth ones."""
    rank = curves["metric_kind"].map({k: 0 for k in SHARP_KINDS} | {k: 1 for k in SMOOTH_KINDS})
    return curves.assign(_r=rank.fillna(2)).sort_values(["task", "family", "_r", "metric"],
                                                        kind="stable").drop(columns="_r")


def format_terminal(curves: pd.DataFrame, limit: int | None = None) -> str:
    """The table ``emergence diagnose`` prints: one line of numbers and one verdict per curve.

    Parameters
    ----------
    curves : pandas.DataFrame
        What :func:`emergence.diagnose.diagnose` returned.
    limit : int, optional
        Print at most this many curves (sharp ones first) and say how many
        are left out.
    """
    lines = _head(curves)
    shown = _order(curves)
    if limit is not None and len(shown) > limit:
        shown = shown.assign(_s=~shown["sharp"]).sort_values("_s", kind="stable").head(limit)
        shown = _order(shown.drop(columns="_s"))
    for (task, family), grp in shown.groupby(["task", "family"], sort=False):
        lines.append("")
        lines.append(f"{task} | {family}")
        for r in grp.itertuples(index=False):
            numbers = f"{r.n_models} model{'s' if r.n_models != 1 else ''}"
            if r.n_models >= 3:
                numbers += (f", score {_fmt(r.emergence_score)}, share of gain at middle "
                            f"{_fmt(r.share_of_gain_at_middle)}")
            lines.append(f"  {r.metric} ({r.metric_kind}): {numbers}")
            lines.append(f"    -> {r.verdict}")
    if limit is not None and len(curves) > limit:
        lines.append("")
        lines.append(f"... {len(curves) - limit} more curves not shown: write them all with "
                     "--out DIR, or print them with --all.")
    return "\n".join(lines)


def _cell(x) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        return _fmt(float(x))
    return str(x).replace("|", "\\|")


def to_markdown(curves: pd.DataFrame, figure_files: dict | None = None) -> str:
    """The Markdown report: settings, how to read a line, then one section per task x family.

    Parameters
    ----------
    curves : pandas.DataFrame
        What :func:`emergence.diagnose.diagnose` returned.
    figure_files : dict, optional
        ``(task, family) -> relative path`` of each figure, linked in its section.
    """
    figure_files = figure_files or {}
    out = ["# emergence diagnose report", ""]
    out += [f"- {line}" for line in _head(curves)]
    for note in curves.attrs.get("notes", []):
        out.append(f"- note: {note}")
    out += ["", "## How to read a verdict line", ""]
    for clause, meaning in READING_GUIDE:
        out.append(f"- *{clause}*: {meaning}")
    for (task, family), grp in _order(curves).groupby(["task", "family"], sort=False):
        out += ["", f"## {task} | {family}", ""]
        if (task, family) in figure_files:
            out += [f"![{alt_text(curves, task, family)}]({figure_files[(task, family)]})", ""]
        out.append("| metric | kind | models | emergence score | share of gain at middle | "
                   "items | backtest: predicted / observed |")
        out.append("|---|---|---|---|---|---|---|")
        for r in grp.itertuples(index=False):
            items = ("" if np.isnan(r.n_items_min) else
                     f"{int(r.n_items_min):,}" if r.n_items_min == r.n_items_max
                     else f"{int(r.n_items_min):,}-{int(r.n_items_max):,}")
            bt = ("" if np.isnan(r.backtest_predicted) else
                  f"{_cell(r.backtest_predicted)} / {_cell(r.backtest_observed)}")
            out.append(f"| {_cell(r.metric)} | {r.metric_kind} | {r.n_models} | "
                       f"{_cell(r.emergence_score)} | {_cell(r.share_of_gain_at_middle)} | "
                       f"{items} | {bt} |")
        out.append("")
        for r in grp.itertuples(index=False):
            out.append(f"- **{_cell(r.metric)}**: {r.verdict}")
    return "\n".join(out) + "\n"


def plot_family(curves: pd.DataFrame, task: str, family: str, points: pd.DataFrame | None = None,
                unit: str | None = None):
    """One task x family: a panel per metric, sharp ones first, in the book's house style.

    Each panel shows the metric against scale (log axis labelled with its
    unit), the exact 95% interval of each point where the test-set size is
    known, the resolution floor (dotted), chance (where given), the p^L
    prediction from the per-token metric (dashed) and the backtest's forecast
    of the held-out models (open markers).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from .plotting import METRIC_COLORS, OKABE_ITO, scale_axis, use_house_style

    points = curves.attrs["points"] if points is None else points
    unit = SCALE_UNITS[unit or curves.attrs.get("settings", {}).get("scale_unit", "parameters")]
    rows = _order(curves[(curves["task"] == task) & (curves["family"] == family)])
    if rows.empty:
        raise ValueError(f"no curve for task {task!r} and family {family!r}.")
    pts = points[(points["task"] == task) & (points["family"] == family)]
    use_house_style()
    # two panels a row: the book's column is 6.8 inches, and text stays legible there
    k = len(rows)
    ncols = min(k, 2)
    nrows = -(-k // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 2.9 * nrows + 0.3),
                             squeeze=False, layout="constrained")
    for ax in axes.flat[k:]:
        ax.set_visible(False)
    for ax, r in zip(axes.flat, rows.itertuples(index=False)):
        p = pts[pts["metric"] == r.metric].sort_values("scale")
        sharp_kind = r.metric_kind in SHARP_KINDS
        color = METRIC_COLORS.get(r.metric, OKABE_ITO["vermillion"] if sharp_kind
                                  else OKABE_ITO["blue"])
        x, y = p["scale"].to_numpy(), p["value"].to_numpy()
        if np.isfinite(p["ci_low"]).any():
            err = np.vstack([y - p["ci_low"].to_numpy(), p["ci_high"].to_numpy() - y])
            ax.errorbar(x, y, yerr=np.nan_to_num(err), fmt="o-", color=color, capsize=2,
                        label="observed, 95% interval")
        else:
            ax.plot(x, y, "o-", color=color, label="observed")
        if np.isfinite(r.resolution_floor):
            ax.axhline(r.resolution_floor, color="#555555", ls=":", lw=1.2,
                       label="resolution floor")
        if np.isfinite(r.chance):
            ax.axhline(r.chance, color="#777777", ls="-.", lw=1, label="chance")
        if np.isfinite(p["p_l_predicted"]).any():
            ax.plot(x, p["p_l_predicted"], "--", color=OKABE_ITO["black"], lw=1.2,
                    label="p^L (per-token)")
        held = p[np.isfinite(p["backtest_predicted"])]
        if not held.empty:
            ax.plot(held["scale"], held["backtest_predicted"], "o", mfc="none",
                    mec=OKABE_ITO["black"], ms=8, label="backtest forecast")
        scale_axis(ax, "parameters" if unit == "parameters" else "training FLOPs")
        score = "" if np.isnan(r.emergence_score) else f", score {_fmt(r.emergence_score)}"
        ax.set_title(f"{r.metric}\n({r.metric_kind}{score})")
        ax.set_ylabel(("higher" if r.higher_is_better else "lower") + " is better")
        ax.legend(loc="best")
    fig.suptitle(f"{task} | {family}")
    return fig


def alt_text(curves: pd.DataFrame, task: str, family: str) -> str:
    """A sentence that states what :func:`plot_family`'s figure shows, for its alt text.

    Examples
    --------
    >>> table = pd.DataFrame({"task": "t", "family": "F", "metric": ["exact_match", "bleu"],
    ...                       "sharp": [True, False], "emergence_score": [float("inf"), 3.0]})
    >>> alt_text(table, "t", "F")
    't, F: 2 metrics against model scale; sharp (emergence score above the cut-off): exact_match (inf); not sharp: bleu (3).'
    """
    rows = curves[(curves["task"] == task) & (curves["family"] == family)]
    sharp = [f"{m} ({_fmt(s)})" for m, s in zip(rows.loc[rows["sharp"], "metric"],
                                              rows.loc[rows["sharp"], "emergence_score"])]
    other = [f"{m} ({_fmt(s)})" for m, s in zip(rows.loc[~rows["sharp"], "metric"],
                                              rows.loc[~rows["sharp"], "emergence_score"])]
    return (f"{task}, {family}: {len(rows)} metric{'s' if len(rows) != 1 else ''} against "
            f"model scale; sharp (emergence score above the cut-off): "
            f"{', '.join(sharp) or 'none'}; not sharp: {', '.join(other) or 'none'}.")


def plot_families(curves: pd.DataFrame) -> dict:
    """:func:`plot_family` for every task x family: ``(task, family) -> Figure``."""
    pairs = curves[["task", "family"]].drop_duplicates().itertuples(index=False)
    return {(t, f): plot_family(curves, t, f) for t, f in pairs}


def _slug(task, family, taken: set) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{task}__{family}").strip("_")[:100] or "curve"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name


OUTPUT_FILES = ("report.md", "curves.csv", "points.csv")


def write_report(curves: pd.DataFrame, out, *, force: bool = False, figures: bool = True,
                 progress: bool = False) -> list[Path]:
    """Write ``report.md``, ``curves.csv``, ``points.csv`` and ``figures/*.png`` into ``out``.

    Parameters
    ----------
    curves : pandas.DataFrame
        What :func:`emergence.diagnose.diagnose` returned.
    out : str or pathlib.Path
        The folder; it must not exist yet (or be empty) unless ``force``.
    force : bool
        Write into an existing folder, replacing this tool's files there
        (other files are left alone).
    figures : bool
        Draw one PNG per task x family.
    progress : bool
        Show a progress bar while drawing.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    FileExistsError
        ``out`` exists and is not an empty folder, and ``force`` is False.
    """
    out = Path(out)
    if out.exists():
        if not out.is_dir():
            raise FileExistsError(f"{out} exists and is not a folder: choose another --out.")
        if any(out.iterdir()) and not force:
            raise FileExistsError(f"{out} already exists and is not empty: nothing was written. "
                                  "Choose a new folder, or pass --force to replace the "
                                  "report's files in it.")
    out.mkdir(parents=True, exist_ok=True)
    fig_dir = out / "figures"
    if force and fig_dir.is_dir():
        for old in fig_dir.glob("*.png"):
            old.unlink()
    written = []
    figure_files = {}
    if figures:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig_dir.mkdir(exist_ok=True)
        pairs = list(curves[["task", "family"]].drop_duplicates().itertuples(index=False))
        bar = None
        if progress and len(pairs) > 20:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(pairs), unit="figure", desc="figures", leave=False)
        taken: set = set()
        from .plotting import figure_png

        for task, family in pairs:
            fig = plot_family(curves, task, family)
            name = _slug(task, family, taken) + ".png"
            # the book's PNG: twice the density, legible text, the alt text inside
            png, _, _ = figure_png(fig, alt_text(curves, task, family))
            (fig_dir / name).write_bytes(png)
            plt.close(fig)
            figure_files[(task, family)] = f"figures/{name}"
            written.append(fig_dir / name)
            if bar is not None:
                bar.update()
        if bar is not None:
            bar.close()
    (out / "report.md").write_text(to_markdown(curves, figure_files), encoding="utf-8")
    curves.to_csv(out / "curves.csv", index=False)
    curves.attrs["points"].to_csv(out / "points.csv", index=False)
    written += [out / name for name in OUTPUT_FILES]
    return written

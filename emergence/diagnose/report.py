"""The report of :func:`emergence.diagnose.diagnose`: terminal table, Markdown, CSV, figures.

- :func:`format_terminal`: the readable table ``emergence diagnose`` prints;
- :func:`to_markdown`: the Markdown report, with a guide to reading each line;
- :func:`to_json`: the same as JSON for scripts, the judgements as true/false/null;
- the figures, one per task x family (:mod:`emergence.diagnose.figures`);
- :func:`write_report`: all of it into a folder (``report.md``, ``report.json``,
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
    -> rises gradually (50% of its gain by the middle of the scale range, 25% within its steepest quarter, emergence score 3); the largest model not forecast by the smaller ones (predicted 0.435, observed 0.3)
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from emergence.diagnose.figures import _draw_all, alt_text
from emergence.diagnose.inputs import SCALE_UNITS
from emergence.diagnose.wording import fmt, reading_order

__all__ = ["CURVE_COLUMNS", "POINT_COLUMNS", "READING_GUIDE", "format_terminal", "to_markdown",
           "to_json", "write_report", "summary"]

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
    "emergence_score": "emergence.measure.score.emergence_score of the curve (the mirage paper's "
                       "number; reported, not the verdict)",
    "score_above_cutoff": "emergence score above the cut-off (the paper-style classification)",
    "share_of_gain_at_middle": "share of the total gain made by model n // 2 "
                               "(emergence.measure.score.share_of_gain)",
    "noise_weighed": "whether a standard error was known (given, or binomial from n_items) "
                     "for the smallest and largest model",
    "change": "rises, declines or flat: the net change against the noise "
              "(emergence.diagnose.shape.judge_shape)",
    "noise": "the change the noise allows: 3 standard errors of largest - smallest",
    "net_gain": "largest model - smallest, oriented so that higher is better",
    "share_by_mid_scale": "share of the net gain made by the middle of the log-scale range",
    "steepest_quarter": "largest share of the net gain made within a quarter of the "
                        "log-scale range",
    "late": "under 25% of the gain by mid-scale (not late above 35%; empty: unclear)",
    "rises_early": "over 70% of the gain by mid-scale (not early below 60%; empty: unclear)",
    "concentrated": "over 65% of the gain within a quarter of the range (not below 55%)",
    "sharp": "rises, not early, and late or concentrated (empty: unclear)",
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
    "partner_change": "whether it rises, declines or is flat",
    "partner_share_by_mid_scale": "its share of the gain by mid-scale",
    "partner_late": "whether it rises late",
    "metric_made": "sharp under a nonlinear or discontinuous metric while a linear or "
                   "continuous metric of the same outputs rises neither sharply nor late "
                   "(no: that metric is sharp too; empty: not sharp, no such metric, or unclear)",
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
    "backtest_kind": "logistic (bounded scores), power_law (losses, error counts), or flat: "
                     "the mean of the fitted models, where they do not change beyond their "
                     "noise",
    "backtest_floor": "the logistic's floor (chance or the metric's worst) or the range's low end",
    "backtest_ceiling": "the logistic's ceiling or the range's high end",
    "backtest_forecast": "every held-out model within tolerance (5% of the range for a bounded "
                         "metric, 10% of the gap for a power law, inside its exact interval, "
                         "or within 3 standard errors of it)",
    "backtest_note": "why no backtest was made",
    "verdict": "what the evidence supports",
}

#: Every column of ``attrs["points"]``.
POINT_COLUMNS = {
    "task": "", "family": "", "metric": "", "model": "", "scale": "", "value": "",
    "n_items": "test-set size, where given",
    "n_correct": "value x n_items, where the metric counts items",
    "stderr": "standard error of the value: given, or binomial from n_items where the metric "
              "counts items",
    "ci_low": "exact (Clopper-Pearson) 95% interval, low end",
    "ci_high": "high end",
    "resolution_floor": "high end of the interval at 0 of n_items",
    "p_l_predicted": "the exact match p^L predicts from the per-token metric",
    "implied_p": "the per-token p the observed exact match implies, value ** (1 / L)",
    "backtest_predicted": "the backtest's prediction, for held-out models",
}

#: How to read each clause of a verdict line (the report prints it).
READING_GUIDE = [
    ("no change beyond noise / gets worse with scale",
     "the largest model's value minus the smallest's, against 3 standard errors of that "
     "difference (from stderr, or binomial from n_items for a metric that counts items). "
     "Without a standard error any change counts, and a sharp line says the noise was not "
     "weighed."),
    ("sharp: rises late / sharp: a jump / rises early / rises gradually / unclear",
     "where on the log-scale axis the curve makes its gain: its share by the middle of the range "
     "(late under 25%, early over 70%) and within its steepest quarter (a jump over 65%). Sharp: "
     "not early, and late or a jump. A straight line makes 50% and 25% for any number of models. "
     "Each cut-off has a band (35%, 60%, 55%) inside which the judgement is unclear rather than "
     "flipped by a small difference."),
    ("emergence score S",
     "the mirage paper's number: the rise divided by the typical step between neighbouring "
     "models. Reported, not the verdict: a straight line through k models scores k - 1, and "
     "'inf' means flat, then a step (of any size)."),
    ("sharp under A, not under B of the same outputs: consistent with a metric-made jump",
     "B is a linear or continuous metric of the same outputs (a loss counts) and rises neither "
     "sharply nor late: the jump can be made by how A scores the outputs (the mirage paper's "
     "explanation). Consistent with, not proof of."),
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
     "scores, a power law for losses and error counts, fitted without the largest model; "
     "where the smaller models do not change beyond their noise, their mean ('flat within "
     "their noise'). Not forecast: the smaller models did not foretell it by this fit, which "
     "is the claim of unpredictability put to a test. The head of the report gives the "
     "forecasts' mean error across the file: far from 0, it says the fit leans one way."),
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
    >>> summary(pd.DataFrame({"n_models": [2, 5], "sharp": pd.array([pd.NA, True], dtype="boolean"),
    ...                       "metric_made": pd.array([pd.NA, True], dtype="boolean"),
    ...                       "backtest_forecast": [None, False], "backtest_error": [None, 0.2],
    ...                       "smallest_at_zero": [0, 2]}))
    {'curves': 2, 'skipped': 1, 'sharp': 1, 'unclear': 0, 'metric_made': 1, 'not_forecast': 1, 'backtests': 1, 'backtest_mean_error': 0.2, 'below_resolution': 1}
    """
    forecast = curves["backtest_forecast"]
    made = forecast.map(lambda v: v is not None and v is not pd.NA).to_numpy(dtype=bool)
    errors = curves.loc[made, "backtest_error"].to_numpy(dtype=float) if made.any() else []
    return {
        "curves": int(len(curves)),
        "skipped": int((curves["n_models"] < 3).sum()),
        "sharp": int(curves["sharp"].fillna(False).sum()),
        "unclear": int((curves["sharp"].isna() & (curves["n_models"] >= 4)).sum()),
        "metric_made": int(curves["metric_made"].fillna(False).sum()),
        "not_forecast": int(forecast.map(lambda v: v is False or v is np.False_).sum()),
        "backtests": int(made.sum()),
        # the forecasts' mean error (predicted - observed, the largest held-out miss of each
        # curve): a clear sign across a file says the fit leans one way, so its "not forecast"
        # count is partly the fit's doing
        "backtest_mean_error": float(np.mean(errors)) if len(errors) else None,
        "below_resolution": int((curves["smallest_at_zero"] > 0).sum()),
    }


def _head(curves) -> list[str]:
    s = curves.attrs.get("settings", {})
    c = summary(curves)
    unit = SCALE_UNITS.get(s.get("scale_unit", "parameters"), "parameters")
    return [
        f"input: {s.get('source', '?')} ({s.get('input', '?')}; {s.get('rows', '?')} rows of "
        "results); "
        f"scale: {unit}; backtest holds back {s.get('holdout', 1)} model(s)",
        f"{c['curves']} curves: {c['sharp']} sharp, {c['unclear']} unclear, "
        f"{c['metric_made']} consistent with a "
        f"metric-made jump, {c['not_forecast']} of {c['backtests']} backtests not forecast by "
        f"their smaller models{_bias(c['backtest_mean_error'])}, "
        f"{c['below_resolution']} with models below resolution, {c['skipped']} skipped",
    ]


def _notes(curves) -> list[str]:
    """The report's notes, for the whole report only: a selection of its curves
    (``report[report["task"] == ...]``) keeps the notes of the whole in its attrs."""
    whole = curves.attrs.get("settings", {}).get("curves", len(curves)) == len(curves)
    return list(curves.attrs.get("notes", [])) if whole else []


def _bias(mean_error) -> str:
    return "" if mean_error is None else f" (mean error of the forecasts {mean_error:+.3g})"


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
    # what was assumed or skipped (a metric not in the catalogue, say) comes before the
    # curves it concerns, not after hundreds of them
    lines = _head(curves) + [f"note: {note}" for note in _notes(curves)]
    shown = reading_order(curves)
    if limit is not None and len(shown) > limit:
        shown = shown.assign(_s=~shown["sharp"].fillna(False).astype(bool)).sort_values(
            "_s", kind="stable").head(limit)
        shown = reading_order(shown.drop(columns="_s"))
    for (task, family), grp in shown.groupby(["task", "family"], sort=False):
        lines.append("")
        lines.append(f"{task} | {family}")
        for r in grp.itertuples(index=False):
            numbers = f"{r.n_models} model{'s' if r.n_models != 1 else ''}"
            if r.n_models >= 3:
                numbers += (f", emergence score {fmt(r.emergence_score)}, share of gain by "
                            f"mid-scale {fmt(r.share_by_mid_scale)}")
            lines.append(f"  {r.metric} ({r.metric_kind}): {numbers}")
            lines.append(f"    -> {r.verdict}")
    if limit is not None and len(curves) > limit:
        lines.append("")
        lines.append(f"... {len(curves) - limit} more curves not shown: write them all with "
                     "--out DIR, or print them with --all.")
    return "\n".join(lines)


def _cell(x) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)):
        return ""
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        return fmt(float(x))
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
    for note in _notes(curves):
        out.append(f"- note: {note}")
    out += ["", "## How to read a verdict line", ""]
    for clause, meaning in READING_GUIDE:
        out.append(f"- *{clause}*: {meaning}")
    for (task, family), grp in reading_order(curves).groupby(["task", "family"], sort=False):
        out += ["", f"## {task} | {family}", ""]
        if (task, family) in figure_files:
            out += [f"![{alt_text(curves, task, family)}]({figure_files[(task, family)]})", ""]
        out.append("| metric | kind | models | sharp | share of gain by mid-scale | "
                   "steepest quarter | emergence score | items | backtest: predicted / observed |")
        out.append("|---|---|---|---|---|---|---|---|---|")
        for r in grp.itertuples(index=False):
            items = ("" if np.isnan(r.n_items_min) else
                     f"{int(r.n_items_min):,}" if r.n_items_min == r.n_items_max
                     else f"{int(r.n_items_min):,}-{int(r.n_items_max):,}")
            bt = ("" if np.isnan(r.backtest_predicted) else
                  f"{_cell(r.backtest_predicted)} / {_cell(r.backtest_observed)}")
            out.append(f"| {_cell(r.metric)} | {r.metric_kind} | {r.n_models} | "
                       f"{'unclear' if r.sharp is pd.NA and r.n_models >= 4 else _cell(r.sharp)} | "
                       f"{_cell(r.share_by_mid_scale)} | "
                       f"{_cell(r.steepest_quarter)} | {_cell(r.emergence_score)} | "
                       f"{items} | {bt} |")
        out.append("")
        for r in grp.itertuples(index=False):
            out.append(f"- **{_cell(r.metric)}**: {r.verdict}")
    return "\n".join(out) + "\n"


def _slug(task, family, taken: set) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{task}__{family}").strip("_")[:100] or "curve"
    name, i = base, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name


OUTPUT_FILES = ("report.md", "report.json", "curves.csv", "points.csv")


def _plain(value):
    """A cell as JSON: NaN and <NA> as null, numpy scalars as Python numbers and booleans."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    return value


def _records(table: pd.DataFrame) -> list[dict]:
    columns = list(table.columns)
    return [{c: _plain(v) for c, v in zip(columns, row)}
            for row in table.itertuples(index=False, name=None)]


def to_json(curves: pd.DataFrame, points: bool = True) -> str:
    """The report as JSON, for scripts: settings, summary, notes, one object per curve.

    Every column of :data:`CURVE_COLUMNS` is a field of each curve's object,
    the judgements (``sharp``, ``late``, ``rises_early``, ``concentrated``,
    ``metric_made``, ``partner_sharp``, ``backtest_forecast``, ...) as
    ``true``, ``false`` or ``null`` (unclear, or not applicable), missing
    numbers as ``null`` (an infinite emergence score as the string
    ``"inf"``). With ``points``, also one object per model point
    (:data:`POINT_COLUMNS`).

    Examples
    --------
    >>> import json
    >>> from emergence.diagnose import diagnose
    >>> table = pd.DataFrame({"task": "t", "family": "F", "model": list("abcde"),
    ...                       "scale": [1e6, 1e7, 1e8, 1e9, 1e10], "metric": "exact_match",
    ...                       "value": [0.0, 0.0, 0.0, 0.0, 0.8], "n_items": 100})
    >>> doc = json.loads(to_json(diagnose(table)))
    >>> curve = doc["curves"][0]
    >>> curve["sharp"], curve["late"], curve["rises_early"], curve["metric_made"]
    (True, True, False, None)
    >>> curve["emergence_score"], doc["summary"]["sharp"]
    ('inf', 1)
    """
    import json

    table = curves.copy()
    # an infinite score is a real value of the paper's score (flat, then a step): keep it
    score = table["emergence_score"].to_numpy(dtype=float)
    table["emergence_score"] = [("inf" if v > 0 else "-inf") if np.isinf(v) else v
                                for v in score]
    doc = {"settings": {k: _plain(v) for k, v in curves.attrs.get("settings", {}).items()},
           "summary": summary(curves), "notes": list(curves.attrs.get("notes", [])),
           "curves": _records(table)}
    if points and "points" in curves.attrs:
        doc["points"] = _records(curves.attrs["points"])
    return json.dumps(doc, indent=1, allow_nan=False)


def write_report(curves: pd.DataFrame, out, *, force: bool = False, figures: bool = True,
                 progress: bool = False, workers: int | None = None) -> list[Path]:
    """Write ``report.md``, ``report.json``, ``curves.csv``, ``points.csv`` and ``figures/*.png``.

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
        Draw one PNG per task x family (:func:`plot_family` with ``quick=True``,
        the alt text inside the PNG).
    progress : bool
        Show a progress bar while drawing.
    workers : int, optional
        Processes that draw the figures (default: one per core).

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
        fig_dir.mkdir(exist_ok=True)
        pairs = [tuple(p) for p in curves[["task", "family"]].drop_duplicates()
                 .itertuples(index=False, name=None)]
        taken: set = set()
        names = [_slug(task, family, taken) + ".png" for task, family in pairs]
        bar = None
        if progress and len(pairs) > 20:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(pairs), unit="figure", desc="figures", leave=False)
        for name, png in zip(names, _draw_all(curves, pairs, workers)):
            (fig_dir / name).write_bytes(png)
            if bar is not None:
                bar.update()
        if bar is not None:
            bar.close()
        for (task, family), name in zip(pairs, names):
            figure_files[(task, family)] = f"figures/{name}"
            written.append(fig_dir / name)
    (out / "report.md").write_text(to_markdown(curves, figure_files), encoding="utf-8")
    curves.to_csv(out / "curves.csv", index=False)
    curves.attrs["points"].to_csv(out / "points.csv", index=False)
    (out / "report.json").write_text(to_json(curves), encoding="utf-8")
    written += [out / name for name in OUTPUT_FILES]
    return written

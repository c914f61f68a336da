"""The mirage paper's meta-analysis of BIG-bench, on the tidy table of :mod:`emergence.io.bigbench`.

:func:`meta_analysis` computes, in one call, the emergence score of every task x metric x
model-family curve (:func:`emergence_scores`), tallies them by metric (the mirage paper's
Fig. 5) and sets the discontinuous multiple-choice grade against the continuous Brier
score on the same outputs of one family (its Fig. 6, done there with BIG-G, which the
paper calls "LaMDA"); :func:`metric_breakdown` counts, for chosen tasks, which metrics
make their curves sharp.

Examples
--------
>>> import tempfile
>>> from emergence.io.bigbench import read_results, write_results
>>> rows = [dict(task="toy", model_family="F", model_name=f"m{i}", total_params=n,
...              n_shots=0, metric="exact_str_match", score=s,
...              preferred_metric="exact_str_match")
...         for i, (n, s) in enumerate([(1e6, 0.0), (1e7, 0.01), (1e8, 0.0), (1e9, 0.6)])]
>>> folder = tempfile.mkdtemp()
>>> files = write_results(pd.DataFrame(rows), folder)
>>> result = meta_analysis(read_results(folder))
>>> float(result.scores["emergence_score"].iloc[0]) > 10
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from emergence.io.bigbench import BRIER_METRIC, LOWER_IS_BETTER, MC_GRADE_METRIC, read_results
from emergence.measure.score import emergence_score

__all__ = ["MetaAnalysis", "emergence_scores", "meta_analysis", "metric_breakdown"]


def emergence_scores(
    table: pd.DataFrame,
    *,
    scale: str = "params",
    min_models: int = 3,
    by: tuple[str, ...] = ("task", "subtask", "model_family", "n_shots", "metric"),
    lower_is_better=LOWER_IS_BETTER,
) -> pd.DataFrame:
    """Emergence score of every curve (one score per ``by`` group) in a tidy table.

    A curve is one task x subtask x model family x number of shots x metric,
    its points the family's models ordered by ``scale``. Models of the same
    size are averaged first. Metrics named in ``lower_is_better`` are scored
    with ``higher_is_better=False``.

    Parameters
    ----------
    table : pandas.DataFrame
        The tidy table of :func:`read_results` (any table with the ``by``
        columns, ``scale`` and ``score``).
    scale : str
        The column to order models by (default ``params``).
    min_models : int
        Curves with fewer distinct model sizes are skipped (default 3: with
        two points the score is always 1).
    by : tuple of str
        The columns that define a curve.
    lower_is_better : collection of str
        Metrics for which a smaller value is better. Default
        :data:`LOWER_IS_BETTER` (BIG-bench's Brier score and calibration
        error); pass your own set for a task's custom metrics, e.g.
        ``LOWER_IS_BETTER | {"perplexity"}``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``is_preferred`` (if present in ``table``),
        ``n_models`` and ``emergence_score``.

    Examples
    --------
    >>> t = pd.DataFrame({"task": "t", "subtask": "t", "model_family": "F", "n_shots": 0,
    ...                   "metric": "exact_str_match", "params": [1e6, 1e7, 1e8, 1e9],
    ...                   "score": [0.0, 0.1, 0.2, 0.3]})
    >>> emergence_scores(t)["emergence_score"].round(6).tolist()
    [3.0]
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError("table must be a pandas DataFrame (see read_results).")
    by = list(by)
    missing = [c for c in [*by, scale, "score"] if c not in table.columns]
    if missing:
        raise ValueError(f"table lacks column(s) {missing}; it has {list(table.columns)}.")
    if int(min_models) < 2:
        raise ValueError(f"min_models must be at least 2, got {min_models}.")
    lower_is_better = _metric_names(lower_is_better)
    data = table.dropna(subset=[scale, "score"])
    rows = []
    for key, curve in data.groupby(by, sort=True):
        points = curve.groupby(scale)["score"].mean().sort_index()
        if len(points) < min_models:
            continue
        metric = dict(zip(by, key)).get("metric", "")
        value = emergence_score(
            points.index.to_numpy(float),
            points.to_numpy(float),
            higher_is_better=metric not in lower_is_better,
        )
        row = dict(zip(by, key))
        if "is_preferred" in curve.columns:
            row["is_preferred"] = bool(curve["is_preferred"].any())
        row["n_models"] = len(points)
        row["emergence_score"] = float(value)
        rows.append(row)
    columns = [*by, *(["is_preferred"] if "is_preferred" in table.columns else []),
               "n_models", "emergence_score"]
    return pd.DataFrame(rows, columns=columns)


def _metric_names(names) -> frozenset:
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise ValueError("lower_is_better must be a collection of metric names, e.g. "
                         "{'calibration_multiple_choice_brier_score', 'perplexity'}; "
                         f"got {names!r}.")
    return frozenset(names)


@dataclass
class MetaAnalysis:
    """Everything :func:`meta_analysis` computes.

    Attributes
    ----------
    table : pandas.DataFrame
        The tidy results table analysed.
    scores : pandas.DataFrame
        Emergence score per task x subtask x family x shots x metric, with
        ``emergent`` (score above ``threshold``).
    by_metric : pandas.DataFrame
        Per metric: number of curves, number with ``emergent``, and how many
        of those are preferred-metric curves (the mirage paper's Fig. 5).
    mc_vs_brier : pandas.DataFrame
        For ``family``: per task x subtask x shots, the emergence score under
        the multiple-choice grade and under the Brier score of the same
        outputs (the paper's Fig. 6), with ``emergent_mc_grade`` and
        ``emergent_brier``.
    threshold : float
        The emergence-score cut-off used.
    family : str
        The family of the multiple-choice-grade vs Brier comparison.
    """

    table: pd.DataFrame
    scores: pd.DataFrame
    by_metric: pd.DataFrame
    mc_vs_brier: pd.DataFrame
    threshold: float
    family: str


def meta_analysis(
    path_or_table,
    *,
    threshold: float = 10.0,
    family: str = "BIG-G T=0",
    scale: str = "params",
    min_models: int = 3,
    lower_is_better=LOWER_IS_BETTER,
    include_aggregates: bool = False,
    on_error: str = "raise",
) -> MetaAnalysis:
    """The BIG-bench meta-analysis of the mirage paper, in one call.

    Parameters
    ----------
    path_or_table : str, pathlib.Path or pandas.DataFrame
        A BIG-bench checkout (or anything :func:`read_results` accepts), or a
        table it returned.
    threshold : float
        A curve counts as emergent when its emergence score exceeds this.
        The mirage paper's text does not state the cut-off it used; the
        default 10 is this book's choice (its chapter on the BIG-Bench
        meta-analysis shows what chance alone produces at such cut-offs).
    family : str
        The model family for the multiple-choice grade vs Brier comparison.
        BIG-bench names its dense BIG-G models ``"BIG-G T=0"`` and
        ``"BIG-G T=1"`` (sampling temperature) and its sparse ones
        ``"BIG-G sparse"``; the mirage paper calls the BIG-G family "LaMDA"
        without saying which variant it used. Default ``"BIG-G T=0"``.
    scale : str
        Column giving model size (default ``params``).
    min_models : int
        Minimum number of model sizes for a curve to be scored.
    lower_is_better : collection of str
        Metrics for which smaller is better (see :func:`emergence_scores`).
    include_aggregates, on_error
        Passed to :func:`read_results` when ``path_or_table`` is a path.
        BIG-bench's aggregates (averages over subtasks, and its
        ``normalized_aggregate_score``) are left out unless asked for, so
        that an average is not counted as one more curve and
        ``normalized_aggregate_score`` not as one more metric.

    Returns
    -------
    MetaAnalysis

    Examples
    --------
    >>> meta_analysis(pd.DataFrame({"task": ["t"]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: path_or_table lacks column(s) [...]: pass a checkout path or the table of read_results.
    """
    if isinstance(path_or_table, pd.DataFrame):
        table = path_or_table
        missing = [c for c in ("task", "subtask", "model_family", "n_shots", "metric",
                               "score", "is_preferred", scale) if c not in table.columns]
        if missing:
            raise ValueError(
                f"path_or_table lacks column(s) {missing}: pass a checkout path or the "
                "table of read_results."
            )
    else:
        table = read_results(path_or_table, include_aggregates=include_aggregates,
                             on_error=on_error)
    if not include_aggregates and "is_aggregate" in table.columns:
        table = table[~table["is_aggregate"].astype(bool)]
    threshold = float(threshold)
    if not np.isfinite(threshold):
        raise ValueError(f"threshold must be a finite number, got {threshold}.")

    scores = emergence_scores(table, scale=scale, min_models=min_models,
                              lower_is_better=lower_is_better)
    scores["emergent"] = scores["emergence_score"] > threshold

    grouped = scores.groupby("metric")
    by_metric = pd.DataFrame({
        "n_curves": grouped.size(),
        "n_emergent": grouped["emergent"].sum().astype(int),
        "n_emergent_preferred": scores[scores["is_preferred"]].groupby("metric")["emergent"]
        .sum().reindex(grouped.size().index, fill_value=0).astype(int),
    }).sort_values(["n_emergent", "n_curves"], ascending=False).reset_index()
    total = by_metric["n_emergent"].sum()
    by_metric["share_of_emergent"] = by_metric["n_emergent"] / total if total else 0.0

    key = ["task", "subtask", "n_shots"]
    fam = scores[scores["model_family"] == family]
    mc = fam[fam["metric"] == MC_GRADE_METRIC].set_index(key)["emergence_score"]
    brier = fam[fam["metric"] == BRIER_METRIC].set_index(key)["emergence_score"]
    both = pd.concat({"emergence_mc_grade": mc, "emergence_brier": brier}, axis=1, join="inner")
    both = both.reset_index()
    both["emergent_mc_grade"] = both["emergence_mc_grade"] > threshold
    both["emergent_brier"] = both["emergence_brier"] > threshold
    both = both.sort_values("emergence_mc_grade", ascending=False, ignore_index=True)
    return MetaAnalysis(table=table, scores=scores, by_metric=by_metric,
                        mc_vs_brier=both, threshold=threshold, family=family)


# --------------------------------------------------------------------------- which metrics


def metric_breakdown(tasks, task_metrics: pd.DataFrame, *,
                     unknown: str = "not a JSON task") -> pd.DataFrame:
    """How many of ``tasks`` have each preferred metric.

    Parameters
    ----------
    tasks : iterable of str
        BIG-bench task directory names (missing values allowed: they count
        as ``unknown``).
    task_metrics : pandas.DataFrame
        Columns ``task`` and ``preferred_metric`` (the table
        ``bigbench_task_metrics``).
    unknown : str
        Label for tasks not in ``task_metrics`` (programmatic tasks).

    Returns
    -------
    pandas.DataFrame
        Columns ``preferred_metric``, ``n_tasks``, ``share`` (of all
        ``tasks``) and ``share_of_known`` (of the tasks whose metric is
        known), largest first.

    Examples
    --------
    >>> tm = pd.DataFrame({"task": ["a", "b", "c"],
    ...                    "preferred_metric": ["bleu", "bleu", "exact_str_match"]})
    >>> metric_breakdown(["a", "b", "c", None], tm)["n_tasks"].tolist()
    [2, 1, 1]
    """
    if not isinstance(task_metrics, pd.DataFrame) or not {"task", "preferred_metric"} <= set(
        task_metrics.columns
    ):
        raise ValueError(
            "task_metrics must be a DataFrame with columns 'task' and 'preferred_metric' "
            "(load('bigbench_task_metrics'))."
        )
    if task_metrics["task"].duplicated().any():
        raise ValueError("task_metrics lists a task twice: keep one row per task.")
    names = pd.Series(list(tasks), dtype=object)
    if names.empty:
        raise ValueError("tasks is empty: pass at least one task name.")
    lookup = task_metrics.set_index("task")["preferred_metric"]
    metric = names.map(lookup).fillna(unknown)
    counts = metric.value_counts()
    out = counts.rename_axis("preferred_metric").reset_index(name="n_tasks")
    out["n_tasks"] = out["n_tasks"].astype(int)
    out["share"] = out["n_tasks"] / len(names)
    known = int((metric != unknown).sum())
    out["share_of_known"] = np.where(out["preferred_metric"] == unknown, np.nan,
                                     out["n_tasks"] / known if known else np.nan)
    # unknown last, then by count
    out["_u"] = out["preferred_metric"] == unknown
    out = out.sort_values(["_u", "n_tasks"], ascending=[True, False]).drop(columns="_u")
    return out.reset_index(drop=True)

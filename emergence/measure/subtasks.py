"""Per-subtask curves and the aggregate they average into.

A data set made of subtasks that are asked with different frequencies (the
multitask sparse parity of Michaud et al. 2023) can be scored two ways:

- per subtask, where each curve may jump;
- in aggregate: the frequency-weighted mean over subtasks, which is the mean
  over test items drawn the way training items are (:func:`frequency_weighted`).

:func:`learning_order` says when (at which step, or width) each subtask is
learned, and :func:`order_vs_frequency` how that relates to its frequency;
:func:`subtask_sharpness` measures every subtask's transition under a sharp
and a smooth metric of the same outputs.

Tables are long: one row per model (or checkpoint) and subtask, with columns
``subtask``, ``frequency`` and the metrics, as
:mod:`emergence.experiments.sparse_parity` caches them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence.measure.score import emergence_score
from emergence.measure.transitions import first_crossing, midpoint_lead, transition_span

__all__ = ["LEARNED_NATS", "frequency_weighted", "learning_order", "order_vs_frequency",
           "subtask_sharpness"]

#: A subtask counts as learned once its cross-entropy is below 0.1 bits (Michaud et al.,
#: Appendix, Figure A3), here in nats.
LEARNED_NATS = 0.1 * np.log(2)


def _require(table: pd.DataFrame, columns, name: str = "table") -> None:
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(table).__name__}.")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; it has {list(table.columns)}.")


def frequency_weighted(table: pd.DataFrame, by, columns=("accuracy", "cross_entropy"),
                       weight: str = "frequency") -> pd.DataFrame:
    """Frequency-weighted mean of per-subtask metrics: the aggregate over the test distribution.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group and subtask.
    by : str or list of str
        The columns that name a model or checkpoint, e.g. ``["seed", "width"]``.
    columns : sequence of str
        Metrics to average.
    weight : str
        Column with each subtask's frequency; within every group the weights
        must sum to 1 (every subtask present once).

    Returns
    -------
    pandas.DataFrame
        One row per group, with ``by`` and ``columns``.

    Examples
    --------
    >>> t = pd.DataFrame({"width": [4, 4, 8, 8], "frequency": [0.75, 0.25] * 2,
    ...                   "cross_entropy": [0.0, 0.69, 0.0, 0.0]})
    >>> frequency_weighted(t, "width", columns=["cross_entropy"])
       width  cross_entropy
    0      4         0.1725
    1      8         0.0000
    """
    by = [by] if isinstance(by, str) else list(by)
    columns = list(columns)
    _require(table, by + columns + [weight])
    totals = table.groupby(by)[weight].sum()
    bad = totals[(totals - 1).abs() > 1e-6]
    if len(bad):
        raise ValueError(
            f"the {weight!r} of group {bad.index[0]!r} sum to {bad.iloc[0]:.6g}, not 1: every "
            "subtask must appear exactly once per group (filter the table to one model first).")
    weighted = table[columns].multiply(table[weight], axis=0)
    weighted[by] = table[by]
    return weighted.groupby(by, as_index=False)[columns].sum()


def learning_order(table: pd.DataFrame, scale: str, by=(), threshold: float = LEARNED_NATS,
                   metric: str = "cross_entropy") -> pd.DataFrame:
    """When each subtask is learned: the first ``scale`` at which ``metric`` falls to ``threshold``.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per (group, scale, subtask).
    scale : str
        The column along which to look, e.g. ``"step"`` or ``"params"``.
    by : sequence of str
        Columns that split the table into separate curves (e.g. ``["seed"]``).
    threshold : float
        Default: 0.1 bits, in nats (:data:`LEARNED_NATS`).
    metric : str
        A loss column (falls as the subtask is learned).

    Returns
    -------
    pandas.DataFrame
        One row per group and subtask: ``by``, ``subtask``, ``frequency`` and
        ``learned_at`` (interpolated in log scale, :func:`first_crossing`;
        NaN if never learned).

    Examples
    --------
    >>> t = pd.DataFrame({"step": [10, 100, 1000] * 2, "subtask": [1] * 3 + [2] * 3,
    ...                   "frequency": [0.8] * 3 + [0.2] * 3,
    ...                   "cross_entropy": [0.69, 0.01, 0.0, 0.69, 0.69, 0.69]})
    >>> learning_order(t, "step")[["subtask", "learned_at"]].round(1)
       subtask  learned_at
    0        1        81.8
    1        2         NaN
    """
    by = list(by)
    _require(table, by + [scale, "subtask", "frequency", metric])
    rows = []
    for key, curve in table.groupby(by + ["subtask"], sort=True):
        curve = curve.sort_values(scale)
        key = key if isinstance(key, tuple) else (key,)
        rows.append(dict(zip(by + ["subtask"], key),
                         frequency=float(curve["frequency"].iloc[0]),
                         learned_at=first_crossing(curve[scale], curve[metric], threshold)))
    return pd.DataFrame(rows)


def order_vs_frequency(order: pd.DataFrame) -> dict:
    """How the scale at which subtasks are learned relates to their frequency.

    Parameters
    ----------
    order : pandas.DataFrame
        :func:`learning_order` output (one curve, or several pooled).

    Returns
    -------
    dict
        ``learned`` (number of subtasks learned), ``spearman`` (rank
        correlation between frequency and ``learned_at``, over the learned
        subtasks; negative when common subtasks are learned first) and
        ``exponent``: ``beta`` in ``learned_at ~ frequency ** -beta``, a
        least-squares line on log-log axes (:func:`emergence.measure.scaling.fit_power_law`);
        NaN where fewer than three subtasks were learned.

    Examples
    --------
    >>> order = pd.DataFrame({"frequency": [0.5, 0.3, 0.15, 0.05],
    ...                       "learned_at": [100.0, 180.0, 400.0, np.nan]})
    >>> r = order_vs_frequency(order)
    >>> r["learned"], r["spearman"], round(r["exponent"], 2)
    (3, -1.0, 1.15)
    """
    _require(order, ["frequency", "learned_at"], "order")
    learned = order.dropna(subset=["learned_at"])
    out = {"learned": int(len(learned)), "spearman": float("nan"), "exponent": float("nan")}
    if len(learned) < 3:
        return out
    from scipy import stats

    from emergence.measure.scaling import fit_power_law

    out["spearman"] = float(stats.spearmanr(learned["frequency"], learned["learned_at"])[0])
    fit = fit_power_law(learned["frequency"], learned["learned_at"])
    out["exponent"] = -fit.alpha
    return out


def subtask_sharpness(table: pd.DataFrame, scale: str, sharp: str = "accuracy",
                      smooth: str = "cross_entropy", by=()) -> pd.DataFrame:
    """Each subtask's transition under a sharp and a smooth metric of the same outputs.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per (group, scale, subtask).
    scale : str
        ``"step"`` or ``"params"``.
    sharp, smooth : str
        A higher-is-better sharp metric and a lower-is-better smooth one.
    by : sequence of str
        Columns that split the table into separate curves.

    Returns
    -------
    pandas.DataFrame
        One row per group and subtask: ``span_sharp`` and ``span_smooth``
        (decades of scale over which the curve makes the middle half of its
        total change, :func:`emergence.measure.transitions.transition_span`),
        ``smooth_lead`` (decades by which the smooth metric makes half its
        change before the sharp one, :func:`emergence.measure.transitions.midpoint_lead`;
        near 0 or negative when they move together), ``score_sharp`` and
        ``score_smooth`` (:func:`emergence.measure.score.emergence_score`), and
        ``change_smooth`` (the smooth metric's first minus last value: how
        much the subtask improved at all).

    Examples
    --------
    >>> t = pd.DataFrame({"step": [10, 100, 1000, 10000], "subtask": 1, "frequency": 1.0,
    ...                   "accuracy": [0.5, 0.5, 1.0, 1.0],
    ...                   "cross_entropy": [0.69, 0.69, 0.0, 0.0]})
    >>> subtask_sharpness(t, "step")[["span_sharp", "span_smooth", "smooth_lead"]]
       span_sharp  span_smooth  smooth_lead
    0         0.5          0.5          0.0
    """
    by = list(by)
    _require(table, by + [scale, "subtask", sharp, smooth])
    rows = []
    for key, curve in table.groupby(by + ["subtask"], sort=True):
        curve = curve.sort_values(scale)
        x = curve[scale].to_numpy(dtype=float)
        key = key if isinstance(key, tuple) else (key,)
        rows.append(dict(
            zip(by + ["subtask"], key),
            span_sharp=transition_span(x, curve[sharp]),
            span_smooth=transition_span(x, curve[smooth]),
            smooth_lead=midpoint_lead(x, curve[smooth], curve[sharp]),
            score_sharp=emergence_score(x, curve[sharp]),
            score_smooth=emergence_score(x, curve[smooth], higher_is_better=False),
            change_smooth=float(curve[smooth].iloc[0] - curve[smooth].iloc[-1]),
        ))
    return pd.DataFrame(rows)

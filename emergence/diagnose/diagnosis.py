"""``emergence diagnose``: check any scaling curve for a mirage.

One call, :func:`diagnose`, takes results across model families and says, for
every task x family x metric curve, what the book's checks find and what the
evidence supports. The command line ``emergence diagnose PATH`` (see
:mod:`emergence.diagnose.cli`) is a thin layer over it.

Inputs
------
A **tidy table** (CSV file or DataFrame), one row per model x task x metric:

======================  ==================================================
``task``                the task (a curve is one task x family x metric)
``family``              the model family
``model``               the model's name
``scale``               its size, > 0 (parameters or training FLOPs)
``metric``              the metric's name (see :data:`METRICS`)
``value``               the metric's value
``n_items``             optional: test-set size (exact intervals)
``stderr``              optional: the value's standard error (else
                        binomial from ``n_items`` where the metric
                        counts items)
``higher_is_better``    optional: True/False (else the metric's own)
``chance``              optional: the random baseline (floor of the fit)
``length``              optional: target length L in tokens (for p^L)
======================  ==================================================

**lm-evaluation-harness results** (a ``results*.json`` file or a folder of
them), read by :func:`emergence.io.harness.read_harness`.

A **wide table** (one row per model, a column per benchmark, sizes such as
``7B``), read by :func:`emergence.io.leaderboard.read_wide`.

A **BIG-bench results folder** (or one ``scores_*.json`` file), read by
:func:`emergence.io.bigbench.read_results`: a task is BIG-bench's subtask and
its number of shots.

**Per-item outputs** (CSV file or DataFrame) with ``task``, ``family``,
``model``, ``scale``, ``item``, ``prediction`` and ``target`` (strings): the
tool post-processes the predictions (:func:`emergence.measure.postprocess.postprocess`)
and scores every item under :func:`~emergence.measure.metrics.exact_match`,
:func:`~emergence.measure.metrics.token_edit_distance` and
:func:`~emergence.measure.metrics.per_token_accuracy`; the test-set size and the
target lengths come from the items.

Checks, for every curve
-----------------------
- **does it rise, and where?** (:func:`emergence.diagnose.shape.judge_shape`): the
  net change against its noise (three standard errors, from a ``stderr``
  column or binomial from ``n_items``), then the share of the gain made by
  the middle of the log-scale range and within its steepest quarter. The
  curve is *sharp* if it rises, not early, and late or in a jump; each
  judgement has an unclear band, so no verdict flips on a small difference.
  The judgement means the same for 5 models as for 50: a straight line makes
  50% of its gain by mid-scale and 25% in any quarter, whatever its number
  of models;
- the mirage paper's **emergence score** (:func:`emergence.measure.score.emergence_score`),
  reported but not used by the verdict (a straight line through ``k`` models
  scores ``k - 1``), and whether it passes a cut-off, :data:`EMERGENCE_CUTOFF`
  (column ``score_above_cutoff``); the **share of the gain** made by the
  middle model (:func:`emergence.measure.score.share_of_gain` at ``n // 2``);
- where ``n_items`` is known and the metric counts items right (exact match,
  multiple-choice grade), the **exact 95% interval** of every point
  (:func:`emergence.measure.scaling.accuracy_interval`) and the **resolution floor**:
  a model at 0 of ``n`` is below about ``3.7 / n``, not at zero;
- whether the metric is **known to be discontinuous or nonlinear**
  (:data:`METRICS`, with the source of each label);
- the **other metrics of the same outputs**: a sharp metric's partner in
  the same task and family (a linear or continuous metric, a loss included,
  one without a jump first): *consistent with a metric-made jump* when the
  partner rises neither sharply nor late, *not made by the metric alone*
  when it is sharp too (column ``metric_made``); and, for exact
  match, the curve that the partner predicts under independence, ``p ** L``
  (:func:`emergence.model.mirage.expected_accuracy`, or
  :func:`emergence.model.mirage.accuracy_from_loss` for a per-token loss), with L
  given or read off the targets;
- a **backtest** (:func:`emergence.forecast.backtest.backtest_many`): fit on all but
  the largest ``holdout`` models -- a logistic in log-scale for a score
  bounded on both sides, between its floor (chance) and ceiling; a power law
  for a loss or error count; their mean where they do not change beyond
  their noise (:func:`emergence.diagnose.shape.flat_within_noise`) -- and predict the
  held-back ones. A forecast is right within 5% of a bounded metric's range
  (10% of the gap for a power law), inside the held-out point's exact
  interval, or within three of its standard errors.

A curve of a family with fewer than 3 models is skipped (the table says so);
with 3 it is measured but gets no verdict. Every other curve gets one
**verdict** line that says what the evidence supports and nothing more.

Examples
--------
>>> import pandas as pd
>>> scales = [1e7, 1e8, 1e9, 1e10, 1e11, 1e12]
>>> exact = [0.0, 0.0, 0.0, 0.01, 0.3, 0.9]        # made-up numbers
>>> per_token = [0.3, 0.45, 0.6, 0.72, 0.87, 0.97]
>>> table = pd.DataFrame({"task": "add", "family": "F", "model": [f"m{i}" for i in range(6)] * 2,
...                       "scale": scales * 2, "value": exact + per_token, "n_items": 200,
...                       "metric": ["exact_match"] * 6 + ["per_token_accuracy"] * 6})
>>> result = diagnose(table, target_length=3)
>>> result[["metric", "n_models", "sharp"]].values.tolist()
[['exact_match', 6, True], ['per_token_accuracy', 6, False]]
>>> for clause in result["verdict"].iloc[0].split("; "):
...     print(clause)
sharp: rises late (1% of its gain by the middle of the scale range, 75% within its steepest quarter, emergence score 90)
sharp under exact_match, not under per_token_accuracy of the same outputs (which makes 54% of its gain by the middle of the scale range, against 1%): consistent with a metric-made jump
p^L from per_token_accuracy (L = 3) misses it by up to 0.363 (at 1e+10): its tokens are not right independently and alike, so p^L does not explain it
the 3 smallest models at 0 of 200: below resolution (under 1.8%), more items needed
the largest model forecast by the smaller ones (predicted 0.948, observed 0.9)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence.diagnose.checks import (
    _backtests,
    _metric_made,
    _p_to_the_l,
    _partners,
    _resolution,
    _shape,
)
from emergence.diagnose.curves import emergence_scores, pack, shares_of_gain
from emergence.diagnose.inputs import (
    SCALE_UNITS,
    DiagnoseInputError,
    _canonical,
    _load,
    _metric_info,
    _Where,
)
from emergence.diagnose.shape import binomial_stderr
from emergence.diagnose.verdicts import _notes, _verdicts
from emergence.measure.catalogue import UNKNOWN as _UNKNOWN
from emergence.measure.scaling import accuracy_interval

__all__ = ["EMERGENCE_CUTOFF", "diagnose"]

#: The cut-off of the ``score_above_cutoff`` column (the paper-style classification,
#: reported beside the verdict, not used by it).
#: A straight line through k models scores k - 1, so no straight line through 11
#: or fewer models passes it (the default of :func:`emergence.book.meta_analysis.meta_analysis`).
EMERGENCE_CUTOFF = 10.0


class SharedTable(pd.DataFrame):
    """A DataFrame kept in another one's ``attrs`` without being copied.

    pandas deep-copies ``attrs`` into the result of every operation; the points
    table of a large report would be copied each time a column is selected.
    This table is shared instead (operations on it give plain DataFrames).
    """

    @property
    def _constructor(self):
        return pd.DataFrame

    def __deepcopy__(self, memo=None):
        return self


def _duplicates(t: pd.DataFrame, curve_id: np.ndarray, where: _Where):
    """Refuse a model listed twice on a curve, and two models at one scale.

    ``t`` is sorted by curve, then scale; ``curve_id`` numbers its curves.
    """
    model_code = pd.factorize(t["model"])[0].astype(np.int64)
    combined = pd.Series(curve_id.astype(np.int64) * (int(model_code.max()) + 1) + model_code)
    twice = combined.duplicated(keep=False).to_numpy()
    scale = t["scale"].to_numpy()
    same = (curve_id[1:] == curve_id[:-1]) & (scale[1:] == scale[:-1])
    if not twice.any() and not same.any():
        return
    if twice.any():
        rows = t[twice]
        first = rows.iloc[0]
        same = rows[(rows["task"] == first["task"]) & (rows["family"] == first["family"])
                    & (rows["metric"] == first["metric"]) & (rows["model"] == first["model"])]
        where.fail("model", same["_pos"].to_numpy(),
                   f"model {first['model']!r} of family {first['family']!r} has two values of "
                   f"metric {first['metric']!r} on task {first['task']!r}: keep one row per "
                   "model x task x metric (average repeated runs first).")
    same_scale = np.r_[same, False] | np.r_[False, same]
    if same_scale.any():
        rows = t[same_scale]
        first = rows.iloc[0]
        pair = rows[(rows["task"] == first["task"]) & (rows["family"] == first["family"])
                    & (rows["metric"] == first["metric"]) & (rows["scale"] == first["scale"])]
        models = ", ".join(repr(m) for m in pair["model"].iloc[:2])
        where.fail("scale", pair["_pos"].to_numpy(),
                   f"two models of family {first['family']!r} at the same scale "
                   f"{first['scale']:g} ({models}): a curve needs one model per scale. If they "
                   "are variants (chat vs base, another data mix), give them families of their "
                   "own; if they are repeated runs of one model, average them into one row.")


def _constant_within(t, column, key, where: _Where, what):
    values = t[column]
    if values.isna().all():
        return
    counts = t.groupby(key, sort=False, observed=True)[column].nunique(dropna=False)
    if (counts > 1).any():
        bad = counts[counts > 1].index[0]
        label = ", ".join(f"{k}={v!r}" for k, v in zip(key, bad))
        rows = np.flatnonzero(np.logical_and.reduce(
            [t[k].to_numpy() == v for k, v in zip(key, bad)]))
        where.fail(column, t["_pos"].to_numpy()[rows],
                   f"{what} differs between the rows of one curve ({label}); give one value.")


def diagnose(source, *, kind: str = "auto", scale_unit: str = "parameters",
             cutoff: float = EMERGENCE_CUTOFF, holdout: int = 1, target_length=None,
             metrics: dict | None = None, lower_is_better=(), figures: bool = False,
             progress: bool = False, **scoring):
    """Check every task x family x metric curve of ``source`` for a mirage.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A tidy table or per-item outputs (CSV file or DataFrame), or a
        BIG-bench results folder or ``scores_*.json`` file (see the module
        docstring for the columns).
    kind : {"auto", "tidy", "wide", "outputs", "bigbench", "harness"}
        What ``source`` is; ``"auto"`` decides by its form and columns.
    scale_unit : {"parameters", "flops"}
        What ``scale`` measures (labels the report and figures).
    cutoff : float
        A curve is sharp when its emergence score is above this
        (default :data:`EMERGENCE_CUTOFF`).
    holdout : int
        How many of each family's largest models the backtest holds back.
    target_length : int, optional
        Target length L in tokens for p^L, where the table has no ``length``
        column (per-item outputs give their own).
    metrics : dict, optional
        Extra or replacement :class:`MetricInfo` by metric name, for metrics
        not in :data:`METRICS`.
    lower_is_better : collection of str
        Metric names that are lower-is-better, for metrics not in the
        catalogue (a ``higher_is_better`` column wins over both).
    figures : bool
        Also draw one figure per task x family (see
        :func:`emergence.diagnose.figures.plot_family`) and return them.
    progress : bool
        Show a progress bar (tqdm) on large inputs.
    **scoring
        For per-item outputs: ``align``, ``stop_string``, ``output_regex``,
        ``max_length``, ``like_bigbench``, ``normalize_whitespace``,
        ``numbers`` (see :func:`tidy_from_outputs`); for BIG-bench,
        ``bigbench_scale`` and ``bigbench_on_error`` (``"warn"``: read the
        files that can be read, with a warning naming the others); for
        lm-evaluation-harness results, ``harness_scales`` (see
        :func:`emergence.io.harness.read_harness`); for a wide table,
        ``wide_metric``, ``model_column`` and ``scale_column`` (see
        :func:`emergence.io.leaderboard.read_wide`).

    Returns
    -------
    pandas.DataFrame
        One row per curve (every column is described in
        :data:`emergence.diagnose.report.CURVE_COLUMNS`), ending in ``verdict``.
        ``attrs["points"]`` holds one row per model point (value, exact
        interval, p^L prediction, backtest prediction), ``attrs["settings"]``
        the settings and ``attrs["notes"]`` what was assumed or skipped.
        With ``figures=True``, a tuple ``(table, figures)``, ``figures`` a
        dict ``(task, family) -> matplotlib Figure``.

    Raises
    ------
    DiagnoseInputError
        Bad input (a ValueError): the message names the file, column and row.
    FileNotFoundError
        ``source`` does not exist.
    """
    if scale_unit not in SCALE_UNITS:
        raise ValueError(f"scale_unit must be one of {list(SCALE_UNITS)}, got {scale_unit!r}.")
    cutoff = float(cutoff)
    if not np.isfinite(cutoff):
        raise ValueError(f"cutoff must be a finite number, got {cutoff}.")
    if isinstance(holdout, bool) or not isinstance(holdout, (int, np.integer)) or holdout < 1:
        raise ValueError(f"holdout must be a whole number >= 1, got {holdout!r}.")
    if target_length is not None and (isinstance(target_length, bool) or not isinstance(
            target_length, (int, np.integer)) or target_length < 1):
        raise ValueError(f"target_length must be a whole number >= 1, got {target_length!r}.")
    unknown = set(scoring) - {"align", "stop_string", "output_regex", "max_length",
                              "like_bigbench", "normalize_whitespace", "numbers",
                              "bigbench_scale", "bigbench_on_error", "harness_scales",
                              "wide_metric", "model_column", "scale_column"}
    if unknown:
        raise TypeError(f"diagnose() got unexpected keyword argument(s) {sorted(unknown)}.")
    info = _metric_info(metrics)
    if isinstance(lower_is_better, str):
        raise ValueError("lower_is_better must be a collection of metric names, not one string.")
    lower = frozenset(lower_is_better)

    raw, lengths, where, name, input_kind = _load(source, kind, scoring)
    t = _canonical(raw, where, info, lower)
    if t.empty:
        raise DiagnoseInputError(f"{where.source}: the table has no rows.")
    if target_length is not None:
        t["length"] = t["length"].fillna(float(target_length))
    key = ["task", "family", "metric"]
    _constant_within(t, "higher_is_better", key, where, "higher_is_better")
    _constant_within(t, "chance", key, where, "chance")
    _constant_within(t, "length", ["task", "family"], where, "length")
    # sort by task, family, metric (alphabetically, through sorted integer codes), then scale
    codes = [pd.factorize(t[k], sort=True)[0] for k in key]
    order = np.lexsort((t["scale"].to_numpy(), *codes[::-1]))
    t = t.iloc[order].reset_index(drop=True)
    codes = [c[order].astype(np.int64) for c in codes]
    combined = (codes[0] * (codes[1].max() + 1) + codes[1]) * (codes[2].max() + 1) + codes[2]
    new_curve = np.r_[True, combined[1:] != combined[:-1]]
    curve_id = np.cumsum(new_curve) - 1
    starts = np.flatnonzero(new_curve)
    position = np.arange(len(t)) - starts[curve_id]
    n_curves = int(len(starts))
    _duplicates(t, curve_id, where)
    t["_curve"] = curve_id
    first = np.flatnonzero(position == 0)
    curves = t.loc[first, [*key, "higher_is_better", "chance"]].reset_index(drop=True)
    n = np.bincount(curve_id, minlength=n_curves)
    curves["n_models"] = n
    X = pack(curve_id, position, t["scale"].to_numpy(), n_curves)
    Y = pack(curve_id, position, t["value"].to_numpy(), n_curves)
    rows = np.arange(n_curves)
    curves["scale_min"] = X[:, 0]
    curves["scale_max"] = X[rows, n - 1]
    kinds = curves["metric"].map(lambda m: info.get(m, _UNKNOWN).kind)
    curves.insert(3, "metric_kind", kinds.to_numpy())
    better = curves["higher_is_better"].to_numpy(dtype=bool)

    measured = n >= 3
    score = np.full(n_curves, np.nan)
    share = np.full(n_curves, np.nan)
    if measured.any():
        score[measured] = emergence_scores(Y[measured], better[measured])
        share[measured] = shares_of_gain(Y[measured], np.maximum(n[measured] // 2, 1),
                                         better[measured])
    curves["emergence_score"] = score
    curves["score_above_cutoff"] = measured & (score > cutoff)
    curves["share_of_gain_at_middle"] = share

    points = _points(t, info, where)
    S = pack(curve_id, position, points["stderr"].to_numpy(), n_curves)
    _shape(curves, X, Y, S, n >= 4)
    _resolution(curves, points, n_curves)
    _partners(curves, info)
    _metric_made(curves)
    _p_to_the_l(curves, points, t, lengths, info)
    row_of = pack(curve_id, position, np.arange(len(t)), n_curves, fill=-1)
    _backtests(curves, points, X, Y, S, row_of, info, holdout, progress)
    notes = _notes(curves, info, lower, raw)
    curves["verdict"] = _verdicts(curves, cutoff, holdout)

    points = points.drop(columns=["_curve", "_pos"], errors="ignore")
    curves.attrs["points"] = SharedTable(points)
    curves.attrs["settings"] = {
        "source": name, "input": input_kind, "scale_unit": scale_unit,
        "cutoff": cutoff, "holdout": int(holdout), "rows": int(len(t)),
        "curves": int(n_curves),
    }
    curves.attrs["notes"] = notes
    if figures:
        from emergence.diagnose.figures import plot_families

        return curves, plot_families(curves)
    return curves


def _decimals(values: np.ndarray) -> np.ndarray:
    """How many decimals each value is written with (at most 9): 0.6213 has 4."""
    digits = np.full(values.shape, 9)
    for d in range(8, -1, -1):
        digits = np.where(np.abs(np.round(values, d) - values) < 1e-12, d, digits)
    return digits


def _points(t: pd.DataFrame, info: dict, where: _Where) -> pd.DataFrame:
    """One row per model point, with its exact interval where the metric counts items."""
    points = t[["task", "family", "metric", "model", "scale", "value", "n_items", "_curve",
                "_pos"]].copy()
    code, names = pd.factorize(t["metric"])
    counts = np.array([info.get(m, _UNKNOWN).counts_items for m in names], dtype=bool)[code]
    n = t["n_items"].to_numpy()
    exact = counts & np.isfinite(n)
    k = np.full(len(t), np.nan)
    lo = np.full(len(t), np.nan)
    hi = np.full(len(t), np.nan)
    floor = np.full(len(t), np.nan)
    if exact.any():
        v, nn = t["value"].to_numpy()[exact], n[exact]
        kk = np.round(v * nn)
        # a value rounded to d decimals (0.6213 of 5,153 items) stands for any count within
        # half a unit of its last digit: it must be consistent with a whole number of items
        rounding = 0.5 * 10.0 ** -_decimals(v) * nn
        off = np.abs(v * nn - kk) > np.maximum(rounding, 1e-5 * nn) + 1e-9
        if off.any():
            bad = np.flatnonzero(exact)[np.flatnonzero(off)]
            i = bad[0]
            where.fail("n_items", t["_pos"].to_numpy()[bad],
                       f"model {t['model'].iloc[i]!r}, metric {t['metric'].iloc[i]!r}: value "
                       f"{t['value'].iloc[i]:g} on {n[i]:g} items is not a whole number of items "
                       f"({t['value'].iloc[i] * n[i]:.3f}), even allowing for the value's "
                       "rounding: check n_items (it must be the number of items the value is "
                       "the mean of).")
        k[exact] = kk
        lo[exact], hi[exact] = accuracy_interval(kk, nn)
        sizes, inverse = np.unique(nn, return_inverse=True)
        floor[exact] = accuracy_interval(np.zeros(len(sizes)), sizes)[1][inverse]
    points["n_correct"] = k
    # each value's standard error: given, or binomial where the metric counts items
    points["stderr"] = np.where(np.isfinite(t["stderr"].to_numpy()), t["stderr"].to_numpy(),
                                np.where(exact, binomial_stderr(t["value"].to_numpy(), n), np.nan))
    points["ci_low"] = lo
    points["ci_high"] = hi
    points["resolution_floor"] = floor
    return points


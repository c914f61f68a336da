"""The emergence score ("breakthroughness") the mirage paper uses in its meta-analysis.

For a metric's values ``y_1 .. y_n`` at model scales ``x_1 < .. < x_n``,

    score = sign(argmax_i y_i - argmin_i y_i) * (max y - min y)
            / sqrt(median_i (y_{i+1} - y_i) ** 2)

A curve that creeps up in even steps scores about ``n - 1``; a curve that sits
flat and then jumps once scores high, because the median step is small next to
the total rise. The sign says whether the best model is larger (+) or smaller
(-) than the worst.

Degenerate cases, chosen so that every input gets a defined answer:

- two scales (a single step): the median step *is* the rise, so the score
  is +1 or -1 (0 if the two values are equal);
- a flat line: 0;
- a curve whose median squared step is 0 but which moves (flat, then one
  jump, with more flat steps than moving ones): ``+inf`` or ``-inf``, the
  limit of an ever sharper jump;
- ties for the maximum or minimum: the *first* (smallest-scale) occurrence
  counts, as ``numpy.argmax`` does.

Floating-point noise. Real curves are often averages (over seeds, subtasks or
items), and an average of equal numbers is not always equal to them: three
seeds at ``0.0925925926`` can average to ``0.09259259259000001``. Taken
literally, such a curve's median step is ``1e-17`` instead of 0 and its score
``1e15`` instead of ``inf``, a number that then wrecks every mean and plot. So
a step counts as zero when its size is at most :data:`STEP_RTOL` times the
curve's rise (``max - min``), and a curve counts as flat when its rise is at
most :data:`STEP_RTOL` times its largest magnitude. Real steps between models
are many orders of magnitude larger than ``1e-9`` of the rise (a test set of a
million items resolves ``1e-6``), so the tolerance changes no score that is
not a rounding artefact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence._validate import as_float_array, check_same_length, check_scales

__all__ = ["STEP_RTOL", "emergence_score", "share_of_gain", "compare_metrics"]

#: Steps no larger than this fraction of a curve's rise count as zero (float noise).
STEP_RTOL = 1e-9


def emergence_score(scales, values, higher_is_better: bool = True) -> float:
    """Emergence score of one metric's curve across a model family.

    Parameters
    ----------
    scales : array-like of float
        Model scales (parameters or training FLOPs), strictly increasing.
    values : array-like of float
        The metric at each scale.
    higher_is_better : bool
        Pass ``False`` for metrics where lower is better (edit distance,
        Brier score, cross-entropy): the values are negated first, so that
        improvement with scale gives a positive score under every metric.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Fewer than two points, NaN, unsorted or duplicated scales, or arrays
        of different lengths.

    Examples
    --------
    >>> emergence_score([1, 10, 100, 1000], [0.1, 0.2, 0.3, 0.4])
    3.0
    >>> emergence_score([1, 10, 100, 1000, 10000], [0, 0.001, 0.001, 0.002, 0.9]) > 100
    True
    >>> emergence_score([1, 10, 100], [3.0, 2.0, 1.0], higher_is_better=False)
    2.0
    >>> emergence_score([1, 10, 100], [0.5, 0.5, 0.5])
    0.0

    Averaging seeds leaves float noise on a flat stretch; it does not make the
    score finite:

    >>> emergence_score([1, 2, 3, 4], [0.0, 0.09259259259000001, 0.09259259259000001, 0.09259259259])
    inf
    """
    x = check_scales(scales, "scales")
    y = as_float_array(values, "values")
    check_same_length(scales=x, values=y)
    if len(y) < 2:
        raise ValueError("an emergence score needs the metric at two or more scales.")
    if not higher_is_better:
        y = -y
    rise = y.max() - y.min()
    if rise <= STEP_RTOL * np.abs(y).max():
        return 0.0
    steps = np.diff(y)
    steps[np.abs(steps) <= STEP_RTOL * rise] = 0.0
    # argmax/argmin on values rounded to the same tolerance, so that noise
    # cannot decide which of two equal plateaus holds the best model
    level = np.round((y - y.min()) / (STEP_RTOL * rise))
    sign = float(np.sign(np.argmax(level) - np.argmin(level)))
    typical_step = np.sqrt(np.median(steps ** 2))
    if typical_step == 0:
        return sign * np.inf
    return float(sign * rise / typical_step)


def share_of_gain(scales, values, upto: int, higher_is_better: bool = True) -> float:
    """Fraction of a family's total improvement already made by its ``upto``-th smallest model.

    ``(y[upto-1] - y[0]) / (y[-1] - y[0])`` after sorting by scale. It says
    *where* a curve rises, which the emergence score does not: a curve that
    rises late (the look of an emergent ability) has made little of its gain
    by the family's middle model; a curve that improves from the smallest
    model on has made much of it.

    Parameters
    ----------
    scales : array-like of float
        Model scales, strictly increasing.
    values : array-like of float
        The metric at each scale.
    upto : int
        Count models from the smallest: 1 gives 0, ``len(values)`` gives 1.
    higher_is_better : bool
        ``False`` for edit distance, loss, Brier score.

    Returns
    -------
    float
        NaN if the first and last models score the same (no gain to share).

    Examples
    --------
    >>> share_of_gain([1, 2, 3, 4, 5], [0.0, 0.0, 0.01, 0.1, 1.0], upto=3)
    0.01
    >>> share_of_gain([1, 2, 3], [3.0, 2.0, 1.0], upto=2, higher_is_better=False)
    0.5
    """
    x = check_scales(scales, "scales")
    y = as_float_array(values, "values")
    check_same_length(scales=x, values=y)
    if isinstance(upto, bool) or not isinstance(upto, (int, np.integer)) or not 1 <= upto <= len(y):
        raise ValueError(f"upto must be a whole number from 1 to {len(y)} (the number of models).")
    if not higher_is_better:
        y = -y
    total = y[-1] - y[0]
    if total == 0:
        return float("nan")
    return float((y[upto - 1] - y[0]) / total)


def compare_metrics(curves: dict) -> pd.DataFrame:
    """Emergence score and share of gain at the middle model, for several curves.

    Parameters
    ----------
    curves : dict
        Maps a label (e.g. ``("addition", "accuracy")``) to a tuple
        ``(scales, values, higher_is_better)``.

    Returns
    -------
    pandas.DataFrame
        One row per curve: ``models`` (how many), ``emergence_score`` and
        ``share_of_gain_at_middle`` (by model ``len // 2``, counted from the
        smallest), indexed by the labels.

    Examples
    --------
    >>> compare_metrics({"even": ([1, 2, 3, 4], [0.1, 0.2, 0.3, 0.4], True)}).round(2)
          models  emergence_score  share_of_gain_at_middle
    even       4              3.0                     0.33
    """
    if not curves:
        raise ValueError("curves is empty: pass at least one (scales, values, higher_is_better).")
    rows = {}
    for label, spec in curves.items():
        try:
            scales, values, better = spec
        except (TypeError, ValueError):
            raise ValueError(
                f"curves[{label!r}] must be a tuple (scales, values, higher_is_better)."
            ) from None
        n = len(values)
        rows[label] = {
            "models": n,
            "emergence_score": emergence_score(scales, values, higher_is_better=better),
            "share_of_gain_at_middle": share_of_gain(scales, values, max(n // 2, 1),
                                                     higher_is_better=better),
        }
    return pd.DataFrame.from_dict(rows, orient="index")

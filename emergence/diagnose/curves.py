"""Many scaling curves at once: the per-curve statistics of :mod:`emergence.measure.score`, vectorised.

A tidy table of results holds one row per model x metric x task; a *curve*
is one task x model family x metric, its points the family's models ordered
by scale. To score tens of thousands of curves in seconds, the curves are
packed into padded arrays, one curve per row, missing points NaN
(:func:`pack`), and each statistic is computed for all rows at once:

- :func:`emergence_scores`: :func:`emergence.measure.score.emergence_score`, with the
  same float-noise tolerance (:data:`emergence.measure.score.STEP_RTOL`), the same
  degenerate cases and the same tie rule;
- :func:`shares_of_gain`: :func:`emergence.measure.score.share_of_gain`.

These are the same definitions, not new ones: the tests check on thousands of
random curves (plateaus with float noise included) that every value equals the
one-curve function's exactly.

Examples
--------
>>> import numpy as np
>>> y = np.array([[0.1, 0.2, 0.3, 0.4], [0.0, 0.0, 0.0, 0.9], [3.0, 2.0, 1.0, np.nan]])
>>> emergence_scores(y, higher_is_better=[True, True, False]).tolist()
[3.0, inf, 2.0]
>>> shares_of_gain(y, upto=[2, 2, 1], higher_is_better=[True, True, False]).round(3).tolist()
[0.333, 0.0, 0.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence.measure.score import STEP_RTOL

__all__ = ["pack", "emergence_scores", "shares_of_gain", "counts_of"]


def pack(curve_id, position, values, n_curves: int | None = None, width: int | None = None,
         fill=np.nan) -> np.ndarray:
    """Put ``values`` into a padded array, row ``curve_id``, column ``position``.

    Parameters
    ----------
    curve_id, position : array-like of int
        Which curve (row) and which point of it (column, 0 = smallest scale)
        each value belongs to.
    values : array-like
        One value per point.
    n_curves, width : int, optional
        The shape; by default just large enough.
    fill : scalar
        The value of missing points.

    Examples
    --------
    >>> pack([0, 0, 1], [0, 1, 0], [5.0, 6.0, 7.0])
    array([[ 5.,  6.],
           [ 7., nan]])
    """
    curve_id = np.asarray(curve_id, dtype=np.int64)
    position = np.asarray(position, dtype=np.int64)
    values = np.asarray(values)
    n = int(curve_id.max()) + 1 if n_curves is None else int(n_curves)
    w = int(position.max()) + 1 if width is None else int(width)
    dtype = np.result_type(values.dtype, np.asarray(fill).dtype)
    out = np.full((n, w), fill, dtype=dtype)
    out[curve_id, position] = values
    return out


def counts_of(values) -> np.ndarray:
    """Number of points of each curve: the non-NaN entries of each row."""
    return np.isfinite(np.asarray(values, dtype=float)).sum(axis=1)


def _oriented(values, higher_is_better):
    y = np.array(values, dtype=float, ndmin=2)
    better = np.broadcast_to(np.asarray(higher_is_better, dtype=bool), (y.shape[0],))
    return np.where(better[:, None], y, -y)


def emergence_scores(values, higher_is_better=True) -> np.ndarray:
    """Emergence score of every row of a padded array of curves.

    Equal, value for value, to :func:`emergence.measure.score.emergence_score` applied
    to each row's points (sorted by scale, NaN padding at the end).

    Parameters
    ----------
    values : array-like, shape (n_curves, n_points)
        Each curve's metric at increasing scales; NaN after its last point.
        Every row needs at least two points.
    higher_is_better : bool or array-like of bool, shape (n_curves,)

    Returns
    -------
    numpy.ndarray, shape (n_curves,)
    """
    y = _oriented(values, higher_is_better)
    n = counts_of(y)
    if (n < 2).any():
        raise ValueError("every curve needs the metric at two or more scales.")
    valid = np.isfinite(y)
    with np.errstate(invalid="ignore"):
        y_max = np.max(np.where(valid, y, -np.inf), axis=1)
        y_min = np.min(np.where(valid, y, np.inf), axis=1)
        biggest = np.max(np.where(valid, np.abs(y), -np.inf), axis=1)
    rise = y_max - y_min
    flat = rise <= STEP_RTOL * biggest

    steps = np.diff(y, axis=1)  # NaN past each curve's end
    tol = (STEP_RTOL * rise)[:, None]
    steps = np.where(np.abs(steps) <= tol, 0.0, steps)
    squared = np.sort(steps ** 2, axis=1)  # NaN sorts last
    m = n - 1  # steps per curve
    rows = np.arange(y.shape[0])
    lower = squared[rows, (m - 1) // 2]
    upper = squared[rows, m // 2]
    median = np.where(m % 2 == 1, lower, (lower + upper) / 2)
    typical = np.sqrt(median)

    with np.errstate(divide="ignore", invalid="ignore"):
        level = np.round((y - y_min[:, None]) / tol)
    level_hi = np.where(valid, level, -np.inf)
    level_lo = np.where(valid, level, np.inf)
    sign = np.sign(np.argmax(level_hi, axis=1) - np.argmin(level_lo, axis=1)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(typical == 0, sign * np.inf, sign * rise / typical)
    return np.where(flat, 0.0, score)


def shares_of_gain(values, upto, higher_is_better=True) -> np.ndarray:
    """Share of each curve's gain made by its ``upto``-th smallest model.

    Equal, value for value, to :func:`emergence.measure.score.share_of_gain` on each
    row: ``(y[upto-1] - y[0]) / (y[last] - y[0])``, NaN where the first and
    last models score the same.

    Parameters
    ----------
    values : array-like, shape (n_curves, n_points)
        NaN after each curve's last point.
    upto : int or array-like of int, shape (n_curves,)
        Counted from the smallest model, 1 to the curve's number of points.
    higher_is_better : bool or array-like of bool
    """
    y = _oriented(values, higher_is_better)
    n = counts_of(y)
    upto = np.broadcast_to(np.asarray(upto, dtype=np.int64), n.shape)
    if ((upto < 1) | (upto > n)).any():
        raise ValueError("upto must be between 1 and each curve's number of models.")
    rows = np.arange(y.shape[0])
    first, last, mid = y[rows, 0], y[rows, n - 1], y[rows, upto - 1]
    total = last - first
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total == 0, np.nan, (mid - first) / total)


def group_positions(table: pd.DataFrame, keys: list[str], order: str):
    """Curve number and point number (by ``order``) of every row of a sorted table.

    Returns ``(curve_id, position, n_curves)``; the table must already be sorted
    by ``keys`` then ``order``.
    """
    grouped = table.groupby(keys, sort=False, observed=True)
    curve_id = grouped.ngroup().to_numpy()
    position = grouped.cumcount().to_numpy()
    return curve_id, position, int(curve_id.max()) + 1 if len(curve_id) else 0

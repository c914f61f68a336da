"""The shape of a scaling curve: does it rise, early or late, gradually or in a jump?

The mirage paper's emergence score (:mod:`emergence.measure.score`) compares a curve's
total rise with its typical step between neighbouring models. It is the
number the paper used, and this book reports it, but as a verdict it has three
faults: a straight line through ``k`` models scores ``k - 1``, so "sharp"
depends on how many models a family has; it does not know where on the scale
axis a curve rises, so a curve that saturates early scores as high as one
that jumps late; and it does not know the noise of a test set, so a plateau at
chance with one lucky model scores infinity.

This module judges the shape instead by *where on the log-scale axis the gain
is made*, which does not depend on the number of models, and weighs the gain
against its noise first:

1. **Does it change beyond noise?** The net gain (largest model minus
   smallest, oriented so that higher is better) must exceed
   :data:`NOISE_Z` standard errors of that difference, from each model's
   standard error (given, or binomial from the test-set size for a metric
   that counts items right, :func:`binomial_stderr`). Without a standard
   error, any change beyond float noise counts, and the caller says the noise
   was not weighed.
2. **Where is the gain made?** With the scale axis ``log(scale)`` mapped to
   ``[0, 1]`` and the curve interpolated linearly between models (the only
   assumption that adds nothing between them):

   - the **share at the middle**: the share of the net gain made by the
     middle of the log-scale range (0.5 for a straight line in log scale);
   - the **steepest quarter**: the largest share of the net gain made within
     any quarter of the log-scale range (0.25 for a straight line; near 1 for
     a jump between two neighbouring models).

3. **Three judgements, each with an unclear band** so that no verdict flips
   on float noise at a cut-off:

   - *late*: the share at the middle is below 0.25 (not late above 0.35);
   - *early*: the share at the middle is above 0.7 (not early below 0.6);
   - *concentrated*: the steepest quarter holds more than 0.65 of the gain
     (not concentrated below 0.55).

   A curve is **sharp** when it rises, is not early, and is late or
   concentrated; a judgement inside its band makes the result unclear
   (``None``) unless the others settle it (three-valued logic).

A straight line scores 0.5 and 0.25 for any number of models: never sharp. A
curve that makes most of its gain by the middle of its range is early: never
sharp, however steep its first step.

Examples
--------
>>> scales = np.logspace(6, 12, 24)
>>> line = np.linspace(0.0, 1.0, 24)
>>> jump = np.r_[np.zeros(20), 0.2, 0.6, 0.9, 1.0]
>>> shape = judge_shape([scales, scales], [line, jump])
>>> shape["share_by_mid_scale"].round(2).tolist(), shape["steepest_quarter"].round(2).tolist()
([0.5, 0.0], [0.25, 1.0])
>>> shape["sharp"].tolist()
[False, True]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["NOISE_Z", "WINDOW", "LATE", "EARLY", "CONCENTRATED", "binomial_stderr",
           "judge_shape", "flat_within_noise"]

#: A change counts when it exceeds this many standard errors of the difference
#: between the largest and the smallest model (a flat curve passes it about
#: once in 370 tries).
NOISE_Z = 3.0
#: The width of the "steepest quarter", as a share of the log-scale range.
WINDOW = 0.25
#: (yes below, no above) for the share of the gain made by the middle of the range.
LATE = (0.25, 0.35)
#: (no below, yes above) for the same share.
EARLY = (0.6, 0.7)
#: (no below, yes above) for the steepest quarter's share of the gain.
CONCENTRATED = (0.55, 0.65)
# Changes smaller than this share of a curve's largest value are float noise.
_FLOAT_RTOL = 1e-9


def binomial_stderr(values, n_items) -> np.ndarray:
    """Standard error of an accuracy measured on ``n_items`` items.

    ``sqrt(p (1 - p) / n)`` with ``p = (k + 1) / (n + 2)`` for ``k`` items
    right: the add-one estimate keeps a model at 0 or at all items right from
    claiming no noise at all. NaN where ``n_items`` is not known.

    Examples
    --------
    >>> binomial_stderr([0.0, 0.5], [100, 100]).round(4).tolist()
    [0.0099, 0.05]
    """
    v = np.asarray(values, dtype=float)
    n = np.asarray(n_items, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = (v * n + 1.0) / (n + 2.0)
        return np.sqrt(p * (1.0 - p) / n)


def flat_within_noise(values, stderr=None) -> np.ndarray:
    """Whether each curve is consistent with a constant, given each point's noise.

    With a standard error for every point: the chi-square of the points
    about their weighted mean is within what a constant curve gives with the
    probability :data:`NOISE_Z` standard deviations leave (0.27% of flat
    curves fail), whatever the number of points. Without one: only when the
    curve is constant up to float noise. NaN padding is ignored.

    Parameters
    ----------
    values : array-like, shape (n_curves, n_points)
    stderr : array-like of the same shape, optional

    Examples
    --------
    >>> y = [[0.25, 0.27, 0.24, 0.26], [0.25, 0.27, 0.24, 0.40], [0.365] * 4]
    >>> flat_within_noise(y, binomial_stderr(y, np.full((3, 4), 200))).tolist()
    [True, False, True]
    >>> flat_within_noise(y).tolist()
    [False, False, True]
    """
    from scipy.stats import chi2, norm

    y = np.array(values, dtype=float, ndmin=2)
    valid = np.isfinite(y)
    with np.errstate(invalid="ignore"):        # a row with no point: spread NaN, not flat
        spread = (np.max(np.where(valid, y, -np.inf), axis=1)
                  - np.min(np.where(valid, y, np.inf), axis=1))
    constant = spread <= _FLOAT_RTOL * np.max(np.where(valid, np.abs(y), 0.0), axis=1)
    if stderr is None:
        return constant
    se = np.array(stderr, dtype=float, ndmin=2)
    known = (np.isfinite(se) | ~valid).all(axis=1) & (np.where(valid, se, 1.0) > 0).all(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(valid, 1.0 / se ** 2, 0.0)
        mean = np.nansum(w * np.where(valid, y, 0.0), axis=1) / w.sum(axis=1)
        stat = np.nansum(w * (np.where(valid, y, 0.0) - mean[:, None]) ** 2, axis=1)
    dof = np.maximum(valid.sum(axis=1) - 1, 1)
    limit = chi2.ppf(1.0 - 2.0 * norm.sf(NOISE_Z), dof)
    return np.where(known, constant | (stat <= limit), constant)


def _three(yes, no):
    """A three-valued judgement: 1.0 yes, 0.0 no, NaN unclear."""
    return np.where(yes, 1.0, np.where(no, 0.0, np.nan))


def _and(a, b):
    return np.where((a == 0) | (b == 0), 0.0, np.where(np.isnan(a) | np.isnan(b), np.nan, 1.0))


def _or(a, b):
    return np.where((a == 1) | (b == 1), 1.0, np.where(np.isnan(a) | np.isnan(b), np.nan, 0.0))


def _interpolate(t, g, q, n):
    """``g`` interpolated linearly in ``t`` at ``q``, row by row (rows padded after ``n``)."""
    rows = np.arange(t.shape[0])[:, None]
    valid = np.arange(t.shape[1])[None, :] < n[:, None]
    tt = np.where(valid, t, np.inf)
    # the segment each query falls in: the last point at or before it, at most n - 2
    i = (tt[:, None, :] <= q[:, :, None] + 1e-12).sum(axis=2) - 1
    i = np.clip(i, 0, (n - 2)[:, None])
    t0, t1 = t[rows, i], t[rows, i + 1]
    g0, g1 = g[rows, i], g[rows, i + 1]
    span = t1 - t0
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(span > 0, np.clip((q - t0) / span, 0.0, 1.0), 1.0)
    return g0 + frac * (g1 - g0)


def judge_shape(scales, values, higher_is_better=True, stderr=None, *,
                chunk: int = 4096) -> pd.DataFrame:
    """Judge the shape of many curves at once (see the module docstring).

    Parameters
    ----------
    scales, values : array-like, shape (n_curves, n_points)
        Each curve's scales (increasing) and metric values, padded with NaN
        after its last point; a single curve may be given as 1-D arrays.
    higher_is_better : bool or array-like of bool, shape (n_curves,)
    stderr : array-like, shape (n_curves, n_points), optional
        Each point's standard error; NaN (or no array) where unknown. A curve
        is weighed against noise only if its first and last points have one.
    chunk : int
        Curves handled at a time (bounds the memory of the interpolation).

    Returns
    -------
    pandas.DataFrame, one row per curve
        ``net_gain`` (oriented: higher is better), ``noise`` (the change the
        noise allows, :data:`NOISE_Z` standard errors; NaN if unknown),
        ``change`` ("rises", "declines" or "flat": within noise, or within
        float noise where the noise is unknown), ``share_by_mid_scale`` and
        ``steepest_quarter`` (NaN unless it rises), and the judgements
        ``late``, ``early``, ``concentrated`` and ``sharp`` as nullable
        booleans (``<NA>``: inside an unclear band).
    """
    x = np.array(scales, dtype=float, ndmin=2)
    y = np.array(values, dtype=float, ndmin=2)
    if x.shape != y.shape:
        raise ValueError(f"scales and values must have the same shape, got {x.shape} and {y.shape}.")
    n_curves = y.shape[0]
    better = np.broadcast_to(np.asarray(higher_is_better, dtype=bool), (n_curves,))
    y = np.where(better[:, None], y, -y)
    n = np.isfinite(y).sum(axis=1)
    if (n < 2).any():
        raise ValueError("every curve needs the metric at two or more scales.")
    rows = np.arange(n_curves)
    first, last = y[:, 0], y[rows, n - 1]
    gain = last - first
    if stderr is None:
        noise = np.full(n_curves, np.nan)
    else:
        se = np.array(stderr, dtype=float, ndmin=2)
        noise = NOISE_Z * np.hypot(se[:, 0], se[rows, n - 1])
    float_noise = _FLOAT_RTOL * np.nanmax(np.abs(y), axis=1)
    allowed = np.where(np.isfinite(noise), noise, float_noise)
    change = np.where(gain > allowed, "rises", np.where(gain < -allowed, "declines", "flat"))

    logx = np.log(np.where(np.isfinite(x) & (x > 0), x, np.nan))
    lo, hi = logx[:, 0], logx[rows, n - 1]
    rising = (change == "rises") & (hi > lo)
    middle = np.full(n_curves, np.nan)
    steepest = np.full(n_curves, np.nan)
    idx = np.flatnonzero(rising)
    for s in range(0, idx.size, chunk):
        r = idx[s:s + chunk]
        nn = n[r]
        t = (logx[r] - lo[r, None]) / (hi[r] - lo[r])[:, None]
        g = (y[r] - first[r, None]) / gain[r, None]
        middle[r] = _interpolate(t, g, np.full((r.size, 1), 0.5), nn)[:, 0]
        # the steepest window has an edge at a model: try every model as either edge
        width = t.shape[1]
        starts = np.clip(np.where(np.isfinite(t), t, 1.0), 0.0, 1.0 - WINDOW)
        q0 = np.concatenate([starts, np.clip(starts - WINDOW, 0.0, 1.0 - WINDOW)], axis=1)
        inside = _interpolate(t, g, q0 + WINDOW, nn) - _interpolate(t, g, q0, nn)
        steepest[r] = np.nanmax(inside[:, :2 * width], axis=1)
    late = _three(middle < LATE[0], middle > LATE[1])
    early = _three(middle > EARLY[1], middle < EARLY[0])
    concentrated = _three(steepest > CONCENTRATED[1], steepest < CONCENTRATED[0])
    sharp = _and(_and(1.0 - early, _or(late, concentrated)), rising.astype(float))
    late, early, concentrated = (np.where(rising, v, 0.0) for v in (late, early, concentrated))

    def boolean(v):
        return pd.array(np.where(np.isnan(v), None, v == 1), dtype="boolean")

    return pd.DataFrame({
        "net_gain": gain, "noise": noise, "change": change,
        "share_by_mid_scale": middle, "steepest_quarter": steepest,
        "late": boolean(late), "early": boolean(early),
        "concentrated": boolean(concentrated), "sharp": boolean(sharp),
    })

"""Backtests: fit a scaling curve on a family's smaller models, predict its largest ones.

A claim that an ability "could not have been predicted" from smaller models can
be tested after the fact: hide the largest ``k`` models of a family, fit a curve
to the rest, and compare its prediction at the hidden scales with what was
observed. Two kinds of curve are fitted, each the usual one for its metric:

``kind="power_law"``
    For losses and error rates. The *gap* between the value and the best value
    the metric can take is fitted as a power law in scale,
    ``gap = (x / c) ** alpha``, by :func:`emergence.measure.scaling.fit_power_law`
    (a straight line on log-log axes). The best value is ``floor`` when lower
    is better (a cross-entropy falling towards 0), ``ceiling`` when higher is
    better (an accuracy whose error rate ``1 - accuracy`` falls). Every gap
    used in the fit must be positive.

``kind="logistic"``
    For bounded scores between a floor (chance) and a ceiling. In ``t =
    log10(x)``,

        y = floor + (ceiling - floor) / (1 + exp(-slope * (t - log10(midpoint))))

    rising (``slope >= 0``) when higher is better, falling otherwise. The
    floor and ceiling are given, not fitted; only the midpoint (the scale at
    which the curve is half-way) and the slope (per factor of ten in scale)
    are. A logistic in log-scale is what a curve that "emerges" looks like
    from far away, so it is the fairest smooth curve to ask for a forecast.

``kind="flat"``
    For a family whose fitted models do not change beyond their noise (the
    caller decides that: :func:`emergence.diagnose.shape.flat_within_noise`): the
    forecast is their mean. A logistic between fixed bounds cannot be flat
    anywhere but half-way between them, so fitted to a constant 0.365 it
    forecasts 0.42; through noise at chance it can forecast a rise that
    nothing in the data announces. A flat family is forecast as flat.

The logistic is fitted by least squares within bounds, so that every curve --
even one that sits at chance in every fitted model -- gets one defined,
deterministic answer:

- ``0 <= |slope| <=`` :data:`MAX_SLOPE` per decade;
- the midpoint within ``pad`` decades of the fitted scales on either side,
  ``pad = max(span, 1)`` with ``span`` the decades they cover.

A curve flat at the floor has its best fit with the midpoint at the upper
bound: it predicts that the next model stays at the floor too. That is the
honest forecast from such data, and the backtest error then measures how much
of the jump was unforeseeable. A curve flat at the floor *but for its last
fitted model* is another matter: least squares cannot tell a noisy 0.2% from the
start of a rise, and a steep logistic through that one uptick forecasts a jump.
Read a forecast from such a family with its points in view.

The solver is a bounded Levenberg-Marquardt iteration written for many curves
at once (:func:`fit_logistic_many`), so that :mod:`emergence.diagnose` can fit
tens of thousands of curves in seconds; :func:`fit_logistic` is the same solver
for one curve. It starts from a fixed grid (for each grid slope, the best grid
midpoint, kept if its error is within a factor of two of the grid's best: a
curve can have a gentle and a steep local minimum) and keeps the best local
fit. The tests check it against ``scipy.optimize.curve_fit`` from many
starting points: it reaches the same least-squares minimum, to 1e-4 of the
sum of squares.

Examples
--------
A logistic rising through 1e9 parameters, at five scales; the largest model
is held back and predicted from the other four:

>>> import numpy as np
>>> x = np.array([1e7, 1e8, 1e9, 1e10, 1e11])
>>> y = 1 / (1 + np.exp(-1.5 * (np.log10(x) - 9)))
>>> fit = fit_logistic(x[:4], y[:4])
>>> f"{fit.midpoint:.3g}", round(fit.slope, 3)
('1e+09', 1.5)
>>> table = backtest(x, y, kind="logistic", holdout=1)
>>> table[["scale", "observed", "predicted"]].round(4)
          scale  observed  predicted
0  1.000000e+11    0.9526     0.9526
>>> bool(abs(table["error"]).max() < 1e-6)
True

A loss that follows a power law is forecast by one:

>>> loss = (x / 1e3) ** -0.1
>>> table = backtest(x, loss, kind="power_law", holdout=2, higher_is_better=False)
>>> table[["scale", "observed", "predicted"]].round(4)
          scale  observed  predicted
0  1.000000e+10    0.1995     0.1995
1  1.000000e+11    0.1585     0.1585
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from emergence._validate import as_float_array, check_same_length, check_scales
from emergence.measure.scaling import fit_power_law

__all__ = ["MAX_SLOPE", "MIDPOINT_PAD", "LogisticFit", "fit_logistic", "fit_logistic_many",
           "backtest", "backtest_many", "KINDS"]

#: The two kinds of curve a backtest can fit.
KINDS = ("logistic", "power_law", "flat")

#: Largest logistic slope allowed, per decade of scale: at 20 the curve goes from
#: 10% to 90% of the way in 0.22 decades, sharper than any two models of a real
#: family can resolve.
MAX_SLOPE = 20.0

#: The midpoint may lie this many decades (or the fitted span, if wider) beyond
#: the fitted scales.
MIDPOINT_PAD = 1.0

# A fixed grid of starting points (midpoint positions as fractions of the
# allowed range, slopes per decade) and at most a fixed number of iterations:
# the fit is a pure function of each curve's data.
_GRID_MIDPOINTS = np.linspace(0.0, 1.0, 9)
_GRID_SLOPES = np.array([0.05, 0.5, 2.0, 6.0, 20.0])
_ITERATIONS = 100
_START_FACTOR = 2.0


@dataclass(frozen=True)
class LogisticFit:
    """A fitted logistic in log-scale (see the module docstring).

    Attributes
    ----------
    midpoint : float
        Scale at which the curve is half-way between ``floor`` and ``ceiling``.
    slope : float
        Steepness per decade of scale: positive rising, negative falling.
    floor, ceiling : float
        The bounds the curve moves between (given, not fitted).
    rmse : float
        Root mean squared residual of the fit, in the metric's units.
    """

    midpoint: float
    slope: float
    floor: float
    ceiling: float
    rmse: float

    def predict(self, scales) -> np.ndarray:
        """The fitted curve at ``scales``."""
        return _logistic(_positive(scales, "scales"), self.midpoint, self.slope, self.floor,
                         self.ceiling)


def _logistic(x, midpoint, slope, floor, ceiling):
    """``floor + (ceiling - floor) * expit(slope * (log10 x - log10 midpoint))``, broadcast."""
    return floor + (ceiling - floor) * _expit(slope * (np.log10(x) - np.log10(midpoint)))


def _expit(z):
    from scipy.special import expit

    return expit(z)


def _positive(x, name):
    arr = as_float_array(x, name)
    if (arr <= 0).any():
        raise ValueError(f"{name} must be positive (model scales); found {arr[arr <= 0][0]:g}.")
    return arr


def _bounds(floor: float, ceiling: float) -> tuple[float, float]:
    floor, ceiling = float(floor), float(ceiling)
    if not (np.isfinite(floor) and np.isfinite(ceiling)) or not floor < ceiling:
        raise ValueError(
            f"floor must be below ceiling, both finite (e.g. chance and 1.0); got "
            f"floor={floor:g}, ceiling={ceiling:g}."
        )
    return floor, ceiling



def _sse(t, u, w, m, k):
    """Sum of squared residuals of each curve (rows) for parameters m, k (one per row)."""
    s = _expit(k[:, None] * (t - m[:, None]))
    return (w * (s - u) ** 2).sum(axis=1)


def _grid_starts(t, u, w, m_lo, m_hi):
    """For each slope of the grid, the best midpoint of the grid: arrays (slopes, curves)."""
    n = t.shape[0]
    ms, ks, es = [], [], []
    for k in _GRID_SLOPES:
        kk = np.full(n, k)
        best, best_m = np.full(n, np.inf), m_lo.copy()
        for f in _GRID_MIDPOINTS:
            m = m_lo + f * (m_hi - m_lo)
            e = _sse(t, u, w, m, kk)
            better = e < best
            best, best_m = np.where(better, e, best), np.where(better, m, best_m)
        ms.append(best_m)
        ks.append(kk)
        es.append(best)
    return np.array(ms), np.array(ks), np.array(es)


def _refine(t, u, w, m, k, err, m_lo, m_hi):
    """Bounded Levenberg-Marquardt from (m, k), one curve per row; returns m, k, err."""
    n = t.shape[0]
    m, k, err = m.copy(), k.copy(), err.copy()
    lam = np.full(n, 1e-3)
    # a curve leaves the active set when its gradient promises no gain or no
    # step has helped for a long while, so its answer depends on its own data
    # only (not on the batch it came in)
    active = np.arange(n)
    for _ in range(_ITERATIONS):
        if active.size == 0:
            break
        T, U, W = t[active], u[active], w[active]
        M, K, E, L = m[active], k[active], err[active], lam[active]
        lo_m, hi_m = m_lo[active], m_hi[active]
        d = T - M[:, None]
        s = _expit(K[:, None] * d)
        ds = s * (1 - s) * W
        r = (s - U) * W
        jm, jk = -K[:, None] * ds, d * ds
        a, b, c = (jm * jm).sum(1), (jm * jk).sum(1), (jk * jk).sum(1)
        gm, gk = (jm * r).sum(1), (jk * r).sum(1)
        # converged when the gradient, less the part a bound blocks, promises
        # a negligible gain (the decrease a scaled gradient step would make)
        blocked_m = ((M <= lo_m) & (gm > 0)) | ((M >= hi_m) & (gm < 0))
        blocked_k = ((K <= 0.0) & (gk > 0)) | ((K >= MAX_SLOPE) & (gk < 0))
        gain = (np.where(blocked_m, 0.0, gm) ** 2 / (a + 1e-30)
                + np.where(blocked_k, 0.0, gk) ** 2 / (c + 1e-30))
        # Marquardt damping on the diagonal, plus a floor for a singular Jacobian
        aa, cc = a * (1 + L) + 1e-12, c * (1 + L) + 1e-12
        det = aa * cc - b * b
        dm = -(cc * gm - b * gk) / det
        dk = -(aa * gk - b * gm) / det
        # the joint step, then each parameter alone: when one parameter sits on
        # its bound, the clipped joint step can stall while the other's alone
        # still descends (the damping follows the joint step alone)
        joint_ok = None
        for m_new, k_new in ((np.clip(M + dm, lo_m, hi_m), np.clip(K + dk, 0.0, MAX_SLOPE)),
                             (np.clip(M - gm / aa, lo_m, hi_m), K),
                             (M, np.clip(K - gk / cc, 0.0, MAX_SLOPE))):
            e_new = _sse(T, U, W, m_new, k_new)
            ok = e_new < E
            M, K, E = np.where(ok, m_new, M), np.where(ok, k_new, K), np.where(ok, e_new, E)
            joint_ok = ok if joint_ok is None else joint_ok
        L = np.where(joint_ok, L / 3, L * 4)
        m[active], k[active], err[active], lam[active] = M, K, E, L
        done = (gain <= 1e-12 * E + 1e-28) | (L > 1e8)
        active = active[~done]
    return m, k, err


def fit_logistic_many(scales, values, floor=0.0, ceiling=1.0, higher_is_better=True):
    """Fit a logistic in log-scale to many curves at once.

    Parameters
    ----------
    scales, values : array-like, shape (n_curves, n_points)
        One curve per row. Missing points (curves with fewer models) are NaN,
        in either array; each row needs at least two points with distinct,
        positive scales.
    floor, ceiling : float or array-like of shape (n_curves,)
        The bounds of each curve, ``floor < ceiling``.
    higher_is_better : bool or array-like of bool, shape (n_curves,)
        Rising (True) or falling (False) logistic.

    Returns
    -------
    midpoint, slope, rmse : numpy.ndarray, shape (n_curves,)
        As the attributes of :class:`LogisticFit`.

    Examples
    --------
    >>> x = np.array([[1e6, 1e7, 1e8, np.nan], [1e6, 1e7, 1e8, 1e9]])
    >>> y = 1 / (1 + np.exp(-np.array([[1.0], [2.0]]) * (np.log10(x) - 7)))
    >>> mid, slope, rmse = fit_logistic_many(x, y)
    >>> np.log10(mid).round(3).tolist(), slope.round(3).tolist()
    ([7.0, 7.0], [1.0, 2.0])
    """
    x = np.atleast_2d(np.asarray(scales, dtype=float))
    y = np.atleast_2d(np.asarray(values, dtype=float))
    if x.shape != y.shape or x.ndim != 2:
        raise ValueError(f"scales and values must have the same 2-D shape; got {x.shape} "
                         f"and {y.shape}.")
    n = x.shape[0]
    lo = np.broadcast_to(np.asarray(floor, dtype=float), (n,))
    hi = np.broadcast_to(np.asarray(ceiling, dtype=float), (n,))
    if not (np.isfinite(lo).all() and np.isfinite(hi).all() and (lo < hi).all()):
        raise ValueError("floor must be below ceiling for every curve, both finite.")
    rising = np.broadcast_to(np.asarray(higher_is_better, dtype=bool), (n,))
    valid = np.isfinite(x) & np.isfinite(y)
    if (x[valid] <= 0).any():
        raise ValueError("scales must be positive (model scales).")
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(valid, np.log10(np.where(valid, x, 1.0)), np.nan)
    # work in units of the curve's range, rising: u = (y - floor) / (ceiling - floor)
    u = (y - lo[:, None]) / (hi - lo)[:, None]
    u = np.where(rising[:, None], u, 1.0 - u)
    t_min, t_max = np.nanmin(t, axis=1), np.nanmax(t, axis=1)
    if ((valid.sum(axis=1) < 2) | ~(t_max > t_min)).any():
        raise ValueError("each curve needs at least two points at different scales.")
    pad = np.maximum(t_max - t_min, MIDPOINT_PAD)
    m_lo, m_hi = t_min - pad, t_max + pad
    t0 = np.where(valid, t, 0.0)
    u0 = np.where(valid, u, 0.0)
    w = valid.astype(float)

    # a local fit from the best midpoint of each slope of the grid whose error
    # there is within a factor of the grid's best (a curve can have two minima,
    # a gentle and a steep one), then the best of those fits
    ms, ks, es = _grid_starts(t0, u0, w, m_lo, m_hi)
    promising = es <= _START_FACTOR * es.min(axis=0) + 1e-12
    start, curve = np.nonzero(promising)
    fm, fk, fe = _refine(t0[curve], u0[curve], w[curve], ms[start, curve], ks[start, curve],
                         es[start, curve], m_lo[curve], m_hi[curve])
    err = np.full(es.shape, np.inf)
    err[start, curve] = fe
    fits_m, fits_k = np.zeros(es.shape), np.zeros(es.shape)
    fits_m[start, curve], fits_k[start, curve] = fm, fk
    pick = np.argmin(err, axis=0)
    cols = np.arange(n)
    m, k, err = fits_m[pick, cols], fits_k[pick, cols], err[pick, cols]
    slope = np.where(rising, k, -k)
    rmse = np.sqrt(err / valid.sum(axis=1)) * (hi - lo)
    return 10.0 ** m, slope, rmse


def fit_logistic(scales, values, floor: float = 0.0, ceiling: float = 1.0,
                 higher_is_better: bool = True) -> LogisticFit:
    """Fit ``y = floor + (ceiling - floor) * expit(slope * (log10 x - log10 midpoint))``.

    Parameters
    ----------
    scales : array-like of float
        Model scales, strictly increasing; at least two.
    values : array-like of float
        The metric at each scale (values outside ``[floor, ceiling]`` are
        allowed: a model can score below chance).
    floor, ceiling : float
        The bounds of the metric (chance and the best score), ``floor < ceiling``.
    higher_is_better : bool
        A rising logistic if True, a falling one if False.

    Returns
    -------
    LogisticFit

    Examples
    --------
    >>> fit = fit_logistic([1e8, 1e9, 1e10, 1e11], [0.26, 0.35, 0.7, 0.95], floor=0.25)
    >>> f"{fit.midpoint:.2g}", round(fit.slope, 2), round(fit.rmse, 3)
    ('6.7e+09', 2.27, 0.001)
    """
    x = check_scales(scales, "scales")
    y = as_float_array(values, "values")
    check_same_length(scales=x, values=y)
    if len(x) < 2:
        raise ValueError("fit_logistic needs the metric at two or more scales.")
    floor, ceiling = _bounds(floor, ceiling)
    mid, slope, rmse = fit_logistic_many(x[None], y[None], floor, ceiling, bool(higher_is_better))
    return LogisticFit(midpoint=float(mid[0]), slope=float(slope[0]), floor=floor,
                       ceiling=ceiling, rmse=float(rmse[0]))


def backtest(scales, values, *, kind: str = "logistic", holdout: int = 1, floor: float = 0.0,
             ceiling: float = 1.0, higher_is_better: bool = True) -> pd.DataFrame:
    """Fit on all but the ``holdout`` largest models, predict those, report the errors.

    Parameters
    ----------
    scales : array-like of float
        Model scales of one family, strictly increasing.
    values : array-like of float
        The metric at each scale.
    kind : {"logistic", "power_law", "flat"}
        The curve fitted (see the module docstring): a logistic in log-scale
        for bounded scores, a power law for losses and error rates, the mean
        for a family that does not change beyond its noise.
    holdout : int
        How many of the largest models to hold back (>= 1). The fit needs
        at least three of the others.
    floor, ceiling : float
        The metric's worst and best bounds (chance and 1.0 for an accuracy;
        0 and ``inf`` are not allowed: pass a finite ceiling). For
        ``"power_law"`` only the best one is used: ``ceiling`` if higher is
        better, ``floor`` otherwise.
    higher_is_better : bool
        Whether larger values are better.

    Returns
    -------
    pandas.DataFrame
        One row per held-out model, smallest first: ``scale``, ``observed``,
        ``predicted`` and ``error`` (``predicted - observed``, in the
        metric's units). ``attrs["fit"]`` holds the fitted curve
        (:class:`LogisticFit` or :class:`emergence.measure.scaling.PowerLawFit` of
        the gap).

    Raises
    ------
    ValueError
        Unknown ``kind``; too few models for ``holdout``; for ``"power_law"``,
        a fitted value at or beyond the best bound (its gap cannot be logged).

    Examples
    --------
    A sharp jump between the last two models is not forecast by a logistic
    fitted to a family flat at chance before it:

    >>> x = [1e8, 1e9, 1e10, 1e11, 1e12]
    >>> table = backtest(x, [0.25, 0.25, 0.26, 0.25, 0.8], floor=0.25)
    >>> bool(table["error"].iloc[0] < -0.5)
    True
    """
    x = check_scales(scales, "scales")
    y = as_float_array(values, "values")
    check_same_length(scales=x, values=y)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}, got {kind!r}.")
    if isinstance(holdout, bool) or not isinstance(holdout, (int, np.integer)) or holdout < 1:
        raise ValueError(f"holdout must be a whole number >= 1, got {holdout!r}.")
    if len(x) - holdout < 3:
        raise ValueError(
            f"a backtest holding back {holdout} model(s) needs at least {holdout + 3} models "
            f"(three to fit); got {len(x)}."
        )
    floor, ceiling = _bounds(floor, ceiling)
    fx, fy, hx, hy = x[:-holdout], y[:-holdout], x[-holdout:], y[-holdout:]
    if kind == "logistic":
        fit = fit_logistic(fx, fy, floor=floor, ceiling=ceiling,
                           higher_is_better=higher_is_better)
        predicted = fit.predict(hx)
    elif kind == "flat":
        fit = float(np.mean(fy))
        predicted = np.full(len(hx), fit)
    else:
        best = ceiling if higher_is_better else floor
        gap = (best - fy) if higher_is_better else (fy - best)
        if (gap <= 0).any():
            i = int(np.flatnonzero(gap <= 0)[0])
            raise ValueError(
                f"a power law needs every fitted value strictly worse than the best bound "
                f"({best:g}); the model at scale {fx[i]:g} has {fy[i]:g}. Use "
                "kind='logistic' for a score that reaches its bound."
            )
        fit = fit_power_law(fx, gap)
        predicted = best - fit.predict(hx) if higher_is_better else best + fit.predict(hx)
    table = pd.DataFrame({"scale": hx, "observed": hy, "predicted": predicted,
                          "error": predicted - hy})
    table.attrs["fit"] = fit
    return table


def backtest_many(scales, values, *, kind="logistic", holdout: int = 1, floor=0.0, ceiling=1.0,
                  higher_is_better=True) -> pd.DataFrame:
    """:func:`backtest` for many curves at once, one curve per row of padded arrays.

    Parameters
    ----------
    scales, values : array-like, shape (n_curves, n_points)
        Each curve's models by increasing scale, NaN after its last one.
    kind : str or array-like of str, shape (n_curves,)
        ``"logistic"``, ``"power_law"`` or ``"flat"`` for each curve.
    holdout : int
        The largest models held back, the same for every curve.
    floor, ceiling, higher_is_better : scalar or array-like, shape (n_curves,)
        As in :func:`backtest`, per curve.

    Returns
    -------
    pandas.DataFrame
        One row per curve x held-out model: ``curve`` (the row), ``scale``,
        ``observed``, ``predicted``, ``error``, ``reason``: empty where
        the backtest was made, else why not (too few models; for a power
        law, a fitted value at its bound, or a gap that does not change);
        then ``predicted`` and ``error`` are NaN. Curves too short to hold
        back ``holdout`` models have a single row, with NaN ``scale``.
        Last, ``fit_rmse``: the root mean squared residual of the fit on
        the models it was fitted to, in the metric's units (a large one
        says the curve's form does not suit the data, e.g. a logistic whose
        floor is not the family's plateau).

    The predictions are those of :func:`backtest` on each curve: the same
    logistic solver, and for the power law the same straight line on log-log
    axes as :func:`emergence.measure.scaling.fit_power_law` (checked in the tests).

    Examples
    --------
    >>> x = np.tile([1e7, 1e8, 1e9, 1e10, 1e11], (2, 1))
    >>> y = np.array([[0.01, 0.02, 0.05, 0.1, 0.2], [3.0, 2.5, 2.1, 1.8, np.nan]])
    >>> out = backtest_many(x, y, kind=["logistic", "power_law"], ceiling=[1.0, 10.0],
    ...                     higher_is_better=[True, False])
    >>> out[["curve", "scale", "observed"]].values.tolist()
    [[0.0, 100000000000.0, 0.2], [1.0, 10000000000.0, 1.8]]
    >>> bool(out["reason"].eq("").all())
    True
    """
    x = np.atleast_2d(np.asarray(scales, dtype=float))
    y = np.atleast_2d(np.asarray(values, dtype=float))
    if x.shape != y.shape:
        raise ValueError(f"scales and values must have the same shape; got {x.shape} and "
                         f"{y.shape}.")
    if isinstance(holdout, bool) or not isinstance(holdout, (int, np.integer)) or holdout < 1:
        raise ValueError(f"holdout must be a whole number >= 1, got {holdout!r}.")
    n_curves = x.shape[0]
    kinds = np.broadcast_to(np.asarray(kind, dtype=object), (n_curves,))
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"kind must be one of {list(KINDS)}, got {sorted(unknown)!r}.")
    lo = np.broadcast_to(np.asarray(floor, dtype=float), (n_curves,))
    hi = np.broadcast_to(np.asarray(ceiling, dtype=float), (n_curves,))
    better = np.broadcast_to(np.asarray(higher_is_better, dtype=bool), (n_curves,))
    n = np.isfinite(y).sum(axis=1)
    enough = n - holdout >= 3
    rows = np.arange(n_curves)
    cols = np.arange(x.shape[1])
    train = cols[None, :] < (n - holdout)[:, None]
    tx, ty = np.where(train, x, np.nan), np.where(train, y, np.nan)
    reason = np.where(enough, "", f"fewer than {holdout + 3} models (three to fit, "
                                  f"{holdout} to hold back)").astype(object)

    held = np.clip((n - holdout)[:, None] + np.arange(holdout)[None, :], 0, x.shape[1] - 1)
    hx, hy = x[rows[:, None], held], y[rows[:, None], held]
    predicted = np.full(hx.shape, np.nan)

    fit_rmse = np.full(n_curves, np.nan)
    logistic = enough & (kinds == "logistic")
    if logistic.any():
        mid, slope, rmse = fit_logistic_many(tx[logistic], ty[logistic], lo[logistic],
                                             hi[logistic], better[logistic])
        predicted[logistic] = _logistic(hx[logistic], mid[:, None], slope[:, None],
                                        lo[logistic, None], hi[logistic, None])
        fit_rmse[logistic] = rmse

    flat = enough & (kinds == "flat")
    if flat.any():
        mean = np.nanmean(ty[flat], axis=1)
        predicted[flat] = mean[:, None]
        fit_rmse[flat] = np.sqrt(np.nanmean((ty[flat] - mean[:, None]) ** 2, axis=1))

    power = enough & (kinds == "power_law")
    if power.any():
        best = np.where(better, hi, lo)
        gap = np.where(better[:, None], best[:, None] - ty, ty - best[:, None])
        at_bound = power & (np.isfinite(gap) & (gap <= 0)).any(axis=1)
        reason[at_bound] = "a fitted value at or beyond the best bound (use a logistic)"
        fit = power & ~at_bound
        lx = np.log(tx[fit])
        with np.errstate(divide="ignore", invalid="ignore"):
            ly = np.log(gap[fit])
        mx, my = np.nanmean(lx, axis=1), np.nanmean(ly, axis=1)
        dx, dy = lx - mx[:, None], ly - my[:, None]
        sxx, sxy = np.nansum(dx * dx, axis=1), np.nansum(dx * dy, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = sxy / sxx
            # (x / c) ** alpha with c = exp(-intercept / alpha), written without c,
            # which overflows for a nearly flat gap
            gap_hat = np.exp(my[:, None] + alpha[:, None] * (np.log(hx[fit]) - mx[:, None]))
        pred = np.where(better[fit, None], best[fit, None] - gap_hat, best[fit, None] + gap_hat)
        with np.errstate(invalid="ignore", over="ignore"):
            gap_fit = np.exp(my[:, None] + alpha[:, None] * dx)
            resid = np.abs(gap_fit - gap[fit])  # the gap is |value - best|: same residual
            fit_rmse[fit] = np.sqrt(np.nanmean(resid ** 2, axis=1))
        constant = alpha == 0
        pred[constant] = np.nan
        idx = np.flatnonzero(fit)
        reason[idx[constant]] = "the gap to the best bound does not change: no power law"
        predicted[fit] = pred

    hx = np.where(enough[:, None], hx, np.nan)
    hy = np.where(enough[:, None], hy, np.nan)
    keep = np.ones(hx.shape, dtype=bool)
    keep[~enough, 1:] = False  # one row for a curve that cannot be backtested
    table = pd.DataFrame({
        "curve": np.repeat(rows[:, None], holdout, axis=1)[keep],
        "scale": hx[keep],
        "observed": hy[keep],
        "predicted": predicted[keep],
        "error": (predicted - hy)[keep],
        "reason": np.repeat(reason[:, None], holdout, axis=1)[keep],
        "fit_rmse": np.repeat(fit_rmse[:, None], holdout, axis=1)[keep],
    })
    return table

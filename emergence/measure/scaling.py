"""Curve fits and uncertainty for scaling plots.

- :func:`fit_power_law`: the mirage paper's ``L(N) = (N / c) ** alpha``, fitted
  by least squares on log-log axes (scipy's ``linregress``).
- :func:`bootstrap_ci`: a percentile bootstrap interval (scipy's ``bootstrap``)
  for any statistic of per-item scores.
- :func:`accuracy_interval`: the exact (Clopper-Pearson) interval for an
  accuracy measured on ``n`` items, which stays informative at 0 correct,
  where a bootstrap collapses to ``[0, 0]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emergence._validate import as_float_array, check_positive, check_positive_int, check_same_length

__all__ = ["PowerLawFit", "fit_power_law", "bootstrap_ci", "accuracy_interval"]


@dataclass(frozen=True)
class PowerLawFit:
    """A fitted ``y = (x / c) ** alpha``.

    Attributes
    ----------
    c, alpha : float
        The constants, in the mirage paper's notation.
    r2 : float
        Coefficient of determination of the straight line on log-log axes.
    alpha_stderr : float
        Standard error of ``alpha`` from the regression.
    """

    c: float
    alpha: float
    r2: float
    alpha_stderr: float

    def predict(self, x) -> np.ndarray:
        """The fitted curve at ``x``."""
        return (check_positive(x, "x") / self.c) ** self.alpha


def fit_power_law(x, y) -> PowerLawFit:
    """Fit ``y = (x / c) ** alpha`` by a straight line through ``(log x, log y)``.

    Parameters
    ----------
    x, y : array-like of positive float
        E.g. parameters and per-token loss; at least three points.

    Examples
    --------
    >>> fit = fit_power_law([1e6, 1e7, 1e8], [4.0, 2.0, 1.0])
    >>> round(fit.alpha, 3), f"{fit.c:.3g}", round(fit.r2, 6)
    (-0.301, '1e+08', 1.0)
    """
    x = check_positive(x, "x")
    y = check_positive(y, "y")
    check_same_length(x=x, y=y)
    if len(x) < 3:
        raise ValueError("fit_power_law needs at least three points to say anything about fit.")
    if np.unique(x).size < 2:
        raise ValueError("x must take at least two different values.")
    from scipy import stats  # imported here: scipy.stats costs ~1 s at import

    res = stats.linregress(np.log(x), np.log(y))
    if res.slope == 0:
        raise ValueError("y does not change with x: there is no power law to fit.")
    c = float(np.exp(-res.intercept / res.slope))
    return PowerLawFit(c=c, alpha=float(res.slope), r2=float(res.rvalue**2),
                       alpha_stderr=float(res.stderr))


def bootstrap_ci(values, statistic=np.mean, n_boot: int = 2000, level: float = 0.95,
                 seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval for ``statistic`` of per-item scores.

    Parameters
    ----------
    values : array-like of float
        One score per test item.
    statistic : callable
        Takes an array (and ``axis``) and returns a number; default the mean.
    n_boot : int
        Resamples.
    level : float
        Coverage, in (0, 1).
    seed : int
        Seed; equal seeds give equal intervals.

    Examples
    --------
    >>> lo, hi = bootstrap_ci([0, 1] * 50, seed=0)
    >>> bool(0.38 < lo < 0.5 < hi < 0.62)
    True
    """
    v = as_float_array(values, "values")
    n_boot = check_positive_int(n_boot, "n_boot")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, e.g. 0.95; got {level}.")
    if np.all(v == v[0]):
        value = float(statistic(v))
        return value, value
    from scipy import stats

    res = stats.bootstrap((v,), statistic, n_resamples=n_boot, confidence_level=level,
                          method="percentile", rng=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def accuracy_interval(n_correct, n_items, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial (Clopper-Pearson) interval for accuracy ``n_correct / n_items``.

    With 0 of 100 correct the interval is about [0, 0.036]: "we saw none" is
    not "the model cannot", only "the accuracy is below a few percent".

    Examples
    --------
    >>> lo, hi = accuracy_interval([0], [100])
    >>> float(lo[0]), round(float(hi[0]), 4)
    (0.0, 0.0362)
    """
    k = as_float_array(n_correct, "n_correct")
    n = check_positive(n_items, "n_items")
    check_same_length(n_correct=k, n_items=n)
    if (k < 0).any() or (k > n).any() or not np.all(np.mod(k, 1) == 0):
        raise ValueError("n_correct must be whole numbers between 0 and n_items.")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, e.g. 0.95; got {level}.")
    from scipy import stats

    a = 1 - level
    with np.errstate(invalid="ignore"):
        lo = np.where(k == 0, 0.0, stats.beta.ppf(a / 2, k, n - k + 1))
        hi = np.where(k == n, 1.0, stats.beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi

"""Many attempts per problem: pass@k, its per-problem exponential and the power law of its average.

A model that makes ``k`` independent attempts at problem ``i``, each right
with probability ``p_i`` (its single-attempt success rate, pass_i@1), solves
it with probability

    pass_i@k = 1 - (1 - p_i) ** k,

so ``-log pass_i@k ~ (1 - p_i) ** k`` falls *exponentially* in ``k``. Yet the
negative log of the benchmark average, ``-log mean_i pass_i@k``, is often found
to fall as a *power law* ``a * k ** -b``. Schaeffer et al. (2025, "How Do
Large Language Monkeys Get Their Power (Laws)?", Sections 2-3) resolve the
puzzle: the average is a power law with exponent ``b`` if and only if the
distribution of ``p_i`` over problems has a power-law left tail, density
``~ C * p ** (b - 1)`` near 0 (their Theorems 3.1 and 3.2; then
``-log pass@k ~ C * Gamma(b) * k ** -b``).

For a model that writes its answer token by token, ``p_i`` is the product of
its teacher-forced probabilities of the reference tokens
(:func:`emergence.measure.infinite_resolution.answer_pass_probability`). Functions:

- :func:`pass_at_k`, :func:`average_pass_at_k`: the exact values from ``p_i``;
- :func:`pass_at_k_unbiased`: the estimator of Chen et al. (2021, Section
  2.1, Eq. 1) from ``c`` correct samples out of ``n``, for when only samples
  are available;
- :func:`fit_attempts_power_law`: the least-squares power law of
  ``-log pass_D@k`` where the average is high enough for the asymptotics;
- :func:`left_tail`: the power law of the distribution's left tail, fitted to
  its empirical CDF ``F(p) ~ (p / c) ** b``, and :func:`power_law_from_tail`,
  the aggregate law it implies (Theorem 3.1 with ``C = b * c ** -b``);
- :func:`local_exponent`: the slope of ``log(-log pass_D@k)`` in ``log k``,
  constant only where the law is a power law;
- :func:`beta_average_pass_at_k`: the exact average when ``p_i`` follows a
  Beta(alpha, beta) distribution (power law with ``b = alpha``), a check with
  a known answer.

Examples
--------
>>> import numpy as np
>>> pass_at_k([0.5, 0.01], [1, 10]).round(4)
array([[0.5   , 0.999 ],
       [0.01  , 0.0956]])
>>> round(pass_at_k_unbiased(n=200, c=2, k=100), 4)
0.7513
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emergence._validate import as_float_array, check_probability
from emergence.measure.scaling import PowerLawFit, fit_power_law

__all__ = ["pass_at_k", "average_pass_at_k", "pass_at_k_unbiased",
           "fit_attempts_power_law", "left_tail", "power_law_from_tail", "local_exponent",
           "beta_average_pass_at_k", "AttemptsPowerLaw"]


def _attempts(k, name: str = "k") -> np.ndarray:
    arr = as_float_array(k, name)
    if (arr < 1).any() or not np.all(np.mod(arr, 1) == 0):
        raise ValueError(f"{name} must be whole numbers of attempts, each >= 1.")
    return arr


def pass_at_k(p, k) -> np.ndarray:
    """``1 - (1 - p) ** k`` for every problem and every ``k``: shape ``(len(p), len(k))``.

    Computed as ``-expm1(k * log1p(-p))`` so that tiny ``p`` and large ``k``
    keep their precision.
    """
    p = check_probability(p, "p")
    k = _attempts(k)
    with np.errstate(divide="ignore"):
        log_fail = np.log1p(-p)
    return -np.expm1(np.multiply.outer(log_fail, k))


def average_pass_at_k(p, k) -> np.ndarray:
    """pass_D@k: the mean over problems of :func:`pass_at_k`, one value per ``k``.

    Examples
    --------
    >>> average_pass_at_k([0.5, 0.0], [1, 2]).tolist()
    [0.25, 0.375]
    """
    return pass_at_k(p, k).mean(axis=0)


def pass_at_k_unbiased(n, c, k):
    """Chen et al.'s unbiased estimate of pass@k from ``c`` correct out of ``n`` samples.

    ``1 - C(n - c, k) / C(n, k)``, evaluated as the product
    ``1 - prod_{i = n-c+1}^{n} (1 - k / i)`` (their Figure 3) to avoid huge
    binomial coefficients. ``n``, ``c`` may be arrays (one entry per problem);
    ``k`` a single number of attempts, ``k <= n``.
    """
    n = np.asarray(n)
    c = np.asarray(c)
    if not (np.issubdtype(n.dtype, np.integer) and np.issubdtype(c.dtype, np.integer)):
        raise ValueError("n and c must be whole numbers (samples drawn, samples correct).")
    k = int(_attempts([k])[0])
    n, c = np.broadcast_arrays(n, c)
    if (c < 0).any() or (c > n).any():
        raise ValueError("c must lie between 0 and n (correct samples among n drawn).")
    if (n < k).any():
        raise ValueError(f"the estimate needs n >= k samples per problem; some have n < {k}.")
    # log prod_{i=n-c+1}^{n} (1 - k/i) = S[n] - S[n-c], S the running sum of log(1 - k/i)
    # over i > k; only needed where n - c >= k (otherwise every draw of k has a success)
    i = np.arange(1, int(n.max()) + 1, dtype=float)
    terms = np.where(i > k, np.log1p(-np.minimum(k / i, 1.0), where=i > k, out=np.zeros_like(i)),
                     0.0)
    running = np.r_[0.0, np.cumsum(terms)]
    some_fail = (n - c) >= k
    log_all_fail = np.where(some_fail, running[n] - running[np.where(some_fail, n - c, 0)], 0.0)
    out = np.where(some_fail, 0.0 - np.expm1(log_all_fail), 1.0)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class AttemptsPowerLaw:
    """``-log pass_D@k = a * k ** -b`` fitted on ``k_min <= k <= k_max``.

    Attributes
    ----------
    a, b : float
        Prefactor and exponent (``b > 0`` when the failure falls).
    r2 : float
        On log-log axes, over the fitted ``k``.
    k_min, k_max : float
        The fitted range.
    """

    a: float
    b: float
    r2: float
    k_min: float
    k_max: float

    def predict(self, k) -> np.ndarray:
        """``a * k ** -b``."""
        return self.a * _attempts(k) ** -self.b


def _from_power_law(fit: PowerLawFit, k_min, k_max) -> AttemptsPowerLaw:
    # (k / c) ** alpha = a * k ** -b  with  b = -alpha,  a = c ** -alpha
    return AttemptsPowerLaw(a=float(fit.c ** -fit.alpha), b=float(-fit.alpha), r2=fit.r2,
                            k_min=float(k_min), k_max=float(k_max))


def fit_attempts_power_law(k, average_pass, min_pass: float = 0.5) -> AttemptsPowerLaw:
    """Least-squares power law of ``-log pass_D@k`` in ``k``, where ``pass_D@k >= min_pass``.

    The theorems are about large ``k``; while the average is small,
    ``-log pass_D@k`` only creeps like ``-log k`` and no power law is meant.
    ``min_pass`` (default one half) keeps the part of the curve where the
    failures are a minority.

    Examples
    --------
    >>> k = np.logspace(0, 4, 21).round()
    >>> law = fit_attempts_power_law(k, beta_average_pass_at_k(0.5, 2.0, k))
    >>> round(law.b, 2), law.r2 > 0.99
    (0.5, True)
    """
    k = _attempts(k)
    avg = check_probability(average_pass, "average_pass")
    if len(avg) != len(k):
        raise ValueError(f"k has {len(k)} values but average_pass has {len(avg)}.")
    keep = (avg >= min_pass) & (avg < 1)
    if keep.sum() < 3:
        raise ValueError(f"fewer than three k have {min_pass:g} <= pass_D@k < 1; add larger k "
                         "or lower min_pass.")
    fit = fit_power_law(k[keep], -np.log(avg[keep]))
    return _from_power_law(fit, k[keep].min(), k[keep].max())


def left_tail(p, p_min: float, p_max: float) -> PowerLawFit:
    """Power law ``F(p) = (p / c) ** b`` fitted to the empirical CDF of ``p`` on ``[p_min, p_max]``.

    ``F`` is the share of problems with single-attempt success rate at most
    ``p``. A density ``C p ** (b - 1)`` near 0 is a CDF ``(C / b) p ** b``.
    The returned fit's ``alpha`` is the tail exponent ``b``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.beta(0.7, 3.0, 20_000)
    >>> round(left_tail(p, 1e-4, 1e-2).alpha, 1)
    0.7
    """
    p = check_probability(p, "p")
    if not 0 < p_min < p_max <= 1:
        raise ValueError(f"need 0 < p_min < p_max <= 1, got {p_min:g} and {p_max:g}.")
    ps = np.sort(p)
    cdf = np.arange(1, len(ps) + 1) / len(ps)
    keep = (ps >= p_min) & (ps <= p_max)
    if keep.sum() < 3 or np.unique(ps[keep]).size < 2:
        raise ValueError(f"fewer than three success rates lie in [{p_min:g}, {p_max:g}]: the "
                         "tail cannot be fitted there.")
    return fit_power_law(ps[keep], cdf[keep])


def power_law_from_tail(tail: PowerLawFit, k_min: float = 1.0,
                        k_max: float = np.inf) -> AttemptsPowerLaw:
    """The aggregate power law a left tail ``F(p) = (p / c) ** b`` implies (Theorem 3.1).

    Density ``C p ** (b - 1)`` with ``C = b * c ** -b`` gives
    ``-log pass_D@k ~ C * Gamma(b) * k ** -b = Gamma(b + 1) * c ** -b * k ** -b``.
    """
    from scipy.special import gamma

    b = float(tail.alpha)
    if b <= 0:
        raise ValueError("the tail exponent must be positive (a CDF rises with p).")
    return AttemptsPowerLaw(a=float(gamma(b + 1) * tail.c ** -b), b=b, r2=float("nan"),
                            k_min=float(k_min), k_max=float(k_max))


def local_exponent(k, average_pass) -> np.ndarray:
    """``-d log(-log pass_D@k) / d log k`` between successive ``k``: the power law's ``b``, locally.

    Returns one value per interval (``len(k) - 1``); a power law gives a
    constant, an exponential decay an exponent that grows with ``k``.

    The exponent needs ``0 < pass_D@k < 1``; at the two ends the rule is:

    - ``pass_D@k == 1``: the failure has fallen below floating-point resolution
      (``-log pass_D@k < 1.1e-16``) after ``k`` attempts, faster than any power
      law can follow, so the interval that ends there gets ``+inf``, and an
      interval between two such ``k`` gets ``nan`` (no slope is measurable);
    - ``pass_D@k == 0``: no problem is ever solved, ``-log`` is infinite and no
      slope is defined, so every interval that touches that ``k`` gets ``nan``.

    Examples
    --------
    >>> local_exponent([1, 10, 100], [0.5, 1.0, 1.0]).tolist()
    [inf, nan]
    >>> local_exponent([1, 10], [0.0, 0.5]).tolist()
    [nan]
    """
    k = _attempts(k)
    avg = check_probability(average_pass, "average_pass")
    if len(avg) != len(k) or len(k) < 2:
        raise ValueError("k and average_pass need the same length, at least 2.")
    if (np.diff(k) <= 0).any():
        raise ValueError("k must be strictly increasing (drop repeated numbers of attempts).")
    with np.errstate(divide="ignore", invalid="ignore"):
        log_fail = np.log(-np.log(avg))              # -inf where avg == 1, +inf where avg == 0
        exponent = -np.diff(log_fail) / np.diff(np.log(k))
    solved_none = avg == 0
    exponent[solved_none[1:] | solved_none[:-1]] = np.nan
    return exponent


def beta_average_pass_at_k(alpha: float, beta: float, k) -> np.ndarray:
    """pass_D@k when the success rates follow Beta(alpha, beta): ``1 - B(alpha, beta + k) / B(alpha, beta)``.

    Its ``-log`` falls as ``k ** -alpha`` for large ``k`` (Schaeffer et al.
    2025, Section 3).

    Examples
    --------
    >>> round(float(beta_average_pass_at_k(1.0, 1.0, [1])[0]), 6)   # uniform: mean 1/2
    0.5
    """
    from scipy.special import betaln

    if not (alpha > 0 and beta > 0):
        raise ValueError(f"alpha and beta must be positive, got {alpha!r} and {beta!r}.")
    k = _attempts(k)
    return -np.expm1(betaln(alpha, beta + k) - betaln(alpha, beta))

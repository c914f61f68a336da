"""Infinite resolution: the exact chance that one sampled answer is right, and PassUntil.

A test of ``n`` problems scored by greedy decoding can show an accuracy of 0,
``1/n``, ``2/n``, ... and nothing in between. Hu et al. (2024) measure far
below ``1/n`` by sampling many answers per problem until one passes
(PassUntil). For a model whose answer is a short string of tokens, the same
quantity can be had exactly: sampling at temperature 1 writes the reference
answer with probability equal to the product of the model's teacher-forced
probabilities of the reference tokens. That needs one forward pass per
token, not thousands of samples.

- :func:`answer_pass_probability`: that product, from per-token losses, with
  a flag where a loss was clipped (the product is then only an upper bound);
- :func:`pass_rate_bounds`: the mean over problems, as a lower and an upper
  bound that differ only through clipped problems;
- :func:`pass_until`: the sample-until-``r``-passes estimator, simulated from
  exact per-problem pass probabilities (it checks the estimator's
  statistics; it is not a sampler of any model:
  :mod:`emergence.experiments.passuntil` samples real models);
- :func:`pass_until_estimates`: the estimates from the samples drawn and
  passes seen, simulated or real;
- :func:`expected_pass_until`: the exact mean of the ``r = 1`` estimate
  ``1 / K``, which is not the pass probability;
- :func:`task_scaling_fit`: ``PU(N) = exp(-(N / c) ** alpha)``, fitted as a
  power law of ``-ln PU``, with the curvature of ``ln(-ln PU)`` against
  ``ln N`` that says whether the curve bends;
- :func:`instance_scaling_predict`: the same law fitted to each problem
  separately, and each problem's pass probability extrapolated by its own law.

Examples
--------
>>> p, clipped = answer_pass_probability([[0.1, 0.2, np.nan]], [0.3])
>>> round(float(p[0]), 4), bool(clipped[0])
(0.5488, False)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from emergence._validate import as_float_array, check_positive, check_positive_int, check_probability

__all__ = [
    "CACHE_CLIP_NATS",
    "answer_pass_probability",
    "pass_rate_bounds",
    "pass_until",
    "pass_until_estimates",
    "expected_pass_until",
    "pass_until_variance",
    "unbiased_pass_until_variance",
    "TaskScalingFit",
    "task_scaling_fit",
]

#: The largest per-token loss the arithmetic cache can store (65534 units of 1e-4
#: nats); a stored loss at this value stands for any loss at least this large.
CACHE_CLIP_NATS = 65534 * 1e-4


def _losses(x, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must contain numbers (NaN for missing slots) ({err}).") from None
    if np.isinf(arr).any():
        raise ValueError(f"{name} contains infinite losses: store the clipped value instead.")
    if (arr[np.isfinite(arr)] < 0).any():
        raise ValueError(f"{name} must hold losses -ln p >= 0; found a negative value.")
    return arr


def answer_pass_probability(token_loss, end_loss, *, stop_after_last_slot: bool = True,
                            clip: float = CACHE_CLIP_NATS) -> tuple[np.ndarray, np.ndarray]:
    """Probability that one answer sampled at temperature 1 is exactly the reference answer.

    The sampler writes the reference answer if it writes each of its tokens
    and then stops; with the model's teacher-forced losses ``-ln p`` of those
    tokens, that probability is ``exp(-sum of the losses)``.

    Parameters
    ----------
    token_loss : array-like, shape (..., slots)
        Loss of each reference token (digit), NaN in slots past the answer's end.
    end_loss : array-like, shape (...)
        Loss of the end-of-answer token after the last digit.
    stop_after_last_slot : bool
        True if decoding stops by itself after the last slot (as the book's
        arithmetic models do): the end token then counts only for answers
        shorter than ``slots``. False: it always counts.
    clip : float
        Losses at or above this value were clipped when stored, so the true
        loss is at least this large; use ``np.inf`` if nothing was clipped.

    Returns
    -------
    probability : numpy.ndarray, shape (...)
        ``exp(-total loss)``; an upper bound where ``clipped`` is True.
    clipped : numpy.ndarray of bool, shape (...)
        Where a counted token's loss was clipped. The true probability there
        lies between 0 and ``probability``.

    Raises
    ------
    ValueError
        If a loss is negative or infinite, the shapes disagree, or an item
        has no token at all.

    Examples
    --------
    A 2-digit answer in 3 slots needs its end token; a 3-digit one does not:

    >>> loss = [[0.1, 0.2, np.nan], [0.1, 0.2, 0.3]]
    >>> p, clipped = answer_pass_probability(loss, [0.5, 9.0])
    >>> np.round(p, 4).tolist(), clipped.tolist()
    ([0.4493, 0.5488], [False, False])
    >>> p, clipped = answer_pass_probability([[7.0, 0.1]], [0.2], clip=6.5534)
    >>> clipped.tolist()
    [True]
    """
    tokens = _losses(token_loss, "token_loss")
    end = _losses(end_loss, "end_loss")
    if tokens.ndim < 1 or tokens.shape[:-1] != end.shape:
        raise ValueError(
            f"token_loss must have shape (..., slots) and end_loss the shape (...); got "
            f"{tokens.shape} and {end.shape}.")
    present = np.isfinite(tokens)
    n_tokens = present.sum(axis=-1)
    if (n_tokens == 0).any():
        raise ValueError("token_loss has an item with no finite token loss: every answer needs a token.")
    counts_end = n_tokens < tokens.shape[-1] if stop_after_last_slot else np.ones(end.shape, bool)
    if np.isnan(end[counts_end]).any():
        raise ValueError("end_loss is NaN for an answer whose end token counts.")
    total = np.where(present, tokens, 0.0).sum(axis=-1) + np.where(counts_end, end, 0.0)
    clipped = ((tokens >= clip) & present).any(axis=-1) | (counts_end & (end >= clip))
    return np.exp(-total), clipped


def pass_rate_bounds(probability, clipped=None, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """Mean pass probability over problems, as ``(low, high)`` bounds.

    A clipped problem's probability is only known to lie in ``[0, p]``; the
    bounds count it as 0 and as ``p``. With no clipped problem they are equal.

    Examples
    --------
    >>> low, high = pass_rate_bounds([0.2, 0.4], [False, True])
    >>> round(float(low), 3), round(float(high), 3)
    (0.1, 0.3)
    """
    p = np.asarray(probability, dtype=float)
    if p.size == 0 or np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("probability must be a non-empty array of values in [0, 1].")
    flags = np.zeros(p.shape, bool) if clipped is None else np.asarray(clipped, dtype=bool)
    if flags.shape != p.shape:
        raise ValueError(f"clipped has shape {flags.shape} but probability has shape {p.shape}.")
    return np.where(flags, 0.0, p).mean(axis=axis), p.mean(axis=axis)


def pass_until(p, r: int = 1, max_samples: int = 100_000, seed: int = 0) -> pd.DataFrame:
    """Simulate PassUntil: sample until ``r`` passes (or ``max_samples``), per problem.

    Each sample of problem ``i`` passes with probability ``p[i]``,
    independently, so the number of samples until the ``r``-th pass is a
    sum of ``r`` geometric waits. This draws those waits (by inverting the
    geometric distribution, so that waits of 10**20 samples cost nothing)
    instead of sampling answers: it reproduces the estimator's statistics
    for a model whose pass probabilities are ``p``, not a real sampler.

    Parameters
    ----------
    p : array-like of float in [0, 1]
        Exact pass probability of each problem.
    r : int
        Passes to wait for.
    max_samples : int
        Budget per problem; a problem without ``r`` passes by then is censored.
    seed : int
        Seed of the draw.

    Returns
    -------
    pandas.DataFrame
        One row per problem: ``p``, ``samples`` (``K``, the samples drawn),
        ``passes`` (``r``, or fewer if censored), ``censored``,
        ``estimate`` (``passes / samples``, i.e. ``r / K``: the PassUntil
        estimate) and ``unbiased`` (``(r - 1) / (K - 1)``, the minimum-variance
        unbiased estimate for inverse sampling, defined for ``r >= 2``; for a
        censored problem ``passes / max_samples``).

    Examples
    --------
    >>> out = pass_until([1.0, 0.0], r=2, max_samples=1000)
    >>> out[["samples", "passes", "censored", "estimate"]].values.tolist()
    [[2, 2, False, 1.0], [1000, 0, True, 0.0]]
    """
    prob = check_probability(p, "p")
    r = check_positive_int(r, "r")
    budget = check_positive_int(max_samples, "max_samples")
    rng = np.random.default_rng(seed)
    u = 1.0 - rng.random((len(prob), r))           # in (0, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        waits = np.ceil(np.log(u) / np.log1p(-prob[:, None]))
    waits = np.where(prob[:, None] >= 1.0, 1.0, waits)
    waits = np.where(prob[:, None] <= 0.0, np.inf, np.maximum(waits, 1.0))
    arrivals = np.cumsum(waits, axis=1)
    passes = (arrivals <= budget).sum(axis=1)
    samples = np.where(passes < r, budget, arrivals[:, -1]).astype(np.int64)
    table = pass_until_estimates(samples, passes, r=r, max_samples=budget)
    table.insert(0, "p", prob)
    return table


def pass_until_estimates(samples, passes, r: int, max_samples: int = 100_000) -> pd.DataFrame:
    """PassUntil's estimates from the samples drawn and the passes seen, per problem.

    The one place where draws, simulated (:func:`pass_until`) or real
    (:mod:`emergence.experiments.passuntil`), become estimates.

    Parameters
    ----------
    samples : array-like of int
        ``K``: samples drawn for each problem, until its ``r``-th pass or
        the budget.
    passes : array-like of int
        Passes seen among them: ``r``, or fewer for a problem that ran out
        of budget (censored).
    r, max_samples : int
        The passes waited for, and the budget.

    Returns
    -------
    pandas.DataFrame
        ``samples``, ``passes``, ``censored``, ``estimate`` (``passes /
        samples``: ``r / K``, the PassUntil estimate) and ``unbiased`` (``(r -
        1) / (K - 1)``, the minimum-variance unbiased estimate for inverse
        sampling, defined for ``r >= 2``; ``passes / max_samples`` for a
        censored problem, which keeps it exactly unbiased under the budget:
        for ``r = 2``, ``p (1 - q**(N - 1))`` from the problems that pass twice
        plus ``p q**(N - 1)`` from those that do not, with ``q = 1 - p``).

    Examples
    --------
    >>> pass_until_estimates([3, 1000], [2, 1], r=2, max_samples=1000).values.tolist()
    [[3, 2, False, 0.6666666666666666, 0.5], [1000, 1, True, 0.001, 0.001]]
    """
    r = check_positive_int(r, "r")
    budget = check_positive_int(max_samples, "max_samples")
    k = np.asarray(samples)
    seen = np.asarray(passes)
    if k.shape != seen.shape or k.ndim != 1:
        raise ValueError(f"samples and passes must be 1-d and of one length, got shapes {k.shape} and {seen.shape}.")
    if not (np.issubdtype(k.dtype, np.integer) and np.issubdtype(seen.dtype, np.integer)):
        raise ValueError("samples and passes must be whole numbers (counts of answers drawn and passed).")
    if ((k < 1) | (k > budget)).any():
        raise ValueError(f"samples must lie between 1 and max_samples={budget}; "
                         f"the first bad one is {int(k[(k < 1) | (k > budget)][0])}.")
    if ((seen < 0) | (seen > r) | (seen > k) | ((seen < r) & (k < budget))).any():
        raise ValueError(f"passes must lie between 0 and r={r} and not exceed samples, and a problem "
                         f"with fewer than r passes must have drawn all max_samples={budget}.")
    censored = seen < r
    if r >= 2:
        unbiased = np.where(censored, seen / budget, (r - 1) / np.maximum(k - 1, 1))
    else:
        unbiased = np.full(len(k), np.nan)
    return pd.DataFrame({"samples": k.astype(np.int64), "passes": seen.astype(np.int64), "censored": censored,
                         "estimate": seen / k, "unbiased": unbiased})


def _passable(p) -> np.ndarray:
    prob = check_probability(p, "p")
    if (prob == 0).any():
        raise ValueError("p must be > 0: a problem that never passes never stops PassUntil.")
    return prob


def expected_pass_until(p) -> np.ndarray:
    """Exact mean of the PassUntil estimate ``1 / K`` for ``r = 1`` and no budget.

    ``K`` is geometric, so ``E[1 / K] = sum_k p (1 - p) ** (k - 1) / k
    = -p ln(p) / (1 - p)``: about ``ln(1 / p)`` times ``p`` for a small ``p``,
    so the estimate of a problem passed once in 10,000 samples is on
    average 9 times too high.

    Examples
    --------
    >>> np.round(expected_pass_until([1e-4, 0.5, 1.0]), 6).tolist()
    [0.000921, 0.693147, 1.0]
    """
    prob = _passable(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = -prob * np.log(prob) / (1.0 - prob)
    return np.where(prob >= 1.0, 1.0, value)


def pass_until_variance(p) -> np.ndarray:
    """Exact variance of the PassUntil estimate ``1 / K`` for ``r = 1`` and no budget.

    ``E[1 / K**2] = (p / q) Li2(q)`` with ``q = 1 - p`` and ``Li2`` the
    dilogarithm. The estimate is heavy-tailed (one early pass counts as much
    as thousands of failures), so the spread of a sample of estimates
    understates this; use it for the standard error of a mean of estimates.

    Examples
    --------
    >>> np.round(pass_until_variance([1e-4, 0.5, 1.0]), 6).tolist()
    [0.000164, 0.101788, 0.0]
    """
    from scipy.special import spence

    prob = _passable(p)
    q = 1.0 - prob
    with np.errstate(divide="ignore", invalid="ignore"):
        second = prob / q * spence(prob)           # spence(1 - q) is Li2(q)
    second = np.where(prob >= 1.0, 1.0, second)
    return np.maximum(second - expected_pass_until(prob) ** 2, 0.0)


def unbiased_pass_until_variance(p) -> np.ndarray:
    """Exact variance of the unbiased estimate ``1 / (K - 1)`` for ``r = 2`` and no budget.

    ``E[1 / (K - 1)**2] = p**2 ln(1 / p) / q``, with ``q = 1 - p``; the mean is ``p``.

    Examples
    --------
    >>> np.round(unbiased_pass_until_variance([1e-4, 0.5, 1.0]) / np.array([1e-8, 0.25, 1.0]), 4).tolist()
    [8.2113, 0.3863, 0.0]
    """
    prob = _passable(p)
    q = 1.0 - prob
    with np.errstate(divide="ignore", invalid="ignore"):
        second = prob**2 * -np.log(prob) / q
    second = np.where(prob >= 1.0, 1.0, second)
    return np.maximum(second - prob**2, 0.0)


@dataclass(frozen=True)
class TaskScalingFit:
    """``PU(N) = exp(-(N / c) ** alpha)`` fitted to a family's pass rates.

    Attributes
    ----------
    c, alpha, r2 : float
        The power law of ``-ln PU`` in ``N`` (``r2`` on log-log axes).
    curvature : float
        Quadratic coefficient of ``ln(-ln PU)`` against ``ln N``: 0 for the
        law exactly; negative (concave) if the curve rises ever faster than
        the law, positive (convex) if ever slower.
    """

    c: float
    alpha: float
    r2: float
    curvature: float

    def predict(self, n_params) -> np.ndarray:
        """The fitted pass rate at ``n_params``."""
        return np.exp(-(check_positive(n_params, "n_params") / self.c) ** self.alpha)


def task_scaling_fit(n_params, pass_rate) -> TaskScalingFit:
    """Fit ``PU(N) = exp(-(N / c) ** alpha)``: a straight line of ``ln(-ln PU)`` in ``ln N``.

    This is the form the mirage model also gives exact match: a power-law
    per-token loss ``(N / c) ** alpha`` times the answer length ``L`` is
    ``-ln`` of the accuracy.

    Parameters
    ----------
    n_params, pass_rate : array-like
        Model sizes and pass rates strictly between 0 and 1; at least four.

    Examples
    --------
    >>> n = np.array([1e3, 1e4, 1e5, 1e6])
    >>> fit = task_scaling_fit(n, np.exp(-(n / 1e5) ** -0.5))
    >>> round(fit.alpha, 3), f"{fit.c:.3g}", abs(round(fit.curvature, 6))
    (-0.5, '1e+05', 0.0)
    """
    from emergence.measure.scaling import fit_power_law

    n = check_positive(n_params, "n_params")
    rate = as_float_array(pass_rate, "pass_rate")
    if len(rate) != len(n):
        raise ValueError(f"n_params has {len(n)} values but pass_rate has {len(rate)}.")
    if ((rate <= 0) | (rate >= 1)).any():
        raise ValueError("pass_rate must lie strictly between 0 and 1 (ln(-ln PU) is undefined at 0 and 1).")
    if len(n) < 4:
        raise ValueError("task_scaling_fit needs at least four models to measure a curvature.")
    fit = fit_power_law(n, -np.log(rate))
    curvature = float(np.polyfit(np.log(n), np.log(-np.log(rate)), 2)[0])
    return TaskScalingFit(c=fit.c, alpha=fit.alpha, r2=fit.r2, curvature=curvature)


def instance_scaling_predict(n_params, pass_prob, n_target) -> np.ndarray:
    """Fit ``p_i(N) = exp(-(N / c_i) ** alpha_i)`` to each problem, and extrapolate.

    An aggregate law fitted to a task's mean pass rate and a law fitted to
    each problem (then averaged) give different predictions: the mean of
    ``exp(-x)`` is not ``exp(-x)`` of a mean. This is the per-problem fit, by
    least squares of ``ln(-ln p_i)`` on ``ln N`` for every problem at once.

    Parameters
    ----------
    n_params : array-like, shape (models,)
        Model sizes; at least two.
    pass_prob : array-like, shape (models, problems)
        Each model's pass probability of each problem, strictly between 0 and 1.
    n_target : float or array-like
        Sizes to predict.

    Returns
    -------
    np.ndarray, shape (targets, problems)
        Each problem's predicted pass probability at each target size (one row
        for a scalar ``n_target``); ``.mean(axis=1)`` is the task's predicted
        pass rate.

    Examples
    --------
    >>> n = np.array([1e3, 1e4, 1e5])
    >>> p = np.exp(-np.outer((n / 1e6) ** -0.5, [1.0, 2.0]))
    >>> np.round(instance_scaling_predict(n, p, 1e6), 4)
    array([[0.3679, 0.1353]])
    """
    n = check_positive(n_params, "n_params")
    p = np.asarray(pass_prob, dtype=float)
    if p.ndim != 2 or p.shape[0] != len(n):
        raise ValueError(f"pass_prob must have one row per model ({len(n)}), got shape {p.shape}.")
    if len(n) < 2:
        raise ValueError("instance_scaling_predict needs at least two models to fit a slope.")
    if not ((p > 0) & (p < 1)).all():
        raise ValueError("pass_prob must lie strictly between 0 and 1 (ln(-ln p) is undefined at 0 and 1).")
    x, y = np.log(n), np.log(-np.log(p))
    dx = x - x.mean()
    slope = dx @ (y - y.mean(axis=0)) / (dx @ dx)
    intercept = y.mean(axis=0) - slope * x.mean()
    target = np.log(np.atleast_1d(check_positive(n_target, "n_target")))
    return np.exp(-np.exp(intercept + np.outer(target, slope)))

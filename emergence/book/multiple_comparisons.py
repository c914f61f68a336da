"""What chance alone produces when many curves are searched for emergence.

The mirage paper (:cite:t:`schaeffer2023mirage`, Discussion) warns that BIG-bench
holds so many task x metric x model-family triplets that some would look
emergent by chance. This module makes that warning computable: it simulates
*null* curves (model families whose true score changes smoothly or not at all
with scale, measured on a finite test set, so with sampling noise), computes
their emergence scores, and turns the share of null curves above a cut-off
into the number of "emergent" triplets expected by chance among many.

Everything here is simulated; label it so wherever it is shown.

Examples
--------
>>> null = null_emergence_scores([0.3] * 6, n_items=100, n_curves=500, seed=0)
>>> null.shape
(500,)
>>> q = exceedance_probability(null, threshold=10.0)
>>> 0.0 <= q <= 1.0
True
"""

from __future__ import annotations

import numpy as np

from emergence._validate import as_float_array, check_positive_int, check_probability, check_scales

__all__ = [
    "chance_emergent",
    "exceedance_probability",
    "null_emergence_scores",
    "simulate_null_curves",
]


def simulate_null_curves(true_scores, n_items: int, n_curves: int, seed: int = 0) -> np.ndarray:
    """Simulated observed accuracies of many model families with no emergence.

    Each family has the given true per-item success probability at each model
    size (flat, or changing smoothly: no jump is built in); each model is
    scored on ``n_items`` independent items, so its observed accuracy is
    Binomial(n_items, p) / n_items.

    Parameters
    ----------
    true_scores : array_like of float in [0, 1]
        True accuracy of each model, ordered by size (at least 3 models).
    n_items : int
        Test-set size.
    n_curves : int
        Number of simulated families.
    seed : int
        Seed of the random generator.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_curves, len(true_scores))``, observed accuracies.

    Examples
    --------
    >>> curves = simulate_null_curves([0.0, 0.5, 1.0], n_items=10, n_curves=2)
    >>> curves[:, 0].tolist(), curves[:, 2].tolist()
    ([0.0, 0.0], [1.0, 1.0])
    """
    p = check_probability(true_scores, "true_scores")
    if p.size < 3:
        raise ValueError(
            f"true_scores needs at least 3 model sizes for an emergence score, got {p.size}."
        )
    n_items = check_positive_int(n_items, "n_items")
    n_curves = check_positive_int(n_curves, "n_curves")
    rng = np.random.default_rng(seed)
    return rng.binomial(n_items, p, size=(n_curves, p.size)) / n_items


def null_emergence_scores(true_scores, n_items: int, n_curves: int, seed: int = 0,
                          scales=None) -> np.ndarray:
    """Emergence scores of simulated null curves (see :func:`simulate_null_curves`).

    Parameters
    ----------
    true_scores, n_items, n_curves, seed
        As in :func:`simulate_null_curves`.
    scales : array_like, optional
        Model sizes (strictly increasing); only their order matters to the
        emergence score. Default ``1, 10, 100, ...``.

    Returns
    -------
    numpy.ndarray
        One emergence score per simulated curve; ``inf`` where the median
        successive change is zero but the curve moves, 0 where the curve is
        constant.

    Examples
    --------
    >>> s = null_emergence_scores([0.5] * 5, n_items=1000, n_curves=200, seed=1)
    >>> s.shape, bool(np.isfinite(s).all())
    ((200,), True)
    """
    curves = simulate_null_curves(true_scores, n_items, n_curves, seed)
    if scales is None:
        scales = 10.0 ** np.arange(curves.shape[1])
    scales = as_float_array(scales, "scales")
    if scales.size != curves.shape[1]:
        raise ValueError(
            f"scales has {scales.size} values but true_scores has {curves.shape[1]}: "
            "give one scale per model."
        )
    check_scales(scales, "scales")
    return _emergence_score_rows(curves)


def _emergence_score_rows(curves: np.ndarray) -> np.ndarray:
    """:func:`emergence.measure.score.emergence_score` of every row of ``curves`` at once.

    The rows are values at strictly increasing scales (the score depends only
    on their order). Same conventions as the scalar function: 0 for a flat
    row, +-inf when the median squared step is 0 but the row moves, ties for
    the max / min resolved to the first occurrence. The tests check it
    against the scalar function row by row.
    """
    rise = curves.max(axis=1) - curves.min(axis=1)
    sign = np.sign(np.argmax(curves, axis=1) - np.argmin(curves, axis=1)).astype(float)
    step = np.sqrt(np.median(np.diff(curves, axis=1) ** 2, axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(step > 0, sign * rise / np.where(step > 0, step, 1.0), sign * np.inf)
    return np.where(rise == 0, 0.0, out)


def exceedance_probability(null_scores, threshold: float) -> float:
    """Share of null curves whose emergence score exceeds ``threshold``.

    NaN scores count as not exceeding.

    Examples
    --------
    >>> exceedance_probability([1.0, 5.0, np.inf, np.nan], threshold=4.0)
    0.5
    """
    scores = np.asarray(null_scores, dtype=float)
    if scores.ndim != 1 or scores.size == 0:
        raise ValueError("null_scores must be a non-empty 1-D array of emergence scores.")
    threshold = float(threshold)
    if np.isnan(threshold):
        raise ValueError("threshold must be a number, got NaN.")
    with np.errstate(invalid="ignore"):
        return float(np.mean(np.nan_to_num(scores, nan=-np.inf) > threshold))


def chance_emergent(p_exceed: float, n_triplets: int) -> dict:
    """How many of ``n_triplets`` null triplets look emergent by chance.

    Parameters
    ----------
    p_exceed : float
        Probability that one null curve exceeds the cut-off
        (:func:`exceedance_probability`).
    n_triplets : int
        Number of task x metric x model-family triplets searched.

    Returns
    -------
    dict
        ``expected``: mean number of chance "emergent" triplets,
        ``p_at_least_one``: probability that at least one appears,
        both for independent triplets.

    Examples
    --------
    >>> chance_emergent(0.01, 100)["expected"]
    1.0
    >>> round(chance_emergent(0.01, 100)["p_at_least_one"], 3)
    0.634
    """
    p = float(check_probability([p_exceed], "p_exceed")[0])
    n = check_positive_int(n_triplets, "n_triplets")
    return {"expected": p * n, "p_at_least_one": float(-np.expm1(n * np.log1p(-p)))
            if p < 1 else 1.0}

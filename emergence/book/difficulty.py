"""Slices by difficulty: a family's scaling curve split by how hard each problem is.

An aggregate curve averages problems that may scale very differently. Wu &
Lo (2025) group questions by difficulty and find opposite trends in the
easy and hard groups that cancel in the aggregate. Difficulty can be set
*a priori*, from the problem alone, or *empirically*, from how models
score on it:

- :func:`count_carries`, :func:`answer_length`: a priori difficulty of an
  addition problem;
- :func:`difficulty_groups`: equal-size groups of an empirical difficulty
  score, as Wu & Lo form them (sort the problems by score, cut into
  groups);
- :func:`slice_curves`: the family's score on each slice and on all problems;
- :func:`significant_declines`: the steps up in scale at which a slice gets
  worse by more than its sampling noise (inverse scaling).

An empirical difficulty measured on the same models whose curves are then
plotted is partly measured on their luck: a problem a model got right by
chance is "easy" partly because that model got it right. Define the
difficulty on other models to avoid that.

Examples
--------
>>> count_carries([999, 1234], [1, 4321]).tolist()
[3, 0]
>>> difficulty_groups([0.9, 0.1, 0.5, 0.3], n_groups=2).tolist()
[1, 0, 1, 0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence._validate import as_float_array, check_positive_int

__all__ = ["count_carries", "answer_length", "difficulty_groups", "slice_curves",
           "significant_declines"]


def _non_negative_ints(x, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array of integers.")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.floating) or not np.all(np.mod(arr, 1) == 0):
            raise ValueError(f"{name} must hold whole numbers.")
    arr = arr.astype(np.int64)
    if (arr < 0).any():
        raise ValueError(f"{name} must be >= 0.")
    return arr


def count_carries(a, b) -> np.ndarray:
    """Number of carries when adding ``a + b`` digit by digit, from the units up.

    Examples
    --------
    >>> count_carries([5, 95, 9999], [5, 5, 1]).tolist()
    [1, 2, 4]
    """
    x = _non_negative_ints(a, "a")
    y = _non_negative_ints(b, "b")
    if len(x) != len(y):
        raise ValueError(f"a has {len(x)} numbers but b has {len(y)}.")
    carries = np.zeros(len(x), dtype=np.int64)
    carry = np.zeros(len(x), dtype=np.int64)
    while (x > 0).any() or (y > 0).any() or carry.any():
        carry = ((x % 10 + y % 10 + carry) >= 10).astype(np.int64)
        carries += carry
        x, y = x // 10, y // 10
    return carries


def answer_length(values) -> np.ndarray:
    """Number of decimal digits of each non-negative integer (1 for 0).

    Examples
    --------
    >>> answer_length([0, 9, 10, 19998]).tolist()
    [1, 1, 2, 5]
    """
    v = _non_negative_ints(values, "values")
    return np.array([len(str(int(n))) for n in v])


def difficulty_groups(item_scores, n_groups: int = 10, higher_is_easier: bool = True) -> np.ndarray:
    """Cut problems into ``n_groups`` equal-size groups by an empirical difficulty score.

    The problems are sorted by score (ties kept in their given order) and
    the sorted list is cut into ``n_groups`` parts as equal as possible, as
    Wu & Lo's code does with each question's mean score over models.

    Parameters
    ----------
    item_scores : array-like of float
        One score per problem, e.g. its mean accuracy over some models.
    n_groups : int
        Number of groups.
    higher_is_easier : bool
        True for accuracy-like scores, False for losses or Brier scores.

    Returns
    -------
    numpy.ndarray of int
        Group of each problem: 0 for the hardest, ``n_groups - 1`` for the easiest.

    Examples
    --------
    >>> difficulty_groups([0.2, 0.4, 0.1, 0.3], n_groups=2, higher_is_easier=False).tolist()
    [1, 0, 1, 0]
    """
    scores = as_float_array(item_scores, "item_scores")
    n_groups = check_positive_int(n_groups, "n_groups")
    if n_groups > len(scores):
        raise ValueError(f"n_groups ({n_groups}) cannot exceed the number of problems ({len(scores)}).")
    key = scores if higher_is_easier else -scores
    order = np.argsort(key, kind="stable")      # hardest first
    groups = np.empty(len(scores), dtype=np.int64)
    for g, part in enumerate(np.array_split(order, n_groups)):
        groups[part] = g
    return groups


def slice_curves(correct, slices, scales, models=None) -> pd.DataFrame:
    """A family's mean score on each slice of the problems, and on all of them.

    Parameters
    ----------
    correct : array-like, shape (models, problems)
        Per-problem scores (exact match 0/1, or any number) of each model.
    slices : array-like, shape (problems,)
        The slice of each problem (carries, answer length, difficulty group).
    scales : array-like, shape (models,)
        Each model's scale (parameters).
    models : list of str, optional
        Model labels.

    Returns
    -------
    pandas.DataFrame
        One row per model x slice, with the aggregate as slice ``"all"``:
        ``model``, ``params``, ``slice``, ``n_items``, ``n_correct`` (sum of
        scores) and ``score`` (their mean).

    Examples
    --------
    >>> table = slice_curves([[1, 0, 0, 0], [1, 1, 0, 1]], [0, 0, 1, 1], [10, 100])
    >>> table[["params", "slice", "score"]].values.tolist()
    [[10.0, 0, 0.5], [10.0, 1, 0.0], [10.0, 'all', 0.25], [100.0, 0, 1.0], [100.0, 1, 0.5], [100.0, 'all', 0.75]]
    """
    scores = as_float_array(correct, "correct", ndim=2)
    labels = np.asarray(slices)
    if labels.shape != (scores.shape[1],):
        raise ValueError(f"slices must have one label per problem ({scores.shape[1]}); got shape {labels.shape}.")
    if "all" in set(labels.tolist()):
        raise ValueError('slices must not use the label "all": it names the aggregate row.')
    params = as_float_array(scales, "scales")
    if len(params) != scores.shape[0]:
        raise ValueError(f"scales has {len(params)} values but correct has {scores.shape[0]} models.")
    names = list(models) if models is not None else [f"model {i}" for i in range(len(params))]
    labels_in_order = sorted(set(labels.tolist()), key=lambda v: (str(type(v)), v)) + ["all"]
    rows = []
    for m, (name, scale) in enumerate(zip(names, params)):
        for label in labels_in_order:
            keep = np.ones(len(labels), bool) if label == "all" else labels == label
            rows.append({"model": name, "params": scale, "slice": label, "n_items": int(keep.sum()),
                         "n_correct": float(scores[m, keep].sum()),
                         "score": float(scores[m, keep].mean())})
    out = pd.DataFrame(rows)
    return out.sort_values("params", kind="stable", ignore_index=True)


def significant_declines(scales, n_correct, n_items, z: float = 2.0) -> pd.DataFrame:
    """Steps up in scale where a 0/1 score falls by more than ``z`` binomial standard errors.

    A slice of a few hundred problems moves by a few points from model to
    model by chance; only a fall larger than ``z`` times the standard error
    of the difference of two proportions counts as the slice getting worse
    with scale.

    Returns
    -------
    pandas.DataFrame
        One row per such step: ``from_scale``, ``to_scale``, ``from_score``,
        ``to_score``, ``z`` (the fall in standard errors). Empty if none.

    Examples
    --------
    >>> significant_declines([1, 2, 3], [50, 20, 60], [100, 100, 100])[["from_scale", "to_scale"]].values.tolist()
    [[1.0, 2.0]]
    """
    x = as_float_array(scales, "scales")
    k = as_float_array(n_correct, "n_correct")
    n = as_float_array(n_items, "n_items")
    if not (len(x) == len(k) == len(n)):
        raise ValueError("scales, n_correct and n_items must have the same length.")
    if (n <= 0).any() or (k < 0).any() or (k > n).any():
        raise ValueError("n_items must be > 0 and n_correct between 0 and n_items.")
    if not np.isfinite(z) or z <= 0:
        raise ValueError(f"z must be a number > 0 (standard errors), got {z!r}.")
    order = np.argsort(x)
    x, p, n = x[order], (k / n)[order], n[order]
    rows = []
    for i in range(len(x) - 1):
        pooled = (p[i] * n[i] + p[i + 1] * n[i + 1]) / (n[i] + n[i + 1])
        se = np.sqrt(pooled * (1 - pooled) * (1 / n[i] + 1 / n[i + 1]))
        fall = p[i] - p[i + 1]
        if fall > 0 and se > 0 and fall / se > z:
            rows.append({"from_scale": x[i], "to_scale": x[i + 1], "from_score": p[i],
                         "to_score": p[i + 1], "z": fall / se})
    return pd.DataFrame(rows, columns=["from_scale", "to_scale", "from_score", "to_score", "z"])

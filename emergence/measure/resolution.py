"""Resolution: how an accuracy measured on a finite test set depends on its size.

The mirage paper's second prediction: a small model whose accuracy is tiny
but not zero looks *unable* when it is tested on too few problems, because
the smallest accuracy a test of ``n`` items can show, other than 0, is
``1 / n`` (the test's *resolution*). Measuring the same outputs on more
problems reveals the small, non-zero accuracy.

- :func:`accuracy_at_test_sizes`: accuracy on the first ``n`` items of a
  test set, for several ``n``, with percentile bootstrap intervals;
- :func:`probability_all_wrong`: the chance that a test of ``n`` items shows
  0 correct for a model whose true accuracy is ``accuracy``.

The bootstrap of a 0/1 score is computed exactly and quickly: resampling
``n`` items with replacement from a set with ``k`` correct gives a number
correct distributed as Binomial(``n``, ``k / n``), so the resamples are
binomial draws rather than ``n_boot`` copies of the test set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence._validate import as_float_array, check_positive_int, check_probability

__all__ = ["accuracy_at_test_sizes", "probability_all_wrong"]


def accuracy_at_test_sizes(correct, sizes, n_boot: int = 2000, level: float = 0.95,
                           seed: int = 0) -> pd.DataFrame:
    """Accuracy on the first ``n`` items of a test set, for each ``n`` in ``sizes``.

    Parameters
    ----------
    correct : array-like of bool or 0/1
        One exact-match score per test item, in the test set's (random) order.
    sizes : sequence of int
        Test-set sizes, each at most ``len(correct)``.
    n_boot : int
        Bootstrap resamples per size.
    level : float
        Coverage of the percentile interval, in (0, 1).
    seed : int
        Seed of the resampling; equal seeds give equal intervals.

    Returns
    -------
    pandas.DataFrame
        One row per size: ``n_items``, ``n_correct``, ``accuracy``,
        ``boot_low``, ``boot_high`` and ``resolution`` (``1 / n_items``, the
        smallest non-zero accuracy the test can show).

    Examples
    --------
    >>> correct = np.zeros(10_000, dtype=bool); correct[200::500] = True
    >>> table = accuracy_at_test_sizes(correct, [100, 10_000])
    >>> table[["n_items", "n_correct", "accuracy"]].to_numpy().tolist()
    [[100.0, 0.0, 0.0], [10000.0, 20.0, 0.002]]
    >>> bool(table["boot_low"].iloc[1] > 0)
    True
    """
    scores = as_float_array(correct, "correct")
    if not np.isin(scores, (0.0, 1.0)).all():
        raise ValueError("correct must hold 0/1 (or False/True) exact-match scores, one per item.")
    n_boot = check_positive_int(n_boot, "n_boot")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, e.g. 0.95; got {level}.")
    sizes = [check_positive_int(n, "sizes") for n in np.atleast_1d(sizes)]
    if max(sizes) > len(scores):
        raise ValueError(
            f"sizes must not exceed the test set ({len(scores)} items); got {max(sizes)}.")
    rng = np.random.default_rng(seed)
    tail = (1 - level) / 2
    rows = []
    for n in sizes:
        k = int(scores[:n].sum())
        boot = rng.binomial(n, k / n, size=n_boot) / n
        rows.append({
            "n_items": n,
            "n_correct": k,
            "accuracy": k / n,
            "boot_low": float(np.quantile(boot, tail)),
            "boot_high": float(np.quantile(boot, 1 - tail)),
            "resolution": 1 / n,
        })
    return pd.DataFrame(rows)


def probability_all_wrong(accuracy, n_items: int) -> np.ndarray:
    """Chance that ``n_items`` independent problems are all answered wrongly.

    A model of true accuracy ``accuracy`` shows 0 correct on a test of
    ``n_items`` problems with probability ``(1 - accuracy) ** n_items``.

    Examples
    --------
    >>> round(float(probability_all_wrong(0.001, 100)[0]), 3)
    0.905
    >>> round(float(probability_all_wrong(0.001, 100_000)[0]), 6)
    0.0
    """
    acc = check_probability(accuracy, "accuracy")
    n = check_positive_int(n_items, "n_items")
    return (1 - acc) ** n

"""Sharp and smooth metrics for the small image models of the vision chapter.

The mirage paper induces "emergent" abilities in vision models by scoring the
same outputs with a sharp metric instead of a smooth one:

- autoencoders: the smooth metric is the squared reconstruction error of each
  test image; the sharp one, :func:`reconstruction_c`, is the fraction of test
  images whose squared error is below a threshold ``c``;
- classifiers: the smooth metric is per-image accuracy; the sharp one,
  :func:`subset_accuracy`, scores a group of ``k`` images 1 only if all ``k``
  are classified correctly.

All functions take per-image results (one value per test image), so the
metrics can be recomputed for any ``c`` or ``k`` from the cached tables
``vision_autoencoders`` and ``vision_classifiers``.

Examples
--------
>>> errors = [0.2, 0.5, 1.5, 3.0]
>>> reconstruction_c(errors, c=1.0)
0.5
>>> subset_accuracy([True, True, True, False], k=2)
0.5
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence._validate import as_float_array, check_positive_int

__all__ = [
    "per_image_squared_error",
    "reconstruction_c",
    "subset_accuracy",
    "autoencoder_params",
    "classifier_params",
    "reconstruction_curves",
    "subset_accuracy_curves",
    "SUBSET_METHODS",
]

#: The ways :func:`subset_accuracy` can turn per-image correctness into a score.
SUBSET_METHODS = ("all_subsets", "independent", "disjoint")


def per_image_squared_error(images, reconstructions) -> np.ndarray:
    """Squared reconstruction error of each image, summed over its pixels.

    Parameters
    ----------
    images, reconstructions : array-like of shape (n_images, n_pixels)
        The test images and the autoencoder's outputs, on the same intensity
        scale (the chapter uses intensities in [0, 1]).

    Returns
    -------
    numpy.ndarray of shape (n_images,)
        ``sum_j (images[i, j] - reconstructions[i, j]) ** 2`` for each image ``i``.
        Divide by ``n_pixels`` for the per-pixel mean squared error.

    Raises
    ------
    ValueError
        If either input is not 2-dimensional, contains NaN or infinities, or
        the two shapes differ.

    Examples
    --------
    >>> per_image_squared_error([[0.0, 1.0], [0.5, 0.5]], [[0.0, 0.5], [0.5, 0.5]])
    array([0.25, 0.  ])
    """
    x = as_float_array(images, "images", ndim=2)
    r = as_float_array(reconstructions, "reconstructions", ndim=2)
    if x.shape != r.shape:
        raise ValueError(
            f"images has shape {x.shape} but reconstructions has shape {r.shape}: "
            "pass one reconstruction per image, with the same pixels."
        )
    return ((x - r) ** 2).sum(axis=1)


def reconstruction_c(squared_errors, c: float) -> float:
    """Reconstruction_c: the fraction of test images with squared error below ``c``.

    The mirage paper's discontinuous metric for autoencoders: each image scores
    1 if its squared reconstruction error is strictly below the threshold ``c``
    and 0 otherwise; the metric is the mean of these scores.

    Parameters
    ----------
    squared_errors : array-like of float
        One non-negative squared reconstruction error per test image (see
        :func:`per_image_squared_error`).
    c : float
        The threshold, in the same units as ``squared_errors``; must be > 0.

    Returns
    -------
    float
        A value in [0, 1].

    Raises
    ------
    ValueError
        If ``squared_errors`` is empty, contains NaN, infinities or negative
        values, or ``c`` is not a positive finite number.

    Examples
    --------
    >>> reconstruction_c([0.2, 0.5, 1.5, 3.0], c=0.5)
    0.25
    >>> reconstruction_c([0.2, 0.5, 1.5, 3.0], c=10)
    1.0
    """
    errors = as_float_array(squared_errors, "squared_errors")
    if (errors < 0).any():
        raise ValueError(
            f"squared_errors must be >= 0; found {errors[errors < 0][0]:g}: pass squared "
            "errors, not signed differences."
        )
    threshold = as_float_array(c, "c", ndim=None)
    if threshold.ndim != 0 or not threshold > 0:
        raise ValueError(f"c must be one positive number (a threshold on the squared error), got {c!r}.")
    return float(np.mean(errors < float(threshold)))


def _as_correct(correct) -> np.ndarray:
    arr = as_float_array(correct, "correct")
    if not np.isin(arr, (0.0, 1.0)).all():
        bad = arr[~np.isin(arr, (0.0, 1.0))][0]
        raise ValueError(
            f"correct must hold True/False (or 1/0) per image; found {bad:g}. "
            "Compare predictions with labels first: correct = (predicted == label)."
        )
    return arr.astype(bool)


def subset_accuracy(correct, k: int, method: str = "all_subsets") -> float:
    """Subset accuracy: the chance that all ``k`` of ``k`` test images are classified correctly.

    The mirage paper scores a sequence of ``k`` images 1 if every image in it
    is classified correctly and 0 otherwise. Which groups of ``k`` images are
    scored is a choice; ``method`` names it:

    ``"all_subsets"`` (default)
        The mean over *every* set of ``k`` distinct test images, i.e. the
        probability that ``k`` images drawn at random without replacement
        are all correct: ``C(m, k) / C(n, k)`` for ``m`` correct out of ``n``.
        Exact, uses every image, and does not depend on the order of the
        test set, so it is the one the book uses.
    ``"independent"``
        ``p ** k`` for per-image accuracy ``p``: the same draw *with*
        replacement, the paper's mathematical model of independent tokens.
        Slightly above ``"all_subsets"`` for ``k > 1``.
    ``"disjoint"``
        The fraction of the ``n // k`` consecutive, non-overlapping groups of
        ``k`` images (in the order given) that are all correct; the leftover
        images are dropped. One finite sample of groups: noisier, and it
        depends on the order.

    Parameters
    ----------
    correct : array-like of bool
        One entry per test image: True (or 1) if it was classified correctly.
    k : int
        Images per group, ``1 <= k <= len(correct)``; ``k = 1`` gives the
        per-image accuracy under every method.
    method : {"all_subsets", "independent", "disjoint"}

    Returns
    -------
    float
        A value in [0, 1].

    Raises
    ------
    ValueError
        If ``correct`` is empty or not all True/False, ``k`` is not a whole
        number between 1 and the number of images, or ``method`` is unknown.

    Examples
    --------
    >>> correct = [True, True, True, False]
    >>> subset_accuracy(correct, k=1)
    0.75
    >>> subset_accuracy(correct, k=2)  # 3 of the 6 pairs are both correct
    0.5
    >>> subset_accuracy(correct, k=2, method="independent")
    0.5625
    >>> subset_accuracy(correct, k=2, method="disjoint")  # pairs (0, 1) and (2, 3)
    0.5
    """
    ok = _as_correct(correct)
    k = check_positive_int(k, "k")
    n = ok.size
    if k > n:
        raise ValueError(f"k = {k} is larger than the number of images ({n}): use k <= {n}.")
    if method not in SUBSET_METHODS:
        raise ValueError(f"method must be one of {SUBSET_METHODS}, got {method!r}.")
    m = int(ok.sum())
    if method == "independent":
        return float((m / n) ** k)
    if method == "disjoint":
        groups = ok[: (n // k) * k].reshape(-1, k)
        return float(groups.all(axis=1).mean())
    if m < k:
        return 0.0
    # C(m, k) / C(n, k) as a product of k ratios, which stays in floating range.
    i = np.arange(k)
    return float(np.prod((m - i) / (n - i)))


def autoencoder_params(n_pixels: int, width: int) -> int:
    """Parameters of a one-hidden-layer autoencoder: two weight matrices and two bias vectors.

    Parameters
    ----------
    n_pixels : int
        Pixels per image (inputs = outputs).
    width : int
        Hidden (bottleneck) units.

    Returns
    -------
    int
        ``2 * n_pixels * width + width + n_pixels``.

    Examples
    --------
    >>> autoencoder_params(64, 1)
    193
    """
    n_pixels = check_positive_int(n_pixels, "n_pixels")
    width = check_positive_int(width, "width")
    return 2 * n_pixels * width + width + n_pixels


def classifier_params(n_pixels: int, width: int, n_classes: int) -> int:
    """Parameters of a one-hidden-layer classifier (weights and biases of both layers).

    Parameters
    ----------
    n_pixels : int
        Pixels per image (inputs).
    width : int
        Hidden units.
    n_classes : int
        Output classes (at least 3: scikit-learn uses a single output unit
        for two classes).

    Returns
    -------
    int
        ``(n_pixels + 1) * width + (width + 1) * n_classes``.

    Examples
    --------
    >>> classifier_params(64, 1, 10)
    85
    """
    n_pixels = check_positive_int(n_pixels, "n_pixels")
    width = check_positive_int(width, "width")
    n_classes = check_positive_int(n_classes, "n_classes")
    if n_classes < 3:
        raise ValueError(
            f"n_classes must be >= 3 (got {n_classes}); a two-class network has one output unit."
        )
    return (n_pixels + 1) * width + (width + 1) * n_classes


def _check_table(table, columns, name):
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame (load it with emergence.io.datasets.load).")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}; it has {list(table.columns)}.")
    if table.empty:
        raise ValueError(f"{name} is empty: pass at least one model's results.")


def reconstruction_curves(table: pd.DataFrame, cs=(0.1, 0.5, 1.0)) -> pd.DataFrame:
    """The autoencoder family's smooth and sharp metrics, one row per width.

    For each model (width, seed) the mean squared error and Reconstruction_c
    are computed over its test images; the family's value at a width is the
    mean over its seeds.

    Parameters
    ----------
    table : pandas.DataFrame
        Per-image results with columns ``width``, ``seed``, ``params`` and
        ``squared_error`` (the table ``vision_autoencoders``).
    cs : sequence of float
        Thresholds for Reconstruction_c, each > 0.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``width``, sorted by size; columns ``params``,
        ``mean_squared_error`` and one column ``"c=<c>"`` per threshold.

    Examples
    --------
    >>> toy = pd.DataFrame({"width": [1, 1, 2, 2], "seed": 0, "params": [5, 5, 9, 9],
    ...                     "squared_error": [0.5, 2.0, 0.1, 0.2]})
    >>> reconstruction_curves(toy, cs=[1.0])
           params  mean_squared_error  c=1
    width
    1           5                1.25  0.5
    2           9                0.15  1.0
    """
    _check_table(table, ["width", "seed", "params", "squared_error"], "table")
    cs = [float(c) for c in as_float_array(cs, "cs")]
    rows = []
    for (width, seed, params), errors in table.groupby(["width", "seed", "params"])["squared_error"]:
        row = {"width": width, "params": params, "mean_squared_error": errors.mean()}
        for c in cs:
            row[f"c={c:g}"] = reconstruction_c(errors.to_numpy(), c)
        rows.append(row)
    return _family_mean(rows)


def subset_accuracy_curves(table: pd.DataFrame, ks=range(1, 11),
                           method: str = "all_subsets") -> pd.DataFrame:
    """The classifier family's subset accuracy for each ``k``, one row per width.

    ``k = 1`` is the per-image accuracy. For each model (width, seed) the
    subset accuracy is computed with :func:`subset_accuracy` over its test
    images; the family's value at a width is the mean over its seeds.

    Parameters
    ----------
    table : pandas.DataFrame
        Per-image results with columns ``width``, ``seed``, ``params`` and
        ``correct`` (the table ``vision_classifiers``).
    ks : sequence of int
        Group sizes.
    method : str
        Passed to :func:`subset_accuracy`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``width``, sorted by size; columns ``params`` and one
        column ``"K=<k>"`` per group size.

    Examples
    --------
    >>> toy = pd.DataFrame({"width": [1, 1, 2, 2], "seed": 0, "params": [5, 5, 9, 9],
    ...                     "correct": [True, False, True, True]})
    >>> subset_accuracy_curves(toy, ks=[1, 2])
           params  K=1  K=2
    width
    1           5  0.5  0.0
    2           9  1.0  1.0
    """
    _check_table(table, ["width", "seed", "params", "correct"], "table")
    ks = [check_positive_int(k, "ks") for k in ks]
    if not ks:
        raise ValueError("ks is empty: pass at least one group size, e.g. ks=[1, 5, 10].")
    if method not in SUBSET_METHODS:
        raise ValueError(f"method must be one of {SUBSET_METHODS}, got {method!r}.")
    rows = []
    for (width, seed, params), correct in table.groupby(["width", "seed", "params"])["correct"]:
        ok = _as_correct(correct.to_numpy())
        n, m = ok.size, int(ok.sum())
        if max(ks) > n:
            raise ValueError(f"ks goes up to {max(ks)} but a model has only {n} test images.")
        row = {"width": width, "params": params}
        if method == "disjoint":
            row.update({f"K={k}": subset_accuracy(ok, k, method=method) for k in ks})
        else:
            # every k at once: p ** k, or the running product of (m - i) / (n - i)
            i = np.arange(max(ks))
            ratios = np.full(i.size, m / n) if method == "independent" else \
                np.clip((m - i) / (n - i), 0.0, None)
            running = np.cumprod(ratios)
            row.update({f"K={k}": float(running[k - 1]) for k in ks})
        rows.append(row)
    return _family_mean(rows)


def _family_mean(rows) -> pd.DataFrame:
    per_model = pd.DataFrame(rows)
    if per_model.groupby("width")["params"].nunique().max() > 1:
        raise ValueError("table gives one width two different parameter counts; check its rows.")
    family = per_model.groupby("width").mean().sort_values("params")
    family["params"] = family["params"].round().astype("int64")
    return family

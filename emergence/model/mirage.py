"""The mirage paper's mathematical model: loss -> per-token probability -> metric.

Schaeffer, Miranda & Koyejo (2023, Sec. 2) assume that a model family's
per-token cross-entropy falls as a power law in the number of parameters ``N``,

    L_CE(N) = (N / c) ** alpha,      c > 0, alpha < 0,

so the probability of emitting one correct token is ``p = exp(-L_CE(N))``. If
the ``L`` tokens of a target are right independently, a metric that needs all
of them (exact match, "accuracy") scores ``p ** L`` -- sharp on a log-``N``
axis -- while token edit distance scores about ``L * (1 - p)`` -- smooth. The
same smooth ``p`` read through two metrics gives a jump and a slope.

The paper states this model but not the constants ``c`` and ``alpha`` behind
its Figure 2; every curve drawn from this module is therefore *simulated*,
with constants the caller chooses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence._validate import (
    as_float_array,
    check_positive,
    check_positive_int,
    check_probability,
)

__all__ = [
    "ILLUSTRATIVE",
    "per_token_loss",
    "params_for_accuracy",
    "expected_accuracy_correlated",
    "per_token_probability",
    "expected_accuracy",
    "expected_token_edit_distance",
    "accuracy_from_loss",
    "implied_per_token_probability",
    "multiple_choice_model",
    "simulate_token_errors",
    "sample_test_set",
]


#: Constants the book uses to draw the model. The paper does not state the
#: constants behind its Figure 2, so these are the book's own choice: with
#: them, at the sizes of the GPT-3 family (125M to 175B parameters), the
#: per-token probability rises from about 0.01 to about 0.9, and a 5-token exact
#: match stays near 0 up to a few billion parameters. Illustrative, not fitted.
ILLUSTRATIVE = {"c": 3e9, "alpha": -0.5}


def _scalar(x, name, *, positive=False, negative=False):
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a single number, got {x!r}.") from None
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}.")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value:g}.")
    if negative and value >= 0:
        raise ValueError(
            f"{name} must be < 0 so that the loss falls with scale, got {value:g} "
            "(the paper writes the exponent as negative)."
        )
    return value


def per_token_loss(n_params, c: float, alpha: float) -> np.ndarray:
    """Per-token cross-entropy ``(N / c) ** alpha`` of a model with ``N`` parameters.

    Parameters
    ----------
    n_params : array-like of float
        Model sizes ``N`` (> 0).
    c : float
        Scale constant (> 0), in parameters: the size at which the loss is 1 nat.
    alpha : float
        Exponent (< 0).

    Returns
    -------
    numpy.ndarray
        Loss in nats per token.

    Examples
    --------
    >>> per_token_loss([1e8, 1e10], c=1e9, alpha=-0.5).round(3)
    array([3.162, 0.316])
    """
    n = check_positive(n_params, "n_params")
    c = _scalar(c, "c", positive=True)
    alpha = _scalar(alpha, "alpha", negative=True)
    return (n / c) ** alpha


def per_token_probability(loss) -> np.ndarray:
    """Probability of the correct token, ``exp(-loss)``.

    Examples
    --------
    >>> per_token_probability([0.0, np.log(2)])
    array([1. , 0.5])
    """
    loss = as_float_array(loss, "loss")
    if (loss < 0).any():
        raise ValueError("loss must be >= 0 (a cross-entropy in nats).")
    return np.exp(-loss)


def expected_accuracy(p, length: int) -> np.ndarray:
    """Chance that all ``length`` tokens are right: ``p ** length``.

    Examples
    --------
    >>> expected_accuracy([0.5, 0.9], length=2)
    array([0.25, 0.81])
    """
    p = check_probability(p, "p")
    return p ** check_positive_int(length, "length")


def expected_token_edit_distance(p, length: int) -> np.ndarray:
    """Expected number of wrong tokens, ``length * (1 - p)``.

    Under the model every error is a substitution, so this is the expected
    token edit distance to the target.

    Examples
    --------
    >>> expected_token_edit_distance([0.5, 0.9], length=5).round(2)
    array([2.5, 0.5])
    """
    p = check_probability(p, "p")
    return check_positive_int(length, "length") * (1.0 - p)


def accuracy_from_loss(loss, length: int) -> np.ndarray:
    """Exact-match accuracy implied by a per-token loss: ``exp(-loss) ** length``.

    Examples
    --------
    >>> accuracy_from_loss([0.1], length=5).round(4)
    array([0.6065])
    """
    return expected_accuracy(per_token_probability(loss), length)


def params_for_accuracy(accuracy, length: int, c: float, alpha: float) -> np.ndarray:
    """Model size at which the expected exact match reaches ``accuracy``.

    Solves ``exp(-(N / c) ** alpha) ** length = accuracy`` for ``N``.

    Examples
    --------
    >>> n = params_for_accuracy([0.5], length=5, c=3e8, alpha=-0.5)
    >>> bool(np.isclose(accuracy_from_loss(per_token_loss(n, 3e8, -0.5), 5)[0], 0.5))
    True
    """
    acc = check_probability(accuracy, "accuracy")
    if ((acc == 0) | (acc == 1)).any():
        raise ValueError("accuracy must be strictly between 0 and 1: 0 and 1 are reached only "
                         "at zero and infinite size.")
    length = check_positive_int(length, "length")
    c = _scalar(c, "c", positive=True)
    alpha = _scalar(alpha, "alpha", negative=True)
    loss = -np.log(acc) / length
    return c * loss ** (1.0 / alpha)


def expected_accuracy_correlated(p, length: int, concentration: float) -> np.ndarray:
    """Exact match when the per-token probability varies from item to item.

    The independence assumption behind ``p ** L`` fails when some problems are
    harder than others (a carry chain, an unfamiliar number): the tokens of one
    item then succeed or fail together. Model that by giving item ``i`` its own
    per-token probability ``p_i ~ Beta(p * kappa, (1 - p) * kappa)``: the mean
    per-token accuracy is still ``p``, but the exact match is
    ``E[p_i ** L] = prod_{j<L} (a + j) / (a + b + j)``, which is never below
    ``p ** L`` (Jensen's inequality) and tends to it as ``kappa`` grows.

    Parameters
    ----------
    p : array-like of float in (0, 1)
        Mean per-token probability.
    length : int
        Target length ``L``.
    concentration : float
        ``kappa`` > 0; small values mean strongly correlated errors.

    Examples
    --------
    >>> expected_accuracy_correlated([0.5], length=2, concentration=1.0)
    array([0.375])
    >>> expected_accuracy([0.5], length=2)
    array([0.25])
    """
    p = check_probability(p, "p")
    if ((p == 0) | (p == 1)).any():
        raise ValueError("p must be strictly between 0 and 1 for the Beta model.")
    length = check_positive_int(length, "length")
    kappa = _scalar(concentration, "concentration", positive=True)
    a, b = p * kappa, (1 - p) * kappa
    j = np.arange(length)[:, None]
    return np.prod((a + j) / (a + b + j), axis=0)


def implied_per_token_probability(accuracy, length: int) -> np.ndarray:
    """Invert ``accuracy = p ** length``: ``p = accuracy ** (1 / length)``.

    Useful for published accuracies: GPT-3's few-shot accuracy on a task with
    ``length``-token answers implies this per-token accuracy, if tokens are
    right independently (an assumption, not a measurement).

    Examples
    --------
    >>> implied_per_token_probability([0.25, 0.81], length=2)
    array([0.5, 0.9])
    """
    acc = check_probability(accuracy, "accuracy")
    return acc ** (1.0 / check_positive_int(length, "length"))


def multiple_choice_model(p_correct, k: int) -> pd.DataFrame:
    """Multiple-choice grade and Brier score when the right answer has probability ``P``.

    The book's reading of the paper's Figure 2D/F (the paper gives no formula):
    the model puts probability ``P`` on the correct option and spreads ``1 - P``
    evenly over the ``k - 1`` wrong ones. The grade is then a step -- 1 once
    ``P > 1/k`` -- while the Brier score ``(1 - P)**2 / (k - 1)`` moves smoothly.
    For a target of ``L`` tokens, ``P = p ** L``.

    Parameters
    ----------
    p_correct : array-like of float in [0, 1]
        Probability of the correct option, ``P``.
    k : int
        Number of options (>= 2).

    Returns
    -------
    pandas.DataFrame
        Columns ``p_correct``, ``multiple_choice_grade``, ``brier_score``.

    Examples
    --------
    >>> multiple_choice_model([0.2, 0.3], k=4).round(4)
       p_correct  multiple_choice_grade  brier_score
    0        0.2                    0.0       0.2133
    1        0.3                    1.0       0.1633
    """
    P = check_probability(p_correct, "p_correct")
    k = check_positive_int(k, "k")
    if k < 2:
        raise ValueError("k must be at least 2 options.")
    return pd.DataFrame(
        {
            "p_correct": P,
            "multiple_choice_grade": (P > 1.0 / k).astype(float),
            "brier_score": (1.0 - P) ** 2 / (k - 1),
        }
    )


def simulate_token_errors(p, length: int, n_items: int, seed: int = 0) -> np.ndarray:
    """Draw how many of each item's ``length`` tokens a model gets wrong.

    Each token is right with probability ``p``, independently, so the number
    of wrong tokens of an item is Binomial(``length``, ``1 - p``).

    Returns
    -------
    numpy.ndarray of int, shape (len(p), n_items)
        Wrong tokens per model (row) and test item (column). An item is an
        exact match where this is 0, and it is also the item's token edit
        distance (all errors are substitutions).

    Examples
    --------
    >>> simulate_token_errors([0.0, 1.0], length=3, n_items=4)
    array([[3, 3, 3, 3],
           [0, 0, 0, 0]])
    """
    p = check_probability(p, "p")
    length = check_positive_int(length, "length")
    n_items = check_positive_int(n_items, "n_items")
    rng = np.random.default_rng(seed)
    return rng.binomial(length, 1.0 - p[:, None], size=(len(p), n_items))


def sample_test_set(p, length: int, n_items: int, seed: int = 0) -> pd.DataFrame:
    """Score one finite, simulated test set per model under two metrics.

    The same simulated outputs are scored by exact-match accuracy and by mean
    token edit distance, so the two metrics see identical model behaviour. A
    test set of ``n_items`` cannot show an accuracy between 0 and
    ``1 / n_items``: its *resolution*.

    Parameters
    ----------
    p : array-like of float in [0, 1]
        Per-token probability of each model.
    length : int
        Target length ``L`` in tokens.
    n_items : int
        Test-set size.
    seed : int
        Seed of the random draw; equal seeds give equal tables.

    Returns
    -------
    pandas.DataFrame
        One row per model: ``p``, ``length``, ``n_items``, ``n_exact``,
        ``accuracy``, ``token_edit_distance``.

    Examples
    --------
    >>> sample_test_set([1.0], length=5, n_items=100)[["n_exact", "accuracy"]]
       n_exact  accuracy
    0      100       1.0
    """
    errors = simulate_token_errors(p, length, n_items, seed)
    n_exact = (errors == 0).sum(axis=1)
    return pd.DataFrame(
        {
            "p": np.asarray(p, dtype=float).reshape(-1),
            "length": length,
            "n_items": n_items,
            "n_exact": n_exact,
            "accuracy": n_exact / n_items,
            "token_edit_distance": errors.mean(axis=1),
        }
    )

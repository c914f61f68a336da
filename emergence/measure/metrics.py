"""The metrics the two papers argue about, scored one item at a time.

Every function returns one number per test item (a numpy array), so the same
outputs can be averaged, bootstrapped or plotted under each metric. Averaging
is left to the caller on purpose: the mirage argument is about what the *mean*
of a per-item score does as per-token accuracy improves.

Nonlinear or discontinuous in the per-token error (the mirage paper's
suspects): :func:`exact_match`, :func:`multiple_choice_grade`.
Linear or continuous: :func:`token_edit_distance`, :func:`per_token_accuracy`,
:func:`brier_score`, :func:`log_likelihood`, :func:`per_token_cross_entropy`.

A string is scored as a sequence of character tokens (one digit, one token,
as in the arithmetic experiments); pass lists to use other tokens. An item
whose output is a string and whose target is a token list (or the reverse) is
an error, not a mismatch: the two can never be equal.

Real completions carry formatting (a leading space, a stop sequence, a
thousands separator) that the metrics would count as errors; run
:func:`emergence.measure.postprocess.postprocess` on outputs and targets first.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz.distance import Levenshtein
from scipy.special import log_softmax

from emergence._validate import (
    as_float_array,
    as_token_sequences,
    check_probability,
    check_same_length,
)

__all__ = [
    "exact_match",
    "token_edit_distance",
    "per_token_accuracy",
    "multiple_choice_grade",
    "brier_score",
    "log_likelihood",
    "per_token_cross_entropy",
]


def _pairs(predictions, targets):
    preds = as_token_sequences(predictions, "predictions")
    targs = as_token_sequences(targets, "targets")
    check_same_length(predictions=preds, targets=targs)
    for i, (p, t) in enumerate(zip(preds, targs)):
        if isinstance(p, str) != isinstance(t, str):
            kinds = ["a string" if isinstance(v, str) else "a token list" for v in (p, t)]
            raise ValueError(
                f"item {i}: the prediction is {kinds[0]} ({p!r}) but the target is {kinds[1]} "
                f"({t!r}); pass both as strings (character tokens) or both as token lists."
            )
    return preds, targs


def _tokens(seq):
    return list(seq) if isinstance(seq, np.ndarray) else seq


def exact_match(predictions, targets) -> np.ndarray:
    """1 if the output equals the target token for token, else 0.

    Parameters
    ----------
    predictions, targets : sequence of str or of token lists
        One output and one reference per item.

    Returns
    -------
    numpy.ndarray of float
        1.0 or 0.0 per item.

    Examples
    --------
    >>> exact_match(["1234", "1235"], ["1234", "1234"])
    array([1., 0.])
    """
    preds, targs = _pairs(predictions, targets)
    return np.array([float(list(p) == list(t)) for p, t in zip(preds, targs)])


def token_edit_distance(predictions, targets) -> np.ndarray:
    """Levenshtein distance between output and target, counted in tokens.

    Insertions, deletions and substitutions each cost 1 (rapidfuzz's C++
    implementation). Lower is better; 0 means an exact match.

    Examples
    --------
    >>> token_edit_distance(["1234", "1294", "12"], ["1234", "1234", "1234"])
    array([0., 1., 2.])
    >>> token_edit_distance([["12", "+"]], [["12", "-"]])
    array([1.])
    """
    preds, targs = _pairs(predictions, targets)
    return np.array(
        [float(Levenshtein.distance(_tokens(p), _tokens(t))) for p, t in zip(preds, targs)]
    )


def per_token_accuracy(predictions, targets, align: str = "left") -> np.ndarray:
    """Fraction of target positions whose token the output reproduces in place.

    Position ``i`` of the target counts as right when the output has the same
    token at position ``i``; a missing or extra token is simply not a match.
    An empty target scores 1 if the output is empty too, else 0.

    Parameters
    ----------
    predictions, targets : sequence of str or of token lists
    align : {"left", "right"}
        ``"left"`` counts positions from the first token. ``"right"`` counts
        them from the last, which aligns numbers at the units digit: an
        output that drops or adds a leading digit still gets credit for the
        digits it has right, where left alignment shifts every digit and
        scores 0.

    Examples
    --------
    >>> per_token_accuracy(["1234", "1294", "12"], ["1234", "1234", "1234"])
    array([1.  , 0.75, 0.5 ])
    >>> per_token_accuracy(["234", "01234"], ["1234", "1234"], align="left")
    array([0., 0.])
    >>> per_token_accuracy(["234", "01234"], ["1234", "1234"], align="right")
    array([0.75, 1.  ])
    """
    if align not in ("left", "right"):
        raise ValueError(f"align must be 'left' or 'right' (units digit), got {align!r}.")
    preds, targs = _pairs(predictions, targets)
    out = np.empty(len(preds))
    for i, (p, t) in enumerate(zip(preds, targs)):
        p, t = list(p), list(t)
        if align == "right":
            p, t = p[::-1], t[::-1]
        if not t:
            out[i] = float(not p)
            continue
        out[i] = sum(a == b for a, b in zip(p, t)) / len(t)
    return out


def _options(option_scores, correct_index):
    scores = as_float_array(option_scores, "option_scores", ndim=2)
    if scores.shape[1] < 2:
        raise ValueError(
            f"option_scores must have one column per option and at least 2 options; "
            f"got shape {scores.shape}."
        )
    idx = as_float_array(correct_index, "correct_index")
    if len(idx) != len(scores):
        raise ValueError(
            f"correct_index has {len(idx)} items but option_scores has {len(scores)} rows."
        )
    if not np.all(np.mod(idx, 1) == 0) or idx.min() < 0 or idx.max() >= scores.shape[1]:
        raise ValueError(
            f"correct_index must hold whole numbers from 0 to {scores.shape[1] - 1} "
            "(the column of the right option)."
        )
    return scores, idx.astype(int)


def multiple_choice_grade(option_scores, correct_index) -> np.ndarray:
    """1 if the correct option has the highest score, else 0.

    BIG-bench's ``multiple_choice_grade``: the option with the largest score
    (log-probability, or any score monotone in it) is the model's answer.
    Ties go to the first option, as ``numpy.argmax`` does.

    Parameters
    ----------
    option_scores : array-like, shape (n_items, k)
        The model's score for each of the ``k`` options of each item.
    correct_index : array-like of int, shape (n_items,)
        Column of the correct option.

    Examples
    --------
    >>> multiple_choice_grade([[-1.0, -2.0], [-3.0, -0.5]], [0, 0])
    array([1., 0.])
    """
    scores, idx = _options(option_scores, correct_index)
    return (np.argmax(scores, axis=1) == idx).astype(float)


def brier_score(option_scores, correct_index) -> np.ndarray:
    """BIG-bench's multiple-choice Brier score (lower is better).

    The option log-probabilities are normalised by a softmax over the ``k``
    options, and the score is the mean over options of the squared error
    between that distribution and the one-hot target. It ranges from 0 (all
    mass on the right option) to ``2 / k`` (all mass on one wrong option);
    a uniform guess scores ``(k - 1) / k**2``.

    Examples
    --------
    >>> import numpy as np
    >>> brier_score(np.log([[0.5, 0.5], [1.0, 1e-12]]), [0, 0]).round(3)
    array([0.25, 0.  ])
    """
    scores, idx = _options(option_scores, correct_index)
    probs = np.exp(log_softmax(scores, axis=1))
    onehot = np.zeros_like(probs)
    onehot[np.arange(len(idx)), idx] = 1.0
    return np.mean((probs - onehot) ** 2, axis=1)


def _token_probs(token_probs):
    if isinstance(token_probs, np.ndarray) and token_probs.ndim == 2:
        rows = list(token_probs)
    else:
        try:
            rows = [np.atleast_1d(np.asarray(r, dtype=float)) for r in token_probs]
        except (TypeError, ValueError):
            raise ValueError("token_probs must be a list of per-token probability arrays.") from None
    if not rows:
        raise ValueError("token_probs is empty: pass one array of probabilities per item.")
    return [check_probability(r, f"token_probs[{i}]") for i, r in enumerate(rows)]


def log_likelihood(token_probs) -> np.ndarray:
    """Log-probability of each whole reference answer: the sum of log p over its tokens.

    Parameters
    ----------
    token_probs : array-like, shape (n_items, L), or list of 1-D arrays
        The model's probability of each reference token (teacher forced).

    Examples
    --------
    >>> log_likelihood([[0.5, 0.5], [1.0, 1.0]]).round(3)
    array([-1.386,  0.   ])
    """
    with np.errstate(divide="ignore"):
        return np.array([np.log(r).sum() for r in _token_probs(token_probs)])


def per_token_cross_entropy(token_probs) -> np.ndarray:
    """Mean of ``-log p`` over the reference tokens of each item, in nats.

    This is the per-token loss ``L_CE`` of the mirage paper's model.

    Examples
    --------
    >>> per_token_cross_entropy([[0.5, 0.5], [1.0, 0.25]]).round(3)
    array([0.693, 0.693])
    """
    with np.errstate(divide="ignore"):
        return np.array([-np.log(r).mean() for r in _token_probs(token_probs)])

"""Target length: how accuracy and token edit distance change with the answer's length.

The mirage paper's third prediction: if each answer token is right with
probability ``p``, independently, then exact-match accuracy on a target of
``L`` tokens is about ``p ** L`` (it falls *geometrically* with ``L``) while
the token edit distance is about ``L * (1 - p)`` (it grows *linearly*).

To vary the length on fixed outputs, a target of length ``L`` is taken to be
the first ``L`` tokens of the answer and the output is cut to its first ``L``
tokens too (the answers are written most significant digit first, so these
are the digits a reader sees first). Because decoding is autoregressive, the
output's first ``L`` tokens are what the model writes when it has written
``L`` tokens; later tokens cannot change them.

- :func:`prefixes`: the first ``L`` characters of each string;
- :func:`length_curve`: measured accuracy and token edit distance per ``L``;
- :func:`mirage_length_prediction`: the mathematical model's curves for a
  per-token probability ``p``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from emergence._validate import check_positive_int
from emergence.model.mirage import expected_accuracy, expected_token_edit_distance

__all__ = ["prefixes", "length_curve", "mirage_length_prediction"]


def _strings(values, name: str) -> list[str]:
    if isinstance(values, str) or not isinstance(values, (Sequence, np.ndarray, pd.Series)):
        raise ValueError(f"{name} must be a list of strings, one per test item.")
    out = list(values)
    if not all(isinstance(v, str) for v in out):
        raise ValueError(f"{name} must contain strings only (convert numbers with str()).")
    return out


def prefixes(strings, length: int) -> list[str]:
    """The first ``length`` characters of each string.

    Examples
    --------
    >>> prefixes(["12345", "987", ""], 2)
    ['12', '98', '']
    """
    length = check_positive_int(length, "length")
    return [s[:length] for s in _strings(strings, "strings")]


def length_curve(predictions, targets, lengths) -> pd.DataFrame:
    """Accuracy and token edit distance on targets cut to each length ``L``.

    Parameters
    ----------
    predictions, targets : list of str
        Model outputs and reference answers, one per test item.
    lengths : sequence of int
        Target lengths; every target must have at least ``max(lengths)``
        characters (select those items first).

    Returns
    -------
    pandas.DataFrame
        ``length``, ``accuracy`` (mean exact match of the first ``L``
        characters), ``token_edit_distance`` (mean) and ``n_items``.

    Examples
    --------
    >>> length_curve(["1234", "1299"], ["1234", "1234"], [1, 2, 3, 4])
       length  accuracy  token_edit_distance  n_items
    0       1       1.0                  0.0        2
    1       2       1.0                  0.0        2
    2       3       0.5                  0.5        2
    3       4       0.5                  1.0        2
    """
    preds = _strings(predictions, "predictions")
    refs = _strings(targets, "targets")
    if len(preds) != len(refs):
        raise ValueError(
            f"predictions and targets must have the same length ({len(preds)} vs {len(refs)}).")
    if not refs:
        raise ValueError("targets is empty: pass at least one test item.")
    lengths = [check_positive_int(n, "lengths") for n in np.atleast_1d(lengths)]
    shortest = min(len(t) for t in refs)
    if max(lengths) > shortest:
        raise ValueError(
            f"a target has only {shortest} characters but lengths asks for {max(lengths)}: "
            "keep only the items whose target is at least that long.")
    rows = []
    for n in lengths:
        p, t = prefixes(preds, n), prefixes(refs, n)
        rows.append({
            "length": n,
            "accuracy": float(np.mean([a == b for a, b in zip(p, t)])),
            "token_edit_distance": float(np.mean(_edit_distances(p, t))),
            "n_items": len(t),
        })
    return pd.DataFrame(rows)


def _edit_distances(predictions: list[str], targets: list[str]) -> np.ndarray:
    """Character-token Levenshtein distances, pair by pair, in one vectorised call.

    The same numbers as :func:`emergence.measure.metrics.token_edit_distance` on strings
    (rapidfuzz's Levenshtein distance), computed in C for a whole list.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    return np.asarray(process.cpdist(predictions, targets, scorer=Levenshtein.distance), dtype=float)


def mirage_length_prediction(p: float, lengths) -> pd.DataFrame:
    """The mathematical model's accuracy ``p ** L`` and edit distance ``L (1 - p)``.

    Examples
    --------
    >>> mirage_length_prediction(0.9, [1, 2, 3]).round(3)
       length  accuracy  token_edit_distance
    0       1     0.900                  0.1
    1       2     0.810                  0.2
    2       3     0.729                  0.3
    """
    lengths = [check_positive_int(n, "lengths") for n in np.atleast_1d(lengths)]
    return pd.DataFrame({
        "length": lengths,
        "accuracy": [float(np.squeeze(expected_accuracy(p, n))) for n in lengths],
        "token_edit_distance": [float(np.squeeze(expected_token_edit_distance(p, n)))
                                for n in lengths],
    })

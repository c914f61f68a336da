"""Metrics: worked examples, properties that must hold for any input, and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import softmax

from emergence.measure import metrics

digits = st.text(alphabet="0123456789", max_size=8)
pairs = st.lists(st.tuples(digits, digits), min_size=1, max_size=20)


@given(pairs)
def test_edit_distance_is_a_metric(items):
    preds, targs = zip(*items)
    d = metrics.token_edit_distance(preds, targs)
    assert (d >= 0).all()
    assert np.array_equal(d, metrics.token_edit_distance(targs, preds))  # symmetric
    assert (metrics.token_edit_distance(preds, preds) == 0).all()
    # bounded by the length difference below and the longer length above
    lp, lt = np.array([len(p) for p in preds]), np.array([len(t) for t in targs])
    assert (d >= np.abs(lp - lt)).all() and (d <= np.maximum(lp, lt)).all()


@given(digits, digits, digits)
def test_edit_distance_triangle_inequality(a, b, c):
    d = lambda x, y: metrics.token_edit_distance([x], [y])[0]
    assert d(a, c) <= d(a, b) + d(b, c)


@given(pairs)
def test_exact_match_iff_zero_edit_distance(items):
    preds, targs = zip(*items)
    em = metrics.exact_match(preds, targs)
    assert np.array_equal(em == 1, metrics.token_edit_distance(preds, targs) == 0)


@given(pairs)
def test_per_token_accuracy_range_and_consistency(items):
    preds, targs = zip(*items)
    acc = metrics.per_token_accuracy(preds, targs)
    assert ((acc >= 0) & (acc <= 1)).all()
    em = metrics.exact_match(preds, targs)
    assert (acc[em == 1] == 1).all()


def test_per_token_accuracy_counts_positions():
    # a dropped digit shifts every later digit: per-token accuracy punishes it, edit distance less
    assert metrics.per_token_accuracy(["134"], ["1234"])[0] == 0.25
    assert metrics.token_edit_distance(["134"], ["1234"])[0] == 1


def test_edit_distance_on_token_lists():
    assert metrics.token_edit_distance([["the", "cat"]], [["the", "dog"]])[0] == 1


option_rows = st.integers(2, 6).flatmap(
    lambda k: st.tuples(
        st.lists(st.lists(st.floats(-20, 0), min_size=k, max_size=k), min_size=1, max_size=10),
        st.just(k),
    )
)


@given(option_rows, st.data())
def test_brier_score_properties(rows_k, data):
    rows, k = rows_k
    scores = np.array(rows)
    correct = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=len(rows), max_size=len(rows))))
    b = metrics.brier_score(scores, correct)
    assert ((b >= 0) & (b <= 2 / k + 1e-12)).all()
    # a softmax does not care about a constant added to every option of an item
    assert np.allclose(b, metrics.brier_score(scores + 3.0, correct))
    # the definition, written out
    probs = softmax(scores, axis=1)
    onehot = np.eye(k)[correct]
    assert np.allclose(b, ((probs - onehot) ** 2).mean(axis=1))


@given(option_rows, st.data())
def test_multiple_choice_grade_only_sees_the_order(rows_k, data):
    rows, k = rows_k
    scores = np.array(rows)
    correct = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=len(rows), max_size=len(rows))))
    g = metrics.multiple_choice_grade(scores, correct)
    assert set(np.unique(g)) <= {0.0, 1.0}
    # any order-preserving rescaling (doubling is exact in floating point) gives the same grade
    assert np.array_equal(g, metrics.multiple_choice_grade(2.0 * scores, correct))


def test_brier_uniform_guess():
    k = 4
    b = metrics.brier_score(np.zeros((1, k)), [2])[0]
    assert np.isclose(b, (k - 1) / k**2)


@given(st.lists(st.lists(st.floats(0.01, 1.0), min_size=3, max_size=3), min_size=1, max_size=10))
def test_cross_entropy_is_mean_negative_log_likelihood(rows):
    ll = metrics.log_likelihood(rows)
    ce = metrics.per_token_cross_entropy(rows)
    assert np.allclose(ce, -ll / 3)
    assert (ll <= 0).all()


def test_variable_length_token_probabilities():
    ce = metrics.per_token_cross_entropy([[0.5], [0.5, 0.25]])
    assert np.allclose(ce, [np.log(2), (np.log(2) + np.log(4)) / 2])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: metrics.exact_match(["1"], ["1", "2"]), "same length"),
        (lambda: metrics.exact_match("12", "12"), "not a single string"),
        (lambda: metrics.exact_match([], []), "empty"),
        (lambda: metrics.token_edit_distance([None], ["1"]), "missing"),
        (lambda: metrics.brier_score([[0.0, np.nan]], [0]), "NaN"),
        (lambda: metrics.brier_score([[0.0, 1.0]], [2]), "correct_index"),
        (lambda: metrics.brier_score([[0.0], [1.0]], [0, 0]), "at least 2 options"),
        (lambda: metrics.multiple_choice_grade([[0.0, 1.0]], [0, 1]), "correct_index has 2"),
        (lambda: metrics.log_likelihood([[0.5, 1.5]]), r"\[0, 1\]"),
        (lambda: metrics.log_likelihood([[50.0, 90.0]]), "percentages"),
        (lambda: metrics.per_token_cross_entropy([]), "empty"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()

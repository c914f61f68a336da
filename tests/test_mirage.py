"""The mirage paper's model and the finite-test-set sampler."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from emergence.model import mirage

probs = st.floats(0.0, 1.0)


def test_chain_matches_the_paper():
    n = np.array([1e8, 1e9, 1e10])
    loss = mirage.per_token_loss(n, c=1e9, alpha=-0.5)
    assert np.allclose(loss, (n / 1e9) ** -0.5)
    p = mirage.per_token_probability(loss)
    assert np.allclose(mirage.accuracy_from_loss(loss, 4), np.exp(-loss) ** 4)
    assert np.allclose(mirage.expected_token_edit_distance(p, 4), 4 * (1 - p))


@given(probs, st.integers(1, 12))
def test_implied_probability_inverts_accuracy(p, length):
    acc = mirage.expected_accuracy(p, length)
    assert np.allclose(mirage.implied_per_token_probability(acc, length), p, atol=1e-9)


@given(st.floats(1e-3, 0.999), st.integers(1, 8))
def test_params_for_accuracy_inverts_the_chain(acc, length):
    n = mirage.params_for_accuracy(acc, length, c=3e9, alpha=-0.5)
    back = mirage.accuracy_from_loss(mirage.per_token_loss(n, 3e9, -0.5), length)
    assert np.allclose(back, acc)


@given(st.floats(0.01, 0.99), st.integers(1, 10), st.floats(0.1, 100))
def test_correlated_errors_never_lower_exact_match(p, length, kappa):
    corr = mirage.expected_accuracy_correlated(p, length, kappa)
    assert corr[0] >= mirage.expected_accuracy(p, length)[0] - 1e-12
    assert corr[0] <= p + 1e-12  # still needs the first token right


def test_correlated_tends_to_independent():
    p = np.array([0.3, 0.7])
    assert np.allclose(mirage.expected_accuracy_correlated(p, 5, 1e7), p**5, rtol=1e-4)


def test_multiple_choice_model_step_and_brier():
    mc = mirage.multiple_choice_model([0.1, 0.25, 0.26, 1.0], k=4)
    assert mc["multiple_choice_grade"].tolist() == [0, 0, 1, 1]
    assert np.isclose(mc["brier_score"].iloc[-1], 0)
    assert (np.diff(mc["brier_score"]) < 0).all()


def test_sampler_is_deterministic_and_unbiased():
    p = np.array([0.2, 0.5, 0.9])
    a = mirage.sample_test_set(p, 3, 50_000, seed=1)
    b = mirage.sample_test_set(p, 3, 50_000, seed=1)
    assert a.equals(b)
    assert np.allclose(a["accuracy"], p**3, atol=0.01)
    assert np.allclose(a["token_edit_distance"], 3 * (1 - p), atol=0.02)
    assert not a.equals(mirage.sample_test_set(p, 3, 50_000, seed=2))


def test_sampler_resolution():
    # accuracy can only take values k / n_items
    t = mirage.sample_test_set([0.3], 5, 100, seed=0)
    assert (t["accuracy"] * 100 == t["n_exact"]).all()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: mirage.per_token_loss([1e9], c=1e9, alpha=0.5), "alpha must be < 0"),
        (lambda: mirage.per_token_loss([1e9], c=-1, alpha=-0.5), "c must be > 0"),
        (lambda: mirage.per_token_loss([0.0], c=1, alpha=-0.5), "n_params must be positive"),
        (lambda: mirage.per_token_probability([-1.0]), "loss must be >= 0"),
        (lambda: mirage.expected_accuracy([1.2], 3), r"p must lie in \[0, 1\]"),
        (lambda: mirage.expected_accuracy([0.5], 0), "length"),
        (lambda: mirage.expected_accuracy([0.5], 2.5), "length"),
        (lambda: mirage.sample_test_set([0.5], 3, 0), "n_items"),
        (lambda: mirage.multiple_choice_model([0.5], 1), "k must be at least 2"),
        (lambda: mirage.params_for_accuracy([1.0], 3, 1e9, -0.5), "strictly between"),
        (lambda: mirage.expected_accuracy([np.nan], 3), "NaN"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()

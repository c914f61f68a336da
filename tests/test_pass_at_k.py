"""pass@k from per-problem success rates, the unbiased estimator, and the power law of the average."""

from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emergence.measure.pass_at_k import (average_pass_at_k, beta_average_pass_at_k, fit_attempts_power_law,
                                 left_tail, local_exponent, pass_at_k, pass_at_k_unbiased,
                                 power_law_from_tail)


def test_single_problem_failure_falls_exponentially():
    k = np.arange(1, 200)
    fail = 1 - pass_at_k([0.03], k)[0]
    assert np.allclose(np.diff(np.log(fail)), np.log(0.97))


def test_tiny_probabilities_keep_their_precision():
    assert np.isclose(pass_at_k([1e-12], [1000])[0, 0], 1e-9, rtol=1e-6)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 60), data=st.data())
def test_unbiased_estimator_matches_the_binomial_formula(n, data):
    c = data.draw(st.integers(0, n))
    k = data.draw(st.integers(1, n))
    expected = 1.0 - comb(n - c, k) / comb(n, k)
    assert np.isclose(pass_at_k_unbiased(n, c, k), expected, atol=1e-12)


def test_unbiased_estimator_is_unbiased():
    # E over c ~ Binomial(n, p) of the estimate is 1 - (1 - p) ** k exactly
    from scipy.stats import binom
    n, p, k = 30, 0.07, 10
    c = np.arange(n + 1)
    est = pass_at_k_unbiased(np.full(n + 1, n), c, k)
    assert np.isclose((binom.pmf(c, n, p) * est).sum(), 1 - (1 - p) ** k, atol=1e-12)


def test_beta_average_matches_monte_carlo():
    rng = np.random.default_rng(0)
    p = rng.beta(0.6, 2.0, 200_000)
    k = [1, 10, 100]
    assert np.allclose(average_pass_at_k(p, k), beta_average_pass_at_k(0.6, 2.0, k), atol=3e-3)


@pytest.mark.parametrize("alpha", [0.3, 0.8, 1.5])
def test_beta_left_tail_gives_its_exponent(alpha):
    k = np.logspace(1, 6, 30).round()
    law = fit_attempts_power_law(k, beta_average_pass_at_k(alpha, 3.0, k))
    assert abs(law.b - alpha) < 0.05 * alpha + 0.02
    loc = local_exponent(k, beta_average_pass_at_k(alpha, 3.0, k))
    assert abs(loc[-1] - alpha) < 0.01


def test_tail_predicts_the_aggregate_law():
    # Theorem 3.1 of Schaeffer et al. (2025): density C p^(b-1) near 0 -> -log pass ~ C Gamma(b) k^-b
    rng = np.random.default_rng(1)
    p = rng.beta(0.8, 4.0, 100_000)
    k = np.logspace(1, 4, 13).round()
    law = fit_attempts_power_law(k, average_pass_at_k(p, k))
    implied = power_law_from_tail(left_tail(p, 1e-4, 1e-1))
    assert abs(implied.b - law.b) < 0.05
    assert np.allclose(implied.predict(k), law.predict(k), rtol=0.15)


def test_no_left_tail_means_faster_than_any_power_law():
    p = np.random.default_rng(2).uniform(0.01, 0.05, 5000)      # nothing below 1 %
    k = np.unique(np.logspace(0, 3, 30).round())
    loc = local_exponent(k, average_pass_at_k(p, k))
    assert loc[-1] > 5 * loc[5]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: pass_at_k([1.5], [1]), r"p must lie in \[0, 1\]"),
        (lambda: pass_at_k([0.5], [0]), "whole numbers of attempts"),
        (lambda: pass_at_k_unbiased(5, 6, 1), "between 0 and n"),
        (lambda: pass_at_k_unbiased(5, 2, 6), "n >= k"),
        (lambda: pass_at_k_unbiased(5.0, 2, 1), "whole numbers"),
        (lambda: fit_attempts_power_law([1, 2, 3], [0.1, 0.2, 0.3]), "fewer than three"),
        (lambda: left_tail([0.5, 0.6], 0.1, 0.01), "p_min < p_max"),
        (lambda: local_exponent([1, 1, 2], [0.5, 0.5, 0.7]), "strictly increasing"),
        (lambda: beta_average_pass_at_k(0, 1, [1]), "positive"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_local_exponent_at_the_ends_of_the_open_interval():
    # pass_D@k rounds to 1 once the failures are below float resolution: that interval falls
    # faster than any power law (+inf), one between two such k has no slope (nan)
    k = [1, 10, 100, 1000]
    loc = local_exponent(k, [0.5, 0.9, 1.0, 1.0])
    assert np.isfinite(loc[0]) and loc[1] == np.inf and np.isnan(loc[2])
    # pass_D@k == 0 (nothing solved): no slope into or out of it
    loc = local_exponent(k, [0.0, 0.2, 0.4, 0.6])
    assert np.isnan(loc[0]) and np.isfinite(loc[1:]).all()


def test_local_exponent_of_a_model_whose_average_saturates():
    # an exponentially easy distribution (every p_i >= 0.3): by k = 10,000 pass_D@k is 1 in
    # floating point, and the local exponent there is +inf instead of an error
    p = np.linspace(0.3, 0.9, 50)
    k = np.unique(np.round(np.logspace(0, 4, 41)))
    avg = average_pass_at_k(p, k)
    assert avg[-1] == 1.0
    loc = local_exponent(k, avg)
    first_one = int(np.argmax(avg == 1.0))
    assert np.isfinite(loc[:first_one - 1]).all() and np.diff(loc[:first_one - 1]).min() > 0
    assert loc[first_one - 1] == np.inf and np.isnan(loc[first_one:]).all()

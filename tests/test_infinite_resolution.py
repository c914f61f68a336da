"""Exact pass probabilities from token losses, the PassUntil simulation and the task scaling law."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emergence.experiments.arithmetic import LOSS_UNIT, load_outputs
from emergence.measure.infinite_resolution import (
    CACHE_CLIP_NATS,
    answer_pass_probability,
    expected_pass_until,
    pass_rate_bounds,
    pass_until,
    task_scaling_fit,
    instance_scaling_predict,
)


def test_clip_value_is_the_cache_maximum():
    assert CACHE_CLIP_NATS == pytest.approx(65534 * LOSS_UNIT)


def test_product_of_token_probabilities():
    p = np.array([[0.9, 0.5, 0.8], [0.7, 0.6, np.nan]])
    end = np.array([0.4, 0.3])
    prob, clipped = answer_pass_probability(-np.log(p), -np.log(end))
    # a full-length answer needs no end token (decoding stops); a shorter one does
    assert prob == pytest.approx([0.9 * 0.5 * 0.8, 0.7 * 0.6 * 0.3])
    assert not clipped.any()
    always, _ = answer_pass_probability(-np.log(p), -np.log(end), stop_after_last_slot=False)
    assert always == pytest.approx([0.9 * 0.5 * 0.8 * 0.4, 0.7 * 0.6 * 0.3])


def test_clipped_tokens_are_flagged_only_where_they_count():
    loss = np.array([[7.0, 0.1], [0.1, 0.2]])
    end = np.array([0.1, 7.0])      # the second answer fills both slots: its end does not count
    _, clipped = answer_pass_probability(loss, end, clip=6.5534)
    assert clipped.tolist() == [True, False]


def test_bounds_bracket_the_mean():
    low, high = pass_rate_bounds([0.5, 0.1, 0.2], [False, True, False])
    assert low == pytest.approx(0.7 / 3) and high == pytest.approx(0.8 / 3)
    low, high = pass_rate_bounds(np.array([[0.5, 0.1], [0.2, 0.4]]))
    assert np.allclose(low, high) and np.allclose(high, [0.3, 0.3])


@pytest.mark.parametrize("bad", [
    dict(token_loss=[[-0.1, 0.2]], end_loss=[0.1]),
    dict(token_loss=[[np.inf, 0.2]], end_loss=[0.1]),
    dict(token_loss=[[np.nan, np.nan]], end_loss=[0.1]),
    dict(token_loss=[[0.1, np.nan]], end_loss=[np.nan]),
    dict(token_loss=[[0.1, 0.2]], end_loss=[0.1, 0.2]),
])
def test_bad_losses_are_rejected(bad):
    with pytest.raises(ValueError):
        answer_pass_probability(**bad)


def test_bounds_reject_bad_input():
    with pytest.raises(ValueError, match="probability"):
        pass_rate_bounds([1.5])
    with pytest.raises(ValueError, match="clipped"):
        pass_rate_bounds([0.5, 0.5], [True])


def test_cached_family_matches_the_greedy_outputs():
    # where the reference answer has probability > 1/2, every one of its tokens is the
    # most probable, so greedy decoding must write it: an independent check of the cache
    out = load_outputs("multiplication")
    prob, clipped = answer_pass_probability(out["token_loss"], out["end_loss"])
    assert prob.shape == (10, 8100)
    assert out["correct"][prob > 0.5].all()
    assert clipped.mean() < 1e-3


@settings(max_examples=30, deadline=None)
@given(st.floats(0.001, 0.9), st.integers(1, 3))
def test_pass_until_mean_samples_is_r_over_p(p, r):
    out = pass_until(np.full(4000, p), r=r, max_samples=10**9, seed=1)
    assert not out["censored"].any()
    assert (out["passes"] == r).all()
    mean = out["samples"].mean()
    sd = np.sqrt(r * (1 - p)) / p / np.sqrt(len(out))
    assert abs(mean - r / p) < 5 * sd + 1e-9


def test_pass_until_r1_bias_matches_its_formula():
    p = np.full(20_000, 1e-3)
    out = pass_until(p, r=1, max_samples=10**9, seed=2)
    expected = expected_pass_until([1e-3])[0]
    se = out["estimate"].std() / np.sqrt(len(out))
    assert abs(out["estimate"].mean() - expected) < 5 * se
    assert expected / 1e-3 == pytest.approx(np.log(1e3) / (1 - 1e-3))


def test_unbiased_estimate_for_r2():
    p = np.full(20_000, 2e-3)
    out = pass_until(p, r=2, max_samples=10**9, seed=3)
    se = out["unbiased"].std() / np.sqrt(len(out))
    assert abs(out["unbiased"].mean() - 2e-3) < 5 * se
    assert out["estimate"].mean() > 2e-3           # r / K is biased upward


def test_budget_censors_rare_passes():
    out = pass_until([1e-9, 0.0, 1.0], r=1, max_samples=1000, seed=0)
    assert out["censored"].tolist() == [True, True, False]
    assert out["estimate"].tolist()[:2] == [0.0, 0.0]
    assert out["samples"].tolist() == [1000, 1000, 1]
    assert np.isnan(out["unbiased"]).all()          # undefined for r = 1


def test_pass_until_is_deterministic_and_checks_arguments():
    a = pass_until([0.01, 0.2], r=2, seed=5)
    b = pass_until([0.01, 0.2], r=2, seed=5)
    assert a.equals(b)
    with pytest.raises(ValueError, match="r"):
        pass_until([0.1], r=0)
    with pytest.raises(ValueError, match="p"):
        pass_until([1.2])
    with pytest.raises(ValueError, match="p must be > 0"):
        expected_pass_until([0.0])


def test_task_scaling_fit_recovers_the_law_and_its_bend():
    n = np.logspace(3, 6, 8)
    fit = task_scaling_fit(n, np.exp(-(n / 2e5) ** -0.6))
    assert fit.alpha == pytest.approx(-0.6) and fit.c == pytest.approx(2e5, rel=1e-6)
    assert abs(fit.curvature) < 1e-8 and fit.r2 == pytest.approx(1.0)
    assert np.allclose(fit.predict(n), np.exp(-(n / 2e5) ** -0.6))
    # a curve that speeds up on log(-log) axes is concave there
    x = np.log(n)
    faster = np.exp(-np.exp(2.0 - 0.1 * (x - x[0]) - 0.05 * (x - x[0]) ** 2))
    assert task_scaling_fit(n, faster).curvature == pytest.approx(-0.05)


def test_task_scaling_fit_rejects_bad_rates():
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        task_scaling_fit([1, 2, 3, 4], [0.1, 0.2, 0.0, 0.5])
    with pytest.raises(ValueError, match="four"):
        task_scaling_fit([1, 2, 3], [0.1, 0.2, 0.3])


def test_instance_scaling_predict_extrapolates_each_problem_by_its_own_law():
    n = np.logspace(3, 6, 5)
    c, alpha = np.array([1e3, 3e3, 1e4]), np.array([-0.3, -0.5, -0.8])
    p = np.exp(-(n[:, None] / c) ** alpha)
    pred = instance_scaling_predict(n[:4], p[:4], [n[4], 1e7])
    assert pred.shape == (2, 3)
    assert np.allclose(pred[0], p[4]) and np.allclose(pred[1], np.exp(-(1e7 / c) ** alpha))
    # the mean of per-problem laws is not the aggregate law's prediction
    aggregate = task_scaling_fit(n[:4], p[:4].mean(axis=1)).predict([n[4]])[0]
    assert abs(aggregate - p[4].mean()) > 1e-3


def test_instance_scaling_predict_rejects_bad_input():
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        instance_scaling_predict([1, 2], [[0.1, 1.0], [0.2, 0.3]], 3)
    with pytest.raises(ValueError, match="one row per model"):
        instance_scaling_predict([1, 2, 3], [[0.1, 0.2], [0.2, 0.3]], 3)


@pytest.mark.parametrize("p", [1e-3, 0.05, 0.4])
def test_exact_variances_of_the_estimates_agree_with_a_direct_sum(p):
    from emergence.measure.infinite_resolution import pass_until_variance, unbiased_pass_until_variance

    k = np.arange(1, 200_000)
    q = 1 - p
    once = p * q ** (k - 1)                          # P(K = k), r = 1
    assert pass_until_variance([p])[0] == pytest.approx((once / k**2).sum() - ((once / k).sum()) ** 2, rel=1e-6)
    k2 = k[1:]
    twice = (k2 - 1) * p**2 * q ** (k2 - 2)          # P(K = k), r = 2
    assert unbiased_pass_until_variance([p])[0] == pytest.approx((twice / (k2 - 1) ** 2).sum() - p**2, rel=1e-6)


@pytest.mark.parametrize("budget", [5, 50, 500])
def test_the_unbiased_estimate_stays_unbiased_under_the_budget(budget):
    p, q = 0.01, 0.99
    k = np.arange(2, budget + 1)
    passed_twice = ((k - 1) * p**2 * q ** (k - 2) / (k - 1)).sum()
    once_in_budget = budget * p * q ** (budget - 1)  # exactly one pass in the budget: counts 1 / budget
    assert passed_twice + once_in_budget / budget == pytest.approx(p, rel=1e-12)

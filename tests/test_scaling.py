"""Power-law fits and intervals."""

import numpy as np
import pytest
from scipy import stats

from emergence.measure.scaling import accuracy_interval, bootstrap_ci, fit_power_law


def test_recovers_a_power_law():
    x = np.logspace(6, 10, 9)
    fit = fit_power_law(x, (x / 2e7) ** -0.3)
    assert np.isclose(fit.alpha, -0.3) and np.isclose(fit.c, 2e7, rtol=1e-6)
    assert np.isclose(fit.r2, 1.0)
    assert np.allclose(fit.predict(x), (x / 2e7) ** -0.3)


def test_noisy_fit_is_close():
    rng = np.random.default_rng(0)
    x = np.logspace(6, 10, 30)
    y = (x / 1e8) ** -0.2 * np.exp(rng.normal(0, 0.02, x.size))
    fit = fit_power_law(x, y)
    assert abs(fit.alpha + 0.2) < 3 * fit.alpha_stderr + 0.01


def test_bootstrap_is_deterministic_and_covers_the_mean():
    v = np.r_[np.ones(30), np.zeros(70)]
    a, b = bootstrap_ci(v, seed=3), bootstrap_ci(v, seed=3)
    assert a == b and a[0] < 0.3 < a[1]


def test_bootstrap_of_constant_values_is_a_point():
    assert bootstrap_ci(np.zeros(100)) == (0.0, 0.0)


def test_accuracy_interval_matches_scipy():
    for k, n in [(0, 100), (3, 100), (100, 100), (7, 100_000)]:
        lo, hi = accuracy_interval([k], [n])
        ref = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
        assert np.isclose(lo[0], ref.low) and np.isclose(hi[0], ref.high)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: fit_power_law([1, 2], [1, 2]), "three points"),
        (lambda: fit_power_law([1, 2, 3], [1, 0, 2]), "y must be positive"),
        (lambda: fit_power_law([1, 2, 3], [1, 1, 1]), "no power law"),
        (lambda: bootstrap_ci([0, 1], level=95), "level"),
        (lambda: accuracy_interval([5], [3]), "between 0 and n_items"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()

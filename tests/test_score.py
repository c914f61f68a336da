"""The emergence score: its definition, its degenerate cases, its input checks."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from emergence.measure.score import STEP_RTOL, emergence_score

curves = st.lists(st.floats(-10, 10, allow_nan=False), min_size=2, max_size=15)


def clearly_resolved(y):
    """Any two values are equal or far apart next to float noise, so the tolerance cannot matter."""
    y = np.asarray(y, dtype=float)
    gaps = np.abs(y[:, None] - y[None, :])
    rise = np.ptp(y)
    return rise > 1e-6 * max(np.abs(y).max(), 1e-300) and not (
        (gaps > 0) & (gaps < 1e-6 * rise)).any()


def by_hand(y):
    y = np.asarray(y, dtype=float)
    return np.sign(np.argmax(y) - np.argmin(y)) * (y.max() - y.min()) / np.sqrt(np.median(np.diff(y) ** 2))


@given(curves)
def test_matches_the_definition(y):
    if np.ptp(y) != 0 and not clearly_resolved(y):
        return  # within the float-noise tolerance: see the noise tests below
    x = np.logspace(6, 6 + len(y) - 1, len(y))
    s = emergence_score(x, y)
    if np.ptp(y) == 0:
        assert s == 0
    elif np.median(np.diff(y) ** 2) == 0:
        assert np.isinf(s)
    else:
        assert np.isclose(s, by_hand(y))


@given(st.lists(st.integers(-1000, 1000), min_size=2, max_size=15), st.floats(0.1, 100), st.floats(-5, 5))
def test_invariant_to_positive_affine_maps(y, a, b):
    # integer-valued curves: an affine map keeps distinct values distinct, so
    # argmax and argmin cannot change through floating-point rounding
    x = np.arange(1, len(y) + 1, dtype=float)
    y = np.asarray(y, dtype=float)
    if np.ptp(y) == 0 or np.median(np.diff(y) ** 2) == 0:
        return
    assert np.isclose(emergence_score(x, y), emergence_score(x, a * y + b), rtol=1e-6)


flat_then_jump = st.tuples(
    st.integers(4, 10),                      # models on the flat stretch (most steps zero)
    st.integers(1, 2),                       # models after the jump
    st.floats(-1e3, 1e3, allow_nan=False),   # the plateau's level
    st.floats(1e-6, 1e3),                    # the jump
    st.lists(st.floats(-1, 1), min_size=12, max_size=12),
)


@given(flat_then_jump)
def test_noise_on_a_flat_stretch_never_makes_an_infinite_score_finite(spec):
    n_flat, n_up, level, jump, noise = spec
    # a jump within float noise of the level (1e-9 of it) is no jump: the score calls it flat
    assume(jump > 1e3 * STEP_RTOL * abs(level))
    y = np.array([level] * n_flat + [level + jump * (k + 1) for k in range(n_up)])
    x = np.arange(1, len(y) + 1, dtype=float)
    assert emergence_score(x, y) == np.inf
    noisy = y.copy()
    noisy[:n_flat] += 1e-12 * jump * np.array(noise[:n_flat])
    assert emergence_score(x, noisy) == np.inf


@given(st.lists(st.integers(-1000, 1000), min_size=3, max_size=15),
       st.lists(st.floats(-1, 1), min_size=15, max_size=15), st.floats(1e-3, 1e3))
def test_noise_never_changes_a_clearly_finite_score(y, noise, unit):
    y = unit * np.asarray(y, dtype=float)
    x = np.arange(1, len(y) + 1, dtype=float)
    score = emergence_score(x, y)
    if not np.isfinite(score) or score == 0:
        return
    noisy = y + 1e-12 * np.ptp(y) * np.array(noise[:len(y)])
    assert np.isclose(emergence_score(x, noisy), score, rtol=1e-6)


def test_averaged_seeds_keep_an_infinite_score():
    # three seeds that agree, averaged: float noise of 1e-17 on the plateau
    seeds = np.array([[0.0, 0.0925925926, 0.0925925926, 0.0925925926]] * 3)
    seeds[:, 1:] += np.array([[1e-17], [-1e-17], [2e-17]])
    assert emergence_score([1, 2, 3, 4], seeds.mean(axis=0)) == np.inf
    assert emergence_score([1, 2, 3, 4], [0.0, 0.09259259259000001, 0.09259259259000001,
                                          0.09259259259]) == np.inf
    assert STEP_RTOL == 1e-9


def test_a_curve_flat_up_to_noise_scores_zero():
    assert emergence_score([1, 2, 3], [0.3, 0.3 + 1e-17, 0.3]) == 0.0


def test_lower_is_better_flips_sign():
    x, y = [1, 2, 3, 4], [4.0, 3.0, 1.5, 1.0]
    assert emergence_score(x, y) < 0
    assert emergence_score(x, y, higher_is_better=False) == -emergence_score(x, y)


def test_degenerate_cases():
    assert emergence_score([1, 2], [0.2, 0.7]) == 1.0          # a single step
    assert emergence_score([1, 2], [0.7, 0.2]) == -1.0
    assert emergence_score([1, 2, 3], [0.3, 0.3, 0.3]) == 0.0   # flat
    assert emergence_score([1, 2, 3, 4], [0, 0, 0, 1]) == np.inf  # flat, then a jump
    # ties for the maximum: the first occurrence counts
    assert emergence_score([1, 2, 3], [0.0, 1.0, 1.0]) > 0


def test_sharp_curve_scores_higher_than_even_one():
    x = np.logspace(8, 11, 7)
    even = np.linspace(0, 1, 7)
    sharp = np.array([0, 0.01, 0.01, 0.02, 0.03, 0.2, 1.0])
    assert emergence_score(x, sharp) > 5 * emergence_score(x, even)


@pytest.mark.parametrize(
    "x, y, message",
    [
        ([1, 3, 2], [0, 1, 2], "sorted in increasing order"),
        ([1, 2, 2], [0, 1, 2], "duplicated scale"),
        ([1, 2, 3], [0, np.nan, 2], "NaN"),
        ([1, 2, 3], [0, 1], "same length"),
        ([1], [0.5], "two or more"),
        ([], [], "empty"),
        ([0, 1, 2], [0, 1, 2], "positive"),
    ],
)
def test_bad_input_is_named(x, y, message):
    with pytest.raises(ValueError, match=message):
        emergence_score(x, y)


def test_share_of_gain_reads_where_a_curve_rises():
    from emergence.measure.score import share_of_gain

    x = [1, 10, 100, 1000, 10000]
    assert share_of_gain(x, [0, 0.01, 0.02, 0.2, 1], upto=3) == 0.02
    assert share_of_gain(x, [0, 0.5, 0.8, 0.9, 1], upto=3) == 0.8
    assert share_of_gain(x, [5, 4, 3, 2, 1], upto=5, higher_is_better=False) == 1.0
    assert np.isnan(share_of_gain(x, [1, 2, 3, 2, 1], upto=2))


@given(curves)
def test_share_of_gain_ends_at_zero_and_one(y):
    from emergence.measure.score import share_of_gain

    x = np.arange(1, len(y) + 1)
    if y[-1] == y[0]:
        return
    assert share_of_gain(x, y, 1) == 0 and np.isclose(share_of_gain(x, y, len(y)), 1)


@pytest.mark.parametrize("upto", [0, 6, 2.5, True])
def test_share_of_gain_rejects_bad_upto(upto):
    from emergence.measure.score import share_of_gain

    with pytest.raises(ValueError, match="upto must be a whole number from 1 to 5"):
        share_of_gain([1, 2, 3, 4, 5], [0, 1, 2, 3, 4], upto=upto)


def test_compare_metrics_table_and_errors():
    from emergence.measure.score import compare_metrics

    table = compare_metrics({"a": ([1, 2, 3, 4], [0, 0, 0, 1], True),
                             "b": ([1, 2, 3, 4], [4, 3, 2, 1], False)})
    assert table.loc["a", "emergence_score"] == np.inf and table.loc["a", "share_of_gain_at_middle"] == 0
    assert table.loc["b", "emergence_score"] == 3 and np.isclose(table.loc["b", "share_of_gain_at_middle"], 1 / 3)
    with pytest.raises(ValueError, match="empty"):
        compare_metrics({})
    with pytest.raises(ValueError, match=r"curves\['x'\] must be a tuple"):
        compare_metrics({"x": [1, 2]})

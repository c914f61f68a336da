"""Carries, answer lengths, difficulty groups and slice curves."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emergence.book.difficulty import (
    answer_length,
    count_carries,
    difficulty_groups,
    significant_declines,
    slice_curves,
)


def _carries_by_strings(a: int, b: int) -> int:
    """An independent oracle: schoolbook addition on the decimal strings."""
    sa, sb = str(a)[::-1], str(b)[::-1]
    carry = count = 0
    for i in range(max(len(sa), len(sb))):
        da = int(sa[i]) if i < len(sa) else 0
        db = int(sb[i]) if i < len(sb) else 0
        carry = int(da + db + carry >= 10)
        count += carry
    return count


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_carries_match_schoolbook_addition(a, b):
    assert count_carries([a], [b])[0] == _carries_by_strings(a, b)


def test_carries_of_the_addition_task():
    assert count_carries([1000, 9999, 5555], [1000, 9999, 4445]).tolist() == [0, 4, 4]
    assert count_carries([0], [0]).tolist() == [0]


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**12))
def test_answer_length(n):
    assert answer_length([n])[0] == len(str(n))


def test_bad_integers_are_rejected():
    with pytest.raises(ValueError, match="whole numbers"):
        count_carries([1.5], [2])
    with pytest.raises(ValueError, match=">= 0"):
        answer_length([-3])
    with pytest.raises(ValueError, match="b has"):
        count_carries([1, 2], [3])


def test_difficulty_groups_are_equal_and_ordered():
    rng = np.random.default_rng(0)
    scores = rng.random(103)
    groups = difficulty_groups(scores, n_groups=10)
    sizes = np.bincount(groups)
    assert sizes.max() - sizes.min() <= 1 and len(sizes) == 10
    means = [scores[groups == g].mean() for g in range(10)]
    assert np.all(np.diff(means) > 0)                     # 0 hardest ... 9 easiest
    flipped = difficulty_groups(scores, n_groups=10, higher_is_easier=False)
    flipped_means = [scores[flipped == g].mean() for g in range(10)]
    assert np.all(np.diff(flipped_means) < 0)             # a loss: low is easy
    with pytest.raises(ValueError, match="n_groups"):
        difficulty_groups([0.1, 0.2], n_groups=3)


def test_slice_curves_sum_up():
    rng = np.random.default_rng(1)
    correct = rng.random((3, 50)) < 0.4
    slices = rng.integers(0, 4, 50)
    table = slice_curves(correct, slices, [1e3, 1e4, 1e5], models=["a", "b", "c"])
    for params, rows in table.groupby("params"):
        parts = rows[rows["slice"] != "all"]
        total = rows[rows["slice"] == "all"].iloc[0]
        assert parts["n_items"].sum() == total["n_items"] == 50
        assert parts["n_correct"].sum() == total["n_correct"]
    assert table["model"].tolist()[:5] == ["a"] * 5
    with pytest.raises(ValueError, match="one label per problem"):
        slice_curves(correct, slices[:10], [1, 2, 3])
    with pytest.raises(ValueError, match='"all"'):
        slice_curves(correct, np.array(["all"] * 50), [1, 2, 3])


def test_significant_declines():
    # a fall of 30 points on 100 items is > 2 standard errors; 3 points is not
    table = significant_declines([1, 2, 3, 4], [50, 20, 17, 60], [100, 100, 100, 100])
    assert table[["from_scale", "to_scale"]].values.tolist() == [[1.0, 2.0]]
    assert table["z"].iloc[0] > 4
    assert significant_declines([1, 2], [10, 20], [100, 100]).empty
    with pytest.raises(ValueError, match="n_correct"):
        significant_declines([1, 2], [10, 200], [100, 100])
    with pytest.raises(ValueError, match="z must"):
        significant_declines([1, 2], [10, 20], [100, 100], z=0)

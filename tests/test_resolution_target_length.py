"""Tests of emergence.measure.resolution and emergence.model.target_length."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emergence.measure.resolution import accuracy_at_test_sizes, probability_all_wrong
from emergence.measure.metrics import exact_match, token_edit_distance
from emergence.model.target_length import length_curve, mirage_length_prediction, prefixes


def test_accuracy_at_test_sizes_uses_the_first_items():
    correct = np.r_[np.ones(10), np.zeros(90), np.ones(100)]
    table = accuracy_at_test_sizes(correct, [10, 100, 200])
    assert table["accuracy"].tolist() == [1.0, 0.1, 0.55]
    assert table["resolution"].tolist() == [0.1, 0.01, 0.005]


def test_bootstrap_interval_brackets_accuracy_and_shrinks_with_size():
    rng = np.random.default_rng(1)
    correct = rng.random(100_000) < 0.01
    table = accuracy_at_test_sizes(correct, [1_000, 100_000], seed=3)
    assert (table["boot_low"] <= table["accuracy"]).all()
    assert (table["accuracy"] <= table["boot_high"]).all()
    widths = table["boot_high"] - table["boot_low"]
    assert widths.iloc[1] < widths.iloc[0] / 5


def test_bootstrap_matches_resampling_the_items():
    # The binomial shortcut must agree with literally resampling the items.
    rng = np.random.default_rng(0)
    correct = (rng.random(500) < 0.2).astype(float)
    fast = accuracy_at_test_sizes(correct, [500], n_boot=20_000, seed=1)
    slow = rng.choice(correct, size=(20_000, 500)).mean(axis=1)
    assert fast["boot_low"].iloc[0] == pytest.approx(np.quantile(slow, 0.025), abs=0.005)
    assert fast["boot_high"].iloc[0] == pytest.approx(np.quantile(slow, 0.975), abs=0.005)


def test_zero_correct_gives_zero_interval():
    table = accuracy_at_test_sizes(np.zeros(100), [100])
    assert table[["accuracy", "boot_low", "boot_high"]].to_numpy().tolist() == [[0.0, 0.0, 0.0]]


@pytest.mark.parametrize("bad, sizes, word", [
    ([0, 2, 1], [2], "0/1"),
    ([0, 1, 1], [4], "exceed"),
    ([0, 1, 1], [0], "sizes"),
])
def test_accuracy_at_test_sizes_rejects_bad_input(bad, sizes, word):
    with pytest.raises(ValueError, match=word):
        accuracy_at_test_sizes(bad, sizes)


@given(st.floats(0, 1), st.integers(1, 10_000))
@settings(max_examples=50, deadline=None)
def test_probability_all_wrong_is_a_probability_and_falls_with_n(acc, n):
    p1 = float(probability_all_wrong(acc, n)[0])
    p2 = float(probability_all_wrong(acc, n + 1)[0])
    assert 0 <= p2 <= p1 <= 1


def test_probability_all_wrong_rejects_percentages():
    with pytest.raises(ValueError, match="accuracy"):
        probability_all_wrong(5, 100)


def test_length_curve_counts_prefix_errors():
    table = length_curve(["123", "199", "923"], ["123", "123", "123"], [1, 2, 3])
    assert table["accuracy"].tolist() == pytest.approx([2 / 3, 1 / 3, 1 / 3])
    assert table["token_edit_distance"].tolist() == pytest.approx([1 / 3, 2 / 3, 1])


def test_length_curve_rejects_short_targets():
    with pytest.raises(ValueError, match="at least that long"):
        length_curve(["12"], ["12"], [3])
    with pytest.raises(ValueError, match="same length"):
        length_curve(["12", "1"], ["12"], [1])
    with pytest.raises(ValueError, match="strings"):
        length_curve([12], [12], [1])


@given(st.floats(0, 1), st.integers(1, 8))
@settings(max_examples=50, deadline=None)
def test_prediction_is_geometric_and_linear(p, max_len):
    table = mirage_length_prediction(p, range(1, max_len + 1))
    assert table["accuracy"].to_numpy() == pytest.approx(p ** np.arange(1, max_len + 1))
    assert np.diff(table["token_edit_distance"]).tolist() == pytest.approx([1 - p] * (max_len - 1))


def test_prefixes_keeps_short_strings():
    assert prefixes(["1", "12345"], 3) == ["1", "123"]


digits = st.text(alphabet="0123456789", max_size=6)


@given(st.lists(st.tuples(digits, st.text(alphabet="0123456789", min_size=3, max_size=6)),
                min_size=1, max_size=20))
@settings(max_examples=50, deadline=None)
def test_length_curve_agrees_with_the_metrics(pairs):
    preds, refs = [p for p, _ in pairs], [t for _, t in pairs]
    table = length_curve(preds, refs, [1, 2, 3])
    for n, row in zip([1, 2, 3], table.itertuples()):
        p, t = prefixes(preds, n), prefixes(refs, n)
        assert row.accuracy == pytest.approx(exact_match(p, t).mean())
        assert row.token_edit_distance == pytest.approx(token_edit_distance(p, t).mean())

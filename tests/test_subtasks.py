"""Per-subtask aggregation, learning order and transition measures (emergence.measure.subtasks, .transitions)."""

import numpy as np
import pandas as pd
import pytest

from emergence.measure.subtasks import (LEARNED_NATS, frequency_weighted, learning_order,
                                order_vs_frequency, subtask_sharpness)
from emergence.measure.transitions import first_crossing, transition_span


def test_first_crossing_interpolates_in_log_scale():
    # halfway between 10 and 1000 on a log axis is 100
    assert first_crossing([10, 1000], [1.0, 0.0], 0.5) == pytest.approx(100)
    assert first_crossing([10, 1000], [0.0, 1.0], 0.5, direction="up") == pytest.approx(100)
    assert first_crossing([10, 100], [0.1, 0.0], 0.5) == 10  # already below at the start
    assert np.isnan(first_crossing([10, 100], [0.9, 0.8], 0.5))


def test_first_crossing_rejects_bad_input():
    with pytest.raises(ValueError, match="direction"):
        first_crossing([1, 2], [0, 1], 0.5, direction="sideways")
    with pytest.raises(ValueError, match="increasing"):
        first_crossing([2, 1], [0, 1], 0.5)
    with pytest.raises(ValueError, match="same length"):
        first_crossing([1, 2, 3], [0, 1], 0.5)


@pytest.mark.parametrize("alpha", [-0.3, -0.5, -1.0])
def test_span_of_a_power_law_matches_the_formula(alpha):
    x = np.logspace(0, 4, 401)
    y = x ** alpha
    total = y[-1] - y[0]
    # progress p is reached where x ** alpha = 1 + p * total
    for low, high in ((0.25, 0.75), (0.1, 0.9)):
        expected = np.log10((1 + high * total) ** (1 / alpha) / (1 + low * total) ** (1 / alpha))
        assert transition_span(x, y, low, high) == pytest.approx(expected, abs=0.01)


def test_span_is_the_same_for_any_monotone_metric_of_a_step():
    x = np.logspace(0, 4, 41)
    loss = np.where(x < 300, 0.69, 0.001)
    for metric in (loss, np.exp(-loss), -np.log(loss)):
        assert transition_span(x, metric) < 0.1


def test_span_of_a_flat_curve_is_undefined_and_bounds_are_checked():
    assert np.isnan(transition_span([1, 10, 100], [0.5, 0.5, 0.5]))
    with pytest.raises(ValueError, match="low < high"):
        transition_span([1, 10], [0, 1], low=0.9, high=0.1)


def _toy_table():
    steps = [10, 100, 1000, 10000]
    curves = {1: [0.69, 0.69, 0.01, 0.0], 2: [0.69, 0.69, 0.69, 0.02], 3: [0.69] * 4}
    freq = {1: 0.6, 2: 0.3, 3: 0.1}
    rows = [{"seed": 0, "step": s, "subtask": t, "frequency": freq[t], "cross_entropy": ce,
             "accuracy": 1.0 if ce < 0.1 else 0.5}
            for t, ces in curves.items() for s, ce in zip(steps, ces)]
    return pd.DataFrame(rows)


def test_frequency_weighted_is_the_mean_over_the_test_distribution():
    table = _toy_table()
    agg = frequency_weighted(table, ["seed", "step"])
    last = agg[agg["step"] == 10000].iloc[0]
    assert last["cross_entropy"] == pytest.approx(0.6 * 0 + 0.3 * 0.02 + 0.1 * 0.69)
    assert last["accuracy"] == pytest.approx(0.9 + 0.1 * 0.5)
    assert list(agg.columns) == ["seed", "step", "accuracy", "cross_entropy"]


def test_frequency_weighted_refuses_a_mixed_table():
    table = _toy_table()
    with pytest.raises(ValueError, match="sum to"):
        frequency_weighted(table, "seed")        # four checkpoints pooled in one group
    with pytest.raises(ValueError, match="missing column"):
        frequency_weighted(table.drop(columns="frequency"), ["seed", "step"])


def test_learning_order_and_its_relation_to_frequency():
    order = learning_order(_toy_table(), "step", by=["seed"])
    assert order["subtask"].tolist() == [1, 2, 3]
    learned = order.set_index("subtask")["learned_at"]
    assert 100 < learned[1] < 1000 and 1000 < learned[2] < 10000 and np.isnan(learned[3])
    summary = order_vs_frequency(order)
    assert summary["learned"] == 2 and np.isnan(summary["spearman"])  # too few to rank
    assert LEARNED_NATS == pytest.approx(0.0693, abs=1e-4)


def test_sharpness_of_a_real_step_is_the_same_under_both_metrics():
    sharp = subtask_sharpness(_toy_table(), "step").set_index("subtask")
    assert sharp.loc[1, "span_sharp"] == pytest.approx(sharp.loc[1, "span_smooth"], abs=0.05)
    assert sharp.loc[1, "span_smooth"] < 1
    assert np.isnan(sharp.loc[3, "span_smooth"]) and sharp.loc[3, "change_smooth"] == 0


def test_midpoint_lead_separates_a_metric_made_jump_from_a_real_one():
    from emergence.model.mirage import ILLUSTRATIVE, accuracy_from_loss, per_token_loss
    from emergence.measure.transitions import midpoint_lead, transition_midpoint

    n = np.logspace(7, 12, 41)
    loss = per_token_loss(n, **ILLUSTRATIVE)              # the mirage: a power-law loss
    assert midpoint_lead(n, loss, accuracy_from_loss(loss, 5)) > 2
    step = np.log(2) / (1 + np.exp(6 * (np.log10(n) - 9)))  # a loss that waits, then drops
    assert abs(midpoint_lead(n, step, np.exp(-step))) < 0.1     # both move within one grid step
    assert transition_midpoint(n, step) == pytest.approx(1e9, rel=0.05)
    # symmetric: swapping the curves flips the sign
    assert midpoint_lead(n, loss, accuracy_from_loss(loss, 5)) == pytest.approx(
        -midpoint_lead(n, accuracy_from_loss(loss, 5), loss))
    assert np.isnan(transition_midpoint([1, 10], [0.3, 0.3]))

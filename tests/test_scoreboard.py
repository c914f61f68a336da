"""The scoreboard pairs one sharp and one smooth metric per family, on the same models or checkpoints."""

import numpy as np
import pytest

from emergence.io.datasets import load
from emergence.measure.score import emergence_score, share_of_gain
from emergence.experiments.scoreboard import (PARAMETERS, REAL_JUMP_FAMILIES, SHARP, SMOOTH, STEP_FAMILIES,
                                  TRAINING_STEPS, metric_pairs, scoreboard, subtask_scoreboard)
from emergence.measure.subtasks import LEARNED_NATS, frequency_weighted


def test_each_family_has_one_sharp_and_one_smooth_curve_on_the_same_models():
    curves, kinds = metric_pairs()
    families = {family for family, _ in curves}
    assert {"arithmetic: addition", "arithmetic: multiplication", "vision: autoencoders",
            "vision: classifiers"} <= families
    for family in families:
        labels = [label for label in curves if label[0] == family]
        assert sorted(kinds[label] for label in labels) == [SHARP, SMOOTH]
        scales = [np.asarray(curves[label][0], dtype=float) for label in labels]
        assert np.array_equal(scales[0], scales[1])


def test_min_models_filters_open_families():
    loose, _ = metric_pairs(min_models=2)
    strict, _ = metric_pairs(min_models=8)
    assert len(strict) < len(loose)
    assert all(len(curves[0]) >= 8 for family, curves in strict.items() if family[0].startswith("IPA"))


def test_scoreboard_columns_and_ranges():
    board = scoreboard()
    assert list(board.columns) == ["kind", "axis", "models", "emergence_score", "share_of_gain_at_middle"]
    shares = board["share_of_gain_at_middle"].dropna()
    assert len(shares) > 0 and (shares > -0.5).all() and (shares < 1.5).all()


# --- the families of the chapter on real jumps -------------------------------------------


def test_real_jumps_are_added_only_when_asked():
    default, _ = metric_pairs()
    extended, kinds = metric_pairs(include_real_jumps=True)
    assert not {family for family, _ in default} & set(REAL_JUMP_FAMILIES)
    assert set(extended) - set(default) == {(f, m) for f, m in extended if f in REAL_JUMP_FAMILIES}
    for label in default:                       # the other families are untouched
        for a, b in zip(default[label][:2], extended[label][:2]):
            assert np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    for family in REAL_JUMP_FAMILIES:
        labels = [label for label in extended if label[0] == family]
        assert sorted(kinds[label] for label in labels) == [SHARP, SMOOTH]
        sharp = next(label for label in labels if kinds[label] == SHARP)
        smooth = next(label for label in labels if kinds[label] == SMOOTH)
        assert extended[sharp][2] is True and extended[smooth][2] is False   # accuracy up, loss down
        assert np.array_equal(np.asarray(extended[sharp][0]), np.asarray(extended[smooth][0]))
    with pytest.raises(ValueError, match="include_real_jumps"):
        metric_pairs(include_real_jumps="yes")


def test_sparse_parity_aggregate_is_the_frequency_weighted_mean_over_seeds():
    curves, _ = metric_pairs(include_real_jumps=True)
    scale = load("sparse_parity_scale")
    widest = scale["params"].max()
    per_seed = frequency_weighted(scale[scale["params"] == widest], ["seed", "params"])
    params, ce, _ = curves["sparse parity: aggregate", "cross-entropy"]
    assert len(params) == scale["width"].nunique() and np.asarray(params)[-1] == widest
    assert np.isclose(np.asarray(ce)[-1], per_seed["cross_entropy"].mean(), rtol=1e-12)
    steps, _, _ = curves["sparse parity: aggregate, along training", "accuracy"]
    assert np.array_equal(np.asarray(steps), np.sort(load("sparse_parity_steps")["step"].unique()))


def test_grokking_family_is_the_weight_decay_runs_along_training():
    curves, _ = metric_pairs(include_real_jumps=True)
    grok = load("grokking_curves")
    runs = grok[grok["weight_decay"] == 1.0]
    steps, acc, _ = curves["grokking: test set, along training", "test accuracy"]
    assert np.array_equal(np.asarray(steps), np.sort(runs["step"].unique()))
    last = runs[runs["step"] == runs["step"].max()]["test_accuracy"].mean()
    assert np.isclose(np.asarray(acc)[-1], last, rtol=1e-12)


def test_scoreboard_states_each_curves_axis():
    board = scoreboard(include_real_jumps=True)
    axis = board["axis"].groupby(level="family").first()
    assert set(axis[axis == TRAINING_STEPS].index) == set(STEP_FAMILIES)
    assert (axis.drop(list(STEP_FAMILIES)) == PARAMETERS).all()
    assert (scoreboard()["axis"] == PARAMETERS).all()


def test_subtask_scoreboard_scores_every_learned_subtask_like_the_scoreboard():
    for axis, name, scale in ((PARAMETERS, "sparse_parity_scale", "params"),
                              (TRAINING_STEPS, "sparse_parity_steps", "step")):
        parts = subtask_scoreboard(axis)
        assert list(parts.columns) == ["kind", "axis", "models", "emergence_score",
                                       "share_of_gain_at_middle"]
        assert (parts["axis"] == axis).all()
        table = load(name)
        last = table[table[scale] == table[scale].max()].set_index(["seed", "subtask"])["cross_entropy"]
        learned = set(last[last < LEARNED_NATS].index)
        assert set(parts.index.droplevel("metric")) == learned and len(parts) == 2 * len(learned)
        seed, subtask = sorted(learned)[len(learned) // 2]
        curve = table[(table["seed"] == seed) & (table["subtask"] == subtask)].sort_values(scale)
        row = parts.loc[(seed, subtask, "cross-entropy")]
        assert row["kind"] == SMOOTH and row["models"] == len(curve)
        assert row["emergence_score"] == emergence_score(curve[scale], curve["cross_entropy"],
                                                         higher_is_better=False)
        assert row["share_of_gain_at_middle"] == share_of_gain(curve[scale], curve["cross_entropy"],
                                                               len(curve) // 2, higher_is_better=False)
    with pytest.raises(ValueError, match="axis"):
        subtask_scoreboard("steps")

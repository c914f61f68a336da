"""The cached grokking curves are what the documented command produces.

Exact checks cover the split, the parameter count and which runs and
checkpoints the cache holds. Training is compared within tolerances justified
by the seed-to-seed spread: full-batch AdamW on a model this small can turn a
last-bit difference in a BLAS sum into a visibly different run.
"""

import io

import numpy as np
import pandas as pd
import pytest

from emergence.io.datasets import load
from emergence.experiments import grokking as experiment

#: The cheapest slice: each setting's seed 0, retrained up to this step (a few seconds).
SLICE_STEPS = 1005
METRICS = ["train_accuracy", "train_cross_entropy", "test_accuracy", "test_cross_entropy"]


def test_split_is_fixed_disjoint_and_complete():
    train, test, y_train, y_test = experiment.split()
    p = experiment.MODULUS
    assert len(train) == round(experiment.TRAIN_FRACTION * p * p) and len(train) + len(test) == p * p
    pairs = {tuple(x) for x in train} | {tuple(x) for x in test}
    assert len(pairs) == p * p                                          # disjoint and complete
    np.testing.assert_array_equal(y_test, test.sum(axis=1) % p)
    again = experiment.split()
    np.testing.assert_array_equal(train, again[0])                      # deterministic
    # every answer occurs in the training set, so the test set asks nothing unseen as a label
    assert set(y_train) == set(range(p))


def test_parameter_count_is_exact():
    model = experiment._Model(experiment.MODULUS, experiment.WIDTH, 0)
    assert sum(q.size for q in model.params) == experiment.model_params()


def test_cache_covers_every_run_and_checkpoint():
    curves = load("grokking_curves")
    keys = set(zip(curves["weight_decay"], curves["seed"], curves["step"]))
    assert keys == {(wd, s, c) for wd in experiment.WEIGHT_DECAYS for s in experiment.SEEDS
                    for c in experiment.CHECKPOINTS}
    first = curves[curves["step"] == 1]
    # one step from initialisation: about chance, ln 41 = 3.71 nats
    assert first["test_cross_entropy"].between(3.6, 3.85).all()
    assert (first["test_accuracy"] < 0.1).all()


def test_retrained_slice_lands_within_the_seed_to_seed_spread():
    """Retrain seed 0 of each setting to step 1,005 and compare every checkpoint.

    The slice covers the fit of the training set and the start of the test
    curves' turn. Tolerance at each checkpoint: the spread of the cached seeds
    there (largest minus smallest) plus a floor, 0.02 for accuracies and 5% for
    cross-entropies.
    """
    cached = load("grokking_curves")
    cached = cached[cached["step"] <= SLICE_STEPS]
    for weight_decay in experiment.WEIGHT_DECAYS:
        fresh = pd.read_csv(io.StringIO(experiment.to_cache_csv(
            experiment.train_run(weight_decay, 0, steps=SLICE_STEPS))))
        runs = cached[cached["weight_decay"] == weight_decay]
        spread = runs.groupby("step")[METRICS].agg(lambda v: v.max() - v.min())
        seed0 = runs[runs["seed"] == 0].set_index("step")
        fresh = fresh.set_index("step")
        assert list(fresh.index) == list(seed0.index)
        for column in METRICS:
            floor = 0.02 if column.endswith("accuracy") else 0.05 * seed0[column]
            tolerance = spread[column] + floor
            gap = (fresh[column] - seed0[column]).abs()
            assert (gap <= tolerance).all(), (
                f"weight decay {weight_decay}, {column}: worst gap {gap.max():.4f} at step "
                f"{gap.idxmax()}")


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError, match="weight_decay"):
        experiment.train_run(-1.0, 0, steps=1)
    with pytest.raises(ValueError, match="steps"):
        experiment.train_run(1.0, 0, steps=0)
    with pytest.raises(ValueError, match="train_fraction"):
        experiment.split(train_fraction=1.5)

"""The cached vision results are what the documented command produces.

Retrains the two smallest models of each family (one seed) and compares them
with ``data/vision_*.csv``. What is exact on every machine is checked exactly:
the split, the test images, the parameter counts. The trained weights are
not: L-BFGS on tiny tanh networks turns last-bit differences between BLAS
kernels (one CPU's vector width against another's) into different local
optima, so on another machine a retrained classifier can predict some images
differently. The per-model numbers the chapter uses (mean squared error,
per-image accuracy) are therefore compared within a tolerance taken from the
cache itself: twice the spread of that number across the cached seeds at the
same width, plus one image's worth (1/600) for accuracy and 0.1% for the
error. A retrained model that lands further from the cache than the seeds
land from each other is a real change, not noise.
"""

import io
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from emergence.io.datasets import load
from emergence.experiments import vision as experiment
from emergence.measure.vision import autoencoder_params, classifier_params

SLICE = {"widths": experiment.WIDTHS[:2], "seeds": experiment.SEEDS[:1]}
KEYS = ["width", "seed", "image"]
#: the per-model number each family's chapter uses, and its floor tolerance
SUMMARY = {"vision_autoencoders": ("squared_error", "relative", 1e-3),
           "vision_classifiers": ("correct", "absolute", 1 / experiment.TEST_SIZE)}


def _as_cached(table: pd.DataFrame) -> pd.DataFrame:
    """Round-trip through the cache's CSV format, as ``main`` writes it."""
    return pd.read_csv(io.StringIO(experiment.to_cache_csv(table)))


@pytest.fixture(scope="module", params=[("vision_autoencoders", experiment.train_autoencoders),
                                        ("vision_classifiers", experiment.train_classifiers)],
                ids=["autoencoders", "classifiers"])
def retrained(request):
    name, train = request.param
    return name, _as_cached(train(**SLICE)).sort_values(KEYS).reset_index(drop=True), load(name)


def test_regenerated_slice_has_the_exact_layout(retrained):
    name, fresh, cached = retrained
    assert list(fresh.columns) == list(cached.columns)
    assert len(fresh) == len(SLICE["widths"]) * experiment.TEST_SIZE
    for width, rows in fresh.groupby("width"):
        old = cached[(cached["width"] == width) & (cached["seed"] == SLICE["seeds"][0])]
        np.testing.assert_array_equal(rows["image"].to_numpy(), np.sort(old["image"].to_numpy()))
        assert rows["params"].unique().tolist() == old["params"].unique().tolist()
        if "label" in rows:
            np.testing.assert_array_equal(rows["label"].to_numpy(), old.sort_values("image")["label"].to_numpy())


def test_regenerated_models_score_as_cached_within_the_seed_spread(retrained):
    name, fresh, cached = retrained
    column, kind, floor = SUMMARY[name]
    per_model = cached.groupby(["width", "seed"])[column].mean()
    for width in SLICE["widths"]:
        seeds = per_model.loc[width]
        spread = float(seeds.max() - seeds.min())
        expected = float(seeds.loc[SLICE["seeds"][0]])
        got = float(fresh.loc[fresh["width"] == width, column].mean())
        tol = 2 * spread + (floor * abs(expected) if kind == "relative" else floor)
        assert abs(got - expected) <= tol, (
            f"{name}, width {width}: {column} {got:.4f} against {expected:.4f} cached "
            f"(tolerance {tol:.4f}, twice the seed spread {spread:.4f} plus a floor)")


def test_regenerated_classifiers_agree_with_the_cache_as_often_as_two_seeds_do(retrained):
    name, fresh, cached = retrained
    if name != "vision_classifiers":
        pytest.skip("per-image predictions are the classifiers'")
    for width in SLICE["widths"]:
        by_seed = {seed: rows.sort_values("image")["predicted"].to_numpy()
                   for seed, rows in cached[cached["width"] == width].groupby("seed")}
        seed_agreement = min(float(np.mean(by_seed[s] == by_seed[t]))
                             for s, t in combinations(sorted(by_seed), 2))
        mine = fresh.loc[fresh["width"] == width, "predicted"].to_numpy()
        agreement = float(np.mean(mine == by_seed[SLICE["seeds"][0]]))
        assert agreement >= seed_agreement - 1 / experiment.TEST_SIZE, (width, agreement, seed_agreement)


def test_cache_covers_the_whole_family():
    for name in ("vision_autoencoders", "vision_classifiers"):
        table = load(name)
        sizes = table.groupby(["width", "seed"]).size()
        assert set(sizes.index) == {(w, s) for w in experiment.WIDTHS for s in experiment.SEEDS}
        assert (sizes == experiment.TEST_SIZE).all()
        # every model is scored on the same test images
        images = table.groupby(["width", "seed"])["image"].apply(frozenset)
        assert images.nunique() == 1


def test_params_match_the_formulas():
    ae = load("vision_autoencoders").groupby("width")["params"].unique()
    cl = load("vision_classifiers").groupby("width")["params"].unique()
    for width in experiment.WIDTHS:
        assert list(ae[width]) == [autoencoder_params(64, width)]
        assert list(cl[width]) == [classifier_params(64, width, 10)]


def test_classifier_rows_are_consistent():
    table = load("vision_classifiers")
    assert (table["correct"] == (table["label"] == table["predicted"])).all()
    # the predicted class is the most probable one, so a right answer has the largest probability
    assert (table.loc[table["correct"], "prob_label"] >= 0.1 - 1e-6).all()


def test_split_is_stratified_and_disjoint():
    x_train, x_test, y_train, y_test, test_index = experiment.load_split()
    assert len(set(test_index)) == experiment.TEST_SIZE
    counts = np.bincount(y_test, minlength=10)
    assert counts.min() >= 55 and counts.max() <= 65
    assert set(load("vision_classifiers")["image"]) == set(test_index)


def test_bad_family_is_rejected():
    with pytest.raises(ValueError, match="widths"):
        experiment.train_autoencoders(widths=(0,), seeds=(0,))
    with pytest.raises(ValueError, match="seeds"):
        experiment.train_classifiers(widths=(1,), seeds=())

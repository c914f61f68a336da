"""Tests of the vision chapter's metrics: Reconstruction_c and subset accuracy."""

import itertools
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emergence.measure.vision import (
    autoencoder_params,
    classifier_params,
    per_image_squared_error,
    reconstruction_c,
    subset_accuracy,
)

bools = st.lists(st.booleans(), min_size=1, max_size=40)
errors = st.lists(st.floats(0, 50, allow_nan=False), min_size=1, max_size=40)


def test_squared_error_sums_over_pixels():
    x = np.array([[0.0, 1.0, 0.5], [1.0, 1.0, 1.0]])
    r = np.array([[0.5, 1.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(per_image_squared_error(x, r), [0.5, 3.0])


def test_squared_error_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="reconstructions has shape"):
        per_image_squared_error(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="images must be 2-dimensional"):
        per_image_squared_error(np.zeros(3), np.zeros(3))


def test_reconstruction_c_is_strictly_below():
    assert reconstruction_c([1.0, 2.0], c=1.0) == 0.0
    assert reconstruction_c([1.0, 2.0], c=1.0 + 1e-12) == 0.5


@given(errors, st.floats(1e-6, 100), st.floats(1e-6, 100))
def test_reconstruction_c_is_a_monotone_fraction(e, c1, c2):
    lo, hi = sorted((c1, c2))
    a, b = reconstruction_c(e, lo), reconstruction_c(e, hi)
    assert 0.0 <= a <= b <= 1.0
    assert a * len(e) == pytest.approx(round(a * len(e)))


@pytest.mark.parametrize("bad, match", [
    ([-0.1, 1.0], "squared_errors must be >= 0"),
    ([], "squared_errors is empty"),
    ([np.nan], "NaN"),
])
def test_reconstruction_c_rejects_bad_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        reconstruction_c(bad, c=1.0)


@pytest.mark.parametrize("c", [0, -1, [1.0, 2.0], "one", np.inf])
def test_reconstruction_c_rejects_bad_thresholds(c):
    with pytest.raises(ValueError, match="c "):
        reconstruction_c([1.0], c=c)


@given(bools, st.integers(1, 5))
@settings(max_examples=60)
def test_all_subsets_is_the_mean_over_every_subset(correct, k):
    if k > len(correct):
        return
    brute = np.mean([all(group) for group in itertools.combinations(correct, k)])
    assert subset_accuracy(correct, k) == pytest.approx(brute)
    m, n = sum(correct), len(correct)
    assert subset_accuracy(correct, k) == pytest.approx(comb(m, k) / comb(n, k))


@given(bools, st.integers(1, 10))
def test_subset_accuracy_properties(correct, k):
    if k > len(correct):
        return
    p = np.mean(correct)
    subsets = subset_accuracy(correct, k)
    independent = subset_accuracy(correct, k, method="independent")
    disjoint = subset_accuracy(correct, k, method="disjoint")
    assert 0.0 <= subsets <= independent + 1e-12 <= 1.0 + 1e-12
    assert 0.0 <= disjoint <= 1.0
    assert independent == pytest.approx(p ** k)
    if k > 1:
        assert subsets <= subset_accuracy(correct, k - 1)
    for method in ("all_subsets", "independent", "disjoint"):
        assert subset_accuracy(correct, 1, method=method) == pytest.approx(p)


def test_subset_accuracy_large_test_set_stays_finite():
    correct = np.r_[np.ones(5000, bool), np.zeros(5000, bool)]
    value = subset_accuracy(correct, 200)
    assert 0 < value < 0.5 ** 200


def test_disjoint_groups_follow_the_order():
    assert subset_accuracy([1, 1, 0, 0], k=2, method="disjoint") == 0.5
    assert subset_accuracy([1, 0, 1, 0], k=2, method="disjoint") == 0.0
    assert subset_accuracy([1, 1, 1, 1, 0], k=2, method="disjoint") == 1.0  # leftover dropped


@pytest.mark.parametrize("kwargs, match", [
    ({"correct": [0.5, 1.0], "k": 1}, "True/False"),
    ({"correct": [True], "k": 2}, "larger than the number of images"),
    ({"correct": [True], "k": 0}, "k must be a whole number"),
    ({"correct": [True], "k": 1.5}, "k must be a whole number"),
    ({"correct": [True], "k": 1, "method": "pairs"}, "method must be one of"),
])
def test_subset_accuracy_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        subset_accuracy(**kwargs)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_parameter_counts_match_scikit_learn():
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    rng = np.random.default_rng(0)
    x = rng.random((30, 6))
    y = np.arange(30) % 3
    for width in (1, 4):
        ae = MLPRegressor(hidden_layer_sizes=(width,), max_iter=5, random_state=0).fit(x, x)
        cl = MLPClassifier(hidden_layer_sizes=(width,), max_iter=5, random_state=0).fit(x, y)
        count = lambda m: sum(w.size for w in m.coefs_) + sum(b.size for b in m.intercepts_)
        assert count(ae) == autoencoder_params(6, width)
        assert count(cl) == classifier_params(6, width, 3)
    with pytest.raises(ValueError, match="n_classes must be >= 3"):
        classifier_params(6, 1, 2)


def test_curves_average_the_seeds_of_each_width():
    import pandas as pd

    from emergence.measure.vision import reconstruction_curves, subset_accuracy_curves

    ae = pd.DataFrame({"width": [2, 2, 2, 2, 1, 1], "seed": [0, 0, 1, 1, 0, 0],
                       "params": [9, 9, 9, 9, 5, 5],
                       "squared_error": [0.1, 0.3, 0.1, 2.0, 3.0, 4.0]})
    curves = reconstruction_curves(ae, cs=[0.5])
    assert list(curves.index) == [1, 2]  # sorted by size
    assert curves.loc[2, "c=0.5"] == pytest.approx((1.0 + 0.5) / 2)
    assert curves.loc[2, "mean_squared_error"] == pytest.approx((0.2 + 1.05) / 2)
    cl = ae.drop(columns="squared_error").assign(correct=[1, 1, 1, 0, 0, 1])
    acc = subset_accuracy_curves(cl, ks=[1, 2], method="independent")
    assert acc.loc[2, "K=2"] == pytest.approx((1.0 + 0.25) / 2)
    with pytest.raises(ValueError, match="lacks column"):
        subset_accuracy_curves(ae, ks=[1])
    with pytest.raises(ValueError, match="ks is empty"):
        subset_accuracy_curves(cl, ks=[])
    with pytest.raises(ValueError, match="two different parameter counts"):
        reconstruction_curves(ae.assign(params=[9, 9, 10, 10, 5, 5]))


@given(bools, st.integers(0, 2))
@settings(max_examples=40)
def test_curves_agree_with_subset_accuracy(correct, which):
    import pandas as pd

    from emergence.measure.vision import SUBSET_METHODS, subset_accuracy_curves

    method = SUBSET_METHODS[which]
    table = pd.DataFrame({"width": 1, "seed": 0, "params": 5, "correct": correct})
    ks = range(1, len(correct) + 1)
    curves = subset_accuracy_curves(table, ks=ks, method=method)
    for k in ks:
        assert curves.loc[1, f"K={k}"] == pytest.approx(subset_accuracy(correct, k, method=method))


def test_vision_exercise_checks_accept_right_and_reject_wrong_answers():
    from math import comb

    from emergence.io.datasets import load
    from emergence.book.exercises import check
    from emergence.measure.score import emergence_score

    ae = load("vision_autoencoders")
    below = lambda c: ae.assign(ok=ae["squared_error"] < c).groupby(["width", "seed"])["ok"].mean()
    r05 = below(0.5).loc[16].mean()
    assert check("vision-1", r05) and not check("vision-1", r05 + 0.05)

    assert check("vision-2", comb(540, 5) / comb(600, 5))
    assert not check("vision-2", 0.9 ** 5)

    r025 = below(0.25).groupby("width").mean()
    first = int(r025[r025 > 0.5].index.min())
    assert check("vision-3", first)
    assert not check("vision-3", max(r025.index)) and not check("vision-3", min(r025.index))

    cl = load("vision_classifiers")
    counts = cl.groupby(["width", "seed"]).agg(m=("correct", "sum"), n=("correct", "size"),
                                              params=("params", "first"))
    params = counts.groupby("width")["params"].first().to_numpy()

    def curve(k):
        per_model = counts.apply(lambda r: comb(int(r.m), k) / comb(int(r.n), k), axis=1)
        return per_model.groupby("width").mean().to_numpy()

    base = emergence_score(params, curve(1))
    k_star = next(k for k in range(2, 201) if emergence_score(params, curve(k)) > base)
    assert check("vision-4", k_star)
    assert not check("vision-4", k_star - 1) and not check("vision-4", k_star + 1)

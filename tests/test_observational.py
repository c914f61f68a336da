"""Observational scaling laws: PCA imputation, principal capabilities, the sigmoid fit, the split."""

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from emergence.forecast.backtest import fit_logistic
from emergence.io.datasets import load
from emergence.forecast.observational import (BENCHMARKS, LLAMA2_7B_FLOPS, compare_predictors,
                                     fit_principal_capabilities, fit_sigmoid, held_out_errors)


def low_rank_scores(n=40, seed=0):
    rng = np.random.default_rng(seed)
    ability = rng.uniform(0, 1, n)
    weights = np.array([0.5, 0.7, 0.3, 0.6])
    return ability, np.clip(0.2 + np.outer(ability, weights) + rng.normal(0, 0.005, (n, 4)), 0, 1)


def test_one_capability_is_recovered_with_a_positive_sign():
    ability, scores = low_rank_scores()
    pc = fit_principal_capabilities(scores, benchmarks=tuple("abcd"), n_components=2)
    assert pc.explained_variance_ratio[0] > 0.99
    s = pc.transform(scores)[:, 0]
    assert np.corrcoef(s, ability)[0, 1] > 0.999        # sign chosen so PC-1 rises with ability
    assert (pc.loadings.loc["PC-1"] > 0).all()


def test_imputation_fills_a_missing_score_from_the_others():
    ability, scores = low_rank_scores()
    holed = scores.copy()
    holed[3, 1] = np.nan
    pc = fit_principal_capabilities(holed, benchmarks=tuple("abcd"), n_components=1)
    filled = pc.impute(holed)
    assert not np.isnan(filled).any()
    assert abs(filled[3, 1] - scores[3, 1]) < 0.02      # the low-rank structure predicts it
    assert np.array_equal(filled[~np.isnan(holed)], holed[~np.isnan(holed)])


def test_held_out_rows_are_imputed_with_the_fitted_components_only():
    _, scores = low_rank_scores()
    pc = fit_principal_capabilities(scores[:30], benchmarks=tuple("abcd"))
    new = scores[30:].copy()
    new[:, 0] = np.nan
    before = pc.pca.components_.copy()
    out = pc.transform(new)
    assert out.shape == (10, 3) and np.array_equal(before, pc.pca.components_)


def test_sigmoid_fit_recovers_its_parameters_with_several_features():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (60, 3))
    y = 0.9 * expit(x @ [1.5, -0.5, 0.25] - 0.3)
    fit = fit_sigmoid(x, y)
    assert np.allclose(fit.weights, [1.5, -0.5, 0.25], atol=1e-4)
    assert np.isclose(fit.bias, -0.3, atol=1e-4) and np.isclose(fit.ceiling, 0.9, atol=1e-5)
    assert fit.mse < 1e-10


def test_sigmoid_ceiling_stays_in_its_bounds():
    x = np.linspace(-3, 3, 20)
    fit = fit_sigmoid(x, 0.5 * expit(2 * x))           # a ceiling of 0.5 is not allowed
    assert fit.ceiling == pytest.approx(0.8)
    fixed = fit_sigmoid(x, expit(2 * x), ceiling=1.0)
    assert fixed.ceiling == 1.0 and np.isclose(fixed.weights[0], 2.0, atol=1e-5)


def test_with_a_ceiling_of_one_it_agrees_with_the_backtest_logistic():
    # one idea, two fitters: for one feature, log10 of a scale, and h = 1 the sigmoid is the
    # backtest's logistic with floor 0 and ceiling 1
    x = np.logspace(8, 11, 7)
    y = np.array([0.02, 0.05, 0.09, 0.3, 0.55, 0.8, 0.9])
    ours = fit_sigmoid(np.log10(x), y, ceiling=1.0)
    theirs = fit_logistic(x, y)
    assert np.allclose(ours.predict(np.log10(x)), theirs.predict(x), atol=2e-4)


def test_a_flat_then_jumping_curve_gets_a_finite_fit():
    x = np.arange(10.0)
    y = np.r_[np.zeros(8), 0.9, 0.9]
    fit = fit_sigmoid(x, y)
    assert np.all(np.isfinite(fit.weights)) and fit.mse < 1e-3


def test_compare_predictors_splits_at_the_cutoff_and_never_uses_held_out_models():
    bench = load("obsscaling_benchmarks")
    e = load("obsscaling_emergent").query("task == 'word_unscrambling'").set_index("model")
    y = e["score"] / e["score_max"]
    out = compare_predictors(bench, y)
    fit = out["split"] == "fit"
    assert (out.loc[fit, "train_flops"] <= LLAMA2_7B_FLOPS).all()
    assert (out.loc[~fit, "train_flops"] > LLAMA2_7B_FLOPS).all()
    assert out["train_flops"].notna().all()
    # changing a held-out model's scores changes nothing in the fit
    changed = bench.copy()
    held = out.loc[~fit, "model"].iloc[0]
    changed.loc[changed["model"] == held, list(BENCHMARKS)] = 0.5
    again = compare_predictors(changed, y)
    assert np.allclose(again.attrs["fits"]["principal capabilities"].weights,
                       out.attrs["fits"]["principal capabilities"].weights)
    errors = held_out_errors(out)
    assert set(errors.index) == {"principal capabilities", "log FLOPs"}
    assert errors["n_fit"].iloc[0] == fit.sum() and errors["n_held_out"].iloc[0] == (~fit).sum()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: fit_sigmoid([1, 2, 3], [0.1, 0.2]), "3 rows but y has 2"),
        (lambda: fit_sigmoid([1, 2, 3, 4], [0.1, 20, 0.3, 0.4]), "fractions in"),
        (lambda: fit_sigmoid([1, 1, 1, 1], [0.1, 0.2, 0.3, 0.4]), "same value"),
        (lambda: fit_sigmoid([1, 2, 3, 4], [0.1, 0.2, 0.3, 0.4], ceiling=(0.9, 0.8)), "ceiling"),
        (lambda: fit_principal_capabilities(np.full((5, 2), 0.5), benchmarks=("a",)), "one column"),
        (lambda: fit_principal_capabilities(np.c_[np.full(5, np.nan), np.ones(5) * 0.3],
                                            benchmarks=("a", "b"), n_components=1), "no score"),
        (lambda: fit_principal_capabilities(np.full((5, 2), 50.0), benchmarks=("a", "b"),
                                            n_components=1), "percentages"),
        (lambda: compare_predictors(load("obsscaling_benchmarks"), pd.Series(dtype=float),
                                    predictors=("tokens",)), "predictors must be"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()

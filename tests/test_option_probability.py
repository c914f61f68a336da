"""The chain of multiple-choice scores and their per-problem correlations with scale."""

import numpy as np
import pandas as pd
import pytest

from emergence.io.datasets import load
from emergence.measure.option_probability import (
    score_multiple_choice,
    SCORES,
    correlation_summary,
    option_scores,
    score_scale_correlations,
)


def _table(probs, correct, params=(10,)):
    rows = []
    for m, par in enumerate(params):
        for i, (row, c) in enumerate(zip(probs[m], correct)):
            for j, p in enumerate(row):
                rows.append({"model": f"m{par}", "params": par, "problem_id": i, "option": j,
                             "log_prob": np.log(p), "is_correct": j == c})
    return pd.DataFrame(rows)


def test_chain_of_scores_by_hand():
    table = _table([[[0.2, 0.1, 0.1], [0.01, 0.02, 0.01]]], correct=[0, 1])
    s = option_scores(table)
    assert s["prob_vocab_correct"].tolist() == pytest.approx([0.2, 0.02])
    assert s["prob_choices_correct"].tolist() == pytest.approx([0.5, 0.5])
    assert s["accuracy"].tolist() == [1.0, 1.0]
    assert s["prob_vocab_wrong"].tolist() == pytest.approx([0.2, 0.02])
    assert s["prob_outside"].tolist() == pytest.approx([0.6, 0.96])
    assert s["log_prob_vocab_correct"].tolist() == pytest.approx(np.log([0.2, 0.02]))


def test_renormalisation_survives_underflow():
    table = _table([[[1e-300, 1e-310, 1e-320]]], correct=[0])
    table["log_prob"] = [-700.0, -710.0, -720.0]
    s = option_scores(table)
    assert s["prob_choices_correct"].iloc[0] == pytest.approx(1 / (1 + np.exp(-10) + np.exp(-20)))


def test_agrees_with_the_bigbench_scorer_on_the_cached_variant():
    options = load("arithmetic_multiple_choice")
    s = option_scores(options)
    means = s.groupby("params")[["accuracy", "brier_score"]].mean()
    reference = score_multiple_choice(options).set_index("params")
    assert np.allclose(means["accuracy"], reference["multiple_choice_grade"])
    assert np.allclose(means["brier_score"], reference["brier_score"])
    assert len(s) == 10 * 1000
    assert (s["prob_vocab_wrong"] >= 0).all() and (s["prob_outside"] >= 0).all()


def test_correlations_by_hand():
    s = pd.DataFrame({"params": [1, 10, 100, 1000] * 2, "problem_id": [0] * 4 + [1] * 4,
                      "accuracy": [0, 1, 0, 1, 1, 1, 1, 1.0],
                      "brier_score": [0.4, 0.3, 0.2, 0.1, 0.1, 0.2, 0.3, 0.4]})
    c = score_scale_correlations(s, ["accuracy", "brier_score"], method="pearson")
    acc = c[c["score"] == "accuracy"]["correlation"].to_numpy()
    x = np.log([1, 10, 100, 1000])
    assert acc[0] == pytest.approx(np.corrcoef(x, [0, 1, 0, 1])[0, 1])
    assert np.isnan(acc[1])
    brier = c[c["score"] == "brier_score"]["correlation"].tolist()
    assert brier == pytest.approx([-1.0, 1.0])
    summary = correlation_summary(c)
    # Brier is lower-is-better: its sign is flipped so that 1 means "improves with scale"
    assert summary.loc["brier_score", "mean"] == pytest.approx(0.0)
    assert summary.loc["accuracy", "undefined"] == 1


@pytest.mark.parametrize("method", ["spearman", "kendall", "pearson"])
def test_methods_agree_with_scipy(method):
    from scipy import stats

    rng = np.random.default_rng(0)
    params = np.array([3, 30, 300, 3000, 30000])
    values = rng.random(30)
    values[:10] = np.round(values[:10])          # ties, as a 0/1 accuracy has
    s = pd.DataFrame({"params": np.repeat(params, 6), "problem_id": np.tile(np.arange(6), 5),
                      "prob_vocab_correct": values})
    c = score_scale_correlations(s, ["prob_vocab_correct"], method=method)
    wide = s.pivot(index="params", columns="problem_id", values="prob_vocab_correct")
    fn = {"spearman": stats.spearmanr, "kendall": stats.kendalltau, "pearson": stats.pearsonr}[method]
    expected = [fn(np.log(params), wide[i]).statistic if wide[i].nunique() > 1 else np.nan
                for i in range(6)]
    assert c["correlation"].to_numpy() == pytest.approx(np.array(expected), nan_ok=True)


def test_monotone_transforms_share_rank_correlations():
    s = option_scores(load("arithmetic_multiple_choice"))
    ranked = score_scale_correlations(s, ["log_prob_vocab_correct", "prob_vocab_correct"])
    a, b = (g["correlation"].to_numpy() for _, g in ranked.groupby("score"))
    assert np.allclose(a, b, equal_nan=True)
    assert set(correlation_summary(score_scale_correlations(s)).index) == set(SCORES)


def test_bad_tables_are_rejected():
    with pytest.raises(ValueError, match="lacks column"):
        option_scores(pd.DataFrame({"model": ["m"]}))
    table = _table([[[0.5, 0.5]]], correct=[0])
    table.loc[0, "log_prob"] = 0.3
    with pytest.raises(ValueError, match="log_prob"):
        option_scores(table)
    table = _table([[[0.5, 0.5]]], correct=[0])
    table["is_correct"] = True
    with pytest.raises(ValueError, match="exactly one correct"):
        option_scores(table)
    with pytest.raises(ValueError, match="method"):
        score_scale_correlations(pd.DataFrame(), method="tau")
    with pytest.raises(ValueError, match="lacks column"):
        score_scale_correlations(pd.DataFrame({"params": [1]}), ["accuracy"])

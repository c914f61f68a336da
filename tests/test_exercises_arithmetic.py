"""The arithmetic chapter's exercise checks accept the right answers and reject wrong ones."""

import pytest

from emergence.io.datasets import load
from emergence.book.exercises import registry
from emergence.model.mirage import implied_per_token_probability
from emergence.measure.resolution import probability_all_wrong
from emergence.measure.scaling import fit_power_law


def _right_answers():
    summary = load("arithmetic_summary")
    mult = summary[summary["task"] == "multiplication"].sort_values("params")
    fit = fit_power_law(mult["params"].iloc[:5], mult["per_token_loss"].iloc[:5])
    add = summary[summary["task"] == "addition"].sort_values("params")
    return {
        "arithmetic-1": float(fit.predict([mult["params"].iloc[-1]])[0]),
        "arithmetic-2": float(probability_all_wrong(add["accuracy"].iloc[0], 100)[0]),
        # GPT-3 175B, few-shot 4-digit addition: 25.5% (Brown et al. 2020, Table 3.9), typed
        # here independently of data/ so that the checker and the table are checked together
        "arithmetic-3": float(implied_per_token_probability([0.255], 5)[0]),
    }


@pytest.mark.parametrize("qid", ["arithmetic-1", "arithmetic-2", "arithmetic-3"])
def test_checker_accepts_right_and_rejects_wrong(qid):
    checker = registry()[qid]
    right = _right_answers()[qid]
    assert checker(right)[0]
    assert not checker(right * 1.5)[0]
    assert not checker("not a number")[0]


def test_checker_answers_make_sense():
    answers = _right_answers()
    assert answers["arithmetic-1"] > load("arithmetic_summary")["per_token_loss"].min()
    assert 0.9 < answers["arithmetic-2"] < 1
    assert 0.7 < answers["arithmetic-3"] < 0.8

"""The measuring chapter's exercise checks accept the right answers and reject wrong ones.

The right answers are recomputed here from the raw cache with plain numpy, not with the
package functions the checkers use, so that a checker and its helper cannot be wrong together.
"""

import numpy as np
import pandas as pd
import pytest

from emergence.io.datasets import data_dir, load
from emergence.book.exercises import registry


def _addition_raw():
    with np.load(data_dir() / "arithmetic_outputs.npz") as z:
        codes = z["addition_loss"].astype(float)
        tokens = z["addition_output"]
        a, b = z["addition_a"].astype(int), z["addition_b"].astype(int)
    loss = np.where(codes == 65535, np.nan, codes * 1e-4)
    return loss, tokens, a, b


def _right_answers():
    loss, tokens, a, b = _addition_raw()
    digits, end = loss[0, :, :5], loss[0, :, 5]
    n = np.isfinite(digits).sum(axis=1)
    p = np.exp(-(np.nansum(digits, axis=1) + np.where(n < 5, end, 0.0)))
    # E[1/K] for a geometric K, summed numerically rather than by the closed form
    k = np.arange(1, 400_001)
    sample = p[:50]
    series = np.array([(q * (1 - q) ** (k - 1) / k).sum() for q in sample])
    closed = -sample * np.log(sample) / (1 - sample)
    assert np.allclose(series, closed, rtol=1e-3)
    # exact match of the largest model from the output tokens, carries by string arithmetic
    sums = a + b
    strings = ["".join(str(t) for t in row if t < 10) for row in tokens[-1]]
    correct = np.array([s == str(v) for s, v in zip(strings, sums)])
    carries = np.array([sum(int(x) for x in _carry_digits(u, v)) for u, v in zip(a, b)])
    mc = load("arithmetic_multiple_choice")
    mc = mc[mc["model"] == "w064"].copy()
    mc["p"] = np.exp(mc["log_prob"])
    per_problem = mc.groupby(["problem_id", "is_correct"])["p"].sum().unstack()
    return {
        "measuring-1": float(p.mean()),
        "measuring-2": float((-p * np.log(p) / (1 - p)).mean() / p.mean()),
        "measuring-3": float(np.log(20) / 4),
        "measuring-4": float(per_problem[False].mean() / per_problem[True].mean()),
        "measuring-5": float(correct[carries == 4].mean() - correct[carries == 0].mean()),
    }


def _carry_digits(u: int, v: int):
    carry = 0
    for du, dv in zip(reversed(f"{u:04d}"), reversed(f"{v:04d}")):
        carry = int(int(du) + int(dv) + carry >= 10)
        yield carry


@pytest.fixture(scope="module")
def answers():
    return _right_answers()


@pytest.mark.parametrize("qid", ["measuring-1", "measuring-2", "measuring-3", "measuring-4", "measuring-5"])
def test_checker_accepts_right_and_rejects_wrong(qid, answers):
    checker = registry()[qid]
    right = answers[qid]
    ok, message = checker(right)
    assert ok, message
    assert not checker(right * 1.5)[0]
    assert not checker(right * 0.9 if abs(right) > 0.1 else right + 0.01)[0]
    assert not checker("not a number")[0]


def test_answers_make_sense(answers):
    assert 0 < answers["measuring-1"] < 0.01
    assert answers["measuring-2"] > 3
    assert 0.7 < answers["measuring-3"] < 0.8
    assert 0 < answers["measuring-4"] < 2
    assert -0.5 < answers["measuring-5"] < 0.5

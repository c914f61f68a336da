"""Checks for the exercises of the chapter "What a careful reader should conclude"."""

from __future__ import annotations

import numpy as np

from emergence.model.mirage import ILLUSTRATIVE, expected_accuracy, per_token_loss, per_token_probability
from emergence.measure.scaling import accuracy_interval
from emergence.measure.score import emergence_score
from emergence.book.exercises import _join, as_number, close_to, diagnose, same_text, say

#: The four GPT-3 models the mirage paper queried through the API (its Section 3).
API_SIZES = np.array([350e6, 1.3e9, 6.7e9, 175e9])


def _zero_of_two_hundred(answer):
    n = 200
    high = float(accuracy_interval([0], [n])[1][0])
    try:
        value = as_number(answer)
    except ValueError as err:
        return False, f"{err}."
    # The one-sided bounds: the exact 1 - 0.05 ** (1 / n) and the 'rule of three', 3 / n.
    one_sided = 1 - 0.05 ** (1 / n)
    if abs(value - high) <= 0.01 * high:
        return True, (say("about {high:.2%}, i.e. {times_n:.2f}/n: the upper end of the exact "
                          "two-sided 95% interval. The 'rule of three', 3/n = {three_n:.2%}, "
                          "is the one-sided 95% bound; either way, 0 of 200 allows an "
                          "accuracy of 1-2%.",
                          high=high, times_n=high * n, three_n=3 / n))
    if min(abs(value - 3 / n), abs(value - one_sided)) <= 0.01 * (3 / n):
        return True, (say("{value:.2%} is the 'rule of three', 3/n (the exact one-sided 95% "
                          "bound is {one_sided:.2%}). The exact two-sided 95% interval, which "
                          "accuracy_interval gives, reaches a little higher: {high:.2%}, "
                          "about 3.7/n.",
                          value=value, one_sided=one_sided, high=high))
    hint = say("take the upper end of accuracy_interval([0], [200]).")
    if abs(value - 1 / n) <= 0.01 / n:
        return False, _join(say("1/200 is the smallest accuracy a test of 200 items can show, "
                                "not the largest one consistent with seeing none."), hint)
    if abs(value - 0.05) <= 1e-9:
        return False, _join(say("0.05 is the error rate of the interval, not its upper end."), hint)
    if value == 0:
        return False, _join(say("0 is what was observed; the interval says how high the true "
                                "accuracy could still be."), hint)
    return False, _join(diagnose(value, high, rel=0.01, fraction=True), hint)


def _four_models(answer):
    from emergence.book.explore import GPT3_SIZES

    p = per_token_probability(per_token_loss(API_SIZES, **ILLUSTRATIVE))
    expected = emergence_score(API_SIZES, expected_accuracy(p, 5))
    p8 = per_token_probability(per_token_loss(GPT3_SIZES, **ILLUSTRATIVE))
    eight = emergence_score(GPT3_SIZES, expected_accuracy(p8, 5))
    return close_to(answer, expected, rel=0.01,
                    right=say("{expected:.1f}, far below the eight-model score: with four "
                              "models the median step is a large one, so the same curve looks "
                              "less 'emergent' by this score, while on a plot the 26-fold "
                              "last step looks like a jump. That is the third cause the "
                              "mirage paper names, 'insufficiently sampling the larger "
                              "parameter regime'.", expected=expected),
                    hint=say("per_token_probability(per_token_loss(sizes, "
                             "**mirage.ILLUSTRATIVE)), then expected_accuracy(p, 5), then "
                             "emergence_score."),
                    mistakes={say("that is the score over the eight GPT-3 sizes; use the four "
                                  "the API offered."): eight})


def _largest_metric_effect(answer):
    from emergence.experiments.scoreboard import SHARP, SMOOTH, scoreboard

    shares = (scoreboard(include_real_jumps=True).reset_index()
              .pivot(index="family", columns="kind", values="share_of_gain_at_middle"))
    gap = (shares[SMOOTH] - shares[SHARP]).abs().dropna()
    best = gap.idxmax()
    undefined = [f for f in shares.index if f not in gap.index]
    return same_text(answer, best, right=say("{best}: the share moves by {gap:.2f}.",
                                             best=best, gap=gap.max()),
                     hint=say("compute |smooth share - sharp share| per family and take the "
                              "largest."),
                     mistakes={say("{family}'s sharp share is undefined (NaN): skip it.",
                                   family=f): f for f in undefined},
                     options=list(shares.index))


def _smooth_average_backtest(answer):
    from emergence.forecast.backtest import backtest
    from emergence.experiments.scoreboard import metric_pairs

    curves, _ = metric_pairs(include_real_jumps=True)
    params, loss, _ = curves["sparse parity: aggregate", "cross-entropy"]
    x, y = np.asarray(params, dtype=float), np.asarray(loss, dtype=float)

    def ratios(holdout=2, kind="power_law"):
        t = backtest(x, y, kind=kind, holdout=holdout, higher_is_better=False)
        return (t["predicted"] / t["observed"]).tolist()

    expected = ratios()[-1]
    faster = say("fell faster") if expected > 1 else say("fell more slowly")
    return close_to(answer, expected, rel=0.02,
                    right=say("{expected:.2f}: the power law of the {narrower} narrower models "
                              "puts the widest model's aggregate loss at {expected:.1f} times "
                              "what it reached. The average of many sharp subtasks is smooth, "
                              "yet at the top it {faster} than its power law, as the "
                              "arithmetic family's per-token loss did (exercise "
                              "predicting-2): smooth is not the same as predictable.",
                              expected=expected, narrower=len(x) - 2, faster=faster),
                    hint=say("backtest(x, y, kind='power_law', holdout=2, "
                             "higher_is_better=False) on the curve's parameters and "
                             "cross-entropy, then predicted / observed in its last row."),
                    mistakes={say("that is the second widest model; the widest is the last "
                                  "row."): ratios()[0],
                              say("that forecast held back one model; hold back two."):
                                  ratios(1)[-1],
                              say("that is a logistic's forecast; a loss is forecast by a "
                                  "power law (kind='power_law')."): ratios(kind="logistic")[-1]})


CHECKS = {
    "conclusion-1": _zero_of_two_hundred,
    "conclusion-2": _four_models,
    "conclusion-3": _largest_metric_effect,
    "conclusion-4": _smooth_average_backtest,
}

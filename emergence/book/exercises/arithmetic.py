"""Checks for the exercises of the chapter "The arithmetic experiments".

Every expected answer is computed from the cached outputs in ``data/``.
"""

from __future__ import annotations

from emergence.io.datasets import load
from emergence.model.mirage import implied_per_token_probability
from emergence.measure.resolution import probability_all_wrong
from emergence.measure.scaling import fit_power_law
from emergence.book.exercises import close_to, say


def _smallest_addition_accuracy() -> float:
    summary = load("arithmetic_summary")
    rows = summary[summary["task"] == "addition"].sort_values("params")
    return float(rows["accuracy"].iloc[0])


def _all_wrong_on_100(answer):
    acc = _smallest_addition_accuracy()
    expected = float(probability_all_wrong(acc, 100)[0])
    return close_to(answer, expected, rel=0.01,
                    right=say("(1 - {acc:g}) ** 100 = {expected:.3f}: a 100-problem test "
                              "shows this model at exactly 0 almost every time.",
                              acc=acc, expected=expected),
                    hint=say("each of the 100 problems is wrong with probability 1 - "
                             "accuracy, independently; use the smallest model's accuracy on "
                             "100,000 problems."),
                    mistakes={say("that is the chance of at least one right answer; the "
                                  "question asks for none right."): 1 - expected,
                              say("that is the expected number of wrong answers, not the "
                                  "chance that all 100 are wrong."): 100 * (1 - acc),
                              say("that raises the accuracy to the 100th power: the chance "
                                  "that all 100 are right."): acc ** 100})


def _gpt3_implied_p(answer):
    gpt3 = load("gpt3_arithmetic")
    row = gpt3[(gpt3["task"] == "4D+") & (gpt3["setting"] == "few-shot")].iloc[0]
    expected = float(implied_per_token_probability([row["accuracy_percent"] / 100], 5)[0])
    return close_to(answer, expected, rel=0.005,
                    right=say("{accuracy:.3f} ** (1/5) = {expected:.3f} per digit.",
                              accuracy=row['accuracy_percent'] / 100, expected=expected),
                    hint=say("divide the percentage by 100, then take the 5th root (a 4-digit "
                             "sum has up to 5 digits)."),
                    mistakes={say("that is the 5th root of the percentage: divide by 100 "
                                  "first."):
                                  (row["accuracy_percent"]) ** (1 / 5),
                              say("that divides the accuracy by 5; the digits' chances "
                                  "multiply, so take the 5th root."):
                                  row["accuracy_percent"] / 100 / 5,
                              say("that is the 4th root; the sum of two 4-digit numbers can "
                                  "have 5 digits."): (row["accuracy_percent"] / 100) ** (1 / 4)})


def _extrapolated_loss(answer):
    summary = load("arithmetic_summary")
    rows = summary[summary["task"] == "multiplication"].sort_values("params")
    small = rows.iloc[:5]
    fit = fit_power_law(small["params"], small["per_token_loss"])
    expected = float(fit.predict([rows["params"].iloc[-1]])[0])
    return close_to(answer, expected, rel=0.02,
                    right=say("the five smallest models predict {expected:.3f} nats for the "
                              "largest (measured: {measured:.3f}).",
                              expected=expected, measured=rows['per_token_loss'].iloc[-1]),
                    hint=say("fit_power_law(params, per_token_loss) on the five smallest "
                             "multiplication models, then .predict() at the largest model's "
                             "parameter count."),
                    mistakes={say("that is the largest model's measured loss; the exercise "
                                  "asks what the five smallest predict for it."):
                                  float(rows["per_token_loss"].iloc[-1]),
                              say("that fit uses every model; use only the five smallest."):
                                  float(fit_power_law(rows["params"], rows["per_token_loss"])
                                        .predict([rows["params"].iloc[-1]])[0])})


CHECKS = {
    "arithmetic-1": _extrapolated_loss,
    "arithmetic-2": _all_wrong_on_100,
    "arithmetic-3": _gpt3_implied_p,
}

"""Checks for the exercises of the chapter "After the mirage (1): measuring better".

Every expected answer is computed from the cached outputs in ``data/`` with the
package's own functions; the loaded outputs are kept for the session, so a
check costs nothing after the first.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from emergence.io.datasets import load
from emergence.book.difficulty import count_carries
from emergence.measure.infinite_resolution import answer_pass_probability, expected_pass_until
from emergence.measure.option_probability import option_scores
from emergence.book.exercises import close_to, say


@lru_cache(maxsize=None)
def _addition():
    from emergence.experiments.arithmetic import load_outputs

    out = load_outputs("addition")
    p, _ = answer_pass_probability(out["token_loss"], out["end_loss"])
    return out, p


def _smallest_sampled_accuracy(answer):
    out, p = _addition()
    expected = float(p[0].mean())
    greedy = int(out["correct"][0][:100].sum())
    k = p.shape[1]
    digits_only = np.exp(-np.nansum(out["token_loss"][0], axis=1)).mean()
    return close_to(answer, expected, rel=0.01,
                    right=say("{expected:.2e}: greedy decoding shows {greedy} of the first "
                              "100 problems right, one sample is right about {per_10000:.1f} "
                              "times in 10,000.",
                              expected=expected, greedy=greedy, per_10000=expected * 10000.0),
                    hint=say("multiply each problem's token probabilities (exp of minus the "
                             "summed losses, the end token only for 4-digit sums) and average "
                             "over the 10,000 problems; answer_pass_probability does both "
                             "steps but the mean."),
                    mistakes={say("that is greedy accuracy on these problems, not the chance "
                                  "that one sampled answer is right."):
                                  float(out["correct"][0][:k].mean()),
                              say("that leaves out the end token, which a 4-digit sum must "
                                  "also be followed by."): float(digits_only),
                              say("that is the median problem; the question asks for the mean."):
                                  float(np.median(p[0]))})


def _pass_until_bias(answer):
    _, p = _addition()
    expected = float(expected_pass_until(p[0]).mean() / p[0].mean())
    plug_in = float(-np.log(p[0].mean()))
    return close_to(answer, expected, rel=0.01,
                    right=say("about {expected:.1f} times too high: 1/K with one pass "
                              "overstates rare passes by roughly ln(1/p).",
                              expected=expected),
                    hint=say("divide the mean of expected_pass_until(p) by the mean of p, "
                             "with p the exact pass probabilities of model index 0."),
                    mistakes={say("that is the ratio upside down: PassUntil's mean over the "
                                  "exact rate."):
                                  1 / expected,
                              say("that is ln(1/p) at the mean pass rate, the rule of thumb; "
                                  "average expected_pass_until over the problems instead."):
                                  plug_in})


def _mirage_threshold(answer):
    expected = float(-np.log(0.05) / 4)
    return close_to(answer, expected, rel=0.005,
                    right=say("-ln(0.05) / 4 = {expected:.3f} nats: the same for any task "
                              "whose answers have 4 tokens, whatever the task.",
                              expected=expected),
                    hint=say("solve exp(-4 * loss) = 0.05 for the loss."),
                    mistakes={say("that is for a 5-digit answer; this one has 4 digits."):
                                  float(-np.log(0.05) / 5),
                              say("that is the per-token probability 0.05 ** (1/4), not a "
                                  "loss in nats."):
                                  float(0.05 ** 0.25),
                              say("that forgets to divide by the 4 tokens."): float(-np.log(0.05))})


@lru_cache(maxsize=None)
def _option_scores():
    return option_scores(load("arithmetic_multiple_choice"))


def _wrong_over_right(answer):
    scores = _option_scores()
    row = scores[scores["model"] == "w064"]
    wrong, right = row["prob_vocab_wrong"].mean(), row["prob_vocab_correct"].mean()
    expected = float(wrong / right)
    per_problem = float((row["prob_vocab_wrong"] / row["prob_vocab_correct"]).mean())
    return close_to(answer, expected, rel=0.01,
                    right=say("{wrong:.3f} / {right:.3f} = {expected:.2f}: for every unit of "
                              "probability on the right option, this model puts "
                              "{expected:.2f} on the three wrong ones.",
                              wrong=wrong, right=right, expected=expected),
                    hint=say("take the rows of model w064, average prob_vocab_wrong and "
                             "prob_vocab_correct over the problems, then divide."),
                    mistakes={say("that is right over wrong; the question asks for wrong over "
                                  "right."):
                                  1 / expected,
                              say("that is the wrong options' share of the four options' "
                                  "probability, wrong / (wrong + right)."):
                                  float(wrong / (wrong + right)),
                              say("that averages the ratio problem by problem; divide the two "
                                  "means instead."): per_problem})


def _carries_gap(answer):
    out, _ = _addition()
    carries = count_carries(out["a"], out["b"])
    correct = out["correct"][-1]
    expected = float(correct[carries == 4].mean() - correct[carries == 0].mean())
    return close_to(answer, expected, abs_tol=0.002, rel=0.0,
                    right=(say("{expected:+.3f} (harder with 4 carries than with none, for the "
                               "largest model).", expected=expected) if expected < 0 else
                           say("{expected:+.3f} (easier with 4 carries than with none, for the "
                               "largest model).", expected=expected)),
                    hint=say("count_carries(a, b) gives each problem's carries; compare the "
                             "mean of the largest model's correct flags on the problems with "
                             "4 carries and with 0."),
                    mistakes={say("that is 0 carries minus 4 carries: the sign is flipped."):
                                  -expected})


CHECKS = {
    "measuring-1": _smallest_sampled_accuracy,
    "measuring-2": _pass_until_bias,
    "measuring-3": _mirage_threshold,
    "measuring-4": _wrong_over_right,
    "measuring-5": _carries_gap,
}

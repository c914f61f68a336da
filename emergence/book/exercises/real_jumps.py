"""Checks for the exercises of the chapter "Are some jumps real?".

Every expected answer is computed from the cached tables in ``data/`` with the
same functions the chapter uses, so the checks follow the data if it is
regenerated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence.model.mirage import ILLUSTRATIVE, accuracy_from_loss, per_token_loss
from emergence.measure.scaling import fit_power_law
from emergence.measure.subtasks import LEARNED_NATS, frequency_weighted
from emergence.measure.transitions import first_crossing, midpoint_lead
from emergence.book.exercises import close_to, same_text, say, table

__all__ = ["CHECKS", "simulated_pairs"]


def _subtask3_learned(answer):
    curve = table("sparse_parity_steps").query("seed == 0 and subtask == 3").sort_values("step")
    expected = first_crossing(curve["step"], curve["cross_entropy"], LEARNED_NATS)
    mistakes = {
        say("that is the level (0.1 bits in nats); the answer is the step at which it is "
            "reached."):
            LEARNED_NATS,
        say("that is the step at which the accuracy first passes 90%: the loss falls past 0.1 "
            "bits later, because it keeps shrinking after the answers are right."):
            first_crossing(curve["step"], curve["accuracy"], 0.9, direction="up"),
    }
    below = curve.loc[curve["cross_entropy"] <= LEARNED_NATS, "step"]
    if len(below):
        mistakes[say("that is the first checkpoint already below the level; the crossing lies "
                     "between it and the checkpoint before (first_crossing interpolates on "
                     "the log axis).")] = (
            float(below.iloc[0]))
    return close_to(answer, expected, rel=0.02, mistakes=mistakes,
                    right=say("about step {expected:,.0f}. The accuracy was near 1 well "
                              "before: once the answers are right the loss keeps shrinking, "
                              "so a loss threshold is reached later than an accuracy "
                              "threshold.", expected=expected),
                    hint=say("take seed 0, subtask 3 of sparse_parity_steps, sorted by step, "
                             "and call first_crossing(step, cross_entropy, LEARNED_NATS)."))


def _aggregate_exponent(answer):
    seed1 = table("sparse_parity_scale").query("seed == 1")
    aggregate = frequency_weighted(seed1, ["seed", "params"])
    fit = fit_power_law(aggregate["params"], aggregate["cross_entropy"])
    unweighted = seed1.groupby("params")["cross_entropy"].mean()
    mistakes = {
        say("that averages the subtasks equally; the test distribution asks them with their "
            "frequencies, so weight by frequency (frequency_weighted)."):
            fit_power_law(unweighted.index, unweighted.to_numpy()).alpha,
    }
    return close_to(answer, fit.alpha, rel=0.02, mistakes=mistakes,
                    right=say("alpha = {alpha:.2f} (R^2 = {r2:.2f}).", alpha=fit.alpha, r2=fit.r2),
                    hint=say("frequency_weighted(the seed-1 rows, ['seed', 'params']) gives "
                             "the aggregate loss per model; fit_power_law(params, "
                             "cross_entropy).alpha."))


def grokking_delay(weight_decay: float = 1.0, seed: int = 0) -> float:
    """Steps to 90% test accuracy divided by steps to 99% training accuracy (NaN if never)."""
    run = table("grokking_curves").query("weight_decay == @weight_decay and seed == @seed").sort_values("step")
    train = first_crossing(run["step"], run["train_accuracy"], 0.99, direction="up")
    test = first_crossing(run["step"], run["test_accuracy"], 0.9, direction="up")
    return test / train


def _grokking_delay(answer):
    expected = grokking_delay()
    return close_to(answer, expected, rel=0.03,
                    right=say("about {expected:.1f} times as many: the training set is fitted "
                              "long before the test set is answered.",
                              expected=expected),
                    hint=say("for weight_decay 1.0 and seed 0, use first_crossing(step, "
                             "train_accuracy, 0.99, direction='up') and the same with "
                             "test_accuracy and 0.9; divide the second by the first."))


def simulated_pairs() -> dict[str, pd.DataFrame]:
    """Two simulated families, each scored with accuracy and cross-entropy on the same outputs.

    ``"A"``: the mirage paper's model, a per-token loss ``(N / c) ** alpha``
    (the book's illustrative constants) and exact match on 5-token answers.
    ``"B"``: a loss that waits at ``ln 2`` and then drops, a logistic in
    ``log N`` centred at ``N = 10**9``, with accuracy ``exp(-loss)`` of one
    binary answer. Both are simulated.

    Examples
    --------
    >>> sorted(simulated_pairs())
    ['A', 'B']
    """
    n = np.logspace(7, 12, 21)
    loss_a = per_token_loss(n, **ILLUSTRATIVE)
    loss_b = np.log(2) / (1 + np.exp(4 * (np.log10(n) - 9)))
    return {
        "A": pd.DataFrame({"params": n, "accuracy": accuracy_from_loss(loss_a, 5),
                           "cross_entropy": loss_a}),
        "B": pd.DataFrame({"params": n, "accuracy": np.exp(-loss_b), "cross_entropy": loss_b}),
    }


def metric_made_pair() -> str:
    """The simulated family whose cross-entropy leads its accuracy by more decades."""
    leads = {name: midpoint_lead(t["params"], t["cross_entropy"], t["accuracy"])
             for name, t in simulated_pairs().items()}
    return max(leads, key=leads.get)


def _which_is_metric_made(answer):
    expected = metric_made_pair()
    other = "B" if expected == "A" else "A"
    return same_text(
        answer, expected, options=("A", "B"),
        right=say("{expected}: its cross-entropy makes half of its fall decades before its "
                  "accuracy makes half of its rise; in the other family the two move at the "
                  "same scale.", expected=expected),
        mistakes={say("in {other} the cross-entropy waits and drops where the accuracy jumps: "
                      "that is what a real jump looks like.", other=other): other},
        hint=say("compare, for each family, midpoint_lead(params, cross_entropy, accuracy): "
                 "in which one does the smooth metric move first?"))


CHECKS = {
    "jumps-1": _subtask3_learned,
    "jumps-2": _aggregate_exponent,
    "jumps-3": _grokking_delay,
    "jumps-4": _which_is_metric_made,
}

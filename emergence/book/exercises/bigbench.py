"""Checks for the exercises of the chapter "The BIG-Bench meta-analysis"."""

from __future__ import annotations

import numpy as np

from emergence.book.meta_analysis import metric_breakdown
from emergence.measure.metrics import brier_score
from emergence.io.datasets import load
from emergence.book.multiple_comparisons import chance_emergent
from emergence.measure.score import emergence_score
from emergence.book.exercises import close_to, say

#: The two metrics that, in the mirage paper, carry > 92% of claimed emergent abilities.
TWO_METRICS = ("multiple_choice_grade", "exact_str_match")

#: The mirage paper's Discussion: >= 220 tasks, ~40 metrics per task, ~10 model families.
PAPER_TASKS, PAPER_METRICS, PAPER_FAMILIES = 220, 40, 10


def two_metric_share() -> float:
    """Share of Wei's emergent BIG-Bench tasks with a known preferred metric that use
    the multiple-choice grade or exact string match."""
    wei = load("wei_emergent_tasks")
    wei = wei[wei["benchmark"] == "BIG-Bench"]
    table = metric_breakdown(wei["bigbench_task"], load("bigbench_task_metrics"))
    return float(table.loc[table["preferred_metric"].isin(TWO_METRICS), "share_of_known"].sum())


def _share(answer):
    expected = two_metric_share()
    wei = load("wei_emergent_tasks")
    wei = wei[wei["benchmark"] == "BIG-Bench"]
    table = metric_breakdown(wei["bigbench_task"], load("bigbench_task_metrics"))
    chosen = table["preferred_metric"].isin(TWO_METRICS)
    of_all = float(table.loc[chosen, "share"].sum())
    mc_only = float(table.loc[table["preferred_metric"] == TWO_METRICS[0], "share_of_known"].sum())
    return close_to(answer, expected, rel=0.0, abs_tol=0.005, fraction=True,
                    mistakes={say("that divides by all {n_tasks} tasks; the question asks "
                                  "among the tasks whose metric is known.",
                                  n_tasks=int(table["n_tasks"].sum())): of_all,
                              say("that is the multiple-choice grade alone; add exact string "
                                  "match."): mc_only},
                    right=say("{expected:.3f}; the paper says '> 92%'. Its Fig. 5C "
                              "counts the same 67 tasks (one hand-annotated triplet each) and "
                              "gives 62 of 67 = 0.925: the same 51 multiple-choice tasks, but "
                              "11 exact-match ones where the JSON table here has 12, and 3 "
                              "scored by BIG-Bench's normalized aggregate score.",
                              expected=expected),
                    hint=say("count the tasks whose preferred_metric is multiple_choice_grade "
                             "or exact_str_match and divide by the tasks whose metric is "
                             "known (the 'share_of_known' column)."))


def _straight_line(answer):
    k = 8
    expected = emergence_score(np.logspace(6, 13, k), np.linspace(0.1, 0.8, k))
    return close_to(answer, expected, rel=1e-6,
                    right=say("{expected:g} = k - 1: every step is the median step, so the "
                              "score counts the steps. A family with more models scores "
                              "higher for the same smooth curve.",
                              expected=expected),
                    hint=say("rise / typical step: the total rise is (k - 1) steps of equal "
                             "size."),
                    mistakes={say("8 models make 7 steps, not 8."): k,
                              say("a straight line is the least emergent curve, but its score "
                                  "is not 0: it is the rise over a typical step."): 0})


def _chance_count(answer):
    n = PAPER_TASKS * PAPER_METRICS * PAPER_FAMILIES
    expected = chance_emergent(0.01, n)["expected"]
    return close_to(answer, expected, rel=0.01,
                    right=say("{expected:g} of {n:,} triplets: a 1% false-alarm rate still "
                              "yields hundreds of 'emergent abilities' by chance.",
                              expected=expected, n=n),
                    hint=say("expected count = probability per triplet x number of triplets "
                             "(220 x 40 x 10)."),
                    mistakes={say("that is the number of triplets; multiply by the 1% chance "
                                  "for each."): n})


def _uniform_brier(answer):
    expected = float(brier_score(np.zeros((1, 4)), [0])[0])
    return close_to(answer, expected, rel=1e-6,
                    right=say("{expected:g} = (k - 1) / k**2 for k = 4: the Brier score of a "
                              "model that knows nothing. Any model that moves probability "
                              "toward the right option scores lower (better), even when it is "
                              "still wrong under the multiple-choice grade.",
                              expected=expected),
                    hint=say("each option gets probability 1/4; the right one is off by 3/4, "
                             "the three wrong ones by 1/4 each; average the four squared "
                             "errors."),
                    mistakes={say("that is the sum of the four squared errors; the Brier "
                                  "score here averages them."): 4 * expected,
                              say("that is the right option's squared error alone; the wrong "
                                  "options count too."): 0.75 ** 2,
                              say("that is the probability of each option, not the squared "
                                  "error."): 0.25})


CHECKS = {
    "bigbench-1": _share,
    "bigbench-2": _straight_line,
    "bigbench-3": _uniform_brier,
    "bigbench-4": _chance_count,
}

"""What ``emergence diagnose`` knows about a metric: its range, direction and kind.

The mirage paper's argument turns on *how a metric scores a model's per-token
errors*: a nonlinear or discontinuous metric (exact match, a multiple-choice
grade) can turn a smooth improvement into a jump, a linear or continuous one
(token edit distance, a loss) does not. :data:`METRICS` records that for the
metrics in use, each with the source of its label:

- the book's own (:mod:`emergence.measure.metrics`) and the mirage paper's;
- BIG-bench's, on the scale its results files report them (BLEU and ROUGE on
  0-100, grades and matches on 0-1);
- lm-evaluation-harness's, by the names its results files use, with the
  direction its own metric registry gives each (``lm_eval/api/metrics.py``,
  version 0.4.13, where every metric is registered with ``higher_is_better``)
  and the kind read off how it computes them (``lm_eval/api/task.py``);
- HELM's core metrics, with the direction its schema gives each.

A metric not listed here can be described to :func:`emergence.diagnose.diagnose`
with ``metrics={name: MetricInfo(...)}`` (on the command line, ``--metric``).

Examples
--------
>>> METRICS["acc_norm"].kind, METRICS["acc_norm"].counts_items
('discontinuous', True)
>>> METRICS["word_perplexity"].higher_is_better
False
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["MetricInfo", "METRICS", "SHARP_KINDS", "SMOOTH_KINDS", "UNKNOWN"]

#: Kinds under which a metric can make a jump out of a smooth improvement.
SHARP_KINDS = ("discontinuous", "nonlinear")
#: Kinds under which it cannot: a smooth partner for the mirage comparison.
SMOOTH_KINDS = ("linear", "continuous")


@dataclass(frozen=True)
class MetricInfo:
    """What the tool knows about a metric.

    Attributes
    ----------
    kind : {"discontinuous", "nonlinear", "linear", "continuous", "unknown"}
        How the metric scales a model's per-token error rate.
    low, high : float
        The range of its values (``-inf``/``inf`` where unbounded); values
        outside are refused as input errors.
    higher_is_better : bool
    counts_items : bool
        The mean of a 0/1 score per item, so that ``value * n_items`` items
        were right and exact binomial intervals apply.
    source : str
        Where the ``kind`` comes from.
    """

    kind: str
    low: float
    high: float
    higher_is_better: bool
    counts_items: bool
    source: str


_MIRAGE = "Schaeffer, Miranda & Koyejo (2023)"
_SEC2 = f"{_MIRAGE}, Sec. 2"
_SEC4 = f"{_MIRAGE}, Sec. 4"
_STRING_MATCH = "all-or-nothing per item, like exact match"

#: The metrics the tool knows: the book's (``emergence.measure.metrics``), the mirage
#: paper's and BIG-bench's, on the scale they are reported on (BIG-bench
#: reports BLEU and ROUGE on 0-100, its grades and matches on 0-1).
METRICS: dict[str, MetricInfo] = {
    "exact_match": MetricInfo("nonlinear", 0, 1, True, True,
                              f"{_SEC2} (accuracy) and Sec. 4 (exact string match)"),
    "accuracy": MetricInfo("nonlinear", 0, 1, True, True, f"{_SEC2}: 'nonlinear Accuracy'"),
    "exact_str_match": MetricInfo("nonlinear", 0, 1, True, True,
                                  f"{_SEC4}: 'Exact String Match is nonlinear'"),
    "case_insensitive_str_match": MetricInfo("nonlinear", 0, 1, True, True,
                                             f"this book: {_STRING_MATCH}"),
    "multiple_choice_grade": MetricInfo("discontinuous", 0, 1, True, True,
                                        f"{_SEC4}: 'Multiple Choice Grade is discontinuous'"),
    "rougeLsum": MetricInfo("nonlinear", 0, 100, True, False,
                            f"{_SEC4}: named among the nonlinear or discontinuous metrics"),
    "bleu": MetricInfo("nonlinear", 0, 100, True, False,
                       f"{_MIRAGE}, App. A.5: 'BLEU is also a discontinuous and nonlinear "
                       "metric'"),
    "token_edit_distance": MetricInfo("linear", 0, math.inf, False, False,
                                      f"{_SEC2}: 'an approximately linear metric'"),
    "per_token_accuracy": MetricInfo("linear", 0, 1, True, False,
                                     "this book: the mean of per-token 0/1 scores"),
    # BIG-bench averages the squared errors over the options (0-1); lm-evaluation-harness
    # sums them (0-2)
    "brier_score": MetricInfo("continuous", 0, 2, False, False, f"{_SEC2} and Sec. 4"),
    "calibration_multiple_choice_brier_score": MetricInfo("continuous", 0, 1, False, False,
                                                          f"{_SEC4} (Brier Score)"),
    "log_likelihood": MetricInfo("continuous", -math.inf, 0, True, False,
                                 "this book (emergence.measure.metrics)"),
    "per_token_cross_entropy": MetricInfo("continuous", 0, math.inf, False, False,
                                          f"{_SEC2}: the loss that falls smoothly"),
    "loss": MetricInfo("continuous", 0, math.inf, False, False,
                       f"{_SEC2}: per-token cross-entropy"),
    "per_token_loss": MetricInfo("continuous", 0, math.inf, False, False,
                                 f"{_SEC2}: per-token cross-entropy (the book's tables)"),
    "cross_entropy": MetricInfo("continuous", 0, math.inf, False, False,
                                f"{_SEC2}: cross-entropy"),
    "perplexity": MetricInfo("continuous", 1, math.inf, False, False,
                             "exp of the per-token cross-entropy: continuous, like it"),
    "ppl": MetricInfo("continuous", 1, math.inf, False, False,
                      "perplexity, as lm-evaluation-harness 0.3.0 names it "
                      "(tasks/lambada.py, lower is better)"),
}
# Other BIG-bench metrics, with the ranges BIG-bench's json_task.py gives them: their
# range is checked and they are backtested, but how they scale the per-token error is
# not classified here.
_BIGBENCH = "BIG-bench (range only; not classified)"
METRICS.update({
    "expected_calibration_error": MetricInfo("unknown", 0, 1, False, False, _BIGBENCH),
    "macro_f1": MetricInfo("unknown", 0, 1, True, False, _BIGBENCH),
    "sequence_f1": MetricInfo("unknown", 0, 100, True, False, _BIGBENCH),
    "rouge1": MetricInfo("unknown", 0, 100, True, False, _BIGBENCH),
    "rouge2": MetricInfo("unknown", 0, 100, True, False, _BIGBENCH),
    "numeric_match_with_0_1_relative_error": MetricInfo("unknown", 0, 1, True, True, _BIGBENCH),
})

# lm-evaluation-harness's metrics, by the names its results files use. Directions are those
# of its registry (lm_eval/api/metrics.py, version 0.4.13); kinds follow how
# lm_eval/api/task.py computes each per item.
_LM_EVAL = "lm-evaluation-harness 0.4.13 (lm_eval/api)"
_LM_EVAL_03 = "lm-evaluation-harness 0.3.0"
_ARGMAX = (f"{_LM_EVAL}: 1 if the correct choice has the highest log-likelihood, else 0 (a "
           f"multiple-choice grade, discontinuous by {_SEC4})")
METRICS.update({
    "acc": MetricInfo("discontinuous", 0, 1, True, True,
                      f"{_ARGMAX}; on a loglikelihood task (LAMBADA), 1 if the greedy "
                      "continuation is the target (truthfulqa_mc2's continuous 'acc' is read "
                      "as mc2)"),
    "acc_norm": MetricInfo("discontinuous", 0, 1, True, True,
                           f"{_ARGMAX}, the log-likelihoods normalised by length"),
    "acc_mutual_info": MetricInfo("discontinuous", 0, 1, True, True,
                                  f"{_ARGMAX}, by mutual information"),
    "acc_bytes": MetricInfo("discontinuous", 0, 1, True, True,
                            f"{_ARGMAX}, the log-likelihoods normalised by bytes"),
    "acc_all": MetricInfo("nonlinear", 0, 1, True, True,
                          f"{_LM_EVAL}: 1 if every answer to a question is right, else 0 "
                          f"({_STRING_MATCH})"),
    "word_perplexity": MetricInfo("continuous", 1, math.inf, False, False,
                                  f"{_LM_EVAL}: exp of the loss per word"),
    "byte_perplexity": MetricInfo("continuous", 1, math.inf, False, False,
                                  f"{_LM_EVAL}: exp of the loss per byte"),
    "bits_per_byte": MetricInfo("continuous", 0, math.inf, False, False,
                                f"{_LM_EVAL}: the loss per byte in bits"),
    "mc1": MetricInfo("discontinuous", 0, 1, True, True,
                      f"{_LM_EVAL_03}, tasks/truthfulqa.py: the argmax over one true and "
                      "several false answers"),
    "mc2": MetricInfo("continuous", 0, 1, True, False,
                      f"{_LM_EVAL_03}, tasks/truthfulqa.py: the normalised probability of the "
                      "true answers"),
    "f1": MetricInfo("unknown", 0, 1, True, False, f"{_LM_EVAL} (range only; not classified)"),
    "mcc": MetricInfo("unknown", -1, 1, True, False, f"{_LM_EVAL} (range only; not classified)"),
    "chrf": MetricInfo("unknown", 0, 100, True, False, f"{_LM_EVAL} (range only; not classified)"),
    "chrf++": MetricInfo("unknown", 0, 100, True, False,
                         f"{_LM_EVAL} (range only; not classified)"),
    "ter": MetricInfo("unknown", 0, math.inf, False, False,
                      f"{_LM_EVAL} (range only; not classified)"),
})

# HELM's core metric names, with the directions of its schema (crfm-helm 0.5.16,
# helm/benchmark/static/schema_classic.yaml, lower_is_better). ROUGE and BLEU are accepted
# on 0-1 or 0-100 (the range is only checked, not used).
_HELM = "HELM (crfm-helm 0.5.16, schema_classic.yaml)"
METRICS.update({
    "quasi_exact_match": MetricInfo("nonlinear", 0, 1, True, True,
                                    f"{_HELM}: exact match up to light processing "
                                    f"({_STRING_MATCH})"),
    "prefix_exact_match": MetricInfo("nonlinear", 0, 1, True, True,
                                     f"{_HELM}: the output's prefix matches exactly "
                                     f"({_STRING_MATCH})"),
    "quasi_prefix_exact_match": MetricInfo("nonlinear", 0, 1, True, True,
                                           f"{_HELM} ({_STRING_MATCH})"),
    "logprob": MetricInfo("continuous", -math.inf, 0, True, False,
                          f"{_HELM}: the output's average log probability"),
    "logprob_per_byte": MetricInfo("continuous", -math.inf, 0, True, False,
                                   f"{_HELM}: log probability per byte"),
    "rouge_l": MetricInfo("nonlinear", 0, 100, True, False,
                          f"{_HELM}; {_MIRAGE}, App. A.4, calls ROUGE-L-Sum nonlinear"),
    "rouge_1": MetricInfo("unknown", 0, 100, True, False, f"{_HELM} (range only; not classified)"),
    "rouge_2": MetricInfo("unknown", 0, 100, True, False, f"{_HELM} (range only; not classified)"),
    "bleu_1": MetricInfo("unknown", 0, 100, True, False, f"{_HELM} (range only; not classified)"),
    "bleu_4": MetricInfo("nonlinear", 0, 100, True, False,
                         f"{_HELM}; {_MIRAGE}, App. A.5: 'BLEU is also a discontinuous and "
                         "nonlinear metric'"),
    "f1_score": MetricInfo("unknown", 0, 1, True, False, f"{_HELM} (range only; not classified)"),
    "classification_macro_f1": MetricInfo("unknown", 0, 1, True, False,
                                          f"{_HELM} (range only; not classified)"),
    "ece_10_bin": MetricInfo("unknown", 0, 1, False, False,
                             f"{_HELM} (range only; not classified)"),
    "toxic_frac": MetricInfo("unknown", 0, 1, False, False,
                             f"{_HELM} (range only; not classified)"),
})

#: What the tool assumes of a metric it does not know: any value, higher is better.
UNKNOWN = MetricInfo("unknown", -math.inf, math.inf, True, False, "not in the catalogue")

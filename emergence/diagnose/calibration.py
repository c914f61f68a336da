"""Curves with known answers, to check the verdicts of ``emergence diagnose``.

A verdict is a claim, so it is tested on curves whose answer is known by
construction or by the book's own experiments:

- ``mirage``: the mirage paper's model. A per-token loss that falls as a
  power law of scale, ``p = exp(-loss)`` per token, exact match ``p ** L``
  (with binomial noise on 1,000 items) and token edit distance ``L (1 - p)``
  of the same outputs, over five decades of scale, with the loss falling from
  4 or 6 nats to 0.05 or 0.03 and L = 5 or 10: the regime of the paper's
  Figure 2, where exact match stays near 0 over the smaller models and then
  rises. Known answer: a jump made by the metric.
- ``arithmetic``: the book's arithmetic family (exact match, token edit
  distance and per-token loss of the same outputs, from
  ``arithmetic_summary``). The chapter on arithmetic shows the jump is made
  by the metric.
- ``sparse_parity`` and ``grokking``: the book's real jumps. Subtasks of the
  sparse-parity family that stay at chance (within three standard errors of
  0.5 on their 500 strings) over the smaller half of the log-scale range and reach at least 90% at the largest
  width, in accuracy and cross-entropy; grokking's test accuracy
  and test cross-entropy against training steps, with weight decay. The
  chapter on real jumps shows that the loss jumps too. Known answer: sharp,
  and not made by the metric.
- ``line``: straight lines in log-scale over 5, 12, 24 and 50 models. Known
  answer: not sharp.
- ``saturating``: curves that make most of their gain early (an accuracy
  rising to a plateau, a perplexity falling as a power law). Known answer:
  rises early, not sharp.
- ``chance``: flat at chance (0.25, four options) with binomial noise at 100
  and 1,000 items. Known answer: no change beyond noise, not sharp.

:func:`calibration_set` returns the curves as one tidy table (the input of
:func:`emergence.diagnose.diagnose`) and what each curve's verdict must be;
:func:`check_verdicts` compares them.

Examples
--------
>>> from emergence.diagnose import diagnose
>>> table, expected = calibration_set(include=("line", "chance"))
>>> wrong = check_verdicts(diagnose(table), expected)
>>> len(expected), len(wrong)
(32, 0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence.diagnose.shape import NOISE_Z

__all__ = ["KINDS", "ACCEPTS", "calibration_set", "verdict_label", "check_verdicts",
           "confusion_table"]

#: The kinds of curve in the set.
KINDS = ("mirage", "arithmetic", "sparse_parity", "grokking", "line", "saturating", "chance")

# What a verdict can be (:func:`verdict_label`), and the answers the set expects: a
# sharp metric's jump made by the metric (its smooth partner rising early or gradually),
# a real jump (sharp under both), a line, an early rise, noise.
MADE = "sharp, made by the metric"
REAL = "sharp, not made by the metric"
SHARP = "sharp"                  # a linear or continuous metric: no partner to compare
GRADUAL = "rises gradually"
EARLY = "rises early"
NOISE = "no change beyond noise"
SMOOTH = "not sharp: rises early or gradually"
#: The verdict labels each expected answer accepts.
ACCEPTS = {MADE: {MADE}, REAL: {REAL}, SHARP: {SHARP}, GRADUAL: {GRADUAL}, EARLY: {EARLY},
           NOISE: {NOISE}, SMOOTH: {EARLY, GRADUAL}}
_SIZES = (5, 12, 24, 50)
_SEED = 20231


def _rows(task, family, scales, metric, values, n_items=None, **extra):
    table = pd.DataFrame({"task": task, "family": family,
                          "model": [f"{family}-{i:02d}" for i in range(len(scales))],
                          "scale": scales, "metric": metric, "value": values})
    table["n_items"] = np.nan if n_items is None else n_items
    for k, v in extra.items():
        table[k] = v
    return table


def _mirage(rng):
    tables, expected = [], []
    for n_models in _SIZES:
        for L in (5, 10):
            for loss_small, loss_large in ((4.0, 0.05), (6.0, 0.03)):
                scales = np.logspace(7, 12, n_models)
                alpha = np.log(loss_small / loss_large) / np.log(scales[-1] / scales[0])
                loss = loss_large * (scales / scales[-1]) ** -alpha
                p = np.exp(-loss)
                n_items = 1000
                exact = rng.binomial(n_items, p ** L) / n_items
                task = f"mirage L={L} loss {loss_small:g}->{loss_large:g}"
                family = f"m{n_models}"
                tables += [_rows(task, family, scales, "exact_match", exact, n_items),
                           _rows(task, family, scales, "token_edit_distance", L * (1 - p))]
                expected += [(task, family, "exact_match", "mirage", MADE),
                             (task, family, "token_edit_distance", "mirage", SMOOTH)]
    return tables, expected


def _arithmetic():
    from emergence.io.datasets import load

    summary = load("arithmetic_summary")
    tables, expected = [], []
    for task, rows in summary.groupby("task"):
        rows = rows.sort_values("params")
        for column, metric, n_items in (("accuracy", "exact_match", rows["n_problems"]),
                                        ("token_edit_distance", "token_edit_distance", None),
                                        ("per_token_loss", "per_token_loss", None)):
            t = _rows(task, "arithmetic", rows["params"].to_numpy(), metric,
                      rows[column].to_numpy(), None if n_items is None else n_items.to_numpy())
            t["model"] = rows["model"].to_numpy()
            tables.append(t)
        expected += [(task, "arithmetic", "exact_match", "arithmetic", MADE),
                     (task, "arithmetic", "token_edit_distance", "arithmetic", SMOOTH),
                     (task, "arithmetic", "per_token_loss", "arithmetic", SMOOTH)]
    return tables, expected


def _sparse_parity():
    from emergence.io.datasets import load
    from emergence.experiments.sparse_parity import EVAL_PER_SUBTASK

    scale = load("sparse_parity_scale")
    tables, expected = [], []
    for (seed, subtask), rows in scale.groupby(["seed", "subtask"]):
        rows = rows.sort_values("params")
        acc = rows["accuracy"].to_numpy()
        params = rows["params"].to_numpy()
        lower_half = params <= np.sqrt(params[0] * params[-1])
        at_chance = np.abs(acc - 0.5) <= NOISE_Z * np.sqrt(0.25 / EVAL_PER_SUBTASK)
        if not (at_chance[lower_half].all() and acc[-1] >= 0.9):     # chance, then learned
            continue
        task, family = f"sparse parity subtask {subtask}", f"seed {seed}"
        tables += [_rows(task, family, params, "accuracy", acc, EVAL_PER_SUBTASK),
                   _rows(task, family, params, "cross_entropy", rows["cross_entropy"].to_numpy())]
        expected += [(task, family, "accuracy", "sparse_parity", REAL),
                     (task, family, "cross_entropy", "sparse_parity", SHARP)]
    return tables, expected


def _grokking():
    from emergence.io.datasets import load
    from emergence.experiments.grokking import split

    curves = load("grokking_curves")
    n_test = len(split()[1])
    tables, expected = [], []
    for seed, rows in curves[curves["weight_decay"] > 0].groupby("seed"):
        rows = rows.sort_values("step")
        task, family = "grokking, weight decay", f"seed {seed}"
        steps = rows["step"].to_numpy()
        tables += [_rows(task, family, steps, "accuracy", rows["test_accuracy"].to_numpy(), n_test),
                   _rows(task, family, steps, "cross_entropy",
                         rows["test_cross_entropy"].to_numpy())]
        expected += [(task, family, "accuracy", "grokking", REAL),
                     (task, family, "cross_entropy", "grokking", SHARP)]
    return tables, expected


def _lines_and_saturating():
    tables, expected = [], []
    for n_models in _SIZES:
        scales = np.logspace(8, 11, n_models)
        t = np.linspace(0.0, 1.0, n_models)
        family = f"m{n_models}"
        line = np.round((0.1 + 0.8 * t) * 1000) / 1000          # whole items of 1,000
        tables.append(_rows("line", family, scales, "exact_match", line, 1000))
        tables.append(_rows("line", family, scales, "per_token_accuracy", 0.3 + 0.6 * t))
        expected += [("line", family, "exact_match", "line", GRADUAL),
                     ("line", family, "per_token_accuracy", "line", GRADUAL)]
        plateau = np.round((0.2 + 0.55 * (1 - np.exp(-6 * t))) * 1000) / 1000
        tables.append(_rows("saturating", family, scales, "accuracy", plateau, 1000))
        tables.append(_rows("saturating", family, scales, "perplexity",
                            3.5 + 130.0 * (scales / scales[0]) ** -0.9))
        expected += [("saturating", family, "accuracy", "saturating", EARLY),
                     ("saturating", family, "perplexity", "saturating", EARLY)]
    return tables, expected


def _chance(rng):
    tables, expected = [], []
    for n_items in (100, 1000):
        for n_models in _SIZES:
            for repeat in range(3):
                scales = np.logspace(8, 11, n_models)
                values = rng.binomial(n_items, 0.25, size=n_models) / n_items
                task, family = f"chance, {n_items} items", f"m{n_models} draw {repeat}"
                tables.append(_rows(task, family, scales, "multiple_choice_grade", values,
                                    n_items, chance=0.25))
                expected.append((task, family, "multiple_choice_grade", "chance", NOISE))
    return tables, expected


def calibration_set(include=tuple(KINDS)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The calibration curves as one tidy table, and the verdict each must get.

    Parameters
    ----------
    include : collection of str
        Which kinds of curve (names in :data:`KINDS`). ``arithmetic``,
        ``sparse_parity`` and ``grokking`` read the book's tables (through
        :func:`emergence.io.datasets.load`, so ``EMERGENCE_DATA`` points them at
        another training); the others are simulated with a fixed seed.

    Returns
    -------
    table : pandas.DataFrame
        A tidy table for :func:`emergence.diagnose.diagnose`.
    expected : pandas.DataFrame
        One row per curve: ``task``, ``family``, ``metric``, ``kind`` and
        ``answer`` (a key of :data:`ACCEPTS`: the verdict labels it accepts).
    """
    unknown = set(include) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; choose from {list(KINDS)}.")
    rng = np.random.default_rng(_SEED)
    builders = {"mirage": lambda: _mirage(rng), "arithmetic": _arithmetic,
                "sparse_parity": _sparse_parity, "grokking": _grokking,
                "line": _lines_and_saturating, "saturating": _lines_and_saturating,
                "chance": lambda: _chance(rng)}
    tables, expected = [], []
    built = set()
    for kind in KINDS:                    # a fixed order, so the random draws are fixed
        if kind not in include or builders[kind] in built:
            continue
        built.add(builders[kind])
        t, e = builders[kind]()
        keep = [i for i, row in enumerate(e) if row[3] in include]
        keys = {(row[0], row[1], row[2]) for row in (e[i] for i in keep)}
        tables += [x for x in t if (x["task"].iloc[0], x["family"].iloc[0],
                                    x["metric"].iloc[0]) in keys]
        expected += [e[i] for i in keep]
    table = pd.concat(tables, ignore_index=True)
    expected = pd.DataFrame(expected, columns=["task", "family", "metric", "kind", "answer"])
    return table, expected


def verdict_label(row) -> str:
    """A verdict reduced to its answer: one row of :func:`emergence.diagnose.diagnose`.

    ``no change beyond noise`` (or ``gets worse``), ``rises early``,
    ``rises gradually``, ``unclear``, ``sharp`` (a linear or continuous
    metric), or, for a sharp nonlinear or discontinuous metric, ``sharp,
    made by the metric``, ``sharp, not made by the metric`` or ``sharp,
    undecided``.
    """
    from emergence.measure.catalogue import SMOOTH_KINDS

    sharp = row["sharp"]
    if sharp is pd.NA:
        return "unclear"
    if not sharp:
        if row["change"] != "rises":
            return NOISE if row["change"] == "flat" else "gets worse"
        early = row["rises_early"]
        return EARLY if early is not pd.NA and bool(early) else GRADUAL
    if row["metric_kind"] in SMOOTH_KINDS:
        return SHARP
    made = row["metric_made"]
    if made is pd.NA:
        return "sharp, undecided"
    return MADE if made else REAL


def _labelled(result, expected):
    both = expected.merge(result, on=["task", "family", "metric"], how="left",
                          validate="one_to_one")
    return both.assign(got=both.apply(verdict_label, axis=1))


def check_verdicts(result: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """The curves whose verdict is not the known answer (empty when all are right).

    ``result`` is :func:`emergence.diagnose.diagnose` of the calibration
    table; a curve is right when its :func:`verdict_label` is one its answer
    accepts (:data:`ACCEPTS`).
    """
    both = _labelled(result, expected)
    ok = [got in ACCEPTS[answer] for got, answer in zip(both["got"], both["answer"])]
    return both.loc[~np.array(ok), ["task", "family", "metric", "kind", "answer", "got",
                                   "verdict"]]


def confusion_table(result: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """Curves by known answer (rows) and verdict label (columns)."""
    both = _labelled(result, expected)
    return pd.crosstab(both["answer"].rename("known answer"), both["got"].rename("verdict"))

"""The book's scoreboard: every family scored by a sharp and a smooth metric on the same outputs.

Gathers, from ``data/``, the curves the chapters measured, each as a pair of
metrics computed on identical model outputs:

- the arithmetic families trained here: exact match (sharp) and token edit
  distance (smooth);
- the vision autoencoders trained here: Reconstruction_0.1 (sharp) and mean
  squared error (smooth);
- the vision classifiers trained here: all 10 of 10 images correct (sharp) and
  per-image accuracy (smooth);
- open models' IPA transliterations (Ruan et al. 2024): exact match (sharp)
  and BLEU (smooth), for each family with at least four models scored both ways.

With ``include_real_jumps=True``, :func:`metric_pairs` adds the families of
the chapter on real jumps, each under accuracy (sharp) and cross-entropy
(smooth):

- multitask sparse parity trained here, in aggregate: the frequency-weighted
  mean over its 20 subtasks (the test loss on strings drawn the way training
  strings are, :func:`emergence.measure.subtasks.frequency_weighted`), averaged over
  the three seeds; across the eleven widths after training (scale:
  parameters), and along the training of the widest model (scale: training
  steps, 30 checkpoints);
- grokking trained here: test accuracy and test cross-entropy of the runs with
  weight decay 1, averaged over the three seeds, at 37 checkpoints along
  training (scale: training steps). The runs without weight decay, which never
  generalise, are the experiment's control and are left out.

The curves along training follow one model, not a family of models: their
"middle model" is the middle checkpoint of a log-spaced grid of steps, and
:data:`STEP_FAMILIES` names them so that no table mistakes their axis.

:func:`scoreboard` summarises each curve by its emergence score and by the
share of its total gain made by the family's middle model
(:func:`emergence.measure.score.compare_metrics`); :func:`subtask_scoreboard` does the
same for each learned subtask of the sparse-parity family, the parts that the
aggregate averages over.
"""

from __future__ import annotations

import pandas as pd

from emergence.io.datasets import load
from emergence.measure.score import compare_metrics
from emergence.measure.subtasks import LEARNED_NATS, frequency_weighted
from emergence.measure.vision import reconstruction_curves, subset_accuracy_curves

__all__ = ["SHARP", "SMOOTH", "PARAMETERS", "TRAINING_STEPS", "REAL_JUMP_FAMILIES",
           "STEP_FAMILIES", "metric_pairs", "scoreboard", "subtask_scoreboard"]

SHARP, SMOOTH = "sharp", "smooth"
PARAMETERS, TRAINING_STEPS = "parameters", "training steps"

#: The families ``metric_pairs(include_real_jumps=True)`` adds (chapter "Are some jumps real?").
REAL_JUMP_FAMILIES = ("sparse parity: aggregate", "sparse parity: aggregate, along training",
                      "grokking: test set, along training")
#: The families whose scale is training steps of one model, not parameters.
STEP_FAMILIES = REAL_JUMP_FAMILIES[1:]

_SUBTASK_TABLES = {PARAMETERS: ("sparse_parity_scale", "params"),
                   TRAINING_STEPS: ("sparse_parity_steps", "step")}


def _sparse_parity_aggregate(table: pd.DataFrame, scale: str) -> pd.DataFrame:
    """Frequency-weighted mean over subtasks per seed and scale, then the mean over seeds."""
    per_seed = frequency_weighted(table, ["seed", scale])
    return per_seed.groupby(scale)[["accuracy", "cross_entropy"]].mean().sort_index()


def metric_pairs(min_models: int = 4, include_real_jumps: bool = False) -> tuple[dict, dict]:
    """The curves behind the scoreboard.

    Parameters
    ----------
    min_models : int
        Open-model families need at least this many models scored both ways.
    include_real_jumps : bool
        Add the sparse-parity and grokking families (:data:`REAL_JUMP_FAMILIES`);
        two of them are measured along training (:data:`STEP_FAMILIES`).

    Returns
    -------
    curves : dict
        ``(family, metric) -> (scales, values, higher_is_better)``, scales in
        parameters, or in training steps for :data:`STEP_FAMILIES`.
    kinds : dict
        ``(family, metric) -> "sharp" or "smooth"``.

    Examples
    --------
    >>> curves, kinds = metric_pairs()
    >>> kinds["arithmetic: addition", "accuracy"]
    'sharp'
    >>> curves, kinds = metric_pairs(include_real_jumps=True)
    >>> kinds["grokking: test set, along training", "test cross-entropy"]
    'smooth'
    """
    if isinstance(include_real_jumps, str) or include_real_jumps not in (True, False):
        raise ValueError(f"include_real_jumps must be True or False, got {include_real_jumps!r}.")
    curves, kinds = {}, {}

    def add(family, metric, scales, values, better, kind):
        curves[family, metric] = (scales, values, better)
        kinds[family, metric] = kind

    arithmetic = load("arithmetic_summary")
    for task, rows in arithmetic.groupby("task"):
        rows = rows.sort_values("params")
        add(f"arithmetic: {task}", "accuracy", rows["params"], rows["accuracy"], True, SHARP)
        add(f"arithmetic: {task}", "token_edit_distance", rows["params"],
            rows["token_edit_distance"], False, SMOOTH)

    ae = reconstruction_curves(load("vision_autoencoders"), cs=[0.1])
    add("vision: autoencoders", "Reconstruction_0.1", ae["params"], ae["c=0.1"], True, SHARP)
    add("vision: autoencoders", "mean squared error", ae["params"], ae["mean_squared_error"],
        False, SMOOTH)

    cl = subset_accuracy_curves(load("vision_classifiers"), ks=[1, 10])
    add("vision: classifiers", "all 10 of 10 correct", cl["params"], cl["K=10"], True, SHARP)
    add("vision: classifiers", "per-image accuracy", cl["params"], cl["K=1"], True, SMOOTH)

    obs = load("obsscaling_emergent")
    ipa = obs[obs["task"] == "ipa_transliterate"]
    for family, rows in ipa.groupby("family"):
        both = rows.pivot_table(index="params", columns="metric", values="score").sort_index()
        if "bleu" not in both or "exact_match" not in both:
            continue
        both = both.dropna()
        if len(both) < min_models:
            continue
        label = f"IPA, open models: {family}"
        add(label, "exact_match", both.index, both["exact_match"], True, SHARP)
        add(label, "bleu", both.index, both["bleu"], True, SMOOTH)

    if include_real_jumps:
        widths = _sparse_parity_aggregate(load("sparse_parity_scale"), "params")
        steps = load("sparse_parity_steps")
        steps = _sparse_parity_aggregate(steps[steps["width"] == steps["width"].max()], "step")
        for family, agg in zip(REAL_JUMP_FAMILIES[:2], (widths, steps)):
            add(family, "accuracy", agg.index, agg["accuracy"], True, SHARP)
            add(family, "cross-entropy", agg.index, agg["cross_entropy"], False, SMOOTH)
        grok = load("grokking_curves")
        grok = (grok[grok["weight_decay"] == 1.0].groupby("step")
                [["test_accuracy", "test_cross_entropy"]].mean().sort_index())
        family = REAL_JUMP_FAMILIES[2]
        add(family, "test accuracy", grok.index, grok["test_accuracy"], True, SHARP)
        add(family, "test cross-entropy", grok.index, grok["test_cross_entropy"], False, SMOOTH)
    return curves, kinds


def _board(curves: dict, kinds: dict, axis_of) -> pd.DataFrame:
    board = compare_metrics(curves)
    board.index = pd.MultiIndex.from_tuples(board.index)
    board.insert(0, "kind", [kinds[label] for label in curves])
    board.insert(1, "axis", [axis_of(label) for label in curves])
    return board


def scoreboard(min_models: int = 4, include_real_jumps: bool = False) -> pd.DataFrame:
    """Emergence score and share of gain at the middle model for every curve of :func:`metric_pairs`.

    Parameters
    ----------
    min_models, include_real_jumps
        As in :func:`metric_pairs`.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(family, metric)``; columns ``kind`` (sharp or smooth),
        ``axis`` (``"parameters"``, or ``"training steps"`` for
        :data:`STEP_FAMILIES`), ``models`` (models or checkpoints),
        ``emergence_score``, ``share_of_gain_at_middle``.

    Examples
    --------
    >>> board = scoreboard()
    >>> sorted(board["kind"].unique()), sorted(board["axis"].unique())
    (['sharp', 'smooth'], ['parameters'])
    >>> sorted(scoreboard(include_real_jumps=True)["axis"].unique())
    ['parameters', 'training steps']
    """
    curves, kinds = metric_pairs(min_models, include_real_jumps=include_real_jumps)
    board = _board(curves, kinds,
                   lambda label: TRAINING_STEPS if label[0] in STEP_FAMILIES else PARAMETERS)
    board.index.names = ["family", "metric"]
    return board


def subtask_scoreboard(axis: str = PARAMETERS) -> pd.DataFrame:
    """The scoreboard of each learned subtask of the sparse-parity family, per seed.

    The aggregate rows of :func:`scoreboard` average 20 subtasks; this scores the
    parts the same way, accuracy (sharp) and cross-entropy (smooth) of each
    subtask and seed, by :func:`emergence.measure.score.compare_metrics`. Only subtasks
    *learned* by the end of the curve count (cross-entropy below 0.1 bits,
    :data:`emergence.measure.subtasks.LEARNED_NATS`, at the largest scale, as the chapter
    on real jumps counts them): a subtask still at chance has no transition to
    score.

    Parameters
    ----------
    axis : {"parameters", "training steps"}
        Across the eleven widths after training, or along the training of the
        widest model.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(seed, subtask, metric)``; columns as in :func:`scoreboard`.

    Examples
    --------
    >>> parts = subtask_scoreboard()
    >>> sorted(parts["kind"].unique()), parts["axis"].unique().tolist()
    (['sharp', 'smooth'], ['parameters'])
    """
    if axis not in _SUBTASK_TABLES:
        raise ValueError(f"axis must be one of {sorted(_SUBTASK_TABLES)}, got {axis!r}.")
    name, scale = _SUBTASK_TABLES[axis]
    table = load(name)
    table = table[table["width"] == table["width"].max()] if axis == TRAINING_STEPS else table
    curves, kinds = {}, {}
    for (seed, subtask), rows in table.groupby(["seed", "subtask"], sort=True):
        rows = rows.sort_values(scale)
        if not rows["cross_entropy"].iloc[-1] < LEARNED_NATS:
            continue
        for metric, kind, better in (("accuracy", SHARP, True), ("cross-entropy", SMOOTH, False)):
            label = (int(seed), int(subtask), metric)
            curves[label] = (rows[scale], rows[metric.replace("-", "_")], better)
            kinds[label] = kind
    if not curves:
        raise ValueError(f"no subtask of {name} is learned by its largest {scale}; "
                         "regenerate the cache (python -m emergence.experiments.sparse_parity).")
    board = _board(curves, kinds, lambda label: axis)
    board.index.names = ["seed", "subtask", "metric"]
    return board

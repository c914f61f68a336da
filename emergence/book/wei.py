"""Reading Wei et al. (2022) against its own tables and against open models.

Three small tools for the chapter on what Wei et al. claim:

- :func:`leaves_chance`: the smallest model scale from which a scaling curve stays
  above chance by a chosen margin, the operational version of "performance is
  near-random until a certain critical threshold of scale is reached".
- :func:`parse_scale` and :func:`emergence_scale`: turn labels such as ``"13B"`` or
  ``"PaLM 64B"`` into numbers, using the paper's Table 2 for training FLOPs.
- :func:`table_mismatches`: set each row of Table 1 beside the model of Table 2 it
  names, so that disagreements between the two tables show up as ratios.

Examples
--------
>>> leaves_chance([1e20, 1e21, 1e22, 1e23], [0.0, 0.01, 0.30, 0.60], chance=0.0)
1e+22
>>> parse_scale("1.34T")
1340000000000.0
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from emergence._validate import as_float_array, check_same_length

__all__ = [
    "leaves_chance",
    "parse_scale",
    "emergence_scale",
    "table_mismatches",
    "family_curve",
    "chance_summary",
    "BLOG_MODEL_NAMES",
]

#: The blog post names two models differently from the paper's Table 2.
BLOG_MODEL_NAMES = {"PaLM 64B": "PaLM 62B", "Chinchilla 7B": "Chinchilla 7.1B"}

_SUFFIX = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def leaves_chance(scales, scores, chance: float, margin: float = 0.05) -> float:
    """Smallest scale from which every score is above ``chance + margin``.

    A curve "leaves chance" at the first model after which no larger model falls
    back to within ``margin`` of chance. Requiring every later model to stay above
    keeps one lucky small model from counting as emergence.

    Parameters
    ----------
    scales : array-like
        Model scales (parameters or training FLOPs), positive. They need not be
        sorted; ties are not allowed.
    scores : array-like
        The metric for each model, on the same scale as ``chance`` (e.g. accuracy
        as a fraction).
    chance : float
        Score of random guessing (0 for exact match on a generation task, 0.25 for
        four-option multiple choice).
    margin : float, default 0.05
        How far above chance counts as "above chance". This is a choice, not a
        law: Wei et al. call their own judgement of "near-random" subjective.

    Returns
    -------
    float
        The scale, or ``nan`` if the largest model is still within the margin.

    Raises
    ------
    ValueError
        If the arrays differ in length, contain NaN, scales are not positive or
        contain duplicates, or ``margin`` is negative.

    Examples
    --------
    >>> leaves_chance([1, 2, 3, 4], [0.26, 0.40, 0.27, 0.50], chance=0.25)
    4.0
    >>> leaves_chance([1, 2], [0.0, 0.01], chance=0.0)
    nan
    """
    x = as_float_array(scales, "scales")
    y = as_float_array(scores, "scores")
    check_same_length(scales=x, scores=y)
    if (x <= 0).any():
        raise ValueError("scales must be positive (model sizes or FLOPs).")
    if len(np.unique(x)) != len(x):
        raise ValueError("scales contains duplicates: keep one model per scale.")
    if not np.isfinite(chance):
        raise ValueError("chance must be a finite number.")
    if not np.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be a number >= 0, got {margin!r}.")
    order = np.argsort(x)
    x, y = x[order], y[order]
    above = y > chance + margin
    if not above[-1]:
        return float("nan")
    # Index of the last model that is not above; the curve leaves chance after it.
    not_above = np.flatnonzero(~above)
    first = 0 if not_above.size == 0 else not_above[-1] + 1
    return float(x[first])


def parse_scale(label: str) -> float:
    """Number behind a printed scale label: ``"13B"`` -> 1.3e10, ``"40M"`` -> 4e7.

    Parameters
    ----------
    label : str
        A number followed by K, M, B or T (thousand, million, billion, trillion),
        optionally with trailing text such as ``" [sic]"``.

    Examples
    --------
    >>> parse_scale("7.1B [sic]")
    7100000000.0
    """
    if not isinstance(label, str):
        raise ValueError(f"label must be a string such as '13B', got {label!r}.")
    match = re.match(r"\s*([0-9]*\.?[0-9]+)\s*([KMBT])\b", label)
    if not match:
        raise ValueError(
            f"label {label!r} is not a number followed by K, M, B or T (e.g. '13B')."
        )
    return float(match.group(1)) * _SUFFIX[match.group(2)]


def emergence_scale(model: str, models: pd.DataFrame, quantity: str = "train_flops") -> float:
    """Training FLOPs (or parameters) of a model named as in Wei's list.

    Parameters
    ----------
    model : str
        A name such as ``"GPT-3 13B"`` or ``"PaLM 64B"`` (the blog's name for
        PaLM 62B; see :data:`BLOG_MODEL_NAMES`).
    models : pandas.DataFrame
        The table ``wei_models`` (Wei et al. Table 2).
    quantity : {"train_flops", "params", "train_tokens"}
        Which column to return.

    Examples
    --------
    >>> table = pd.DataFrame({"model": ["PaLM 62B"], "train_flops": [2.9e23],
    ...                       "params": [62e9], "train_tokens": [780e9]})
    >>> emergence_scale("PaLM 64B", table)
    2.9e+23
    """
    if quantity not in ("train_flops", "params", "train_tokens"):
        raise ValueError(
            f"quantity must be 'train_flops', 'params' or 'train_tokens', got {quantity!r}."
        )
    if "model" not in models.columns or quantity not in models.columns:
        raise ValueError(f"models must have columns 'model' and {quantity!r} (load 'wei_models').")
    name = BLOG_MODEL_NAMES.get(model, model)
    hit = models.loc[models["model"] == name, quantity]
    if hit.empty:
        raise ValueError(
            f"model {model!r} is not in the table; known: {', '.join(models['model'])}."
        )
    return float(hit.iloc[0])


def table_mismatches(table1: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """Each row of Table 1 beside the closest-sized model of its family in Table 2.

    Table 1 names a family and a parameter count; Table 2 lists every model of the
    family with its FLOPs. For each Table 1 row whose family appears in Table 2
    (``Anthropic`` is matched to ``Anthropic LM``; ``FLAN`` to ``LaMDA``, the model
    FLAN fine-tunes), the model with the nearest parameter count (on a log scale)
    is taken, and the ratios of parameters and of FLOPs are returned. Ratios
    outside 0.95-1.05 are more than the tables' two-digit rounding explains.

    Parameters
    ----------
    table1, models : pandas.DataFrame
        The tables ``wei_table1`` and ``wei_models``.

    Returns
    -------
    pandas.DataFrame
        Columns ``ability``, ``family``, ``params_table1``, ``params_table2``,
        ``flops_table1``, ``flops_table2``, ``params_ratio``, ``flops_ratio``,
        ``mismatch`` (bool).

    Examples
    --------
    >>> t1 = pd.DataFrame({"ability": ["a"], "model_family": ["PaLM"],
    ...                    "params": [62e9], "train_flops": [2.9e23]})
    >>> t2 = pd.DataFrame({"family": ["PaLM"], "model": ["PaLM 62B"],
    ...                    "params": [62e9], "train_flops": [2.90e23]})
    >>> bool(table_mismatches(t1, t2)["mismatch"].iloc[0])
    False
    """
    for name, table, cols in (
        ("table1", table1, ("ability", "model_family", "params", "train_flops")),
        ("models", models, ("family", "model", "params", "train_flops")),
    ):
        missing = [c for c in cols if c not in table.columns]
        if missing:
            raise ValueError(f"{name} lacks column(s) {missing}.")
    alias = {"Anthropic": "Anthropic LM", "FLAN": "LaMDA"}
    rows = []
    for _, r in table1.dropna(subset=["params", "train_flops"]).iterrows():
        family = alias.get(r["model_family"], r["model_family"])
        same = models[models["family"] == family]
        if same.empty:
            continue
        dist = np.abs(np.log(same["params"].to_numpy(float)) - np.log(float(r["params"])))
        m = same.iloc[int(np.argmin(dist))]
        rows.append({
            "ability": r["ability"], "family": family, "model_table2": m["model"],
            "params_table1": float(r["params"]), "params_table2": float(m["params"]),
            "flops_table1": float(r["train_flops"]), "flops_table2": float(m["train_flops"]),
        })
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["params_ratio"] = out["params_table1"] / out["params_table2"]
    out["flops_ratio"] = out["flops_table1"] / out["flops_table2"]
    out["mismatch"] = ~(out["params_ratio"].between(0.95, 1.05)
                        & out["flops_ratio"].between(0.95, 1.05))
    return out


def family_curve(table: pd.DataFrame, family: str, task: str, metric: str,
                 scale: str = "train_flops") -> pd.DataFrame:
    """One family's scaling curve from ``obsscaling_emergent``, sorted by scale.

    Scores are returned as fractions (``score / score_max``), so BLEU (0-100) and
    accuracy (0-1) share an axis. Models without a value of ``scale`` are dropped.

    Examples
    --------
    >>> t = pd.DataFrame({"family": ["F", "F"], "task": ["t", "t"], "metric": ["bleu"] * 2,
    ...                   "train_flops": [2e21, 1e21], "params": [2e9, 1e9],
    ...                   "score": [30.0, 10.0], "score_max": [100.0, 100.0], "model": ["b", "a"]})
    >>> family_curve(t, "F", "t", "bleu")["fraction"].tolist()
    [0.1, 0.3]
    """
    if scale not in ("train_flops", "params"):
        raise ValueError(f"scale must be 'train_flops' or 'params', got {scale!r}.")
    sel = table[(table["family"] == family) & (table["task"] == task)
                & (table["metric"] == metric)].dropna(subset=[scale])
    if sel.empty:
        raise ValueError(
            f"no rows for family={family!r}, task={task!r}, metric={metric!r} with a {scale}."
        )
    out = sel.assign(fraction=sel["score"] / sel["score_max"]).sort_values(scale)
    return out[["model", "params", "train_flops", "fraction"]].reset_index(drop=True)


def chance_summary(table: pd.DataFrame, families, tasks, chance=None,
                   margin: float = 0.05) -> pd.DataFrame:
    """Where each family's curve leaves chance, for several tasks at once.

    Parameters
    ----------
    table : pandas.DataFrame
        The table ``obsscaling_emergent``.
    families : list of str
        Model families, e.g. ``["Pythia", "OPT"]``.
    tasks : list of (task, metric) pairs
        E.g. ``[("word_unscrambling", "exact_match")]``.
    chance : dict, optional
        Chance score (as a fraction) per task; tasks not in it get 0.
    margin : float
        Passed to :func:`leaves_chance`.

    Returns
    -------
    pandas.DataFrame
        One row per family x task x metric that has data: ``n_models``,
        ``smallest_flops``, ``largest_flops``, ``leaves_chance_flops`` (NaN if the
        largest model is still at chance) and ``above_at_smallest`` (True when the
        smallest model is already above chance, so the curve left chance at or
        below the smallest scale measured).

    Examples
    --------
    >>> t = pd.DataFrame({"family": ["F"] * 3, "task": ["t"] * 3, "metric": ["exact_match"] * 3,
    ...                   "train_flops": [1e20, 1e21, 1e22], "params": [1e8, 1e9, 1e10],
    ...                   "score": [0.0, 0.0, 0.4], "score_max": [1.0] * 3, "model": list("abc")})
    >>> chance_summary(t, ["F"], [("t", "exact_match")])["leaves_chance_flops"].tolist()
    [1e+22]
    """
    chance = {} if chance is None else dict(chance)
    rows = []
    for task, metric in tasks:
        for family in families:
            try:
                curve = family_curve(table, family, task, metric)
            except ValueError:
                continue
            c = float(chance.get(task, 0.0))
            rows.append({
                "family": family, "task": task, "metric": metric, "chance": c,
                "n_models": len(curve),
                "smallest_flops": float(curve["train_flops"].iloc[0]),
                "largest_flops": float(curve["train_flops"].iloc[-1]),
                "leaves_chance_flops": leaves_chance(curve["train_flops"], curve["fraction"],
                                                     chance=c, margin=margin),
                "above_at_smallest": bool(curve["fraction"].iloc[0] > c + margin),
            })
    return pd.DataFrame(rows)

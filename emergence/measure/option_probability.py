"""Where a multiple-choice model's probability goes, from log-likelihood to accuracy.

A multiple-choice score is computed from the model's log-probability of each
option by a chain of steps: the log-probability of the right option, its
probability, that probability renormalised over the offered options, and
finally accuracy (is the right option the most probable?). Schaeffer et al.
(2024) argue that each step loosens the tie between score and scale,
because the later ones depend on how much probability the specific wrong
options get.

- :func:`option_scores`: every step of the chain for every model and
  problem, plus where the rest of the probability sits (on the wrong
  options; outside the options altogether);
- :func:`score_scale_correlations`: for each problem, the correlation across
  a model family between each score and log scale, as those authors compute
  it (per sample, over the family);
- :func:`correlation_summary`: mean and median of those correlations per score;
- :func:`score_multiple_choice`: multiple-choice grade and Brier score per model, as
  BIG-bench scores them.

Examples
--------
>>> table = pd.DataFrame({"model": "m", "params": 10, "problem_id": [0, 0],
...                       "option": [0, 1], "log_prob": np.log([0.3, 0.1]),
...                       "is_correct": [True, False]})
>>> option_scores(table)[["prob_vocab_correct", "prob_choices_correct", "accuracy"]].round(2).values.tolist()
[[0.3, 0.75, 1.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence.measure.metrics import brier_score, multiple_choice_grade

__all__ = ["SCORES", "option_scores", "score_scale_correlations", "correlation_summary",
           "score_multiple_choice"]

#: The chain of scores, from the log-likelihood to accuracy, with whether higher is better.
SCORES = {
    "log_prob_vocab_correct": True,
    "prob_vocab_correct": True,
    "prob_choices_correct": True,
    "brier_score": False,
    "accuracy": True,
}

_NEEDED = ["model", "params", "problem_id", "option", "log_prob", "is_correct"]


def _check_table(options) -> None:
    if not isinstance(options, pd.DataFrame):
        raise ValueError("options must be a pandas DataFrame with columns " + ", ".join(_NEEDED) + ".")
    missing = [c for c in _NEEDED if c not in options.columns]
    if missing:
        raise ValueError(f"options lacks column(s) {missing}; it has {list(options.columns)}.")
    if options["log_prob"].isna().any() or (options["log_prob"] > 1e-9).any():
        raise ValueError("options: log_prob must be a log-probability (<= 0, no NaN) in every row.")


def option_scores(options: pd.DataFrame) -> pd.DataFrame:
    """Every score of the chain, per model and problem, from per-option log-probabilities.

    Parameters
    ----------
    options : pandas.DataFrame
        One row per model x problem x option: ``model``, ``params``,
        ``problem_id``, ``option``, ``log_prob`` (natural log of the option's
        probability under the model, over its whole vocabulary) and
        ``is_correct`` (one True per model x problem). Every problem has the
        same number of options.

    Returns
    -------
    pandas.DataFrame
        One row per model x problem, sorted by ``params`` then ``problem_id``:
        ``model``, ``params``, ``problem_id``, ``log_prob_vocab_correct``,
        ``prob_vocab_correct``, ``prob_choices_correct`` (renormalised over
        the options), ``brier_score`` (BIG-bench's, over the options),
        ``accuracy`` (1 if the right option is the most probable),
        ``prob_vocab_wrong`` (total probability of the wrong options) and
        ``prob_outside`` (probability of answers that are not options; the
        options are distinct whole answers, so they are disjoint events).

    Raises
    ------
    ValueError
        If a column is missing, a log-probability is positive, problems have
        different numbers of options, or a problem has no or several correct options.

    Examples
    --------
    >>> table = pd.DataFrame({"model": "m", "params": 10, "problem_id": [0, 0, 1, 1],
    ...                       "option": [0, 1, 0, 1], "log_prob": np.log([0.2, 0.6, 0.1, 0.3]),
    ...                       "is_correct": [True, False, False, True]})
    >>> option_scores(table)[["prob_choices_correct", "accuracy", "prob_vocab_wrong",
    ...                       "prob_outside"]].round(2).values.tolist()
    [[0.25, 0.0, 0.6, 0.2], [0.75, 1.0, 0.1, 0.6]]
    """
    _check_table(options)
    rows = []
    for (model, params), group in options.groupby(["model", "params"], sort=False):
        group = group.sort_values(["problem_id", "option"])
        k = group.groupby("problem_id").size()
        if k.nunique() != 1:
            raise ValueError(f"options: model {model!r} has problems with different numbers of "
                             f"options ({sorted(k.unique())}); every problem needs the same number.")
        k = int(k.iloc[0])
        correct = group["is_correct"].astype(bool).to_numpy().reshape(-1, k)
        if not (correct.sum(axis=1) == 1).all():
            raise ValueError(f"options: model {model!r} has a problem without exactly one correct option.")
        log_prob = group["log_prob"].to_numpy(float).reshape(-1, k)
        index = correct.argmax(axis=1)
        items = np.arange(len(index))
        prob = np.exp(log_prob)
        right = prob[items, index]
        # renormalise in log space: the raw probabilities of a small model underflow
        shifted = np.exp(log_prob - log_prob.max(axis=1, keepdims=True))
        rows.append(pd.DataFrame({
            "model": model,
            "params": params,
            "problem_id": group["problem_id"].to_numpy().reshape(-1, k)[:, 0],
            "log_prob_vocab_correct": log_prob[items, index],
            "prob_vocab_correct": right,
            "prob_choices_correct": shifted[items, index] / shifted.sum(axis=1),
            "brier_score": brier_score(log_prob, index),
            "accuracy": multiple_choice_grade(log_prob, index),
            "prob_vocab_wrong": prob.sum(axis=1) - right,
            "prob_outside": np.clip(1.0 - prob.sum(axis=1), 0.0, 1.0),
        }))
    return pd.concat(rows, ignore_index=True).sort_values(["params", "problem_id"], ignore_index=True)


def score_scale_correlations(scores: pd.DataFrame, columns=None, method: str = "spearman",
                             scale: str = "params") -> pd.DataFrame:
    """Per-problem correlation, across the models of a family, between each score and log scale.

    For each problem and score, the family's models give pairs
    ``(ln scale, score)``; their correlation says how faithfully that
    problem's score follows scale. A score that does not change across the
    family has no correlation (NaN); :func:`correlation_summary` counts them.

    Parameters
    ----------
    scores : pandas.DataFrame
        As returned by :func:`option_scores` (one row per model x problem).
    columns : list of str, optional
        Scores to correlate; default every key of :data:`SCORES`.
    method : {"spearman", "pearson", "kendall"}
        Rank (Spearman, Kendall) or linear (Pearson, on ``ln scale``) correlation.
    scale : str
        Column holding each model's scale.

    Returns
    -------
    pandas.DataFrame
        One row per problem x score: ``problem_id``, ``score``, ``correlation``.
        Signs are as computed: a lower-is-better score (Brier) that improves
        with scale has a negative correlation.

    Examples
    --------
    >>> s = pd.DataFrame({"params": [1, 10, 100] * 2, "problem_id": [0] * 3 + [1] * 3,
    ...                   "accuracy": [0, 0, 1, 1, 1, 1.0]})
    >>> score_scale_correlations(s, ["accuracy"])["correlation"].round(3).tolist()
    [0.866, nan]
    """
    from scipy import stats

    if method not in ("spearman", "pearson", "kendall"):
        raise ValueError(f"method must be 'spearman', 'pearson' or 'kendall', got {method!r}.")
    columns = list(SCORES) if columns is None else list(columns)
    missing = [c for c in columns + [scale, "problem_id"] if c not in scores.columns]
    if missing:
        raise ValueError(f"scores lacks column(s) {missing}; pass the output of option_scores.")
    out = []
    for column in columns:
        wide = scores.pivot(index=scale, columns="problem_id", values=column).sort_index()
        if wide.isna().any().any():
            raise ValueError(f"scores: column {column!r} is missing for some model x problem.")
        if len(wide) < 3:
            raise ValueError("score_scale_correlations needs at least three models.")
        x = np.log(wide.index.to_numpy(float))
        y = wide.to_numpy(float)
        constant = np.ptp(y, axis=0) == 0
        if method == "kendall":
            corr = _kendall_tau_b(x, y)
        else:
            if method == "spearman":
                x, y = stats.rankdata(x), stats.rankdata(y, axis=0)
            xc = x - x.mean()
            yc = y - y.mean(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                corr = (xc @ yc) / np.sqrt((xc @ xc) * (yc * yc).sum(axis=0))
            corr = np.where(constant, np.nan, corr)
        out.append(pd.DataFrame({"problem_id": wide.columns.to_numpy(), "score": column,
                                 "correlation": corr}))
    return pd.concat(out, ignore_index=True)


def _kendall_tau_b(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Kendall's tau-b between ``x`` (models) and every column of ``y`` (models x problems).

    The same statistic as :func:`scipy.stats.kendalltau` (its default, tau-b),
    computed for all problems at once from the signs of the pairwise differences.
    """
    i, j = np.triu_indices(len(x), k=1)
    sx = np.sign(x[j] - x[i])[:, None]
    sy = np.sign(y[j] - y[i])
    pairs = len(i)
    untied_x = (sx != 0).sum()
    untied_y = (sy != 0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = (sx * sy).sum(axis=0) / np.sqrt(float(untied_x) * untied_y)
    return np.where((untied_y == 0) | (untied_x == 0) | (pairs == 0), np.nan, tau)


def correlation_summary(correlations: pd.DataFrame) -> pd.DataFrame:
    """Mean and median per-problem correlation of each score, and how many were undefined.

    Lower-is-better scores (see :data:`SCORES`) have their sign flipped, so
    that for every score 1 means "improves with scale on every problem".

    Examples
    --------
    >>> c = pd.DataFrame({"score": ["accuracy"] * 3, "correlation": [1.0, 0.5, np.nan]})
    >>> correlation_summary(c).round(2).values.tolist()
    [[0.75, 0.75, 1.0, 3.0]]
    """
    missing = [c for c in ("score", "correlation") if c not in correlations.columns]
    if missing:
        raise ValueError(f"correlations lacks column(s) {missing}; pass score_scale_correlations' output.")
    signed = correlations.assign(correlation=[
        c if SCORES.get(s, True) else -c for s, c in zip(correlations["score"], correlations["correlation"])])
    order = [s for s in SCORES if s in set(signed["score"])] + sorted(set(signed["score"]) - set(SCORES))
    grouped = signed.groupby("score", sort=False)["correlation"]
    table = pd.DataFrame({
        "mean": grouped.mean(),
        "median": grouped.median(),
        "undefined": grouped.apply(lambda c: int(c.isna().sum())),
        "problems": grouped.size(),
    }).astype(float)
    return table.loc[order]


def score_multiple_choice(options: pd.DataFrame) -> pd.DataFrame:
    """Multiple-choice grade and Brier score per model, from per-option log-probabilities.

    For each model and problem, the options' log-probabilities are scored
    with :func:`emergence.measure.metrics.multiple_choice_grade` (1 if the correct
    option has the highest probability) and
    :func:`emergence.measure.metrics.brier_score` (softmax over the options, then
    squared error against the one-hot target, as BIG-bench's
    ``calibration_multiple_choice_brier_score``), then averaged over problems.

    Parameters
    ----------
    options : pandas.DataFrame
        One row per model x problem x option, with columns ``model``,
        ``params``, ``problem_id``, ``option``, ``log_prob`` and
        ``is_correct`` (exactly one True per model x problem). Every problem
        must have the same number of options.

    Returns
    -------
    pandas.DataFrame
        One row per model, sorted by ``params``: ``model``, ``params``,
        ``n_problems``, ``multiple_choice_grade``, ``brier_score``.

    Examples
    --------
    >>> opts = pd.DataFrame({"model": "m", "params": 10, "problem_id": [0, 0, 1, 1],
    ...                      "option": [0, 1, 0, 1], "log_prob": np.log([0.9, 0.1, 0.4, 0.6]),
    ...                      "is_correct": [True, False, True, False]})
    >>> out = score_multiple_choice(opts)
    >>> out[["multiple_choice_grade", "brier_score"]].round(3).values.tolist()
    [[0.5, 0.185]]
    """
    needed = ["model", "params", "problem_id", "option", "log_prob", "is_correct"]
    if not isinstance(options, pd.DataFrame):
        raise ValueError("options must be a pandas DataFrame with columns " + ", ".join(needed))
    missing = [c for c in needed if c not in options.columns]
    if missing:
        raise ValueError(f"options lacks column(s) {missing}; it has {list(options.columns)}.")
    rows = []
    for (model, params), group in options.groupby(["model", "params"], sort=False):
        group = group.sort_values(["problem_id", "option"])
        k = group.groupby("problem_id").size()
        if k.nunique() != 1:
            raise ValueError(
                f"options: model {model!r} has problems with different numbers of options "
                f"({sorted(k.unique())}); every problem needs the same k."
            )
        k = int(k.iloc[0])
        correct = group["is_correct"].astype(bool).to_numpy().reshape(-1, k)
        if not (correct.sum(axis=1) == 1).all():
            raise ValueError(
                f"options: model {model!r} has a problem without exactly one correct option."
            )
        scores = group["log_prob"].to_numpy(float).reshape(-1, k)
        index = correct.argmax(axis=1)
        rows.append({
            "model": model, "params": float(params), "n_problems": len(index),
            "multiple_choice_grade": float(multiple_choice_grade(scores, index).mean()),
            "brier_score": float(brier_score(scores, index).mean()),
        })
    return pd.DataFrame(rows).sort_values("params", ignore_index=True)

"""How often the book's families are forecast from their smaller models: backtests of every curve.

A thin layer over :func:`emergence.forecast.backtest.backtest` (the book's one
backtest) and :func:`emergence.experiments.scoreboard.metric_pairs` (the book's curves,
each family under a sharp and a smooth metric computed on the same outputs):

- :data:`CURVES`: which curve each metric is forecast with, following the
  backtest's own rule: a power law for losses, distances and error rates, a
  logistic in log-scale for bounded scores;
- :func:`family_backtests`: hold back each family's largest models, fit the
  rest, and say whether each forecast lands within :data:`TOLERANCE`;
- :func:`hit_rates`: the share of forecasts that land, by kind of metric.

What counts as landing is a choice, stated here once. For a bounded score
(accuracy, exact match, the share of images reconstructed, BLEU divided by
100) the forecast must be within 0.05 of the observed value, five points on
the 0-1 scale; for an unbounded loss or distance (token edit distance, mean
squared error) within 25% of it.

Examples
--------
>>> table = family_backtests()
>>> sorted(table["kind"].unique())
['sharp', 'smooth']
>>> bool(table["within"].dtype == bool)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence.forecast.backtest import backtest
from emergence.experiments.scoreboard import metric_pairs

__all__ = ["CURVES", "TOLERANCE", "family_backtests", "hit_rates"]

#: metric -> (curve, floor, ceiling, bounded): how each metric of the scoreboard is forecast.
CURVES = {
    "accuracy": ("logistic", 0.0, 1.0, True),
    "exact_match": ("logistic", 0.0, 1.0, True),
    "Reconstruction_0.1": ("logistic", 0.0, 1.0, True),
    "all 10 of 10 correct": ("logistic", 0.0, 1.0, True),
    "bleu": ("logistic", 0.0, 100.0, True),
    # per-image accuracy: its error rate 1 - accuracy is forecast as a power law
    "per-image accuracy": ("power_law", 0.0, 1.0, True),
    "token_edit_distance": ("power_law", 0.0, np.inf, False),
    "mean squared error": ("power_law", 0.0, np.inf, False),
}

#: Landing zone: absolute, as a share of the scale, for bounded scores; relative otherwise.
TOLERANCE = {"bounded": 0.05, "unbounded": 0.25}


def _holdout(n_models: int) -> int:
    # two held back where at least six remain to fit, one otherwise (three is the minimum fit)
    return 2 if n_models >= 8 else 1


def family_backtests(min_models: int = 4, holdout=None, tolerance=None, pairs=None) -> pd.DataFrame:
    """Backtest every curve of :func:`emergence.experiments.scoreboard.metric_pairs`.

    Parameters
    ----------
    min_models : int
        Open-model families need at least this many models (as in the scoreboard).
    holdout : int, optional
        Models held back per family; by default 2 for families of 8 or more
        models and 1 for smaller ones.
    tolerance : dict, optional
        ``{"bounded": ..., "unbounded": ...}``, default :data:`TOLERANCE`.
    pairs : tuple, optional
        The result of ``metric_pairs(min_models)``, if already computed
        (it reads every table of the scoreboard).

    Returns
    -------
    pandas.DataFrame
        One row per forecast (a held-out model): ``family``, ``metric``,
        ``kind`` (sharp / smooth), ``curve`` (logistic / power_law),
        ``models`` (in the family), ``fitted`` (models in the fit), ``scale``,
        ``observed``, ``predicted``, ``error`` (predicted - observed, in the
        metric's units), ``miss`` (the error as the tolerance measures it:
        absolute share of the scale, or relative), ``within`` (bool).
    """
    tol = dict(TOLERANCE if tolerance is None else tolerance)
    if set(tol) != {"bounded", "unbounded"} or min(tol.values()) <= 0:
        raise ValueError("tolerance must be {'bounded': positive, 'unbounded': positive}.")
    curves, kinds = metric_pairs(min_models) if pairs is None else pairs
    rows = []
    for (family, metric), (scales, values, better) in curves.items():
        if metric not in CURVES:
            raise ValueError(f"no forecasting curve is set for metric {metric!r}; add it to CURVES.")
        curve, floor, ceiling, bounded = CURVES[metric]
        x = np.asarray(scales, dtype=float)
        y = np.asarray(values, dtype=float)
        held = _holdout(len(x)) if holdout is None else holdout
        table = backtest(x, y, kind=curve, holdout=held, floor=floor,
                         ceiling=ceiling if np.isfinite(ceiling) else 1.0,
                         higher_is_better=better)
        if bounded:
            miss = table["error"].abs() / (ceiling - floor)
            limit = tol["bounded"]
        else:
            miss = table["error"].abs() / table["observed"].abs()
            limit = tol["unbounded"]
        for (_, row), m in zip(table.iterrows(), miss):
            rows.append({"family": family, "metric": metric, "kind": kinds[family, metric],
                         "curve": curve, "models": len(x), "fitted": len(x) - held,
                         "scale": row["scale"], "observed": row["observed"],
                         "predicted": row["predicted"], "error": row["error"], "miss": float(m),
                         "within": bool(m <= limit)})
    return pd.DataFrame(rows)


def hit_rates(backtests: pd.DataFrame) -> pd.DataFrame:
    """Share of forecasts within tolerance, for sharp metrics, smooth metrics and all.

    Examples
    --------
    >>> t = pd.DataFrame({"kind": ["sharp", "sharp", "smooth"], "within": [True, False, True]})
    >>> hit_rates(t)["share within"].tolist()
    [0.5, 1.0, 0.6666666666666666]
    """
    if not {"kind", "within"} <= set(backtests.columns):
        raise ValueError("backtests must be the table of family_backtests().")
    groups = {kind: g["within"] for kind, g in backtests.groupby("kind")}
    groups["all"] = backtests["within"]
    return pd.DataFrame({"forecasts": {k: int(len(v)) for k, v in groups.items()},
                         "within": {k: int(v.sum()) for k, v in groups.items()},
                         "share within": {k: float(v.mean()) for k, v in groups.items()}})

"""The checks :func:`~emergence.diagnose.diagnose` makes on every curve at once.

Each takes the table of curves (one row per task x family x metric), with the packed
points where it needs them, and adds its columns: the test-set sizes and the resolution
floor, where the gain is made against the noise, the best partner metric of the same
outputs and whether a sharp curve is consistent with a jump made by its metric, the p^L
curve a per-token metric predicts, and the backtests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence.diagnose.shape import NOISE_Z, flat_within_noise, judge_shape
from emergence.diagnose.wording import fmt
from emergence.forecast.backtest import backtest_many
from emergence.measure.catalogue import SHARP_KINDS, SMOOTH_KINDS, UNKNOWN as _UNKNOWN, MetricInfo
from emergence.model.mirage import accuracy_from_loss, expected_accuracy, implied_per_token_probability

#: A backtest forecasts a held-out model when its error is within this share of
#: the metric's range (logistic) or of the observed gap to the best value (power law).
LOGISTIC_TOLERANCE = 0.05
POWER_LAW_TOLERANCE = 0.10
#: p^L reproduces an exact-match curve when every point is within this (or within
#: the point's exact interval, where the test-set size is known).
P_L_TOLERANCE = 0.05

# A sharp metric's partners of the same outputs, best first: the ones that give
# p (for p^L) first, then other linear or continuous metrics, then other sharp ones.
_P_SOURCES = ("per_token_accuracy", "token_edit_distance", "per_token_cross_entropy", "loss",
              "per_token_loss")
_PARTNER_ORDER = (*_P_SOURCES, "calibration_multiple_choice_brier_score", "brier_score",
                  "log_likelihood", "cross_entropy", "perplexity", "ppl", "word_perplexity",
                  "byte_perplexity", "bits_per_byte", "mc2", "logprob", "logprob_per_byte")
# The metrics p^L is a model of: all-or-nothing string matches.
_P_L_TARGETS = ("exact_match", "accuracy", "exact_str_match", "case_insensitive_str_match",
                "quasi_exact_match")



def _resolution(curves, points, n_curves):
    """Test-set sizes and the models at 0 correct, per curve."""
    known = points[np.isfinite(points["n_correct"].to_numpy())]
    curves["n_items_min"] = np.nan
    curves["n_items_max"] = np.nan
    curves["resolution_floor"] = np.nan
    curves["models_at_zero"] = 0
    curves["smallest_at_zero"] = 0
    if known.empty:
        return
    g = known.groupby("_curve", sort=False)
    idx = g.size().index.to_numpy()
    curves.loc[idx, "n_items_min"] = g["n_items"].min().to_numpy()
    curves.loc[idx, "n_items_max"] = g["n_items"].max().to_numpy()
    curves.loc[idx, "resolution_floor"] = g["resolution_floor"].max().to_numpy()
    zero = known["n_correct"].to_numpy() == 0
    curves.loc[idx, "models_at_zero"] = (pd.Series(zero, index=known.index)
                                         .groupby(known["_curve"]).sum()
                                         .reindex(idx).to_numpy())
    # the leading run of zeros: points are sorted by scale within each curve
    pos = known.groupby("_curve", sort=False).cumcount().to_numpy()
    nonzero_before = (pd.Series(~zero, index=known.index).groupby(known["_curve"]).cummax()
                      .to_numpy())
    leading = zero & ~nonzero_before & (pos >= 0)
    curves.loc[idx, "smallest_at_zero"] = (pd.Series(leading, index=known.index)
                                           .groupby(known["_curve"]).sum()
                                           .reindex(idx).to_numpy())


def _shape(curves, X, Y, S, measured):
    """Where each curve makes its gain, weighed against its noise (:mod:`emergence.diagnose.shape`)."""
    n_curves = len(curves)
    shape = pd.DataFrame({"change": np.full(n_curves, None, dtype=object),
                          "noise": np.nan, "net_gain": np.nan,
                          "share_by_mid_scale": np.nan, "steepest_quarter": np.nan})
    for col in ("late", "rises_early", "concentrated", "sharp"):
        shape[col] = pd.array([pd.NA] * n_curves, dtype="boolean")
    idx = np.flatnonzero(measured)
    if idx.size:
        better = curves["higher_is_better"].to_numpy(dtype=bool)[idx]
        judged = judge_shape(X[idx], Y[idx], better, S[idx])
        for col in ("change", "noise", "net_gain", "share_by_mid_scale", "steepest_quarter"):
            shape.loc[idx, col] = judged[col].to_numpy()
        for col, src in (("late", "late"), ("rises_early", "early"),
                         ("concentrated", "concentrated"), ("sharp", "sharp")):
            shape.loc[idx, col] = judged[src].to_numpy()
    curves["noise_weighed"] = np.isfinite(shape["noise"].to_numpy(dtype=float))
    for col in shape.columns:
        curves[col] = shape[col].to_numpy() if col not in (
            "late", "rises_early", "concentrated", "sharp") else shape[col].array


def _metric_made(curves):
    """Whether a sharp curve is consistent with a jump made by its metric.

    True: sharp under a nonlinear or discontinuous metric, while a linear or
    continuous metric of the same outputs rises and is neither sharp nor late.
    False: the smooth metric is sharp too. ``<NA>``: not sharp, or no smooth
    metric of the same outputs, or a judgement in its unclear band.
    """
    n_curves = len(curves)
    made = np.full(n_curves, np.nan)
    sharp = curves["sharp"].to_numpy(dtype=float, na_value=np.nan)
    kind = curves["metric_kind"].to_numpy()
    smooth_partner = np.isin(curves["partner_kind"].to_numpy(dtype=object), SMOOTH_KINDS)
    p_sharp = curves["partner_sharp"].to_numpy(dtype=float, na_value=np.nan)
    p_late = curves["partner_late"].to_numpy(dtype=float, na_value=np.nan)
    p_rises = curves["partner_change"].to_numpy(dtype=object) == "rises"
    candidate = (sharp == 1) & np.isin(kind, SHARP_KINDS) & smooth_partner
    made[candidate & (p_sharp == 1)] = 0.0
    made[candidate & p_rises & (p_sharp == 0) & (p_late == 0)] = 1.0
    curves["metric_made"] = pd.array(np.where(np.isnan(made), None, made == 1), dtype="boolean")


def _partners(curves, info):
    """For each sharp-kind metric, the best other metric of the same task and family.

    Linear or continuous metrics first (one that rises without a jump before an unclear or a
    sharp one), in the order of :data:`_PARTNER_ORDER`; other metrics after them.
    """
    curves["partner_metric"] = None
    curves["partner_kind"] = None
    curves["partner_score"] = np.nan
    curves["partner_sharp"] = pd.array([pd.NA] * len(curves), dtype="boolean")
    curves["partner_change"] = None
    curves["partner_share_by_mid_scale"] = np.nan
    curves["partner_late"] = pd.array([pd.NA] * len(curves), dtype="boolean")
    sharp_kind = curves["metric_kind"].isin(SHARP_KINDS) & (curves["n_models"] >= 3)
    if not sharp_kind.any():
        return
    left = curves.loc[sharp_kind, ["task", "family", "metric"]].reset_index()
    right = curves.loc[curves["n_models"] >= 3, ["task", "family", "metric", "metric_kind",
                                                 "emergence_score", "sharp", "change",
                                                 "share_by_mid_scale", "late"]]
    pairs = left.merge(right, on=["task", "family"], suffixes=("", "_p"))
    pairs = pairs[pairs["metric"] != pairs["metric_p"]]
    if pairs.empty:
        return
    order = {m: i for i, m in enumerate(_PARTNER_ORDER)}
    smooth = pairs["metric_kind"].isin(SMOOTH_KINDS).to_numpy()
    rank = pairs["metric_p"].map(order).fillna(len(order)).to_numpy()
    # a smooth metric that rises without a jump first, then an unclear one, then a sharp one:
    # one smooth metric of the same outputs without a jump is what the mirage explanation needs
    state = pairs["sharp"].map({False: 0, True: 2}).fillna(1).to_numpy()
    width = len(order) + 1
    pairs = pairs.assign(_rank=np.where(smooth, state * width + rank, 3 * width + rank),
                         _known=pairs["metric_kind"] != "unknown")
    pairs = pairs[pairs["_known"]].sort_values(["index", "_rank", "metric_p"], kind="stable")
    best = pairs.drop_duplicates("index")
    idx = best["index"].to_numpy()
    curves.loc[idx, "partner_metric"] = best["metric_p"].to_numpy()
    curves.loc[idx, "partner_kind"] = best["metric_kind"].to_numpy()
    curves.loc[idx, "partner_score"] = best["emergence_score"].to_numpy()
    curves.loc[idx, "partner_sharp"] = best["sharp"].array
    curves.loc[idx, "partner_change"] = best["change"].to_numpy()
    curves.loc[idx, "partner_share_by_mid_scale"] = best["share_by_mid_scale"].to_numpy()
    curves.loc[idx, "partner_late"] = best["late"].array


def _p_to_the_l(curves, points, t, lengths, info):
    """The exact-match curve a per-token metric of the same outputs predicts, p ** L."""
    for col, fill in (("p_l_source", None), ("p_l_length", None), ("p_l_max_gap", np.nan),
                      ("p_l_gap_scale", np.nan), ("p_l_fits", False)):
        curves[col] = fill
    points["p_l_predicted"] = np.nan
    points["implied_p"] = np.nan
    measured = curves[curves["n_models"] >= 3]
    target = measured[measured["metric"].isin(_P_L_TARGETS)]
    if target.empty:
        return
    # target lengths per task x family: from the outputs, or the table's length column
    dist = dict(lengths or {})
    given = t.dropna(subset=["length"]).drop_duplicates(["task", "family"])
    for task, family, L in given[["task", "family", "length"]].itertuples(index=False):
        dist.setdefault((task, family), (np.array([int(L)]), np.array([1.0])))
    if not dist:
        return
    # the source of p: the first of _P_SOURCES measured in the same task x family
    rank = {m: i for i, m in enumerate(_P_SOURCES)}
    sources = measured[measured["metric"].isin(_P_SOURCES)][["task", "family", "metric"]]
    sources = (sources.assign(_r=sources["metric"].map(rank)).sort_values("_r", kind="stable")
               .drop_duplicates(["task", "family"]).rename(columns={"metric": "source"})
               .drop(columns="_r"))
    target = target[["task", "family"]].reset_index().merge(sources, on=["task", "family"])
    keyed = [(tk, fm) in dist for tk, fm in zip(target["task"], target["family"])]
    target = target[np.array(keyed, dtype=bool)]
    if target.empty:
        return
    curve_of = points["_curve"].to_numpy()
    sharp_pts = points[np.isin(curve_of, target["index"].to_numpy())].reset_index()
    sharp_pts = sharp_pts.merge(target.rename(columns={"index": "_curve"}),
                                on=["_curve", "task", "family"])
    partner = points[["task", "family", "metric", "model", "value"]].rename(
        columns={"metric": "source", "value": "value_p"})
    both = sharp_pts.merge(partner, on=["task", "family", "source", "model"])
    if both.empty:
        return
    # one computation per distinct length distribution and source, for all its rows
    dist_ids, dist_list = {}, []
    for key, (Ls, w) in dist.items():
        sig = (tuple(int(v) for v in Ls), tuple(float(v) for v in w))
        if sig not in dist_ids:
            dist_ids[sig] = len(dist_list)
            dist_list.append((np.asarray(Ls), np.asarray(w)))
        dist[key] = dist_list[dist_ids[sig]]
        dist_ids[key] = dist_ids[sig]
    which = np.array([dist_ids[(tk, fm)] for tk, fm in zip(both["task"], both["family"])])
    predicted = np.full(len(both), np.nan)
    implied = np.full(len(both), np.nan)
    smooth_all = both["value_p"].to_numpy(dtype=float)
    observed_all = both["value"].to_numpy(dtype=float)
    source_all = both["source"].to_numpy()
    for d, (Ls, w) in enumerate(dist_list):
        for source in _P_SOURCES:
            rows = np.flatnonzero((which == d) & (source_all == source))
            if rows.size == 0:
                continue
            smooth = smooth_all[rows]
            if source in ("per_token_cross_entropy", "loss", "per_token_loss"):
                pred = sum(wi * accuracy_from_loss(smooth, int(L)) for L, wi in zip(Ls, w))
            else:
                # per-token accuracy is p; token edit distance is about L (1 - p)
                p = (smooth if source == "per_token_accuracy"
                     else 1.0 - smooth / float(np.sum(Ls * w)))
                p = np.clip(p, 0.0, 1.0)
                pred = sum(wi * expected_accuracy(p, int(L)) for L, wi in zip(Ls, w))
            predicted[rows] = pred
            if len(Ls) == 1:
                implied[rows] = implied_per_token_probability(
                    np.clip(observed_all[rows], 0, 1), int(Ls[0]))
    points.loc[both["index"].to_numpy(), "implied_p"] = implied
    both["predicted"] = predicted
    points.loc[both["index"].to_numpy(), "p_l_predicted"] = predicted
    both["gap"] = both["value"].to_numpy() - predicted
    both["abs_gap"] = np.abs(both["gap"].to_numpy())
    lo, hi = both["ci_low"].to_numpy(), both["ci_high"].to_numpy()
    inside = np.isfinite(lo) & (predicted >= lo) & (predicted <= hi)
    both["ok"] = inside | (both["abs_gap"].to_numpy() <= P_L_TOLERANCE)
    worst = both.sort_values(["_curve", "abs_gap"], ascending=[True, False],
                             kind="stable").drop_duplicates("_curve")
    idx = worst["_curve"].to_numpy()
    curves.loc[idx, "p_l_source"] = worst["source"].to_numpy()
    labels = {}
    for task, family in zip(worst["task"], worst["family"]):
        Ls = dist[(task, family)][0]
        labels[(task, family)] = (str(int(Ls[0])) if len(Ls) == 1
                                  else f"{int(Ls.min())}-{int(Ls.max())}")
    curves.loc[idx, "p_l_length"] = [labels[(tk, fm)] for tk, fm in
                                     zip(worst["task"], worst["family"])]
    curves.loc[idx, "p_l_max_gap"] = worst["gap"].to_numpy()
    curves.loc[idx, "p_l_gap_scale"] = worst["scale"].to_numpy()
    fits = both.groupby("_curve")["ok"].all()
    curves.loc[fits.index.to_numpy(), "p_l_fits"] = fits.to_numpy()


def _backtest_bounds(metric_info: MetricInfo, better: bool, chance: float):
    """(kind, floor, ceiling) of a metric's backtest, or (None, reason)."""
    lo, hi = metric_info.low, metric_info.high
    if np.isfinite(lo) and np.isfinite(hi):
        if np.isfinite(chance):
            if better:
                lo = chance
            else:
                hi = chance
        if not lo < hi:
            return None, "chance is at the metric's best value"
        return "logistic", lo, hi
    best = hi if better else lo
    if np.isfinite(best):
        return "power_law", (lo if np.isfinite(lo) else best - 1.0), \
            (hi if np.isfinite(hi) else best + 1.0)
    return None, "the metric's range is unknown (no backtest)"


def _backtests(curves, points, X, Y, S, row_of, info, holdout, progress):
    """Fit the smaller models, predict the held-out ones: a logistic (bounded scores), a
    power law (losses, error counts), or, where the fitted models do not change beyond their
    noise, their mean (a flat family is forecast as flat)."""
    n_curves = len(curves)
    kind = np.full(n_curves, None, dtype=object)
    floor = np.zeros(n_curves)
    ceiling = np.ones(n_curves)
    note = np.full(n_curves, "", dtype=object)
    chance = curves["chance"].to_numpy(dtype=float)
    better = curves["higher_is_better"].to_numpy(dtype=bool)
    specs = {}
    for i, metric in enumerate(curves["metric"].to_numpy()):
        key = (metric, bool(better[i]), None if np.isnan(chance[i]) else float(chance[i]))
        if key not in specs:
            specs[key] = _backtest_bounds(info.get(metric, _UNKNOWN), better[i], chance[i])
        spec = specs[key]
        if spec[0] is None:
            note[i] = spec[1]
        else:
            kind[i], floor[i], ceiling[i] = spec
    n = curves["n_models"].to_numpy()
    # the form the metric's range calls for; the tolerance and the idle test follow it
    base_kind = kind.copy()
    fitted = np.arange(Y.shape[1])[None, :] < (n - holdout)[:, None]
    flat = (kind != None) & flat_within_noise(np.where(fitted, Y, np.nan),  # noqa: E711
                                              np.where(fitted, S, np.nan))
    kind[flat] = "flat"
    run = (kind != None) & (n >= 3)  # noqa: E711 (elementwise)
    note[(kind != None) & (n - holdout < 3)] = (  # noqa: E711
        f"fewer than {holdout + 3} models (three to fit, {holdout} to hold back)")
    run &= n - holdout >= 3
    for col in ("backtest_scale", "backtest_observed", "backtest_predicted", "backtest_error",
                "backtest_fit_rmse"):
        curves[col] = np.nan
    curves["backtest_kind"] = np.where(run, kind, None)
    curves["backtest_floor"] = np.where(run, floor, np.nan)
    curves["backtest_ceiling"] = np.where(run, ceiling, np.nan)
    curves["backtest_forecast"] = None
    points["backtest_predicted"] = np.nan
    idx = np.flatnonzero(run)
    if idx.size:
        chunk = 8192
        blocks = [idx[s:s + chunk] for s in range(0, idx.size, chunk)]
        bar = None
        if progress and len(blocks) > 1:
            from tqdm.auto import tqdm

            bar = tqdm(total=idx.size, unit="curve", desc="backtests", leave=False)
        results = []
        for block in blocks:
            res = backtest_many(X[block], Y[block], kind=kind[block], holdout=holdout,
                                floor=floor[block], ceiling=ceiling[block],
                                higher_is_better=better[block])
            res["curve"] = block[res["curve"].to_numpy()]
            results.append(res)
            if bar is not None:
                bar.update(block.size)
        if bar is not None:
            bar.close()
        res = pd.concat(results, ignore_index=True)
        # the point (row of ``points``) each held-out prediction is for
        j = res.groupby("curve", sort=False).cumcount().to_numpy()
        cc = res["curve"].to_numpy()
        res["_row"] = row_of[cc, np.clip(n[cc] - holdout + j, 0, row_of.shape[1] - 1)]
        failed = res["reason"] != ""
        note[res.loc[failed, "curve"].to_numpy()] = res.loc[failed, "reason"].to_numpy()
        res = res[~failed]
        c = res["curve"].to_numpy()
        curves.loc[c, "backtest_fit_rmse"] = res["fit_rmse"].to_numpy()
        # a logistic that does not fit the models it was fitted to forecasts nothing
        misfit = (kind[c] == "logistic") & (res["fit_rmse"].to_numpy()
                                            > LOGISTIC_TOLERANCE * (ceiling[c] - floor[c]))
        for i, rmse in zip(c[misfit], res["fit_rmse"].to_numpy()[misfit]):
            note[i] = (f"the logistic between {fmt(floor[i])} and {fmt(ceiling[i])} does not "
                       f"fit the smaller models (rmse {fmt(rmse)}): give the chance level")
        # tolerance: a share of the range (logistic) or of the observed gap (power law)
        c = res["curve"].to_numpy()
        best = np.where(better[c], ceiling[c], floor[c])
        tol = np.where(base_kind[c] == "logistic", LOGISTIC_TOLERANCE * (ceiling[c] - floor[c]),
                       POWER_LAW_TOLERANCE * np.abs(res["observed"].to_numpy() - best))
        ok = np.abs(res["error"].to_numpy()) <= tol
        # or inside the exact interval of the held-out point, where it is known
        rows_held = res["_row"].to_numpy()
        lo = points["ci_low"].to_numpy()[rows_held]
        hi = points["ci_high"].to_numpy()[rows_held]
        pred = res["predicted"].to_numpy()
        ok |= np.isfinite(lo) & (pred >= lo) & (pred <= hi)
        # or within the noise of the held-out point (NOISE_Z standard errors), where known:
        # the same standard as a change, so noise alone fails a forecast 0.27% of the time
        se_held = points["stderr"].to_numpy()[rows_held]
        ok |= np.isfinite(se_held) & (np.abs(res["error"].to_numpy()) <= NOISE_Z * se_held)
        # a held-out model still at the worst end, forecast to stay there, tests nothing
        worst_end = np.where(better[c], floor[c], ceiling[c])
        idle = ((base_kind[c] == "logistic")
                & (np.abs(res["observed"].to_numpy() - worst_end) <= tol)
                & (np.abs(pred - worst_end) <= tol))
        res = res.assign(ok=ok, idle=idle, abs_error=np.abs(res["error"].to_numpy()))
        all_idle = res.groupby("curve")["idle"].all()
        for i in all_idle.index[all_idle.to_numpy()]:
            note[i] = ("the held-out model is still at the metric's worst end, and forecast to "
                       "stay there: nothing to test")
        worst = res.sort_values(["curve", "abs_error"], ascending=[True, False],
                                kind="stable").drop_duplicates("curve")
        w = worst["curve"].to_numpy()
        curves.loc[w, "backtest_scale"] = worst["scale"].to_numpy()
        curves.loc[w, "backtest_observed"] = worst["observed"].to_numpy()
        curves.loc[w, "backtest_predicted"] = worst["predicted"].to_numpy()
        curves.loc[w, "backtest_error"] = worst["error"].to_numpy()
        all_ok = res.groupby("curve")["ok"].all()
        all_ok = all_ok[~np.isin(all_ok.index.to_numpy(), c[misfit])
                        & ~all_idle.reindex(all_ok.index).to_numpy(dtype=bool)]
        curves.loc[all_ok.index.to_numpy(), "backtest_forecast"] = all_ok.to_numpy()
        held_pred = np.full(len(points), np.nan)
        held_pred[rows_held] = res["predicted"].to_numpy()
        points["backtest_predicted"] = held_pred
    curves["backtest_note"] = note
    curves.loc[~run, ["backtest_floor", "backtest_ceiling"]] = np.nan


"""The words of a diagnosis: notes on the whole table, and one verdict line per curve that
says what the evidence supports and nothing more."""

from __future__ import annotations

import pandas as pd

from emergence.diagnose.checks import LOGISTIC_TOLERANCE
from emergence.diagnose.wording import fmt, percent, share
from emergence.measure.catalogue import SHARP_KINDS, SMOOTH_KINDS


def _notes(curves, info, lower, raw) -> list[str]:
    notes = list(getattr(raw, "attrs", {}).get("notes", []))
    sep = getattr(raw, "attrs", {}).get("separator", ",")
    if sep != ",":
        notes.append(f"the file is separated by {'semicolons' if sep == ';' else 'tabs'}; "
                     "read as such.")
    skipped = int((curves["n_models"] < 3).sum())
    if skipped:
        notes.append(f"{skipped} curve(s) of families with fewer than 3 models: skipped.")
    unknown = sorted(m for m in set(curves["metric"]) if m not in info)
    if unknown:
        given = "higher_is_better" in getattr(raw, "columns", ())
        direction = ("" if given else
                     "; assumed higher is better unless named lower-is-better")
        notes.append(f"metric(s) not in the catalogue: {', '.join(unknown)} (range not "
                     f"checked, no backtest{direction}).")
    return notes


def _count_words(k: int) -> str:
    return {1: "the smallest model", 2: "the 2 smallest models"}.get(k, f"the {k} smallest models")


def _truth(x):
    """True, False or None (unclear) from a nullable boolean cell."""
    return None if x is None or x is pd.NA else bool(x)


def _shape_clause(cols, i) -> str:
    """The first clause of a verdict: does the curve change, and where does it make its gain."""
    score = f"emergence score {fmt(cols['emergence_score'][i])}"
    change, gain, noise = cols["change"][i], cols["net_gain"][i], cols["noise"][i]
    weighed = bool(cols["noise_weighed"][i])
    if change == "flat":
        if weighed:
            return (f"no change beyond noise (net {fmt(abs(gain))}, noise allows "
                    f"{fmt(noise)}, {score})")
        return f"flat: no change with scale ({score})"
    if change == "declines":
        return f"gets worse with scale (net {fmt(-abs(gain))}, {score})"
    where = (f"{share(cols['share_by_mid_scale'][i])} of its gain by the middle of the scale "
             f"range, {share(cols['steepest_quarter'][i])} within its steepest quarter")
    unweighed = "" if weighed else "; noise not weighed: give n_items or stderr"
    sharp = _truth(cols["sharp"][i])
    if sharp:
        what = "rises late" if _truth(cols["late"][i]) else "a jump"
        return f"sharp: {what} ({where}, {score}){unweighed}"
    if sharp is False:
        what = "rises early" if _truth(cols["rises_early"][i]) else "rises gradually"
        return f"{what} ({where}, {score})"
    return f"unclear: near the cut-offs between a jump and a gradual rise ({where}, {score})"


def _verdicts(curves, cutoff, holdout) -> list[str]:
    """One line per curve: what the evidence supports, and nothing more."""
    out = []
    cols = {c: curves[c].to_numpy() for c in curves.columns}
    for i in range(len(curves)):
        n = cols["n_models"][i]
        if n < 3:
            plural = "s" if n != 1 else ""
            out.append(f"only {n} model{plural}: skipped (the checks need 3 or more)")
            continue
        if n < 4:
            out.append("fewer than 4 models: no verdict")
            continue
        metric = cols["metric"][i]
        clauses = [_shape_clause(cols, i)]
        partner = cols["partner_metric"][i]
        sharp = _truth(cols["sharp"][i])
        if sharp and partner is not None:
            pkind = cols["partner_kind"][i]
            made = _truth(cols["metric_made"][i])
            if made:
                clauses.append(
                    f"sharp under {metric}, not under {partner} of the same outputs (which "
                    f"makes {share(cols['partner_share_by_mid_scale'][i])} of its gain by the "
                    f"middle of the scale range, against "
                    f"{share(cols['share_by_mid_scale'][i])}): consistent with a metric-made jump")
            elif made is False:
                clauses.append(f"sharp under both {metric} and {partner} of the same outputs: "
                               "not made by the metric alone")
            elif pkind not in SMOOTH_KINDS:
                if _truth(cols["partner_sharp"][i]):
                    clauses.append(f"sharp under {partner} too, but it is {pkind} as well: a "
                                   "linear metric of the same outputs is needed to decide")
                else:
                    clauses.append(f"not sharp under {partner} of the same outputs, itself "
                                   f"{pkind}: the jump depends on the metric")
            elif cols["partner_change"][i] != "rises":
                clauses.append(f"{partner} of the same outputs does not improve beyond noise: "
                               "whether the metric made the jump is undecided")
            else:
                clauses.append(f"{partner} of the same outputs is near a cut-off (see its own "
                               "line): whether the metric made the jump is unclear")
        elif sharp and cols["metric_kind"][i] in SHARP_KINDS:
            clauses.append(f"{cols['metric_kind'][i]} metric with no smooth metric of the "
                           "same outputs to compare: undecided")
        src = cols["p_l_source"][i]
        if src is not None:
            L = cols["p_l_length"][i]
            if cols["p_l_fits"][i]:
                clauses.append(f"p^L from {src} (L = {L}) reproduces it (largest gap "
                               f"{fmt(abs(cols['p_l_max_gap'][i]))})")
            else:
                clauses.append(f"p^L from {src} (L = {L}) misses it by up to "
                               f"{fmt(abs(cols['p_l_max_gap'][i]))} (at "
                               f"{fmt(cols['p_l_gap_scale'][i])}): its tokens are not right "
                               "independently and alike, so p^L does not explain it")
        k = int(cols["smallest_at_zero"][i])
        if k:
            lo, hi = cols["n_items_min"][i], cols["n_items_max"][i]
            of = f"{int(lo)}" if lo == hi else f"{int(lo)}-{int(hi)}"
            what = (f"all {n} models" if k == n else _count_words(k))
            clauses.append(f"{what} at 0 of {of}: below resolution (under "
                           f"{percent(cols['resolution_floor'][i])}), more items needed")
        forecast = cols["backtest_forecast"][i]
        if forecast is None and cols["backtest_note"][i].startswith("the logistic"):
            clauses.append(f"no backtest: {cols['backtest_note'][i]}")
        elif forecast is None and cols["backtest_note"][i].startswith("the held-out"):
            which = "the largest model" if holdout == 1 else f"the {holdout} largest models"
            clauses.append(f"{which} still at the metric's worst end (within "
                           f"{percent(LOGISTIC_TOLERANCE)} of its range), as forecast: the "
                           "backtest has nothing to test")
        if forecast is not None:
            which = "the largest model" if holdout == 1 else f"the {holdout} largest models"
            pred, obs = cols["backtest_predicted"][i], cols["backtest_observed"][i]
            flat_fit = cols["backtest_kind"][i] == "flat"
            if forecast and flat_fit:
                clauses.append(f"{which} forecast by the smaller ones, flat within their noise "
                               f"(predicted {fmt(pred)}, observed {fmt(obs)})")
            elif forecast:
                clauses.append(f"{which} forecast by the smaller ones (predicted {fmt(pred)}, "
                               f"observed {fmt(obs)})")
            elif flat_fit:
                clauses.append(f"{which} not forecast by the smaller ones, flat within their "
                               f"noise (predicted {fmt(pred)}, observed {fmt(obs)})")
            else:
                clauses.append(f"{which} not forecast by the smaller ones (predicted "
                               f"{fmt(pred)}, observed {fmt(obs)})")
        out.append("; ".join(clauses))
    return out


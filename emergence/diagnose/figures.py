"""The figures of a diagnosis: one per task x family, in the book's house style.

- :func:`plot_family`: a panel per metric, sharp ones first, exact intervals drawn, the
  resolution floor marked, the p^L prediction and the backtest's forecast shown;
- :func:`alt_text`: what the figure shows, in words, for readers who cannot see it;
- :func:`plot_families`: every task x family of a diagnosis.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from emergence.diagnose.inputs import SCALE_UNITS
from emergence.diagnose.wording import reading_order, share
from emergence.measure.catalogue import SHARP_KINDS

__all__ = ["alt_text", "plot_families", "plot_family"]


def plot_family(curves: pd.DataFrame, task: str, family: str, points: pd.DataFrame | None = None,
                unit: str | None = None, quick: bool = False):
    """One task x family: a panel per metric, sharp ones first, in the book's house style.

    Each panel shows the metric against scale (log axis labelled with its
    unit), the exact 95% interval of each point where the test-set size is
    known, the resolution floor (dotted), chance (where given), the p^L
    prediction from the per-token metric (dashed) and the backtest's forecast
    of the held-out models (open markers).

    With ``quick``, the figure is laid out by fixed margins and its log axis
    carries no minor ticks: three times faster to draw, for reports of
    hundreds of figures (:func:`write_report`); the book's pages use the
    default.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from emergence.plotting import METRIC_COLORS, OKABE_ITO, scale_axis, use_house_style

    points = curves.attrs["points"] if points is None else points
    unit = SCALE_UNITS[unit or curves.attrs.get("settings", {}).get("scale_unit", "parameters")]
    rows = reading_order(curves[(curves["task"] == task) & (curves["family"] == family)])
    if rows.empty:
        raise ValueError(f"no curve for task {task!r} and family {family!r}.")
    pts = points[(points["task"] == task) & (points["family"] == family)]
    use_house_style()
    # two panels a row: the book's column is 6.8 inches, and text stays legible there
    k = len(rows)
    ncols = min(k, 2)
    nrows = -(-k // ncols)
    width, height = 3.4 * ncols, 2.9 * nrows + 0.3
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False,
                             layout=None if quick else "constrained")
    if quick:
        # margins in inches: tick labels and the y label on the left, the x label below,
        # the two-line panel titles above each row and the suptitle on top
        fig.subplots_adjust(left=0.75 / width, right=1 - 0.15 / width, bottom=0.55 / height,
                            top=1 - 0.95 / height, wspace=0.95 / 3.4,
                            hspace=1.35 / (2.9 - 0.85))
    for ax in axes.flat[k:]:
        ax.set_visible(False)
    for ax, r in zip(axes.flat, rows.itertuples(index=False)):
        p = pts[pts["metric"] == r.metric].sort_values("scale")
        sharp_kind = r.metric_kind in SHARP_KINDS
        color = METRIC_COLORS.get(r.metric, OKABE_ITO["vermillion"] if sharp_kind
                                  else OKABE_ITO["blue"])
        x, y = p["scale"].to_numpy(), p["value"].to_numpy()
        if np.isfinite(p["ci_low"]).any():
            err = np.vstack([y - p["ci_low"].to_numpy(), p["ci_high"].to_numpy() - y])
            ax.errorbar(x, y, yerr=np.nan_to_num(err), fmt="o-", color=color, capsize=2,
                        label="observed, 95% interval")
        else:
            ax.plot(x, y, "o-", color=color, label="observed")
        if np.isfinite(r.resolution_floor):
            ax.axhline(r.resolution_floor, color="#555555", ls=":", lw=1.2,
                       label="resolution floor")
        if np.isfinite(r.chance):
            ax.axhline(r.chance, color="#777777", ls="-.", lw=1, label="chance")
        if np.isfinite(p["p_l_predicted"]).any():
            ax.plot(x, p["p_l_predicted"], "--", color=OKABE_ITO["black"], lw=1.2,
                    label="p^L (per-token)")
        held = p[np.isfinite(p["backtest_predicted"])]
        if not held.empty:
            ax.plot(held["scale"], held["backtest_predicted"], "o", mfc="none",
                    mec=OKABE_ITO["black"], ms=8, label="backtest forecast")
        scale_axis(ax, "parameters" if unit == "parameters" else "training FLOPs")
        if quick:
            from matplotlib.ticker import NullLocator

            ax.xaxis.set_minor_locator(NullLocator())
        judged = {True: ", sharp", False: ", not sharp"}.get(
            None if r.sharp is pd.NA else bool(r.sharp), ", unclear") if r.n_models >= 4 else ""
        ax.set_title(f"{r.metric}\n({r.metric_kind}{judged})")
        ax.set_ylabel(("higher" if r.higher_is_better else "lower") + " is better")
        ax.legend(loc="best")
    fig.suptitle(f"{task} | {family}")
    return fig


def alt_text(curves: pd.DataFrame, task: str, family: str) -> str:
    """A sentence that states what :func:`plot_family`'s figure shows, for its alt text.

    Examples
    --------
    >>> table = pd.DataFrame({"task": "t", "family": "F", "metric": ["exact_match", "bleu"],
    ...                       "sharp": pd.array([True, False], dtype="boolean"),
    ...                       "share_by_mid_scale": [0.05, 0.6]})
    >>> alt_text(table, "t", "F")
    't, F: 2 metrics against model scale; sharp: exact_match (5% of its gain by mid-scale); not sharp: bleu (60%).'
    """
    rows = curves[(curves["task"] == task) & (curves["family"] == family)]
    sharp = rows["sharp"].astype("boolean")

    def listed(mask, suffix=""):
        return [f"{m} ({_percent(v)}{suffix if i == 0 else ''})" for i, (m, v) in
                enumerate(zip(rows.loc[mask, "metric"], rows.loc[mask, "share_by_mid_scale"]))]

    parts = [f"sharp: {', '.join(listed(sharp.fillna(False).to_numpy(bool), ' of its gain by mid-scale')) or 'none'}",
             f"not sharp: {', '.join(listed((~sharp).fillna(False).to_numpy(bool))) or 'none'}"]
    unclear = sharp.isna().to_numpy()
    if unclear.any():
        parts.append(f"unclear: {', '.join(listed(unclear))}")
    return (f"{task}, {family}: {len(rows)} metric{'s' if len(rows) != 1 else ''} against "
            f"model scale; {'; '.join(parts)}.")


def _percent(x) -> str:
    return "no rise" if x is None or not np.isfinite(x) else share(x)


def plot_families(curves: pd.DataFrame) -> dict:
    """:func:`plot_family` for every task x family: ``(task, family) -> Figure``."""
    pairs = curves[["task", "family"]].drop_duplicates().itertuples(index=False)
    return {(t, f): plot_family(curves, t, f) for t, f in pairs}


_REPORT = {}          # the report a drawing process works on (set once per process)


def _draw_init(curves):
    import matplotlib

    matplotlib.use("Agg")
    _REPORT["curves"] = curves


def _draw_one(pair) -> bytes:
    """One figure of the report as PNG bytes, its alt text inside (a ``Description`` chunk)."""
    import io

    import matplotlib.pyplot as plt

    from emergence.plotting import PX_PER_INCH

    curves = _REPORT["curves"]
    task, family = pair
    fig = plot_family(curves, task, family, quick=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PX_PER_INCH, facecolor="white",
                metadata={"Description": alt_text(curves, task, family)})
    plt.close(fig)
    return buffer.getvalue()


def _draw_all(curves, pairs, workers):
    """PNG bytes of every (task, family) figure, in order; in ``workers`` processes."""
    workers = min(workers or os.cpu_count() or 1, len(pairs))
    if workers <= 1 or len(pairs) < 8:         # a few figures: not worth starting processes
        _draw_init(curves)
        yield from map(_draw_one, pairs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                             initializer=_draw_init, initargs=(curves,)) as pool:
        yield from pool.map(_draw_one, pairs, chunksize=4)

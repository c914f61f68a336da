"""Numbers as the diagnosis writes them, and the order it shows curves in (its checks,
verdicts, report and figures share them)."""

from __future__ import annotations

import numpy as np

from emergence.measure.catalogue import SHARP_KINDS, SMOOTH_KINDS


def fmt(x: float) -> str:
    """A number for a verdict line: 3 significant digits, scales in e-notation."""
    if not np.isfinite(x):
        return "inf" if x > 0 else ("-inf" if x < 0 else "nan")
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
        return f"{x:.2g}" if abs(x) >= 1e5 else f"{x:.1e}"
    return f"{x:.3g}"


def percent(x: float) -> str:
    return f"{100 * x:.2g}%"


def share(x: float) -> str:
    return f"{100 * x:.0f}%"


def reading_order(curves):
    """Task, family, then sharp-kind metrics before smooth ones."""
    rank = curves["metric_kind"].map({k: 0 for k in SHARP_KINDS} | {k: 1 for k in SMOOTH_KINDS})
    return curves.assign(_r=rank.fillna(2)).sort_values(["task", "family", "_r", "metric"],
                                                        kind="stable").drop(columns="_r")

"""Where a curve crosses a level, and over how many decades of scale it makes its change.

Descriptions of a curve ``y(x)`` measured at increasing scales ``x``
(parameters, training steps), interpolated linearly in ``log x`` between
measured points:

- :func:`first_crossing`: the scale at which ``y`` first reaches a level
  (when did the loss fall below 0.1 bits, when did accuracy pass 90%);
- :func:`transition_span`: how many decades of ``x`` the curve takes to make
  the middle half of its total change (from 25% to 75% of it). A power law
  ``y = (x / c) ** alpha`` with ``alpha = -0.5`` needs about 0.9 decades of a
  4-decade range; a curve that sits still and then drops needs a fraction of
  a decade, whatever metric it is measured with;
- :func:`transition_midpoint`: the scale at which the curve has made half of
  its total change, and :func:`midpoint_lead`: by how many decades one curve's
  midpoint comes before another's. Two metrics of the same outputs that
  change together have a lead near 0; when a smooth metric improves long
  before a sharp one moves (the mirage paper's mechanism: the per-token loss
  falls while exact match waits for all tokens to be right), the smooth one
  leads by decades.

The span is a property of the curve *and of the range it was measured over*:
compare curves measured over the same range.
"""

from __future__ import annotations

import numpy as np

from emergence._validate import as_float_array, check_same_length, check_scales

__all__ = ["first_crossing", "transition_span", "transition_midpoint", "midpoint_lead"]


def _log_interpolate(x, y, i, level):
    """x between x[i-1] and x[i] where y reaches level, linear in log x."""
    y0, y1 = y[i - 1], y[i]
    t = 0.0 if y1 == y0 else (level - y0) / (y1 - y0)
    return float(np.exp(np.log(x[i - 1]) + t * (np.log(x[i]) - np.log(x[i - 1]))))


def first_crossing(x, y, level: float, direction: str = "down") -> float:
    """The scale at which ``y`` first reaches ``level``.

    Parameters
    ----------
    x : array-like of float
        Scales, positive and strictly increasing.
    y : array-like of float
        The curve at each scale.
    level : float
        The level to reach.
    direction : {"down", "up"}
        ``"down"``: first ``x`` with ``y <= level`` (a loss falling);
        ``"up"``: first ``x`` with ``y >= level`` (an accuracy rising).

    Returns
    -------
    float
        Interpolated linearly in ``log x`` between the last point before and
        the first point at or past the level; ``x[0]`` if the curve starts
        there; NaN if it never gets there.

    Examples
    --------
    >>> first_crossing([10, 100, 1000], [0.7, 0.7, 0.0], level=0.35)
    316.22776601683796
    >>> first_crossing([10, 100], [0.2, 0.6], level=0.9, direction="up")
    nan
    """
    x = check_scales(x, "x")
    y = as_float_array(y, "y")
    check_same_length(x=x, y=y)
    if direction not in ("down", "up"):
        raise ValueError(f"direction must be 'down' or 'up', got {direction!r}.")
    reached = y <= level if direction == "down" else y >= level
    if not reached.any():
        return float("nan")
    i = int(np.argmax(reached))
    return float(x[0]) if i == 0 else _log_interpolate(x, y, i, level)


def _progress(x, y):
    """Checked arrays and the share of the total change made at each point (None if flat)."""
    x = check_scales(x, "x")
    y = as_float_array(y, "y")
    check_same_length(x=x, y=y)
    total = y[-1] - y[0]
    return x, (None if total == 0 else (y - y[0]) / total)


def transition_span(x, y, low: float = 0.25, high: float = 0.75) -> float:
    """Decades of ``x`` over which ``y`` goes from ``low`` to ``high`` of its total change.

    The change is measured from ``y[0]`` to ``y[-1]``; progress is
    ``(y - y[0]) / (y[-1] - y[0])``, which rises from 0 to 1 whether the curve
    rises or falls. The span is ``log10(x_high / x_low)``, where ``x_low`` and
    ``x_high`` are where the progress first reaches ``low`` and ``high``
    (:func:`first_crossing`). To measure a curve that first moves the other
    way (a test loss that rises before it falls), pass the part after its
    extremum.

    Parameters
    ----------
    x, y : array-like of float
        Scales (positive, strictly increasing) and the curve.
    low, high : float
        Fractions of the total change, ``0 <= low < high <= 1``. The default,
        the middle half, keeps the span from being set by noise: an accuracy
        measured on 500 items wanders by about 2 percentage points while it
        waits on a plateau, a tenth of a 0.5 rise but well under a quarter.

    Returns
    -------
    float
        Decades; NaN if the curve ends where it started.

    Examples
    --------
    A power law with exponent -0.5 over four decades takes most of them:

    >>> x = np.logspace(0, 4, 81)
    >>> round(transition_span(x, x ** -0.5), 2)
    0.9

    A step takes a fraction of a decade, under any monotone metric of it:

    >>> step = np.where(x < 100, 0.69, 0.01)
    >>> round(transition_span(x, step), 2), round(transition_span(x, np.exp(-step)), 2)
    (0.03, 0.03)
    """
    if not 0 <= low < high <= 1:
        raise ValueError(f"need 0 <= low < high <= 1, got low={low!r}, high={high!r}.")
    x, progress = _progress(x, y)
    if progress is None:
        return float("nan")
    x_low = first_crossing(x, progress, low, direction="up")
    x_high = first_crossing(x, progress, high, direction="up")
    return float(np.log10(x_high / x_low))


def transition_midpoint(x, y) -> float:
    """The scale at which ``y`` has first made half of its change from ``y[0]`` to ``y[-1]``.

    Examples
    --------
    >>> transition_midpoint([10, 100, 1000], [0.69, 0.69, 0.0])
    316.22776601683796
    """
    x, progress = _progress(x, y)
    if progress is None:
        return float("nan")
    return first_crossing(x, progress, 0.5, direction="up")


def midpoint_lead(x, first, second) -> float:
    """Decades by which curve ``first`` reaches its midpoint before curve ``second``.

    ``log10(transition_midpoint(x, second) / transition_midpoint(x, first))``:
    positive when ``first`` makes half of its change at a smaller scale.

    Parameters
    ----------
    x : array-like of float
        Scales shared by both curves.
    first, second : array-like of float
        Two metrics of the same models, e.g. a cross-entropy and an accuracy;
        either direction of change is fine.

    Examples
    --------
    The mirage paper's model: the per-token loss ``(N / c) ** -0.5`` makes half
    its fall three decades before exact match on 5 tokens makes half its rise.

    >>> n = np.logspace(7, 12, 21)
    >>> loss = (n / 3e9) ** -0.5
    >>> round(midpoint_lead(n, loss, np.exp(-5 * loss)), 1)
    3.3
    """
    return float(np.log10(transition_midpoint(x, second) / transition_midpoint(x, first)))

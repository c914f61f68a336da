"""Numbers the prose states, computed by the chapter and pasted into its text.

A sentence about a model family trained for the book ("the smallest addition
model gets 55 of 100,000 sums right") must agree with the cache the page was
built from, which differs from one training seed to another. So the chapter
computes the number, hands it to :func:`glue` under a name, and the Markdown
says ``{glue:text}`name``` where the number goes; the site's build pastes it
in (myst-nb's glue). Numbers from the papers stay typed, with their citation.

Values are stored as plain Python numbers or strings (numpy scalars would be
pasted as ``np.float64(...)``), so a format can be given in the text too:
``{glue:text}`name:.2f```. Where myst-nb is not installed (Colab, a bare
kernel) nothing is stored and the values are only returned.

Examples
--------
>>> values = glue(small_correct=55, share=0.1234, label="w002")
>>> values == {"small_correct": 55, "share": 0.1234, "label": "w002"}
True
"""

from __future__ import annotations

import numbers
import re

import numpy as np

__all__ = ["glue", "plain"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def plain(value):
    """``value`` as a plain Python ``bool``, ``int``, ``float`` or ``str``.

    Examples
    --------
    >>> plain(np.float64(0.5)), plain(np.int64(3)), plain(np.bool_(True)), plain("1.2 M")
    (0.5, 3, True, '1.2 M')
    >>> plain([1, 2])
    Traceback (most recent call last):
    ...
    TypeError: glue takes a number or a string for each name, got list: [1, 2]; format it first, e.g. f"{x:.2f}".
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"glue takes a number or a string for each name, got {type(value).__name__}: "
                    f'{value!r}; format it first, e.g. f"{{x:.2f}}".')


def glue(**values) -> dict:
    """Store each value under its name for the text's ``{glue:text}`name``` roles.

    Returns the values as stored, so a hidden check can assert on them.
    """
    if not values:
        raise ValueError("glue needs at least one name=value, e.g. glue(small_correct=55).")
    stored = {}
    for name, value in values.items():
        if not _NAME.match(name):
            raise ValueError(f"glue name {name!r} is not an identifier; use letters, digits and _.")
        stored[name] = plain(value)
    try:
        from myst_nb import glue as store
    except ImportError:  # Colab or a bare kernel: nothing builds a page from these
        return stored
    for name, value in stored.items():
        store(name, value, display=False)
    return stored

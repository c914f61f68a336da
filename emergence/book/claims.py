"""Hidden checks of a chapter's prose that say so, instead of failing, when a reader changes a constant.

A chapter's text states numbers that hold for the constants its code cells set
(``c = 3e9``, ``alpha = -0.5``), and a hidden cell after each computation asserts
them, so that a change to the book that breaks a claim fails its tests. A reader
who changes a constant, as a chapter invites, should get a note instead of an
``AssertionError``::

    with for_constants(c=3e9, alpha=-0.5):
        assert round(gains.max(), 2) == 0.26

For the book's constants the block runs as written (a failing check is an error,
as it should be). If a reader has changed one of them, the block still runs, and a
check that fails is reported in a sentence that names the constants, and does not
stop the notebook.

Examples
--------
>>> c, alpha = 3e9, -0.5
>>> with for_constants(c=3e9, alpha=-0.5):
...     assert c == 3e9                       # the book's constants: checked as usual
>>> alpha = -0.3                              # a reader tries another exponent
>>> with for_constants(c=3e9, alpha=-0.5):
...     assert alpha == -0.5, "the text assumes alpha = -0.5"
The text here describes the book's constants (alpha = -0.5); with yours (alpha = -0.3) its claim does not hold: the text assumes alpha = -0.5.
"""

from __future__ import annotations

import sys
import traceback

import numpy as np

__all__ = ["for_constants", "same_constants"]


def same_constants(now, book) -> bool:
    """Whether a constant still has the book's value (numbers, arrays, lists, strings).

    Examples
    --------
    >>> same_constants([1, 2, 3], [1, 2, 3]), same_constants(-0.5, -0.3)
    (True, False)
    """
    try:
        return bool(np.array_equal(np.asarray(now, dtype=object), np.asarray(book, dtype=object)))
    except Exception:
        return now == book


class for_constants:
    """Run a block of prose checks for the book's constants; report, not raise, for others.

    Parameters
    ----------
    **book
        Each constant the checked prose depends on, by its name in the notebook, with
        the value the prose was written for. The value the notebook holds now is read
        from the namespace of the cell that opens the block.
    """

    def __init__(self, **book):
        if not book:
            raise ValueError("for_constants needs the constants the prose depends on, "
                             "e.g. for_constants(c=3e9, alpha=-0.5).")
        self.book = book
        self.changed: dict = {}

    def __enter__(self):
        namespace = sys._getframe(1).f_globals
        missing = [name for name in self.book if name not in namespace]
        if missing:
            raise ValueError(f"for_constants: {', '.join(missing)} not defined in this notebook; "
                             "name the constants as the chapter's cells do.")
        self.changed = {name: namespace[name] for name, value in self.book.items()
                        if not same_constants(namespace[name], value)}
        return self

    def __exit__(self, kind, error, tb):
        if error is None or not self.changed:
            return False                       # the book's constants: errors are errors
        if not isinstance(error, Exception):
            return False
        book = ", ".join(f"{name} = {self.book[name]!r}" for name in self.changed)
        yours = ", ".join(f"{name} = {value!r}" for name, value in self.changed.items())
        what = str(error) or _failed_line(tb)
        print(f"The text here describes the book's constants ({book}); with yours ({yours}) "
              f"its claim does not hold: {what}.".replace(":.", ".").replace("..", "."))
        return True


def _failed_line(tb) -> str:
    frames = traceback.extract_tb(tb)
    line = (frames[-1].line or "") if frames else ""
    return line.split("  #")[0].strip() or "a check failed"

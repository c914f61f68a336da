"""Model families trained for the book, one module each.

Each module is deterministic, caches its results in ``data/`` and regenerates
them with ``python -m emergence.experiments.<name>``.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FLOAT_FORMAT", "to_cache_csv"]

#: floats in the cached CSV files: 6 significant digits, enough for every
#: result the chapters state and few enough that float noise in the last bits
#: of a retrained model rarely changes a file
FLOAT_FORMAT = "%.6g"


def to_cache_csv(table: pd.DataFrame) -> str:
    """The CSV text written to ``data/`` (floats rounded to 6 significant digits).

    Examples
    --------
    >>> print(to_cache_csv(pd.DataFrame({"width": [1], "squared_error": [1 / 3]})), end="")
    width,squared_error
    1,0.333333
    """
    return table.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")

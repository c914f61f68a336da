"""Model sizes as people write them: ``70M``, ``6.9B``, ``Params (B)``, ``pythia-1.4b``.

One reader of sizes for every input of ``emergence diagnose`` (tidy tables,
per-item outputs, lm-evaluation-harness results, wide leaderboard tables):

- :func:`parse_sizes`: numbers, or numbers with a suffix ``k``, ``M``, ``B``, ``T``;
- :func:`size_in_name`: the size at the end of a model's name, and the name
  without it (the family);
- :func:`header_unit`: the unit a column's header gives its plain numbers
  (``Params (B)`` holds billions).

Examples
--------
>>> parse_sizes(["70M", "6.9B", " 7b ", "1.2T", "410000000", "1e9", "big"]).tolist()
[70000000.0, 6900000000.0, 7000000000.0, 1200000000000.0, 410000000.0, 1000000000.0, nan]
>>> size_in_name("EleutherAI/pythia-v1.1-6.9b")
(6900000000.0, 'EleutherAI/pythia-v1.1')
>>> size_in_name("gpt2")
(nan, 'gpt2')
>>> header_unit("Params (B)"), header_unit("params")
(1000000000.0, 1.0)
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

__all__ = ["SUFFIXES", "parse_sizes", "size_in_name", "header_unit", "header_name"]

#: What a size's suffix multiplies by.
SUFFIXES = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_SIZE = r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([kKmMbBtT])\s*$"
_NAME_SIZE = re.compile(r"[-_ ]([0-9]*\.?[0-9]+)([kKmMbBtT])$")
_HEADER_UNIT = re.compile(r"[\s_(\[]+([kKmMbBtT])\)?\]?\s*$")


def parse_sizes(text) -> np.ndarray:
    """Model sizes written as numbers or with a suffix, as floats (NaN where neither)."""
    text = pd.Series(text, dtype=object).astype(str)
    values = pd.to_numeric(text.str.strip(), errors="coerce").to_numpy(dtype=float, copy=True)
    parts = text.str.extract(_SIZE)
    suffixed = parts[0].notna().to_numpy()
    values[suffixed] = (parts.loc[suffixed, 0].astype(float).to_numpy()
                        * parts.loc[suffixed, 1].str.lower().map(SUFFIXES).to_numpy(float))
    return values


def size_in_name(name: str) -> tuple[float, str]:
    """``(size, name without it)`` for a name ending in a size; ``(nan, name)`` otherwise."""
    match = _NAME_SIZE.search(name)
    if not match:
        return math.nan, name
    return float(match.group(1)) * SUFFIXES[match.group(2).lower()], name[:match.start()]


def header_unit(header) -> float:
    """What a column's plain numbers are in, by its header: ``Params (B)`` -> 1e9, else 1."""
    match = _HEADER_UNIT.search(str(header))
    return SUFFIXES[match.group(1).lower()] if match else 1.0


def header_name(header) -> str:
    """A header without its unit, lower case: ``Params (B)`` -> ``params``."""
    return _HEADER_UNIT.sub("", str(header)).strip().lower()

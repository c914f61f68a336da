"""Read a wide leaderboard table: one row per model, one column per benchmark.

Leaderboards and papers' tables put a model on each row and a benchmark in each
column, often as percentages and with sizes written ``7B`` or ``6.9B``.
:func:`read_wide` turns such a table into the tidy table ``emergence
diagnose`` reads (one row per model x benchmark), without hand reshaping:

- the **model** column is ``model`` (or ``name``, ``Model``...), the **scale**
  column ``scale``, ``params``, ``parameters``, ``size`` or ``#params`` (any
  case), or the one named with ``scale_column``. Sizes may be numbers or
  ``7B``-style; a unit in the header (``Params (B)``, ``size_m``) multiplies
  plain numbers;
- a **family** column is used if there is one (``family``); otherwise the
  family is the model's name without the size at its end (``Llama-2-7b`` ->
  ``Llama-2``);
- every other column holding numbers is a **benchmark**: its cells become the
  values of metric ``metric`` (default ``"score"``, which the catalogue does
  not know: give ``metric="accuracy"`` when the columns are accuracies).
  A column written as percentages (a ``%`` sign, or, for a metric the
  catalogue knows on 0-1, values above 1 and none above 100) is divided by
  100, and the notes say so. Empty
  cells are models not run on that benchmark.

Examples
--------
>>> table = pd.DataFrame({"Model": ["Llama-2-7b", "Llama-2-13b", "Llama-2-70b"],
...                       "Params": ["7B", "13B", "70B"], "MMLU": ["45.3%", "54.8%", "68.9%"]})
>>> tidy = read_wide(table, metric="accuracy")
>>> tidy[["task", "family", "scale", "metric", "value"]].values.tolist()[0]
['MMLU', 'Llama-2', 7000000000.0, 'accuracy', 0.453]
>>> tidy.attrs["notes"]
['column MMLU read as percentages (divided by 100).']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emergence.measure.catalogue import METRICS
from emergence.io.sizes import header_name, header_unit, parse_sizes, size_in_name

__all__ = ["read_wide", "is_wide", "MODEL_COLUMNS", "SCALE_COLUMNS"]

MODEL_COLUMNS = ("model", "name", "model_name", "model name")
SCALE_COLUMNS = ("scale", "params", "parameters", "size", "#params", "n_params", "num_params")
_FAMILY_COLUMNS = ("family", "model_family", "model family")


def _find(columns, names, given=None, what="column"):
    if given is not None:
        if given not in columns:
            raise ValueError(f"the table has no {what} {given!r}; its columns are "
                             f"{', '.join(map(str, columns))}.")
        return given
    for column in columns:
        if header_name(column) in names or str(column).strip().lower() in names:
            return column
    return None


def is_wide(columns) -> bool:
    """Whether a table with these columns is a wide leaderboard: a model and a scale
    column, and none of the tidy table's ``task``, ``metric`` and ``value``."""
    columns = list(columns)
    # any of the tidy table's own columns means a tidy table (perhaps one with a column
    # missing, which its reader then names), not a wide one
    tidy = bool({"task", "metric", "value"} & {str(c).strip().lower() for c in columns})
    return (not tidy and _find(columns, MODEL_COLUMNS) is not None
            and _find(columns, SCALE_COLUMNS) is not None)


def read_wide(table: pd.DataFrame, *, metric: str = "score", model_column: str | None = None,
              scale_column: str | None = None, family_column: str | None = None,
              source: str = "the table") -> pd.DataFrame:
    """A wide leaderboard table as a tidy one (see the module docstring).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per model (cells may be text, as read from a CSV file).
    metric : str
        The metric the benchmark columns hold.
    model_column, scale_column, family_column : str, optional
        The columns to use, where their names are not the usual ones.
    source : str
        Named in error messages (the file).

    Returns
    -------
    pandas.DataFrame
        ``task, family, model, scale, metric, value``; ``attrs["notes"]`` says
        which columns were read as percentages and which were left out.

    Raises
    ------
    ValueError
        No model or scale column, a scale that is not a size, or no benchmark
        column; the message names the file, the column and the line.
    """
    columns = list(table.columns)
    model = _find(columns, MODEL_COLUMNS, model_column, "model column")
    scale = _find(columns, SCALE_COLUMNS, scale_column, "scale column")
    if model is None or scale is None:
        raise ValueError(
            f"{source}: a wide table needs a model column ({', '.join(MODEL_COLUMNS)}) and a "
            f"scale column ({', '.join(SCALE_COLUMNS)}); name them, or pass model_column / "
            "scale_column (on the command line, --model-column / --scale-column).")
    family = _find(columns, _FAMILY_COLUMNS, family_column, "family column")
    names = table[model].astype(str).str.strip()
    text = table[scale].astype(str).str.strip()
    sizes = parse_sizes(text.to_numpy())
    plain = pd.to_numeric(text, errors="coerce").notna().to_numpy()
    sizes = np.where(plain, sizes * header_unit(scale), sizes)   # "Params (B)": billions
    bad = np.flatnonzero(~np.isfinite(sizes) | (sizes <= 0))
    if bad.size:
        raise ValueError(f"{source}, column {scale!r}, line {bad[0] + 2}: "
                         f"{table[scale].iloc[bad[0]]!r} is not a model size (write 7e9, "
                         "7000000000 or 7B).")
    if family is not None:
        families = table[family].astype(str).str.strip()
    else:
        families = names.map(lambda n: size_in_name(n)[1] if np.isfinite(size_in_name(n)[0])
                             else "all")
    # a 0-1 metric of the catalogue (accuracy, exact match...) written 0-100 is a percentage
    info = METRICS.get(metric)
    on_zero_one = info is not None and (info.low, info.high) == (0, 1)
    skip = {model, scale, family}
    rows, notes, left_out = [], [], []
    for column in columns:
        if column in skip:
            continue
        raw = table[column].astype(str).str.strip()
        percent_sign = raw.str.endswith("%")
        values = pd.to_numeric(raw.str.rstrip("%").str.strip()
                               .replace({"": None, "-": None, "nan": None, "NaN": None}),
                               errors="coerce").to_numpy(dtype=float)
        given = raw.replace({"": None, "-": None, "nan": None, "NaN": None}).notna().to_numpy()
        if not np.isfinite(values[given]).all() or not given.any():
            left_out.append(str(column))
            continue
        finite = values[np.isfinite(values)]
        as_percent = bool(percent_sign.any()) or (on_zero_one and finite.max() > 1
                                                  and finite.min() >= 0 and finite.max() <= 100)
        if as_percent:
            values = values / 100
            notes.append(f"column {column} read as percentages (divided by 100).")
        for i in np.flatnonzero(np.isfinite(values)):
            rows.append((str(column), families.iloc[i], names.iloc[i], sizes[i], metric,
                         values[i]))
    if not rows:
        raise ValueError(f"{source}: no column of numbers besides {model!r} and {scale!r}: "
                         "each benchmark should be a column of scores.")
    if left_out:
        notes.append(f"columns not read (not numbers): {', '.join(left_out)}.")
    tidy = pd.DataFrame(rows, columns=["task", "family", "model", "scale", "metric", "value"])
    tidy.attrs["notes"] = notes
    return tidy


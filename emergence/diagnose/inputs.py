"""Reading anyone's results into the one tidy table :func:`~emergence.diagnose.diagnose` checks.

A tidy table (CSV file or DataFrame), per-item outputs (scored here), a BIG-bench results
folder, lm-evaluation-harness results, or a wide leaderboard table; every error names the
file, the column and the row, and says how to fix it (:class:`DiagnoseInputError`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from emergence.io.sizes import parse_sizes
from emergence.measure.catalogue import METRICS, UNKNOWN as _UNKNOWN, MetricInfo

#: The columns of a tidy table, and its optional ones.
TIDY_REQUIRED = ("task", "family", "model", "scale", "metric", "value")
TIDY_OPTIONAL = ("n_items", "stderr", "higher_is_better", "chance", "length")
#: The columns of a table of per-item outputs.
OUTPUTS_REQUIRED = ("task", "family", "model", "scale", "item", "prediction", "target")

#: Units of the scale axis: the name used on the command line -> the label.
SCALE_UNITS = {"parameters": "parameters", "flops": "training FLOPs"}


class DiagnoseInputError(ValueError):
    """Bad input to :func:`emergence.diagnose.diagnose`; the message names the file, column and row."""



# --------------------------------------------------------------------------- reading


class _Where:
    """Says where a row is: 'line N' of a file (header = line 1) or 'row N' of a DataFrame."""

    def __init__(self, source: str, is_file: bool, index):
        self.source, self.is_file, self.index = source, is_file, index

    def __call__(self, positions) -> str:
        positions = [int(p) for p in np.atleast_1d(positions)]
        shown = positions[:3]
        labels = [str(p + 2) if self.is_file else repr(self.index[p]) for p in shown]
        word = "line" if self.is_file else "row"
        text = f"{word}{'s' if len(shown) > 1 else ''} {', '.join(labels)}"
        if len(positions) > len(shown):
            text += f" (and {len(positions) - len(shown)} more)"
        return text

    def fail(self, column, positions, what: str):
        col = f", column {column!r}" if column else ""
        raise DiagnoseInputError(f"{self.source}{col}, {self(positions)}: {what}")


def read_table(path) -> pd.DataFrame:
    """Read a CSV file keeping every cell as text (so that 'NA' stays a prediction).

    Examples
    --------
    >>> read_table("/no/such.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: /no/such.csv does not exist: ...
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist: pass a CSV table, per-item outputs or a BIG-bench "
            "results folder.")
    sep = _separator(path)
    try:
        header = pd.read_csv(path, nrows=0, sep=sep).columns
        # numbers parsed by the C reader (a column with text in it stays text, and the
        # checks then name the cell); every other column kept as text, 'NA' included
        numeric = [c for c in header if c in _NUMERIC]
        table = pd.read_csv(path, sep=sep, dtype={c: str for c in header if c not in numeric},
                            keep_default_na=False, na_values={c: _MISSING for c in numeric})
        table.attrs["separator"] = sep          # said in the report's notes when not a comma
        return table
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise DiagnoseInputError(f"{path}: cannot be read as a CSV table ({err}).") from None


_NUMERIC = ("scale", "value", "n_items", "stderr", "chance", "length")
_MISSING = ["", "NaN", "nan", "NA", "N/A", "n/a", "null", "None"]


def _separator(path: Path) -> str:
    """The file's separator: tab for .tsv/.tab; otherwise whichever of comma, semicolon
    (spreadsheets in many locales write it) and tab splits the header into most columns."""
    if path.suffix.lower() in (".tsv", ".tab"):
        return "\t"
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            header = handle.readline()
    except OSError:
        return ","
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > counts[","] else ","


def _raw_text(where, column, position):
    """The cell as written in the file, for an error message."""
    if not where.is_file:
        return None
    path = Path(where.source)
    text = pd.read_csv(path, usecols=[column], dtype=str, keep_default_na=False,
                       sep=_separator(path))[column]
    return text.iloc[position]


def _optional_counts(table: pd.DataFrame, column: str, where: _Where, problem: str):
    """An optional column of whole numbers >= 1 (NaN where absent); a bad value fails with its row."""
    if column not in table.columns:
        return np.nan
    values = _numbers(table, column, where, required=False)
    bad = np.isfinite(values) & ((values < 1) | (np.mod(values, 1) != 0))
    if bad.any():
        pos = np.flatnonzero(bad)
        where.fail(column, pos, f"{values[pos[0]]:g} {problem}")
    return values


def _numbers(table, column, where: _Where, *, required=True, sizes=False) -> np.ndarray:
    """A column as floats; text that is not a number is an error naming the row.

    With ``sizes``, text such as ``70M`` or ``6.9B`` is read as a model size.
    """
    raw = table[column]
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.to_numpy(dtype=float)
        blank = np.zeros(len(raw), dtype=bool)
    else:
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, copy=True)
        blank = np.zeros(len(raw), dtype=bool)
        odd = np.flatnonzero(np.isnan(values))  # look closer only at what did not parse
        if odd.size:
            text = raw.iloc[odd].astype(str).str.strip()
            again = pd.to_numeric(text.where(text != "", None), errors="coerce").to_numpy(float)
            if sizes:
                again = np.where(np.isnan(again), parse_sizes(text.to_numpy()), again)
            values[odd] = again
            blank[odd] = (text.eq("") | raw.iloc[odd].isna()).to_numpy()
            missing_word = text.str.lower().isin(["nan", "na", "n/a"]).to_numpy()
            bad = odd[np.isnan(again) & ~blank[odd] & ~missing_word]
            if bad.size:
                hint = " (a number, or a size such as 70M or 6.9B)" if sizes else ""
                where.fail(column, bad, f"{raw.iloc[bad[0]]!r} is not a number{hint}.")
    missing = np.isnan(values)
    if required and missing.any():
        pos = np.flatnonzero(missing)
        written = raw.iloc[pos[0]]
        if pd.api.types.is_numeric_dtype(raw):
            written = _raw_text(where, column, pos[0])
            blank[pos[0]] = written is not None and written.strip() == ""
        where.fail(column, pos, "empty cell: every row needs a number." if blank[pos[0]] else
                   f"{written!r}: a missing value, but every row needs a number (drop "
                   "the rows of models that were not run).")
    if np.isinf(values).any():
        where.fail(column, np.flatnonzero(np.isinf(values)), "infinite value.")
    return values


def _texts(table, column, where: _Where) -> pd.Series:
    """A column of names, stripped; an empty cell is an error naming the row."""
    codes, uniques = pd.factorize(table[column])  # strip each distinct name once
    names = pd.Index(uniques).astype(str).str.strip()
    missing = (codes < 0) | (np.asarray(names == "")[np.maximum(codes, 0)] if len(names)
                             else np.ones(len(codes), dtype=bool))
    if missing.any():
        where.fail(column, np.flatnonzero(missing), "empty cell: every row needs a name.")
    return pd.Series(np.asarray(names, dtype=object)[codes], index=table.index)


def _booleans(table, column, where: _Where) -> np.ndarray:
    """True/False/1/0/yes/no; an empty cell gives NaN (the metric's own default)."""
    text = table[column].astype(str).str.strip().str.lower()
    mapping = {"true": 1.0, "false": 0.0, "1": 1.0, "0": 0.0, "yes": 1.0, "no": 0.0,
               "1.0": 1.0, "0.0": 0.0, "": np.nan, "nan": np.nan, "none": np.nan}
    values = text.map(mapping)
    bad = values.isna() & ~text.isin(["", "nan", "none"])
    if bad.to_numpy().any():
        pos = np.flatnonzero(bad.to_numpy())
        where.fail(column, pos, f"{table[column].iloc[pos[0]]!r} is not True or False.")
    return values.to_numpy(dtype=float)


def _check_columns(table, required, source, what):
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise DiagnoseInputError(
            f"{source}: missing column(s) {missing} for {what}; it has {list(table.columns)}. "
            f"A tidy table needs {list(TIDY_REQUIRED)}; per-item outputs need "
            f"{list(OUTPUTS_REQUIRED)}.")


def _metric_info(metrics: dict) -> dict:
    info = dict(METRICS)
    for name, spec in (metrics or {}).items():
        if not isinstance(spec, MetricInfo):
            raise ValueError(f"metrics[{name!r}] must be a MetricInfo, got {spec!r}.")
        info[name] = spec
    return info


def _canonical(table: pd.DataFrame, where: _Where, info: dict,
               lower_is_better: frozenset) -> pd.DataFrame:
    """Validate a tidy table and return it with typed columns and its row positions."""
    _check_columns(table, TIDY_REQUIRED, where.source, "a tidy table")
    out = pd.DataFrame({c: _texts(table, c, where).to_numpy()
                        for c in ("task", "family", "model", "metric")})
    out["scale"] = _numbers(table, "scale", where, sizes=True)
    bad = out["scale"].to_numpy() <= 0
    if bad.any():
        pos = np.flatnonzero(bad)
        where.fail("scale", pos, f"scale {out['scale'].iloc[pos[0]]:g} is not positive: a model "
                   "size (parameters or training FLOPs) must be > 0.")
    out["value"] = _numbers(table, "value", where)
    out["n_items"] = _optional_counts(table, "n_items", where, "is not a test-set size (a whole number >= 1).")
    out["stderr"] = (_numbers(table, "stderr", where, required=False)
                     if "stderr" in table.columns else np.nan)
    bad = out["stderr"].to_numpy() < 0
    if bad.any():
        pos = np.flatnonzero(bad)
        where.fail("stderr", pos, f"{out['stderr'].iloc[pos[0]]:g} is not a standard error "
                   "(it must be >= 0; leave the cell empty where it is not known).")
    out["chance"] = (_numbers(table, "chance", where, required=False)
                     if "chance" in table.columns else np.nan)
    out["length"] = _optional_counts(table, "length", where, "is not a target length (whole tokens >= 1).")

    names = out["metric"]
    code, metric_names = pd.factorize(names)
    known = [info.get(m, _UNKNOWN) for m in metric_names]

    def per_row(values):
        return np.asarray(values, dtype=float)[code]

    clash = sorted(m for m in lower_is_better if m in info and info[m].higher_is_better)
    if clash:
        raise DiagnoseInputError(
            f"lower_is_better names {', '.join(map(repr, clash))}, which the catalogue knows as "
            "higher-is-better: drop it from lower_is_better (or --lower-is-better), or rename "
            "the metric if it is a different one.")
    default_better = per_row([(m not in lower_is_better) and k.higher_is_better
                              for m, k in zip(metric_names, known)])
    if "higher_is_better" in table.columns:
        given = _booleans(table, "higher_is_better", where)
        # a catalogued metric has one direction: a row that says the other is a mistake
        catalogued = per_row([m in info for m in metric_names]) == 1.0
        catalogue_better = per_row([k.higher_is_better for k in known]) == 1.0
        wrong = catalogued & np.isfinite(given) & ((given == 1.0) != catalogue_better)
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            m = names.iloc[i]
            way = "higher" if catalogue_better[i] else "lower"
            where.fail("higher_is_better", np.flatnonzero(wrong),
                       f"metric {m!r} is {way} is better ({info[m].source}), but the row says "
                       "the opposite. Leave the cell empty for a known metric, or give the "
                       "metric another name if it is a different one.")
        out["higher_is_better"] = np.where(np.isnan(given), default_better, given) == 1.0
    else:
        out["higher_is_better"] = default_better == 1.0

    # values outside the metric's range: often a missing-value marker
    low = per_row([k.low for k in known])
    high = per_row([k.high for k in known])
    v = out["value"].to_numpy()
    bad = (v < low) | (v > high)
    if bad.any():
        pos = np.flatnonzero(bad)
        i = pos[0]
        marker = (" Result files use values such as -100 and -1 to mark a model that was not "
                  "run: remove those rows rather than score them."
                  if v[i] in (-100.0, -1.0) else "")
        scale_hint = (" (a percentage? divide by 100)" if high[i] == 1 and 1 < v[i] <= 100
                      else "")
        where.fail("value", pos, f"{v[i]:g} is outside the range [{low[i]:g}, {high[i]:g}] of "
                   f"metric {names.iloc[i]!r}{scale_hint}.{marker}")
    c = out["chance"].to_numpy()
    bad = np.isfinite(c) & ((c < low) | (c > high))
    if bad.any():
        pos = np.flatnonzero(bad)
        where.fail("chance", pos, f"{c[pos[0]]:g} is outside the range of metric "
                   f"{names.iloc[pos[0]]!r}.")
    best = np.where(out["higher_is_better"].to_numpy(), high, low)
    bad = np.isfinite(c) & (c == best)
    if bad.any():
        pos = np.flatnonzero(bad)
        where.fail("chance", pos, f"{c[pos[0]]:g} is the best value metric "
                   f"{names.iloc[pos[0]]!r} can take: chance is the score of a random guess "
                   "(0.25 for four options), not of a perfect model.")
    out["_pos"] = np.arange(len(out))
    return out


def tidy_from_outputs(outputs: pd.DataFrame, *, source: str = "outputs", is_file: bool = False,
                      align: str = "left", stop_string=None, output_regex=None, max_length=None,
                      like_bigbench: bool = False, normalize_whitespace: bool = True,
                      numbers: bool = False) -> tuple[pd.DataFrame, dict]:
    """Score per-item outputs into a tidy table, and read the target lengths.

    Each model's predictions go through :func:`emergence.measure.postprocess.postprocess`
    with the options given; the targets through the same white-space and number
    normalisation (not the stop string, regex or length cut, which are for
    completions). Every item is scored with :func:`emergence.measure.metrics.exact_match`,
    :func:`emergence.measure.metrics.token_edit_distance` and
    :func:`emergence.measure.metrics.per_token_accuracy` (``align``); a string is scored
    as a sequence of character tokens.

    Returns
    -------
    table : pandas.DataFrame
        The tidy table: one row per task x family x model x metric, with
        ``n_items``.
    lengths : dict
        ``(task, family) -> (L values, weights)``: the distribution of target
        lengths, in tokens, over the family's distinct items.

    Examples
    --------
    >>> out = pd.DataFrame({"task": "t", "family": "F", "model": ["a", "a", "b", "b"],
    ...                     "scale": [1e6, 1e6, 1e7, 1e7], "item": [0, 1, 0, 1],
    ...                     "prediction": ["12", " 13 ", "1", "13"], "target": ["12", "13"] * 2})
    >>> table, lengths = tidy_from_outputs(out)
    >>> table.pivot(index="model", columns="metric", values="value")
    metric  exact_match  per_token_accuracy  token_edit_distance
    model
    a               1.0                1.00                  0.0
    b               0.5                0.75                  0.5
    >>> lengths
    {('t', 'F'): (array([2]), array([1.]))}
    """
    from emergence.measure.metrics import exact_match, per_token_accuracy, token_edit_distance
    from emergence.measure.postprocess import postprocess

    where = _Where(source, is_file, outputs.index)
    _check_columns(outputs, OUTPUTS_REQUIRED, source, "per-item outputs")
    keys = pd.DataFrame({c: _texts(outputs, c, where).to_numpy()
                         for c in ("task", "family", "model", "item")})
    keys["scale"] = _numbers(outputs, "scale", where, sizes=True)
    bad = keys["scale"].to_numpy() <= 0
    if bad.any():
        where.fail("scale", np.flatnonzero(bad), "scale must be positive.")
    texts = {}
    for col in ("prediction", "target"):
        raw = outputs[col]
        missing = raw.isna().to_numpy()
        if missing.any():
            where.fail(col, np.flatnonzero(missing),
                       "missing (NaN): an empty output is the empty string ''.")
        texts[col] = raw.astype(str).to_numpy()
    dup = keys.duplicated(["task", "family", "model", "item"]).to_numpy()
    if dup.any():
        pos = np.flatnonzero(dup)
        where.fail("item", pos, f"item {keys['item'].iloc[pos[0]]!r} of model "
                   f"{keys['model'].iloc[pos[0]]!r} appears twice: one row per model and item.")
    scales = keys.groupby(["task", "family", "model"], sort=False)["scale"].nunique()
    if (scales > 1).any():
        t, f, m = scales[scales > 1].index[0]
        raise DiagnoseInputError(f"{source}, column 'scale': model {m!r} of family {f!r} has "
                                 "more than one scale; give each model one size.")

    # score each distinct (prediction, target) pair once
    common = dict(normalize_whitespace=normalize_whitespace, numbers=numbers)
    pred_code, uniq_pred = pd.factorize(texts["prediction"])
    targ_code, uniq_targ = pd.factorize(texts["target"])
    # post-process each distinct string once; two raw outputs can become one
    pp_code, pp_pred = pd.factorize(np.array(postprocess(
        list(uniq_pred), stop_string=stop_string, output_regex=output_regex,
        max_length=max_length, like_bigbench=like_bigbench, **common), dtype=object))
    tp_code, tp_targ = pd.factorize(np.array(postprocess(list(uniq_targ), **common),
                                             dtype=object))
    pred_code, targ_code = pp_code[pred_code], tp_code[targ_code]
    width = max(len(tp_targ), 1)
    codes, uniq_pairs = pd.factorize(pred_code.astype(np.int64) * width + targ_code)
    p = list(np.asarray(pp_pred, dtype=object)[uniq_pairs // width])
    t = list(np.asarray(tp_targ, dtype=object)[uniq_pairs % width])
    targs = np.asarray(tp_targ, dtype=object)
    scored = {
        "exact_match": exact_match(p, t)[codes],
        "token_edit_distance": token_edit_distance(p, t)[codes],
        "per_token_accuracy": per_token_accuracy(p, t, align=align)[codes],
    }
    per_item = keys.assign(**scored)
    group = ["task", "family", "model", "scale"]
    means = per_item.groupby(group, sort=True, observed=True).agg(
        n_items=("item", "size"), **{m: (m, "mean") for m in scored})
    table = means.reset_index().melt(id_vars=[*group, "n_items"], value_vars=list(scored),
                                     var_name="metric", value_name="value")
    table = table[[*TIDY_REQUIRED, "n_items"]].sort_values(["task", "family", "metric", "scale"],
                                                           ignore_index=True)
    # target lengths in tokens, over the distinct items of each task x family
    items = keys[["task", "family", "item"]].assign(
        length=np.array([len(s) for s in targs], dtype=np.int64)[targ_code])
    items = items.drop_duplicates(["task", "family", "item"])
    lengths = {}
    for (task, family), grp in items.groupby(["task", "family"], sort=True):
        counts = grp["length"].value_counts().sort_index()
        lengths[(task, family)] = (counts.index.to_numpy(dtype=np.int64),
                                   (counts / counts.sum()).to_numpy(dtype=float))
    return table, lengths


def tidy_from_bigbench(path, *, scale: str | None = None, on_error: str = "raise") -> pd.DataFrame:
    """A BIG-bench results folder (or file) as a tidy table.

    The task of a curve is BIG-bench's subtask with its number of shots
    (``"task:subtask, 2-shot"``); the family, model, scale and value are the
    reader's ``model_family``, ``model_name``, ``params`` and ``score``, and
    metrics in :data:`emergence.io.bigbench.LOWER_IS_BETTER` are lower-is-better.
    The ``chance`` of a curve of the preferred metric is the files'
    ``low_score`` where that can serve as one (:func:`_chance_from_low_score`).

    Parameters
    ----------
    path : str or pathlib.Path
        Anything :func:`emergence.io.bigbench.read_results` reads.
    scale : str, optional
        The model-size field (:data:`emergence.io.bigbench.SCALES`); default the
        reader's.
    """
    from emergence.io.bigbench import DEFAULT_SCALE, LOWER_IS_BETTER, SHOTS_NOT_APPLICABLE, read_results

    results = read_results(path, scale=scale or DEFAULT_SCALE, on_error=on_error)
    shots = results["n_shots"].to_numpy()
    label = np.where(shots == SHOTS_NOT_APPLICABLE, "shots n/a",
                     pd.Series(shots).astype(str).to_numpy() + "-shot")
    table = pd.DataFrame({
        "task": results["subtask"].astype(str).to_numpy() + ", " + label,
        "family": results["model_family"].to_numpy(),
        "model": results["model_name"].to_numpy(),
        "scale": results["params"].to_numpy(),
        "metric": results["metric"].to_numpy(),
        "value": results["score"].to_numpy(),
        "higher_is_better": ~results["metric"].isin(LOWER_IS_BETTER).to_numpy(),
    })
    table["chance"] = _chance_from_low_score(table, results["low_score"].to_numpy(dtype=float))
    return table


def _chance_from_low_score(table: pd.DataFrame, low: np.ndarray) -> np.ndarray:
    """BIG-bench's ``low_score`` as each curve's chance level, where it can serve as one.

    BIG-bench gives it for the preferred metric only, as the score of "poor, or
    chance level, performance". It floors a curve's backtest only where it is one
    value for the whole curve, the metric is a known higher-is-better one and the
    value lies inside the metric's range below its best; elsewhere NaN (no floor
    beyond the metric's own).
    """
    info = [METRICS.get(m, _UNKNOWN) for m in table["metric"]]
    low_end = np.array([i.low for i in info], dtype=float)
    high_end = np.array([i.high for i in info], dtype=float)
    usable = (np.isfinite(low) & table["higher_is_better"].to_numpy() & np.isfinite(low_end)
              & np.isfinite(high_end) & (low >= low_end) & (low < high_end))
    chance = np.where(usable, low, np.nan)
    groups = pd.Series(chance).groupby([table[k] for k in ("task", "family", "metric")], sort=False)
    one_value = ((groups.transform("count") == groups.transform("size"))
                 & (groups.transform("nunique") == 1)).to_numpy(dtype=bool)
    return np.where(one_value, chance, np.nan)


def _looks_like_harness(path: Path) -> bool:
    """A JSON file, or a folder of them, written by lm-evaluation-harness (not BIG-bench)."""
    import json

    from emergence.io.harness import is_harness_results

    if path.is_dir():
        if next(path.rglob("scores_*.json"), None) is not None:      # BIG-bench's names
            return False
        candidates = sorted(path.rglob("*.json"))[:5]
    elif path.suffix == ".json":
        candidates = [path]
    else:
        return False
    for file in candidates:
        try:
            if is_harness_results(json.loads(file.read_text(encoding="utf-8"))):
                return True
        except (OSError, ValueError):
            continue
    return False


def _load(source, kind, options, where_name=None):
    """(tidy table, lengths or None, where, name, description) from any accepted input."""
    is_file = False
    if isinstance(source, pd.DataFrame):
        raw, name = source, where_name or "the DataFrame"
    else:
        path = Path(source)
        name = str(path)
        if kind == "harness" or (kind == "auto" and _looks_like_harness(path)):
            from emergence.io.harness import read_harness

            table = read_harness(path, scales=options.get("harness_scales"))
            guessed = sorted(table.loc[table["scale_from"] == "name", "model"].unique())
            said = (f", sizes read from {len(guessed)} model name(s)" if guessed else "")
            return table, None, _Where(f"{name} (as read by emergence.io.harness)", False,
                                       table.index), name, f"lm-evaluation-harness results{said}"
        if kind == "bigbench" or (kind == "auto" and (path.is_dir() or path.suffix == ".json")):
            table = tidy_from_bigbench(path, scale=options.get("bigbench_scale"),
                                       on_error=options.get("bigbench_on_error", "raise"))
            from emergence.io.bigbench import DEFAULT_SCALE

            field = options.get("bigbench_scale") or DEFAULT_SCALE
            return table, None, _Where(f"{name} (as read by emergence.io.bigbench)", False,
                                       table.index), name, f"BIG-bench results, sizes from {field}"
        raw, is_file = read_table(path), True
    if kind == "auto":
        from emergence.io.leaderboard import is_wide

        kind = ("outputs" if {"prediction", "target"} <= set(raw.columns)
                else "wide" if is_wide(raw.columns) else "tidy")
    if kind == "wide":
        from emergence.io.leaderboard import read_wide

        try:
            table = read_wide(raw, metric=options.get("wide_metric", "score"),
                              model_column=options.get("model_column"),
                              scale_column=options.get("scale_column"), source=name)
        except ValueError as err:
            raise DiagnoseInputError(str(err)) from None
        return table, None, _Where(f"{name} (as reshaped from a wide table)", False,
                                   table.index), name, "wide table, one row per model"
    if kind == "outputs":
        post = {k: options[k] for k in ("align", "stop_string", "output_regex", "max_length",
                                         "like_bigbench", "normalize_whitespace", "numbers")
                if k in options}
        table, lengths = tidy_from_outputs(raw, source=name, is_file=is_file, **post)
        return table, lengths, _Where(f"{name} (as scored)", False, table.index), name, \
            f"per-item outputs, {len(raw):,} items"
    if kind != "tidy":
        raise ValueError(f"kind must be 'auto', 'tidy', 'wide', 'outputs', 'bigbench' or "
                         f"'harness', got {kind!r}.")
    return raw, None, _Where(name, is_file, raw.index), name, "tidy table"

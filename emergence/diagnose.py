"""``emergence diagnose``: check any scaling curve for a mirage.

One call, :func:`diagnose`, takes results across model families and says, for
every task x family x metric curve, what the book's checks find and what the
evidence supports. The command line ``emergence diagnose PATH`` (see
:mod:`emergence.cli`) is a thin layer over it.

Inputs
------
A **tidy table** (CSV file or DataFrame), one row per model x task x metric:

======================  ==================================================
``task``                the task (a curve is one task x family x metric)
``family``              the model family
``model``               the model's name
``scale``               its size, > 0 (parameters or training FLOPs)
``metric``              the metric's name (see :data:`METRICS`)
``value``               the metric's value
``n_items``             optional: test-set size (exact intervals)
``stderr``              optional: the value's standard error (else
                        binomial from ``n_items`` where the metric
                        counts items)
``higher_is_better``    optional: True/False (else the metric's own)
``chance``              optional: the random baseline (floor of the fit)
``length``              optional: target length L in tokens (for p^L)
======================  ==================================================

**lm-evaluation-harness results** (a ``results*.json`` file or a folder of
them), read by :func:`emergence.harness.read_harness`.

A **wide table** (one row per model, a column per benchmark, sizes such as
``7B``), read by :func:`emergence.leaderboard.read_wide`.

A **BIG-bench results folder** (or one ``scores_*.json`` file), read by
:func:`emergence.bigbench.read_results`: a task is BIG-bench's subtask and
its number of shots.

**Per-item outputs** (CSV file or DataFrame) with ``task``, ``family``,
``model``, ``scale``, ``item``, ``prediction`` and ``target`` (strings): the
tool post-processes the predictions (:func:`emergence.postprocess.postprocess`)
and scores every item under :func:`~emergence.metrics.exact_match`,
:func:`~emergence.metrics.token_edit_distance` and
:func:`~emergence.metrics.per_token_accuracy`; the test-set size and the
target lengths come from the items.

Checks, for every curve
-----------------------
- **does it rise, and where?** (:func:`emergence.shape.judge_shape`): the
  net change against its noise (three standard errors, from a ``stderr``
  column or binomial from ``n_items``), then the share of the gain made by
  the middle of the log-scale range and within its steepest quarter. The
  curve is *sharp* if it rises, not early, and late or in a jump; each
  judgement has an unclear band, so no verdict flips on a small difference.
  The judgement means the same for 5 models as for 50: a straight line makes
  50% of its gain by mid-scale and 25% in any quarter, whatever its number
  of models;
- the mirage paper's **emergence score** (:func:`emergence.score.emergence_score`),
  reported but not used by the verdict (a straight line through ``k`` models
  scores ``k - 1``), and whether it passes a cut-off, :data:`EMERGENCE_CUTOFF`
  (column ``score_above_cutoff``); the **share of the gain** made by the
  middle model (:func:`emergence.score.share_of_gain` at ``n // 2``);
- where ``n_items`` is known and the metric counts items right (exact match,
  multiple-choice grade), the **exact 95% interval** of every point
  (:func:`emergence.scaling.accuracy_interval`) and the **resolution floor**:
  a model at 0 of ``n`` is below about ``3.7 / n``, not at zero;
- whether the metric is **known to be discontinuous or nonlinear**
  (:data:`METRICS`, with the source of each label);
- the **other metrics of the same outputs**: a sharp metric's partner in
  the same task and family (a linear or continuous metric, a loss included,
  one without a jump first): *consistent with a metric-made jump* when the
  partner rises neither sharply nor late, *not made by the metric alone*
  when it is sharp too (column ``metric_made``); and, for exact
  match, the curve that the partner predicts under independence, ``p ** L``
  (:func:`emergence.mirage.expected_accuracy`, or
  :func:`emergence.mirage.accuracy_from_loss` for a per-token loss), with L
  given or read off the targets;
- a **backtest** (:func:`emergence.backtest.backtest_many`): fit on all but
  the largest ``holdout`` models -- a logistic in log-scale for a score
  bounded on both sides, between its floor (chance) and ceiling; a power law
  for a loss or error count; their mean where they do not change beyond
  their noise (:func:`emergence.shape.flat_within_noise`) -- and predict the
  held-back ones. A forecast is right within 5% of a bounded metric's range
  (10% of the gap for a power law), inside the held-out point's exact
  interval, or within three of its standard errors.

A curve of a family with fewer than 3 models is skipped (the table says so);
with 3 it is measured but gets no verdict. Every other curve gets one
**verdict** line that says what the evidence supports and nothing more.

Examples
--------
>>> import pandas as pd
>>> scales = [1e7, 1e8, 1e9, 1e10, 1e11, 1e12]
>>> exact = [0.0, 0.0, 0.0, 0.01, 0.3, 0.9]        # made-up numbers
>>> per_token = [0.3, 0.45, 0.6, 0.72, 0.87, 0.97]
>>> table = pd.DataFrame({"task": "add", "family": "F", "model": [f"m{i}" for i in range(6)] * 2,
...                       "scale": scales * 2, "value": exact + per_token, "n_items": 200,
...                       "metric": ["exact_match"] * 6 + ["per_token_accuracy"] * 6})
>>> result = diagnose(table, target_length=3)
>>> result[["metric", "n_models", "sharp"]].values.tolist()
[['exact_match', 6, True], ['per_token_accuracy', 6, False]]
>>> for clause in result["verdict"].iloc[0].split("; "):
...     print(clause)
sharp: rises late (1% of its gain by the middle of the scale range, 75% within its steepest quarter, emergence score 90)
sharp under exact_match, not under per_token_accuracy of the same outputs (which makes 54% of its gain by the middle of the scale range, against 1%): consistent with a metric-made jump
p^L from per_token_accuracy (L = 3) misses it by up to 0.363 (at 1e+10): its tokens are not right independently and alike, so p^L does not explain it
the 3 smallest models at 0 of 200: below resolution (under 1.8%), more items needed
the largest model forecast by the smaller ones (predicted 0.948, observed 0.9)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .backtest import backtest_many
from .catalogue import METRICS, SHARP_KINDS, SMOOTH_KINDS, UNKNOWN as _UNKNOWN, MetricInfo
from .curves import emergence_scores, pack, shares_of_gain
from .mirage import accuracy_from_loss, expected_accuracy, implied_per_token_probability
from .scaling import accuracy_interval
from .shape import NOISE_Z, binomial_stderr, flat_within_noise, judge_shape
from .sizes import parse_sizes

__all__ = [
    "EMERGENCE_CUTOFF",
    "METRICS",
    "MetricInfo",
    "DiagnoseInputError",
    "SCALE_UNITS",
    "TIDY_REQUIRED",
    "TIDY_OPTIONAL",
    "OUTPUTS_REQUIRED",
    "diagnose",
    "read_table",
    "tidy_from_outputs",
    "tidy_from_bigbench",
    "parse_sizes",
]

#: The cut-off of the ``score_above_cutoff`` column (the paper-style classification,
#: reported beside the verdict, not used by it).
#: A straight line through k models scores k - 1, so no straight line through 11
#: or fewer models passes it (the default of :func:`emergence.bigbench.meta_analysis`).
EMERGENCE_CUTOFF = 10.0

#: The columns of a tidy table, and its optional ones.
TIDY_REQUIRED = ("task", "family", "model", "scale", "metric", "value")
TIDY_OPTIONAL = ("n_items", "stderr", "higher_is_better", "chance", "length")
#: The columns of a table of per-item outputs.
OUTPUTS_REQUIRED = ("task", "family", "model", "scale", "item", "prediction", "target")

#: Units of the scale axis: the name used on the command line -> the label.
SCALE_UNITS = {"parameters": "parameters", "flops": "training FLOPs"}

#: A backtest forecasts a held-out model when its error is within this share of
#: the metric's range (logistic) or of the observed gap to the best value (power law).
LOGISTIC_TOLERANCE = 0.05
POWER_LAW_TOLERANCE = 0.10
#: p^L reproduces an exact-match curve when every point is within this (or within
#: the point's exact interval, where the test-set size is known).
P_L_TOLERANCE = 0.05

class SharedTable(pd.DataFrame):
    """A DataFrame kept in another one's ``attrs`` without being copied.

    pandas deep-copies ``attrs`` into the result of every operation; the points
    table of a large report would be copied each time a column is selected.
    This table is shared instead (operations on it give plain DataFrames).
    """

    @property
    def _constructor(self):
        return pd.DataFrame

    def __deepcopy__(self, memo=None):
        return self


class DiagnoseInputError(ValueError):
    """Bad input to :func:`diagnose`; the message names the file, column and row."""


# A sharp metric's partners of the same outputs, best first: the ones that give
# p (for p^L) first, then other linear or continuous metrics, then other sharp ones.
_P_SOURCES = ("per_token_accuracy", "token_edit_distance", "per_token_cross_entropy", "loss",
              "per_token_loss")
_PARTNER_ORDER = (*_P_SOURCES, "calibration_multiple_choice_brier_score", "brier_score",
                  "log_likelihood", "cross_entropy", "perplexity", "ppl", "word_perplexity",
                  "byte_perplexity", "bits_per_byte", "mc2", "logprob", "logprob_per_byte")
# The metrics p^L is a model of: all-or-nothing string matches.
_P_L_TARGETS = ("exact_match", "accuracy", "exact_str_match", "case_insensitive_str_match",
                "quasi_exact_match")



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

    Each model's predictions go through :func:`emergence.postprocess.postprocess`
    with the options given; the targets through the same white-space and number
    normalisation (not the stop string, regex or length cut, which are for
    completions). Every item is scored with :func:`emergence.metrics.exact_match`,
    :func:`emergence.metrics.token_edit_distance` and
    :func:`emergence.metrics.per_token_accuracy` (``align``); a string is scored
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
    from .metrics import exact_match, per_token_accuracy, token_edit_distance
    from .postprocess import postprocess

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
    metrics in :data:`emergence.bigbench.LOWER_IS_BETTER` are lower-is-better.
    The ``chance`` of a curve of the preferred metric is the files'
    ``low_score`` where that can serve as one (:func:`_chance_from_low_score`).

    Parameters
    ----------
    path : str or pathlib.Path
        Anything :func:`emergence.bigbench.read_results` reads.
    scale : str, optional
        The model-size field (:data:`emergence.bigbench.SCALES`); default the
        reader's.
    """
    from .bigbench import DEFAULT_SCALE, LOWER_IS_BETTER, SHOTS_NOT_APPLICABLE, read_results

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

    from .harness import is_harness_results

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
            from .harness import read_harness

            table = read_harness(path, scales=options.get("harness_scales"))
            guessed = sorted(table.loc[table["scale_from"] == "name", "model"].unique())
            said = (f", sizes read from {len(guessed)} model name(s)" if guessed else "")
            return table, None, _Where(f"{name} (as read by emergence.harness)", False,
                                       table.index), name, f"lm-evaluation-harness results{said}"
        if kind == "bigbench" or (kind == "auto" and (path.is_dir() or path.suffix == ".json")):
            table = tidy_from_bigbench(path, scale=options.get("bigbench_scale"),
                                       on_error=options.get("bigbench_on_error", "raise"))
            from .bigbench import DEFAULT_SCALE

            field = options.get("bigbench_scale") or DEFAULT_SCALE
            return table, None, _Where(f"{name} (as read by emergence.bigbench)", False,
                                       table.index), name, f"BIG-bench results, sizes from {field}"
        raw, is_file = read_table(path), True
    if kind == "auto":
        from .leaderboard import is_wide

        kind = ("outputs" if {"prediction", "target"} <= set(raw.columns)
                else "wide" if is_wide(raw.columns) else "tidy")
    if kind == "wide":
        from .leaderboard import read_wide

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


# --------------------------------------------------------------------------- checks


def _fmt(x: float) -> str:
    """A number for a verdict line: 3 significant digits, scales in e-notation."""
    if not np.isfinite(x):
        return "inf" if x > 0 else ("-inf" if x < 0 else "nan")
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
        return f"{x:.2g}" if abs(x) >= 1e5 else f"{x:.1e}"
    return f"{x:.3g}"


def _percent(x: float) -> str:
    return f"{100 * x:.2g}%"


def _duplicates(t: pd.DataFrame, curve_id: np.ndarray, where: _Where):
    """Refuse a model listed twice on a curve, and two models at one scale.

    ``t`` is sorted by curve, then scale; ``curve_id`` numbers its curves.
    """
    key = ["task", "family", "metric"]
    model_code = pd.factorize(t["model"])[0].astype(np.int64)
    combined = pd.Series(curve_id.astype(np.int64) * (int(model_code.max()) + 1) + model_code)
    twice = combined.duplicated(keep=False).to_numpy()
    scale = t["scale"].to_numpy()
    same = (curve_id[1:] == curve_id[:-1]) & (scale[1:] == scale[:-1])
    if not twice.any() and not same.any():
        return
    if twice.any():
        rows = t[twice]
        first = rows.iloc[0]
        same = rows[(rows["task"] == first["task"]) & (rows["family"] == first["family"])
                    & (rows["metric"] == first["metric"]) & (rows["model"] == first["model"])]
        where.fail("model", same["_pos"].to_numpy(),
                   f"model {first['model']!r} of family {first['family']!r} has two values of "
                   f"metric {first['metric']!r} on task {first['task']!r}: keep one row per "
                   "model x task x metric (average repeated runs first).")
    same_scale = np.r_[same, False] | np.r_[False, same]
    if same_scale.any():
        rows = t[same_scale]
        first = rows.iloc[0]
        pair = rows[(rows["task"] == first["task"]) & (rows["family"] == first["family"])
                    & (rows["metric"] == first["metric"]) & (rows["scale"] == first["scale"])]
        models = ", ".join(repr(m) for m in pair["model"].iloc[:2])
        where.fail("scale", pair["_pos"].to_numpy(),
                   f"two models of family {first['family']!r} at the same scale "
                   f"{first['scale']:g} ({models}): a curve needs one model per scale. If they "
                   "are variants (chat vs base, another data mix), give them families of their "
                   "own; if they are repeated runs of one model, average them into one row.")


def _constant_within(t, column, key, where: _Where, what):
    values = t[column]
    if values.isna().all():
        return
    counts = t.groupby(key, sort=False, observed=True)[column].nunique(dropna=False)
    if (counts > 1).any():
        bad = counts[counts > 1].index[0]
        label = ", ".join(f"{k}={v!r}" for k, v in zip(key, bad))
        rows = np.flatnonzero(np.logical_and.reduce(
            [t[k].to_numpy() == v for k, v in zip(key, bad)]))
        where.fail(column, t["_pos"].to_numpy()[rows],
                   f"{what} differs between the rows of one curve ({label}); give one value.")


def diagnose(source, *, kind: str = "auto", scale_unit: str = "parameters",
             cutoff: float = EMERGENCE_CUTOFF, holdout: int = 1, target_length=None,
             metrics: dict | None = None, lower_is_better=(), figures: bool = False,
             progress: bool = False, **scoring):
    """Check every task x family x metric curve of ``source`` for a mirage.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A tidy table or per-item outputs (CSV file or DataFrame), or a
        BIG-bench results folder or ``scores_*.json`` file (see the module
        docstring for the columns).
    kind : {"auto", "tidy", "wide", "outputs", "bigbench", "harness"}
        What ``source`` is; ``"auto"`` decides by its form and columns.
    scale_unit : {"parameters", "flops"}
        What ``scale`` measures (labels the report and figures).
    cutoff : float
        A curve is sharp when its emergence score is above this
        (default :data:`EMERGENCE_CUTOFF`).
    holdout : int
        How many of each family's largest models the backtest holds back.
    target_length : int, optional
        Target length L in tokens for p^L, where the table has no ``length``
        column (per-item outputs give their own).
    metrics : dict, optional
        Extra or replacement :class:`MetricInfo` by metric name, for metrics
        not in :data:`METRICS`.
    lower_is_better : collection of str
        Metric names that are lower-is-better, for metrics not in the
        catalogue (a ``higher_is_better`` column wins over both).
    figures : bool
        Also draw one figure per task x family (see
        :func:`emergence.report.plot_family`) and return them.
    progress : bool
        Show a progress bar (tqdm) on large inputs.
    **scoring
        For per-item outputs: ``align``, ``stop_string``, ``output_regex``,
        ``max_length``, ``like_bigbench``, ``normalize_whitespace``,
        ``numbers`` (see :func:`tidy_from_outputs`); for BIG-bench,
        ``bigbench_scale`` and ``bigbench_on_error`` (``"warn"``: read the
        files that can be read, with a warning naming the others); for
        lm-evaluation-harness results, ``harness_scales`` (see
        :func:`emergence.harness.read_harness`); for a wide table,
        ``wide_metric``, ``model_column`` and ``scale_column`` (see
        :func:`emergence.leaderboard.read_wide`).

    Returns
    -------
    pandas.DataFrame
        One row per curve (every column is described in
        :data:`emergence.report.CURVE_COLUMNS`), ending in ``verdict``.
        ``attrs["points"]`` holds one row per model point (value, exact
        interval, p^L prediction, backtest prediction), ``attrs["settings"]``
        the settings and ``attrs["notes"]`` what was assumed or skipped.
        With ``figures=True``, a tuple ``(table, figures)``, ``figures`` a
        dict ``(task, family) -> matplotlib Figure``.

    Raises
    ------
    DiagnoseInputError
        Bad input (a ValueError): the message names the file, column and row.
    FileNotFoundError
        ``source`` does not exist.
    """
    if scale_unit not in SCALE_UNITS:
        raise ValueError(f"scale_unit must be one of {list(SCALE_UNITS)}, got {scale_unit!r}.")
    cutoff = float(cutoff)
    if not np.isfinite(cutoff):
        raise ValueError(f"cutoff must be a finite number, got {cutoff}.")
    if isinstance(holdout, bool) or not isinstance(holdout, (int, np.integer)) or holdout < 1:
        raise ValueError(f"holdout must be a whole number >= 1, got {holdout!r}.")
    if target_length is not None and (isinstance(target_length, bool) or not isinstance(
            target_length, (int, np.integer)) or target_length < 1):
        raise ValueError(f"target_length must be a whole number >= 1, got {target_length!r}.")
    unknown = set(scoring) - {"align", "stop_string", "output_regex", "max_length",
                              "like_bigbench", "normalize_whitespace", "numbers",
                              "bigbench_scale", "bigbench_on_error", "harness_scales",
                              "wide_metric", "model_column", "scale_column"}
    if unknown:
        raise TypeError(f"diagnose() got unexpected keyword argument(s) {sorted(unknown)}.")
    info = _metric_info(metrics)
    if isinstance(lower_is_better, str):
        raise ValueError("lower_is_better must be a collection of metric names, not one string.")
    lower = frozenset(lower_is_better)

    raw, lengths, where, name, input_kind = _load(source, kind, scoring)
    t = _canonical(raw, where, info, lower)
    if t.empty:
        raise DiagnoseInputError(f"{where.source}: the table has no rows.")
    if target_length is not None:
        t["length"] = t["length"].fillna(float(target_length))
    key = ["task", "family", "metric"]
    _constant_within(t, "higher_is_better", key, where, "higher_is_better")
    _constant_within(t, "chance", key, where, "chance")
    _constant_within(t, "length", ["task", "family"], where, "length")
    # sort by task, family, metric (alphabetically, through sorted integer codes), then scale
    codes = [pd.factorize(t[k], sort=True)[0] for k in key]
    order = np.lexsort((t["scale"].to_numpy(), *codes[::-1]))
    t = t.iloc[order].reset_index(drop=True)
    codes = [c[order].astype(np.int64) for c in codes]
    combined = (codes[0] * (codes[1].max() + 1) + codes[1]) * (codes[2].max() + 1) + codes[2]
    new_curve = np.r_[True, combined[1:] != combined[:-1]]
    curve_id = np.cumsum(new_curve) - 1
    starts = np.flatnonzero(new_curve)
    position = np.arange(len(t)) - starts[curve_id]
    n_curves = int(len(starts))
    _duplicates(t, curve_id, where)
    t["_curve"] = curve_id
    first = np.flatnonzero(position == 0)
    curves = t.loc[first, [*key, "higher_is_better", "chance"]].reset_index(drop=True)
    n = np.bincount(curve_id, minlength=n_curves)
    curves["n_models"] = n
    X = pack(curve_id, position, t["scale"].to_numpy(), n_curves)
    Y = pack(curve_id, position, t["value"].to_numpy(), n_curves)
    N = pack(curve_id, position, t["n_items"].to_numpy(), n_curves)
    rows = np.arange(n_curves)
    curves["scale_min"] = X[:, 0]
    curves["scale_max"] = X[rows, n - 1]
    kinds = curves["metric"].map(lambda m: info.get(m, _UNKNOWN).kind)
    curves.insert(3, "metric_kind", kinds.to_numpy())
    better = curves["higher_is_better"].to_numpy(dtype=bool)

    measured = n >= 3
    score = np.full(n_curves, np.nan)
    share = np.full(n_curves, np.nan)
    if measured.any():
        score[measured] = emergence_scores(Y[measured], better[measured])
        share[measured] = shares_of_gain(Y[measured], np.maximum(n[measured] // 2, 1),
                                         better[measured])
    curves["emergence_score"] = score
    curves["score_above_cutoff"] = measured & (score > cutoff)
    curves["share_of_gain_at_middle"] = share

    points = _points(t, info, where)
    S = pack(curve_id, position, points["stderr"].to_numpy(), n_curves)
    _shape(curves, X, Y, S, n >= 4)
    _resolution(curves, points, n_curves)
    _partners(curves, info)
    _metric_made(curves)
    _p_to_the_l(curves, points, t, lengths, info)
    row_of = pack(curve_id, position, np.arange(len(t)), n_curves, fill=-1)
    _backtests(curves, points, X, Y, S, row_of, info, holdout, progress)
    notes = _notes(curves, info, lower, raw)
    curves["verdict"] = _verdicts(curves, cutoff, holdout)

    points = points.drop(columns=["_curve", "_pos"], errors="ignore")
    curves.attrs["points"] = SharedTable(points)
    curves.attrs["settings"] = {
        "source": name, "input": input_kind, "scale_unit": scale_unit,
        "cutoff": cutoff, "holdout": int(holdout), "rows": int(len(t)),
        "curves": int(n_curves),
    }
    curves.attrs["notes"] = notes
    if figures:
        from .report import plot_families

        return curves, plot_families(curves)
    return curves


def _decimals(values: np.ndarray) -> np.ndarray:
    """How many decimals each value is written with (at most 9): 0.6213 has 4."""
    digits = np.full(values.shape, 9)
    for d in range(8, -1, -1):
        digits = np.where(np.abs(np.round(values, d) - values) < 1e-12, d, digits)
    return digits


def _points(t: pd.DataFrame, info: dict, where: _Where) -> pd.DataFrame:
    """One row per model point, with its exact interval where the metric counts items."""
    points = t[["task", "family", "metric", "model", "scale", "value", "n_items", "_curve",
                "_pos"]].copy()
    code, names = pd.factorize(t["metric"])
    counts = np.array([info.get(m, _UNKNOWN).counts_items for m in names], dtype=bool)[code]
    n = t["n_items"].to_numpy()
    exact = counts & np.isfinite(n)
    k = np.full(len(t), np.nan)
    lo = np.full(len(t), np.nan)
    hi = np.full(len(t), np.nan)
    floor = np.full(len(t), np.nan)
    if exact.any():
        v, nn = t["value"].to_numpy()[exact], n[exact]
        kk = np.round(v * nn)
        # a value rounded to d decimals (0.6213 of 5,153 items) stands for any count within
        # half a unit of its last digit: it must be consistent with a whole number of items
        rounding = 0.5 * 10.0 ** -_decimals(v) * nn
        off = np.abs(v * nn - kk) > np.maximum(rounding, 1e-5 * nn) + 1e-9
        if off.any():
            bad = np.flatnonzero(exact)[np.flatnonzero(off)]
            i = bad[0]
            where.fail("n_items", t["_pos"].to_numpy()[bad],
                       f"model {t['model'].iloc[i]!r}, metric {t['metric'].iloc[i]!r}: value "
                       f"{t['value'].iloc[i]:g} on {n[i]:g} items is not a whole number of items "
                       f"({t['value'].iloc[i] * n[i]:.3f}), even allowing for the value's "
                       "rounding: check n_items (it must be the number of items the value is "
                       "the mean of).")
        k[exact] = kk
        lo[exact], hi[exact] = accuracy_interval(kk, nn)
        sizes, inverse = np.unique(nn, return_inverse=True)
        floor[exact] = accuracy_interval(np.zeros(len(sizes)), sizes)[1][inverse]
    points["n_correct"] = k
    # each value's standard error: given, or binomial where the metric counts items
    points["stderr"] = np.where(np.isfinite(t["stderr"].to_numpy()), t["stderr"].to_numpy(),
                                np.where(exact, binomial_stderr(t["value"].to_numpy(), n), np.nan))
    points["ci_low"] = lo
    points["ci_high"] = hi
    points["resolution_floor"] = floor
    return points


def _resolution(curves, points, n_curves):
    """Test-set sizes and the models at 0 correct, per curve."""
    known = points[np.isfinite(points["n_correct"].to_numpy())]
    curves["n_items_min"] = np.nan
    curves["n_items_max"] = np.nan
    curves["resolution_floor"] = np.nan
    curves["models_at_zero"] = 0
    curves["smallest_at_zero"] = 0
    if known.empty:
        return
    g = known.groupby("_curve", sort=False)
    idx = g.size().index.to_numpy()
    curves.loc[idx, "n_items_min"] = g["n_items"].min().to_numpy()
    curves.loc[idx, "n_items_max"] = g["n_items"].max().to_numpy()
    curves.loc[idx, "resolution_floor"] = g["resolution_floor"].max().to_numpy()
    zero = known["n_correct"].to_numpy() == 0
    curves.loc[idx, "models_at_zero"] = (pd.Series(zero, index=known.index)
                                         .groupby(known["_curve"]).sum()
                                         .reindex(idx).to_numpy())
    # the leading run of zeros: points are sorted by scale within each curve
    pos = known.groupby("_curve", sort=False).cumcount().to_numpy()
    nonzero_before = (pd.Series(~zero, index=known.index).groupby(known["_curve"]).cummax()
                      .to_numpy())
    leading = zero & ~nonzero_before & (pos >= 0)
    curves.loc[idx, "smallest_at_zero"] = (pd.Series(leading, index=known.index)
                                           .groupby(known["_curve"]).sum()
                                           .reindex(idx).to_numpy())


def _shape(curves, X, Y, S, measured):
    """Where each curve makes its gain, weighed against its noise (:mod:`emergence.shape`)."""
    n_curves = len(curves)
    shape = pd.DataFrame({"change": np.full(n_curves, None, dtype=object),
                          "noise": np.nan, "net_gain": np.nan,
                          "share_by_mid_scale": np.nan, "steepest_quarter": np.nan})
    for col in ("late", "rises_early", "concentrated", "sharp"):
        shape[col] = pd.array([pd.NA] * n_curves, dtype="boolean")
    idx = np.flatnonzero(measured)
    if idx.size:
        better = curves["higher_is_better"].to_numpy(dtype=bool)[idx]
        judged = judge_shape(X[idx], Y[idx], better, S[idx])
        for col in ("change", "noise", "net_gain", "share_by_mid_scale", "steepest_quarter"):
            shape.loc[idx, col] = judged[col].to_numpy()
        for col, src in (("late", "late"), ("rises_early", "early"),
                         ("concentrated", "concentrated"), ("sharp", "sharp")):
            shape.loc[idx, col] = judged[src].to_numpy()
    curves["noise_weighed"] = np.isfinite(shape["noise"].to_numpy(dtype=float))
    for col in shape.columns:
        curves[col] = shape[col].to_numpy() if col not in (
            "late", "rises_early", "concentrated", "sharp") else shape[col].array


def _metric_made(curves):
    """Whether a sharp curve is consistent with a jump made by its metric.

    True: sharp under a nonlinear or discontinuous metric, while a linear or
    continuous metric of the same outputs rises and is neither sharp nor late.
    False: the smooth metric is sharp too. ``<NA>``: not sharp, or no smooth
    metric of the same outputs, or a judgement in its unclear band.
    """
    n_curves = len(curves)
    made = np.full(n_curves, np.nan)
    sharp = curves["sharp"].to_numpy(dtype=float, na_value=np.nan)
    kind = curves["metric_kind"].to_numpy()
    smooth_partner = np.isin(curves["partner_kind"].to_numpy(dtype=object), SMOOTH_KINDS)
    p_sharp = curves["partner_sharp"].to_numpy(dtype=float, na_value=np.nan)
    p_late = curves["partner_late"].to_numpy(dtype=float, na_value=np.nan)
    p_rises = curves["partner_change"].to_numpy(dtype=object) == "rises"
    candidate = (sharp == 1) & np.isin(kind, SHARP_KINDS) & smooth_partner
    made[candidate & (p_sharp == 1)] = 0.0
    made[candidate & p_rises & (p_sharp == 0) & (p_late == 0)] = 1.0
    curves["metric_made"] = pd.array(np.where(np.isnan(made), None, made == 1), dtype="boolean")


def _partners(curves, info):
    """For each sharp-kind metric, the best other metric of the same task and family.

    Linear or continuous metrics first (one that rises without a jump before an unclear or a
    sharp one), in the order of :data:`_PARTNER_ORDER`; other metrics after them.
    """
    curves["partner_metric"] = None
    curves["partner_kind"] = None
    curves["partner_score"] = np.nan
    curves["partner_sharp"] = pd.array([pd.NA] * len(curves), dtype="boolean")
    curves["partner_change"] = None
    curves["partner_share_by_mid_scale"] = np.nan
    curves["partner_late"] = pd.array([pd.NA] * len(curves), dtype="boolean")
    sharp_kind = curves["metric_kind"].isin(SHARP_KINDS) & (curves["n_models"] >= 3)
    if not sharp_kind.any():
        return
    left = curves.loc[sharp_kind, ["task", "family", "metric"]].reset_index()
    right = curves.loc[curves["n_models"] >= 3, ["task", "family", "metric", "metric_kind",
                                                 "emergence_score", "sharp", "change",
                                                 "share_by_mid_scale", "late"]]
    pairs = left.merge(right, on=["task", "family"], suffixes=("", "_p"))
    pairs = pairs[pairs["metric"] != pairs["metric_p"]]
    if pairs.empty:
        return
    order = {m: i for i, m in enumerate(_PARTNER_ORDER)}
    smooth = pairs["metric_kind"].isin(SMOOTH_KINDS).to_numpy()
    rank = pairs["metric_p"].map(order).fillna(len(order)).to_numpy()
    # a smooth metric that rises without a jump first, then an unclear one, then a sharp one:
    # one smooth metric of the same outputs without a jump is what the mirage explanation needs
    state = pairs["sharp"].map({False: 0, True: 2}).fillna(1).to_numpy()
    width = len(order) + 1
    pairs = pairs.assign(_rank=np.where(smooth, state * width + rank, 3 * width + rank),
                         _known=pairs["metric_kind"] != "unknown")
    pairs = pairs[pairs["_known"]].sort_values(["index", "_rank", "metric_p"], kind="stable")
    best = pairs.drop_duplicates("index")
    idx = best["index"].to_numpy()
    curves.loc[idx, "partner_metric"] = best["metric_p"].to_numpy()
    curves.loc[idx, "partner_kind"] = best["metric_kind"].to_numpy()
    curves.loc[idx, "partner_score"] = best["emergence_score"].to_numpy()
    curves.loc[idx, "partner_sharp"] = best["sharp"].array
    curves.loc[idx, "partner_change"] = best["change"].to_numpy()
    curves.loc[idx, "partner_share_by_mid_scale"] = best["share_by_mid_scale"].to_numpy()
    curves.loc[idx, "partner_late"] = best["late"].array


def _p_to_the_l(curves, points, t, lengths, info):
    """The exact-match curve a per-token metric of the same outputs predicts, p ** L."""
    for col, fill in (("p_l_source", None), ("p_l_length", None), ("p_l_max_gap", np.nan),
                      ("p_l_gap_scale", np.nan), ("p_l_fits", False)):
        curves[col] = fill
    points["p_l_predicted"] = np.nan
    points["implied_p"] = np.nan
    measured = curves[curves["n_models"] >= 3]
    target = measured[measured["metric"].isin(_P_L_TARGETS)]
    if target.empty:
        return
    # target lengths per task x family: from the outputs, or the table's length column
    dist = dict(lengths or {})
    given = t.dropna(subset=["length"]).drop_duplicates(["task", "family"])
    for task, family, L in given[["task", "family", "length"]].itertuples(index=False):
        dist.setdefault((task, family), (np.array([int(L)]), np.array([1.0])))
    if not dist:
        return
    # the source of p: the first of _P_SOURCES measured in the same task x family
    rank = {m: i for i, m in enumerate(_P_SOURCES)}
    sources = measured[measured["metric"].isin(_P_SOURCES)][["task", "family", "metric"]]
    sources = (sources.assign(_r=sources["metric"].map(rank)).sort_values("_r", kind="stable")
               .drop_duplicates(["task", "family"]).rename(columns={"metric": "source"})
               .drop(columns="_r"))
    target = target[["task", "family"]].reset_index().merge(sources, on=["task", "family"])
    keyed = [(tk, fm) in dist for tk, fm in zip(target["task"], target["family"])]
    target = target[np.array(keyed, dtype=bool)]
    if target.empty:
        return
    curve_of = points["_curve"].to_numpy()
    sharp_pts = points[np.isin(curve_of, target["index"].to_numpy())].reset_index()
    sharp_pts = sharp_pts.merge(target.rename(columns={"index": "_curve"}),
                                on=["_curve", "task", "family"])
    partner = points[["task", "family", "metric", "model", "value"]].rename(
        columns={"metric": "source", "value": "value_p"})
    both = sharp_pts.merge(partner, on=["task", "family", "source", "model"])
    if both.empty:
        return
    # one computation per distinct length distribution and source, for all its rows
    dist_ids, dist_list = {}, []
    for key, (Ls, w) in dist.items():
        sig = (tuple(int(v) for v in Ls), tuple(float(v) for v in w))
        if sig not in dist_ids:
            dist_ids[sig] = len(dist_list)
            dist_list.append((np.asarray(Ls), np.asarray(w)))
        dist[key] = dist_list[dist_ids[sig]]
        dist_ids[key] = dist_ids[sig]
    which = np.array([dist_ids[(tk, fm)] for tk, fm in zip(both["task"], both["family"])])
    predicted = np.full(len(both), np.nan)
    implied = np.full(len(both), np.nan)
    smooth_all = both["value_p"].to_numpy(dtype=float)
    observed_all = both["value"].to_numpy(dtype=float)
    source_all = both["source"].to_numpy()
    for d, (Ls, w) in enumerate(dist_list):
        for source in _P_SOURCES:
            rows = np.flatnonzero((which == d) & (source_all == source))
            if rows.size == 0:
                continue
            smooth = smooth_all[rows]
            if source in ("per_token_cross_entropy", "loss", "per_token_loss"):
                pred = sum(wi * accuracy_from_loss(smooth, int(L)) for L, wi in zip(Ls, w))
            else:
                # per-token accuracy is p; token edit distance is about L (1 - p)
                p = (smooth if source == "per_token_accuracy"
                     else 1.0 - smooth / float(np.sum(Ls * w)))
                p = np.clip(p, 0.0, 1.0)
                pred = sum(wi * expected_accuracy(p, int(L)) for L, wi in zip(Ls, w))
            predicted[rows] = pred
            if len(Ls) == 1:
                implied[rows] = implied_per_token_probability(
                    np.clip(observed_all[rows], 0, 1), int(Ls[0]))
    points.loc[both["index"].to_numpy(), "implied_p"] = implied
    both["predicted"] = predicted
    points.loc[both["index"].to_numpy(), "p_l_predicted"] = predicted
    both["gap"] = both["value"].to_numpy() - predicted
    both["abs_gap"] = np.abs(both["gap"].to_numpy())
    lo, hi = both["ci_low"].to_numpy(), both["ci_high"].to_numpy()
    inside = np.isfinite(lo) & (predicted >= lo) & (predicted <= hi)
    both["ok"] = inside | (both["abs_gap"].to_numpy() <= P_L_TOLERANCE)
    worst = both.sort_values(["_curve", "abs_gap"], ascending=[True, False],
                             kind="stable").drop_duplicates("_curve")
    idx = worst["_curve"].to_numpy()
    curves.loc[idx, "p_l_source"] = worst["source"].to_numpy()
    labels = {}
    for task, family in zip(worst["task"], worst["family"]):
        Ls = dist[(task, family)][0]
        labels[(task, family)] = (str(int(Ls[0])) if len(Ls) == 1
                                  else f"{int(Ls.min())}-{int(Ls.max())}")
    curves.loc[idx, "p_l_length"] = [labels[(tk, fm)] for tk, fm in
                                     zip(worst["task"], worst["family"])]
    curves.loc[idx, "p_l_max_gap"] = worst["gap"].to_numpy()
    curves.loc[idx, "p_l_gap_scale"] = worst["scale"].to_numpy()
    fits = both.groupby("_curve")["ok"].all()
    curves.loc[fits.index.to_numpy(), "p_l_fits"] = fits.to_numpy()


def _backtest_bounds(metric_info: MetricInfo, better: bool, chance: float):
    """(kind, floor, ceiling) of a metric's backtest, or (None, reason)."""
    lo, hi = metric_info.low, metric_info.high
    if np.isfinite(lo) and np.isfinite(hi):
        if np.isfinite(chance):
            if better:
                lo = chance
            else:
                hi = chance
        if not lo < hi:
            return None, "chance is at the metric's best value"
        return "logistic", lo, hi
    best = hi if better else lo
    if np.isfinite(best):
        return "power_law", (lo if np.isfinite(lo) else best - 1.0), \
            (hi if np.isfinite(hi) else best + 1.0)
    return None, "the metric's range is unknown (no backtest)"


def _backtests(curves, points, X, Y, S, row_of, info, holdout, progress):
    """Fit the smaller models, predict the held-out ones: a logistic (bounded scores), a
    power law (losses, error counts), or, where the fitted models do not change beyond their
    noise, their mean (a flat family is forecast as flat)."""
    n_curves = len(curves)
    kind = np.full(n_curves, None, dtype=object)
    floor = np.zeros(n_curves)
    ceiling = np.ones(n_curves)
    note = np.full(n_curves, "", dtype=object)
    chance = curves["chance"].to_numpy(dtype=float)
    better = curves["higher_is_better"].to_numpy(dtype=bool)
    specs = {}
    for i, metric in enumerate(curves["metric"].to_numpy()):
        key = (metric, bool(better[i]), None if np.isnan(chance[i]) else float(chance[i]))
        if key not in specs:
            specs[key] = _backtest_bounds(info.get(metric, _UNKNOWN), better[i], chance[i])
        spec = specs[key]
        if spec[0] is None:
            note[i] = spec[1]
        else:
            kind[i], floor[i], ceiling[i] = spec
    n = curves["n_models"].to_numpy()
    # the form the metric's range calls for; the tolerance and the idle test follow it
    base_kind = kind.copy()
    fitted = np.arange(Y.shape[1])[None, :] < (n - holdout)[:, None]
    flat = (kind != None) & flat_within_noise(np.where(fitted, Y, np.nan),  # noqa: E711
                                              np.where(fitted, S, np.nan))
    kind[flat] = "flat"
    run = (kind != None) & (n >= 3)  # noqa: E711 (elementwise)
    note[(kind != None) & (n - holdout < 3)] = (  # noqa: E711
        f"fewer than {holdout + 3} models (three to fit, {holdout} to hold back)")
    run &= n - holdout >= 3
    for col in ("backtest_scale", "backtest_observed", "backtest_predicted", "backtest_error",
                "backtest_fit_rmse"):
        curves[col] = np.nan
    curves["backtest_kind"] = np.where(run, kind, None)
    curves["backtest_floor"] = np.where(run, floor, np.nan)
    curves["backtest_ceiling"] = np.where(run, ceiling, np.nan)
    curves["backtest_forecast"] = None
    points["backtest_predicted"] = np.nan
    idx = np.flatnonzero(run)
    if idx.size:
        chunk = 8192
        blocks = [idx[s:s + chunk] for s in range(0, idx.size, chunk)]
        bar = None
        if progress and len(blocks) > 1:
            from tqdm.auto import tqdm

            bar = tqdm(total=idx.size, unit="curve", desc="backtests", leave=False)
        results = []
        for block in blocks:
            res = backtest_many(X[block], Y[block], kind=kind[block], holdout=holdout,
                                floor=floor[block], ceiling=ceiling[block],
                                higher_is_better=better[block])
            res["curve"] = block[res["curve"].to_numpy()]
            results.append(res)
            if bar is not None:
                bar.update(block.size)
        if bar is not None:
            bar.close()
        res = pd.concat(results, ignore_index=True)
        # the point (row of ``points``) each held-out prediction is for
        j = res.groupby("curve", sort=False).cumcount().to_numpy()
        cc = res["curve"].to_numpy()
        res["_row"] = row_of[cc, np.clip(n[cc] - holdout + j, 0, row_of.shape[1] - 1)]
        failed = res["reason"] != ""
        note[res.loc[failed, "curve"].to_numpy()] = res.loc[failed, "reason"].to_numpy()
        res = res[~failed]
        c = res["curve"].to_numpy()
        curves.loc[c, "backtest_fit_rmse"] = res["fit_rmse"].to_numpy()
        # a logistic that does not fit the models it was fitted to forecasts nothing
        misfit = (kind[c] == "logistic") & (res["fit_rmse"].to_numpy()
                                            > LOGISTIC_TOLERANCE * (ceiling[c] - floor[c]))
        for i, rmse in zip(c[misfit], res["fit_rmse"].to_numpy()[misfit]):
            note[i] = (f"the logistic between {_fmt(floor[i])} and {_fmt(ceiling[i])} does not "
                       f"fit the smaller models (rmse {_fmt(rmse)}): give the chance level")
        # tolerance: a share of the range (logistic) or of the observed gap (power law)
        c = res["curve"].to_numpy()
        best = np.where(better[c], ceiling[c], floor[c])
        tol = np.where(base_kind[c] == "logistic", LOGISTIC_TOLERANCE * (ceiling[c] - floor[c]),
                       POWER_LAW_TOLERANCE * np.abs(res["observed"].to_numpy() - best))
        ok = np.abs(res["error"].to_numpy()) <= tol
        # or inside the exact interval of the held-out point, where it is known
        rows_held = res["_row"].to_numpy()
        lo = points["ci_low"].to_numpy()[rows_held]
        hi = points["ci_high"].to_numpy()[rows_held]
        pred = res["predicted"].to_numpy()
        ok |= np.isfinite(lo) & (pred >= lo) & (pred <= hi)
        # or within the noise of the held-out point (NOISE_Z standard errors), where known:
        # the same standard as a change, so noise alone fails a forecast 0.27% of the time
        se_held = points["stderr"].to_numpy()[rows_held]
        ok |= np.isfinite(se_held) & (np.abs(res["error"].to_numpy()) <= NOISE_Z * se_held)
        # a held-out model still at the worst end, forecast to stay there, tests nothing
        worst_end = np.where(better[c], floor[c], ceiling[c])
        idle = ((base_kind[c] == "logistic")
                & (np.abs(res["observed"].to_numpy() - worst_end) <= tol)
                & (np.abs(pred - worst_end) <= tol))
        res = res.assign(ok=ok, idle=idle, abs_error=np.abs(res["error"].to_numpy()))
        all_idle = res.groupby("curve")["idle"].all()
        for i in all_idle.index[all_idle.to_numpy()]:
            note[i] = ("the held-out model is still at the metric's worst end, and forecast to "
                       "stay there: nothing to test")
        worst = res.sort_values(["curve", "abs_error"], ascending=[True, False],
                                kind="stable").drop_duplicates("curve")
        w = worst["curve"].to_numpy()
        curves.loc[w, "backtest_scale"] = worst["scale"].to_numpy()
        curves.loc[w, "backtest_observed"] = worst["observed"].to_numpy()
        curves.loc[w, "backtest_predicted"] = worst["predicted"].to_numpy()
        curves.loc[w, "backtest_error"] = worst["error"].to_numpy()
        all_ok = res.groupby("curve")["ok"].all()
        all_ok = all_ok[~np.isin(all_ok.index.to_numpy(), c[misfit])
                        & ~all_idle.reindex(all_ok.index).to_numpy(dtype=bool)]
        curves.loc[all_ok.index.to_numpy(), "backtest_forecast"] = all_ok.to_numpy()
        held_pred = np.full(len(points), np.nan)
        held_pred[rows_held] = res["predicted"].to_numpy()
        points["backtest_predicted"] = held_pred
    curves["backtest_note"] = note
    curves.loc[~run, ["backtest_floor", "backtest_ceiling"]] = np.nan


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


def _share(x: float) -> str:
    return f"{100 * x:.0f}%"


def _shape_clause(cols, i) -> str:
    """The first clause of a verdict: does the curve change, and where does it make its gain."""
    score = f"emergence score {_fmt(cols['emergence_score'][i])}"
    change, gain, noise = cols["change"][i], cols["net_gain"][i], cols["noise"][i]
    weighed = bool(cols["noise_weighed"][i])
    if change == "flat":
        if weighed:
            return (f"no change beyond noise (net {_fmt(abs(gain))}, noise allows "
                    f"{_fmt(noise)}, {score})")
        return f"flat: no change with scale ({score})"
    if change == "declines":
        return f"gets worse with scale (net {_fmt(-abs(gain))}, {score})"
    where = (f"{_share(cols['share_by_mid_scale'][i])} of its gain by the middle of the scale "
             f"range, {_share(cols['steepest_quarter'][i])} within its steepest quarter")
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
                    f"makes {_share(cols['partner_share_by_mid_scale'][i])} of its gain by the "
                    f"middle of the scale range, against "
                    f"{_share(cols['share_by_mid_scale'][i])}): consistent with a metric-made jump")
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
                               f"{_fmt(abs(cols['p_l_max_gap'][i]))})")
            else:
                clauses.append(f"p^L from {src} (L = {L}) misses it by up to "
                               f"{_fmt(abs(cols['p_l_max_gap'][i]))} (at "
                               f"{_fmt(cols['p_l_gap_scale'][i])}): its tokens are not right "
                               "independently and alike, so p^L does not explain it")
        k = int(cols["smallest_at_zero"][i])
        if k:
            lo, hi = cols["n_items_min"][i], cols["n_items_max"][i]
            of = f"{int(lo)}" if lo == hi else f"{int(lo)}-{int(hi)}"
            what = (f"all {n} models" if k == n else _count_words(k))
            clauses.append(f"{what} at 0 of {of}: below resolution (under "
                           f"{_percent(cols['resolution_floor'][i])}), more items needed")
        forecast = cols["backtest_forecast"][i]
        if forecast is None and cols["backtest_note"][i].startswith("the logistic"):
            clauses.append(f"no backtest: {cols['backtest_note'][i]}")
        elif forecast is None and cols["backtest_note"][i].startswith("the held-out"):
            which = "the largest model" if holdout == 1 else f"the {holdout} largest models"
            clauses.append(f"{which} still at the metric's worst end (within "
                           f"{_percent(LOGISTIC_TOLERANCE)} of its range), as forecast: the "
                           "backtest has nothing to test")
        if forecast is not None:
            which = "the largest model" if holdout == 1 else f"the {holdout} largest models"
            pred, obs = cols["backtest_predicted"][i], cols["backtest_observed"][i]
            flat_fit = cols["backtest_kind"][i] == "flat"
            if forecast and flat_fit:
                clauses.append(f"{which} forecast by the smaller ones, flat within their noise "
                               f"(predicted {_fmt(pred)}, observed {_fmt(obs)})")
            elif forecast:
                clauses.append(f"{which} forecast by the smaller ones (predicted {_fmt(pred)}, "
                               f"observed {_fmt(obs)})")
            elif flat_fit:
                clauses.append(f"{which} not forecast by the smaller ones, flat within their "
                               f"noise (predicted {_fmt(pred)}, observed {_fmt(obs)})")
            else:
                clauses.append(f"{which} not forecast by the smaller ones (predicted "
                               f"{_fmt(pred)}, observed {_fmt(obs)})")
        out.append("; ".join(clauses))
    return out

"""BIG-bench's own results format, read into one tidy table, and the meta-analysis.

BIG-bench (:cite:t:`srivastava2022bigbench`) stores the scores of every model it
evaluated on a task in ``bigbench/benchmark_tasks/<task>/results/scores_<model>.json``.
Each file describes one model and lists, for every subtask and number of shots,
a dictionary with one score per metric and the task authors' preferred metric::

    {
      "model": {"model_family": "BIG-G T=0", "model_name": "2m",
                "total_params": ..., "non_embedding_params": ...,
                "flop_matched_non_embedding_params": ..., ...},
      "scores": [
        {"subtask_description": "<task>" or "<task>:<subtask>",
         "number_of_shots": 0,
         "preferred_score": "multiple_choice_grade",
         "score_dict": {"multiple_choice_grade": 0.25,
                        "calibration_multiple_choice_brier_score": 0.19, ...},
         "low_score": 0.25, "high_score": 1.0},
        ...
      ],
      "task": {"task_name": "<task>"}
    }

This is what BIG-bench's own writer produces (``bigbench/evaluate_task.py``:
``dataclasses.asdict(ResultsFileData(...))`` after ``add_aggregate_scores``),
and the reader follows BIG-bench's conventions for it:

- ``number_of_shots`` is ``-1`` where shots do not apply (the task API's
  instruction; spelling_bee, unqover and others do this). Such rows are kept,
  with ``n_shots`` :data:`SHOTS_NOT_APPLICABLE`, and form curves of their own.
- ``add_aggregate_scores`` appends, for each number of shots of a task with
  subtasks, an *aggregate* entry whose ``subtask_description`` is the task's
  own name: the mean of every metric over the subtasks, under the subtasks'
  shared preferred metric (``multiple_choice_grade`` when all subtasks prefer
  it) or ``normalized_aggregate_score``. It also adds
  ``normalized_aggregate_score`` to the ``score_dict`` of every task-level
  entry. Neither is a measurement of its own, so both are left out by
  default (``include_aggregates=True`` keeps them, flagged ``is_aggregate``).
  A task without subtasks keeps its single task-level entry, which *is* the
  measurement.
- Models are ordered by ``flop_matched_non_embedding_params``, as BIG-bench's
  own analysis (``bigbench/api/results.py``) does; it differs from
  ``non_embedding_params`` only for sparse models. Another field can be
  chosen with ``scale=``.

:func:`read_results` turns a checkout (or any folder or single file in that
format) into one tidy table, one row per task x subtask x model x shots x
metric.  :func:`meta_analysis` then computes, in one call, the emergence score
of every task x metric x model-family curve, tallies them by metric (the
mirage paper's Fig. 5) and sets the discontinuous multiple-choice grade
against the continuous Brier score on the same outputs of one family (its
Fig. 6, done there with BIG-G, which the paper calls "LaMDA").

:func:`write_results` writes a table back in the same format, so that results
produced elsewhere (for instance this book's own model families) can be run
through the same pipeline.

Examples
--------
>>> import tempfile
>>> rows = [dict(task="toy", model_family="F", model_name=f"m{i}", total_params=n,
...              n_shots=0, metric="exact_str_match", score=s,
...              preferred_metric="exact_str_match")
...         for i, (n, s) in enumerate([(1e6, 0.0), (1e7, 0.01), (1e8, 0.0), (1e9, 0.6)])]
>>> folder = tempfile.mkdtemp()
>>> files = write_results(pd.DataFrame(rows), folder)
>>> table = read_results(folder)
>>> table["score"].tolist()
[0.0, 0.01, 0.0, 0.6]
>>> result = meta_analysis(table)
>>> float(result.scores["emergence_score"].iloc[0]) > 10
True
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from emergence.score import emergence_score

__all__ = [
    "AGGREGATE_METRIC",
    "BRIER_METRIC",
    "DEFAULT_SCALE",
    "SCALES",
    "SHOTS_NOT_APPLICABLE",
    "LOWER_IS_BETTER",
    "MC_GRADE_METRIC",
    "MetaAnalysis",
    "ResultsFormatError",
    "TIDY_COLUMNS",
    "emergence_scores",
    "meta_analysis",
    "metric_breakdown",
    "read_results",
    "read_results_file",
    "score_multiple_choice",
    "write_results",
]

#: BIG-bench's names for the two metrics of the mirage paper's Fig. 6.
MC_GRADE_METRIC = "multiple_choice_grade"
BRIER_METRIC = "calibration_multiple_choice_brier_score"

#: BIG-bench metrics for which a smaller value is better; all others: larger is better.
LOWER_IS_BETTER = frozenset({BRIER_METRIC, "expected_calibration_error"})

#: The score BIG-bench's ``add_aggregate_scores`` adds: the mean over subtasks
#: of each subtask's preferred score, rescaled from its low to its high score.
AGGREGATE_METRIC = "normalized_aggregate_score"

#: ``number_of_shots`` of an entry for which shots do not apply (BIG-bench task API).
SHOTS_NOT_APPLICABLE = -1

#: The model-size fields of BIG-bench's ``ModelData`` that can order a curve.
SCALES = ("flop_matched_non_embedding_params", "non_embedding_params", "total_params")
#: BIG-bench's own choice (its ``TaskResults`` orders models by it).
DEFAULT_SCALE = "flop_matched_non_embedding_params"

#: Columns of the tidy table returned by :func:`read_results`.
TIDY_COLUMNS = (
    "task",
    "subtask",
    "model_family",
    "model_name",
    "total_params",
    "non_embedding_params",
    "flop_matched_non_embedding_params",
    "params",
    "n_shots",
    "metric",
    "score",
    "preferred_metric",
    "is_preferred",
    "low_score",
    "high_score",
    "is_aggregate",
    "file",
)


class ResultsFormatError(ValueError):
    """A results file does not follow BIG-bench's ``scores_<model>.json`` format.

    The message names the file and the key that is missing or wrong.
    """


# --------------------------------------------------------------------------- reading


def _fail(path: Path, what: str) -> None:
    raise ResultsFormatError(
        f"{path}: {what} (expected BIG-bench's results format: an object with "
        "'model' {model_family, model_name, total_params / non_embedding_params} and "
        "'scores' [{subtask_description, number_of_shots, preferred_score, score_dict}])."
    )


def _number(value, path: Path, where: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(path, f"{where} must be a number, got {value!r}")
    value = float(value)
    if positive and not (math.isfinite(value) and value > 0):
        _fail(path, f"{where} must be a positive number, got {value!r}")
    return value


def _task_from_path(path: Path) -> str | None:
    """``.../<task>/results/scores_<model>.json`` -> ``<task>``."""
    if path.parent.name == "results" and path.parent.parent.name:
        return path.parent.parent.name
    return None


def _check_scale(scale: str) -> str:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {list(SCALES)} (BIG-bench's ModelData fields), "
                         f"got {scale!r}.")
    return scale


def read_results_file(path, *, include_aggregates: bool = False,
                      scale: str = DEFAULT_SCALE) -> pd.DataFrame:
    """Read one ``scores_<model>.json`` file into a tidy table.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    include_aggregates : bool
        Keep BIG-bench's aggregate entries (``subtask_description`` equal to
        the task name, in a task with subtasks) and its
        ``normalized_aggregate_score`` metric, flagged ``is_aggregate``.
        Default False: they are averages of the other rows, not measurements.
    scale : str
        The model-size field that fills ``params``; one of :data:`SCALES`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TIDY_COLUMNS`; see :func:`read_results`.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ResultsFormatError
        If the file is not valid JSON or lacks a field of the format; the
        message names the file and the field.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "scores_bad.json"
    >>> _ = p.write_text(json.dumps({"scores": []}))
    >>> read_results_file(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    emergence.bigbench.ResultsFormatError: .../scores_bad.json: no 'model' object ...
    """
    return _frame(_read_rows(Path(path), include_aggregates, _check_scale(scale)))


def _frame(rows: list) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=list(TIDY_COLUMNS))
    return table.astype({"n_shots": "int64", "is_preferred": bool, "is_aggregate": bool,
                         "score": float, "low_score": float, "high_score": float,
                         "total_params": float, "non_embedding_params": float,
                         "flop_matched_non_embedding_params": float, "params": float})


def _model_sizes(model: dict, path: Path, scale: str) -> tuple[dict, float]:
    sizes = {}
    for key in SCALES:
        value = model.get(key)
        sizes[key] = (np.nan if value is None
                      else _number(value, path, f"model.{key}", positive=True))
    if all(np.isnan(v) for v in sizes.values()):
        _fail(path, "model has none of " + ", ".join(repr(k) for k in SCALES))
    # For dense models BIG-bench's flop-matched count *is* the non-embedding
    # count, so a file that omits it falls back to that, then to the total.
    for key in SCALES[SCALES.index(scale):]:
        if not np.isnan(sizes[key]):
            return sizes, sizes[key]
    _fail(path, f"model.{scale} is missing, and so is every smaller-scoped size field")


def _aggregate_entries(scores: list, task: str) -> set:
    """Indices of BIG-bench's aggregate entries: the task's own name, beside subtasks."""
    by_shots: dict = {}
    for i, entry in enumerate(scores):
        if isinstance(entry, dict):
            by_shots.setdefault(entry.get("number_of_shots"), []).append(i)
    aggregates = set()
    for indices in by_shots.values():
        names = [scores[i].get("subtask_description") or task for i in indices]
        if len(set(names)) > 1:
            aggregates.update(i for i, name in zip(indices, names) if name == task)
    return aggregates


def _read_rows(path: Path, include_aggregates: bool, scale: str = DEFAULT_SCALE) -> list:
    """The tidy rows of one results file (see :func:`read_results_file`)."""
    if not path.is_file():
        raise FileNotFoundError(f"results file {path} does not exist.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        _fail(path, f"not valid JSON ({err})")
    if not isinstance(data, dict):
        _fail(path, f"the top level is a {type(data).__name__}, not an object")
    model = data.get("model")
    if not isinstance(model, dict):
        _fail(path, "no 'model' object")
    for key in ("model_family", "model_name"):
        if not isinstance(model.get(key), str) or not model[key].strip():
            _fail(path, f"model.{key} is missing or not a string")
    sizes, params = _model_sizes(model, path, scale)

    task = None
    if isinstance(data.get("task"), dict) and isinstance(data["task"].get("task_name"), str):
        task = data["task"]["task_name"].strip() or None
    if task is None:
        task = _task_from_path(path)
    if task is None:
        _fail(path, "no task.task_name, and the file is not in <task>/results/")

    scores = data.get("scores")
    if not isinstance(scores, list):
        _fail(path, "'scores' is missing or not a list")
    aggregates = _aggregate_entries(scores, task)
    family, name = model["model_family"].strip(), model["model_name"].strip()
    rows = []
    for i, entry in enumerate(scores):
        where = f"scores[{i}]"
        if not isinstance(entry, dict):
            _fail(path, f"{where} is not an object")
        for key in ("preferred_score", "score_dict", "number_of_shots"):
            if key not in entry:
                _fail(path, f"{where} has no '{key}'")
        preferred = entry["preferred_score"]
        if not isinstance(preferred, str):
            _fail(path, f"{where}.preferred_score must be a metric name")
        is_aggregate = i in aggregates or preferred == AGGREGATE_METRIC
        if is_aggregate and not include_aggregates:
            continue
        shots = entry["number_of_shots"]
        if (isinstance(shots, bool) or not isinstance(shots, int)
                or (shots < 0 and shots != SHOTS_NOT_APPLICABLE)):
            _fail(path, f"{where}.number_of_shots must be a whole number >= 0, or "
                        f"{SHOTS_NOT_APPLICABLE} where shots do not apply; got {shots!r}")
        score_dict = entry["score_dict"]
        if not isinstance(score_dict, dict) or not score_dict:
            _fail(path, f"{where}.score_dict must be a non-empty object of metric: score")
        if preferred not in score_dict:
            _fail(path, f"{where}: preferred_score {preferred!r} is not in its score_dict")
        # BIG-bench's ScoreData: "a score corresponding to poor, or chance level, performance"
        # and one "corresponding to extremely good" performance, for the preferred score only
        low, high = (np.nan if entry.get(key) is None else _number(entry[key], path, f"{where}.{key}")
                     for key in ("low_score", "high_score"))
        subtask = entry.get("subtask_description") or task
        if not isinstance(subtask, str):
            _fail(path, f"{where}.subtask_description must be a string")
        for metric, value in score_dict.items():
            derived = metric == AGGREGATE_METRIC and preferred != AGGREGATE_METRIC
            if derived and not include_aggregates:
                continue
            value = _number(value, path, f"{where}.score_dict[{metric!r}]")
            rows.append(
                (task, subtask.strip(), family, name,
                 sizes["total_params"], sizes["non_embedding_params"],
                 sizes["flop_matched_non_embedding_params"], params,
                 shots, metric.strip(), value, preferred.strip(), metric == preferred,
                 low if metric == preferred else np.nan, high if metric == preferred else np.nan,
                 is_aggregate or derived, str(path))
            )
    return rows


def read_results(path, *, include_aggregates: bool = False, scale: str = DEFAULT_SCALE,
                 on_error: str = "raise") -> pd.DataFrame:
    """Read BIG-bench results files into one tidy table.

    Parameters
    ----------
    path : str or pathlib.Path
        A BIG-bench checkout, its ``bigbench/benchmark_tasks`` folder, one
        task's folder, a ``results`` folder, or a single ``scores_*.json``
        file. Every ``scores_*.json`` below a folder is read.
    include_aggregates : bool
        Keep BIG-bench's aggregate entries and its
        ``normalized_aggregate_score`` metric (see the module docstring),
        flagged ``is_aggregate``. Default False.
    scale : str
        The model-size field that fills ``params``, one of :data:`SCALES`;
        default :data:`DEFAULT_SCALE`, BIG-bench's own. A file that lacks it
        falls back to the next, smaller-scoped field of :data:`SCALES`.
    on_error : {"raise", "warn"}
        What to do with unreadable files. Either way every file is read
        first; then ``"raise"`` raises one :class:`ResultsFormatError` that
        lists every unreadable file with its reason, and ``"warn"`` issues
        one warning with the same list and returns what could be read.

    Returns
    -------
    pandas.DataFrame
        One row per task x subtask x model x number of shots x metric, with
        columns

        ``task``, ``subtask`` (BIG-bench's ``subtask_description``: the task
        name, or ``task:subtask``), ``model_family``, ``model_name``,
        ``total_params``, ``non_embedding_params`` and
        ``flop_matched_non_embedding_params`` (as the file gives them, NaN
        where it gives none), ``params`` (the ``scale`` field: the model size
        used by the meta-analysis), ``n_shots`` (:data:`SHOTS_NOT_APPLICABLE`
        where shots do not apply), ``metric``, ``score``, ``preferred_metric``
        (the task authors' choice), ``is_preferred``, ``low_score`` and
        ``high_score`` (the file's scores of poor or chance-level and of
        extremely good performance, given for the preferred metric only, so
        NaN on the other rows and where a file omits them), ``is_aggregate``
        and ``file`` (where the row came from).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist or holds no ``scores_*.json`` file.
    ResultsFormatError
        If a file is malformed (``on_error="raise"``); the message names
        every such file and what is wrong with it.

    Examples
    --------
    >>> read_results("/no/such/checkout")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: path /no/such/checkout does not exist: pass a BIG-bench checkout, ...
    """
    import warnings

    scale = _check_scale(scale)
    if on_error not in ("raise", "warn"):
        raise ValueError(f"on_error must be 'raise' or 'warn', got {on_error!r}.")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"path {path} does not exist: pass a BIG-bench checkout, a benchmark_tasks "
            "folder or a scores_<model>.json file."
        )
    files = [path] if path.is_file() else sorted(path.rglob("scores_*.json"))
    if not files:
        raise FileNotFoundError(
            f"no scores_*.json file under {path}: BIG-bench keeps them in "
            "bigbench/benchmark_tasks/<task>/results/."
        )
    rows, failures = [], []
    for f in files:
        try:
            rows.extend(_read_rows(f, include_aggregates, scale))
        except ResultsFormatError as err:
            failures.append(str(err))
    if failures:
        report = (f"{len(failures)} of {len(files)} results files could not be read:\n- "
                  + "\n- ".join(failures))
        if on_error == "raise" or len(failures) == len(files):
            raise ResultsFormatError(
                report + "\nFix or remove them, or pass on_error='warn' (on the command line, "
                "emergence diagnose --skip-bad-files) to read the rest.")
        warnings.warn(report, stacklevel=2)
    return _frame(rows)


# --------------------------------------------------------------------------- writing


def write_results(table: pd.DataFrame, directory, *, description: str = "") -> list[Path]:
    """Write a tidy table as BIG-bench ``scores_<model>.json`` files.

    The inverse of :func:`read_results`: one file per task x model, at
    ``<directory>/<task>/results/scores_<family>_<model>.json``.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``task``, ``model_family``, ``model_name``, ``n_shots``,
        ``metric``, ``score``, ``preferred_metric``, and at least one of
        :data:`SCALES`; ``subtask`` is optional, and so are ``low_score`` and
        ``high_score`` (written for the preferred metric, as BIG-bench's
        ``ScoreData`` holds them, where given).
    directory : str or pathlib.Path
        Where to write (created if needed).
    description : str
        Written into each file's ``model.description``.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> write_results(pd.DataFrame({"task": ["t"]}), "/tmp")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: table lacks column(s) ['model_family', ..., 'preferred_metric']: see read_results ...
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError("table must be a pandas DataFrame in the tidy format of read_results.")
    needed = ["task", "model_family", "model_name", "n_shots", "metric", "score",
              "preferred_metric"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(
            f"table lacks column(s) {missing}: see read_results for the tidy format."
        )
    if not any(c in table.columns for c in SCALES):
        raise ValueError("table needs a model-size column: one of " + ", ".join(SCALES) + ".")
    table = table.copy()
    if "subtask" not in table.columns:
        table["subtask"] = table["task"]
    for col in SCALES:
        if col not in table.columns:
            table[col] = np.nan
    directory = Path(directory)
    models: dict = {}
    for row in table.to_dict("records"):
        key = (str(row["task"]), str(row["model_family"]), str(row["model_name"]))
        if key not in models:
            model = {"model_family": key[1], "model_name": key[2], "description": description}
            for col in SCALES:
                value = row[col]
                model[col] = None if pd.isna(value) else int(round(float(value)))
            models[key] = {"model": model, "entries": {}}
        entry_key = (str(row["subtask"]), int(row["n_shots"]))
        entry = models[key]["entries"].setdefault(entry_key, {
            "subtask_description": entry_key[0],
            "number_of_shots": entry_key[1],
            "preferred_score": str(row["preferred_metric"]),
            "score_dict": {},
        })
        entry["score_dict"][str(row["metric"])] = float(row["score"])
        for bound in ("low_score", "high_score"):
            if row["metric"] == row["preferred_metric"] and pd.notna(row.get(bound, np.nan)):
                entry[bound] = float(row[bound])
    written = []
    for (task, family, name), content in sorted(models.items()):
        out = directory / task / "results"
        out.mkdir(parents=True, exist_ok=True)
        safe = f"{family}_{name}".replace("/", "-").replace(" ", "_")
        target = out / f"scores_{safe}.json"
        scores = [content["entries"][k] for k in sorted(content["entries"])]
        target.write_text(json.dumps(
            {"model": content["model"], "scores": scores, "task": {"task_name": task}},
            indent=2, sort_keys=True,
        ) + "\n", encoding="utf-8")
        written.append(target)
    return written


# --------------------------------------------------------------------------- analysis


def emergence_scores(
    table: pd.DataFrame,
    *,
    scale: str = "params",
    min_models: int = 3,
    by: tuple[str, ...] = ("task", "subtask", "model_family", "n_shots", "metric"),
    lower_is_better=LOWER_IS_BETTER,
) -> pd.DataFrame:
    """Emergence score of every curve (one score per ``by`` group) in a tidy table.

    A curve is one task x subtask x model family x number of shots x metric,
    its points the family's models ordered by ``scale``. Models of the same
    size are averaged first. Metrics named in ``lower_is_better`` are scored
    with ``higher_is_better=False``.

    Parameters
    ----------
    table : pandas.DataFrame
        The tidy table of :func:`read_results` (any table with the ``by``
        columns, ``scale`` and ``score``).
    scale : str
        The column to order models by (default ``params``).
    min_models : int
        Curves with fewer distinct model sizes are skipped (default 3: with
        two points the score is always 1).
    by : tuple of str
        The columns that define a curve.
    lower_is_better : collection of str
        Metrics for which a smaller value is better. Default
        :data:`LOWER_IS_BETTER` (BIG-bench's Brier score and calibration
        error); pass your own set for a task's custom metrics, e.g.
        ``LOWER_IS_BETTER | {"perplexity"}``.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``is_preferred`` (if present in ``table``),
        ``n_models`` and ``emergence_score``.

    Examples
    --------
    >>> t = pd.DataFrame({"task": "t", "subtask": "t", "model_family": "F", "n_shots": 0,
    ...                   "metric": "exact_str_match", "params": [1e6, 1e7, 1e8, 1e9],
    ...                   "score": [0.0, 0.1, 0.2, 0.3]})
    >>> emergence_scores(t)["emergence_score"].round(6).tolist()
    [3.0]
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError("table must be a pandas DataFrame (see read_results).")
    by = list(by)
    missing = [c for c in [*by, scale, "score"] if c not in table.columns]
    if missing:
        raise ValueError(f"table lacks column(s) {missing}; it has {list(table.columns)}.")
    if int(min_models) < 2:
        raise ValueError(f"min_models must be at least 2, got {min_models}.")
    lower_is_better = _metric_names(lower_is_better)
    data = table.dropna(subset=[scale, "score"])
    rows = []
    for key, curve in data.groupby(by, sort=True):
        points = curve.groupby(scale)["score"].mean().sort_index()
        if len(points) < min_models:
            continue
        metric = dict(zip(by, key)).get("metric", "")
        value = emergence_score(
            points.index.to_numpy(float),
            points.to_numpy(float),
            higher_is_better=metric not in lower_is_better,
        )
        row = dict(zip(by, key))
        if "is_preferred" in curve.columns:
            row["is_preferred"] = bool(curve["is_preferred"].any())
        row["n_models"] = len(points)
        row["emergence_score"] = float(value)
        rows.append(row)
    columns = [*by, *(["is_preferred"] if "is_preferred" in table.columns else []),
               "n_models", "emergence_score"]
    return pd.DataFrame(rows, columns=columns)


def _metric_names(names) -> frozenset:
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise ValueError("lower_is_better must be a collection of metric names, e.g. "
                         "{'calibration_multiple_choice_brier_score', 'perplexity'}; "
                         f"got {names!r}.")
    return frozenset(names)


@dataclass
class MetaAnalysis:
    """Everything :func:`meta_analysis` computes.

    Attributes
    ----------
    table : pandas.DataFrame
        The tidy results table analysed.
    scores : pandas.DataFrame
        Emergence score per task x subtask x family x shots x metric, with
        ``emergent`` (score above ``threshold``).
    by_metric : pandas.DataFrame
        Per metric: number of curves, number with ``emergent``, and how many
        of those are preferred-metric curves (the mirage paper's Fig. 5).
    mc_vs_brier : pandas.DataFrame
        For ``family``: per task x subtask x shots, the emergence score under
        the multiple-choice grade and under the Brier score of the same
        outputs (the paper's Fig. 6), with ``emergent_mc_grade`` and
        ``emergent_brier``.
    threshold : float
        The emergence-score cut-off used.
    family : str
        The family of the multiple-choice-grade vs Brier comparison.
    """

    table: pd.DataFrame
    scores: pd.DataFrame
    by_metric: pd.DataFrame
    mc_vs_brier: pd.DataFrame
    threshold: float
    family: str


def meta_analysis(
    path_or_table,
    *,
    threshold: float = 10.0,
    family: str = "BIG-G T=0",
    scale: str = "params",
    min_models: int = 3,
    lower_is_better=LOWER_IS_BETTER,
    include_aggregates: bool = False,
    on_error: str = "raise",
) -> MetaAnalysis:
    """The BIG-bench meta-analysis of the mirage paper, in one call.

    Parameters
    ----------
    path_or_table : str, pathlib.Path or pandas.DataFrame
        A BIG-bench checkout (or anything :func:`read_results` accepts), or a
        table it returned.
    threshold : float
        A curve counts as emergent when its emergence score exceeds this.
        The mirage paper's text does not state the cut-off it used; the
        default 10 is this book's choice (its chapter on the BIG-Bench
        meta-analysis shows what chance alone produces at such cut-offs).
    family : str
        The model family for the multiple-choice grade vs Brier comparison.
        BIG-bench names its dense BIG-G models ``"BIG-G T=0"`` and
        ``"BIG-G T=1"`` (sampling temperature) and its sparse ones
        ``"BIG-G sparse"``; the mirage paper calls the BIG-G family "LaMDA"
        without saying which variant it used. Default ``"BIG-G T=0"``.
    scale : str
        Column giving model size (default ``params``).
    min_models : int
        Minimum number of model sizes for a curve to be scored.
    lower_is_better : collection of str
        Metrics for which smaller is better (see :func:`emergence_scores`).
    include_aggregates, on_error
        Passed to :func:`read_results` when ``path_or_table`` is a path.
        BIG-bench's aggregates (averages over subtasks, and its
        ``normalized_aggregate_score``) are left out unless asked for, so
        that an average is not counted as one more curve and
        ``normalized_aggregate_score`` not as one more metric.

    Returns
    -------
    MetaAnalysis

    Examples
    --------
    >>> meta_analysis(pd.DataFrame({"task": ["t"]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: path_or_table lacks column(s) [...]: pass a checkout path or the table of read_results.
    """
    if isinstance(path_or_table, pd.DataFrame):
        table = path_or_table
        missing = [c for c in ("task", "subtask", "model_family", "n_shots", "metric",
                               "score", "is_preferred", scale) if c not in table.columns]
        if missing:
            raise ValueError(
                f"path_or_table lacks column(s) {missing}: pass a checkout path or the "
                "table of read_results."
            )
    else:
        table = read_results(path_or_table, include_aggregates=include_aggregates,
                             on_error=on_error)
    if not include_aggregates and "is_aggregate" in table.columns:
        table = table[~table["is_aggregate"].astype(bool)]
    threshold = float(threshold)
    if not np.isfinite(threshold):
        raise ValueError(f"threshold must be a finite number, got {threshold}.")

    scores = emergence_scores(table, scale=scale, min_models=min_models,
                              lower_is_better=lower_is_better)
    scores["emergent"] = scores["emergence_score"] > threshold

    grouped = scores.groupby("metric")
    by_metric = pd.DataFrame({
        "n_curves": grouped.size(),
        "n_emergent": grouped["emergent"].sum().astype(int),
        "n_emergent_preferred": scores[scores["is_preferred"]].groupby("metric")["emergent"]
        .sum().reindex(grouped.size().index, fill_value=0).astype(int),
    }).sort_values(["n_emergent", "n_curves"], ascending=False).reset_index()
    total = by_metric["n_emergent"].sum()
    by_metric["share_of_emergent"] = by_metric["n_emergent"] / total if total else 0.0

    key = ["task", "subtask", "n_shots"]
    fam = scores[scores["model_family"] == family]
    mc = fam[fam["metric"] == MC_GRADE_METRIC].set_index(key)["emergence_score"]
    brier = fam[fam["metric"] == BRIER_METRIC].set_index(key)["emergence_score"]
    both = pd.concat({"emergence_mc_grade": mc, "emergence_brier": brier}, axis=1, join="inner")
    both = both.reset_index()
    both["emergent_mc_grade"] = both["emergence_mc_grade"] > threshold
    both["emergent_brier"] = both["emergence_brier"] > threshold
    both = both.sort_values("emergence_mc_grade", ascending=False, ignore_index=True)
    return MetaAnalysis(table=table, scores=scores, by_metric=by_metric,
                        mc_vs_brier=both, threshold=threshold, family=family)


# --------------------------------------------------------------------------- which metrics


def metric_breakdown(tasks, task_metrics: pd.DataFrame, *,
                     unknown: str = "not a JSON task") -> pd.DataFrame:
    """How many of ``tasks`` have each preferred metric.

    Parameters
    ----------
    tasks : iterable of str
        BIG-bench task directory names (missing values allowed: they count
        as ``unknown``).
    task_metrics : pandas.DataFrame
        Columns ``task`` and ``preferred_metric`` (the table
        ``bigbench_task_metrics``).
    unknown : str
        Label for tasks not in ``task_metrics`` (programmatic tasks).

    Returns
    -------
    pandas.DataFrame
        Columns ``preferred_metric``, ``n_tasks``, ``share`` (of all
        ``tasks``) and ``share_of_known`` (of the tasks whose metric is
        known), largest first.

    Examples
    --------
    >>> tm = pd.DataFrame({"task": ["a", "b", "c"],
    ...                    "preferred_metric": ["bleu", "bleu", "exact_str_match"]})
    >>> metric_breakdown(["a", "b", "c", None], tm)["n_tasks"].tolist()
    [2, 1, 1]
    """
    if not isinstance(task_metrics, pd.DataFrame) or not {"task", "preferred_metric"} <= set(
        task_metrics.columns
    ):
        raise ValueError(
            "task_metrics must be a DataFrame with columns 'task' and 'preferred_metric' "
            "(load('bigbench_task_metrics'))."
        )
    if task_metrics["task"].duplicated().any():
        raise ValueError("task_metrics lists a task twice: keep one row per task.")
    names = pd.Series(list(tasks), dtype=object)
    if names.empty:
        raise ValueError("tasks is empty: pass at least one task name.")
    lookup = task_metrics.set_index("task")["preferred_metric"]
    metric = names.map(lookup).fillna(unknown)
    counts = metric.value_counts()
    out = counts.rename_axis("preferred_metric").reset_index(name="n_tasks")
    out["n_tasks"] = out["n_tasks"].astype(int)
    out["share"] = out["n_tasks"] / len(names)
    known = int((metric != unknown).sum())
    out["share_of_known"] = np.where(out["preferred_metric"] == unknown, np.nan,
                                     out["n_tasks"] / known if known else np.nan)
    # unknown last, then by count
    out["_u"] = out["preferred_metric"] == unknown
    out = out.sort_values(["_u", "n_tasks"], ascending=[True, False]).drop(columns="_u")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- multiple choice


def score_multiple_choice(options: pd.DataFrame) -> pd.DataFrame:
    """Multiple-choice grade and Brier score per model, from per-option log-probabilities.

    For each model and problem, the options' log-probabilities are scored
    with :func:`emergence.metrics.multiple_choice_grade` (1 if the correct
    option has the highest probability) and
    :func:`emergence.metrics.brier_score` (softmax over the options, then
    squared error against the one-hot target, as BIG-bench's
    ``calibration_multiple_choice_brier_score``), then averaged over problems.

    Parameters
    ----------
    options : pandas.DataFrame
        One row per model x problem x option, with columns ``model``,
        ``params``, ``problem_id``, ``option``, ``log_prob`` and
        ``is_correct`` (exactly one True per model x problem). Every problem
        must have the same number of options.

    Returns
    -------
    pandas.DataFrame
        One row per model, sorted by ``params``: ``model``, ``params``,
        ``n_problems``, ``multiple_choice_grade``, ``brier_score``.

    Examples
    --------
    >>> opts = pd.DataFrame({"model": "m", "params": 10, "problem_id": [0, 0, 1, 1],
    ...                      "option": [0, 1, 0, 1], "log_prob": np.log([0.9, 0.1, 0.4, 0.6]),
    ...                      "is_correct": [True, False, True, False]})
    >>> out = score_multiple_choice(opts)
    >>> out[["multiple_choice_grade", "brier_score"]].round(3).values.tolist()
    [[0.5, 0.185]]
    """
    from emergence.metrics import brier_score, multiple_choice_grade

    needed = ["model", "params", "problem_id", "option", "log_prob", "is_correct"]
    if not isinstance(options, pd.DataFrame):
        raise ValueError("options must be a pandas DataFrame with columns " + ", ".join(needed))
    missing = [c for c in needed if c not in options.columns]
    if missing:
        raise ValueError(f"options lacks column(s) {missing}; it has {list(options.columns)}.")
    rows = []
    for (model, params), group in options.groupby(["model", "params"], sort=False):
        group = group.sort_values(["problem_id", "option"])
        k = group.groupby("problem_id").size()
        if k.nunique() != 1:
            raise ValueError(
                f"options: model {model!r} has problems with different numbers of options "
                f"({sorted(k.unique())}); every problem needs the same k."
            )
        k = int(k.iloc[0])
        correct = group["is_correct"].astype(bool).to_numpy().reshape(-1, k)
        if not (correct.sum(axis=1) == 1).all():
            raise ValueError(
                f"options: model {model!r} has a problem without exactly one correct option."
            )
        scores = group["log_prob"].to_numpy(float).reshape(-1, k)
        index = correct.argmax(axis=1)
        rows.append({
            "model": model, "params": float(params), "n_problems": len(index),
            "multiple_choice_grade": float(multiple_choice_grade(scores, index).mean()),
            "brier_score": float(brier_score(scores, index).mean()),
        })
    return pd.DataFrame(rows).sort_values("params", ignore_index=True)

"""BIG-bench's own results format, read into one tidy table and written back.

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
metric; :mod:`emergence.book.meta_analysis` analyses it as the mirage paper does.

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
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd


__all__ = [
    "AGGREGATE_METRIC",
    "BRIER_METRIC",
    "DEFAULT_SCALE",
    "SCALES",
    "SHOTS_NOT_APPLICABLE",
    "LOWER_IS_BETTER",
    "MC_GRADE_METRIC",
    "ResultsFormatError",
    "TIDY_COLUMNS",
    "read_results",
    "read_results_file",
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
    emergence.io.bigbench.ResultsFormatError: .../scores_bad.json: no 'model' object ...
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

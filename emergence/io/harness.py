"""Read lm-evaluation-harness results files into the tidy table ``emergence diagnose`` checks.

lm-evaluation-harness (EleutherAI) writes one JSON file per model run, with the
aggregated scores under ``"results"``, one object per task. Two layouts are in
use, and both are read:

- **0.3** (and the files published with Pythia): ``{"acc": 0.70, "acc_stderr":
  0.006, "ppl": 3.9, "ppl_stderr": 0.08}``; the model in
  ``config.model_args`` (``"pretrained=EleutherAI/pythia-v1.1-12b,revision=..."``);
- **0.4**: keys ``"<metric>,<filter>"`` (``"acc,none"``, ``"acc_stderr,none"``,
  ``"exact_match,strict-match"``), an ``"alias"`` per task, the model in
  ``model_name`` or ``config.model_args``, and the number of items each task
  was scored on in ``"n-samples"``.

``truthfulqa_mc2``'s ``acc`` (a continuous probability, not an argmax) is read
as ``mc2``, the name 0.3 gave it. Every ``<metric>_stderr`` becomes the
``stderr`` of its metric (missing-value
markers such as ``"N/A"`` are skipped). A filter other than ``none`` is kept in
the task's name (``gsm8k (strict-match)``): two filters are two scorings of the
same outputs, not one curve.

The model's **scale** comes from a mapping (:func:`read_harness`'s ``scales``:
model name, or the end of it, to a size such as ``7e9`` or ``"6.9B"``), or
else from a size written at the end of the model's name
(``EleutherAI/pythia-v1.1-6.9b``), which the table then says in a ``scale_from``
column. Its **family** is the name without that size (``EleutherAI/pythia-v1.1``)
unless the mapping gives one.

Examples
--------
>>> import json, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> for size, acc in (("70m", 0.18), ("1.4b", 0.62)):
...     run = {"results": {"lambada_openai": {"acc": acc, "acc_stderr": 0.006, "ppl": 9.0}},
...            "config": {"model_args": f"pretrained=EleutherAI/pythia-{size}"}}
...     _ = (folder / f"{size}.json").write_text(json.dumps(run))
>>> table = read_harness(folder)
>>> table[["family", "scale", "metric", "value", "stderr"]].values.tolist()[:2]
[['EleutherAI/pythia', 1400000000.0, 'acc', 0.62, 0.006], ['EleutherAI/pythia', 1400000000.0, 'ppl', 9.0, nan]]
>>> sorted(table["scale_from"].unique())
['name']
"""

from __future__ import annotations

import json
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from emergence.measure.catalogue import METRICS
from emergence.io.sizes import parse_sizes, size_in_name

__all__ = ["CHOICES", "HarnessFormatError", "is_harness_results", "read_harness", "read_scales"]

#: Multiple-choice tasks whose every item has the same number of choices, as
#: lm-evaluation-harness defines them (0.3.0 ``lm_eval/tasks/*.py`` and 0.4.13
#: ``lm_eval/tasks/**.yaml``): task name pattern -> choices. The chance level of
#: an argmax accuracy (a discontinuous item count in the catalogue: ``acc``,
#: ``acc_norm``, ``acc_mutual_info``, ``acc_bytes``) on such a task is 1 / choices.
#: ARC (3 to 5 choices per question) and TruthfulQA (a varying number) are not here:
#: their chance is not one number.
CHOICES = {
    r"hendrycksTest-.+|mmlu|mmlu_.+": 4,   # 0.3.0 hendrycks_test.py keys A-D; 0.4.13 mmlu A-D
    r"logiqa": 4,                          # four options a-d in both
    r"sciq": 4,                            # three distractors and the answer in both
    r"hellaswag": 4,                       # 0.4.13 hellaswag.yaml: the four endings
    r"piqa": 2,                            # sol1, sol2 in both
    r"winogrande": 2,                      # option1, option2 in both
    r"wsc": 2,                             # 0.3.0 superglue.py yes/no; 0.4.13 ['no', 'yes']
}
# tasks that report a continuous score under the name "acc": 0.4.13's truthfulqa_mc2
# returns the normalised probability of the true answers (tasks/truthfulqa/utils.py,
# process_results_mc2), which 0.3.0 named mc2
_RENAMED_ACC = {"truthfulqa_mc2": "mc2"}

_MISSING = {"N/A", "n/a", "NA", "nan", "NaN", ""}


class HarnessFormatError(ValueError):
    """An lm-evaluation-harness results file that cannot be read; the message names it."""


def is_harness_results(document) -> bool:
    """Whether a parsed JSON document is an lm-evaluation-harness results file."""
    return (isinstance(document, dict) and isinstance(document.get("results"), dict)
            and ("config" in document or "versions" in document or "model_name" in document))


def _model_of(document: dict, path: Path) -> str:
    name = document.get("model_name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    args = (document.get("config") or {}).get("model_args")
    if isinstance(args, str):
        for part in args.split(","):
            key, _, value = part.partition("=")
            if key.strip() == "pretrained" and value.strip():
                return value.strip()
    elif isinstance(args, dict) and args.get("pretrained"):
        return str(args["pretrained"])
    return path.stem


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and value.strip() not in _MISSING:
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _rows_of(document: dict, path: Path) -> list[dict]:
    model = _model_of(document, path)
    n_samples = document.get("n-samples") or {}
    rows = []
    for task, scores in document["results"].items():
        if not isinstance(scores, dict):
            raise HarnessFormatError(f"{path}: results[{task!r}] is not an object of scores.")
        values, errors = {}, {}
        for key, raw in scores.items():
            metric, _, filt = str(key).partition(",")
            if metric in ("alias", "name", "sample_len", "samples", " ") or metric.startswith(" "):
                continue
            value = _number(raw)
            if value is None:
                continue
            if metric.endswith("_stderr"):
                errors[(metric[: -len("_stderr")], filt)] = value
            else:
                values[(metric, filt)] = value
        counts = n_samples.get(task) if isinstance(n_samples, dict) else None
        n_items = _number((counts or {}).get("effective")) if isinstance(counts, dict) else None
        for (metric, filt), value in values.items():
            name = task if filt in ("", "none") else f"{task} ({filt})"
            stderr = errors.get((metric, filt), np.nan)
            if metric == "acc" and task in _RENAMED_ACC:
                metric = _RENAMED_ACC[task]
            rows.append({"task": name, "model": model, "metric": metric, "value": value,
                         "stderr": stderr,
                         "n_items": n_items if n_items is not None else np.nan,
                         "file": str(path)})
    return rows


def read_scales(path) -> dict:
    """A mapping file: CSV with ``model`` and ``scale`` (a number or a size such as
    ``6.9B``), and optionally ``family``; returns ``{model: (scale, family or None)}``."""
    path = Path(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"model", "scale"} - set(table.columns)
    if missing:
        raise HarnessFormatError(f"{path}: a scales file needs the columns model and scale "
                                 f"(missing: {', '.join(sorted(missing))}).")
    sizes = parse_sizes(table["scale"].to_numpy())
    bad = np.flatnonzero(~np.isfinite(sizes) | (sizes <= 0))
    if bad.size:
        raise HarnessFormatError(f"{path}, column 'scale', line {bad[0] + 2}: "
                                 f"{table['scale'].iloc[bad[0]]!r} is not a size (write 7e9, "
                                 "7000000000 or 7B).")
    family = table["family"] if "family" in table.columns else pd.Series([""] * len(table))
    return {m.strip(): (float(s), f.strip() or None)
            for m, s, f in zip(table["model"], sizes, family)}


def _lookup(mapping: dict, model: str):
    """The mapping's entry for ``model``, or for its last path part (``pythia-70m``)."""
    if model in mapping:
        return mapping[model]
    short = model.rsplit("/", 1)[-1]
    return mapping.get(short)


def read_harness(path, *, scales: dict | str | Path | None = None) -> pd.DataFrame:
    """Read one results file or a folder of them (searched recursively) into a tidy table.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``results*.json`` file, or a folder holding one per model.
    scales : dict, str or pathlib.Path, optional
        Model name (or its last part) to scale: a number, a size such as
        ``"6.9B"``, or ``(scale, family)``; or a CSV file of them
        (:func:`read_scales`). Models not in it need a size at the end of
        their name.

    Returns
    -------
    pandas.DataFrame
        ``task, family, model, scale, metric, value, stderr, n_items, chance``
        (the columns :func:`emergence.diagnose.diagnose` reads; ``chance`` is
        1 / choices for an argmax accuracy on a task of :data:`CHOICES`),
        ``scale_from`` (``"mapping"`` or ``"name"``) and ``file``.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    HarnessFormatError
        A file is not valid JSON or not a results file, no file was found, or
        a model's scale is unknown; the message names the file and says how
        to fix it.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist.")
    files = [path] if path.is_file() else sorted(path.rglob("*.json"))
    mapping = {}
    if isinstance(scales, (str, Path)):
        mapping = read_scales(scales)
    elif scales:
        for model, spec in scales.items():
            size, family = spec if isinstance(spec, tuple) else (spec, None)
            mapping[str(model)] = (float(parse_sizes([size])[0]), family)
    rows, broken = [], []
    for file in files:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            if path.is_file():
                raise HarnessFormatError(f"{file}: not valid JSON ({err}).") from None
            broken.append(f"{file} ({err})")
            continue
        if not is_harness_results(document):
            if path.is_file():
                raise HarnessFormatError(
                    f"{file}: not an lm-evaluation-harness results file (no 'results' object "
                    "beside 'config', 'versions' or 'model_name').")
            continue
        rows += _rows_of(document, file)
    if broken:
        # a folder may hold other JSON files (samples, configs); one that is not JSON at all
        # is worth saying, since it may be a results file cut short
        warnings.warn(f"{len(broken)} file(s) under {path} are not valid JSON and were "
                      "skipped: " + "; ".join(broken[:3]), stacklevel=2)
    if not rows:
        raise HarnessFormatError(f"{path}: no lm-evaluation-harness results file with scores "
                                 "was found there.")
    table = pd.DataFrame(rows)
    scale, family, source = {}, {}, {}
    for model in table["model"].unique():
        entry = _lookup(mapping, model)
        named_size, base = size_in_name(model)
        if entry is not None:
            scale[model], family[model], source[model] = entry[0], entry[1], "mapping"
        elif np.isfinite(named_size):
            scale[model], source[model] = named_size, "name"
        else:
            where = table.loc[table["model"] == model, "file"].iloc[0]
            raise HarnessFormatError(
                f"{where}: the scale of model {model!r} is not known and its name ends in no "
                "size. Give it with --scale NAME=SIZE (e.g. --scale "
                f"{model.rsplit('/', 1)[-1]}=7e9) or a scales file (columns model, scale).")
        if family.get(model) is None:
            family[model] = base
    table.insert(1, "family", table["model"].map(family))
    table.insert(3, "scale", table["model"].map(scale))
    table["scale_from"] = table["model"].map(source)
    table["chance"] = [_chance(task, metric) for task, metric in zip(table["task"],
                                                                    table["metric"])]
    return table[["task", "family", "model", "scale", "metric", "value", "stderr", "n_items",
                  "chance", "scale_from", "file"]]


def _chance(task: str, metric: str) -> float:
    """1 / choices for an argmax accuracy on a task of :data:`CHOICES`, else NaN."""
    info = METRICS.get(metric)
    if info is None or info.kind != "discontinuous" or not info.counts_items:   # not an argmax
        return np.nan
    for pattern, choices in CHOICES.items():
        if re.fullmatch(pattern, task):
            return 1.0 / choices
    return np.nan

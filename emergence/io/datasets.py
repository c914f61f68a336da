"""Loaders for the book's tidy tables in ``data/``, validated against a schema.

Each table is ``data/<name>.csv`` (or ``.csv.gz``) and has a schema in
:data:`SCHEMAS`: the columns it must have, their types and their allowed
ranges. :func:`load` reads the file and checks it, so that a hand-edited table
with a typo fails loudly, naming the file and the column, instead of bending a
plot.  Where each table comes from is written in ``data/README.md``.

Examples
--------
>>> from emergence.io.datasets import SCHEMAS, Column, Schema
>>> isinstance(SCHEMAS, dict)
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Column:
    """What one column of a table must hold.

    Parameters
    ----------
    kind : {"float", "int", "str", "bool"}
        The type of every value.
    min, max : float, optional
        Inclusive bounds for numeric columns.
    required : bool
        If False, empty cells are allowed (a source that gives no number).
    choices : tuple of str, optional
        The only values allowed in a text column.
    """

    kind: str = "float"
    min: float | None = None
    max: float | None = None
    required: bool = True
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Schema:
    """The columns of one table and a one-line description of it."""

    description: str
    columns: dict[str, Column] = field(default_factory=dict)


# One entry per table in data/. Provenance lives in data/README.md.
SCHEMAS: dict[str, Schema] = {}

# --- Tables of the chapter on Wei et al. (2022) -------------------------------
_OPTIONAL_STR = Column("str", required=False)
SCHEMAS["wei_emergent_tasks"] = Schema(
    "Wei's list of emergent few-shot tasks (BIG-Bench and MMLU), with the model at "
    "which each emerged.",
    {
        "benchmark": Column("str", choices=("BIG-Bench", "MMLU", "other")),
        "task": Column("str"),
        "bigbench_task": _OPTIONAL_STR,
        "emerged_with": Column("str"),
        "mmlu_subject": _OPTIONAL_STR,
        "source": Column("str"),
    },
)
SCHEMAS["obsscaling_emergent"] = Schema(
    "Open base models, 2-shot, on Wei et al.'s emergent tasks (Ruan et al. 2024); one "
    "row per model x task x metric.",
    {
        "model": Column("str"),
        "family": Column("str"),
        "params": Column("float", min=1e7, max=1e13),
        "pretraining_tokens": Column("float", min=1e9, max=1e14, required=False),
        "train_flops": Column("float", min=1e18, max=1e27, required=False),
        "task": Column("str", choices=(
            "parsinlu_qa", "word_unscrambling", "ipa_transliterate", "arithmetic_3ds",
            "arithmetic_3da", "arithmetic_2dm", "arithmetic_2da")),
        "bigbench_task": _OPTIONAL_STR,
        "n_shots": Column("int", min=0, max=100),
        "metric": Column("str", choices=("accuracy", "exact_match", "bleu")),
        "score": Column("float", min=0, max=100),
        "score_max": Column("float", min=1, max=100),
    },
)
_BENCHMARK_SCORE = Column("float", min=0, max=1, required=False)
SCHEMAS["obsscaling_benchmarks"] = Schema(
    "Open base models on eight standard benchmarks (Ruan et al. 2024), the inputs of "
    "observational scaling laws; one row per model.",
    {
        "model": Column("str"),
        "family": Column("str"),
        "params": Column("float", min=1e7, max=1e13),
        "train_flops": Column("float", min=1e18, max=1e27, required=False),
        **{name: _BENCHMARK_SCORE for name in (
            "mmlu", "arc_c", "hellaswag", "winogrande", "truthfulqa", "gsm8k", "xwinograd",
            "humaneval")},
    },
)
SCHEMAS["wei_table1"] = Schema(
    "Wei et al. (2022) Table 1: each emergent ability with the training FLOPs and "
    "parameters at which it emerged.",
    {
        "category": Column("str", choices=("few-shot", "augmented")),
        "ability": Column("str"),
        "train_flops": Column("float", min=1e18, max=1e26, required=False),
        "params": Column("float", min=1e6, max=1e13, required=False),
        "params_label": _OPTIONAL_STR,
        "model_family": Column("str"),
        "reference": Column("str"),
        "source": Column("str"),
    },
)
SCHEMAS["wei_models"] = Schema(
    "Wei et al. (2022) Table 2: parameters, training tokens and training FLOPs of "
    "the models behind the paper's plots.",
    {
        "family": Column("str"),
        "model": Column("str"),
        "params": Column("float", min=1e6, max=1e13),
        "params_label": Column("str"),
        "train_tokens": Column("float", min=1e9, max=1e14),
        "train_flops": Column("float", min=1e18, max=1e26),
        "six_n_d": Column("float", min=1e18, max=1e26),
        "source": Column("str"),
    },
)
SCHEMAS["wei_bigbench_classification"] = Schema(
    "Wei et al. (2022) Appendix E: every BIG-Bench task classified as smoothly "
    "increasing, emergent, flat or other.",
    {
        "task": Column("str"),
        "bigbench_task": _OPTIONAL_STR,
        "category": Column("str"),
        "source": Column("str"),
    },
)
SCHEMAS["wei_text_scales"] = Schema(
    "Scales that Wei et al. (2022) state in their running text, with where.",
    {
        "statement": Column("str"),
        "train_flops": Column("float", min=1e18, max=1e26),
        "params": Column("float", min=1e6, max=1e13, required=False),
        "location": Column("str"),
        "source": Column("str"),
    },
)
SCHEMAS["gpt3_arithmetic"] = Schema(
    "Brown et al. (2020) Table 3.9: GPT-3 175B accuracy on the arithmetic tasks.",
    {
        "model": Column("str"),
        "params": Column("float", min=1e6, max=1e13),
        "task": Column("str"),
        "description": Column("str"),
        "setting": Column("str", choices=("zero-shot", "one-shot", "few-shot")),
        "accuracy_percent": Column("float", min=0, max=100),
        "source": Column("str"),
    },
)
SCHEMAS["mmlu_by_model"] = Schema(
    "Average MMLU accuracy by model (Hendrycks et al. Table 1; Hoffmann et al. Table 6).",
    {
        "model": Column("str"),
        "family": _OPTIONAL_STR,
        "params": Column("float", min=1e6, max=1e13, required=False),
        "setting": _OPTIONAL_STR,
        "accuracy_percent": Column("float", min=0, max=100),
        "source": Column("str"),
    },
)
SCHEMAS["scale_measures"] = Schema(
    "Chinchilla 70B and Gopher 280B measured by parameters, tokens, training FLOPs, "
    "WikiText-103 perplexity and MMLU accuracy, one row per model x measure x source.",
    {
        "model": Column("str"),
        "measure": Column("str", choices=(
            "params", "train_tokens", "train_flops", "wikitext103_perplexity",
            "mmlu_5shot_accuracy")),
        "value": Column("float", min=0),
        "unit": Column("str"),
        "source": Column("str"),
    },
)

# --- Tables of the chapter on the BIG-Bench meta-analysis ----------------------
SCHEMAS["bigbench_task_metrics"] = Schema(
    "Each JSON task of BIG-bench (bigbench 1.0.0 task.json files) with its authors' "
    "preferred metric and all the metrics it reports.",
    {
        "task": Column("str"),
        "preferred_metric": Column("str"),
        "metrics": Column("str"),
    },
)

SCHEMAS["mirage_fig5a_metrics"] = Schema(
    "The 39 BIG-Bench metric names on the y-axis of the mirage paper's Figure 5A (NeurIPS "
    "2023 PDF, text layer).",
    {
        "metric": Column("str"),
    },
)

# --- Tables of the vision chapter (produced by emergence.experiments.vision) ---
SCHEMAS["vision_autoencoders"] = Schema(
    "Shallow autoencoders trained here on scikit-learn's digits: squared "
    "reconstruction error of each test image, one row per model x test image.",
    {
        "width": Column("int", min=1),
        "seed": Column("int", min=0),
        "params": Column("int", min=1),
        "image": Column("int", min=0, max=1796),
        "squared_error": Column("float", min=0, max=64),
    },
)
SCHEMAS["vision_classifiers"] = Schema(
    "One-hidden-layer classifiers trained here on scikit-learn's digits: whether "
    "each test image is classified correctly, one row per model x test image.",
    {
        "width": Column("int", min=1),
        "seed": Column("int", min=0),
        "params": Column("int", min=1),
        "image": Column("int", min=0, max=1796),
        "label": Column("int", min=0, max=9),
        "predicted": Column("int", min=0, max=9),
        "correct": Column("bool"),
        "prob_label": Column("float", min=0, max=1),
    },
)


# --- Tables of the arithmetic chapter (produced by emergence.experiments.arithmetic) ---
# The per-problem outputs are in data/arithmetic_outputs.npz, read with
# emergence.experiments.arithmetic.load_outputs (too large for a CSV).
_ARITHMETIC_TASKS = ("multiplication", "addition")
SCHEMAS["arithmetic_models"] = Schema(
    "The family of next-token MLPs trained here on 2-digit multiplication and 4-digit "
    "addition: one row per task x model.",
    {
        "task": Column("str", choices=_ARITHMETIC_TASKS),
        "model": Column("str"),
        "width": Column("int", min=1),
        "hidden_layers": Column("int", min=1),
        "params": Column("int", min=1),
        "train_problems": Column("int", min=1),
        "epochs": Column("int", min=1),
        "final_train_loss": Column("float", min=0),
        "losses_clipped": Column("int", min=0),
    },
)
SCHEMAS["arithmetic_summary"] = Schema(
    "Per-token loss, accuracy and token edit distance of every arithmetic model trained "
    "here, on its test set: one row per task x model.",
    {
        "task": Column("str", choices=_ARITHMETIC_TASKS),
        "model": Column("str"),
        "params": Column("int", min=1),
        "n_problems": Column("int", min=1),
        "n_problems_token_loss": Column("int", min=1),
        "per_token_loss": Column("float", min=0),
        "accuracy": Column("float", min=0, max=1),
        "token_edit_distance": Column("float", min=0),
    },
)
SCHEMAS["arithmetic_multiple_choice"] = Schema(
    "Multiple-choice 2-digit multiplication (the product and 3 wrong options with its length "
    "and units digit) "
    "scored by each model trained here: one row per model x problem x option.",
    {
        "model": Column("str"),
        "params": Column("int", min=1),
        "problem_id": Column("int", min=0, max=8099),
        "option": Column("int", min=0, max=3),
        "option_text": Column("str"),
        "log_prob": Column("float", max=0),
        "is_correct": Column("bool"),
    },
)

SCHEMAS["passuntil_draws"] = Schema(
    "PassUntil run with a real sampler: the three smallest addition models trained here, "
    "answers sampled at temperature 1 until two pass or 100,000 are drawn: one row per "
    "model x problem.",
    {
        "model": Column("str", choices=("w002", "w004", "w008")),
        "params": Column("int", min=1),
        "problem": Column("int", min=0, max=999),
        "samples": Column("int", min=1, max=100_000),
        "passes": Column("int", min=0, max=2),
        "first_pass": Column("int", min=1, max=100_000, required=False),
        "numeric_only": Column("int", min=0),
        "p_exact": Column("float", min=0, max=1),
        "p_numeric": Column("float", min=0, max=1),
    },
)

# --- Tables of the chapter "Are some jumps real?" (emergence.experiments.sparse_parity
# and emergence.experiments.grokking) ---
SCHEMAS["sparse_parity_tasks"] = Schema(
    "The subtasks of the multitask sparse parity trained here: frequency and relevant bits.",
    {
        "subtask": Column("int", min=1),
        "frequency": Column("float", min=0, max=1),
        "relevant_bits": Column("str"),
    },
)
_SPARSE_PARITY_RESULT = {
    "seed": Column("int", min=0),
    "width": Column("int", min=1),
    "params": Column("int", min=1),
    "step": Column("int", min=1),
    "subtask": Column("int", min=1),
    "frequency": Column("float", min=0, max=1),
    "accuracy": Column("float", min=0, max=1),
    "cross_entropy": Column("float", min=0),
}
SCHEMAS["sparse_parity_scale"] = Schema(
    "Multitask sparse parity MLPs trained here, at the end of training: accuracy and "
    "cross-entropy per subtask, one row per seed x width x subtask.",
    _SPARSE_PARITY_RESULT,
)
SCHEMAS["sparse_parity_steps"] = Schema(
    "The widest multitask sparse parity MLP trained here, along training: accuracy and "
    "cross-entropy per subtask, one row per seed x checkpoint x subtask.",
    _SPARSE_PARITY_RESULT,
)
SCHEMAS["grokking_curves"] = Schema(
    "Modular addition MLPs trained here with and without weight decay: train and test "
    "accuracy and cross-entropy along training, one row per run x checkpoint.",
    {
        "weight_decay": Column("float", min=0),
        "seed": Column("int", min=0),
        "step": Column("int", min=1),
        "train_accuracy": Column("float", min=0, max=1),
        "train_cross_entropy": Column("float", min=0),
        "test_accuracy": Column("float", min=0, max=1),
        "test_cross_entropy": Column("float", min=0),
        "weight_norm": Column("float", min=0),
    },
)

def data_dir() -> Path:
    """Where the tables are.

    The ``EMERGENCE_DATA`` environment variable wins; then ``data/`` beside the
    package in a source checkout (editable install, Binder, local JupyterLab);
    then the copy shipped inside an installed package (Colab).
    """
    env = os.environ.get("EMERGENCE_DATA")
    if env:
        return Path(env)
    return _book_data_dir()


#: The tables that ``make regenerate`` writes (the families trained for the book). A
#: data folder named by ``EMERGENCE_DATA`` must hold every one of them; any other table
#: (the papers' tables, carried result files) that such a folder lacks is read from the
#: book's own data, so that a folder retrained before a table was added still works.
TRAINED = frozenset({
    "arithmetic_models", "arithmetic_summary", "arithmetic_multiple_choice", "passuntil_draws",
    "vision_autoencoders", "vision_classifiers", "sparse_parity_tasks", "sparse_parity_scale",
    "sparse_parity_steps", "grokking_curves",
})


def _book_data_dir() -> Path:
    """The book's own tables: ``data/`` of a source checkout, else the packaged copy."""
    checkout = Path(__file__).resolve().parents[2] / "data"
    if (checkout / "README.md").is_file():
        return checkout
    return Path(str(resources.files("emergence") / "_data"))


def _find(base: Path, name: str) -> Path | None:
    for suffix in (".csv", ".csv.gz"):
        candidate = base / f"{name}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def folder_of(name: str) -> Path:
    """A folder of result files carried in ``data/`` (``"pythia_lm_eval"``).

    Such folders are papers' results, not trained here: read from ``EMERGENCE_DATA``
    when it has the folder, else from the book's own data.

    Examples
    --------
    >>> sorted(p.name for p in folder_of("pythia_lm_eval").glob("*.json"))[:2]
    ['1.4b_step143000.json', '12b_step143000.json']
    """
    for base in (data_dir(), _book_data_dir()):
        if (base / name).is_dir():
            return base / name
    raise FileNotFoundError(f"no folder {name!r} in {data_dir()} or the book's data.")


def path_of(name: str) -> Path:
    """The file behind table ``name`` (``.csv`` or ``.csv.gz``).

    With ``EMERGENCE_DATA`` set, a table that is not trained here (not in
    :data:`TRAINED`) and missing from that folder is read from the book's own data.
    """
    if name not in SCHEMAS:
        known = ", ".join(sorted(SCHEMAS)) or "(none registered)"
        raise ValueError(f"unknown table {name!r}; known tables: {known}.")
    base = data_dir()
    found = _find(base, name)
    if found is not None:
        return found
    if os.environ.get("EMERGENCE_DATA") and name not in TRAINED:
        if not (base / "README.md").is_file():
            raise FileNotFoundError(
                f"EMERGENCE_DATA={base} is not a data folder (it has no README.md); point it at "
                "data/ or at a folder made by EMERGENCE_DATA=DIR make regenerate.")
        found = _find(_book_data_dir(), name)
        if found is not None:
            return found
    if name in TRAINED and os.environ.get("EMERGENCE_DATA"):
        raise FileNotFoundError(
            f"table {name!r} not found as {base / name}.csv(.gz): a data folder named by "
            "EMERGENCE_DATA must hold every trained table; remake it with "
            "EMERGENCE_DATA=DIR make regenerate.")
    raise FileNotFoundError(
        f"table {name!r} not found as {base / name}.csv(.gz); if you installed the package "
        "alone, set EMERGENCE_DATA to the book's data/ folder."
    )


def validate(table: pd.DataFrame, schema: Schema, source: str) -> pd.DataFrame:
    """Check ``table`` against ``schema``; return it with columns cast.

    Raises
    ------
    ValueError
        Naming ``source`` (the file) and the offending column.

    Examples
    --------
    >>> s = Schema("toy", {"params": Column("float", min=1)})
    >>> validate(pd.DataFrame({"params": [10.0, 0.5]}), s, "toy.csv")
    Traceback (most recent call last):
    ...
    ValueError: toy.csv, column 'params': value 0.5 in row 1 is below the minimum 1.
    """
    missing = [c for c in schema.columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{source}: missing column(s) {missing}; the file has {list(table.columns)}."
        )
    out = table.copy()
    for col, spec in schema.columns.items():
        values = out[col]
        empty = values.isna()
        if spec.required and empty.any():
            row = int(np.flatnonzero(empty.to_numpy())[0])
            raise ValueError(f"{source}, column {col!r}: empty cell in row {row}.")
        present = values[~empty]
        if spec.kind in ("float", "int"):
            numeric = pd.to_numeric(present, errors="coerce")
            bad = numeric.isna()
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                raise ValueError(
                    f"{source}, column {col!r}: {present.iloc[row]!r} in row "
                    f"{present.index[row]} is not a number."
                )
            if spec.kind == "int" and not np.all(np.mod(numeric, 1) == 0):
                raise ValueError(f"{source}, column {col!r}: whole numbers expected.")
            for bound, outside, word in (
                (spec.min, lambda v, b: v < b, "below the minimum"),
                (spec.max, lambda v, b: v > b, "above the maximum"),
            ):
                if bound is None:
                    continue
                hit = outside(numeric, bound)
                if hit.any():
                    i = int(np.flatnonzero(hit.to_numpy())[0])
                    raise ValueError(
                        f"{source}, column {col!r}: value {numeric.iloc[i]:g} in row "
                        f"{present.index[i]} is {word} {bound:g}."
                    )
            out[col] = pd.to_numeric(values, errors="coerce")
            if spec.kind == "int" and not empty.any():
                out[col] = out[col].astype("int64")
        elif spec.kind == "bool":
            mapped = present.map(
                {True: True, False: False, "True": True, "False": False,
                 "true": True, "false": False, 1: True, 0: False}
            )
            if mapped.isna().any():
                raise ValueError(f"{source}, column {col!r}: True/False values expected.")
            out.loc[~empty, col] = mapped
        else:
            out[col] = values.astype("string").astype(object).where(~empty, None)
            if spec.choices is not None:
                bad = ~present.astype(str).isin(spec.choices)
                if bad.any():
                    raise ValueError(
                        f"{source}, column {col!r}: {present[bad].iloc[0]!r} is not one of "
                        f"{list(spec.choices)}."
                    )
    return out


def load(name: str) -> pd.DataFrame:
    """Read table ``name`` from ``data/`` and validate it against its schema.

    Parameters
    ----------
    name : str
        A key of :data:`SCHEMAS`, e.g. ``"wei_emergent_tasks"``.

    Returns
    -------
    pandas.DataFrame
        The table, with numeric columns as floats (ints where declared).
    """
    path = path_of(name)
    try:
        table = pd.read_csv(path, keep_default_na=True)
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError) as err:
        raise ValueError(f"{path.name}: cannot be read as CSV ({err}).") from None
    return validate(table, SCHEMAS[name], path.name)

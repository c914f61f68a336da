"""A family of small next-token predictors trained here on the mirage paper's two arithmetic tasks.

Regenerate every cached file (about 3-6 minutes on 2 cores) with::

    python -m emergence.experiments.arithmetic

which rewrites ``data/arithmetic_outputs.npz``, ``data/arithmetic_models.csv``,
``data/arithmetic_summary.csv`` and ``data/arithmetic_multiple_choice.csv.gz``.
``python -m emergence.experiments.arithmetic --quick`` instead retrains only
the two smallest models of each task and reports how their outputs on the
first :data:`QUICK_PROBLEMS` test problems compare with the cache
(``tests/test_arithmetic_experiment.py`` checks the smallest model of each
task within the seed-to-seed spread, which holds on any machine).
``EMERGENCE_SEED=k`` trains every model with seed ``SEED + k`` (initial weights and
mini-batch order) in place of :data:`SEED`; the problems, the splits and the
multiple-choice options stay the same.

The tasks
---------
Schaeffer, Miranda & Koyejo (2023) scored GPT-3/InstructGPT on two tasks:

- ``multiplication``: two 2-digit integers, ``a x b`` with ``10 <= a, b <= 99``
  (products 100 to 9,801, so 3 or 4 digits);
- ``addition``: two 4-digit integers, ``a + b`` with ``1000 <= a, b <= 9999``
  (sums 2,000 to 19,998, so 4 or 5 digits).

The answer is written the way a language model writes it: as a
variable-length decimal string, **most significant digit first**, followed by
an end-of-answer token. Writing most-significant-first is what the paper's
models do and it is the harder order for addition (the first digit depends on
every carry), so reversing the digits would have made the task unlike the one
being studied. The vocabulary has 11 tokens: the digits 0-9 and "end".

The models
----------
Each model is a :class:`sklearn.neural_network.MLPClassifier` used as a
next-token predictor. At answer step ``t`` its input is the concatenation of

- the problem's digits, one-hot (2 x 2 x 10 = 40 inputs for multiplication,
  2 x 4 x 10 = 80 for addition);
- the answer tokens written so far, one-hot per slot (11 per slot, one slot
  per possible answer digit; empty slots are all zero);
- the step ``t``, one-hot.

Its output is a softmax over the 11 tokens. Training uses teacher forcing: one
training example per (problem, step), with the reference answer's first ``t``
tokens as the "written so far" input and its token ``t`` as the label.
Decoding at test time is autoregressive and greedy, like a language model
asked at temperature 0: the model's own previous tokens are fed back, and it
stops at "end" or after the longest possible answer (4 digits for
multiplication, 5 for addition).

Every member of the family has the same architecture (two hidden ReLU layers
of equal width; two layers learn the carry logic far better per parameter
than one), the same data, optimiser (Adam, learning rate 2e-3, mini-batches
of 256, L2 penalty 1e-4) and number of epochs; only the width changes,
through :data:`WIDTHS`, which spans more than two orders of magnitude in
parameters (a few hundred to about 43,000). Training uses scikit-learn's own
loop (``fit``); BLAS is limited to one thread in every model so that the
floating-point sums, and hence the cached numbers, are the same on every run.
The two cores are used by training two models at a time in separate
processes (joblib), which does not change any result.

Budget. The widths (2 to 144) and the training budget (60 epochs over the
8,100 multiplication problems, 15 epochs over 20,000 addition problems) were
chosen so that the family runs from near-zero exact-match accuracy (below
0.1%) to above 80% on both tasks while the whole run stays within a few
minutes on two shared cores; wider models cost more time than they add to the
picture. The multiplication models see each problem 60 times, the addition
models see each of their problems 15 times but have never seen a test
problem.

Data: train and test problems
-----------------------------
- Multiplication has only 8,100 distinct problems. The models are trained on
  all of them and tested on all of them: for this task the experiment measures
  how much of the multiplication table each model has learned (memorised), not
  generalisation to unseen products (in a trial, a one-hidden-layer model of
  256 units trained on 80% of the table got about 7% of the held-out 20%
  right). A language model may likewise have met many of these products in
  its training text.
- Addition has 81 million distinct problems. :data:`N_TRAIN_ADDITION` random
  problems (seed :data:`SEED`) are used for training and a disjoint set of
  :data:`N_TEST_ADDITION` for testing.

What is cached
--------------
``data/arithmetic_outputs.npz`` holds, for each task, model and test problem:
the greedy output and the model's probability of each token of the reference
answer (its digits and its end token), teacher-forced on the reference prefix,
which is what a per-token cross-entropy loss means. The probabilities are kept
for all 8,100 multiplication problems but only for the first 10,000 of the
100,000 addition test problems (:func:`token_loss_problems`): a mean over
50,000 tokens is already precise, and keeping all of them would make the file
about ten times larger. The greedy outputs are kept for every problem. To
stay small (about 4 MB in all) the arrays are compact:

- ``{task}_a``, ``{task}_b``: the operands (int16);
- ``{task}_output``: greedy output tokens (uint8, models x problems x max
  digits; 10 = no token, i.e. the answer ended before that slot);
- ``{task}_loss``: per-token loss ``-ln p`` of each reference digit and
  of the end token (last slot), for the first :func:`token_loss_problems`
  problems, in units of :data:`LOSS_UNIT` nats, rounded
  and stored as uint16 (so a rounding error of at most 5e-5 nats; losses
  above 6.5 nats, i.e. ``p < 0.0015``, are clipped, and the number clipped is
  recorded in ``data/arithmetic_models.csv``); slots past the answer's end hold
  the value 65535.

Use :func:`load_outputs` to read them back as strings and probabilities.
``data/arithmetic_models.csv`` lists each model (task, width, parameters,
epochs, final training loss); ``data/arithmetic_summary.csv`` gives the mean
per-token loss (over answer digits), accuracy and token edit distance (over
all test problems) of every model.

The multiple-choice variant
---------------------------
For :data:`N_MULTIPLE_CHOICE` multiplication problems (drawn with seed
:data:`SEED` from the 8,100), four options: the product and three distractors
given by :func:`distractors` (wrong numbers with the product's number of
digits and units digit: the first three of ``ab+10, ab-10, ab+20, ab-20,
ab+100, ab-100, ab+200, ab-200`` that are positive and as long as ``ab``, so
that no option can be ruled out by its length or by the units digit, which
depends only on the units digits of ``a`` and ``b``), in an order shuffled
with seed :data:`SEED`. Each
option is scored by each multiplication model with the log-probability of its
whole token sequence (sum over its digits and the end token of the
teacher-forced log-probabilities; the end token is included so that an option
that is a prefix of another, 990 and 9900, is not favoured for being
shorter). Written to ``data/arithmetic_multiple_choice.csv.gz``. A token
probability that underflows to 0 in the model's float32 softmax is floored at
the smallest normal float32 (log-probability -87.3).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from emergence.experiments import training_seeds
from emergence.experiments.arithmetic_network import (
    HIDDEN_LAYERS,
    WIDTHS,
    count_params,
    greedy_decode,
    option_log_probs,
    reference_token_losses,
    step_features,
    train_model,
)
from emergence.experiments.arithmetic_problems import (
    DISTRACTOR_OFFSETS,
    END,
    N_TOKENS,
    NONE,
    SEED,
    TASKS,
    Task,
    _task,
    answer_tokens,
    distractors,
    multiple_choice_problems,
    problems,
    token_loss_problems,
    tokens_to_strings,
)

__all__ = [
    "END",
    "NONE",
    "N_TOKENS",
    "TASKS",
    "WIDTHS",
    "SEED",
    "LOSS_UNIT",
    "Task",
    "problems",
    "answer_tokens",
    "tokens_to_strings",
    "step_features",
    "train_model",
    "count_params",
    "greedy_decode",
    "reference_token_losses",
    "distractors",
    "DISTRACTOR_OFFSETS",
    "multiple_choice_problems",
    "option_log_probs",
    "run",
    "load_outputs",
    "main",
]

QUICK_PROBLEMS = 300
LOSS_UNIT = 1e-4
_LOSS_MISSING = np.iinfo(np.uint16).max
_LOSS_MAX_CODE = _LOSS_MISSING - 1


def _evaluate(task: str, width: int, n_problems: int | None = None, with_mc: bool = True,
              seed: int = SEED) -> dict:
    """Train one model and compute everything cached for it."""
    t0 = time.perf_counter()
    model = train_model(task, width, seed)
    train_seconds = time.perf_counter() - t0
    a, b = problems(task, "test")
    if n_problems is not None:
        a, b = a[:n_problems], b[:n_problems]
    n_loss = min(len(a), token_loss_problems(task))
    result = {
        "task": task,
        "width": int(width),
        "params": count_params(model),
        "final_train_loss": float(model.loss_),
        "output": greedy_decode(model, a, b, task),
        "loss": reference_token_losses(model, a[:n_loss], b[:n_loss], task),
        "train_seconds": train_seconds,
    }
    if task == "multiplication" and with_mc:
        result["mc_log_prob"] = option_log_probs(model, multiple_choice_problems())
    result["seconds"] = time.perf_counter() - t0
    return result


def _encode_loss(loss: np.ndarray) -> tuple[np.ndarray, int]:
    missing = np.isnan(loss)
    codes = np.rint(np.where(missing, 0.0, loss) / LOSS_UNIT)
    clipped = int((codes > _LOSS_MAX_CODE).sum())
    codes = np.minimum(codes, _LOSS_MAX_CODE)
    codes[missing] = _LOSS_MISSING
    return codes.astype(np.uint16), clipped


def _decode_loss(codes: np.ndarray) -> np.ndarray:
    loss = codes.astype(np.float64) * LOSS_UNIT
    loss[codes == _LOSS_MISSING] = np.nan
    return loss


def model_label(width: int) -> str:
    """The label of the family member of hidden width ``width``, e.g. ``'w016'``."""
    return f"w{int(width):03d}"


def run(out_dir: Path | str | None = None, n_jobs: int = 2, widths=WIDTHS, verbose: bool = True) -> dict:
    """Train the whole family and write the cached files to ``out_dir`` (default ``data/``)."""
    from joblib import Parallel, delayed

    from emergence.io.datasets import data_dir

    out = Path(out_dir) if out_dir is not None else data_dir()
    jobs = [(task, w) for w in sorted(widths, reverse=True) for task in TASKS]
    t0 = time.perf_counter()
    # Import by name so that workers unpickle a reference to the module's function even
    # when this file runs as ``__main__`` (python -m).
    from emergence.experiments.arithmetic import _evaluate as evaluate

    (seed,) = training_seeds((SEED,))
    results = Parallel(n_jobs=n_jobs, verbose=0)(
        delayed(evaluate)(task, w, seed=seed) for task, w in jobs)
    wall = time.perf_counter() - t0
    by_key = {(r["task"], r["width"]): r for r in results}
    arrays: dict[str, np.ndarray] = {}
    model_rows, summary_rows = [], []
    from emergence.measure.metrics import token_edit_distance

    for task in TASKS:
        spec = TASKS[task]
        a, b = problems(task, "test")
        arrays[f"{task}_a"] = a.astype(np.int16)
        arrays[f"{task}_b"] = b.astype(np.int16)
        ordered = [by_key[(task, w)] for w in sorted(widths)]
        arrays[f"{task}_width"] = np.array([r["width"] for r in ordered], dtype=np.int32)
        arrays[f"{task}_params"] = np.array([r["params"] for r in ordered], dtype=np.int64)
        arrays[f"{task}_output"] = np.stack([r["output"] for r in ordered])
        codes = []
        targets = [str(v) for v in spec.apply(a, b)]
        for r in ordered:
            c, clipped = _encode_loss(r["loss"])
            codes.append(c)
            model_rows.append({
                "task": task, "model": model_label(r["width"]), "width": r["width"],
                "hidden_layers": HIDDEN_LAYERS, "params": r["params"],
                "train_problems": len(problems(task, "train")[0]), "epochs": spec.epochs,
                "final_train_loss": round(r["final_train_loss"], 5), "losses_clipped": clipped,
            })
            loss = _decode_loss(c)
            digit_loss = loss[:, : spec.answer_digits]
            outputs = tokens_to_strings(r["output"])
            summary_rows.append({
                "task": task, "model": model_label(r["width"]), "params": r["params"],
                "n_problems": len(a),
                "n_problems_token_loss": int(np.isfinite(loss[:, 0]).sum()),
                "per_token_loss": round(float(np.nanmean(digit_loss)), 6),
                "accuracy": round(float(np.mean([o == t for o, t in zip(outputs, targets)])), 6),
                "token_edit_distance": round(float(np.mean(token_edit_distance(outputs, targets))), 6),
            })
        arrays[f"{task}_loss"] = np.stack(codes)
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "arithmetic_outputs.npz", **arrays)
    pd.DataFrame(model_rows).to_csv(out / "arithmetic_models.csv", index=False)
    pd.DataFrame(summary_rows).to_csv(out / "arithmetic_summary.csv", index=False)

    mc = multiple_choice_problems()
    mc_rows = []
    for w in sorted(widths):
        r = by_key[("multiplication", w)]
        block = mc[["problem_id", "option", "option_text", "is_correct"]].copy()
        block.insert(0, "params", r["params"])
        block.insert(0, "model", model_label(w))
        block["log_prob"] = np.round(r["mc_log_prob"], 4)
        mc_rows.append(block[["model", "params", "problem_id", "option", "option_text", "log_prob", "is_correct"]])
    pd.concat(mc_rows).to_csv(out / "arithmetic_multiple_choice.csv.gz", index=False,
                              compression={"method": "gzip", "mtime": 0})  # byte-identical reruns
    if verbose:
        for r in sorted(results, key=lambda r: (r["task"], r["width"])):
            print(f"{r['task']:>14} width {r['width']:>3}: {r['params']:>6} params, "
                  f"trained in {r['train_seconds']:.1f} s, evaluated in {r['seconds'] - r['train_seconds']:.1f} s")
        sizes = {p.name: p.stat().st_size for p in sorted(out.glob("arithmetic_*"))}
        print(f"wall time {wall:.0f} s; files: " + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in sizes.items()))
    return {"wall_seconds": wall}


def load_outputs(task: str, path: Path | str | None = None) -> dict:
    """Read the cached outputs of one task.

    Returns
    -------
    dict with keys
        ``a``, ``b`` (operands, shape (n,)), ``target`` (list of str),
        ``models`` (labels), ``params`` (shape (m,)), ``output`` (list of m
        lists of str: the greedy outputs), ``correct`` (bool array (m, n):
        exact match of output and target, computed on the tokens),
        ``output_tokens`` (uint8 array (m, n,
        answer_digits), 10 = no token), ``token_loss`` (float array (m, k,
        answer_digits) for the first k = :func:`token_loss_problems` problems:
        -ln p of each reference digit, NaN past the answer's end) and
        ``end_loss`` (m, k) for the end token.

    Examples
    --------
    >>> out = load_outputs("multiplication")
    >>> len(out["target"]), out["token_loss"].shape[2]
    (8100, 4)
    >>> bool(out["correct"][-1].mean() > out["correct"][0].mean())
    True
    """
    from emergence.io.datasets import data_dir

    spec = _task(task)
    path = Path(path) if path is not None else data_dir() / "arithmetic_outputs.npz"
    with np.load(path) as z:
        a, b = z[f"{task}_a"].astype(np.int64), z[f"{task}_b"].astype(np.int64)
        tokens = z[f"{task}_output"]
        loss = _decode_loss(z[f"{task}_loss"])
        widths = z[f"{task}_width"]
        params = z[f"{task}_params"]
    ref = answer_tokens(spec.apply(a, b), spec.answer_digits)[:, : spec.answer_digits]
    ref = np.where((ref >= 0) & (ref < 10), ref, NONE)
    return {
        "a": a,
        "b": b,
        "target": [str(v) for v in spec.apply(a, b)],
        "correct": (tokens == ref[None]).all(axis=2),
        "models": [model_label(w) for w in widths],
        "params": params.astype(np.int64),
        "output_tokens": tokens,
        "output": [tokens_to_strings(t) for t in tokens],
        "token_loss": loss[:, :, : spec.answer_digits],
        "end_loss": loss[:, :, spec.answer_digits],
    }


def quick_check(n_problems: int = QUICK_PROBLEMS, n_models: int = 2) -> dict:
    """Retrain the smallest models and compare with the cache; returns the mismatches found.

    On the machine that made the cache the outputs match token for token and
    the losses to the cache's resolution (1 unit of :data:`LOSS_UNIT`). On
    another machine the training may take another path (see
    ``tests/test_arithmetic_experiment.py``, which compares within the
    seed-to-seed spread instead).
    """
    report = {}
    for task in TASKS:
        cached = load_outputs(task)
        for m, width in enumerate(sorted(WIDTHS)[:n_models]):
            r = _evaluate(task, width, n_problems=n_problems, with_mc=False)
            expected_tokens = cached["output_tokens"][m, :n_problems]
            loss_codes, _ = _encode_loss(r["loss"])
            cached_codes, _ = _encode_loss(np.concatenate(
                [cached["token_loss"][m, :n_problems], cached["end_loss"][m, :n_problems, None]], axis=1))
            report[(task, width)] = {
                "params_match": r["params"] == int(cached["params"][m]),
                "output_mismatches": int((r["output"] != expected_tokens).any(axis=1).sum()),
                "max_loss_code_difference": int(np.abs(loss_codes.astype(int) - cached_codes.astype(int)).max()),
            }
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="retrain the two smallest models and compare a slice with the cache")
    parser.add_argument("--jobs", type=int, default=2, help="models trained at once (default 2)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default data/)")
    args = parser.parse_args(argv)
    if args.quick:
        report = quick_check()
        print(json.dumps({f"{k[0]} width {k[1]}": v for k, v in report.items()}, indent=1))
        if not all(v["params_match"] for v in report.values()):
            print("CACHE DIFFERS: the parameter counts, which are exact on every machine, disagree")
            return 1
        identical = all(v["output_mismatches"] == 0 and v["max_loss_code_difference"] <= 1
                        for v in report.values())
        print("cache matches bit for bit" if identical else
              "outputs differ from the cache in the last bits, as they may on another machine's "
              "BLAS; tests/test_arithmetic_experiment.py checks them within the seed-to-seed spread")
        return 0
    run(args.out, n_jobs=args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())


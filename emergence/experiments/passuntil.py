"""PassUntil with a real sampler: the smallest addition models, sampled until they pass.

Regenerate ``data/passuntil_draws.csv`` (about a minute on one core) with::

    python -m emergence.experiments.passuntil [DIR]

which writes into ``DIR`` instead of the book's ``data/`` if given.
``EMERGENCE_SEED=k`` retrains the models with seed ``SEED + k``, as the arithmetic family
is, and seeds the sampler's streams with it.

What it does
------------
Hu et al. (2024) measure a model's pass rate on a problem by sampling answers
until ``r`` of them pass, ``K`` samples in all, and estimating ``r / K``,
with ``K`` capped at ``10**5`` (PassUntil). The cache of
:mod:`emergence.experiments.arithmetic` holds only the probabilities of the
reference tokens, enough to compute a pass probability exactly but not to
sample an answer. This module therefore retrains the three smallest addition
models (:data:`WIDTHS`; training is deterministic, so they are the cached
models on the machine that made the cache) and samples from them.

Sampling is at temperature 1 and token by token, as the models decode: the
next token is drawn from the model's softmax given the problem and the
tokens drawn so far, until "end" or the longest possible answer. A model's
next-token distribution depends only on the problem and the prefix, and an
addition answer has at most 11,111 open prefixes (up to four digits
written), so :func:`next_token_table` computes it once for every prefix of a
problem, in one batch, and :func:`sample_answers` then draws answers through
that table. Each answer is still an independent draw from the model, and its
probability is the product of the model's probabilities of its tokens.

Each problem gets its own random stream (seeded with the training seed,
:data:`SEED` shifted by ``EMERGENCE_SEED`` as the arithmetic family is, the
model's width and the problem's index), and sampling goes on until the
second pass or :data:`MAX_SAMPLES`. The samples until the first pass are what
PassUntil with ``r = 1`` would have drawn; all of them, ``r = 2``.

An answer passes when it is the reference string (the book's exact match).
The sampler also counts answers that are right as numbers but not as
strings: a 4-digit sum written with a leading zero, ``"02345"`` for 2345.
A grader that parses numbers would pass them; the exact product of the
reference tokens leaves them out.

What is cached
--------------
One row per (model, problem) for the first :data:`N_PROBLEMS` addition test
problems: ``samples`` (answers drawn), ``first_pass`` (how many had been
drawn at the first pass; empty if none), ``passes`` (0, 1 or 2),
``numeric_only`` (answers drawn that are right as numbers only), ``p_exact``
(the probability of writing the reference, from the same table) and
``p_numeric`` (the probability of writing any answer equal to it as a
number). ``tests/test_passuntil_experiment.py`` checks a retrained model's
table against the cache within the seed-to-seed spread, the sampler's
frequencies against its probabilities, and the cached waits for each pass
against their geometric law (:func:`wait_uniforms`).
"""

from __future__ import annotations

import sys
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from emergence._validate import check_positive_int
from emergence.experiments import arithmetic, arithmetic_network, arithmetic_problems, to_cache_csv, training_seeds

__all__ = [
    "TASK",
    "WIDTHS",
    "SEED",
    "R",
    "MAX_SAMPLES",
    "N_PROBLEMS",
    "open_prefixes",
    "next_token_table",
    "sample_answers",
    "draw_until",
    "answer_probability",
    "answer_probabilities",
    "estimates",
    "wait_uniforms",
    "run",
    "main",
]

TASK = "addition"
#: the three smallest members of the arithmetic family, whose pass rates are hardest to measure
WIDTHS: tuple[int, ...] = tuple(sorted(arithmetic.WIDTHS)[:3])
SEED = arithmetic.SEED
#: passes to sample until
R = 2
#: PassUntil's budget of samples per problem (Hu et al. 2024)
MAX_SAMPLES = 100_000
#: the first test problems of the task, all of which have cached token losses
N_PROBLEMS = 1_000
_FIRST_CHUNK = 1024
_MAX_CHUNK = 1 << 16


def open_prefixes(max_digits: int) -> np.ndarray:
    """Every answer prefix after which decoding goes on: 0 to ``max_digits - 1`` digits.

    Returns an int array of shape ``(n, max_digits)``, one prefix a row
    (``-1`` in the unwritten slots), ordered by length and then by the
    prefix read as a number, so that the prefix of length ``L`` spelling
    the number ``c`` is row ``(10**L - 1) // 9 + c``.

    Examples
    --------
    >>> p = open_prefixes(3)
    >>> len(p), p[0].tolist(), p[1].tolist(), p[11 + 42].tolist()
    (111, [-1, -1, -1], [0, -1, -1], [4, 2, -1])
    """
    rows = []
    for length in range(max_digits):
        codes = np.arange(10**length)
        digits = np.full((len(codes), max_digits), -1, dtype=np.int64)
        for slot in range(length):
            digits[:, slot] = (codes // 10 ** (length - 1 - slot)) % 10
        rows.append(digits)
    return np.concatenate(rows)


def _row_of(length: np.ndarray, code: np.ndarray) -> np.ndarray:
    return (10**length - 1) // 9 + code


def next_token_table(model, a: int, b: int, task: str = TASK) -> np.ndarray:
    """The model's next-token distribution after every open prefix of one problem.

    Built with the inputs the model was trained and decoded with
    (:func:`emergence.experiments.arithmetic.step_features`) and scored in
    one batch. Returns float64 probabilities of shape
    ``(len(open_prefixes(answer_digits)), 11)``: tokens 0-9 are digits,
    10 is "end"; rows in the order of :func:`open_prefixes`.
    """
    spec = arithmetic.TASKS[task]
    problem_x = arithmetic_network._problem_one_hot(np.array([a]), np.array([b]), spec)
    prefix_x = _prefix_features(task)
    x = np.concatenate([np.broadcast_to(problem_x, (len(prefix_x), problem_x.shape[1])), prefix_x], axis=1)
    table = arithmetic_network._predict_proba(model, x).astype(np.float64)
    return table / table.sum(axis=1, keepdims=True)


@lru_cache(maxsize=None)
def _prefix_features(task: str) -> np.ndarray:
    """The prefix-and-step part of the model's input for every open prefix (the same for all problems)."""
    spec = arithmetic.TASKS[task]
    prefixes = open_prefixes(spec.answer_digits)
    lengths = (prefixes >= 0).sum(axis=1)
    no_problem = np.zeros((len(prefixes), 0), dtype=np.float32)
    parts = [arithmetic.step_features(no_problem[lengths == n], prefixes[lengths == n], n, spec)
             for n in range(spec.answer_digits)]
    return np.concatenate(parts)  # open_prefixes is sorted by length, so the rows stay in its order


def _max_digits(table: np.ndarray) -> int:
    """The longest answer a :func:`next_token_table` allows (its rows are the open prefixes)."""
    table = np.asarray(table)
    n_rows = table.shape[0] if table.ndim == 2 else 0
    max_digits = int(round(np.log10(9 * n_rows + 1)))
    if table.ndim != 2 or (10**max_digits - 1) // 9 != n_rows or table.shape[1] != arithmetic_problems.N_TOKENS:
        raise ValueError(f"table must have one row per open prefix and {arithmetic_problems.N_TOKENS} columns, "
                         f"got shape {table.shape}; build it with next_token_table.")
    return max_digits


def sample_answers(table: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` answers token by token through a :func:`next_token_table`.

    Returns ``(value, digits)``: each answer read as a number and its number
    of digits (0 for an answer that ends at once). An answer stops at "end"
    or when the longest answer's digits are all written.

    Examples
    --------
    >>> table = np.zeros((111, 11)); table[:, 10] = 1.0; table[0] = 0; table[0, 7] = 1.0
    >>> value, digits = sample_answers(table, 2, np.random.default_rng(0))
    >>> value.tolist(), digits.tolist()
    ([7, 7], [1, 1])
    """
    max_digits = _max_digits(table)
    n = check_positive_int(n, "n")
    cdf = np.cumsum(table, axis=1)
    value = np.zeros(n, dtype=np.int64)
    digits = np.zeros(n, dtype=np.int64)
    live = np.ones(n, dtype=bool)
    u = rng.random((n, max_digits))
    for step in range(max_digits):
        row = _row_of(digits, value)
        token = np.minimum((u[:, step, None] >= cdf[row]).sum(axis=1), arithmetic_problems.END)
        live &= token != arithmetic_problems.END
        value = np.where(live, 10 * value + token, value)
        digits = digits + live
    return value, digits


def draw_until(table: np.ndarray, target: int, r: int = R, max_samples: int = MAX_SAMPLES,
               seed: int | list[int] = 0) -> dict:
    """Sample answers to one problem until ``r`` pass or ``max_samples`` are drawn.

    ``seed`` is anything :func:`numpy.random.default_rng` takes (the cache
    uses ``[seed, width, problem]``, with the arithmetic family's training seed, so that
    each problem has its own stream).

    Returns ``samples``, ``passes``, ``first_pass`` (the sample count at the
    first pass, or ``None``: kept so that one stream gives PassUntil both with
    ``r = 1``, stopped there, and with ``r``) and ``numeric_only`` (answers
    right as numbers but not as strings, such as ``"02345"``).
    """
    target = _target(table, target)
    r = check_positive_int(r, "r")
    max_samples = check_positive_int(max_samples, "max_samples")
    rng = np.random.default_rng(seed)
    target_digits = len(str(target))
    drawn, passes, numeric_only, first_pass = 0, 0, 0, None
    chunk = _FIRST_CHUNK
    while passes < r and drawn < max_samples:
        n = min(chunk, max_samples - drawn)
        value, digits = sample_answers(table, n, rng)
        right = value == target
        exact = np.flatnonzero(right & (digits == target_digits))
        stop = n if len(exact) < r - passes else exact[r - passes - 1] + 1
        if first_pass is None and len(exact):
            first_pass = drawn + int(exact[0]) + 1
        numeric_only += int((right[:stop] & (digits[:stop] != target_digits)).sum())
        passes += min(len(exact), r - passes)
        drawn += int(stop)
        chunk = min(2 * chunk, _MAX_CHUNK)
    return {"samples": drawn, "passes": passes, "first_pass": first_pass, "numeric_only": numeric_only}


def answer_probability(table: np.ndarray, answer: str) -> float:
    """Exact probability that sampling through ``table`` writes the string ``answer``.

    The product of the model's probabilities of its digits, each given the
    earlier ones, and of "end" after them unless the answer fills every slot
    (decoding then stops by itself).

    Examples
    --------
    >>> table = np.full((111, 11), 1 / 11)
    >>> round(answer_probability(table, "42") * 11**3, 6), round(answer_probability(table, "420") * 11**3, 6)
    (1.0, 1.0)
    """
    max_digits = _max_digits(table)
    if not (isinstance(answer, str) and answer.isdigit() and len(answer) <= max_digits) and answer != "":
        raise ValueError(f"answer must be a string of at most {max_digits} digits, got {answer!r}.")
    p, value = 1.0, 0
    for length, ch in enumerate(answer):
        p *= table[_row_of(length, value), int(ch)]
        value = 10 * value + int(ch)
    if len(answer) < max_digits:
        p *= table[_row_of(len(answer), value), arithmetic_problems.END]
    return float(p)


def _target(table: np.ndarray, target) -> int:
    """A reference answer: a whole number >= 1 that fits the table's answer slots."""
    if isinstance(target, (bool, np.bool_)) or not isinstance(target, (int, np.integer)):
        raise ValueError(f"target must be a whole number (the reference answer), got {target!r}.")
    max_digits = _max_digits(table)
    if not 1 <= target < 10**max_digits:
        raise ValueError(f"target must be between 1 and {10**max_digits - 1} (at most {max_digits} digits, "
                         f"and not 0, which the empty answer would also equal as a number), got {target}.")
    return int(target)


def answer_probabilities(table: np.ndarray, target: int) -> tuple[float, float]:
    """Exact probability of writing ``target`` as its string, and as any string of its value.

    The second adds the ways with leading zeros that fit in the answer's slots,
    which a grader that parses numbers would also pass.

    Examples
    --------
    >>> table = np.full((111, 11), 1 / 11)
    >>> [round(p * 11**3, 6) for p in answer_probabilities(table, 7)]
    [11.0, 13.0]
    """
    text = str(_target(table, target))
    ways = ["0" * k + text for k in range(_max_digits(table) - len(text) + 1)]
    probs = [answer_probability(table, way) for way in ways]
    return probs[0], float(sum(probs))


def estimates(draws: pd.DataFrame, r: int, max_samples: int = MAX_SAMPLES) -> pd.DataFrame:
    """PassUntil's estimates from cached draws, with ``r = 1`` or ``r = R``, one row per problem.

    ``r = 1`` stops each problem's stream at its first pass (``first_pass``),
    ``r = 2`` takes it all; both go through
    :func:`emergence.measure.infinite_resolution.pass_until_estimates`. ``max_samples``
    is the budget the draws were made with.

    Examples
    --------
    >>> draws = pd.DataFrame({"samples": [7, 100_000], "passes": [2, 1],
    ...                       "first_pass": pd.array([3, 500], dtype="Int64")})
    >>> estimates(draws, 1)["estimate"].round(4).tolist(), estimates(draws, 2)["unbiased"].tolist()
    ([0.3333, 0.002], [0.16666666666666666, 1e-05])
    """
    from emergence.measure.infinite_resolution import pass_until_estimates

    missing = [c for c in ("samples", "passes", "first_pass") if c not in draws.columns]
    if missing:
        raise ValueError(f"draws lacks the column(s) {missing}; pass a table of passuntil_draws.csv.")
    first = draws["first_pass"]
    if (first > draws["samples"]).any() or (first.isna() & (draws["passes"] > 0)).any():
        raise ValueError("first_pass must be given for every problem with a pass and be at most its "
                         "samples; pass a table of passuntil_draws.csv as written.")
    if r == 1:
        return pass_until_estimates(first.fillna(max_samples).astype(int).to_numpy(),
                                    first.notna().astype(int).to_numpy(), r=1, max_samples=max_samples)
    if r == R:
        return pass_until_estimates(draws["samples"].to_numpy(), draws["passes"].to_numpy(), r=R,
                                    max_samples=max_samples)
    raise ValueError(f"the draws go on until {R} passes, so r must be 1 or {R}, got {r!r}.")


def wait_uniforms(draws: pd.DataFrame, max_samples: int = MAX_SAMPLES, seed: int = 0) -> np.ndarray:
    """Each problem's waits for its passes, mapped through their law: uniform if the sampler is right.

    A problem sampled with pass probability ``p`` (``p_exact``) waits a
    geometric number of samples for its first pass and again for its second.
    Each observed wait goes through its cumulative distribution function
    ``1 - (1 - p)**k``, randomised within the wait's step (the randomised
    probability integral transform for a discrete law) and, for a wait cut by
    the budget, drawn beyond it, so that the values are independent and
    uniform on (0, 1) exactly when the answers come at the table's
    probabilities. A Kolmogorov-Smirnov test of them then checks the sampler
    on every problem at once, without the heavy tails of the estimates.

    Examples
    --------
    >>> draws = pd.DataFrame({"p_exact": [0.5], "samples": [3], "passes": [2],
    ...                       "first_pass": pd.array([1], dtype="Int64")})
    >>> u = wait_uniforms(draws)
    >>> bool(0 <= u[0] <= 0.5 and 0.5 <= u[1] <= 0.75)
    True
    """
    missing = [c for c in ("p_exact", "samples", "passes", "first_pass") if c not in draws.columns]
    if missing:
        raise ValueError(f"draws lacks the column(s) {missing}; pass a table of passuntil_draws.csv.")
    p = draws["p_exact"].to_numpy(dtype=float)
    if ((p <= 0) | (p > 1)).any():
        raise ValueError("p_exact must lie in (0, 1] for every problem: one that can never pass has no wait.")
    log_q = np.log1p(-np.minimum(p, 1 - 1e-16))

    def cdf(k, rows=slice(None)):
        return -np.expm1(k * log_q[rows])

    first = draws["first_pass"].to_numpy(dtype=float, na_value=np.nan)
    samples = draws["samples"].to_numpy(dtype=float)
    passes = draws["passes"].to_numpy()
    rng = np.random.default_rng(seed)
    v = rng.random((2, len(draws)))
    budget = float(max_samples)
    passed = np.isfinite(first)
    k1 = np.where(passed, first, budget)
    u1 = np.where(passed, cdf(k1 - 1) + v[0] * (cdf(k1) - cdf(k1 - 1)),
                  cdf(budget) + v[0] * (1 - cdf(budget)))
    # the second wait starts after the first pass, with what is left of the budget
    left = budget - k1[passed]
    k2 = samples[passed] - k1[passed]
    twice = passes[passed] >= 2
    u2 = np.where(twice, cdf(k2 - 1, passed) + v[1][passed] * (cdf(k2, passed) - cdf(k2 - 1, passed)),
                  cdf(left, passed) + v[1][passed] * (1 - cdf(left, passed)))
    return np.concatenate([u1, u2])


def _draw_model(width: int, n_problems: int = N_PROBLEMS, seed: int = SEED) -> pd.DataFrame:
    model = arithmetic.train_model(TASK, width, seed)
    a, b = arithmetic.problems(TASK, "test")
    targets = arithmetic.TASKS[TASK].apply(a[:n_problems], b[:n_problems])
    rows = []
    for i, target in enumerate(targets):
        table = next_token_table(model, int(a[i]), int(b[i]))
        p_exact, p_numeric = answer_probabilities(table, int(target))
        draw = draw_until(table, int(target), seed=[seed, width, i])
        rows.append({"model": arithmetic.model_label(width), "params": arithmetic.count_params(model),
                     "problem": i, **draw, "p_exact": p_exact, "p_numeric": p_numeric})
    table = pd.DataFrame(rows)
    table["first_pass"] = table["first_pass"].astype("Int64")
    return table


def run(data_dir: str | Path | None = None, n_jobs: int = 1) -> Path:
    """Sample every model of :data:`WIDTHS` and write ``passuntil_draws.csv``."""
    from joblib import Parallel, delayed

    from emergence.io.datasets import data_dir as default_dir

    out = Path(data_dir) if data_dir is not None else default_dir()
    from emergence.experiments.passuntil import _draw_model as draw_model  # picklable under python -m

    (seed,) = training_seeds((SEED,))  # the arithmetic family's own draw, for the cross-check
    parts = Parallel(n_jobs=n_jobs)(delayed(draw_model)(w, seed=seed) for w in WIDTHS)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "passuntil_draws.csv"
    path.write_text(to_cache_csv(pd.concat(parts, ignore_index=True)))
    return path


def main(argv=None) -> int:
    """``python -m emergence.experiments.passuntil [DIR]``."""
    argv = sys.argv[1:] if argv is None else argv
    start = time.perf_counter()
    path = run(argv[0] if argv else None)
    table = pd.read_csv(path)
    print(f"{path}: {path.stat().st_size / 1e3:.0f} kB, {table['samples'].sum() / 1e6:.0f} million "
          f"answers sampled, {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

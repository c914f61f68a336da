"""The arithmetic family's tasks: the problems, their splits, answers as tokens, and the
multiple-choice variant's options (see :mod:`emergence.experiments.arithmetic`).

Everything here is exact on every machine: the problem sets, the splits and the
distractors do not depend on the training seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

END = 10  # the end-of-answer token; digits are tokens 0-9
NONE = 10  # in the cached output array: no token in this slot
N_TOKENS = 11
SEED = 0
N_TRAIN_ADDITION = 20_000
N_TEST_ADDITION = 100_000
N_TOKEN_LOSS_ADDITION = 10_000
N_MULTIPLE_CHOICE = 1_000
N_OPTIONS = 4


@dataclass(frozen=True)
class Task:
    """One arithmetic task: operand size, operation and training budget."""

    name: str
    operand_digits: int
    answer_digits: int  # longest possible answer
    epochs: int

    def apply(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The reference answers."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        return a * b if self.name == "multiplication" else a + b

    @property
    def n_features(self) -> int:
        return 2 * self.operand_digits * 10 + self.answer_digits * N_TOKENS + self.answer_digits + 1


TASKS: dict[str, Task] = {
    "multiplication": Task("multiplication", 2, 4, epochs=60),
    "addition": Task("addition", 4, 5, epochs=15),
}


def token_loss_problems(task: str) -> int:
    """How many test problems (the first ones) have their per-token losses cached.

    All 8,100 for multiplication; the first :data:`N_TOKEN_LOSS_ADDITION` of
    the 100,000 for addition (a mean over 50,000 tokens is already precise,
    and keeping all would make the file about ten times larger).
    """
    return len(problems(task, "test")[0]) if _task(task).name == "multiplication" else N_TOKEN_LOSS_ADDITION


def _task(task: str) -> Task:
    if task not in TASKS:
        raise ValueError(f"task must be one of {sorted(TASKS)}, got {task!r}.")
    return TASKS[task]


def problems(task: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The operands ``(a, b)`` of a task's training or test problems.

    Parameters
    ----------
    task : {"multiplication", "addition"}
    split : {"train", "test"}
        Multiplication uses all 8,100 problems for both. Addition draws
        ``N_TRAIN_ADDITION + N_TEST_ADDITION`` distinct problems with seed
        :data:`SEED`; the first ones train, the rest test.

    Examples
    --------
    >>> a, b = problems("multiplication", "test")
    >>> len(a), int(a[0]), int(b[0]), int(a[-1]), int(b[-1])
    (8100, 10, 10, 99, 99)
    """
    spec = _task(task)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    a, b = _all_problems(spec.name)
    if spec.name == "addition":
        part = slice(0, N_TRAIN_ADDITION) if split == "train" else slice(N_TRAIN_ADDITION, None)
        a, b = a[part], b[part]
    return a.copy(), b.copy()


@lru_cache(maxsize=None)
def _all_problems(task: str) -> tuple[np.ndarray, np.ndarray]:
    spec = TASKS[task]
    if spec.name == "multiplication":
        a, b = np.meshgrid(np.arange(10, 100), np.arange(10, 100), indexing="ij")
        return a.ravel().astype(np.int64), b.ravel().astype(np.int64)
    rng = np.random.default_rng(SEED)
    lo, hi = 10 ** (spec.operand_digits - 1), 10**spec.operand_digits
    span = hi - lo
    index = rng.choice(span * span, size=N_TRAIN_ADDITION + N_TEST_ADDITION, replace=False)
    return (lo + index // span).astype(np.int64), (lo + index % span).astype(np.int64)


def answer_tokens(values, max_digits: int) -> np.ndarray:
    """Reference answers as tokens, most significant digit first, then "end".

    Returns an int array of shape ``(n, max_digits + 1)``; slots after the
    end token hold -1.

    Examples
    --------
    >>> answer_tokens([342, 1024], 4)
    array([[ 3,  4,  2, 10, -1],
           [ 1,  0,  2,  4, 10]])
    """
    values = np.asarray(values, dtype=np.int64)
    if values.ndim != 1 or (values < 0).any():
        raise ValueError("values must be a 1-d array of non-negative integers.")
    n_digits = np.maximum(1, np.floor(np.log10(np.maximum(values, 1))).astype(int) + 1)
    if (n_digits > max_digits).any():
        raise ValueError(f"an answer has more than max_digits={max_digits} digits.")
    out = np.full((len(values), max_digits + 1), -1, dtype=np.int64)
    for slot in range(max_digits):
        power = n_digits - 1 - slot
        has = power >= 0
        out[has, slot] = (values[has] // 10 ** power[has]) % 10
    out[np.arange(len(values)), n_digits] = END
    return out


def tokens_to_strings(tokens: np.ndarray) -> list[str]:
    """Decode token rows (digits, then "end"/no-token 10 or -1) into answer strings.

    Examples
    --------
    >>> tokens_to_strings(np.array([[3, 4, 2, 10, -1], [0, 7, 10, 10, 10]]))
    ['342', '07']
    """
    tokens = np.asarray(tokens, dtype=np.int64)
    if tokens.ndim != 2:
        raise ValueError(f"tokens must be 2-dimensional (items x slots), got shape {tokens.shape}.")
    digit = (tokens >= 0) & (tokens < 10)
    keep = np.cumprod(digit, axis=1).astype(bool)  # up to the first non-digit
    codes = np.where(keep, tokens + ord("0"), 0).astype(np.uint8)
    fixed = np.ascontiguousarray(codes).view(f"S{tokens.shape[1]}").ravel()
    return fixed.astype(str).tolist()


#: offsets tried, in this order, to make the wrong options of :func:`distractors`
DISTRACTOR_OFFSETS: tuple[int, ...] = (10, -10, 20, -20, 100, -100, 200, -200)


def distractors(a: int, b: int) -> list[int]:
    """Three wrong options for ``a x b`` that share the product's length and units digit.

    The rule (fixed before any model was scored on it): the wrong options are
    the first three of ``ab+10, ab-10, ab+20, ab-20, ab+100, ab-100, ab+200,
    ab-200`` (in that order, :data:`DISTRACTOR_OFFSETS`) that are positive and
    have as many digits as ``ab``. Every offset is a non-zero multiple of 10,
    so each wrong option differs from ``ab`` and ends in the same units digit;
    with the length also equal, no option can be rejected by its number of
    digits or by its last digit. The last digit matters because the units
    digit of ``a x b`` depends only on the units digits of ``a`` and ``b``, a
    shortcut the family learns long before it learns the products: options
    that differ from the product in that digit (such as ``a(b+1)`` or
    ``(a+1)b``, unless ``a`` or ``b`` ends in 0) make the test a units-digit test. The first
    four offsets always give at least two options (no product is within 20
    of both ends of the range of numbers of its length), and the next two
    then give the third, so the list always has three (checked for all 8,100
    products in the tests).

    Each model scores every option on its own (the log-probability of the
    option's tokens), so where the product falls among the sorted options
    (usually second smallest, with ``ab-10, ab+10, ab+20``) gives it no
    information.

    Examples
    --------
    >>> distractors(12, 34)
    [418, 398, 428]
    >>> distractors(10, 10)
    [110, 120, 200]
    >>> distractors(11, 90)
    [980, 970, 890]
    """
    product = int(a) * int(b)
    if product <= 0:
        raise ValueError(f"a and b must be positive integers, got a={a!r}, b={b!r}.")
    length = len(str(product))
    chosen: list[int] = []
    for offset in DISTRACTOR_OFFSETS:
        value = product + offset
        if value > 0 and len(str(value)) == length and value not in chosen:
            chosen.append(value)
        if len(chosen) == N_OPTIONS - 1:
            break
    return chosen


def multiple_choice_problems() -> pd.DataFrame:
    """The multiple-choice problems: one row per (problem, option), options shuffled.

    Examples
    --------
    >>> mc = multiple_choice_problems()
    >>> len(mc), int(mc.groupby("problem_id")["is_correct"].sum().max())
    (4000, 1)
    """
    rng = np.random.default_rng(SEED)
    a_all, b_all = problems("multiplication", "test")
    pick = np.sort(rng.choice(len(a_all), size=N_MULTIPLE_CHOICE, replace=False))
    rows = []
    for problem_id in pick:
        a, b = int(a_all[problem_id]), int(b_all[problem_id])
        options = [a * b] + distractors(a, b)
        order = rng.permutation(N_OPTIONS)
        for option, k in enumerate(order):
            rows.append((int(problem_id), a, b, option, str(options[k]), bool(k == 0)))
    return pd.DataFrame(rows, columns=["problem_id", "a", "b", "option", "option_text", "is_correct"])

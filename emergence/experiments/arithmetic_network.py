"""The arithmetic family's network: its inputs, its training, greedy decoding, and the
teacher-forced log-probabilities of tokens and of whole options (see
:mod:`emergence.experiments.arithmetic`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from emergence.experiments.arithmetic_problems import (
    END,
    NONE,
    N_TOKENS,
    SEED,
    TASKS,
    Task,
    _task,
    answer_tokens,
    problems,
)

WIDTHS: tuple[int, ...] = (2, 4, 8, 16, 24, 32, 48, 64, 96, 144)
HIDDEN_LAYERS = 2
_CHUNK = 8192
#: probabilities that underflow to 0 in the model's float32 softmax are floored here (ln = -87.3)
_P_FLOOR = float(np.finfo(np.float32).tiny)


def _problem_one_hot(a: np.ndarray, b: np.ndarray, spec: Task) -> np.ndarray:
    n, d = len(a), spec.operand_digits
    x = np.zeros((n, 2 * d * 10), dtype=np.float32)
    rows = np.arange(n)
    for k, operand in enumerate((a, b)):
        for i in range(d):
            digit = (operand // 10 ** (d - 1 - i)) % 10
            x[rows, (k * d + i) * 10 + digit] = 1.0
    return x


def step_features(problem_x: np.ndarray, written: np.ndarray, step: int, spec: Task) -> np.ndarray:
    """The model's input at answer step ``step``.

    Parameters
    ----------
    problem_x : ndarray, shape (n, 20 * operand_digits)
        One-hot problem digits.
    written : ndarray of int, shape (n, >= step)
        Tokens written so far (only the first ``step`` columns are used).
    step : int
        0 for the first answer token.
    spec : Task
    """
    n = problem_x.shape[0]
    slots = np.zeros((n, spec.answer_digits * N_TOKENS), dtype=np.float32)
    rows = np.arange(n)
    for j in range(step):
        tok = np.asarray(written[:, j])
        ok = (tok >= 0) & (tok < N_TOKENS)
        slots[rows[ok], j * N_TOKENS + tok[ok]] = 1.0
    position = np.zeros((n, spec.answer_digits + 1), dtype=np.float32)
    position[:, step] = 1.0
    return np.concatenate([problem_x, slots, position], axis=1)


def _teacher_forced_examples(a, b, spec: Task):
    px = _problem_one_hot(a, b, spec)
    ref = answer_tokens(spec.apply(a, b), spec.answer_digits)
    xs, ys = [], []
    for step in range(spec.answer_digits + 1):
        live = ref[:, step] >= 0
        xs.append(step_features(px[live], ref[live], step, spec))
        ys.append(ref[live, step])
    return np.concatenate(xs), np.concatenate(ys)


def count_params(model) -> int:
    """Number of weights and biases of a fitted MLP."""
    return int(sum(w.size for w in model.coefs_) + sum(c.size for c in model.intercepts_))


def train_model(task: str, width: int, seed: int = SEED):
    """Train one member of the family (deterministic; BLAS on one thread).

    ``seed`` sets the initial weights and the order of the mini-batches; the
    cached family uses :data:`SEED` (``EMERGENCE_SEED=k`` trains with ``SEED + k``),
    and other seeds measure how much a result depends on the draw.

    Returns the fitted :class:`~sklearn.neural_network.MLPClassifier`.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    spec = _task(task)
    if int(width) < 1:
        raise ValueError(f"width must be a whole number >= 1, got {width!r}.")
    a, b = problems(task, "train")
    x, y = _teacher_forced_examples(a, b, spec)
    model = MLPClassifier(
        hidden_layer_sizes=(int(width),) * HIDDEN_LAYERS,
        activation="relu",
        solver="adam",
        alpha=1e-4,
        batch_size=256,
        learning_rate_init=2e-3,
        max_iter=spec.epochs,
        tol=0.0,
        n_iter_no_change=10**6,
        shuffle=True,
        random_state=int(seed),
    )
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # all 11 tokens are classes even if a tiny model never sees one
        model.fit(x, y)
    if list(model.classes_) != list(range(N_TOKENS)):
        raise RuntimeError("training data lacks a token; cannot build an 11-way softmax.")
    return model


def _predict_proba(model, x):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return model.predict_proba(x)


def greedy_decode(model, a, b, task: str) -> np.ndarray:
    """Autoregressive greedy answers: tokens of shape ``(n, answer_digits)``, 10 = no token."""
    spec = _task(task)
    a, b = np.asarray(a), np.asarray(b)
    out = np.full((len(a), spec.answer_digits), NONE, dtype=np.uint8)
    for start in range(0, len(a), _CHUNK):
        sl = slice(start, start + _CHUNK)
        px = _problem_one_hot(a[sl], b[sl], spec)
        written = np.full((px.shape[0], spec.answer_digits), -1, dtype=np.int64)
        done = np.zeros(px.shape[0], dtype=bool)
        for step in range(spec.answer_digits):
            proba = _predict_proba(model, step_features(px, written, step, spec))
            tok = np.argmax(proba, axis=1)
            tok = np.where(done, END, tok)
            done |= tok == END
            written[:, step] = np.where(done, -1, tok)
        out[sl] = np.where(written < 0, NONE, written).astype(np.uint8)
    return out


def _token_log_probs(model, a, b, tokens: np.ndarray, spec: Task) -> np.ndarray:
    """Teacher-forced log-probability of each given token (NaN where tokens < 0)."""
    out = np.full(tokens.shape, np.nan)
    for start in range(0, len(a), _CHUNK):
        sl = slice(start, start + _CHUNK)
        px = _problem_one_hot(a[sl], b[sl], spec)
        ref = tokens[sl]
        for step in range(tokens.shape[1]):
            live = ref[:, step] >= 0
            if not live.any():
                continue
            proba = _predict_proba(model, step_features(px[live], ref[live], step, spec))
            p = proba[np.arange(live.sum()), ref[live, step]].astype(np.float64)
            block = out[sl]
            block[live, step] = np.log(np.maximum(p, _P_FLOOR))
            out[sl] = block
    return out


def reference_token_losses(model, a, b, task: str) -> np.ndarray:
    """Per-token loss ``-ln p`` of each reference token, teacher-forced.

    Returns shape ``(n, answer_digits + 1)``: the digit slots (NaN past the
    answer's last digit) and, in the last column, the end token.
    """
    spec = _task(task)
    a, b = np.asarray(a), np.asarray(b)
    ref = answer_tokens(spec.apply(a, b), spec.answer_digits)
    logp = -_token_log_probs(model, a, b, ref, spec)
    n_digits = (ref[:, : spec.answer_digits] >= 0) & (ref[:, : spec.answer_digits] < 10)
    digits = np.where(n_digits, logp[:, : spec.answer_digits], np.nan)
    end_slot = n_digits.sum(axis=1)
    end = logp[np.arange(len(a)), end_slot]
    return np.concatenate([digits, end[:, None]], axis=1)


def option_log_probs(model, mc: pd.DataFrame) -> np.ndarray:
    """Log-probability of each option's full token sequence (digits + end) under ``model``."""
    spec = TASKS["multiplication"]
    values = mc["option_text"].astype(int).to_numpy()
    tokens = answer_tokens(values, spec.answer_digits)
    logp = _token_log_probs(model, mc["a"].to_numpy(), mc["b"].to_numpy(), tokens, spec)
    return np.nansum(logp, axis=1)

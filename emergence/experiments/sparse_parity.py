"""Multitask sparse parity, trained here: many sharp steps under one smooth law.

Regenerate the cached results with::

    python -m emergence.experiments.sparse_parity [DIR]

which rewrites ``sparse_parity_tasks.csv``, ``sparse_parity_scale.csv`` and
``sparse_parity_steps.csv`` in ``DIR`` (default: the book's ``data/``, see
:func:`emergence.io.datasets.data_dir`). ``data/README.md`` records how long it took.
``EMERGENCE_SEED=k`` trains initialisation (and batch-stream) seeds ``3k, 3k + 1, 3k + 2``
in place of :data:`SEEDS` (rows labelled 0, 1, 2); the subtasks and the evaluation set stay
the same.

The task
--------
Michaud, Liu, Girit & Tegmark (2023, "The Quantization Model of Neural
Scaling", section "Proof of concept: a toy dataset") built a data set out of
many *subtasks*. Each subtask ``i`` is a sparse parity: a fixed set ``S_i`` of
``k`` positions among ``n`` task bits, whose bits' sum mod 2 is the label. An
input is ``n_tasks`` control bits, one-hot, that say which subtask is asked,
followed by the ``n`` task bits, drawn uniformly. Subtask ``i`` is asked with
probability proportional to ``i ** -(alpha + 1)`` (a Zipf law), so a few
subtasks are common and most are rare. The paper used ``n_tasks = 500``,
``n = 100``, ``k = 3``, ``alpha = 0.4``.

Here: :data:`N_TASKS` = 20 subtasks, :data:`N_BITS` = 16 task bits,
:data:`K` = 3, and the paper's exponent ``alpha + 1 =``
:data:`ZIPF_EXPONENT` = 1.4, so the most common subtask is asked 66 times as
often as the rarest. The sets ``S_i`` are drawn once, with seed
:data:`TASK_SEED` (:func:`subtask_bits`).

The models
----------
As in the paper: multilayer perceptrons with one hidden layer of ReLU units,
the control and task bits as inputs, trained with Adam on the cross-entropy
of the label, on fresh random batches at every step (so there is no training
set to memorise and "test" loss is loss on unseen strings). Here the output is
one logit (the probability of label 1 is its sigmoid), the weights start as
PyTorch's ``nn.Linear`` default (uniform in +-1/sqrt(fan-in)), and training
uses batches of :data:`BATCH` strings for :data:`STEPS` steps at learning rate
:data:`LEARNING_RATE`. The paper trained with learning rate 1e-3 and batches
of 20,000 for 200,000 steps; the sizes here are chosen so the whole family
trains in about a minute of processor time, and the larger learning rate is
what lets the widest models learn about a dozen of the 20 subtasks in that
budget.

The family is :data:`WIDTHS` (hidden units), each trained from the
initialisation seeds :data:`SEEDS`. All widths of one seed see the same
stream of batches (seeded by the seed alone); each model's initial weights
depend only on its seed and width. The widths of one seed are trained
together as one block-diagonal network: the loss is the sum of the models'
losses, so each model's gradient, and hence its Adam update, involves its own
weights only, exactly as if it were trained alone; stacking only saves the
per-step overhead. BLAS is limited to one thread so that the floating-point
sums, and the cached numbers, are the same on every run on one machine.

What is measured
----------------
Every subtask has a fixed evaluation set of :data:`EVAL_PER_SUBTASK` random
strings (seed :data:`EVAL_SEED`). On it, each model's accuracy (greedy label)
and mean cross-entropy (nats) per subtask are recorded

- at the end of training, for every width and seed (``sparse_parity_scale``);
- at the :data:`CHECKPOINTS` (log-spaced steps) for the widest model of every
  seed (``sparse_parity_steps``): the training-step axis of one model.

An unlearned subtask has accuracy about 1/2 and cross-entropy about
``ln 2 = 0.693`` nats; a learned one has accuracy near 1 and cross-entropy
near 0. Following the paper's Appendix (Figure A3), a subtask counts as learned
once its cross-entropy is below 0.1 bits (:data:`LEARNED_NATS` nats).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from emergence.measure.subtasks import LEARNED_NATS as _LEARNED_NATS
from emergence.experiments import seed_labels, to_cache_csv, training_seeds

__all__ = [
    "N_TASKS", "N_BITS", "K", "ZIPF_EXPONENT", "TASK_SEED", "EVAL_SEED",
    "EVAL_PER_SUBTASK", "WIDTHS", "SEEDS", "STEPS", "BATCH", "LEARNING_RATE",
    "CHECKPOINTS", "LEARNED_NATS", "subtask_bits", "subtask_frequencies",
    "sample_batch", "evaluation_set", "mlp_params", "train_family", "tasks_table",
    "run", "main",
]

#: Number of subtasks (control bits).
N_TASKS = 20
#: Number of task bits.
N_BITS = 16
#: Bits whose parity is each subtask's label.
K = 3
#: Subtask ``i`` (1-based) is asked with probability proportional to ``i ** -ZIPF_EXPONENT``.
ZIPF_EXPONENT = 1.4
#: Seed of the subtasks' bit sets.
TASK_SEED = 0
#: Seed of the evaluation strings.
EVAL_SEED = 12345
#: Evaluation strings per subtask.
EVAL_PER_SUBTASK = 500
#: Hidden-layer widths of the family.
WIDTHS = (4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)
#: Initialisation (and batch-stream) seeds.
SEEDS = (0, 1, 2)
#: Adam steps per model.
STEPS = 20_000
#: Strings per batch.
BATCH = 256
#: Adam learning rate (betas 0.9, 0.999; epsilon 1e-8).
LEARNING_RATE = 3e-3
#: Steps at which the widest model is evaluated: 30 log-spaced steps from 10 to STEPS.
CHECKPOINTS = tuple(int(s) for s in np.unique(np.rint(np.geomspace(10, STEPS, 30))))
#: A subtask is learned once its cross-entropy is below 0.1 bits, in nats.
LEARNED_NATS = _LEARNED_NATS

_DTYPE = np.float32
_BETAS = (0.9, 0.999)
_EPS = 1e-8


def subtask_bits(n_tasks: int = N_TASKS, n_bits: int = N_BITS, k: int = K,
                 seed: int = TASK_SEED) -> np.ndarray:
    """The ``k`` task-bit positions whose parity is each subtask's label.

    Drawn without replacement for each subtask in turn; a set equal to an
    earlier subtask's is drawn again, so that every subtask is distinct.

    Returns
    -------
    numpy.ndarray of int, shape (n_tasks, k)
        Sorted positions (0-based) for each subtask.

    Examples
    --------
    >>> bits = subtask_bits()
    >>> bits.shape, int(bits.min()) >= 0, int(bits.max()) < N_BITS
    ((20, 3), True, True)
    >>> len({tuple(b) for b in bits})
    20
    """
    if not (isinstance(k, (int, np.integer)) and 1 <= k <= n_bits):
        raise ValueError(f"k must be a whole number from 1 to n_bits={n_bits}, got {k!r}.")
    from math import comb

    if n_tasks > comb(n_bits, k):
        raise ValueError(f"n_tasks={n_tasks} is more than the {comb(n_bits, k)} distinct "
                         f"sets of {k} of {n_bits} bits.")
    rng = np.random.default_rng(seed)
    chosen: list[tuple[int, ...]] = []
    while len(chosen) < n_tasks:
        candidate = tuple(int(b) for b in np.sort(rng.choice(n_bits, k, replace=False)))
        if candidate not in chosen:
            chosen.append(candidate)
    return np.array(chosen, dtype=np.int64)


def subtask_frequencies(n_tasks: int = N_TASKS, exponent: float = ZIPF_EXPONENT) -> np.ndarray:
    """How often each subtask is asked: ``i ** -exponent``, normalised to sum to 1.

    Examples
    --------
    >>> p = subtask_frequencies()
    >>> round(float(p.sum()), 12), round(float(p[0] / p[-1]), 1)
    (1.0, 66.3)
    """
    if not (isinstance(n_tasks, (int, np.integer)) and n_tasks >= 1):
        raise ValueError(f"n_tasks must be a whole number >= 1, got {n_tasks!r}.")
    weights = np.arange(1, n_tasks + 1, dtype=float) ** -float(exponent)
    return weights / weights.sum()


def _parity(bits: np.ndarray, task: np.ndarray, subsets: np.ndarray) -> np.ndarray:
    rows = np.arange(len(task))[:, None]
    return bits[rows, subsets[task]].sum(axis=1) % 2


def sample_batch(rng: np.random.Generator, size: int, subsets: np.ndarray,
                 cumulative: np.ndarray, n_bits: int = N_BITS):
    """One batch of the multitask sparse parity stream.

    Parameters
    ----------
    rng : numpy.random.Generator
        The stream's generator.
    size : int
        Strings in the batch.
    subsets : numpy.ndarray
        :func:`subtask_bits`.
    cumulative : numpy.ndarray
        Cumulative sum of :func:`subtask_frequencies`.
    n_bits : int
        Task bits per string.

    Returns
    -------
    task, bits, label : numpy.ndarray
        Subtask index (0-based), task bits (0/1, one row per string) and label.

    Examples
    --------
    >>> subsets = subtask_bits()
    >>> task, bits, label = sample_batch(np.random.default_rng(0), 5, subsets,
    ...                                  np.cumsum(subtask_frequencies()))
    >>> bits.shape, bool(np.all(label == bits[np.arange(5)[:, None], subsets[task]].sum(1) % 2))
    ((5, 16), True)
    """
    task = np.minimum(np.searchsorted(cumulative, rng.random(size)), len(subsets) - 1)
    bits = rng.integers(0, 2, size=(size, n_bits), dtype=np.int8)
    return task, bits, _parity(bits, task, subsets)


def evaluation_set(subsets: np.ndarray | None = None, per_subtask: int = EVAL_PER_SUBTASK,
                   seed: int = EVAL_SEED, n_bits: int = N_BITS):
    """The fixed evaluation strings: ``per_subtask`` random strings for every subtask.

    Returns
    -------
    task, bits, label : numpy.ndarray
        As :func:`sample_batch`, ordered by subtask.

    Examples
    --------
    >>> task, bits, label = evaluation_set()
    >>> len(task), int(np.bincount(task).min())
    (10000, 500)
    """
    subsets = subtask_bits() if subsets is None else subsets
    rng = np.random.default_rng(seed)
    task = np.repeat(np.arange(len(subsets)), per_subtask)
    bits = rng.integers(0, 2, size=(len(task), n_bits), dtype=np.int8)
    return task, bits, _parity(bits, task, subsets)


def mlp_params(width: int, n_tasks: int = N_TASKS, n_bits: int = N_BITS) -> int:
    """Weights and biases of one model: inputs -> ``width`` ReLU units -> one logit.

    Examples
    --------
    >>> mlp_params(4), mlp_params(128)
    (153, 4865)
    """
    return (n_tasks + n_bits + 1) * width + width + 1


class _Family:
    """The models of one seed, stacked side by side in one hidden layer."""

    def __init__(self, widths, seed, n_inputs):
        self.widths = tuple(widths)
        starts = np.r_[0, np.cumsum(widths)[:-1]]
        self.starts = starts
        hidden = int(sum(widths))
        self.w1 = np.empty((n_inputs, hidden), _DTYPE)
        self.b1 = np.empty(hidden, _DTYPE)
        self.w2 = np.empty(hidden, _DTYPE)
        self.b2 = np.empty(len(widths), _DTYPE)
        for m, (width, start) in enumerate(zip(widths, starts)):
            # Each model's initial weights depend on (seed, width) only, not on
            # which other models share the stack.
            init = np.random.default_rng([seed, width])
            units = slice(start, start + width)
            bound1, bound2 = 1 / np.sqrt(n_inputs), 1 / np.sqrt(width)
            self.w1[:, units] = init.uniform(-bound1, bound1, (n_inputs, width))
            self.b1[units] = init.uniform(-bound1, bound1, width)
            self.w2[units] = init.uniform(-bound2, bound2, width)
            self.b2[m] = init.uniform(-bound2, bound2)
        self.params = [self.w1, self.b1, self.w2, self.b2]
        self.moment1 = [np.zeros_like(p) for p in self.params]
        self.moment2 = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def logits(self, x):
        pre = x @ self.w1 + self.b1
        hidden = np.maximum(pre, 0)
        # Each model's logit is the sum over its own hidden units.
        z = np.add.reduceat(hidden * self.w2, self.starts, axis=1) + self.b2
        return pre, hidden, z

    def step(self, x, label, lr):
        pre, hidden, z = self.logits(x)
        # d(loss)/dz = sigmoid(z) - label. For a confident right answer with label 1
        # that is -(1 - sigmoid(z)), which float32 would round to noise or to zero,
        # and Adam, dividing by the gradient's own scale, would turn noise into
        # full-size steps; -sigmoid(-z) is the same number to full precision.
        positive = label[:, None] == 1
        with np.errstate(over="ignore"):
            error = 1 / (1 + np.exp(np.where(positive, z, -z)))
        dz = np.where(positive, -error, error) / len(label)
        # Every hidden unit gets its own model's error (np.repeat keeps the
        # array C-contiguous, which fancy indexing along axis 1 does not).
        dz_units = np.repeat(dz, self.widths, axis=1)
        grad_w2 = np.einsum("ij,ij->j", hidden, dz_units)
        grad_b2 = dz.sum(axis=0)
        dpre = dz_units * self.w2 * (pre > 0)
        grads = [x.T @ dpre, dpre.sum(axis=0), grad_w2, grad_b2]
        self.t += 1
        beta1, beta2 = _BETAS
        scale1, scale2 = 1 - beta1 ** self.t, 1 - beta2 ** self.t
        for p, g, m1, m2 in zip(self.params, grads, self.moment1, self.moment2):
            m1 *= beta1
            m1 += (1 - beta1) * g
            m2 *= beta2
            m2 += (1 - beta2) * g * g
            p -= (lr / scale1) * m1 / (np.sqrt(m2 / scale2) + _EPS)


def _inputs(task, bits, n_tasks):
    x = np.zeros((len(task), n_tasks + bits.shape[1]), _DTYPE)
    x[np.arange(len(task)), task] = 1
    x[:, n_tasks:] = bits
    return x


def _scores(family, x_eval, label_eval, n_tasks):
    """Per subtask and model: accuracy and mean cross-entropy (nats).

    The evaluation strings are ordered by subtask, the same number for each.
    """
    _, _, z = family.logits(x_eval)
    signed = np.where(label_eval[:, None] == 1, z, -z).astype(np.float64)
    shape = (n_tasks, -1, z.shape[1])
    accuracy = (signed > 0).reshape(shape).mean(axis=1)
    cross_entropy = np.logaddexp(0, -signed).reshape(shape).mean(axis=1)
    return accuracy, cross_entropy


def _check_family(widths, seeds, steps, checkpoints):
    widths = tuple(int(w) for w in widths)
    seeds = tuple(int(s) for s in seeds)
    if not widths or min(widths) < 1 or len(set(widths)) != len(widths):
        raise ValueError(f"widths must be distinct whole numbers >= 1, got {widths}.")
    if not seeds or min(seeds) < 0:
        raise ValueError(f"seeds must be whole numbers >= 0, got {seeds}.")
    if not (isinstance(steps, (int, np.integer)) and steps >= 1):
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}.")
    checkpoints = tuple(sorted({int(c) for c in checkpoints if 1 <= int(c) <= steps} | {int(steps)}))
    return widths, seeds, int(steps), checkpoints


def _train_seed(widths, seed, steps, checkpoints, batch, lr):
    from threadpoolctl import threadpool_limits

    subsets = subtask_bits()
    frequency = subtask_frequencies()
    cumulative = np.cumsum(frequency)
    task_eval, bits_eval, label_eval = evaluation_set(subsets)
    x_eval = _inputs(task_eval, bits_eval, N_TASKS)
    widest = int(np.argmax(widths))
    rng = np.random.default_rng([seed, 1])
    steps_rows, scale_rows = [], []
    with threadpool_limits(limits=1):
        family = _Family(widths, seed, N_TASKS + N_BITS)
        wanted = set(checkpoints)
        for step in range(1, steps + 1):
            task, bits, label = sample_batch(rng, batch, subsets, cumulative)
            family.step(_inputs(task, bits, N_TASKS), label.astype(_DTYPE), lr)
            if step in wanted:
                accuracy, cross_entropy = _scores(family, x_eval, label_eval, N_TASKS)
                steps_rows.append(pd.DataFrame({
                    "seed": seed, "width": widths[widest], "params": mlp_params(widths[widest]),
                    "step": step, "subtask": np.arange(1, N_TASKS + 1), "frequency": frequency,
                    "accuracy": accuracy[:, widest], "cross_entropy": cross_entropy[:, widest],
                }))
        for m, width in enumerate(widths):
            scale_rows.append(pd.DataFrame({
                "seed": seed, "width": width, "params": mlp_params(width), "step": steps,
                "subtask": np.arange(1, N_TASKS + 1), "frequency": frequency,
                "accuracy": accuracy[:, m], "cross_entropy": cross_entropy[:, m],
            }))
    return pd.concat(scale_rows, ignore_index=True), pd.concat(steps_rows, ignore_index=True)


def train_family(widths=WIDTHS, seeds=SEEDS, steps: int = STEPS, checkpoints=CHECKPOINTS,
                 batch: int = BATCH, lr: float = LEARNING_RATE, n_jobs: int = 1):
    """Train the family; return its per-subtask results.

    Parameters
    ----------
    widths, seeds : sequence of int
        Hidden-layer widths and initialisation seeds.
    steps : int
        Adam steps per model.
    checkpoints : sequence of int
        Steps at which the widest model is scored (``steps`` is always added).
    batch : int
        Strings per batch.
    lr : float
        Learning rate.
    n_jobs : int
        Seeds trained at once in separate processes (the results do not depend on it).

    Returns
    -------
    scale, steps_table : pandas.DataFrame
        One row per (seed, width, subtask) at the end of training, and per
        (seed, checkpoint, subtask) for the widest model; columns ``seed``,
        ``width``, ``params``, ``step``, ``subtask`` (1 = most frequent),
        ``frequency``, ``accuracy``, ``cross_entropy`` (nats).
    """
    widths, seeds, steps, checkpoints = _check_family(widths, seeds, steps, checkpoints)
    if n_jobs > 1 and len(seeds) > 1:
        from joblib import Parallel, delayed

        parts = Parallel(n_jobs=n_jobs)(
            delayed(_train_seed)(widths, s, steps, checkpoints, batch, lr) for s in seeds)
    else:
        parts = [_train_seed(widths, s, steps, checkpoints, batch, lr) for s in seeds]
    scale = pd.concat([p[0] for p in parts], ignore_index=True)
    steps_table = pd.concat([p[1] for p in parts], ignore_index=True)
    return scale, steps_table


def tasks_table() -> pd.DataFrame:
    """One row per subtask: its frequency and the task bits whose parity it asks.

    Examples
    --------
    >>> tasks_table().columns.tolist()
    ['subtask', 'frequency', 'relevant_bits']
    """
    return pd.DataFrame({
        "subtask": np.arange(1, N_TASKS + 1),
        "frequency": subtask_frequencies(),
        "relevant_bits": [" ".join(str(b) for b in row) for row in subtask_bits()],
    })



def run(data_dir: str | Path | None = None, n_jobs: int = 1) -> dict[str, Path]:
    """Train the family and write its three tables; return their paths.

    The three seeds are trained one after another by default: on two shared cores,
    two worker processes took more processor time and more wall time than one
    process. ``n_jobs`` does not change the results.
    """
    from emergence.io.datasets import data_dir as default_data_dir

    data_dir = Path(default_data_dir() if data_dir is None else data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    scale, steps_table = train_family(seeds=training_seeds(SEEDS), n_jobs=n_jobs)
    scale, steps_table = seed_labels(scale, SEEDS), seed_labels(steps_table, SEEDS)
    paths = {}
    for name, table in (("sparse_parity_tasks", tasks_table()),
                        ("sparse_parity_scale", scale),
                        ("sparse_parity_steps", steps_table)):
        path = data_dir / f"{name}.csv"
        path.write_text(to_cache_csv(table))
        paths[name] = path
    return paths


def main(argv=None) -> int:
    """``python -m emergence.experiments.sparse_parity [DIR]``."""
    argv = sys.argv[1:] if argv is None else argv
    start = time.perf_counter()
    print(f"numpy {np.__version__}; training {len(WIDTHS)} widths x {len(SEEDS)} seeds, "
          f"{STEPS} steps each")
    paths = run(argv[0] if argv else None)
    for name, path in paths.items():
        print(f"{path}: {path.stat().st_size / 1e3:.0f} kB")
    print(f"{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

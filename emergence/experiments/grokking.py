"""Grokking on modular addition, trained here: test accuracy that jumps long after the training set is fitted.

Regenerate the cached results with::

    python -m emergence.experiments.grokking [DIR]

which rewrites ``grokking_curves.csv`` in ``DIR`` (default: the book's
``data/``, see :func:`emergence.io.datasets.data_dir`). ``data/README.md`` records
how long it took. ``EMERGENCE_SEED=k`` trains initialisation seeds ``3k, 3k + 1,
3k + 2`` in place of :data:`SEEDS` (rows labelled 0, 1, 2); the split stays the same.

The task
--------
Power, Burda, Edwards, Babuschkin & Misra (2022, "Grokking: Generalization
Beyond Overfitting on Small Algorithmic Datasets") trained small transformers
on tables of a binary operation, ``a o b = c`` with every symbol a separate
token, using part of the table for training and the rest as the validation
set. On modular division with 50% of the table for training (their Figure 1),
training accuracy became close to perfect in under 10^3 steps, while
validation accuracy reached that level only after close to 10^6.

Here: addition modulo :data:`MODULUS` = 41, ``c = (a + b) mod 41`` for all
41 x 41 = 1,681 pairs, of which :data:`TRAIN_FRACTION` = 50% (seed
:data:`SPLIT_SEED`) are the training set and the other half the test set
(:func:`split`).

The model
---------
A small multilayer perceptron instead of a transformer: the one-hot codes of
``a`` and ``b`` (2 x 41 inputs) feed :data:`WIDTH` hidden units with a
quadratic activation ``h = u ** 2``, followed by a linear layer to 41 logits
and a softmax. The quadratic activation makes the general solution easy to
represent (a square of a sum of features of ``a`` and of ``b`` contains their
products, from which functions of ``a + b`` are built). Weights start as
PyTorch's ``nn.Linear`` default (uniform in +-1/sqrt(fan-in)).

Training is full batch (every step uses the whole training set) with AdamW:
learning rate :data:`LEARNING_RATE`, betas (0.9, 0.98), epsilon 1e-8, and
decoupled weight decay (each step first multiplies every parameter by
``1 - lr * weight_decay``), for :data:`STEPS` steps. Two settings, each from
the initialisation seeds :data:`SEEDS` (the split is the same for all):

- ``weight_decay = 1.0``;
- ``weight_decay = 0.0`` (plain Adam).

BLAS is limited to one thread so that the floating-point sums, and the cached
numbers, are the same on every run on one machine.

What is measured
----------------
At the :data:`CHECKPOINTS` (log-spaced steps) the accuracy (most probable
class) and mean cross-entropy (nats) on the training and on the test pairs,
and the L2 norm of all the weights. Guessing gives accuracy 1/41 and
cross-entropy ``ln 41 = 3.71`` nats.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from emergence.experiments import seed_labels, to_cache_csv, training_seeds

__all__ = [
    "MODULUS", "TRAIN_FRACTION", "SPLIT_SEED", "WIDTH", "LEARNING_RATE", "WEIGHT_DECAYS",
    "SEEDS", "STEPS", "CHECKPOINTS", "split", "model_params", "train_run", "train_all",
    "run", "main",
]

#: The modulus p: the task is (a + b) mod p for 0 <= a, b < p.
MODULUS = 41
#: Share of the p * p pairs used for training.
TRAIN_FRACTION = 0.5
#: Seed of the train/test split.
SPLIT_SEED = 0
#: Hidden units.
WIDTH = 64
#: AdamW learning rate.
LEARNING_RATE = 1e-3
#: The two settings compared.
WEIGHT_DECAYS = (1.0, 0.0)
#: Initialisation seeds per setting.
SEEDS = (0, 1, 2)
#: Full-batch steps per run.
STEPS = 8000
#: Steps at which both sets are scored: 40 log-spaced steps from 1 to STEPS.
CHECKPOINTS = tuple(int(s) for s in np.unique(np.rint(np.geomspace(1, STEPS, 40))))

_DTYPE = np.float32
_BETAS = (0.9, 0.98)
_EPS = 1e-8


def split(modulus: int = MODULUS, train_fraction: float = TRAIN_FRACTION,
          seed: int = SPLIT_SEED):
    """The training and test pairs ``(a, b)`` with their answers ``(a + b) mod modulus``.

    Returns
    -------
    train_pairs, test_pairs : numpy.ndarray of int, shape (n, 2)
    train_answers, test_answers : numpy.ndarray of int

    Examples
    --------
    >>> train, test, y_train, y_test = split()
    >>> len(train), len(test), bool(np.all(y_train == train.sum(1) % MODULUS))
    (840, 841, True)
    """
    if not (isinstance(modulus, (int, np.integer)) and modulus >= 2):
        raise ValueError(f"modulus must be a whole number >= 2, got {modulus!r}.")
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be between 0 and 1, got {train_fraction!r}.")
    pairs = np.array([(a, b) for a in range(modulus) for b in range(modulus)], dtype=np.int64)
    order = np.random.default_rng(seed).permutation(len(pairs))
    n_train = int(round(train_fraction * len(pairs)))
    train, test = pairs[order[:n_train]], pairs[order[n_train:]]
    return train, test, train.sum(axis=1) % modulus, test.sum(axis=1) % modulus


def model_params(modulus: int = MODULUS, width: int = WIDTH) -> int:
    """Weights and biases: 2 * modulus one-hot inputs -> width -> modulus logits.

    Examples
    --------
    >>> model_params()
    7977
    """
    return 2 * modulus * width + width + width * modulus + modulus


class _Model:
    def __init__(self, modulus, width, seed):
        init = np.random.default_rng(seed)
        bound1, bound2 = 1 / np.sqrt(2 * modulus), 1 / np.sqrt(width)
        self.modulus = modulus
        self.w1 = init.uniform(-bound1, bound1, (2 * modulus, width)).astype(_DTYPE)
        self.b1 = init.uniform(-bound1, bound1, width).astype(_DTYPE)
        self.w2 = init.uniform(-bound2, bound2, (width, modulus)).astype(_DTYPE)
        self.b2 = init.uniform(-bound2, bound2, modulus).astype(_DTYPE)
        self.params = [self.w1, self.b1, self.w2, self.b2]
        self.moment1 = [np.zeros_like(p) for p in self.params]
        self.moment2 = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def forward(self, pairs):
        pre = self.w1[pairs[:, 0]] + self.w1[self.modulus + pairs[:, 1]] + self.b1
        hidden = pre * pre
        return pre, hidden, hidden @ self.w2 + self.b2

    def scores(self, pairs, answers):
        _, _, z = self.forward(pairs)
        z = z.astype(np.float64)
        z -= z.max(axis=1, keepdims=True)
        log_prob = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        accuracy = float((z.argmax(axis=1) == answers).mean())
        return accuracy, float(-log_prob[np.arange(len(answers)), answers].mean())

    def step(self, pairs, one_hot_a, one_hot_b, answers, lr, weight_decay):
        pre, hidden, z = self.forward(pairs)
        z -= z.max(axis=1, keepdims=True)
        prob = np.exp(z)
        prob /= prob.sum(axis=1, keepdims=True)
        # d(loss)/dz = prob - one_hot(answer). At the answer, p - 1 would be rounding
        # noise in float32 once p is close to 1 (and Adam, dividing by the gradient's
        # own scale, would turn noise into full-size steps); minus the sum of the other
        # probabilities is the same number to full precision.
        rows = np.arange(len(pairs))
        prob[rows, answers] = 0
        prob[rows, answers] = -prob.sum(axis=1)
        dz = prob / len(pairs)
        dpre = (dz @ self.w2.T) * (2 * pre)
        grads = [np.concatenate([one_hot_a.T @ dpre, one_hot_b.T @ dpre]), dpre.sum(axis=0),
                 hidden.T @ dz, dz.sum(axis=0)]
        self.t += 1
        beta1, beta2 = _BETAS
        scale1, scale2 = 1 - beta1 ** self.t, 1 - beta2 ** self.t
        for p, g, m1, m2 in zip(self.params, grads, self.moment1, self.moment2):
            if weight_decay:
                p *= 1 - lr * weight_decay
            m1 *= beta1
            m1 += (1 - beta1) * g
            m2 *= beta2
            m2 += (1 - beta2) * g * g
            p -= (lr / scale1) * m1 / (np.sqrt(m2 / scale2) + _EPS)

    def norm(self):
        return float(np.sqrt(sum(float((p.astype(np.float64) ** 2).sum()) for p in self.params)))


def train_run(weight_decay: float, seed: int, steps: int = STEPS, checkpoints=CHECKPOINTS,
              lr: float = LEARNING_RATE, modulus: int = MODULUS, width: int = WIDTH,
              train_fraction: float = TRAIN_FRACTION) -> pd.DataFrame:
    """Train one model; one row per checkpoint.

    Returns
    -------
    pandas.DataFrame
        Columns ``weight_decay``, ``seed``, ``step``, ``train_accuracy``,
        ``train_cross_entropy``, ``test_accuracy``, ``test_cross_entropy``
        (nats) and ``weight_norm``.
    """
    from threadpoolctl import threadpool_limits

    if weight_decay < 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay!r}.")
    if not (isinstance(steps, (int, np.integer)) and steps >= 1):
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}.")
    wanted = {int(c) for c in checkpoints if 1 <= int(c) <= steps} | {int(steps)}
    train, test, y_train, y_test = split(modulus, train_fraction)
    eye = np.eye(modulus, dtype=_DTYPE)
    one_hot_a, one_hot_b = eye[train[:, 0]], eye[train[:, 1]]
    rows = []
    with threadpool_limits(limits=1):
        model = _Model(modulus, width, seed)
        for step in range(1, steps + 1):
            model.step(train, one_hot_a, one_hot_b, y_train, lr, weight_decay)
            if step in wanted:
                train_acc, train_ce = model.scores(train, y_train)
                test_acc, test_ce = model.scores(test, y_test)
                rows.append({"weight_decay": float(weight_decay), "seed": int(seed), "step": step,
                             "train_accuracy": train_acc, "train_cross_entropy": train_ce,
                             "test_accuracy": test_acc, "test_cross_entropy": test_ce,
                             "weight_norm": model.norm()})
    return pd.DataFrame(rows)


def train_all(weight_decays=WEIGHT_DECAYS, seeds=SEEDS, steps: int = STEPS,
              n_jobs: int = 1) -> pd.DataFrame:
    """Every setting and seed, stacked (see :func:`train_run`)."""
    jobs = [(float(wd), int(s)) for wd in weight_decays for s in seeds]
    if not jobs:
        raise ValueError("weight_decays and seeds must each name at least one value.")
    if n_jobs > 1 and len(jobs) > 1:
        from joblib import Parallel, delayed

        parts = Parallel(n_jobs=n_jobs)(delayed(train_run)(wd, s, steps) for wd, s in jobs)
    else:
        parts = [train_run(wd, s, steps) for wd, s in jobs]
    return pd.concat(parts, ignore_index=True)



def run(data_dir: str | Path | None = None, n_jobs: int = 1) -> Path:
    """Train every run and write ``grokking_curves.csv``; return its path.

    The six runs are trained one after another by default: each takes about 8 s of
    processor time, and in measurements on two shared cores running them in two worker
    processes cost twice the processor time and more wall time. ``n_jobs`` does not
    change the results.
    """
    from emergence.io.datasets import data_dir as default_data_dir

    data_dir = Path(default_data_dir() if data_dir is None else data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "grokking_curves.csv"
    table = train_all(seeds=training_seeds(SEEDS), n_jobs=n_jobs)
    path.write_text(to_cache_csv(seed_labels(table, SEEDS)))
    return path


def main(argv=None) -> int:
    """``python -m emergence.experiments.grokking [DIR]``."""
    argv = sys.argv[1:] if argv is None else argv
    start = time.perf_counter()
    print(f"numpy {np.__version__}; {len(WEIGHT_DECAYS)} settings x {len(SEEDS)} seeds, "
          f"{STEPS} steps each")
    path = run(argv[0] if argv else None)
    print(f"{path}: {path.stat().st_size / 1e3:.0f} kB; {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

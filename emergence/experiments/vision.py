"""Small image models trained here: shallow autoencoders and classifiers on scikit-learn's digits.

Regenerate the cached results (about 3 minutes on 2 shared cores; 2 minutes
16 seconds of CPU time) with::

    python -m emergence.experiments.vision

which rewrites ``data/vision_autoencoders.csv`` and ``data/vision_classifiers.csv``.
``EMERGENCE_SEED=k`` trains initialisation seeds ``3k, 3k + 1, 3k + 2`` in place of
:data:`SEEDS` (rows labelled 0, 1, 2; :func:`emergence.experiments.training_seeds`);
the split and the test images stay the same.

The images are the 1,797 handwritten digits (8 x 8 pixels, intensities 0-16)
that ship inside scikit-learn (:func:`sklearn.datasets.load_digits` reads
them from the installed package; nothing is downloaded). Intensities are
divided by 16, so each pixel lies in [0, 1]. A stratified split (seed 0)
keeps 600 images for testing and 1,197 for training.

Two model families, each of one hidden layer of ``width`` tanh units, for
every width in :data:`WIDTHS` and every initialisation seed in :data:`SEEDS`:

- autoencoders, :class:`sklearn.neural_network.MLPRegressor` trained to
  reproduce their input (64 -> width -> 64, identity output, squared loss);
- classifiers, :class:`sklearn.neural_network.MLPClassifier`
  (64 -> width -> 10, softmax output, cross-entropy loss).

Both are trained full-batch with L-BFGS (the optimiser scikit-learn
recommends for small data sets), L2 penalty ``alpha = 1e-4``, at most
:data:`MAX_ITER` iterations, with BLAS limited to one thread so that the
floating-point sums, and hence the cached numbers, are the same on every run.

What is cached, one row per (model, test image):

- autoencoders: the squared reconstruction error of the image, summed over
  its 64 pixels (:func:`emergence.measure.vision.per_image_squared_error`);
- classifiers: the true and predicted label, whether they agree, and the
  probability the model gives the true label.

From these a chapter computes any Reconstruction_c or subset accuracy
without retraining.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from emergence.measure.vision import autoencoder_params, classifier_params, per_image_squared_error
from emergence.experiments import seed_labels, to_cache_csv, training_seeds

__all__ = [
    "WIDTHS",
    "SEEDS",
    "TEST_SIZE",
    "SPLIT_SEED",
    "MAX_ITER",
    "load_split",
    "train_autoencoders",
    "train_classifiers",
    "main",
]

#: Hidden-layer widths of both model families (12 sizes).
WIDTHS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
#: Initialisation seeds (``random_state``) per width.
SEEDS = (0, 1, 2)
#: Test images held out from the 1,797 digits.
TEST_SIZE = 600
#: Seed of the stratified train/test split.
SPLIT_SEED = 0
#: Maximum L-BFGS iterations per model.
MAX_ITER = 1000

_AUTOENCODER_TOL = 1e-6


def load_split():
    """The digits, scaled to [0, 1], split into train and test sets.

    Returns
    -------
    x_train, x_test : numpy.ndarray
        Images as rows of 64 intensities in [0, 1].
    y_train, y_test : numpy.ndarray
        Digit labels 0-9.
    test_index : numpy.ndarray
        Row of each test image in ``load_digits()``, so a cached result can be
        traced back to its image.

    Examples
    --------
    >>> x_train, x_test, y_train, y_test, test_index = load_split()
    >>> x_train.shape, x_test.shape, float(x_test.max())
    ((1197, 64), (600, 64), 1.0)
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = digits.data / 16.0
    y = digits.target
    index = np.arange(len(y))
    x_train, x_test, y_train, y_test, _, test_index = train_test_split(
        x, y, index, test_size=TEST_SIZE, random_state=SPLIT_SEED, stratify=y
    )
    return x_train, x_test, y_train, y_test, test_index


def _check_family(widths, seeds):
    widths = tuple(int(w) for w in widths)
    seeds = tuple(int(s) for s in seeds)
    if not widths or min(widths) < 1:
        raise ValueError(f"widths must be whole numbers >= 1, got {widths}.")
    if not seeds or min(seeds) < 0:
        raise ValueError(f"seeds must be whole numbers >= 0, got {seeds}.")
    return widths, seeds


def _quiet_fit(model, x, y):
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    with warnings.catch_warnings(), threadpool_limits(limits=1):
        # A fixed iteration budget is part of the design: stopping at
        # MAX_ITER is expected for the wide autoencoders.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
        return model


def train_autoencoders(widths=WIDTHS, seeds=SEEDS) -> pd.DataFrame:
    """Train the autoencoder family; one row per (width, seed, test image).

    Parameters
    ----------
    widths : sequence of int
        Bottleneck widths to train.
    seeds : sequence of int
        Initialisation seeds.

    Returns
    -------
    pandas.DataFrame
        Columns ``width``, ``seed``, ``params``, ``image``, ``squared_error``.
    """
    from sklearn.neural_network import MLPRegressor

    widths, seeds = _check_family(widths, seeds)
    x_train, x_test, _, _, test_index = load_split()
    frames = []
    for width in widths:
        for seed in seeds:
            model = MLPRegressor(
                hidden_layer_sizes=(width,), activation="tanh", solver="lbfgs",
                alpha=1e-4, max_iter=MAX_ITER, tol=_AUTOENCODER_TOL, random_state=seed,
            )
            _quiet_fit(model, x_train, x_train)
            params = sum(w.size for w in model.coefs_) + sum(b.size for b in model.intercepts_)
            assert params == autoencoder_params(x_train.shape[1], width)
            frames.append(pd.DataFrame({
                "width": width,
                "seed": seed,
                "params": params,
                "image": test_index,
                "squared_error": per_image_squared_error(x_test, model.predict(x_test)),
            }))
    return pd.concat(frames, ignore_index=True)


def train_classifiers(widths=WIDTHS, seeds=SEEDS) -> pd.DataFrame:
    """Train the classifier family; one row per (width, seed, test image).

    Parameters
    ----------
    widths : sequence of int
        Hidden-layer widths to train.
    seeds : sequence of int
        Initialisation seeds.

    Returns
    -------
    pandas.DataFrame
        Columns ``width``, ``seed``, ``params``, ``image``, ``label``,
        ``predicted``, ``correct`` (bool) and ``prob_label`` (the probability
        the model gives the true label).
    """
    from sklearn.neural_network import MLPClassifier

    widths, seeds = _check_family(widths, seeds)
    x_train, x_test, y_train, y_test, test_index = load_split()
    frames = []
    for width in widths:
        for seed in seeds:
            model = MLPClassifier(
                hidden_layer_sizes=(width,), activation="tanh", solver="lbfgs",
                alpha=1e-4, max_iter=MAX_ITER, random_state=seed,
            )
            _quiet_fit(model, x_train, y_train)
            params = sum(w.size for w in model.coefs_) + sum(b.size for b in model.intercepts_)
            assert params == classifier_params(x_train.shape[1], width, len(model.classes_))
            proba = model.predict_proba(x_test)
            predicted = model.classes_[proba.argmax(axis=1)]
            label_column = np.searchsorted(model.classes_, y_test)
            frames.append(pd.DataFrame({
                "width": width,
                "seed": seed,
                "params": params,
                "image": test_index,
                "label": y_test,
                "predicted": predicted,
                "correct": predicted == y_test,
                "prob_label": proba[np.arange(len(y_test)), label_column],
            }))
    return pd.concat(frames, ignore_index=True)



def main(data_dir: str | Path | None = None) -> None:
    """Train both families and write their per-image results to ``data/``.

    Parameters
    ----------
    data_dir : str or Path, optional
        Where to write; by default the book's ``data/`` folder
        (:func:`emergence.io.datasets.data_dir`). ``python -m
        emergence.experiments.vision DIR`` writes to ``DIR`` instead.
    """
    import sklearn

    from emergence.io.datasets import data_dir as default_data_dir

    data_dir = Path(default_data_dir() if data_dir is None else data_dir)
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; writing to {data_dir}")
    seeds = training_seeds(SEEDS)
    for name, train in (("vision_autoencoders", train_autoencoders),
                        ("vision_classifiers", train_classifiers)):
        start = time.perf_counter()
        table = seed_labels(train(seeds=seeds), SEEDS)
        path = data_dir / f"{name}.csv"
        path.write_text(to_cache_csv(table))
        print(f"{path.name}: {len(table)} rows, {path.stat().st_size / 1e3:.0f} kB, "
              f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)

"""Model families trained for the book, one module each, and every family's curves.

Each family's module (``arithmetic``, with its tasks in ``arithmetic_problems`` and its
network in ``arithmetic_network``; ``passuntil``, ``sparse_parity``, ``grokking``,
``vision``) is deterministic, caches its results in ``data/`` and regenerates them with
``python -m emergence.experiments.<name>``; :mod:`~emergence.experiments.scoreboard`
reads every family's curves under a sharp and a smooth metric.

Every family can be retrained on another draw of its random training choices
(initial weights, batch order, the sampler's streams): ``EMERGENCE_SEED=k``
trains the ``k``-th block of seeds after the committed ones (:func:`training_seeds`):
a family trained with the seeds ``0, ..., n - 1`` is trained with
``n k, ..., n k + n - 1``, so the arithmetic family (one seed, 0) is trained with
seed ``k`` and a family of three seeds with ``3k, 3k + 1, 3k + 2``. The rows are
still labelled with the committed seeds (:func:`seed_labels`), so a chapter that
shows "seed 0" finds one whatever ``k`` is, and the folder gets a ``SEED`` file
holding ``k``. ``k = 0``, the default, makes the committed caches. What is exact
on every machine stays fixed whatever ``k`` is: the problem sets, the splits, the
test images and the subtasks, so a chapter on a retrained cache reads the same
items, and only the training's own randomness differs.
"""

from __future__ import annotations

import os

import pandas as pd

__all__ = ["FLOAT_FORMAT", "SEED_ENV", "seed_labels", "seed_offset", "training_seeds",
           "to_cache_csv"]

#: the environment variable that selects another draw of every family's training
SEED_ENV = "EMERGENCE_SEED"


def seed_offset(value: str | int | None = None) -> int:
    """The seed offset ``k``: ``value``, else ``$EMERGENCE_SEED``, else 0.

    Examples
    --------
    >>> seed_offset("2")
    2
    >>> seed_offset("two")
    Traceback (most recent call last):
    ...
    ValueError: EMERGENCE_SEED must be a whole number >= 0 (0 = the committed caches), got 'two'.
    """
    raw = os.environ.get(SEED_ENV, "0") if value is None else value
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"{SEED_ENV} must be a whole number >= 0 (0 = the committed caches), "
                         f"got {raw!r}.")
    return int(text)


def training_seeds(seeds, offset: int | None = None) -> tuple[int, ...]:
    """The seeds trained in place of the committed ``seeds`` at ``offset`` (default: :func:`seed_offset`).

    Offset ``k`` shifts every seed by ``k`` times the number of seeds, so the
    blocks of two offsets never share a seed when the committed seeds are
    ``0, ..., n - 1`` (the retrained folders of the book's tests were made this way).

    Examples
    --------
    >>> training_seeds((0,), offset=2)
    (2,)
    >>> training_seeds((0, 1, 2), offset=0)
    (0, 1, 2)
    >>> training_seeds((0, 1, 2), offset=3)
    (9, 10, 11)
    """
    k = seed_offset() if offset is None else seed_offset(offset)
    seeds = [int(s) for s in seeds]
    return tuple(s + len(seeds) * k for s in seeds)


def seed_labels(table: pd.DataFrame, seeds, offset: int | None = None,
                column: str = "seed") -> pd.DataFrame:
    """``table`` with the trained seeds in ``column`` written back as the committed ``seeds``.

    A chapter picks "seed 0" of a family; on a retrained folder that is the
    first seed of the block trained in its place.

    Examples
    --------
    >>> t = pd.DataFrame({"seed": [3, 4, 5, 3]})
    >>> seed_labels(t, (0, 1, 2), offset=1)["seed"].tolist()
    [0, 1, 2, 0]
    """
    trained = training_seeds(seeds, offset)
    label = dict(zip(trained, (int(s) for s in seeds)))
    unknown = set(table[column]) - set(label)
    if unknown:
        raise ValueError(f"column {column!r} holds seeds {sorted(unknown)} that are not the "
                         f"trained block {trained}.")
    return table.assign(**{column: table[column].map(label).astype(int)})


#: floats in the cached CSV files: 6 significant digits, enough for every
#: result the chapters state and few enough that float noise in the last bits
#: of a retrained model rarely changes a file
FLOAT_FORMAT = "%.6g"


def to_cache_csv(table: pd.DataFrame) -> str:
    """The CSV text written to ``data/`` (floats rounded to 6 significant digits).

    Examples
    --------
    >>> print(to_cache_csv(pd.DataFrame({"width": [1], "squared_error": [1 / 3]})), end="")
    width,squared_error
    1,0.333333
    """
    return table.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")

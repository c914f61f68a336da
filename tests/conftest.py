"""Fixtures shared by the tests of the trained families."""

from functools import lru_cache

import pytest

from emergence.experiments import arithmetic


@lru_cache(maxsize=None)
def _train_arithmetic(task: str, width: int, seed: int):
    return arithmetic.train_model(task, width, seed)


@pytest.fixture(scope="session")
def train_arithmetic():
    """``train_arithmetic(task, width, seed)``: a family member, trained once per test process.

    The arithmetic and PassUntil tests retrain the same smallest models (about
    4-7 s each); training each once keeps the test command fast.
    """
    return _train_arithmetic

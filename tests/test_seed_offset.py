"""Seed offsets: EMERGENCE_SEED=k retrains every family on another block of seeds."""

from __future__ import annotations

import pandas as pd
import pytest

from emergence.experiments import SEED_ENV, seed_labels, seed_offset, training_seeds


def test_seed_offset_defaults_to_the_committed_caches(monkeypatch):
    monkeypatch.delenv(SEED_ENV, raising=False)
    assert seed_offset() == 0
    assert training_seeds((0, 1, 2)) == (0, 1, 2)


def test_seed_offset_reads_the_environment(monkeypatch):
    monkeypatch.setenv(SEED_ENV, " 3 ")
    assert seed_offset() == 3
    assert training_seeds((0, 1)) == (6, 7)
    assert training_seeds((0,)) == (3,)


@pytest.mark.parametrize("bad", ["-1", "1.5", "", "one"])
def test_seed_offset_rejects_what_is_not_a_whole_number(monkeypatch, bad):
    monkeypatch.setenv(SEED_ENV, bad)
    with pytest.raises(ValueError, match="EMERGENCE_SEED must be a whole number"):
        seed_offset()


def test_offsets_never_share_a_seed():
    drawn = [set(training_seeds(range(10), offset=k)) for k in range(4)]
    assert all(not (a & b) for i, a in enumerate(drawn) for b in drawn[i + 1:])


def test_seed_labels_write_back_the_committed_seeds_and_refuse_strangers():
    table = pd.DataFrame({"seed": [6, 7, 8, 6], "value": [1, 2, 3, 4]})
    assert seed_labels(table, (0, 1, 2), offset=2)["seed"].tolist() == [0, 1, 2, 0]
    with pytest.raises(ValueError, match=r"seeds \[0\] that are not the trained block \(3, 4, 5\)"):
        seed_labels(table.assign(seed=[0, 3, 4, 5]), (0, 1, 2), offset=1)

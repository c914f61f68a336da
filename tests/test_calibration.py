"""The verdicts of ``emergence diagnose`` on curves with known answers (emergence.diagnose.calibration)."""

from pathlib import Path

import pandas as pd
import pytest

from emergence.diagnose.calibration import (ACCEPTS, KINDS, calibration_set, check_verdicts,
                                   confusion_table)
from emergence.diagnose import diagnose

SHARED_SEEDS = sorted((Path(__file__).resolve().parents[2] / "shared" / "seeds").glob("seed-*"))


def test_every_verdict_of_the_calibration_set_is_right():
    table, expected = calibration_set()
    result = diagnose(table)
    wrong = check_verdicts(result, expected)
    assert wrong.empty, wrong.to_string()
    # every kind is there, with enough curves to mean something
    counts = expected["kind"].value_counts()
    assert set(counts.index) == set(KINDS)
    assert counts["mirage"] == 32 and counts["line"] == 8 and counts["chance"] == 24
    assert counts["sparse_parity"] >= 10 and counts["grokking"] == 6
    # noise at chance is never "not forecast": flat within its noise, forecast as flat
    chance = result.merge(expected, on=["task", "family", "metric"])
    chance = chance[chance["kind"] == "chance"]
    assert (chance["backtest_kind"] == "flat").all()
    assert not chance["backtest_forecast"].map(lambda v: v is False).any()
    # every known answer met by the verdicts it accepts, and nothing else
    confusion = confusion_table(result, expected)
    for answer, row in confusion.iterrows():
        assert set(row[row > 0].index) <= ACCEPTS[answer]


def test_the_paper_style_score_gets_the_same_set_wrong():
    # the reason for the judgement: the emergence score's cut-off calls lines over 12 models
    # or more, and early saturating curves, sharp
    table, expected = calibration_set(include=("line", "saturating", "chance", "mirage"))
    result = diagnose(table).merge(expected, on=["task", "family", "metric"],
                                   suffixes=("", "_expected"))
    wrongly_sharp = result["score_above_cutoff"] & ~result["answer"].str.startswith("sharp")
    assert wrongly_sharp[result["kind"] == "line"].sum() >= 4           # 12 models and more
    assert wrongly_sharp[result["kind"] == "saturating"].sum() >= 4


@pytest.mark.parametrize("folder", SHARED_SEEDS, ids=[p.name for p in SHARED_SEEDS])
def test_the_arithmetic_family_reads_as_metric_made_on_other_trainings(folder, monkeypatch):
    monkeypatch.setenv("EMERGENCE_DATA", str(folder))
    table, expected = calibration_set(include=("arithmetic",))
    wrong = check_verdicts(diagnose(table), expected)
    assert wrong.empty, wrong.to_string()


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="unknown kinds"):
        calibration_set(include=("nope",))

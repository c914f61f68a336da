"""emergence.io.leaderboard: wide tables, one row per model and a column per benchmark."""

import numpy as np
import pandas as pd
import pytest

from emergence.diagnose import DiagnoseInputError, diagnose
from emergence.io.leaderboard import is_wide, read_wide

WIDE = """Model,Params (B),MMLU,ARC,notes
Llama-2-7b,7,45.3,53.1,base
Llama-2-13b,13,54.8,59.4,base
Llama-2-70b,70,68.9,67.3,base
Llama-2-34b,34,62.6,,unreleased
Mistral-7B,7B,62.5%,60.0%,
"""


def test_sizes_units_families_and_percentages(tmp_path):
    path = tmp_path / "board.csv"
    path.write_text(WIDE)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    tidy = read_wide(table, metric="accuracy", source=str(path))
    llama = tidy[(tidy["family"] == "Llama-2") & (tidy["task"] == "MMLU")].sort_values("scale")
    assert llama["scale"].tolist() == [7e9, 1.3e10, 3.4e10, 7e10]        # "(B)" in the header
    assert llama["value"].round(3).tolist() == [0.453, 0.548, 0.626, 0.689]
    mistral = tidy[tidy["family"] == "Mistral"].set_index("task")
    assert mistral.loc["ARC", "value"] == pytest.approx(0.60) and mistral["scale"].eq(7e9).all()
    # an empty cell is a model not run on that benchmark
    assert not ((tidy["model"] == "Llama-2-34b") & (tidy["task"] == "ARC")).any()
    notes = tidy.attrs["notes"]
    assert "column MMLU read as percentages (divided by 100)." in notes
    assert "columns not read (not numbers): notes." in notes


def test_a_score_out_of_100_is_kept_unless_it_says_percent():
    table = pd.DataFrame({"model": ["a-1b", "a-2b", "a-4b"], "size": ["1B", "2B", "4B"],
                          "MT-Bench": [3.1, 5.2, 7.9]})
    tidy = read_wide(table)                           # metric "score": not a 0-1 metric
    assert tidy["value"].tolist() == [3.1, 5.2, 7.9] and tidy.attrs["notes"] == []


def test_diagnose_reads_a_wide_file_without_reshaping(tmp_path):
    path = tmp_path / "board.csv"
    rows = ["model,params," + ",".join(f"task{i}" for i in range(3))]
    for size, scores in (("70M", (25.1, 10, 0)), ("160M", (25.3, 20, 0)), ("410M", (25.0, 30, 1)),
                         ("1.4B", (24.9, 40, 2)), ("6.9B", (25.2, 50, 40)), ("12B", (25.1, 60, 80))):
        rows.append(f"fam-{size.lower()},{size}," + ",".join(str(s) for s in scores))
    path.write_text("\n".join(rows) + "\n")
    result = diagnose(path, wide_metric="accuracy")
    assert result.attrs["settings"]["input"] == "wide table, one row per model"
    assert set(result["family"]) == {"fam"} and result["n_models"].eq(6).all()
    by_task = result.set_index("task")
    assert bool(by_task.loc["task2", "sharp"]) and not bool(by_task.loc["task1", "sharp"])
    assert any("read as percentages" in note for note in result.attrs["notes"])


def test_what_is_and_is_not_a_wide_table():
    assert is_wide(["Model", "Params (B)", "MMLU"])
    assert not is_wide(["task", "family", "model", "scale", "metric", "value"])
    assert not is_wide(["model", "MMLU"])
    assert not is_wide(["task", "family", "model", "scale", "metric"])   # a tidy table, short


def test_errors_name_the_file_the_column_and_the_line(tmp_path):
    path = tmp_path / "board.csv"
    path.write_text("model,size,MMLU\na-1b,1B,30\na-2b,two,40\n")
    with pytest.raises(DiagnoseInputError, match=r"board.csv, column 'size', line 3: 'two' is "
                                                 r"not a model size"):
        diagnose(path)
    with pytest.raises(ValueError, match="needs a model column"):
        read_wide(pd.DataFrame({"who": ["a"], "size": ["1B"], "x": [1]}))
    with pytest.raises(ValueError, match="no column of numbers"):
        read_wide(pd.DataFrame({"model": ["a"], "size": ["1B"], "x": ["hello"]}))
    with pytest.raises(ValueError, match="has no scale column 'nope'"):
        read_wide(pd.DataFrame({"model": ["a"], "size": ["1B"], "x": [1]}), scale_column="nope")

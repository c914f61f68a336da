"""Every table in data/ is registered, documented, loadable and validated."""

from pathlib import Path

import pandas as pd
import pytest

from emergence.io import datasets
from emergence.io.datasets import Column, Schema, validate

DATA = Path(__file__).resolve().parent.parent / "data"
README = (DATA / "README.md").read_text()


def table_files():
    return sorted(p for p in DATA.rglob("*") if p.is_file() and p.name != "README.md")


@pytest.mark.parametrize("name", sorted(datasets.SCHEMAS))
def test_registered_tables_load(name):
    table = datasets.load(name)
    assert len(table) > 0
    assert set(datasets.SCHEMAS[name].columns) <= set(table.columns)


@pytest.mark.parametrize("path", table_files(), ids=lambda p: p.name)
def test_every_data_file_has_provenance(path):
    assert path.name in README, f"data/README.md has no entry for {path.name}"


def test_every_csv_table_is_registered():
    for path in DATA.glob("*.csv*"):
        name = path.name.removesuffix(".gz").removesuffix(".csv")
        assert name in datasets.SCHEMAS, f"{path.name} has no schema in emergence/io/datasets.py"


SCHEMA = Schema("toy", {"params": Column("float", min=1), "family": Column("str", choices=("A", "B")),
                        "score": Column("float", required=False, min=0, max=1)})


@pytest.mark.parametrize(
    "frame, message",
    [
        (pd.DataFrame({"params": [1.0], "family": ["A"]}), r"toy.csv: missing column\(s\) \['score'\]"),
        (pd.DataFrame({"params": ["ten"], "family": ["A"], "score": [0.5]}), "toy.csv, column 'params': 'ten'"),
        (pd.DataFrame({"params": [0.5], "family": ["A"], "score": [0.5]}), "column 'params': value 0.5 in row 0 is below"),
        (pd.DataFrame({"params": [None], "family": ["A"], "score": [0.5]}), "column 'params': empty cell in row 0"),
        (pd.DataFrame({"params": [2.0], "family": ["C"], "score": [0.5]}), "column 'family': 'C' is not one of"),
        (pd.DataFrame({"params": [2.0], "family": ["A"], "score": [1.5]}), "column 'score': value 1.5 in row 0 is above"),
    ],
)
def test_malformed_tables_are_named(frame, message):
    with pytest.raises(ValueError, match=message):
        validate(frame, SCHEMA, "toy.csv")


def test_optional_cells_may_be_empty():
    out = validate(pd.DataFrame({"params": [2.0], "family": ["B"], "score": [None]}), SCHEMA, "toy.csv")
    assert out["score"].isna().all()


def test_malformed_file_on_disk_is_named(tmp_path, monkeypatch):
    name = next(iter(sorted(datasets.SCHEMAS)))
    (tmp_path / f"{name}.csv").write_text("not,the,right,columns\n1,2,3,4\n")
    (tmp_path / "README.md").write_text("test")
    monkeypatch.setenv("EMERGENCE_DATA", str(tmp_path))
    with pytest.raises(ValueError, match=f"{name}.csv: missing column"):
        datasets.load(name)


def test_unknown_table():
    with pytest.raises(ValueError, match="unknown table 'nope'"):
        datasets.load("nope")


def test_trained_tables_are_registered():
    assert datasets.TRAINED <= set(datasets.SCHEMAS)


def test_a_retrained_folder_falls_back_to_the_books_tables_it_lacks(tmp_path, monkeypatch):
    # a folder retrained before a paper's table was added: the trained tables are its own,
    # the paper's table comes from the book's data
    (tmp_path / "README.md").write_text("a retrained data folder")
    summary = (DATA / "arithmetic_summary.csv").read_text()
    (tmp_path / "arithmetic_summary.csv").write_text(summary)
    monkeypatch.setenv("EMERGENCE_DATA", str(tmp_path))
    assert datasets.path_of("arithmetic_summary") == tmp_path / "arithmetic_summary.csv"
    assert datasets.path_of("wei_table1") == DATA / "wei_table1.csv"
    assert len(datasets.load("wei_table1")) > 0


def test_a_retrained_folder_must_hold_every_trained_table(tmp_path, monkeypatch):
    (tmp_path / "README.md").write_text("a retrained data folder")
    monkeypatch.setenv("EMERGENCE_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="must hold every trained table"):
        datasets.path_of("grokking_curves")


def test_a_folder_that_is_not_data_gets_no_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("EMERGENCE_DATA", str(tmp_path / "typo"))
    with pytest.raises(FileNotFoundError, match="is not a data folder"):
        datasets.path_of("wei_table1")

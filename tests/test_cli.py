"""The command line, run as a reader runs it: in a subprocess, checking output and exit status."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "diagnose"
BAD = FIXTURES / "bad"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "emergence", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def test_help_shows_examples_and_exit_status():
    proc = run("diagnose", "--help")
    assert proc.returncode == 0
    for text in ("examples:", "emergence diagnose results.csv", "--out", "--scale-unit",
                 "--stop-string", "exit status: 0 on success, 2 on bad input"):
        assert text in proc.stdout


def test_the_command_line_starts_without_the_plotting_library():
    # a table with no figures asked for should not wait for matplotlib to load
    proc = subprocess.run([sys.executable, "-c", "import sys, emergence.diagnose.cli; "
                           "sys.exit('matplotlib' in sys.modules)"], timeout=60)
    assert proc.returncode == 0


def test_the_console_script_is_installed():
    script = shutil.which("emergence", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the package is not installed with its console script here")
    proc = subprocess.run([script, "diagnose", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "examples:" in proc.stdout


def test_a_good_file():
    proc = run("diagnose", FIXTURES / "tidy.csv")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "8 curves: 4 sharp, 0 unclear, 1 consistent with a metric-made jump, 4 of 6 backtests" in out
    assert "addition | Alpha" in out
    assert "-> sharp: rises late (2% of its gain by the middle of the scale range" in out
    assert "sharp under exact_match, not under per_token_cross_entropy of the same outputs " \
           "(which makes 63% of its gain by the middle of the scale range, against 2%): " \
           "consistent with a metric-made jump" in out
    assert "only 2 models: skipped" in out and "fewer than 4 models: no verdict" in out
    assert "note: 1 curve(s) of families with fewer than 3 models: skipped." in out


@pytest.mark.parametrize("name, column, line", [
    ("text_in_numeric.csv", "value", "line 4"),
    ("nan_value.csv", "value", "line 3"),
    ("nonpositive_scale.csv", "scale", "line 2"),
    ("missing_value_marker.csv", "value", "line 5"),
    ("percent_not_fraction.csv", "value", "line 5"),
    ("same_scale.csv", "scale", "lines 3, 4"),
])
def test_each_bad_input_exits_2_naming_file_column_and_row(name, column, line):
    proc = run("diagnose", BAD / name)
    assert proc.returncode == 2
    assert proc.stdout == ""
    err = proc.stderr.strip()
    assert err.startswith("emergence diagnose: error: ")
    assert f"{name}, column '{column}', {line}:" in err
    assert "Traceback" not in err


def test_a_missing_column_and_a_missing_file_exit_2():
    proc = run("diagnose", BAD / "missing_column.csv")
    assert proc.returncode == 2 and "missing column(s) ['value']" in proc.stderr
    proc = run("diagnose", "no/such/file.csv")
    assert proc.returncode == 2 and "does not exist" in proc.stderr


def test_bad_options_exit_2():
    proc = run("diagnose", FIXTURES / "tidy.csv", "--holdout", "0")
    assert proc.returncode == 2 and "holdout must be a whole number >= 1" in proc.stderr


def test_out_writes_the_report_and_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "report"
    proc = run("diagnose", FIXTURES / "tidy.csv", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out}/report.md, report.json, curves.csv, points.csv and 5 figure(s)" \
        in proc.stdout
    for name in ("report.md", "report.json", "curves.csv", "points.csv"):
        assert (out / name).is_file()
    assert len(list((out / "figures").glob("*.png"))) == 5
    stamp = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}

    again = run("diagnose", FIXTURES / "tidy.csv", "--out", out)
    assert again.returncode == 2
    assert "already exists and is not empty: nothing was written" in again.stderr
    assert "--force" in again.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamp

    forced = run("diagnose", FIXTURES / "tidy.csv", "--out", out, "--force", "--no-figures")
    assert forced.returncode == 0, forced.stderr
    assert not list((out / "figures").glob("*.png"))
    assert (out / "report.md").stat().st_mtime_ns != stamp[out / "report.md"]


def test_per_item_outputs_with_post_processing(tmp_path):
    proc = run("diagnose", FIXTURES / "outputs.csv", "--align", "right", "--stop-string", "\n",
               "--out", tmp_path / "r", "--no-figures")
    assert proc.returncode == 0, proc.stderr
    assert "per-item outputs, 120 items" in proc.stdout
    assert "p^L from per_token_accuracy (L = 3)" in proc.stdout


def test_bigbench_results_folder():
    proc = run("diagnose", FIXTURES.parent / "bigbench" / "benchmark_tasks", "--all")
    assert proc.returncode == 0, proc.stderr
    assert "BIG-bench results" in proc.stdout and "fixture_mc_task" in proc.stdout


def test_summary_and_the_top_level_help_in_process(capsys):
    from emergence.diagnose.cli import main, parser

    assert "diagnose" in parser().format_help()
    assert main(["diagnose", str(FIXTURES / "tidy.csv"), "--summary"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[1].startswith("8 curves: 4 sharp")
    assert lines[2].startswith("note:")


def test_a_metric_described_on_the_command_line(tmp_path, capsys):
    from emergence.diagnose.cli import main

    path = tmp_path / "mine.csv"
    path.write_text("task,family,model,scale,metric,value,n_items\n" + "".join(
        f"t,F,m{i},1e{7 + i},pass_all,{v},50\n" for i, v in enumerate([0, 0, 0.02, 0.5])))
    assert main(["diagnose", str(path)]) == 0
    assert "pass_all (unknown)" in capsys.readouterr().out
    assert main(["diagnose", str(path), "--metric", "pass_all=0:1:discontinuous:items"]) == 0
    out = capsys.readouterr().out
    assert "pass_all (discontinuous)" in out and "the 2 smallest models at 0 of 50" in out
    assert main(["diagnose", str(path), "--metric", "pass_all=1:0"]) == 2
    assert "write NAME=LOW:HIGH" in capsys.readouterr().err


def test_json_for_scripts(capsys, tmp_path):
    import json

    from emergence.diagnose.cli import main

    assert main(["diagnose", str(FIXTURES / "tidy.csv"), "--json", "--out", str(tmp_path / "r"),
                 "--no-figures"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)                  # stdout is JSON and nothing else
    assert "wrote" in captured.err
    assert doc["summary"]["curves"] == len(doc["curves"]) == 8
    assert doc["summary"]["metric_made"] == 1
    by = {(c["task"], c["family"], c["metric"]): c for c in doc["curves"]}
    em = by[("addition", "Alpha", "exact_match")]
    assert em["sharp"] is True and em["late"] is True and em["metric_made"] is True
    assert em["backtest_forecast"] is False and em["rises_early"] is False
    skipped = by[("addition", "Beta", "exact_match")]
    assert skipped["sharp"] is None and skipped["emergence_score"] is None
    assert {p["metric"] for p in doc["points"]} >= {"exact_match", "per_token_accuracy"}
    # the file written with --out is the same document
    assert json.loads((tmp_path / "r" / "report.json").read_text()) == doc


def test_curves_csv_keeps_the_judgements(tmp_path):
    import pandas as pd

    from emergence.diagnose.cli import main

    assert main(["diagnose", str(FIXTURES / "tidy.csv"), "--out", str(tmp_path / "r"),
                 "--no-figures"]) == 0
    back = pd.read_csv(tmp_path / "r" / "curves.csv")
    em = back[(back["family"] == "Alpha") & (back["metric"] == "exact_match")
              & (back["task"] == "addition")].iloc[0]
    assert em["sharp"] == True and em["metric_made"] == True and em["late"] == True  # noqa: E712
    assert back.loc[back["n_models"] < 4, "sharp"].isna().all()        # no judgement: empty


def test_skip_bad_files_reads_the_rest_of_a_bigbench_folder(tmp_path):
    import shutil

    folder = tmp_path / "benchmark_tasks"
    shutil.copytree(FIXTURES.parent / "bigbench" / "benchmark_tasks", folder)
    some_results = next(folder.rglob("scores_*.json")).parent
    (some_results / "scores_broken.json").write_text("{ not json")
    refused = run("diagnose", folder)
    assert refused.returncode == 2 and "--skip-bad-files" in refused.stderr
    assert "scores_broken.json" in refused.stderr
    read = run("diagnose", folder, "--skip-bad-files", "--summary")
    assert read.returncode == 0, read.stderr
    assert "scores_broken.json" in read.stderr and "curves:" in read.stdout

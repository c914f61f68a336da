"""emergence.io.harness: lm-evaluation-harness results, real files of both layouts."""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emergence.diagnose import DiagnoseInputError, diagnose
from emergence.io.harness import HarnessFormatError, read_harness

ROOT = Path(__file__).resolve().parent.parent
PYTHIA = ROOT / "data" / "pythia_lm_eval"                 # 0.3 layout, published by EleutherAI
WRITTEN = Path(__file__).parent / "fixtures" / "harness" / "lm_eval_0.4.13"   # 0.4, by lm-eval


def test_the_published_pythia_files():
    table = read_harness(PYTHIA)
    assert table["model"].nunique() == 7 and table["task"].nunique() == 87
    assert set(table["family"]) == {"EleutherAI/pythia-v1.1"}
    assert sorted(table["scale"].unique()) == [7e7, 1.6e8, 4.1e8, 1.4e9, 2.8e9, 6.9e9, 1.2e10]
    assert set(table["scale_from"]) == {"name"}
    lam = table[(table["task"] == "lambada_openai") & (table["model"].str.endswith("-12b"))]
    acc = lam.set_index("metric")
    assert acc.loc["acc", "value"] == pytest.approx(0.7046380749078207)
    assert acc.loc["acc", "stderr"] == pytest.approx(0.006355831587333142)
    assert acc.loc["ppl", "value"] == pytest.approx(3.9236415916124625)
    assert table["n_items"].isna().all()            # 0.3 files give no test-set sizes


def test_pythia_lambada_rises_early_under_accuracy_and_perplexity():
    # the old verdict called both sharp (scores 7 and 40 here); they make most of their gain
    # early, weighed against the files' own standard errors
    result = diagnose(PYTHIA)
    lam = result[result["task"] == "lambada_openai"].set_index("metric")
    for metric in ("acc", "ppl"):
        assert bool(lam.loc[metric, "rises_early"]) and not bool(lam.loc[metric, "sharp"])
        assert lam.loc[metric, "noise_weighed"]
    assert lam.loc["ppl", "emergence_score"] > 10          # the score alone would say sharp
    assert "lm-evaluation-harness results" in result.attrs["settings"]["input"]


def test_files_written_by_lm_eval_0_4():
    table = read_harness(WRITTEN)
    assert sorted(table["model"].unique()) == ["example/tiny-1.4b", "example/tiny-70m"]
    assert set(table["metric"]) == {"acc", "perplexity"} and set(table["task"]) == {"tiny_next"}
    assert table["n_items"].eq(40).all()                     # from "n-samples"
    assert table["stderr"].notna().all()
    assert set(table["family"]) == {"example/tiny"}


def test_filters_missing_values_and_aliases(tmp_path):
    run = {"results": {"gsm8k": {"alias": "gsm8k", "exact_match,strict-match": 0.1,
                                 "exact_match_stderr,strict-match": "N/A",
                                 "exact_match,flexible-extract": 0.2}},
           "model_name": "org/m-7b", "config": {}}
    (tmp_path / "r.json").write_text(json.dumps(run))
    table = read_harness(tmp_path / "r.json").set_index("task")
    assert table.loc["gsm8k (strict-match)", "value"] == 0.1
    assert np.isnan(table.loc["gsm8k (strict-match)", "stderr"])
    assert table.loc["gsm8k (flexible-extract)", "scale"] == 7e9


def test_scales_from_a_mapping_a_file_or_the_command_line(tmp_path):
    folder = tmp_path / "runs"
    shutil.copytree(WRITTEN, folder, ignore=shutil.ignore_patterns("tiny_next"))
    mapped = read_harness(folder, scales={"tiny-70m": "70M", "example/tiny-1.4b": (1.4e9, "T")})
    assert set(mapped["scale_from"]) == {"mapping"}
    assert mapped.loc[mapped["model"] == "example/tiny-1.4b", "family"].iloc[0] == "T"
    csv = tmp_path / "scales.csv"
    csv.write_text("model,scale\nexample/tiny-70m,7e7\nexample/tiny-1.4b,1.4B\n")
    assert sorted(read_harness(folder, scales=csv)["scale"].unique()) == [7e7, 1.4e9]
    csv.write_text("model,scale\nexample/tiny-70m,big\n")
    with pytest.raises(HarnessFormatError, match=r"scales.csv, column 'scale', line 2"):
        read_harness(folder, scales=csv)


def test_an_unknown_scale_says_how_to_give_it(tmp_path):
    run = {"results": {"t": {"acc": 0.5}}, "config": {"model_args": "pretrained=org/mystery"}}
    (tmp_path / "r.json").write_text(json.dumps(run))
    with pytest.raises(HarnessFormatError, match=r"r.json: the scale of model 'org/mystery'.*"
                                                 r"--scale mystery=7e9"):
        read_harness(tmp_path)
    assert read_harness(tmp_path, scales={"mystery": "7B"})["scale"].iloc[0] == 7e9


def test_what_is_not_a_results_file(tmp_path):
    (tmp_path / "other.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(HarnessFormatError, match="not an lm-evaluation-harness results file"):
        read_harness(tmp_path / "other.json")
    with pytest.raises(HarnessFormatError, match="no lm-evaluation-harness results file"):
        read_harness(tmp_path)
    shutil.copy(PYTHIA / "70m_step143000.json", tmp_path / "good.json")
    (tmp_path / "cut.json").write_text('{"results": {')
    with pytest.warns(UserWarning, match="cut.json"):
        assert len(read_harness(tmp_path)) > 0


def test_the_command_line_reads_a_harness_folder(tmp_path):
    from emergence.diagnose.cli import main

    folder = tmp_path / "runs"
    shutil.copytree(WRITTEN, folder, ignore=shutil.ignore_patterns("tiny_next"))
    assert main(["diagnose", str(folder), "--scale", "tiny-70m=7e7", "--scale",
                 "tiny-1.4b=1.4B", "--summary"]) == 0
    assert main(["diagnose", str(folder), "--scale", "nonsense"]) == 2


def test_chance_levels_of_multiple_choice_tasks():
    table = read_harness(PYTHIA)
    chance = table.groupby(["task", "metric"])["chance"].first()
    assert chance["hendrycksTest-anatomy", "acc"] == 0.25 and chance["piqa", "acc_norm"] == 0.5
    assert chance["winogrande", "acc"] == 0.5 and chance["sciq", "acc"] == 0.25
    assert np.isnan(chance["arc_easy", "acc"])            # 3 to 5 choices: no one chance
    assert np.isnan(chance["lambada_openai", "acc"])      # not multiple choice
    assert np.isnan(chance["lambada_openai", "ppl"])
    # the backtest's floor is chance, so MMLU subjects near chance are checked against it
    result = diagnose(PYTHIA)
    mmlu = result[result["task"].str.startswith("hendrycksTest") & (result["metric"] == "acc")]
    assert mmlu["chance"].eq(0.25).all()


def test_truthfulqa_mc2_is_not_an_argmax(tmp_path):
    run = {"results": {"truthfulqa_mc2": {"acc,none": 0.41, "acc_stderr,none": 0.014},
                       "truthfulqa_mc1": {"acc,none": 0.25}},
           "model_name": "org/m-1b", "config": {}}
    (tmp_path / "r.json").write_text(json.dumps(run))
    table = read_harness(tmp_path).set_index("task")
    assert table.loc["truthfulqa_mc2", "metric"] == "mc2"
    assert table.loc["truthfulqa_mc2", "stderr"] == 0.014
    assert table.loc["truthfulqa_mc1", "metric"] == "acc"

"""Tests of the BIG-bench results reader, the meta-analysis and the chance simulation.

The files under tests/fixtures/bigbench are format fixtures with made-up values
(see the README there), not BIG-bench results.
"""

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emergence.io import bigbench
from emergence.io.bigbench import (
    BRIER_METRIC,
    MC_GRADE_METRIC,
    ResultsFormatError,
    read_results,
    read_results_file,
    write_results,
)
from emergence.book.meta_analysis import emergence_scores, meta_analysis
from emergence.book.multiple_comparisons import (
    chance_emergent,
    exceedance_probability,
    null_emergence_scores,
    simulate_null_curves,
)
from emergence.measure.score import emergence_score

FIXTURES = Path(__file__).parent / "fixtures" / "bigbench"


def _fixture_files():
    return sorted(FIXTURES.rglob("scores_*.json"))


@pytest.fixture
def checkout(tmp_path):
    """A copy of the fixtures laid out like a BIG-bench checkout."""
    target = tmp_path / "BIG-bench" / "bigbench"
    shutil.copytree(FIXTURES / "benchmark_tasks", target / "benchmark_tasks")
    return tmp_path / "BIG-bench"


# ----------------------------------------------------------------- reader


def test_reader_gives_one_row_per_metric_entry_of_every_file():
    table = read_results(FIXTURES)
    expected = 0
    for f in _fixture_files():
        data = json.loads(f.read_text())
        for entry in data["scores"]:
            if entry["preferred_score"] != "normalized_aggregate_score":
                expected += len(entry["score_dict"])
    assert len(table) == expected
    assert list(table.columns) == list(bigbench.TIDY_COLUMNS)
    assert set(table["task"]) == {"fixture_mc_task", "fixture_generation_task"}
    assert "normalized_aggregate_score" not in set(table["metric"])


def test_reader_values_match_the_json(checkout):
    table = read_results(checkout)
    f = next(p for p in _fixture_files() if p.name == "scores_GPT_small.json"
             and p.parent.parent.name == "fixture_generation_task")
    data = json.loads(f.read_text())
    entry = data["scores"][0]
    rows = table[(table["model_name"] == "small") & (table["task"] == "fixture_generation_task")]
    assert dict(zip(rows["metric"], rows["score"])) == entry["score_dict"]
    assert (rows["total_params"] == data["model"]["total_params"]).all()
    assert (rows["params"] == data["model"]["non_embedding_params"]).all()
    assert (rows["n_shots"] == entry["number_of_shots"]).all()
    assert rows.loc[rows["is_preferred"], "metric"].tolist() == [entry["preferred_score"]]


def test_reader_accepts_checkout_task_folder_and_single_file(checkout):
    whole = read_results(checkout)
    task_dir = checkout / "bigbench" / "benchmark_tasks" / "fixture_mc_task"
    one_task = read_results(task_dir)
    assert set(one_task["task"]) == {"fixture_mc_task"}
    assert len(one_task) == (whole["task"] == "fixture_mc_task").sum()
    single = next((task_dir / "results").glob("scores_*.json"))
    assert read_results(single)["file"].nunique() == 1


def test_reader_keeps_aggregates_on_request():
    table = read_results(FIXTURES, include_aggregates=True)
    agg = table[table["metric"] == "normalized_aggregate_score"]
    assert len(agg) > 0
    assert (agg["subtask"] == "fixture_mc_task").all()


def test_reader_falls_back_to_total_params_and_folder_task_name(tmp_path):
    f = tmp_path / "my_task" / "results" / "scores_x.json"
    f.parent.mkdir(parents=True)
    f.write_text(json.dumps({
        "model": {"model_family": "F", "model_name": "x", "total_params": 1000},
        "scores": [{"number_of_shots": 0, "preferred_score": "bleu",
                    "score_dict": {"bleu": 3.5}}],
    }))
    table = read_results_file(f)
    assert table["task"].tolist() == ["my_task"]
    assert table["subtask"].tolist() == ["my_task"]
    assert table["params"].tolist() == [1000.0]
    assert np.isnan(table["non_embedding_params"].iloc[0])


def test_wrong_path_names_the_path(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        read_results(missing)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="no scores_"):
        read_results(empty)


def _good():
    return {
        "model": {"model_family": "F", "model_name": "m", "total_params": 10,
                  "non_embedding_params": 8},
        "scores": [{"subtask_description": "t", "number_of_shots": 1,
                    "preferred_score": "exact_str_match",
                    "score_dict": {"exact_str_match": 0.5}}],
        "task": {"task_name": "t"},
    }


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("model"), "no 'model' object"),
        (lambda d: d["model"].pop("model_family"), "model_family"),
        (lambda d: d["model"].update(total_params=None, non_embedding_params=None),
         "model has none of 'flop_matched_non_embedding_params'"),
        (lambda d: d["model"].update(total_params=-5), "positive"),
        (lambda d: d.pop("scores"), "'scores'"),
        (lambda d: d["scores"][0].pop("score_dict"), "no 'score_dict'"),
        (lambda d: d["scores"][0].update(number_of_shots="two"), "number_of_shots"),
        (lambda d: d["scores"][0].update(preferred_score="bleu"), "not in its score_dict"),
        (lambda d: d["scores"][0]["score_dict"].update(bleu="high"), "bleu"),
    ],
)
def test_malformed_file_error_names_the_file(tmp_path, mutate, message):
    data = _good()
    mutate(data)
    f = tmp_path / "t" / "results" / "scores_broken_model.json"
    f.parent.mkdir(parents=True)
    f.write_text(json.dumps(data))
    with pytest.raises(ResultsFormatError) as err:
        read_results(tmp_path)
    assert "scores_broken_model.json" in str(err.value)
    assert message in str(err.value)


def test_invalid_json_error_names_the_file(tmp_path):
    f = tmp_path / "scores_truncated.json"
    f.write_text('{"model": {"model_family": ')
    with pytest.raises(ResultsFormatError, match="scores_truncated.json.*not valid JSON"):
        read_results(f)


def test_malformed_file_error_is_a_value_error():
    assert issubclass(ResultsFormatError, ValueError)


# ----------------------------------------------------------------- writer


def test_write_then_read_round_trips(tmp_path):
    table = read_results(FIXTURES)
    write_results(table, tmp_path)
    again = read_results(tmp_path)
    key = ["task", "subtask", "model_family", "model_name", "n_shots", "metric"]
    a = table.sort_values(key).reset_index(drop=True)
    b = again.sort_values(key).reset_index(drop=True)
    for col in ["score", "params", "total_params", "is_preferred", "preferred_metric"]:
        assert a[col].tolist() == b[col].tolist(), col
    for col in ["low_score", "high_score"]:
        pd.testing.assert_series_equal(a[col], b[col])


def test_writer_rejects_incomplete_tables(tmp_path):
    with pytest.raises(ValueError, match="lacks column"):
        write_results(pd.DataFrame({"task": ["t"]}), tmp_path)


# ----------------------------------------------------------------- meta-analysis


def test_emergence_scores_match_emergence_score_on_each_curve():
    table = read_results(FIXTURES)
    scores = emergence_scores(table)
    row = scores[(scores["task"] == "fixture_generation_task")
                 & (scores["model_family"] == "BIG-G T=0")
                 & (scores["metric"] == "exact_str_match")].iloc[0]
    curve = table[(table["task"] == "fixture_generation_task")
                  & (table["model_family"] == "BIG-G T=0")
                  & (table["metric"] == "exact_str_match")].sort_values("params")
    assert row["emergence_score"] == pytest.approx(
        emergence_score(curve["params"], curve["score"]))
    assert row["n_models"] == len(curve)


def test_brier_is_scored_lower_is_better():
    table = read_results(FIXTURES)
    scores = emergence_scores(table)
    brier = scores[scores["metric"] == BRIER_METRIC]
    # the fixture Brier scores fall with size: improvement gives a positive score
    assert (brier["emergence_score"] > 0).all()


def test_min_models_skips_short_curves():
    table = read_results(FIXTURES)
    scores = emergence_scores(table, min_models=4)
    assert set(scores["model_family"]) == {"BIG-G T=0"}
    with pytest.raises(ValueError, match="min_models"):
        emergence_scores(table, min_models=1)


def test_meta_analysis_in_one_call_on_a_checkout(checkout):
    result = meta_analysis(checkout, threshold=10.0)
    table = read_results(checkout)
    # one scored curve per task x subtask x family x shots x metric
    expected_curves = table.groupby(
        ["task", "subtask", "model_family", "n_shots", "metric"]).ngroups
    assert len(result.scores) == expected_curves
    # by-metric tallies add up to the scores table
    assert result.by_metric["n_curves"].sum() == len(result.scores)
    assert result.by_metric["n_emergent"].sum() == result.scores["emergent"].sum()
    assert result.by_metric["share_of_emergent"].sum() == pytest.approx(1.0)
    # the MC-grade vs Brier comparison covers every BIG-G T=0 subtask x shots
    fam = table[(table["model_family"] == "BIG-G T=0") & (table["metric"] == MC_GRADE_METRIC)]
    assert len(result.mc_vs_brier) == fam.groupby(["subtask", "n_shots"]).ngroups
    # in the fixtures the grade jumps and the Brier score falls steadily
    assert result.mc_vs_brier["emergent_mc_grade"].all()
    assert not result.mc_vs_brier["emergent_brier"].any()
    assert result.family == "BIG-G T=0"


def test_meta_analysis_accepts_a_table_and_checks_it():
    table = read_results(FIXTURES)
    assert len(meta_analysis(table).scores) == len(meta_analysis(FIXTURES).scores)
    with pytest.raises(ValueError, match="lacks column"):
        meta_analysis(table.drop(columns="metric"))
    with pytest.raises(ValueError, match="threshold"):
        meta_analysis(table, threshold=float("nan"))


def test_threshold_changes_the_count_monotonically():
    table = read_results(FIXTURES)
    counts = [meta_analysis(table, threshold=t).scores["emergent"].sum() for t in (1, 5, 50)]
    assert counts[0] >= counts[1] >= counts[2]


# ----------------------------------------------------------------- chance


def test_null_curves_have_the_binomial_mean():
    curves = simulate_null_curves([0.1, 0.5, 0.9], n_items=200, n_curves=4000, seed=3)
    assert curves.shape == (4000, 3)
    assert np.allclose(curves.mean(axis=0), [0.1, 0.5, 0.9], atol=0.01)
    grid = curves * 200
    assert np.allclose(grid, np.round(grid))


def test_null_scores_reproducible_and_validated():
    a = null_emergence_scores([0.2] * 5, n_items=50, n_curves=100, seed=7)
    b = null_emergence_scores([0.2] * 5, n_items=50, n_curves=100, seed=7)
    assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="true_scores"):
        null_emergence_scores([20, 30, 40], n_items=50, n_curves=10)
    with pytest.raises(ValueError, match="at least 3"):
        simulate_null_curves([0.5, 0.5], n_items=5, n_curves=2)


def test_sparse_null_curves_produce_infinite_scores():
    # near-zero true accuracy on a small test set: mostly zeros, a stray hit
    scores = null_emergence_scores([0.01] * 8, n_items=30, n_curves=500, seed=0)
    assert np.isinf(scores).any()
    assert exceedance_probability(scores, 1e6) == np.mean(np.isinf(scores) & (scores > 0))


def test_chance_emergent_matches_closed_form():
    out = chance_emergent(0.02, 50)
    assert out["expected"] == pytest.approx(1.0)
    assert out["p_at_least_one"] == pytest.approx(1 - 0.98 ** 50)
    assert chance_emergent(0.0, 10)["p_at_least_one"] == 0.0
    with pytest.raises(ValueError, match="p_exceed"):
        chance_emergent(1.5, 10)


# ----------------------------------------------------------------- which metrics


def test_metric_breakdown_counts_and_shares():
    from emergence.book.meta_analysis import metric_breakdown

    tm = pd.DataFrame({"task": ["a", "b", "c", "d"],
                       "preferred_metric": ["mcg", "mcg", "esm", "bleu"]})
    out = metric_breakdown(["a", "b", "c", "x", None], tm)
    counts = dict(zip(out["preferred_metric"], out["n_tasks"]))
    assert counts == {"mcg": 2, "esm": 1, "not a JSON task": 2}
    assert out["share"].sum() == pytest.approx(1.0)
    known = out.dropna(subset=["share_of_known"])
    assert known["share_of_known"].sum() == pytest.approx(1.0)
    assert out["preferred_metric"].iloc[-1] == "not a JSON task"
    with pytest.raises(ValueError, match="task_metrics"):
        metric_breakdown(["a"], pd.DataFrame({"task": ["a"]}))
    with pytest.raises(ValueError, match="twice"):
        metric_breakdown(["a"], pd.concat([tm, tm]))


def test_metric_breakdown_of_the_shipped_tables_covers_wei_list():
    from emergence.book.meta_analysis import metric_breakdown
    from emergence.io.datasets import load

    wei = load("wei_emergent_tasks")
    wei = wei[wei["benchmark"] == "BIG-Bench"]
    out = metric_breakdown(wei["bigbench_task"], load("bigbench_task_metrics"))
    assert out["n_tasks"].sum() == len(wei)
    unknown = out.loc[out["preferred_metric"] == "not a JSON task", "n_tasks"].sum()
    assert unknown == wei["bigbench_task"].isna().sum()


# ----------------------------------------------------------------- multiple choice


def _options_table(probs_by_model, correct):
    rows = []
    for model, (params, probs) in probs_by_model.items():
        for pid, (p, c) in enumerate(zip(probs, correct)):
            for j, pj in enumerate(p):
                rows.append(dict(model=model, params=params, problem_id=pid, option=j,
                                 log_prob=np.log(pj), is_correct=(j == c)))
    return pd.DataFrame(rows)


def test_score_multiple_choice_against_hand_computation():
    from emergence.measure.option_probability import score_multiple_choice

    probs_small = [[0.25, 0.25, 0.25, 0.25], [0.4, 0.3, 0.2, 0.1]]
    probs_big = [[0.7, 0.1, 0.1, 0.1], [0.1, 0.6, 0.2, 0.1]]
    table = _options_table({"big": (1e9, probs_big), "small": (1e6, probs_small)}, [0, 1])
    out = score_multiple_choice(table)
    assert out["model"].tolist() == ["small", "big"]  # sorted by size
    # small: item 1 a four-way tie (argmax picks option 0, which is correct), item 2 wrong
    assert out["multiple_choice_grade"].tolist() == [0.5, 1.0]
    uniform = 3 / 16
    second = ((0.4 ** 2) + (0.7 ** 2) + (0.2 ** 2) + (0.1 ** 2)) / 4
    assert out["brier_score"].iloc[0] == pytest.approx((uniform + second) / 2)


def test_score_multiple_choice_rejects_bad_tables():
    from emergence.measure.option_probability import score_multiple_choice

    table = _options_table({"m": (1e6, [[0.5, 0.5], [0.9, 0.1]])}, [0, 1])
    with pytest.raises(ValueError, match="lacks column"):
        score_multiple_choice(table.drop(columns="log_prob"))
    two_right = table.copy()
    two_right["is_correct"] = True
    with pytest.raises(ValueError, match="exactly one correct"):
        score_multiple_choice(two_right)
    with pytest.raises(ValueError, match="different numbers of options"):
        score_multiple_choice(table.iloc[:-1])


# ----------------------------------------------------------------- exercises


def test_exercise_checks_accept_the_right_answers_only(capsys):
    from emergence.book.exercises import check
    from emergence.book.exercises.bigbench import two_metric_share

    assert check("bigbench-1", two_metric_share())
    assert not check("bigbench-1", 0.5)
    assert check("bigbench-1", 0.97)  # rounded to two decimals
    assert not check("bigbench-1", 63 / 67)  # divided by all 67 tasks, not the 65 known
    assert not check("bigbench-1", 0.955)
    assert not check("bigbench-1", 96.9)  # a percentage
    assert check("bigbench-2", 7)
    assert not check("bigbench-2", 1)
    assert check("bigbench-4", 0.01 * 220 * 40 * 10)
    assert not check("bigbench-4", 0.01)


def test_uniform_brier_exercise(capsys):
    from emergence.book.exercises import check

    assert check("bigbench-3", 3 / 16)
    assert not check("bigbench-3", 0.25)


def test_vectorised_null_scores_equal_the_scalar_emergence_score():
    from emergence.book.multiple_comparisons import _emergence_score_rows

    rng = np.random.default_rng(11)
    curves = np.vstack([
        simulate_null_curves([0.3] * 6, n_items=40, n_curves=200, seed=1),
        simulate_null_curves([0.01] * 6, n_items=30, n_curves=200, seed=2),  # zeros, infs
        np.zeros((2, 6)), rng.normal(size=(50, 6)),
        [[1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1]],
    ])
    scales = np.logspace(6, 11, 6)
    fast = _emergence_score_rows(curves)
    slow = np.array([emergence_score(scales, c) for c in curves])
    assert np.isinf(slow).any() and (slow == 0).any()
    np.testing.assert_array_equal(np.isinf(fast), np.isinf(slow))
    np.testing.assert_allclose(fast[np.isfinite(slow)], slow[np.isfinite(slow)], rtol=1e-12)
    assert np.array_equal(np.sign(fast), np.sign(slow))

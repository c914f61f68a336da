"""The BIG-bench reader reads what BIG-bench itself writes.

Results folders are written here with BIG-bench's own code (``bigbench`` 1.0.0,
Apache-2.0, carried unmodified in ``tests/bigbench_upstream``; see its README),
the way ``bigbench/evaluate_task.py`` writes them: the task's ``ScoreData``
list goes through ``add_aggregate_scores``, is wrapped in ``ResultsFileData``
with the model's ``ModelData`` and dumped with ``dataclasses.asdict`` to
``<task>/results/<score_result_filename(model_data)>``. Nothing in these files
is shaped by hand, so the reader meets the real format: aggregate entries,
``normalized_aggregate_score`` in every task-level score dict, shots of -1,
flop-matched sizes of sparse models.
"""

import dataclasses
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "bigbench_upstream"))
from bigbench.api import model as model_api  # noqa: E402
from bigbench.api import results as results_api  # noqa: E402
from bigbench.api import task as task_api  # noqa: E402

from emergence.io.bigbench import (  # noqa: E402
    AGGREGATE_METRIC,
    BRIER_METRIC,
    LOWER_IS_BETTER,
    MC_GRADE_METRIC,
    SHOTS_NOT_APPLICABLE,
    ResultsFormatError,
    read_results,
)
from emergence.book.meta_analysis import emergence_scores, meta_analysis  # noqa: E402

# (family, name, total, non-embedding, flop-matched): the sparse models' flop-matched
# size is smaller than their parameter count and orders them differently.
MODELS = [
    ("BIG-G T=0", "2m", 3_000_000, 2_000_000, 2_000_000),
    ("BIG-G T=0", "16m", 25_000_000, 16_000_000, 16_000_000),
    ("BIG-G T=0", "125m", 160_000_000, 125_000_000, 125_000_000),
    ("BIG-G T=0", "1b", 1_100_000_000, 1_000_000_000, 1_000_000_000),
    ("BIG-G sparse", "2m", 60_000_000, 50_000_000, 2_000_000),
    ("BIG-G sparse", "16m", 500_000_000, 400_000_000, 16_000_000),
    ("BIG-G sparse", "125m", 3_000_000_000, 2_500_000_000, 125_000_000),
    ("BIG-G sparse", "1b", 2_000_000_000, 1_800_000_000, 1_000_000_000),
]


def _model_data(family, name, total, non_embedding, flop_matched):
    return model_api.ModelData(
        model_family=family, model_name=name, total_params=total,
        non_embedding_params=non_embedding, flop_matched_non_embedding_params=flop_matched,
        training_batch_size=256, training_steps=100_000, description="written by the tests",
        decoding_params={})


def _mc_scores(rank: int, subtask: str, shots: int) -> task_api.ScoreData:
    grade = [0.25, 0.25, 0.26, 0.9][rank]
    return task_api.ScoreData(
        score_dict={MC_GRADE_METRIC: grade, BRIER_METRIC: 0.75 - 0.15 * rank,
                    "macro_f1": 0.2 + 0.1 * rank},
        preferred_score=MC_GRADE_METRIC, number_of_shots=shots, low_score=0.25,
        high_score=1.0, subtask_description=subtask)


def _tasks(rank: int) -> dict:
    """Each task's ScoreData list for the model of size rank 0-3, as a task returns it."""
    mixed = [task_api.ScoreData({"exact_str_match": 0.1 * rank, "bleu": 10.0 * rank},
                                "exact_str_match", 0, 0.0, 1.0, "toy_mixed:first"),
             task_api.ScoreData({"bleu": 5.0 * rank + 1, "exact_str_match": 0.0}, "bleu", 0,
                                0.0, 100.0, "toy_mixed:second")]
    return {
        "toy_mc": [_mc_scores(rank, f"toy_mc:{sub}", shots) for shots in (0, 1) for sub in "ab"],
        "toy_gen": [task_api.ScoreData({"exact_str_match": [0.0, 0.0, 0.0, 0.4][rank],
                                        "bleu": 3.0 + rank}, "exact_str_match", 0, 0.0, 1.0,
                                       "toy_gen")],
        # shots do not apply: the task API's -1, as spelling_bee and unqover write it
        "toy_game": [task_api.ScoreData({"score": 0.1 * rank}, "score", -1, 0.0, 1.0, "toy_game")],
        "toy_mixed": mixed,
    }


def _write(checkout: Path, task: str, model: model_api.ModelData, scores) -> Path:
    scores = results_api.add_aggregate_scores(task_name=task, scores=scores)
    data = results_api.ResultsFileData(scores=scores, task=results_api.TaskData(task),
                                       model=model, queries=[])
    folder = checkout / "bigbench" / "benchmark_tasks" / task / "results"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / results_api.score_result_filename(model)
    with open(path, "w") as f:
        json.dump(dataclasses.asdict(data), f, indent=2)
    return path


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bigbench")
    for i, spec in enumerate(MODELS):
        model = _model_data(*spec)
        for task, scores in _tasks(i % 4).items():
            _write(root, task, model, scores)
    return root


def test_the_upstream_writer_makes_the_format_the_reader_expects(checkout):
    f = next((checkout / "bigbench/benchmark_tasks/toy_mc/results").glob("*.json"))
    data = json.loads(f.read_text())
    assert set(data) == {"scores", "task", "model", "queries"}
    aggregate = [e for e in data["scores"] if e["subtask_description"] == "toy_mc"]
    # the aggregate keeps the subtasks' shared preferred metric, not normalized_aggregate_score
    assert len(aggregate) == 2 and {e["preferred_score"] for e in aggregate} == {MC_GRADE_METRIC}
    assert all(AGGREGATE_METRIC in e["score_dict"] for e in aggregate)


def test_shots_that_do_not_apply_are_read(checkout):
    table = read_results(checkout)
    game = table[table["task"] == "toy_game"]
    assert len(game) == len(MODELS) and (game["n_shots"] == SHOTS_NOT_APPLICABLE).all()
    scores = emergence_scores(game)
    assert set(scores["n_shots"]) == {SHOTS_NOT_APPLICABLE} and len(scores) == 2


def test_aggregates_are_left_out_whatever_their_preferred_metric(checkout):
    table = read_results(checkout)
    assert set(table.loc[table["task"] == "toy_mc", "subtask"]) == {"toy_mc:a", "toy_mc:b"}
    assert set(table.loc[table["task"] == "toy_mixed", "subtask"]) == {"toy_mixed:first",
                                                                       "toy_mixed:second"}
    assert AGGREGATE_METRIC not in set(table["metric"])
    assert not table["is_aggregate"].any()
    # a task without subtasks keeps its one entry: it is the measurement
    gen = table[table["task"] == "toy_gen"]
    assert set(gen["metric"]) == {"exact_str_match", "bleu"} and len(gen) == 2 * len(MODELS)


def test_aggregates_are_kept_and_flagged_on_request(checkout):
    table = read_results(checkout, include_aggregates=True)
    agg = table[table["is_aggregate"]]
    assert set(agg.loc[agg["metric"] != AGGREGATE_METRIC, "subtask"]) == {"toy_mc", "toy_mixed"}
    assert AGGREGATE_METRIC in set(agg["metric"])
    assert not table.loc[~table["is_aggregate"], "metric"].eq(AGGREGATE_METRIC).any()
    # the aggregate is the mean of the subtasks (BIG-bench's definition)
    rows = table[(table["task"] == "toy_mc") & (table["metric"] == MC_GRADE_METRIC)
                 & (table["n_shots"] == 0) & (table["model_name"] == "1b")
                 & (table["model_family"] == "BIG-G T=0")]
    mean_of_subtasks = rows.loc[~rows["is_aggregate"], "score"].mean()
    assert rows.loc[rows["is_aggregate"], "score"].item() == pytest.approx(mean_of_subtasks)


def test_the_meta_analysis_counts_no_average_as_a_subtask_or_metric(checkout):
    result = meta_analysis(checkout, family="BIG-G T=0")
    # two subtasks x two shot counts, not three subtasks
    assert len(result.mc_vs_brier) == 4
    assert set(result.mc_vs_brier["subtask"]) == {"toy_mc:a", "toy_mc:b"}
    assert AGGREGATE_METRIC not in set(result.by_metric["metric"])
    with_aggregates = meta_analysis(checkout, family="BIG-G T=0", include_aggregates=True)
    assert len(with_aggregates.mc_vs_brier) == 6


def test_models_are_ordered_by_flop_matched_size_as_bigbench_does(checkout):
    table = read_results(checkout)
    sparse = table[(table["model_family"] == "BIG-G sparse") & (table["task"] == "toy_gen")
                   & (table["metric"] == "exact_str_match")]
    np.testing.assert_array_equal(sparse["params"], sparse["flop_matched_non_embedding_params"])
    by_flops = sparse.sort_values("params")["model_name"].tolist()
    assert by_flops == ["2m", "16m", "125m", "1b"]
    other = read_results(checkout, scale="non_embedding_params")
    sparse_ne = other[(other["model_family"] == "BIG-G sparse") & (other["task"] == "toy_gen")
                      & (other["metric"] == "exact_str_match")]
    assert sparse_ne.sort_values("params")["model_name"].tolist() == ["2m", "16m", "1b", "125m"]
    with pytest.raises(ValueError, match="scale must be one of"):
        read_results(checkout, scale="params")


def test_the_caller_names_lower_is_better_metrics(checkout):
    table = read_results(checkout)
    f1 = table[(table["metric"] == "macro_f1")]
    default = emergence_scores(f1)
    flipped = emergence_scores(f1, lower_is_better=LOWER_IS_BETTER | {"macro_f1"})
    np.testing.assert_allclose(flipped["emergence_score"], -default["emergence_score"])
    brier = emergence_scores(table[table["metric"] == BRIER_METRIC])
    assert (brier["emergence_score"] > 0).all()  # Brier falls with scale: improvement
    with pytest.raises(ValueError, match="collection of metric names"):
        emergence_scores(f1, lower_is_better="macro_f1")


def test_a_folder_with_bad_files_reports_every_one(checkout, tmp_path):
    import shutil

    copy = tmp_path / "checkout"
    shutil.copytree(checkout, copy)
    results = copy / "bigbench/benchmark_tasks/toy_gen/results"
    (results / "scores_broken_json.json").write_text("{not json")
    (results / "scores_no_model.json").write_text(json.dumps({"scores": [], "task": {}}))
    with pytest.raises(ResultsFormatError) as err:
        read_results(copy)
    message = str(err.value)
    assert "2 of" in message and "scores_broken_json.json" in message
    assert "scores_no_model.json" in message and "no 'model' object" in message
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = read_results(copy, on_error="warn")
    assert len(caught) == 1 and "scores_no_model.json" in str(caught[0].message)
    pd.testing.assert_frame_equal(
        table.drop(columns="file").reset_index(drop=True),
        read_results(checkout).drop(columns="file").reset_index(drop=True))


def test_low_and_high_scores_are_read_for_the_preferred_metric(checkout):
    table = read_results(checkout)
    mc = table[(table["task"] == "toy_mc") & (table["metric"] == MC_GRADE_METRIC)]
    assert (mc["low_score"] == 0.25).all() and (mc["high_score"] == 1.0).all()
    # ScoreData's bounds belong to the preferred score alone
    others = table[~table["is_preferred"]]
    assert len(others) and others["low_score"].isna().all() and others["high_score"].isna().all()
    bleu = table[(table["subtask"] == "toy_mixed:second") & (table["metric"] == "bleu")]
    assert (bleu["high_score"] == 100.0).all()


def test_diagnose_takes_the_files_low_score_as_chance(checkout):
    from emergence.diagnose import diagnose, tidy_from_bigbench

    tidy = tidy_from_bigbench(checkout)
    mc = tidy[tidy["metric"] == MC_GRADE_METRIC]
    assert (mc["chance"] == 0.25).all()
    assert tidy.loc[tidy["metric"] == BRIER_METRIC, "chance"].isna().all()   # not its preferred metric
    report = diagnose(checkout)
    assert len(report) == tidy.groupby(["task", "family", "metric"]).ngroups


def test_a_low_score_that_varies_within_a_curve_is_not_taken_as_chance(tmp_path):
    from emergence.diagnose import tidy_from_bigbench

    for i, spec in enumerate(MODELS[:4]):
        score = _mc_scores(i, "toy_mc:a", 0)
        score.low_score = 0.2 + 0.01 * i      # a file that disagrees with the others
        _write(tmp_path, "toy_mc", _model_data(*spec), [score])
    tidy = tidy_from_bigbench(tmp_path)
    assert tidy["chance"].isna().all()


def test_a_low_score_outside_the_metrics_range_is_not_taken_as_chance(tmp_path):
    from emergence.diagnose import diagnose, tidy_from_bigbench

    for i, spec in enumerate(MODELS[:4]):
        score = _mc_scores(i, "toy_mc:a", 0)
        score.low_score = 25.0                # on BIG-bench's 0-100 scale, outside the grade's 0-1
        _write(tmp_path, "toy_mc", _model_data(*spec), [score])
    tidy = tidy_from_bigbench(tmp_path)
    assert tidy["chance"].isna().all()
    assert len(diagnose(tmp_path)) == tidy.groupby(["task", "family", "metric"]).ngroups

"""emergence diagnose from Python: each check on small curves with known answers, bad input,
the vectorised statistics against the one-curve functions, and the stored expected report."""

import inspect
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from emergence.forecast.backtest import backtest
from emergence.book.meta_analysis import meta_analysis
from emergence.diagnose.curves import emergence_scores, pack, shares_of_gain
from emergence.diagnose import (
    EMERGENCE_CUTOFF,
    METRICS,
    DiagnoseInputError,
    MetricInfo,
    diagnose,
    tidy_from_outputs,
)
from emergence.model.mirage import expected_accuracy
from emergence.diagnose.figures import plot_family
from emergence.diagnose.report import CURVE_COLUMNS, POINT_COLUMNS, summary, to_markdown, write_report
from emergence.measure.scaling import accuracy_interval
from emergence.measure.score import STEP_RTOL, emergence_score, share_of_gain

FIXTURES = Path(__file__).parent / "fixtures" / "diagnose"
SCALES = [1e7, 1e8, 1e9, 1e10, 1e11, 1e12]


def curve(metric, values, task="t", family="F", scales=SCALES, **extra):
    rows = {"task": task, "family": family, "model": [f"{family}-{i}" for i in range(len(values))],
            "scale": scales[:len(values)], "metric": metric, "value": values}
    rows.update(extra)
    return pd.DataFrame(rows)


def truth(x):
    """True, False or None (unclear) from a nullable boolean cell."""
    return None if x is pd.NA else bool(x)


def one(result, metric, family="F"):
    row = result[(result["metric"] == metric) & (result["family"] == family)]
    assert len(row) == 1
    return row.iloc[0]


# ------------------------------------------------------------------ vectorised statistics


def random_curves(rng, count):
    rows = []
    for i in range(count):
        n = int(rng.integers(2, 12))
        kind = i % 6
        if kind == 0:
            y = rng.normal(size=n)
        elif kind == 1:
            y = np.round(rng.uniform(0, 1, n), 2)
        elif kind == 2:  # a plateau with float noise, as averaged seeds leave
            v = 0.0925925926
            y = np.full(n, v)
            y[rng.integers(0, n)] = v * (1 + 10 * STEP_RTOL * rng.uniform(-1, 1) * 1e-3)
            y[-1] = 0.5
        elif kind == 3:  # flat, then one jump, with noise below and above the tolerance
            y = np.r_[np.zeros(n - 1), 1.0]
            y[rng.integers(0, n)] += rng.choice([0, 1e-17, 1e-10, 1e-8])
        elif kind == 4:
            y = rng.integers(0, 3, n).astype(float)
        else:  # ties for the maximum
            y = np.r_[rng.uniform(0, 1, n - 2), 1.0, 1.0]
        rows.append(y)
    return rows


def padded(rows):
    out = np.full((len(rows), max(map(len, rows))), np.nan)
    for i, y in enumerate(rows):
        out[i, :len(y)] = y
    return out


def test_vectorised_emergence_score_equals_the_definition_exactly():
    rng = np.random.default_rng(0)
    rows = random_curves(rng, 3000)
    better = rng.integers(0, 2, len(rows)).astype(bool)
    scores = emergence_scores(padded(rows), better)
    for i, y in enumerate(rows):
        ref = emergence_score(np.arange(1, len(y) + 1), y, higher_is_better=better[i])
        assert scores[i] == ref, (i, y)


def test_vectorised_share_of_gain_equals_the_definition_exactly():
    rng = np.random.default_rng(1)
    rows = random_curves(rng, 2000)
    better = rng.integers(0, 2, len(rows)).astype(bool)
    upto = np.array([max(len(y) // 2, 1) for y in rows])
    shares = shares_of_gain(padded(rows), upto, better)
    for i, y in enumerate(rows):
        ref = share_of_gain(np.arange(1, len(y) + 1), y, upto=int(upto[i]),
                            higher_is_better=better[i])
        assert (np.isnan(ref) and np.isnan(shares[i])) or shares[i] == ref


def test_pack_puts_points_in_their_rows():
    assert np.array_equal(pack([1, 0, 1], [0, 0, 1], [5, 6, 7], fill=-1),
                          np.array([[6, -1], [5, 7]]))


def test_the_cutoff_is_the_meta_analysis_default():
    default = inspect.signature(meta_analysis).parameters["threshold"].default
    assert EMERGENCE_CUTOFF == default == 10.0


# ------------------------------------------------------------------ the checks


def test_emergence_score_and_share_of_gain_of_a_straight_line():
    result = diagnose(curve("exact_match", [0.1, 0.2, 0.3, 0.4]))
    row = one(result, "exact_match")
    assert row["emergence_score"] == pytest.approx(3.0) and truth(row["sharp"]) is False
    assert row["share_of_gain_at_middle"] == pytest.approx(1 / 3)
    assert row["share_by_mid_scale"] == pytest.approx(0.5)
    assert row["steepest_quarter"] == pytest.approx(0.25)
    assert row["verdict"].startswith("rises gradually (50% of its gain by the middle of the scale "
                                     "range, 25% within its steepest quarter, emergence score 3)")


def test_a_jump_is_sharp_and_the_cutoff_only_sets_the_score_column():
    values = [0.0, 0.01, 0.01, 0.02, 0.5]
    row = one(diagnose(curve("exact_match", values)), "exact_match")
    assert truth(row["sharp"]) is True and truth(row["late"]) is True and row["score_above_cutoff"]
    assert row["verdict"].startswith("sharp: rises late (2% of its gain by the middle")
    high = one(diagnose(curve("exact_match", values), cutoff=1e6), "exact_match")
    assert not high["score_above_cutoff"] and truth(high["sharp"]) is True


@pytest.mark.parametrize("n_models", [5, 12, 24, 50])
def test_a_straight_line_is_never_sharp_whatever_the_number_of_models(n_models):
    values = np.linspace(0.1, 0.9, n_models)
    row = one(diagnose(curve("per_token_accuracy", values, scales=np.logspace(6, 12, n_models))),
              "per_token_accuracy")
    assert truth(row["sharp"]) is False and row["verdict"].startswith("rises gradually (50%")
    # the paper's score grows with the number of models: k - 1
    assert row["emergence_score"] == pytest.approx(n_models - 1)


def test_noise_at_chance_is_not_a_jump():
    values = [0.5] * 7 + [0.53]
    scales = np.logspace(7, 12, 8)
    row = one(diagnose(curve("exact_match", values, n_items=200, scales=scales)), "exact_match")
    assert row["change"] == "flat" and truth(row["sharp"]) is False and row["noise_weighed"]
    assert row["verdict"].startswith("no change beyond noise (net 0.03, noise allows 0.15")
    unweighed = one(diagnose(curve("exact_match", values, scales=scales)), "exact_match")
    assert truth(unweighed["sharp"]) is True and not unweighed["noise_weighed"]
    assert "noise not weighed: give n_items or stderr" in unweighed["verdict"]
    # a stderr column weighs it too
    given = one(diagnose(curve("exact_match", values, scales=scales).assign(stderr=0.035)),
                "exact_match")
    assert given["change"] == "flat" and given["noise"] == pytest.approx(3 * np.hypot(0.035, 0.035))


def test_an_early_saturating_curve_rises_early_and_is_not_sharp():
    # Pythia-like: accuracy from 0.19 to 0.71 and perplexity from 138 to 3.9 (simulated)
    scales = [7e7, 1.6e8, 4.1e8, 1e9, 1.4e9, 2.8e9, 6.9e9, 1.2e10]
    table = pd.concat([
        curve("accuracy", [0.19, 0.33, 0.45, 0.56, 0.61, 0.65, 0.67, 0.71], scales=scales),
        curve("perplexity", [138, 38, 13, 7.9, 6.5, 5.0, 4.4, 3.87], scales=scales)])
    result = diagnose(table)
    ppl = one(result, "perplexity")
    assert truth(ppl["sharp"]) is False and truth(ppl["rises_early"]) is True
    assert ppl["emergence_score"] > 10                 # the score alone would call it sharp
    assert truth(one(result, "accuracy")["sharp"]) is False


def test_a_negative_stderr_is_refused():
    with pytest.raises(DiagnoseInputError, match="stderr"):
        diagnose(curve("exact_match", [0.1, 0.2, 0.3, 0.4]).assign(stderr=-0.1))


def test_metric_kinds_name_their_source():
    assert METRICS["multiple_choice_grade"].kind == "discontinuous"
    assert METRICS["exact_str_match"].kind == "nonlinear"
    assert METRICS["token_edit_distance"].kind == "linear"
    assert METRICS["calibration_multiple_choice_brier_score"].kind == "continuous"
    assert all(info.source for info in METRICS.values())
    result = diagnose(pd.concat([curve("multiple_choice_grade", [0.2, 0.3, 0.4, 0.5]),
                                 curve("my_score", [0.2, 0.3, 0.4, 0.5])]))
    assert one(result, "multiple_choice_grade")["metric_kind"] == "discontinuous"
    assert one(result, "my_score")["metric_kind"] == "unknown"
    assert any("my_score" in note for note in result.attrs["notes"])


def test_exact_intervals_and_the_resolution_floor():
    result = diagnose(curve("exact_match", [0.0, 0.0, 0.0, 0.05, 0.4], n_items=100))
    points = result.attrs["points"]
    lo, hi = accuracy_interval([0, 0, 0, 5, 40], [100] * 5)
    assert np.allclose(points["ci_low"], lo) and np.allclose(points["ci_high"], hi)
    assert points["n_correct"].tolist() == [0, 0, 0, 5, 40]
    row = one(result, "exact_match")
    assert row["resolution_floor"] == pytest.approx(hi[0]) == pytest.approx(0.0362, abs=1e-4)
    assert row["smallest_at_zero"] == 3 and row["models_at_zero"] == 3
    assert ("the 3 smallest models at 0 of 100: below resolution (under 3.6%), more items "
            "needed") in row["verdict"]


def test_intervals_only_for_metrics_that_count_items():
    result = diagnose(curve("per_token_accuracy", [0.0, 0.1, 0.2, 0.3], n_items=100))
    assert result.attrs["points"]["ci_low"].isna().all()
    assert one(result, "per_token_accuracy")["smallest_at_zero"] == 0


def test_a_value_that_is_not_a_count_of_items_is_refused():
    with pytest.raises(DiagnoseInputError, match="not a whole number of items"):
        diagnose(curve("exact_match", [0.0, 0.333, 0.5, 0.7], n_items=4))


def test_a_sharp_metric_beside_a_smooth_one_of_the_same_outputs():
    table = pd.concat([curve("exact_match", [0.0, 0.0, 0.0, 0.01, 0.3, 0.9]),
                       curve("per_token_accuracy", [0.3, 0.45, 0.6, 0.72, 0.87, 0.97]),
                       curve("bleu", [1.0, 2.0, 3.0, 4.0, 50.0, 90.0])])
    row = one(diagnose(table), "exact_match")
    assert row["partner_metric"] == "per_token_accuracy"  # the linear one before BLEU
    assert truth(row["partner_sharp"]) is False and truth(row["metric_made"]) is True
    assert ("sharp under exact_match, not under per_token_accuracy of the same outputs (which "
            "makes 54% of its gain by the middle of the scale range, against 1%): consistent "
            "with a metric-made jump") in row["verdict"]


def test_a_loss_is_a_smooth_metric_of_the_same_outputs():
    table = pd.concat([curve("exact_match", [0.0, 0.0, 0.01, 0.1, 0.5, 0.9], n_items=100),
                       curve("per_token_loss", [2.0, 1.4, 1.0, 0.7, 0.45, 0.3])])
    row = one(diagnose(table), "exact_match")
    assert row["partner_metric"] == "per_token_loss" and truth(row["metric_made"]) is True


def test_a_jump_under_both_metrics_is_not_made_by_the_metric():
    table = pd.concat([curve("multiple_choice_grade", [0.25, 0.25, 0.26, 0.25, 0.8]),
                       curve("calibration_multiple_choice_brier_score",
                             [0.19, 0.19, 0.19, 0.19, 0.05])])
    row = one(diagnose(table), "multiple_choice_grade")
    assert row["partner_metric"] == "calibration_multiple_choice_brier_score"
    assert "sharp under both multiple_choice_grade and calibration_multiple_choice_brier_score" \
        in row["verdict"]
    assert truth(row["metric_made"]) is False


def test_a_sharp_metric_alone_is_undecided():
    row = one(diagnose(curve("exact_match", [0.0, 0.0, 0.0, 0.0, 0.7])), "exact_match")
    assert "no smooth metric of the same outputs to compare: undecided" in row["verdict"]


@pytest.mark.parametrize("source, smooth, p", [
    ("per_token_accuracy", [0.2, 0.4, 0.6, 0.8, 0.9], [0.2, 0.4, 0.6, 0.8, 0.9]),
    ("token_edit_distance", [1.6, 1.2, 0.8, 0.4, 0.2], [0.2, 0.4, 0.6, 0.8, 0.9]),
    ("per_token_cross_entropy", [1.0, 0.5, 0.25, 0.1, 0.05],
     np.exp(-np.array([1.0, 0.5, 0.25, 0.1, 0.05]))),
])
def test_p_to_the_l_from_each_per_token_metric(source, smooth, p):
    exact = expected_accuracy(np.asarray(p, dtype=float), 2)
    table = pd.concat([curve("exact_match", list(exact)), curve(source, smooth)])
    result = diagnose(table, target_length=2)
    points = result.attrs["points"]
    got = points.loc[points["metric"] == "exact_match", "p_l_predicted"].to_numpy()
    assert np.allclose(got, np.asarray(p) ** 2)
    row = one(result, "exact_match")
    assert row["p_l_source"] == source and row["p_l_length"] == "2" and row["p_l_fits"]
    assert f"p^L from {source} (L = 2) reproduces it" in row["verdict"]
    implied = points.loc[points["metric"] == "exact_match", "implied_p"].to_numpy()
    assert np.allclose(implied, np.sqrt(exact))


def test_p_to_the_l_that_misses_says_so():
    table = pd.concat([curve("exact_match", [0.0, 0.0, 0.0, 0.0, 0.6]),
                       curve("per_token_accuracy", [0.5, 0.6, 0.7, 0.8, 0.9])])
    row = one(diagnose(table, target_length=2), "exact_match")
    assert not row["p_l_fits"]
    assert row["p_l_max_gap"] == pytest.approx(0.0 - 0.8 ** 2)
    assert "misses it by up to 0.64 (at 1e+10)" in row["verdict"]


def test_no_p_to_the_l_without_a_length():
    table = pd.concat([curve("exact_match", [0.0, 0.0, 0.0, 0.0, 0.6]),
                       curve("per_token_accuracy", [0.5, 0.6, 0.7, 0.8, 0.9])])
    assert one(diagnose(table), "exact_match")["p_l_source"] is None


def test_backtest_is_the_one_curve_backtest():
    values = [0.26, 0.3, 0.42, 0.6, 0.8, 0.93]
    table = curve("accuracy", values, chance=0.25)
    row = one(diagnose(table), "accuracy")
    ref = backtest(SCALES, values, kind="logistic", floor=0.25, ceiling=1.0)
    assert row["backtest_kind"] == "logistic" and row["backtest_floor"] == 0.25
    assert row["backtest_predicted"] == pytest.approx(ref["predicted"].iloc[0], rel=1e-6)
    assert row["backtest_scale"] == SCALES[-1] and row["backtest_observed"] == 0.93
    forecast = abs(ref["error"].iloc[0]) <= 0.05 * 0.75
    assert row["backtest_forecast"] == forecast


def test_losses_are_backtested_by_a_power_law():
    loss = list((np.array(SCALES) / 1e3) ** -0.12)
    row = one(diagnose(curve("per_token_cross_entropy", loss)), "per_token_cross_entropy")
    assert row["backtest_kind"] == "power_law"
    assert row["backtest_predicted"] == pytest.approx(loss[-1], rel=1e-9)
    assert row["backtest_forecast"]
    assert "the largest model forecast by the smaller ones" in row["verdict"]


def test_a_jump_after_a_flat_family_is_not_forecast():
    row = one(diagnose(curve("accuracy", [0.25, 0.25, 0.25, 0.25, 0.25, 0.9], chance=0.25)),
              "accuracy")
    assert row["backtest_forecast"] is False or row["backtest_forecast"] == False  # noqa: E712
    assert row["backtest_kind"] == "flat"              # the smaller models are exactly flat
    assert ("the largest model not forecast by the smaller ones, flat within their noise "
            "(predicted 0.25, observed 0.9)") in row["verdict"]


def test_a_logistic_that_cannot_fit_says_give_the_chance_level():
    # a plateau at 0.19 on a 0-1 metric, with no chance given: no logistic between 0 and 1 fits
    row = one(diagnose(curve("macro_f1", [0.19, 0.19, 0.2, 0.19, 0.9])), "macro_f1")
    assert row["backtest_forecast"] is None
    assert "give the chance level" in row["verdict"]


def test_holdout_and_too_few_models():
    result = diagnose(curve("accuracy", [0.1, 0.2, 0.3, 0.4, 0.5]), holdout=3)
    assert one(result, "accuracy")["backtest_note"].startswith("fewer than 6 models")
    assert "forecast" not in one(result, "accuracy")["verdict"]


def test_few_models_are_skipped_or_get_no_verdict():
    table = pd.concat([curve("exact_match", [0.0, 0.5], family="Two"),
                       curve("exact_match", [0.0, 0.1, 0.5], family="Three")])
    result = diagnose(table)
    two, three = one(result, "exact_match", "Two"), one(result, "exact_match", "Three")
    assert two["verdict"] == "only 2 models: skipped (the checks need 3 or more)"
    assert np.isnan(two["emergence_score"])
    assert three["verdict"] == "fewer than 4 models: no verdict"
    assert np.isfinite(three["emergence_score"])
    assert any("fewer than 3 models" in note for note in result.attrs["notes"])


def test_flat_and_worsening_curves():
    result = diagnose(pd.concat([curve("accuracy", [0.3] * 5),
                                 curve("exact_match", [0.5, 0.4, 0.3, 0.2, 0.1])]))
    assert one(result, "accuracy")["verdict"].startswith("flat: no change with scale")
    assert one(result, "exact_match")["verdict"].startswith(
        "gets worse with scale (net -0.4, emergence score -4)")


def test_direction_from_the_catalogue_the_column_or_the_caller():
    falling = [3.0, 2.0, 1.5, 1.2]
    assert one(diagnose(curve("token_edit_distance", falling)),
               "token_edit_distance")["emergence_score"] > 0
    assert one(diagnose(curve("perplexity", falling)), "perplexity")["emergence_score"] > 0
    assert one(diagnose(curve("my_perplexity", falling), lower_is_better={"my_perplexity"}),
               "my_perplexity")["emergence_score"] > 0
    assert one(diagnose(curve("my_perplexity", falling)), "my_perplexity")["emergence_score"] < 0
    given = curve("my_perplexity", falling, higher_is_better=["false"] * 4)
    assert one(diagnose(given), "my_perplexity")["emergence_score"] > 0


def test_extra_metrics_can_be_described():
    info = MetricInfo("discontinuous", 0, 1, True, True, "my paper")
    result = diagnose(curve("pass_all", [0.0, 0.0, 0.1, 0.5], n_items=10),
                      metrics={"pass_all": info})
    row = one(result, "pass_all")
    assert row["metric_kind"] == "discontinuous" and row["n_items_min"] == 10


def test_columns_are_documented():
    result = diagnose(curve("exact_match", [0.0, 0.1, 0.2, 0.4], n_items=10))
    assert list(result.columns) == list(CURVE_COLUMNS)
    assert list(result.attrs["points"].columns) == list(POINT_COLUMNS)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("name, message", [
    ("text_in_numeric.csv", r"text_in_numeric.csv, column 'value', line 4: '0.1 \(approx\)' is not "
                            "a number"),
    ("nan_value.csv", r"nan_value.csv, column 'value', line 3: 'NaN': a missing value"),
    ("nonpositive_scale.csv", r"column 'scale', line 2: scale 0 is not positive"),
    ("missing_value_marker.csv", r"column 'value', line 5: -100 is outside the range \[0, 1\] of "
                                 r"metric 'exact_str_match'.* -100 and -1"),
    ("percent_not_fraction.csv", r"line 5: 60 is outside .* \(a percentage\? divide by 100\)"),
    ("same_scale.csv", r"column 'scale', lines 3, 4: two models of family 'F' at the same scale "
                       r"1e\+09 \('f-2', 'f-3'\).*families of their own"),
    ("missing_column.csv", r"missing column\(s\) \['value'\]"),
])
def test_bad_files_are_refused_naming_file_column_and_line(name, message):
    with pytest.raises(DiagnoseInputError, match=message):
        diagnose(FIXTURES / "bad" / name)


def test_bad_dataframes_name_the_row():
    table = curve("exact_match", [0.0, 0.1, 0.2, 0.4])
    table.loc[2, "value"] = np.nan
    with pytest.raises(DiagnoseInputError, match=r"the DataFrame, column 'value', row 2"):
        diagnose(table)
    table = curve("exact_match", [0.0, 0.1, 0.2, 0.4])
    table.loc[1, "model"] = "F-0"
    with pytest.raises(DiagnoseInputError, match="has two values of metric"):
        diagnose(table)
    table = curve("exact_match", [0.0, 0.1, 0.2, 0.4], chance=[0.1, 0.1, 0.2, 0.1])
    with pytest.raises(DiagnoseInputError, match="chance differs between the rows of one curve"):
        diagnose(table)


def test_a_missing_file_and_bad_options():
    with pytest.raises(FileNotFoundError, match="does not exist"):
        diagnose("/no/such/results.csv")
    table = curve("exact_match", [0.0, 0.1, 0.2, 0.4])
    for kwargs, message in [({"holdout": 0}, "holdout"), ({"scale_unit": "tokens"}, "scale_unit"),
                            ({"target_length": 1.5}, "target_length"), ({"kind": "json"}, "kind")]:
        with pytest.raises(ValueError, match=message):
            diagnose(table, **kwargs)


# ------------------------------------------------------------------ per-item outputs


def test_per_item_outputs_are_post_processed_and_scored():
    outputs = pd.DataFrame({
        "task": "t", "family": "F", "model": ["a"] * 3 + ["b"] * 3,
        "scale": [1e6] * 3 + [1e7] * 3, "item": [0, 1, 2] * 2,
        "prediction": [" 12\nQ: next", "NA", "99", "12", "130", "1999"],
        "target": ["12", "NA", "199"] * 2,
    })
    table, lengths = tidy_from_outputs(outputs, stop_string="\n", align="right")
    values = table.pivot(index="model", columns="metric", values="value")
    # 'NA' is a prediction like any other, not a missing value
    assert values.loc["a", "exact_match"] == pytest.approx(2 / 3)
    assert values.loc["b", "exact_match"] == pytest.approx(1 / 3)
    assert values.loc["a", "per_token_accuracy"] == pytest.approx((1 + 1 + 2 / 3) / 3)
    assert values.loc["b", "token_edit_distance"] == pytest.approx((0 + 3 + 1) / 3)
    assert table["n_items"].eq(3).all()
    Ls, w = lengths[("t", "F")]
    assert Ls.tolist() == [2, 3] and np.allclose(w, [2 / 3, 1 / 3])


def test_per_item_outputs_give_p_to_the_l_from_their_own_targets():
    result = diagnose(FIXTURES / "outputs.csv", align="right")
    row = one(result, "exact_match", "toy")
    assert row["p_l_source"] == "per_token_accuracy" and row["p_l_length"] == "3"
    assert row["n_items_min"] == 20
    assert result.attrs["settings"]["input"] == "per-item outputs, 120 items"


def test_per_item_outputs_refuse_a_repeated_item():
    outputs = pd.DataFrame({"task": "t", "family": "F", "model": "a", "scale": 1.0,
                            "item": [0, 0], "prediction": ["1", "2"], "target": ["1", "1"]})
    with pytest.raises(DiagnoseInputError, match="item '0' of model 'a' appears twice"):
        tidy_from_outputs(outputs)


# ------------------------------------------------------------------ BIG-bench results


def test_bigbench_results_folder():
    result = diagnose(FIXTURES.parent / "bigbench" / "benchmark_tasks")
    assert result.attrs["settings"]["input"] == ("BIG-bench results, sizes from "
                                                "flop_matched_non_embedding_params")
    assert result["task"].str.contains(r", \d-shot$").all()
    brier = result[result["metric"] == "calibration_multiple_choice_brier_score"]
    assert (~brier["higher_is_better"]).all()


# ------------------------------------------------------------------ the report


def normalise(text):
    """Numbers to 3 significant digits, so the comparison is not bit for bit."""
    return re.sub(r"-?\d+\.\d+(e[+-]\d+)?", lambda m: f"{float(m.group()):.3g}", text)


def test_report_matches_the_stored_expected_report():
    result = diagnose(FIXTURES / "tidy.csv")
    result.attrs["settings"]["source"] = "tidy.csv"
    expected = (FIXTURES / "expected_report.md").read_text(encoding="utf-8")
    assert normalise(to_markdown(result)) == normalise(expected)


def test_write_report_writes_everything_and_never_overwrites(tmp_path):
    result = diagnose(FIXTURES / "tidy.csv")
    out = tmp_path / "report"
    written = write_report(result, out)
    names = sorted(p.name for p in written)
    assert {"report.md", "report.json", "curves.csv", "points.csv"} <= set(names)
    figures = sorted((out / "figures").glob("*.png"))
    assert len(figures) == result[["task", "family"]].drop_duplicates().shape[0]
    report = (out / "report.md").read_text()
    assert "](figures/" in report and "![addition, Alpha: 3 metrics against model scale" in report
    from PIL import Image

    assert "addition, Alpha" in Image.open(figures[0]).info.get("Description", "") or any(
        "addition, Alpha" in Image.open(f).info.get("Description", "") for f in figures)
    back = pd.read_csv(out / "curves.csv")
    assert back["verdict"].tolist() == result["verdict"].tolist()
    before = (out / "report.md").stat().st_mtime_ns
    with pytest.raises(FileExistsError, match="already exists"):
        write_report(result, out)
    assert (out / "report.md").stat().st_mtime_ns == before
    (out / "mine.txt").write_text("keep")
    write_report(result, out, force=True, figures=False)
    assert (out / "mine.txt").read_text() == "keep"
    assert not list((out / "figures").glob("*.png"))


def test_figure_has_a_panel_per_metric_with_intervals_and_the_floor():
    result = diagnose(FIXTURES / "tidy.csv")
    fig = plot_family(result, "addition", "Alpha")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title().split("\n")[0] for ax in axes] == [
        "exact_match", "per_token_accuracy", "per_token_cross_entropy"]
    labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert "observed, 95% interval" in labels
    assert "resolution floor" in labels
    assert "p^L (per-token)" in labels and "backtest forecast" in labels
    assert axes[0].get_xscale() == "log" and "parameters" in axes[0].get_xlabel()
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_figures_on_request():
    table, figures = diagnose(FIXTURES / "tidy.csv", figures=True)
    assert set(figures) == set(map(tuple, table[["task", "family"]].drop_duplicates().values))
    import matplotlib.pyplot as plt

    plt.close("all")


def test_a_flat_family_is_forecast_as_flat():
    scales = np.logspace(7, 12, 8)
    row = one(diagnose(curve("exact_match", [0.365] * 8, scales=scales)), "exact_match")
    assert row["backtest_kind"] == "flat" and row["backtest_forecast"] is True
    assert "forecast by the smaller ones, flat within their noise (predicted 0.365" in row["verdict"]
    # noise about a level, weighed with n_items: flat, and forecast
    noisy = [0.25, 0.27, 0.24, 0.26, 0.23, 0.25, 0.26, 0.245]
    row = one(diagnose(curve("exact_match", noisy, scales=scales, n_items=200)), "exact_match")
    assert row["backtest_kind"] == "flat" and row["backtest_forecast"] is True
    # without a noise estimate, the same curve gets the logistic
    assert one(diagnose(curve("exact_match", noisy, scales=scales)),
               "exact_match")["backtest_kind"] == "logistic"


def test_the_summary_gives_the_forecasts_mean_error():
    result = diagnose(FIXTURES / "tidy.csv")
    counts = summary(result)
    made = result["backtest_forecast"].map(lambda v: v is not None)
    assert counts["backtests"] == made.sum() == 6
    assert counts["backtest_mean_error"] == pytest.approx(result.loc[made, "backtest_error"].mean())


# ------------------------------------------------------------------ the metrics researchers use


# lm-evaluation-harness 0.4.13 registers every metric with its direction
# (lm_eval/api/metrics.py, register_metric(..., higher_is_better=...)); 0.3.0 names
# TruthfulQA's scores mc1 and mc2 and LAMBADA's perplexity ppl (lm_eval/tasks).
LM_EVAL_DIRECTIONS = {
    "acc": True, "acc_norm": True, "acc_mutual_info": True, "acc_bytes": True, "acc_all": True,
    "exact_match": True, "perplexity": False, "word_perplexity": False,
    "byte_perplexity": False, "bits_per_byte": False, "brier_score": False, "mcc": True,
    "f1": True, "bleu": True, "chrf": True, "chrf++": True, "ter": False,
    "mc1": True, "mc2": True, "ppl": False,
}


def test_lm_evaluation_harness_metrics_are_in_the_catalogue():
    for name, better in LM_EVAL_DIRECTIONS.items():
        assert name in METRICS, name
        assert METRICS[name].higher_is_better is better, name
    # a grade by argmax counts items; a perplexity is a smooth partner
    assert METRICS["acc"].counts_items and METRICS["acc"].kind == "discontinuous"
    assert METRICS["word_perplexity"].kind == "continuous"


# HELM's schema (crfm-helm 0.5.16, schema_classic.yaml) gives each metric lower_is_better
HELM_LOWER_IS_BETTER = {"exact_match": False, "quasi_exact_match": False,
                        "prefix_exact_match": False, "logprob": False, "bits_per_byte": True,
                        "perplexity": True, "rouge_l": False, "bleu_4": False, "f1_score": False,
                        "ece_10_bin": True, "toxic_frac": True}


def test_helm_metrics_are_in_the_catalogue():
    for name, lower in HELM_LOWER_IS_BETTER.items():
        assert METRICS[name].higher_is_better is not lower, name
    table = pd.concat([curve("quasi_exact_match", [0.0, 0.0, 0.01, 0.1, 0.5, 0.9], n_items=500),
                       curve("logprob", [-3.0, -2.4, -1.9, -1.5, -1.2, -1.0])])
    row = one(diagnose(table), "quasi_exact_match")
    assert row["partner_metric"] == "logprob" and truth(row["metric_made"]) is True


def test_accuracy_beside_the_perplexity_of_the_same_outputs():
    # a LAMBADA-like family (simulated numbers): accuracy and perplexity of the same outputs
    sizes = ["70M", "160M", "410M", "1B", "1.4B", "2.8B", "6.9B", "12B"]
    table = pd.concat([curve("acc", [0.0, 0.0, 0.01, 0.05, 0.15, 0.35, 0.6, 0.7],
                             scales=sizes, n_items=5153),
                       curve("perplexity", [900, 300, 90, 40, 20, 9, 5, 4], scales=sizes)])
    result = diagnose(table)
    row = one(result, "acc")
    assert row["scale_min"] == 7e7 and row["scale_max"] == 1.2e10       # sizes as written
    assert row["partner_metric"] == "perplexity" and truth(row["metric_made"]) is True


def test_sizes_with_suffixes_in_a_file(tmp_path):
    path = tmp_path / "sizes.csv"
    curve("exact_match", [0.0, 0.1, 0.2, 0.3], scales=["70M", "6.9B", "12b", "1.2T"]).to_csv(
        path, index=False)
    row = one(diagnose(path), "exact_match")
    assert row["scale_min"] == 7e7 and row["scale_max"] == 1.2e12
    bad = curve("exact_match", [0.0, 0.1, 0.2, 0.3], scales=["70M", "6.9B", "huge", "1.2T"])
    bad.to_csv(path, index=False)
    with pytest.raises(DiagnoseInputError, match=r"column 'scale', line 4: 'huge' is not a "
                                                 r"number \(a number, or a size such as 70M"):
        diagnose(path)


def test_impossible_directions_and_chance_levels_are_refused():
    with pytest.raises(DiagnoseInputError, match="'accuracy' is higher is better"):
        diagnose(curve("accuracy", [0.1, 0.2, 0.3, 0.4], higher_is_better=[False] * 4))
    with pytest.raises(DiagnoseInputError, match="catalogue knows as higher-is-better"):
        diagnose(curve("accuracy", [0.1, 0.2, 0.3, 0.4]), lower_is_better={"accuracy"})
    with pytest.raises(DiagnoseInputError, match="best value metric 'accuracy' can take"):
        diagnose(curve("accuracy", [0.1, 0.2, 0.3, 0.4], chance=1.0))
    with pytest.raises(DiagnoseInputError, match="outside the range"):
        diagnose(curve("accuracy", [0.1, 0.2, 0.3, 0.4], chance=1.5))
    # agreeing with the catalogue is fine
    assert len(diagnose(curve("accuracy", [0.1, 0.2, 0.3, 0.4], higher_is_better=[True] * 4)))


def test_rounded_values_are_whole_counts_within_their_last_digit(tmp_path):
    # a value rounded to 4 decimals: 3,202 of 5,153 items is 0.621385..., written 0.6214
    row = diagnose(curve("acc", [0.1, 0.2, 0.4, 0.6214], n_items=5153)).attrs["points"]
    assert row["n_correct"].iloc[-1] == 3202
    path = tmp_path / "bad.csv"
    curve("exact_match", [0.0, 0.333, 0.5, 0.75], n_items=4).to_csv(path, index=False)
    with pytest.raises(DiagnoseInputError, match=r"bad.csv, column 'n_items', line 3: model"):
        diagnose(path)


def test_notes_come_before_the_curves():
    result = diagnose(pd.concat([curve("my_score", [0.1, 0.2, 0.3, 0.4]),
                                 curve("exact_match", [0.0, 0.1, 0.2, 0.3])]))
    from emergence.diagnose.report import format_terminal

    lines = format_terminal(result).splitlines()
    assert lines[2].startswith("note: metric(s) not in the catalogue: my_score")
    # a selection of the report's curves does not repeat the whole report's notes
    part = result[result["metric"] == "exact_match"]
    assert not any(line.startswith("note:") for line in format_terminal(part).splitlines())


def test_a_semicolon_separated_file_is_read_and_said(tmp_path):
    path = tmp_path / "results.csv"
    curve("exact_match", [0.0, 0.1, 0.2, 0.3]).to_csv(path, index=False, sep=";")
    result = diagnose(path)
    assert one(result, "exact_match")["n_models"] == 4
    assert any("separated by semicolons" in note for note in result.attrs["notes"])


def test_report_figures_drawn_in_processes_are_the_same_as_in_one(tmp_path):
    table = pd.concat([curve("exact_match", [0.0, 0.1, 0.2, 0.3], family=f"F{i}")
                       for i in range(9)])
    result = diagnose(table)
    one_process = write_report(result, tmp_path / "a", workers=1)
    two = write_report(result, tmp_path / "b", workers=2)
    pngs = sorted(p.name for p in one_process if p.suffix == ".png")
    assert len(pngs) == 9 == len([p for p in two if p.suffix == ".png"])
    for name in pngs:
        assert (tmp_path / "a" / "figures" / name).read_bytes() == \
            (tmp_path / "b" / "figures" / name).read_bytes()

"""emergence.diagnose.shape: where a curve makes its gain, weighed against its noise."""

import numpy as np
import pandas as pd
import pytest

from emergence.diagnose.shape import binomial_stderr, judge_shape


def truth(x):
    return None if x is pd.NA else bool(x)


@pytest.mark.parametrize("n", [4, 5, 12, 24, 50])
def test_a_straight_line_scores_the_same_for_any_number_of_models(n):
    scales = np.logspace(6, 12, n)
    row = judge_shape(scales, np.linspace(0.2, 0.8, n)).iloc[0]
    assert row["share_by_mid_scale"] == pytest.approx(0.5)
    assert row["steepest_quarter"] == pytest.approx(0.25)
    assert truth(row["sharp"]) is False and truth(row["late"]) is False
    assert truth(row["early"]) is False


def test_a_line_in_model_index_is_judged_on_the_scale_axis():
    # even steps between models, but the first four models share the first fifth of the axis:
    # on the scale axis the curve made 75% of its gain early
    scales = [1e6, 2e6, 4e6, 8e6, 1e12]
    row = judge_shape(scales, [0.1, 0.2, 0.3, 0.4, 0.5]).iloc[0]
    assert row["share_by_mid_scale"] > 0.8 and truth(row["early"]) is True


def test_late_jump_early_rise_and_direction():
    scales = np.logspace(6, 12, 7)
    late = [0.0, 0.0, 0.0, 0.0, 0.05, 0.4, 0.9]
    early = [3.0, 1.0, 0.6, 0.5, 0.45, 0.42, 0.4]        # a loss: lower is better
    shape = judge_shape(np.vstack([scales, scales]), np.vstack([late, early]), [True, False])
    assert [truth(v) for v in shape["sharp"]] == [True, False]
    assert [truth(v) for v in shape["early"]] == [False, True]
    assert shape["net_gain"].tolist() == pytest.approx([0.9, 2.6])


def test_a_jump_in_the_middle_is_concentrated_and_sharp():
    scales = np.logspace(6, 12, 9)
    row = judge_shape(scales, [0.1] * 4 + [0.5] + [0.9] * 4).iloc[0]
    assert row["steepest_quarter"] == pytest.approx(1.0)
    assert truth(row["concentrated"]) is True and truth(row["sharp"]) is True


def test_inside_a_band_the_judgement_is_unclear():
    # 30% of the gain by mid-scale, no concentration: between late (< 25%) and not late (> 35%)
    scales = np.logspace(0, 2, 3)
    row = judge_shape(scales, [0.0, 0.3, 1.0]).iloc[0]
    assert row["share_by_mid_scale"] == pytest.approx(0.3)
    assert truth(row["late"]) is None and truth(row["sharp"]) is None


def test_noise_decides_whether_a_curve_changes():
    scales = np.logspace(6, 12, 8)
    values = [0.5] * 7 + [0.53]
    weighed = judge_shape(scales, values, stderr=binomial_stderr(values, [200] * 8)).iloc[0]
    assert weighed["change"] == "flat" and truth(weighed["sharp"]) is False
    assert np.isnan(weighed["share_by_mid_scale"])
    unweighed = judge_shape(scales, values).iloc[0]
    assert unweighed["change"] == "rises" and np.isnan(unweighed["noise"])
    # float noise is no change
    assert judge_shape(scales, 0.3 + np.arange(8) * 1e-15).iloc[0]["change"] == "flat"
    assert judge_shape(scales, [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]).iloc[0]["change"] == "declines"


def test_padded_rows_of_different_lengths():
    x = np.array([[1e6, 1e7, 1e8, 1e9, np.nan], np.logspace(6, 10, 5)])
    y = np.array([[0.1, 0.2, 0.3, 0.4, np.nan], [0.0, 0.0, 0.0, 0.1, 0.8]])
    shape = judge_shape(x, y)
    assert shape["share_by_mid_scale"].tolist() == pytest.approx([0.5, 0.0])
    # the same answers one chunk at a time
    assert judge_shape(x, y, chunk=1).equals(shape)


def test_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        judge_shape([1, 2, 3], [0.1, 0.2])
    with pytest.raises(ValueError, match="two or more"):
        judge_shape([[1.0, np.nan]], [[0.1, np.nan]])


def test_binomial_stderr():
    assert binomial_stderr([0.5], [100])[0] == pytest.approx(np.sqrt(0.5 * 0.5 / 100))
    assert binomial_stderr([0.0], [100])[0] > 0          # 0 of n is not noiseless
    assert np.isnan(binomial_stderr([0.5], [np.nan])[0])

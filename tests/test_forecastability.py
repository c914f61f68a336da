"""Backtests of every family of the book: one row per forecast, with the stated tolerance."""

import numpy as np
import pandas as pd
import pytest

from emergence.forecast.backtest import backtest
from emergence.forecast.forecastability import CURVES, TOLERANCE, family_backtests, hit_rates
from emergence.experiments.scoreboard import metric_pairs


def test_every_scoreboard_curve_is_forecast():
    curves, _ = metric_pairs()
    table = family_backtests()
    assert set(zip(table["family"], table["metric"])) == set(curves)
    assert set(table["metric"]) <= set(CURVES)


def test_rows_are_the_shared_backtest():
    curves, _ = metric_pairs()
    table = family_backtests()
    x, y, better = curves["arithmetic: addition", "accuracy"]
    ref = backtest(np.asarray(x, float), np.asarray(y, float), kind="logistic", holdout=2)
    ours = table.query("family == 'arithmetic: addition' and metric == 'accuracy'")
    assert np.allclose(ours["predicted"], ref["predicted"])


def test_tolerance_is_applied_as_stated():
    table = family_backtests()
    bounded = table["metric"].map(lambda m: CURVES[m][3])
    scale = table["metric"].map(lambda m: CURVES[m][2] - CURVES[m][1])
    absolute = table["error"].abs() / scale
    relative = table["error"].abs() / table["observed"].abs()
    expected = np.where(bounded, absolute <= TOLERANCE["bounded"], relative <= TOLERANCE["unbounded"])
    assert (table["within"].to_numpy() == expected).all()
    loose = family_backtests(tolerance={"bounded": 1.0, "unbounded": 1e9})
    assert loose["within"].sum() >= table["within"].sum()


def test_hit_rates_add_up():
    rates = hit_rates(family_backtests())
    assert rates.loc["all", "forecasts"] == rates.loc[["sharp", "smooth"], "forecasts"].sum()
    assert rates.loc["all", "within"] == rates.loc[["sharp", "smooth"], "within"].sum()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: family_backtests(tolerance={"bounded": 0.1}), "tolerance"),
        (lambda: hit_rates(pd.DataFrame({"x": [1]})), "family_backtests"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()

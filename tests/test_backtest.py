"""Backtests: the logistic and power-law fits, their agreement with scipy, the held-out errors."""

import numpy as np
import pytest
from scipy.optimize import curve_fit
from scipy.special import expit

from emergence.forecast.backtest import (MAX_SLOPE, MIDPOINT_PAD, backtest, backtest_many, fit_logistic,
                                fit_logistic_many)
from emergence.measure.scaling import fit_power_law

X = np.logspace(7, 11, 9)


def logistic(x, mid, slope, floor=0.0, ceiling=1.0):
    return floor + (ceiling - floor) * expit(slope * (np.log10(x) - np.log10(mid)))


@pytest.mark.parametrize("mid, slope, floor, ceiling", [
    (1e9, 1.5, 0.0, 1.0), (3e8, 0.7, 0.25, 1.0), (2e10, 4.0, 0.1, 0.9), (1e9, -1.2, 0.0, 1.0),
])
def test_recovers_an_exact_logistic(mid, slope, floor, ceiling):
    y = logistic(X, mid, slope, floor, ceiling)
    fit = fit_logistic(X, y, floor=floor, ceiling=ceiling, higher_is_better=slope > 0)
    assert np.isclose(fit.midpoint, mid, rtol=1e-5)
    assert np.isclose(fit.slope, slope, rtol=1e-5)
    assert fit.rmse < 1e-7
    assert np.allclose(fit.predict(X), y, atol=1e-7)


def _curve_fit_sse(t, y, floor, ceiling, starts):
    """Least squares by scipy's curve_fit, best of several starts, within the same bounds."""
    pad = max(t.max() - t.min(), MIDPOINT_PAD)
    lo, hi = [t.min() - pad, 0.0], [t.max() + pad, MAX_SLOPE]
    best = np.inf
    for p0 in starts:
        try:
            p, _ = curve_fit(lambda t, m, k: floor + (ceiling - floor) * expit(k * (t - m)),
                             t, y, p0=p0, bounds=(lo, hi))
        except RuntimeError:
            continue
        sse = float(np.sum((floor + (ceiling - floor) * expit(p[1] * (t - p[0])) - y) ** 2))
        best = min(best, sse)
    return best


def test_agrees_with_scipy_curve_fit_on_noisy_logistic_curves():
    rng = np.random.default_rng(0)
    t = np.log10(X)
    for _ in range(40):
        mid, slope = 10 ** rng.uniform(7.5, 10.5), rng.uniform(0.3, 5)
        y = logistic(X, mid, slope, 0.25) + rng.normal(0, 0.02, X.size)
        fit = fit_logistic(X, y, floor=0.25)
        ours = float(np.sum((fit.predict(X) - y) ** 2))
        ref = _curve_fit_sse(t, y, 0.25, 1.0, [(np.log10(mid), slope)])
        assert ours <= ref * (1 + 1e-6) + 1e-12
        assert np.isclose(ours, ref, rtol=1e-4)


def test_never_worse_than_curve_fit_from_many_starts_on_any_curve():
    # curves of every shape, not only logistic ones: noise, noisy logistics,
    # flat at chance and then one jump (two local minima), 3 to 9 models
    rng = np.random.default_rng(5)
    for trial in range(36):
        npts = int(rng.integers(3, 10))
        x, t = X[:npts], np.log10(X[:npts])
        if trial % 3 == 0:
            y = rng.uniform(-0.1, 1.1, npts)
        elif trial % 3 == 1:
            y = np.clip(logistic(x, 10 ** rng.uniform(6, 12), rng.uniform(0.2, 8))
                        + rng.normal(0, 0.05, npts), 0, 1)
        else:
            y = np.r_[0.25 + rng.normal(0, 0.01, npts - 1), rng.uniform(0.3, 1)]
        starts = [(m, k) for m in np.linspace(t.min() - 1, t.max() + 1, 5)
                  for k in (0.1, 1.0, 5.0, 19.0)]
        fit = fit_logistic(x, y)
        ours = float(np.sum((fit.predict(x) - y) ** 2))
        # within 1e-4 of the best, or 1e-9 in squared units (an rmse of 3e-5): a
        # convergence tolerance, not a different minimum
        assert ours <= _curve_fit_sse(t, y, 0.0, 1.0, starts) * (1 + 1e-4) + 1e-9, trial


def test_many_curves_at_once_equal_one_at_a_time_with_missing_points():
    rng = np.random.default_rng(2)
    xs = np.tile(X, (5, 1))
    ys = np.clip(logistic(xs, 1e9, 1.0) + rng.normal(0, 0.05, xs.shape), 0, 1)
    xs[1, 6:] = np.nan  # a family with fewer models
    ys[3, 4] = np.nan
    floors = np.array([0.0, 0.25, 0.0, 0.1, 0.0])
    mid, slope, rmse = fit_logistic_many(xs, ys, floors, 1.0, [True, True, False, True, True])
    for i in range(5):
        keep = np.isfinite(xs[i]) & np.isfinite(ys[i])
        one = fit_logistic(xs[i][keep], ys[i][keep], floor=floors[i], higher_is_better=i != 2)
        assert np.allclose([one.midpoint, one.slope, one.rmse], [mid[i], slope[i], rmse[i]],
                           rtol=1e-6, atol=1e-9)


def test_a_family_flat_at_chance_is_forecast_to_stay_there():
    y = [0.25, 0.25, 0.25, 0.25, 0.9]
    table = backtest(X[:5], y, floor=0.25)
    assert np.isclose(table["predicted"].iloc[0], 0.25, atol=1e-4)
    assert np.isclose(table["error"].iloc[0], 0.25 - 0.9, atol=1e-4)


def test_logistic_backtest_on_an_exact_logistic_has_no_error():
    y = logistic(X, 1e9, 1.3, 0.25)
    table = backtest(X, y, holdout=3, floor=0.25)
    assert list(table.columns) == ["scale", "observed", "predicted", "error"]
    assert np.allclose(table["scale"], X[-3:]) and np.allclose(table["observed"], y[-3:])
    assert np.abs(table["error"]).max() < 1e-6


def test_power_law_of_a_loss_reuses_fit_power_law():
    loss = 2.0 + 0 * X + (X / 1e5) ** -0.2  # a loss with floor 2 nats
    table = backtest(X, loss, kind="power_law", holdout=2, floor=2.0, ceiling=10.0,
                     higher_is_better=False)
    ref = fit_power_law(X[:-2], loss[:-2] - 2.0)
    assert np.allclose(table["predicted"], 2.0 + ref.predict(X[-2:]))
    assert np.abs(table["error"]).max() < 1e-9
    assert table.attrs["fit"] == ref


def test_power_law_of_an_error_rate_predicts_the_accuracy():
    accuracy = 1 - (X / 1e3) ** -0.15
    table = backtest(X, accuracy, kind="power_law", holdout=1)
    assert np.isclose(table["predicted"].iloc[0], accuracy[-1], rtol=1e-9)


def test_deterministic():
    y = np.clip(logistic(X, 3e9, 2.0) + np.random.default_rng(3).normal(0, 0.05, X.size), 0, 1)
    a, b = backtest(X, y, holdout=2), backtest(X, y, holdout=2)
    assert a.equals(b)


@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "sigmoid"}, "kind must be one of"),
    ({"holdout": 0}, "holdout must be a whole number"),
    ({"holdout": 7}, "needs at least 10 models"),
    ({"floor": 1.0}, "floor must be below ceiling"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        backtest(X, np.linspace(0, 1, X.size), **kwargs)


def test_power_law_refuses_a_value_at_its_bound():
    with pytest.raises(ValueError, match="strictly worse than the best bound"):
        backtest(X, np.r_[np.linspace(0.1, 1.0, 8), 1.0], kind="power_law")


def test_unsorted_scales_are_refused():
    with pytest.raises(ValueError, match="sorted"):
        fit_logistic(X[::-1], np.linspace(0, 1, X.size))


def test_many_curves_backtested_at_once_agree_with_one_at_a_time():
    rng = np.random.default_rng(7)
    n_curves, kinds, xs, ys, lengths = 30, [], [], [], []
    for i in range(n_curves):
        n = int(rng.integers(5, 10))
        x = np.sort(10 ** rng.uniform(6, 12, n))
        if i % 2 == 0:
            kinds.append("logistic")
            y = np.clip(logistic(x, 10 ** rng.uniform(7, 11), rng.uniform(0.3, 4), 0.25)
                        + rng.normal(0, 0.03, n), 0, 1)
        else:
            kinds.append("power_law")
            y = 1.5 + (x / 1e4) ** rng.uniform(-0.3, -0.05) * np.exp(rng.normal(0, 0.02, n))
        xs.append(x)
        ys.append(y)
        lengths.append(n)
    width = max(lengths)
    px = np.full((n_curves, width), np.nan)
    py = np.full((n_curves, width), np.nan)
    for i, (x, y) in enumerate(zip(xs, ys)):
        px[i, :len(x)], py[i, :len(y)] = x, y
    floor = np.where(np.array(kinds) == "logistic", 0.25, 1.5)
    ceiling = np.where(np.array(kinds) == "logistic", 1.0, 20.0)
    better = np.array(kinds) == "logistic"
    many = backtest_many(px, py, kind=kinds, holdout=2, floor=floor, ceiling=ceiling,
                         higher_is_better=better)
    assert (many["reason"] == "").all() and len(many) == 2 * n_curves
    for i in range(n_curves):
        one = backtest(xs[i], ys[i], kind=kinds[i], holdout=2, floor=floor[i],
                       ceiling=ceiling[i], higher_is_better=better[i])
        mine = many[many["curve"] == i]
        assert np.array_equal(mine["scale"].to_numpy(), one["scale"].to_numpy())
        assert np.allclose(mine["predicted"], one["predicted"], rtol=1e-6, atol=1e-7)


def test_many_curves_say_why_a_backtest_was_not_made():
    xs = np.tile(X[:5], (3, 1))
    ys = np.array([[0.1, 0.2, 0.4, 0.6, 0.9], [0.2, 0.5, 1.0, 0.8, 0.9], [1, 2, 3, np.nan, np.nan]])
    out = backtest_many(xs, ys, kind=["logistic", "power_law", "logistic"], holdout=1)
    assert out["reason"].tolist() == [
        "", "a fitted value at or beyond the best bound (use a logistic)",
        "fewer than 4 models (three to fit, 1 to hold back)"]
    assert np.isnan(out["predicted"].iloc[1:]).all()


def test_a_flat_backtest_forecasts_the_mean():
    x = [1e7, 1e8, 1e9, 1e10, 1e11]
    table = backtest(x, [0.365] * 5, kind="flat")
    assert table["predicted"].tolist() == [0.365] and table["error"].tolist() == [0.0]
    many = backtest_many(np.tile(x, (2, 1)), [[0.2, 0.3, 0.25, 0.25, 0.9], [0.365] * 5],
                         kind="flat", holdout=1)
    assert many["predicted"].round(6).tolist() == [0.25, 0.365]
    assert many["fit_rmse"].round(4).tolist() == [round(np.std([0.2, 0.3, 0.25, 0.25]), 4), 0.0]

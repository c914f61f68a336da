"""Checks of the closing chapter's exercises on the new evidence: right answers accepted,
the expected wrong ones named."""

import numpy as np

from emergence.forecast.backtest import backtest
from emergence.book.exercises import evaluate
from emergence.experiments.scoreboard import SHARP, SMOOTH, metric_pairs, scoreboard


def _aggregate_forecast(holdout=2, kind="power_law"):
    curves, _ = metric_pairs(include_real_jumps=True)
    x, y, _ = curves["sparse parity: aggregate", "cross-entropy"]
    t = backtest(np.asarray(x, dtype=float), np.asarray(y, dtype=float), kind=kind,
                 holdout=holdout, higher_is_better=False)
    return (t["predicted"] / t["observed"]).to_numpy()


def test_smooth_average_backtest_accepts_the_widest_models_ratio():
    ratio = _aggregate_forecast()[-1]
    feedback = evaluate("conclusion-4", ratio)
    assert feedback.ok and "smooth is not the same as predictable" in feedback.message
    assert evaluate("conclusion-4", round(ratio, 3)).ok
    assert not evaluate("conclusion-4", 1.05 * ratio).ok


def test_smooth_average_backtest_names_the_expected_mistakes():
    forecasts = _aggregate_forecast()
    cases = {1 / forecasts[-1]: "reciprocal",
             forecasts[0]: "second widest",
             _aggregate_forecast(holdout=1)[-1]: "held back one",
             _aggregate_forecast(kind="logistic")[-1]: "power law"}
    for answer, needle in cases.items():
        feedback = evaluate("conclusion-4", answer)
        assert feedback.status == "wrong" and needle in feedback.message, (answer, feedback.message)


def test_largest_metric_effect_is_read_from_the_board_the_chapter_shows():
    shares = (scoreboard(include_real_jumps=True).reset_index()
              .pivot(index="family", columns="kind", values="share_of_gain_at_middle"))
    best = (shares[SMOOTH] - shares[SHARP]).abs().dropna().idxmax()
    assert evaluate("conclusion-3", best).ok
    assert not evaluate("conclusion-3", "grokking: test set, along training").ok

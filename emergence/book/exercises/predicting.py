"""Checks for the exercises of the chapter "After the mirage (2): predicting abilities before they appear".

Every expected answer is computed from the tables in ``data/`` with the same
functions the chapter uses, so the checks follow the data if it is
regenerated.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from emergence.forecast.backtest import backtest
from emergence.io.datasets import load
from emergence.book.exercises import close_to, say

#: The addition model of exercise predicting-3 and the success level it asks for.
MODEL, LEVEL = "w024", 0.9
#: The Beta distribution of exercise predicting-4.
BETA = (0.4, 5.0)


@lru_cache(maxsize=None)
def one_component_mse(n_components: int = 1) -> float:
    """Held-out MSE of the observational law for 2-digit multiplication with ``n_components``."""
    from emergence.forecast.observational import BENCHMARKS, LLAMA2_7B_FLOPS, compare_predictors, held_out_errors

    emergent = load("obsscaling_emergent")
    rows = emergent[(emergent["task"] == "arithmetic_2dm")
                    & (emergent["metric"] == "accuracy")].set_index("model")
    forecast = compare_predictors(
        load("obsscaling_benchmarks"), rows["score"] / rows["score_max"],
        cutoff=LLAMA2_7B_FLOPS / 4, use=[b for b in BENCHMARKS if b != "gsm8k"],
        n_components=n_components, predictors=("principal capabilities",))
    return float(held_out_errors(forecast)["mse_held_out"].iloc[0])


def _one_component(answer):
    expected, three = one_component_mse(1), one_component_mse(3)
    return close_to(answer, expected, rel=0.02,
                    right=say("{expected:.3f}, {ratio:.1f} times the error with three "
                              "components ({three:.3f}). The paper finds that more than two "
                              "components beat training FLOPs and that three are the most "
                              "robust (its Appendix C.4).",
                              expected=expected, ratio=expected / three, three=three),
                    hint=say("call compare_predictors as the chapter does for arithmetic_2dm "
                             "(cut-off LLAMA2_7B_FLOPS / 4, GSM8K left out) with "
                             "n_components=1, then take held_out_errors(...)['mse_held_out']."))


@lru_cache(maxsize=None)
def loss_forecast_ratio() -> float:
    """Forecast / observed per-token loss of the largest multiplication model, power law on the rest."""
    rows = load("arithmetic_summary").query("task == 'multiplication'").sort_values("params")
    table = backtest(rows["params"].to_numpy(), rows["per_token_loss"].to_numpy(),
                     kind="power_law", holdout=2, higher_is_better=False)
    return float(table["predicted"].iloc[-1] / table["observed"].iloc[-1])


def _loss_ratio(answer):
    expected = loss_forecast_ratio()
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return False, say("expected a number (a ratio), got {answer!r}.", answer=answer)
    if value > 0 and abs(1 / value - expected) <= 0.02 * expected:
        return False, say("that is observed / forecast; the question asks for forecast / "
                          "observed.")
    return close_to(value, expected, rel=0.02,
                    right=say("{expected:.2f}: the power law fitted to the eight smaller "
                              "models says the largest one's loss should be {expected:.1f} "
                              "times what it is. The smooth metric improved faster at the top "
                              "than its own trend.", expected=expected),
                    hint=say("backtest(params, per_token_loss, kind='power_law', holdout=2, "
                             "higher_is_better=False) on the multiplication rows of "
                             "load('arithmetic_summary'), sorted by params; divide the last "
                             "'predicted' by the last 'observed'."))


@lru_cache(maxsize=None)
def attempts_needed() -> tuple[int, float]:
    """Smallest k at which the addition model MODEL reaches pass@k >= LEVEL, and its pass@1."""
    from emergence.experiments.arithmetic import load_outputs
    from emergence.measure.infinite_resolution import answer_pass_probability
    from emergence.measure.pass_at_k import average_pass_at_k

    out = load_outputs("addition")
    p, _ = answer_pass_probability(out["token_loss"], out["end_loss"])
    p = p[out["models"].index(MODEL)]
    # pass@k rises with k: bisect for the first k at LEVEL instead of computing every k
    lo, hi = 1, 10_000
    if average_pass_at_k(p, [hi])[0] < LEVEL:
        raise RuntimeError(f"the model does not reach pass@k = {LEVEL} within {hi} attempts.")
    while lo < hi:
        mid = (lo + hi) // 2
        if average_pass_at_k(p, [mid])[0] >= LEVEL:
            hi = mid
        else:
            lo = mid + 1
    return lo, float(average_pass_at_k(p, [1])[0])


def _attempts(answer):
    expected, first = attempts_needed()
    try:
        value = int(answer)
    except (TypeError, ValueError):
        return False, say("expected a whole number of attempts, got {answer!r}.", answer=answer)
    if value != float(answer):
        return False, say("attempts come in whole numbers.")
    if value == expected:
        return True, (say("k = {expected}: the model solves {first:.1%} of the problems in "
                          "one attempt but needs {expected} attempts to reach 90%; the last "
                          "tenth are the problems of its left tail.",
                          expected=expected, first=first))
    if value > expected:
        return False, say("pass@k is already at 0.9 for a smaller k: find the first k that "
                          "reaches it.")
    return False, say("pass@k is still below 0.9 there.")


def beta_exponent() -> float:
    """The exponent of -log pass@k for Beta(*BETA) success rates, fitted over k = 10..10^6."""
    from emergence.measure.pass_at_k import beta_average_pass_at_k, fit_attempts_power_law

    k = np.unique(np.logspace(1, 6, 26).round())
    return fit_attempts_power_law(k, beta_average_pass_at_k(*BETA, k)).b


def _beta(answer):
    fitted = beta_exponent()
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return False, say("expected a number (an exponent), got {answer!r}.", answer=answer)
    if abs(value + BETA[0]) < 0.05:
        return False, say("b is defined positive here: -log pass@k = a k ** -b.")
    if abs(value - BETA[1]) < 0.05:
        return False, say("beta sets the right end of the distribution; the left tail is "
                          "alpha's.")
    ok = abs(value - BETA[0]) <= 0.03
    return ok, (say("b = alpha = {alpha}: a density ~ p ** (alpha - 1) near 0 gives -log "
                    "pass@k ~ k ** -alpha (a fit over k = 10 to 10^6 gives {fitted:.3f}).",
                    alpha=BETA[0], fitted=fitted)
                if ok else say("fit_attempts_power_law(k, beta_average_pass_at_k(0.4, 5.0, "
                               "k)) over a wide range of k, or read it off Section 3 of the "
                               "paper."))


CHECKS = {
    "predicting-1": _one_component,
    "predicting-2": _loss_ratio,
    "predicting-3": _attempts,
    "predicting-4": _beta,
}

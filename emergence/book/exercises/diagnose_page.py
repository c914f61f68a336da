"""Checks for the exercises of the page "Checking your own curves: emergence diagnose".

Named diagnose_page, not diagnose: a submodule called diagnose would shadow the
function :func:`emergence.book.exercises.diagnose` once imported.
"""

from __future__ import annotations

from functools import lru_cache

from emergence.measure.scaling import accuracy_interval
from emergence.book.exercises import close_to, say


def ruan_table():
    """The open models of Ruan et al. as the tidy table ``diagnose`` reads."""
    from emergence.io.datasets import load

    ruan = load("obsscaling_emergent")
    return ruan.rename(columns={"params": "scale", "score": "value"})[
        ["task", "family", "model", "scale", "metric", "value"]]


@lru_cache(maxsize=1)
def _skipped() -> int:
    from emergence.diagnose import diagnose

    return int((diagnose(ruan_table())["n_models"] < 3).sum())


def _count_skipped(answer):
    expected = _skipped()
    ok = answer == expected
    return ok, (say("{expected}: almost half the curves, because many families contribute one "
                    "or two models to a task.", expected=expected) if ok else
                say("count the rows of the report whose n_models is below 3."))


def _floor_of_500(answer):
    high = float(accuracy_interval([0], [500])[1][0])
    return close_to(answer, high, rel=0.02,
                    right=say("about {high:.2%}, close to 3.7 / 500 = 0.74%: '0 of 500' means "
                              "'below about 0.7%'.", high=high),
                    hint=say("the upper end of accuracy_interval([0], [500]), or about 3.7 / "
                             "n."))


def multiplication_backtest(holdout: int = 2) -> float:
    """The exact-match backtest of the multiplication family, holding back ``holdout`` models."""
    from emergence.forecast.backtest import backtest
    from emergence.experiments.arithmetic import load_outputs

    out = load_outputs("multiplication")
    table = backtest(out["params"].astype(float), out["correct"].mean(axis=1), kind="logistic",
                     holdout=holdout)
    return float(table["predicted"].iloc[-1])


def _two_held_back(answer):
    expected = multiplication_backtest(2)
    return close_to(answer, expected, rel=0.01,
                    right=say("about {expected:.2f}, against 0.85 observed: the logistic "
                              "fitted to the eight smaller models forecasts the largest one "
                              "within 0.03.", expected=expected),
                    hint=say("backtest(params, accuracy, kind='logistic', holdout=2) on the "
                             "exact-match curve (accuracy = correct.mean(axis=1) of "
                             "load_outputs('multiplication')), then the prediction of its "
                             "last row."))


CHECKS = {
    "diagnose-1": _count_skipped,
    "diagnose-2": _floor_of_500,
    "diagnose-3": _two_held_back,
}

"""The checks of the predicting chapter accept the computed answers and reject near misses."""

import numpy as np

from emergence.book.exercises import check
from emergence.book.exercises import predicting as ex


def test_one_component(capsys):
    mse = ex.one_component_mse()
    assert check("predicting-1", mse) and check("predicting-1", round(mse, 4))
    assert not check("predicting-1", ex.one_component_mse(3))      # the chapter's three components
    assert not check("predicting-1", 1.2 * mse)


def test_loss_ratio(capsys):
    ratio = ex.loss_forecast_ratio()
    assert 1.5 < ratio < 2.5
    assert check("predicting-2", ratio)
    assert not check("predicting-2", 1 / ratio)
    assert "observed / forecast" in capsys.readouterr().out
    assert not check("predicting-2", 1.0)


def test_attempts(capsys):
    k, first = ex.attempts_needed()
    assert 0 < first < ex.LEVEL and k > 1
    assert check("predicting-3", k)
    assert not check("predicting-3", k - 1) and not check("predicting-3", k + 1)
    assert not check("predicting-3", k + 0.5)


def test_beta_exponent(capsys):
    assert abs(ex.beta_exponent() - ex.BETA[0]) < 0.03
    assert check("predicting-4", ex.BETA[0])
    assert not check("predicting-4", -ex.BETA[0]) and not check("predicting-4", ex.BETA[1])
    assert not check("predicting-4", 1.0)
    assert not check("predicting-4", np.nan)

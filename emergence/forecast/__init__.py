"""Predicting larger models from smaller ones, and checking the predictions.

- :mod:`~emergence.forecast.backtest`: fit a logistic or a power law on a family's smaller
  models and predict its largest ones;
- :mod:`~emergence.forecast.observational`: observational scaling laws (principal
  capabilities of benchmark scores, a sigmoid of them fitted below a compute cut-off);
- :mod:`~emergence.forecast.forecastability`: backtests of every family's curves, with a
  stated tolerance.
"""

"""The mirage paper's model of how a metric turns a smooth loss into a curve.

- :mod:`~emergence.model.mirage`: loss -> per-token probability -> metric, and finite
  simulated test sets;
- :mod:`~emergence.model.target_length`: how the length of the answer sharpens the curve.
"""

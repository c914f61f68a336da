"""Scoring model outputs and curves: the lowest layer, built only on the foundation modules.

- :mod:`~emergence.measure.metrics`: exact match, token edit distance, per-token accuracy,
  multiple-choice grade, Brier score, log-likelihood, per-token cross-entropy;
- :mod:`~emergence.measure.postprocess`: raw completions to scorable answers (BIG-bench's
  stop string and output regex, whitespace, number formatting);
- :mod:`~emergence.measure.catalogue`: what is known of each metric in use (range,
  direction, and whether it is a sharp or a smooth function of the outputs);
- :mod:`~emergence.measure.score`: the emergence score of a curve and the share of its gain;
- :mod:`~emergence.measure.scaling`: power-law fits, bootstrap and exact binomial intervals;
- :mod:`~emergence.measure.resolution`: what a test set of n items can and cannot show;
- :mod:`~emergence.measure.infinite_resolution`: the exact chance that one sampled answer
  is right, from teacher-forced token probabilities, and the PassUntil estimator;
- :mod:`~emergence.measure.option_probability`: a multiple-choice score from log-likelihood
  to accuracy, and where the probability goes among the wrong options;
- :mod:`~emergence.measure.pass_at_k`: pass@k from per-problem success rates;
- :mod:`~emergence.measure.transitions`: where a curve crosses a level, over how many
  decades it changes, and by how many decades one metric leads another;
- :mod:`~emergence.measure.subtasks`: per-subtask curves, their frequency-weighted
  aggregate, and the order in which subtasks are learned;
- :mod:`~emergence.measure.vision`: Reconstruction_c and subset accuracy.
"""

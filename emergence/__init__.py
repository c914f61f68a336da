"""Helper package for the book *Emergent abilities, or a mirage?*.

The chapters tell the story; this package does the computing. Its subpackages are
layers, and each imports only from the layers above it in this list
(``tests/test_layers.py`` checks it; ``ARCHITECTURE.md`` draws the layers):

- :mod:`emergence.measure`: scoring model outputs and curves -- the metrics, the
  post-processing of completions, the emergence score, intervals and power-law fits,
  resolution, pass@k, transitions, subtasks, the vision metrics, the metric catalogue;
- :mod:`emergence.io`: reading and writing results -- the book's tables in ``data/``,
  BIG-bench, lm-evaluation-harness, wide leaderboard tables, model sizes as written;
- :mod:`emergence.model`: the mirage paper's model (loss -> per-token probability ->
  metric) and the answer-length analysis built on it;
- :mod:`emergence.experiments`: the model families trained for the book, and every
  family's curves under a sharp and a smooth metric;
- :mod:`emergence.forecast`: backtests, observational scaling laws, forecastability;
- :mod:`emergence.diagnose`: ``emergence diagnose`` -- reading anyone's results, the
  checks, the verdicts and their calibration, the report and the command line;
- :mod:`emergence.book`: what only the chapters need -- exercises and coursework, the
  prose's computed numbers and hidden checks, the explorer, the site's additions, and
  the chapters' own analyses (Wei et al.'s tables, BIG-bench's meta-analysis, vision,
  difficulty).

Three modules serve every layer: :mod:`emergence.plotting` (the house style of figures),
:mod:`emergence.translatable` (prose computed by code, marked for the translated editions)
and ``emergence._validate`` (argument checks with clear messages).

The most used functions are importable from here: ``from emergence import
emergence_score, exact_match, expected_accuracy``. The flat module paths of versions before
0.2.0 (``emergence.score``, ``emergence.exercises``, ...) still import, with a warning
naming the new path (``emergence._moved``).
"""

from emergence import _moved
from emergence.measure.metrics import (
    brier_score,
    exact_match,
    log_likelihood,
    multiple_choice_grade,
    per_token_accuracy,
    per_token_cross_entropy,
    token_edit_distance,
)
from emergence.measure.score import emergence_score
from emergence.model.mirage import (
    accuracy_from_loss,
    expected_accuracy,
    expected_token_edit_distance,
    implied_per_token_probability,
    per_token_loss,
    per_token_probability,
    sample_test_set,
)

__version__ = "0.2.0"

# notebooks saved before 0.2.0 import the package's former flat paths (emergence.score, ...)
_moved.install()

__all__ = [
    "accuracy_from_loss",
    "brier_score",
    "emergence_score",
    "exact_match",
    "expected_accuracy",
    "expected_token_edit_distance",
    "implied_per_token_probability",
    "log_likelihood",
    "multiple_choice_grade",
    "per_token_accuracy",
    "per_token_cross_entropy",
    "per_token_loss",
    "per_token_probability",
    "sample_test_set",
    "token_edit_distance",
]


def __getattr__(name: str):
    # matplotlib takes most of a second to import and only figures need it, so the
    # command line and the numerical modules do not load it; emergence.plotting still works
    import importlib

    if name == "plotting":
        return importlib.import_module(".plotting", __name__)
    if name in _moved.MOVED:            # emergence.score and the like, as before 0.2.0
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'emergence' has no attribute {name!r}")

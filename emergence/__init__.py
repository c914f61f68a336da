"""Helper package for the book *Emergent abilities, or a mirage?*.

The chapters tell the story; this package does the computing:

- :mod:`emergence.metrics`: exact match, token edit distance, per-token accuracy,
  multiple-choice grade, Brier score, log-likelihood, per-token cross-entropy;
- :mod:`emergence.postprocess`: raw completions to scorable answers (BIG-bench's
  stop string and output regex, whitespace, number formatting);
- :mod:`emergence.mirage`: the mirage paper's model, loss -> per-token
  probability -> metric, and finite simulated test sets;
- :mod:`emergence.score`: the emergence score of a curve;
- :mod:`emergence.scaling`: power-law fits and intervals;
- :mod:`emergence.datasets`: the validated tables of ``data/``;
- :mod:`emergence.plotting`: the house style (a colour-blind-safe palette, figures
  sized for the column and shown with their alt text);
- :mod:`emergence.claims`: hidden checks of the prose that report, not fail, when a
  reader changes a constant;
- :mod:`emergence.prose`: numbers the prose states about the families trained here,
  computed by the chapter and pasted into its text (myst-nb glue);
- :mod:`emergence.static_site`: the build's additions to the site (formulas typeset
  offline, alt text, a lighter theme) and the whole book as one PDF;
- :mod:`emergence.exercises`: immediate feedback for the exercises;
- :mod:`emergence.coursework`: the student edition, grading of submitted notebooks,
  and the notebooks' stored form;
- :mod:`emergence.experiments`: the model families trained for the book, and other
  trainings of them (``EMERGENCE_SEED``);
- :mod:`emergence.explore`: the mirage model's interactive and static figure;
- :mod:`emergence.wei`: reading Wei et al.'s tables (where a curve leaves chance);
- :mod:`emergence.resolution`, :mod:`emergence.target_length`: the arithmetic
  chapter's test-set-size and answer-length analyses;
- :mod:`emergence.bigbench`, :mod:`emergence.multiple_comparisons`: the
  BIG-bench results reader, the meta-analysis and its chance baseline;
- :mod:`emergence.vision`: Reconstruction_c and subset accuracy;
- :mod:`emergence.scoreboard`: every family under a sharp and a smooth metric (the
  real jumps along training too), and each learned subtask of sparse parity;
- :mod:`emergence.infinite_resolution`: the exact chance that one sampled answer is
  right, from teacher-forced token probabilities, and the PassUntil estimator;
- :mod:`emergence.option_probability`: a multiple-choice score from log-likelihood to
  accuracy, and where the probability goes among the wrong options;
- :mod:`emergence.difficulty`: carries, answer lengths and empirical difficulty groups,
  and a family's curve on each slice;
- :mod:`emergence.observational`: observational scaling laws (principal capabilities
  of benchmark scores, a sigmoid of them fitted below a compute cut-off);
- :mod:`emergence.forecastability`: backtests of every family's curves, with a stated
  tolerance;
- :mod:`emergence.pass_at_k`: pass@k from per-problem success rates, the unbiased
  estimator, and the power law of the average under a heavy left tail;
- :mod:`emergence.transitions`: where a curve crosses a level, over how many decades
  it makes its change, and by how many decades one metric leads another;
- :mod:`emergence.subtasks`: per-subtask curves, their frequency-weighted aggregate,
  the order in which subtasks are learned, and each one's sharpness under two metrics;
- :mod:`emergence.backtest`: fit a logistic or a power law on a family's smaller
  models and predict its largest ones;
- :mod:`emergence.diagnose`, :mod:`emergence.curves`, :mod:`emergence.report`,
  :mod:`emergence.cli`: ``emergence diagnose``, every check of the book on any table
  of results (many curves at once), its report and its command line;
- :mod:`emergence.harness`, :mod:`emergence.leaderboard`: lm-evaluation-harness
  results files and wide leaderboard tables, read into the tool's tidy table;
- :mod:`emergence.sizes`: model sizes as written (``70M``, ``6.9B``, a size ending a
  model's name, a unit in a column header);
- :mod:`emergence.catalogue`: what the tool knows of each metric in use (range,
  direction, and whether it is a sharp or a smooth function of the outputs);
- :mod:`emergence.shape`: where a curve makes its gain (early, gradually, late or in
  a jump), weighed against its noise: the judgement behind the tool's verdicts;
- :mod:`emergence.calibration`: curves with known answers that test those verdicts.
"""

from . import datasets, metrics, mirage, scaling, score
from .metrics import (
    brier_score,
    exact_match,
    log_likelihood,
    multiple_choice_grade,
    per_token_accuracy,
    per_token_cross_entropy,
    token_edit_distance,
)
from .mirage import (
    accuracy_from_loss,
    expected_accuracy,
    expected_token_edit_distance,
    implied_per_token_probability,
    per_token_loss,
    per_token_probability,
    sample_test_set,
)
from .score import emergence_score

__version__ = "0.1.0"


def __getattr__(name: str):
    # matplotlib takes most of a second to import and only figures need it, so the
    # command line and the numerical modules do not load it; emergence.plotting still works
    if name == "plotting":
        import importlib

        return importlib.import_module(".plotting", __name__)
    raise AttributeError(f"module 'emergence' has no attribute {name!r}")

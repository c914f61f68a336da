"""``emergence diagnose``: check anyone's scaling curves for a mirage.

Read the results (:mod:`~emergence.diagnose.inputs`), check every curve at once
(:mod:`~emergence.diagnose.curves`, :mod:`~emergence.diagnose.shape`,
:mod:`~emergence.diagnose.checks`), say what the evidence supports
(:mod:`~emergence.diagnose.verdicts`, tested on curves with known answers in
:mod:`~emergence.diagnose.calibration`), and report it (:mod:`~emergence.diagnose.report`,
:mod:`~emergence.diagnose.figures`, :mod:`~emergence.diagnose.cli`).
:func:`diagnose` (in :mod:`~emergence.diagnose.diagnosis`) is the one call.
"""

from emergence.diagnose.diagnosis import EMERGENCE_CUTOFF, diagnose
from emergence.diagnose.inputs import (
    OUTPUTS_REQUIRED,
    SCALE_UNITS,
    TIDY_OPTIONAL,
    TIDY_REQUIRED,
    DiagnoseInputError,
    read_table,
    tidy_from_bigbench,
    tidy_from_outputs,
)
from emergence.io.sizes import parse_sizes
from emergence.measure.catalogue import METRICS, MetricInfo

__all__ = [
    "EMERGENCE_CUTOFF",
    "METRICS",
    "OUTPUTS_REQUIRED",
    "SCALE_UNITS",
    "TIDY_OPTIONAL",
    "TIDY_REQUIRED",
    "DiagnoseInputError",
    "MetricInfo",
    "diagnose",
    "parse_sizes",
    "read_table",
    "tidy_from_bigbench",
    "tidy_from_outputs",
]

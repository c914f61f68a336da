"""The package's former module paths, still importable for a while, with a warning.

Before version 0.2.0 the package was flat (``emergence.score``, ``emergence.exercises``,
...). Notebooks saved before then still import those paths: a chapter downloaded earlier
and run on Colab, which installs the newest package; an nbgrader release made earlier
and autograded later, whose hidden tests load ``emergence.exercises``. An import of a
former path gives the module at its new path (the same object, so ``importlib.reload``
and ``isinstance`` work) and a ``FutureWarning`` that names the new path; so does
``python -m`` with a former path (``python -m emergence.course``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

#: Former module (or package) under ``emergence.`` -> where it lives now.
MOVED = {
    "metrics": "measure.metrics",
    "postprocess": "measure.postprocess",
    "catalogue": "measure.catalogue",
    "score": "measure.score",
    "scaling": "measure.scaling",
    "resolution": "measure.resolution",
    "infinite_resolution": "measure.infinite_resolution",
    "option_probability": "measure.option_probability",
    "pass_at_k": "measure.pass_at_k",
    "transitions": "measure.transitions",
    "subtasks": "measure.subtasks",
    "vision": "measure.vision",
    "datasets": "io.datasets",
    "bigbench": "io.bigbench",
    "harness": "io.harness",
    "leaderboard": "io.leaderboard",
    "sizes": "io.sizes",
    "mirage": "model.mirage",
    "target_length": "model.target_length",
    "scoreboard": "experiments.scoreboard",
    "backtest": "forecast.backtest",
    "observational": "forecast.observational",
    "forecastability": "forecast.forecastability",
    "curves": "diagnose.curves",
    "shape": "diagnose.shape",
    "calibration": "diagnose.calibration",
    "report": "diagnose.report",
    "cli": "diagnose.cli",
    "exercises": "book.exercises",
    "coursework": "book.coursework",
    "course": "book.course",
    "grading": "book.grading",
    "claims": "book.claims",
    "prose": "book.prose",
    "explore": "book.explore",
    "static_site": "book.static_site",
    "wei": "book.wei",
    "difficulty": "book.difficulty",
    "multiple_comparisons": "book.multiple_comparisons",
}


def new_name(name: str) -> str | None:
    """The current path of a former module path (``emergence.exercises.wei`` ->
    ``emergence.book.exercises.wei``), or None if ``name`` is not a former path."""
    parts = name.split(".")
    if len(parts) < 2 or parts[0] != "emergence" or parts[1] not in MOVED:
        return None
    return ".".join(["emergence", MOVED[parts[1]], *parts[2:]])


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if new_name(name) is None:
            return None
        return importlib.util.spec_from_loader(name, self)

    def exec_module(self, module):
        # the import system returns whatever sys.modules holds under the name after this,
        # so the former name becomes the module itself, not a copy of it
        new = new_name(module.__name__)
        warnings.warn(f"{module.__name__} is now {new}; import it from there (the former "
                      "path will be removed in a later version of the package).",
                      FutureWarning, stacklevel=2)
        sys.modules[module.__name__] = importlib.import_module(new)

    def get_code(self, name):
        # what `python -m <former path>` runs: the module at its new path, as __main__
        new = new_name(name)
        warnings.warn(f"{name} is now {new}: run python -m {new}.", FutureWarning, stacklevel=2)
        return importlib.util.find_spec(new).loader.get_code(new)


def install() -> None:
    """Let the former paths be imported (once per process)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())

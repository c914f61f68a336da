"""Notebooks saved before the package's layers (0.2.0) still run: the former flat module
paths import the modules at their new paths, with a warning that names the new path."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from emergence._moved import MOVED, new_name

ROOT = Path(__file__).resolve().parent.parent


def _python(*args: str) -> subprocess.CompletedProcess:
    # a fresh interpreter: the former paths must work on a first import, not from a cache
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


@pytest.mark.parametrize("old", sorted(MOVED))
def test_every_former_path_names_a_module_that_exists(old):
    new = new_name(f"emergence.{old}")
    assert importlib.util.find_spec(new) is not None, new
    assert importlib.util.find_spec(f"emergence.{old}", None) is not None


def test_a_former_path_is_the_module_itself_with_a_warning():
    done = _python("-c", textwrap.dedent("""
        import warnings
        warnings.simplefilter("always")
        with warnings.catch_warnings(record=True) as seen:
            from emergence.score import emergence_score
            import emergence.exercises as old
            import emergence.exercises.wei as old_wei
        import emergence.book.exercises as new
        import emergence.book.exercises.wei as new_wei
        import emergence.measure.score
        assert old is new and old_wei is new_wei, (old, new)
        assert emergence_score is emergence.measure.score.emergence_score
        import emergence
        assert emergence.datasets is emergence.io.datasets
        messages = [str(w.message) for w in seen if w.category is FutureWarning]
        assert any("emergence.score is now emergence.measure.score" in m for m in messages), messages
        assert any("emergence.exercises is now emergence.book.exercises" in m for m in messages)
        print("ok")
    """))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_a_course_released_before_the_layers_still_grades():
    # the hidden test of every exercise in an nbgrader release made before 0.2.0
    done = _python("-c", textwrap.dedent("""
        check_answer = 0.9 ** 5
        import importlib as _importlib, emergence.exercises as _book
        assert _importlib.reload(_book).evaluate("mirage-1", check_answer).ok
        assert not _importlib.reload(_book).evaluate("mirage-1", 0.5).ok
        from emergence.exercises import check
        print("ok")
    """))
    assert done.returncode == 0, done.stderr
    assert "emergence.exercises is now emergence.book.exercises" in done.stderr


def test_python_dash_m_with_a_former_path_runs_the_module():
    done = _python("-m", "emergence.coursework", "--help")
    assert done.returncode == 0, done.stderr
    assert "normalize" in done.stdout
    assert "emergence.coursework is now emergence.book.coursework" in done.stderr


def test_names_that_were_never_modules_still_fail():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("emergence.no_such_module")
    assert new_name("emergence.measure.score") is None
    assert new_name("emergence.experiments.vision") is None

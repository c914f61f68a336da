"""Per-notebook timing for the test command.

nbval reports one test per cell; this adds the cells of each notebook up (kernel
start included, in the setup of its first cell) and prints one line per chapter,
so the 15-second budget of a chapter can be read off every test run.
"""

import os
from collections import defaultdict

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (two runs of the test command give
# the same result); set HYPOTHESIS_PROFILE=explore to draw new ones.
settings.register_profile("book", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "book"))

# BIG-bench's own writer code, carried for the reader's tests: imported by them,
# never collected (its modules are not tests and import each other as bigbench.*).
collect_ignore = ["tests/bigbench_upstream"]

BUDGET_SECONDS = float(os.environ.get("CHAPTER_BUDGET_SECONDS", "15"))
_notebook_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter):
    if not _notebook_seconds:
        return
    terminalreporter.section("time per notebook (fresh kernel, all cells)")
    for path, seconds in sorted(_notebook_seconds.items()):
        flag = "" if seconds <= BUDGET_SECONDS else f"  OVER the {BUDGET_SECONDS:g} s budget"
        terminalreporter.write_line(f"{seconds:6.1f} s  {path}{flag}")
    terminalreporter.write_line(f"{sum(_notebook_seconds.values()):6.1f} s  all notebooks")
    over = [p for p, s in _notebook_seconds.items() if s > BUDGET_SECONDS]
    if over:
        # Reported, not failed: a loaded machine can double a chapter's time, and
        # a real stall is caught by the cell timeout instead.
        terminalreporter.write_line(
            f"{len(over)} notebook(s) over the {BUDGET_SECONDS:g} s budget: " + ", ".join(sorted(over)),
            yellow=True, bold=True)

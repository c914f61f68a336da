"""An nbgrader course made from the book's chapters.

nbgrader (the Jupyter project's grading tool) does what a course needs: points, hidden
tests, written answers graded by hand in its formgrader, feedback for each student and a
gradebook to export. This module writes its course folder from the chapters, which stay
the single source::

    python -m emergence.course [CHAPTER ...] [--out DIR] [--release]

``DIR`` (default ``_build/course``) gets ``nbgrader_config.py`` and, for each chapter with
exercises, ``source/<chapter>/<chapter>.ipynb``, the instructor's version:

- the chapter as its student edition shows it (`emergence.coursework.student_edition`:
  no hidden prose checks, exercises as plain headings, citations as plain text);
- each exercise's answer cell holds the book's solution between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` (an nbgrader autograded answer), which the release replaces with
  ``answer = None``;
- after it, a locked test cell worth the exercise's points: ``assert check("id", answer)``,
  which prints the book's feedback and fails when the answer is wrong, and a hidden test
  that checks the answer again with the book's checker freshly loaded, so that a ``check``
  redefined in the notebook changes nothing.

An exercise's points are the ``points`` of its answer cell's ``emergence`` metadata in the
chapter (default 1). ``--release`` then runs ``nbgrader generate_assignment`` for every
chapter, which writes the students' versions to ``DIR/release/<chapter>/``.

Examples
--------
>>> from emergence.coursework import synthetic_chapter
>>> source = course_source(synthetic_chapter(), "tiny")
>>> [c.metadata.nbgrader["grade_id"] for c in source.cells if "nbgrader" in c.metadata]
['mirage-1-answer', 'mirage-1', 'mirage-3-answer', 'mirage-3', 'mirage-4-answer', 'mirage-4']
>>> print(source.cells[4].source)
### BEGIN SOLUTION
answer = 0.9 ** 5
### END SOLUTION
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import subprocess
import sys
import time
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell

from .coursework import (HIDDEN, _book_chapters, _is_stub, _replace_lines, _solution_cells, _text,
                         chapters_with_exercises, check_calls, directives, exercises,
                         normalize, rubric_of, student_edition, written_answer_of, WRITTEN_STUB)

__all__ = ["course_source", "solution_code", "written_solutions", "write_course", "release",
           "nbgrader_config", "NBGRADER_CONFIG",
           "ANSWER_STUB", "CELL_TIMEOUT", "main"]

#: What a student finds in place of the book's solution.
ANSWER_STUB = "answer = None  # replace None with your answer"

#: Seconds a cell may run when nbgrader grades a submission (each chapter runs in seconds).
CELL_TIMEOUT = 60

def nbgrader_config(cell_timeout: int = CELL_TIMEOUT) -> str:
    """The course's nbgrader settings, written to ``nbgrader_config.py``."""
    return (NBGRADER_CONFIG.replace("@CELL_TIMEOUT@", str(int(cell_timeout)))
            .replace("@ANSWER_STUB@", repr(ANSWER_STUB)).replace("@WRITTEN_STUB@", repr(WRITTEN_STUB)))


#: The settings' template: ``@CELL_TIMEOUT@`` is the seconds a cell may run when graded.
NBGRADER_CONFIG = '''\
# nbgrader settings for the course made from the book's chapters (python -m emergence.course).
c = get_config()  # noqa: F821 (nbgrader defines it)

c.CourseDirectory.course_id = "emergence-or-mirage"
c.CourseDirectory.root = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."

# the release puts this in place of the book's solution in each answer cell
c.ClearSolutions.code_stub = {"python": @ANSWER_STUB@}
c.ClearSolutions.text_stub = @WRITTEN_STUB@

# a submission that is not the assignment's release (the book's full edition, another
# chapter) is refused with the reason, which its feedback shows (emergence.grading)
from emergence.grading import CheckSubmission  # noqa: E402
from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds,  # noqa: E402
                                    OverwriteCells, OverwriteKernelspec)
c.Autograde.sanitize_preprocessors = [CheckSubmission, ClearOutput, DeduplicateIds,
                                      OverwriteKernelspec, OverwriteCells, CheckCellMetadata]

# a cell that runs longer than this is stopped, and the feedback says so
c.Execute.timeout = @CELL_TIMEOUT@
c.Execute.interrupt_on_timeout = True
c.Execute.error_on_timeout = {
    "ename": "TimeoutError",
    "evalue": "this cell ran longer than @CELL_TIMEOUT@ s and was stopped (a loop that never ends?)",
    "traceback": ["TimeoutError: this cell ran longer than @CELL_TIMEOUT@ s and was stopped "
                  "(a loop that never ends?)"],
}
'''

_BEGIN, _END = "### BEGIN SOLUTION", "### END SOLUTION"
_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float = 0) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def _without_checks(source: str) -> str:
    """A solution's code without its top-level ``check(...)`` statements (the test cell
    after the answer checks it)."""
    tree = ast.parse("\n".join("pass" if line.lstrip().startswith(("%", "!")) and not line[:1].isspace()
                               else line for line in source.split("\n")))
    drop = set()
    for stmt in tree.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "check":
            drop.update(range(stmt.lineno - 1, stmt.end_lineno))
    lines = [line for i, line in enumerate(source.split("\n")) if i not in drop]
    return "\n".join(lines).strip("\n")


def solution_code(nb: NotebookNode) -> dict[str, str]:
    """``{check id: the code of its solution}``: the code cells of each exercise's gated
    solution block, joined, without their ``check(...)`` calls."""
    by_label = {e.label: e.qid for e in exercises(nb) if e.label}
    inside = _solution_cells(nb)
    found, current = {}, None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for d in directives(cell.source):
                if d.name == "solution-start":
                    current = by_label.get(d.argument.strip())
        elif index in inside and current is not None and cell.cell_type == "code":
            code = _without_checks(cell.source)
            if code:
                found[current] = f"{found[current]}\n\n{code}" if current in found else code
    return found


def written_solutions(nb: NotebookNode) -> dict[str, tuple[str, str]]:
    """``{check id: (model answer, rubric)}`` for the written exercises: the Markdown of the
    exercise's solution block, and the hidden cell that holds its rubric
    (``metadata.emergence.rubric``)."""
    written = {e.label: e.qid for e in exercises(nb) if e.written and e.label}
    models, rubrics, current = {}, {}, None
    for cell in nb.cells:
        if rubric_of(cell):
            rubrics[rubric_of(cell)] = cell.source.strip()
        if cell.cell_type != "markdown":
            continue
        blocks = directives(cell.source)
        spans = [(d.start, d.end, None) for d in blocks if d.name in ("solution-start", "solution-end")]
        text = _replace_lines(cell.source, spans).strip() if spans else cell.source.strip()
        for d in blocks:
            if d.name == "solution-start":
                current = written.get(d.argument.strip())
        if current is not None and text and HIDDEN not in cell.get("metadata", {}).get("tags", []):
            models[current] = f"{models[current]}\n\n{text}" if current in models else text
        if any(d.name == "solution-end" for d in blocks):
            current = None
    return {q: (models.get(q, ""), rubrics.get(q, "")) for q in written.values()}


def _points(nb: NotebookNode) -> dict[str, float]:
    """Points declared on the chapter's answer cells (``metadata.emergence.points``)."""
    found = {}
    for cell in nb.cells:
        points = cell.get("metadata", {}).get("emergence", {}).get("points")
        if points is None:
            continue
        if cell.cell_type == "code":
            for qid, _ in check_calls(cell.source):
                found[qid] = float(points)
        elif written_answer_of(cell):
            found[written_answer_of(cell)] = float(points)
    return found


def _written_answer(qid: str, model: str, rubric: str, points: float) -> NotebookNode:
    """A written exercise's answer cell, graded by hand in formgrader: the release shows the
    text stub; the instructor's source holds the model answer and the rubric."""
    cell = new_markdown_cell(f"{_BEGIN}\n{model}\n\n{rubric}\n{_END}")
    cell.metadata["nbgrader"] = _nbgrader(qid, grade=True, solution=True, locked=False, points=points)
    return cell


def _answer_and_test(stub: NotebookNode, qid: str, solution: str, points: float) -> list[NotebookNode]:
    """The stub ``answer = None; check("id", answer)`` as an nbgrader answer cell holding the
    solution, then a locked test cell worth ``points``."""
    starter = [line for line in stub.source.split("\n")
               if not line.lstrip().startswith("answer = None") and not check_calls(line)]
    starter = "\n".join(starter).strip("\n")
    body = f"{_BEGIN}\n{solution}\n{_END}"
    answer = new_code_cell(f"{starter}\n{body}" if starter else body)
    answer.metadata["nbgrader"] = _nbgrader(f"{qid}-answer", grade=False, solution=True, locked=False)
    test = new_code_cell(
        f'assert check("{qid}", answer)\n'
        f"{_HIDDEN[0]}\n"
        "# the book's checker, freshly loaded: a check() redefined in the notebook changes nothing\n"
        "import importlib as _importlib, emergence.exercises as _book\n"
        f'assert _importlib.reload(_book).evaluate("{qid}", answer).ok\n'
        f"{_HIDDEN[1]}")
    test.metadata["nbgrader"] = _nbgrader(qid, grade=True, solution=False, locked=True, points=points)
    return [answer, test]


def course_source(nb: NotebookNode, name: str, references: dict | None = None,
                  titles: dict | None = None) -> NotebookNode:
    """The instructor's nbgrader version of one chapter (see the module's docstring)."""
    solutions, written, points = solution_code(nb), written_solutions(nb), _points(nb)
    missing = [e.qid for e in exercises(nb) if not e.written and e.qid not in solutions]
    if missing:
        raise ValueError(f"{name}: no solution code for {', '.join(missing)}; put it in a "
                         "solution-start ... solution-end block after the exercise.")
    for qid, (model, rubric) in written.items():
        if not model or not rubric:
            raise ValueError(f"{name}: the written exercise {qid} needs a model answer in its "
                             "solution block and a rubric in a hidden Markdown cell with "
                             f'metadata {{"emergence": {{"rubric": "{qid}"}}}}.')
    student = student_edition(nb, name, references, titles)
    cells = []
    for cell in student.cells:
        calls = check_calls(cell.source) if cell.cell_type == "code" else []
        if len(calls) == 1 and _is_stub(cell.source, calls[0][0]):
            qid = calls[0][0]
            cells += _answer_and_test(cell, qid, solutions[qid], points.get(qid, 1.0))
        elif written_answer_of(cell) in written:
            qid = written_answer_of(cell)
            cells.append(_written_answer(qid, *written[qid], points.get(qid, 1.0)))
        else:
            cells.append(cell)
    source = copy.deepcopy(student)
    source.cells = cells
    source.cells[1].source = COURSE_NOTE
    source.metadata["emergence"] = {**student.metadata["emergence"], "edition": "course"}
    out = normalize(source, name=f"{name}-course")
    for cell in out.cells:   # normalize collapses nothing here: no solution blocks are left
        cell.metadata.pop("collapsed", None)
    return out


COURSE_NOTE = (
    "**Coursework.** This is the chapter without the book's hidden checks. Run the cells from "
    "the top; on Colab or a bare kernel the first code cell installs the book's helper "
    "package. After each exercise, replace `None` in the answer cell with your answer (code "
    "that computes it) and run the test cell below it: it prints whether the answer is right "
    "and, if not, gives a hint. Do not change or delete the test cells: your work is graded "
    "from them, with further checks of the same answers."
)


def write_course(chapters, root, cell_timeout: int = CELL_TIMEOUT) -> list[Path]:
    """Write ``nbgrader_config.py`` and ``source/<chapter>/<chapter>.ipynb`` for every chapter
    with exercises into ``root``; returns the notebooks written. A cell of a submission may
    run ``cell_timeout`` seconds when graded."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(nbgrader_config(cell_timeout), encoding="utf-8")
    written = []
    for chapter, nb, references, titles in chapters_with_exercises(chapters):
        target = root / "source" / chapter.stem / chapter.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_text(course_source(nb, chapter.stem, references, titles)), encoding="utf-8")
        written.append(target)
    return written


def _nbgrader_command(root: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader runs the `alembic` command of its own environment to set up the gradebook
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                  os.environ.get("PATH", "")])}
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, capture_output=True,
                          text=True, env=env)


def release(root, assignments) -> list[Path]:
    """``nbgrader generate_assignment`` for each assignment (chapter name): the students'
    versions in ``root/release/<name>/``. Raises RuntimeError with nbgrader's log on failure."""
    root, released = Path(root), []
    for name in assignments:
        done = _nbgrader_command(root, "generate_assignment", name, "--force", "--log-level=WARN")
        if done.returncode:
            raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n{done.stdout}{done.stderr}")
        released.append(root / "release" / name / f"{name}.ipynb")
    return released


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emergence.course", description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapters (default: book/*.ipynb)")
    parser.add_argument("--out", type=Path, default=Path("_build/course"), help="course folder (default: _build/course)")
    parser.add_argument("--release", action="store_true", help="also run nbgrader generate_assignment")
    args = parser.parse_args(argv)
    start = time.monotonic()
    written = write_course(args.chapters or _book_chapters(), args.out)
    print(f"wrote {len(written)} chapters to {args.out}/source/ in {time.monotonic() - start:.1f} s")
    if args.release:
        start = time.monotonic()
        released = release(args.out, [p.parent.name for p in written])
        print(f"released {len(released)} chapters to {args.out}/release/ in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

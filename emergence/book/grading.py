"""What nbgrader runs for the book's course, beyond its own steps.

`CheckSubmission` is the first step of ``nbgrader autograde`` (``nbgrader_config.py``, written
by `emergence.book.course`): a submission that is not the assignment's release is refused with
the reason, which the student's feedback then shows, instead of being graded:

- the book's full edition of a chapter (its own notebook, with the solutions in it): graded
  as is, its answers would be the book's;
- another chapter's notebook, saved under this assignment's name;
- a notebook without any of the assignment's test cells.

A refused submission scores 0 on every exercise and nothing in it is run.

`CanvasExport` and `MoodleExport` are nbgrader export plugins: one row per student and one
column per assignment (the score after any late penalty; 0 where nothing was submitted),
in the columns each LMS's gradebook import reads::

    nbgrader export --exporter=emergence.book.grading.CanvasExport --to canvas.csv
    nbgrader export --exporter=emergence.book.grading.MoodleExport --to moodle.csv

- **Canvas** (Grades > Import): ``Student`` ("Last, First"), ``ID``, ``SIS User ID``,
  ``SIS Login ID``, ``Section``, then the assignments; a second row ``Points Possible``
  gives each assignment's maximum, as in Canvas's own export. nbgrader's ``lms_user_id``
  goes in ``ID`` (Canvas's user id, which it matches first) and the nbgrader student id in
  ``SIS Login ID``. An assignment column Canvas does not know becomes a new assignment;
  to fill an existing one, rename the header to that assignment's header in a Canvas export.
- **Moodle** (Grades > Import > CSV file): ``Username``, ``Email address``, ``First name``,
  ``Last name``, then the assignments. On import, identify users by ``Username`` (or
  ``Email address``) and map each assignment column to its grade item.
"""

from __future__ import annotations

from nbformat.v4 import new_markdown_cell

import csv

try:  # nbgrader is the course's grader; the book itself runs without it
    from nbgrader.plugins import ExportPlugin
    from nbgrader.preprocessors import NbGraderPreprocessor
except ImportError:  # pragma: no cover - `refusal` still works without it
    NbGraderPreprocessor = ExportPlugin = object

__all__ = ["CheckSubmission", "refusal", "CanvasExport", "MoodleExport", "gradebook_rows"]

REFUSED = "emergence_refused"


def _grade_ids(nb) -> set[str]:
    return {c.metadata["nbgrader"].get("grade_id") for c in nb.cells
            if "nbgrader" in c.get("metadata", {})} - {None}


def _is_full_edition(nb) -> bool:
    from emergence.book.notebooks import directives

    return any(d.name in ("solution-start", "solution") for c in nb.cells if c.cell_type == "markdown"
               for d in directives(c.source))


def refusal(nb, notebook: str, expected_ids: set[str]) -> str | None:
    """Why a submission to notebook ``notebook`` (whose test cells are ``expected_ids``) cannot
    be graded, or None if it can.

    Examples
    --------
    >>> from nbformat.v4 import new_notebook
    >>> refusal(new_notebook(metadata={"emergence": {"chapter": "03_arithmetic"}}),
    ...         "02_mirage_derived", {"mirage-1"})[:60]
    'This is the notebook of chapter 03_arithmetic, not of 02_mir'
    """
    chapter = nb.get("metadata", {}).get("emergence", {}).get("chapter")
    if chapter and chapter != notebook:
        return (f"This is the notebook of chapter {chapter}, not of {notebook}, the notebook this "
                f"assignment asks for. Submit {notebook}.ipynb from the assignment's release "
                "instead; nothing in this notebook was run or graded.")
    if expected_ids and not (_grade_ids(nb) & expected_ids):
        if _is_full_edition(nb):
            return ("This is the book's own edition of the chapter, with its solutions, not the "
                    "assignment's release: graded as it is, its answers would be the book's. "
                    f"Download {notebook}.ipynb from the assignment, copy your answers into its "
                    "answer cells and submit that; nothing in this notebook was run or graded.")
        return (f"This notebook has none of the assignment's test cells ({', '.join(sorted(expected_ids))}): "
                f"it is not {notebook}.ipynb as the assignment released it. Put your answers in the "
                "released notebook and submit that; nothing in this notebook was run or graded.")
    return None


class CheckSubmission(NbGraderPreprocessor):
    """nbgrader step: refuse a submission that is not the assignment's release (see the
    module's docstring), leaving one Markdown cell that says why."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook, MissingEntry

        info = resources["nbgrader"]
        try:
            with Gradebook(info["db_url"]) as gb:
                expected = {c.name for c in gb.find_notebook(info["notebook"], info["assignment"]).grade_cells}
        except MissingEntry:
            return nb, resources
        reason = refusal(nb, info["notebook"], expected)
        if reason is None:
            return nb, resources
        self.log.warning("%s / %s / %s: not graded: %s", info["student"], info["assignment"],
                         info["notebook"], reason)
        nb.cells = [new_markdown_cell(f"**Not graded.** {reason}")]
        nb.metadata[REFUSED] = reason
        return nb, resources


# --- gradebook exports for an LMS -------------------------------------------------------------

def _score(gradebook, assignment, student) -> float:
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(assignment.name, student.id)
    except MissingEntry:            # nothing submitted
        return 0.0
    return max(0.0, submission.score - (submission.late_submission_penalty or 0.0))


def gradebook_rows(gradebook, students=(), assignments=()):
    """``(assignments, [(student, {assignment name: score})])`` from an nbgrader gradebook,
    restricted to the given student ids and assignment names when there are any."""
    chosen = [a for a in gradebook.assignments if not assignments or a.name in assignments]
    rows = [(s, {a.name: _score(gradebook, a, s) for a in chosen})
            for s in gradebook.students if not students or s.id in students]
    return chosen, rows


def _points(value: float) -> str:
    return f"{value:g}"


class _LmsExport(ExportPlugin):
    default_file = "grades.csv"

    def header(self, assignments) -> list[list[str]]:
        raise NotImplementedError

    def identity(self, student) -> list[str]:
        raise NotImplementedError

    def export(self, gradebook) -> None:
        assignments, rows = gradebook_rows(gradebook, [str(s) for s in self.student],
                                           [str(a) for a in self.assignment])
        dest = self.to or self.default_file
        self.log.info("Exporting grades to %s", dest)
        with open(dest, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerows(self.header(assignments))
            for student, scores in rows:
                out.writerow(self.identity(student) + [_points(scores[a.name]) for a in assignments])


class CanvasExport(_LmsExport):
    """nbgrader export plugin: the CSV Canvas's gradebook imports (see the module's docstring)."""

    default_file = "canvas.csv"

    def header(self, assignments):
        names = [a.name for a in assignments]
        return [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *names],
                ["Points Possible", "", "", "", "", *[_points(a.max_score) for a in assignments]]]

    def identity(self, student):
        name = ", ".join(p for p in (student.last_name, student.first_name) if p) or student.id
        return [name, student.lms_user_id or "", "", student.id, ""]


class MoodleExport(_LmsExport):
    """nbgrader export plugin: the CSV Moodle's grade import reads (see the module's docstring)."""

    default_file = "moodle.csv"

    def header(self, assignments):
        return [["Username", "Email address", "First name", "Last name", *[a.name for a in assignments]]]

    def identity(self, student):
        return [student.id, student.email or "", student.first_name or "", student.last_name or ""]

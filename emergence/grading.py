"""What nbgrader runs for the book's course, beyond its own steps.

`CheckSubmission` is the first step of ``nbgrader autograde`` (``nbgrader_config.py``, written
by `emergence.course`): a submission that is not the assignment's release is refused with
the reason, which the student's feedback then shows, instead of being graded:

- the book's full edition of a chapter (its own notebook, with the solutions in it): graded
  as is, its answers would be the book's;
- another chapter's notebook, saved under this assignment's name;
- a notebook without any of the assignment's test cells.

A refused submission scores 0 on every exercise and nothing in it is run.
"""

from __future__ import annotations

from nbformat.v4 import new_markdown_cell

try:  # nbgrader is the course's grader; the book itself runs without it
    from nbgrader.preprocessors import NbGraderPreprocessor
except ImportError:  # pragma: no cover - `refusal` still works without it
    NbGraderPreprocessor = object

__all__ = ["CheckSubmission", "refusal"]

REFUSED = "emergence_refused"


def _grade_ids(nb) -> set[str]:
    return {c.metadata["nbgrader"].get("grade_id") for c in nb.cells
            if "nbgrader" in c.get("metadata", {})} - {None}


def _is_full_edition(nb) -> bool:
    from .coursework import directives

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

"""A whole nbgrader round on one chapter, as an instructor runs it, on synthetic submissions.

The course is made from chapter 9 (four autograded exercises of 1 point and one written
answer of 3 points); nbgrader releases it; twelve students submit:

=============  ============================================================  =====
student        what they submit                                              score
=============  ============================================================  =====
correct        the book's answers, and a written answer graded 3 of 3        7
wrong          plausible wrong answers (1/200, the eight-size score, ...)    0
blank          the release as it was handed out                              0
loop           a ``while True`` for exercise 1, right answers otherwise      3
raises         a division by zero for exercise 2, right answers otherwise    3
wrongtype      exercise 1 as the text "0.0183", right answers otherwise     3
cheat          a redefined ``check`` and a wrong answer to exercise 1        3
written        only the written answer, graded 2 of 3 by hand                2
full           the book's own chapter with wrong answers typed in            0
otherchapter   chapter 3's notebook saved under chapter 9's name             0
edition        the site's practice edition of chapter 9, answered            0
deaf           a loop that ignores the interrupt, for exercise 3             0
=============  ============================================================  =====

``nbgrader autograde`` runs them (with a short cell timeout), the written answers are graded
through nbgrader's own API as formgrader does, then ``nbgrader generate_feedback`` and
``nbgrader export`` (nbgrader's CSV, and the Canvas and Moodle files). The full edition,
the other chapter and the practice edition are refused with the reason in their feedback;
the loop is named as a timeout in its feedback. A cell that ignores the interrupt makes
nbgrader give up on that notebook (it logs the error and the notebook has no grade, so it
scores 0), and the others are graded all the same.
"""

from __future__ import annotations

import copy
import csv
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader")

from emergence.book import course  # noqa: E402
from emergence.book.coursework import student_edition  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "09_conclusion.ipynb"
OTHER = ROOT / "book" / "03_arithmetic.ipynb"
NAME = CHAPTER.stem
CELL_TIMEOUT = 8      # the chapter's cells take well under a second each
WRITTEN = "conclusion-5"

EXPECTED = {"correct": 7, "wrong": 0, "blank": 0, "loop": 3, "raises": 3, "wrongtype": 3,
            "cheat": 3, "written": 2, "full": 0, "otherchapter": 0, "edition": 0, "deaf": 0}
MANUAL = {"correct": 3, "written": 2}
DEAF = "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    time.sleep(0.05)"
ESSAY = ("Question 1: ask for the per-token loss of the same outputs; if it falls steadily from "
         "1B on, the jump is the metric's, if it waits and drops with exact match, it is real.")


def _nbgrader(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 or not check, done.stdout + done.stderr
    return done


def _solutions(source) -> dict[str, str]:
    """The book's answer code per exercise, from the instructor's version."""
    found = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            body = cell.source.replace("### BEGIN SOLUTION\n", "").replace("\n### END SOLUTION", "")
            found[meta["grade_id"].removesuffix("-answer")] = body
    return found


def _answered(release, answers: dict[str, str], essay: str | None = None):
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("-answer") and grade_id.removesuffix("-answer") in answers:
            cell.source = answers[grade_id.removesuffix("-answer")]
        if grade_id == WRITTEN and essay is not None:
            cell.source = essay
    return nb


def _submissions(root: Path, release) -> dict[str, object]:
    right = _solutions(nbformat.read(root / "source" / NAME / f"{NAME}.ipynb", as_version=4))
    wrong = {"conclusion-1": "answer = 1 / 200", "conclusion-2": "answer = 112.0",
             "conclusion-3": 'answer = "IPA, open models: OPT"', "conclusion-4": "answer = 1 / 2.692"}
    full = nbformat.read(CHAPTER, as_version=4)
    for cell in full.cells:        # a student's wrong answers typed into the book's answer cells
        for qid, code in wrong.items():
            if cell.cell_type == "code" and cell.source.startswith("answer = None") and f'"{qid}"' in cell.source:
                cell.source = f'{code}\ncheck("{qid}", answer)'
    return {
        "correct": _answered(release, right, ESSAY),
        "wrong": _answered(release, wrong),
        "blank": release,
        "loop": _answered(release, {**right, "conclusion-1": "while True:\n    pass"}),
        "raises": _answered(release, {**right, "conclusion-2": "answer = 1 / 0"}),
        "wrongtype": _answered(release, {**right, "conclusion-1": 'answer = "0.0183"'}),
        "cheat": _answered(release, {**right, "conclusion-1":
                                     "def check(*args):\n    return True\nanswer = 0.5"}),
        "written": _answered(release, {}, ESSAY),
        "full": full,
        "otherchapter": course.course_source(nbformat.read(OTHER, as_version=4), OTHER.stem),
        "edition": _practice_edition(right),
        "deaf": _answered(release, {**right, "conclusion-3": DEAF}),
    }


def _practice_edition(right: dict[str, str]):
    """The site's student edition of the chapter, with the right answers typed in."""
    nb = student_edition(nbformat.read(CHAPTER, as_version=4), NAME)
    for cell in nb.cells:
        for qid, code in right.items():
            if cell.cell_type == "code" and cell.source.startswith("answer = None") and f'"{qid}"' in cell.source:
                cell.source = f'{code}\ncheck("{qid}", answer)'
    return nb


@pytest.fixture(scope="module")
def round_(tmp_path_factory):
    from nbgrader.api import Gradebook

    root = tmp_path_factory.mktemp("course")
    course.write_course([CHAPTER], root, cell_timeout=CELL_TIMEOUT)
    (released,) = course.release(root, [NAME])
    for student, nb in _submissions(root, nbformat.read(released, as_version=4)).items():
        target = root / "submitted" / student / NAME / f"{NAME}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(nb, target)
    start = time.monotonic()
    log = _nbgrader(root, "autograde", NAME, "--create", check=False).stderr
    seconds = time.monotonic() - start
    db = f"sqlite:///{root / 'gradebook.db'}"
    with Gradebook(db) as gb:       # what formgrader does when an instructor saves a grade
        for student, points in MANUAL.items():
            grade = gb.find_grade(WRITTEN, NAME, NAME, student)
            grade.manual_score = points
            comment = gb.find_comment(WRITTEN, NAME, NAME, student)
            comment.manual_comment = f"{points} of 3: see the rubric."
        gb.db.commit()
    _nbgrader(root, "generate_feedback", NAME)
    _nbgrader(root, "export", "--to", "grades.csv")
    for lms in ("Canvas", "Moodle"):
        _nbgrader(root, "export", f"--exporter=emergence.book.grading.{lms}Export", "--to", f"{lms.lower()}.csv")
    with open(root / "grades.csv", newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    print(f"autograde: {len(EXPECTED)} notebooks in {seconds:.1f} s")
    return root, grades, log, seconds


def _feedback(root: Path, student: str) -> str:
    html = (root / "feedback" / student / NAME / f"{NAME}.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_every_submission_gets_the_expected_score(round_, student):
    _, grades, _, _ = round_
    assert float(grades[student]["score"]) == EXPECTED[student]
    assert float(grades[student]["max_score"]) == 7


def test_the_full_edition_and_another_chapter_are_refused_with_the_reason(round_):
    root, _, log, _ = round_
    assert "the book's own edition of the chapter, with its solutions" in _feedback(root, "full")
    assert f"chapter {OTHER.stem}, not of {NAME}" in _feedback(root, "otherchapter")
    assert "none of the assignment's test cells" in _feedback(root, "edition")
    assert log.count("not graded:") == 3


def test_a_cell_that_ignores_the_interrupt_is_logged_and_the_rest_are_graded(round_):
    root, _, log, _ = round_
    assert "There was an error processing assignment '09_conclusion' for student 'deaf'" in log
    assert not (root / "feedback" / "deaf").exists()
    assert "for student 'correct'" not in log


def test_a_loop_is_named_as_a_timeout_in_the_feedback(round_):
    root, _, _, _ = round_
    assert f"ran longer than {CELL_TIMEOUT} s and was stopped" in _feedback(root, "loop")


def test_feedback_shows_the_books_hint_for_a_wrong_answer(round_):
    root, _, _, _ = round_
    text = _feedback(root, "wrong")
    assert "1/200 is the smallest accuracy a test of 200 items can show" in text
    assert "without quotes (0.0183)" in _feedback(root, "wrongtype")


def test_the_written_grade_and_comment_reach_the_feedback(round_):
    root, _, _, _ = round_
    assert "2 of 3: see the rubric." in _feedback(root, "written")


def test_grading_a_notebook_takes_seconds(round_):
    *_, seconds = round_
    assert seconds / len(EXPECTED) < 30


def test_the_canvas_export_has_canvass_columns_and_the_same_scores(round_):
    root, grades, _, _ = round_
    with open(root / "canvas.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", NAME]
    assert rows[1] == ["Points Possible", "", "", "", "", "7"]
    assert {r[3]: float(r[5]) for r in rows[2:]} == {s: float(g["score"]) for s, g in grades.items()}


def test_the_moodle_export_has_moodles_columns_and_the_same_scores(round_):
    root, grades, _, _ = round_
    with open(root / "moodle.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["Username", "Email address", "First name", "Last name", NAME]
    assert {r["Username"]: float(r[NAME]) for r in rows} == {s: float(g["score"]) for s, g in grades.items()}

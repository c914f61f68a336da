"""The nbgrader course made from the chapters (emergence.book.course) and the submission check
nbgrader runs first when it grades (emergence.book.grading).

Here: the instructor's version of every chapter has, for each exercise, an answer cell
holding the book's solution and a locked test cell with its points; nothing of the hidden
prose checks; and `refusal` recognises what must not be graded. The whole grading round
(release, autograde, manual grade, feedback, export) runs in tests/test_grading_round.py.
"""

import ast
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from emergence.book import course
from emergence.book.coursework import synthetic_chapter
from emergence.book.notebooks import HIDDEN, exercises
from emergence.book.grading import refusal

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = [p for p in sorted((ROOT / "book").glob("*.ipynb"))
            if exercises(nbformat.read(p, as_version=4))]


def _graded(nb):
    return [c for c in nb.cells if "nbgrader" in c.metadata]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_each_exercise_becomes_an_answer_cell_with_the_solution_and_a_test_cell(path):
    nb = nbformat.read(path, as_version=4)
    source = course.course_source(nb, path.stem)
    qids = [e.qid for e in exercises(nb) if not e.written]
    written = [e.qid for e in exercises(nb) if e.written]
    cells = [c for c in _graded(source) if c.metadata.nbgrader["grade_id"] not in written]
    assert [c.metadata.nbgrader["grade_id"] for c in cells] == [
        i for q in qids for i in (f"{q}-answer", q)]
    for qid in written:
        (cell,) = [c for c in _graded(source) if c.metadata.nbgrader["grade_id"] == qid]
        assert cell.cell_type == "markdown" and cell.metadata.nbgrader["solution"]
        assert cell.metadata.nbgrader["grade"] and cell.metadata.nbgrader["points"] >= 1
        assert cell.source.startswith("### BEGIN SOLUTION\n") and "Rubric" in cell.source
    for answer, test in zip(cells[::2], cells[1::2]):
        qid = test.metadata.nbgrader["grade_id"]
        assert answer.metadata.nbgrader["solution"] and not answer.metadata.nbgrader["grade"]
        assert test.metadata.nbgrader["grade"] and test.metadata.nbgrader["locked"]
        assert test.metadata.nbgrader["points"] == 1.0
        solution = answer.source.split("### BEGIN SOLUTION\n")[1].split("\n### END SOLUTION")[0]
        ast.parse(solution.replace("%", "#"))
        assert "answer" in solution and "check(" not in solution, qid
        assert test.source.startswith(f'check("{qid}", answer)\n### BEGIN HIDDEN TESTS')
    assert not any(HIDDEN in c.metadata.get("tags", []) for c in source.cells)
    assert source.metadata.emergence["chapter"] == path.stem
    nbformat.validate(source)


def test_the_solution_is_the_code_of_the_exercises_solution_block_without_its_check():
    solutions = course.solution_code(synthetic_chapter())
    assert solutions == {"mirage-1": "answer = 0.9 ** 5",
                         "mirage-3": "answer = int(np.ceil(np.log(0.05) / np.log(1 - 1e-4)))",
                         "mirage-4": 'answer = "negative"'}


def test_starter_code_stays_outside_the_solution():
    stub = new_code_cell('pairs = simulated_pairs()\nanswer = None  # replace with "A" or "B"\ncheck("jumps-4", answer)')
    answer, test = course._answer_and_test(stub, "jumps-4", 'answer = "A"', 2)
    assert answer.source == 'pairs = simulated_pairs()\n### BEGIN SOLUTION\nanswer = "A"\n### END SOLUTION'
    assert test.metadata.nbgrader["points"] == 2


def test_points_are_read_from_the_chapters_answer_cell():
    nb = synthetic_chapter()
    stub = next(c for c in nb.cells if c.cell_type == "code" and 'check("mirage-3"' in c.source)
    stub.metadata["emergence"] = {"points": 3}
    source = course.course_source(nb, "tiny")
    points = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader.get("points") for c in _graded(source)}
    assert points["mirage-3"] == 3 and points["mirage-1"] == 1


def test_a_chapter_without_a_solution_for_an_exercise_is_refused_by_name():
    nb = synthetic_chapter()
    nb.cells = [c for c in nb.cells if "0.9 ** 5\ncheck" not in c.source]
    with pytest.raises(ValueError, match="no solution code for mirage-1"):
        course.course_source(nb, "tiny")


def test_the_course_folder_has_the_config_and_one_source_notebook_per_chapter(tmp_path):
    written = course.write_course(CHAPTERS[:2], tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        f"source/{p.stem}/{p.name}" for p in CHAPTERS[:2]]
    config = (tmp_path / "nbgrader_config.py").read_text()
    assert "CheckSubmission" in config and f"c.Execute.timeout = {course.CELL_TIMEOUT}" in config
    compile(config, "nbgrader_config.py", "exec")


# --- what must not be graded ---------------------------------------------------------------

def test_the_books_full_edition_is_refused_because_its_answers_would_be_the_books():
    full = nbformat.read(CHAPTERS[1], as_version=4)
    ids = {e.qid for e in exercises(full)}
    assert "the book's own edition" in refusal(full, CHAPTERS[1].stem, ids)


def test_another_chapters_notebook_is_refused_by_name():
    other = course.course_source(nbformat.read(CHAPTERS[2], as_version=4), CHAPTERS[2].stem)
    reason = refusal(other, CHAPTERS[1].stem, {"mirage-1"})
    assert f"chapter {CHAPTERS[2].stem}, not of {CHAPTERS[1].stem}" in reason


def test_the_release_itself_is_graded():
    nb = nbformat.read(CHAPTERS[1], as_version=4)
    source = course.course_source(nb, CHAPTERS[1].stem)
    assert refusal(source, CHAPTERS[1].stem, {e.qid for e in exercises(nb)}) is None


# --- the site -------------------------------------------------------------------------------

class _Stub:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def test_the_site_links_and_writes_each_chapters_release(tmp_path):
    # the site's Sphinx extension: part of the book's environment, not of the test extra
    nodes = pytest.importorskip("docutils.nodes")
    pytest.importorskip("nbgrader")

    chapter = tmp_path / "book" / "tiny.ipynb"
    chapter.parent.mkdir()
    nbformat.write(synthetic_chapter(), chapter)
    builder = _Stub(format="html", get_target_uri=lambda doc: f"{doc}.html")
    env = _Stub(doc2path=lambda doc: str(tmp_path / f"{doc}.ipynb"), found_docs={"book/tiny"})
    config = _Stub(html_theme_options={"repository_url": "https://github.com/o/r", "repository_branch": "main",
                                       "launch_buttons": {"binderhub_url": "https://mybinder.org"}},
                   language="en", locale_dirs=["locales"])
    app = _Stub(builder=builder, env=env, outdir=str(tmp_path / "html"), config=config,
                srcdir=str(tmp_path))
    doctree = nodes.document(None, None)
    section = nodes.section()
    section += nodes.title(text="A tiny chapter")
    doctree += section
    course._add_download_link(app, doctree, "book/tiny")
    raw = [n for n in section.children if isinstance(n, nodes.raw)]
    assert len(raw) == 1 and 'href="../student/tiny.ipynb"' in raw[0].astext()
    assert ('href="https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/course/release/tiny/tiny.ipynb"'
            in raw[0].astext())
    assert isinstance(section.children[0], nodes.title) and section.children[1] is raw[0]
    assert "is this chapter as students get it" in raw[0].astext()
    course._write_release_site(app, None)
    written = nbformat.read(tmp_path / "html" / "student" / "tiny.ipynb", as_version=4)
    cells = [c for c in written.cells if "nbgrader" in c.metadata]
    assert [c.metadata.nbgrader["grade_id"] for c in cells][:2] == ["mirage-1-answer", "mirage-1"]
    assert cells[0].source == course.ANSWER_STUB and "HIDDEN" not in cells[1].source
    assert cells[1].source == 'check("mirage-1", answer)'


def test_the_coursework_link_speaks_the_editions_language(tmp_path):
    """In a translated edition, the note comes from the site catalogue, links kept."""
    nodes = pytest.importorskip("docutils.nodes")
    from babel.messages.pofile import read_po
    from babel.messages.mofile import write_mo

    chapter = tmp_path / "book" / "tiny.ipynb"
    chapter.parent.mkdir()
    nbformat.write(synthetic_chapter(), chapter)
    compiled = tmp_path / "locales/ko/LC_MESSAGES/site.mo"
    compiled.parent.mkdir(parents=True)
    with open(Path(__file__).parent.parent / "locales/ko/LC_MESSAGES/site.po", "rb") as po, \
            compiled.open("wb") as mo:
        write_mo(mo, read_po(po))
    app = _Stub(builder=_Stub(format="html", get_target_uri=lambda doc: f"{doc}.html"),
                env=_Stub(doc2path=lambda doc: str(tmp_path / f"{doc}.ipynb")),
                config=_Stub(html_theme_options={"repository_url": "https://github.com/o/r",
                                                 "launch_buttons": {"binderhub_url": "https://mybinder.org"}},
                             language="ko", locale_dirs=["locales"]),
                srcdir=str(tmp_path), outdir=str(tmp_path / "html"))
    doctree = nodes.document(None, None)
    section = nodes.section()
    section += nodes.title(text="A tiny chapter")
    doctree += section
    course._add_download_link(app, doctree, "book/tiny")
    (raw,) = [n for n in section.children if isinstance(n, nodes.raw)]
    html = raw.astext()
    assert "과제용 노트북" in html and "is this chapter" not in html
    assert 'href="../student/tiny.ipynb" download="tiny.ipynb">tiny.ipynb</a>' in html
    assert 'href="https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/course-ko/release/tiny/tiny.ipynb">' \
        'Binder에서 열 수 있다</a>' in html


def test_the_site_folds_every_solution():
    nodes = pytest.importorskip("sphinx_exercise.nodes")
    doctree = pytest.importorskip("docutils.nodes").document(None, None)
    doctree += nodes.solution_node(classes=["solution"])
    doctree += nodes.solution_node(classes=["solution", "dropdown"])
    course._fold_solutions(None, doctree, "x")
    assert [n["classes"] for n in doctree.findall(nodes.solution_node)] == [["solution", "dropdown"]] * 2


def test_validate_fails_a_course_whose_solution_is_wrong(tmp_path):
    pytest.importorskip("nbgrader")
    nb = synthetic_chapter()
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith('answer = "negative"'):
            cell.source = cell.source.replace('"negative"', '"positive"')
    chapter = tmp_path / "book" / "tiny.ipynb"
    chapter.parent.mkdir()
    nbformat.write(nb, chapter)
    course.write_course([chapter], tmp_path / "course")
    course.release(tmp_path / "course", ["tiny"])
    (problems,) = course.validate(tmp_path / "course", ["tiny"]).values()
    assert len(problems) == 1 and "mirage-4: not right yet" in problems[0]


def test_the_course_note_replaces_the_student_editions():
    from emergence.book.coursework import STUDENT_NOTE

    sources = [c.source for c in course.course_source(synthetic_chapter(), "tiny").cells]
    assert course.COURSE_NOTE in sources and STUDENT_NOTE not in sources

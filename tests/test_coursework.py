"""The student edition, grading and the stored form of the notebooks (emergence.book.coursework).

Grading runs real kernels, so it is tested on a tiny synthetic chapter with three
exercises; the student editions of the book's own chapters are checked for their
structure here, and executed end to end by `make student`.
"""

import copy
import json
from pathlib import Path

import nbformat
import pytest

from emergence.book import coursework as cw
from emergence.book import notebooks as nbk
from emergence.book.exercises import registry

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))
ANSWERS = {"mirage-1": "answer = 0.9 ** 5", "mirage-3": "answer = 29956", "mirage-4": 'answer = "negative"'}


def _student():
    return cw.student_edition(cw.synthetic_chapter(), "tiny")


def _answered(nb, answers):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for qid, code in answers.items():
            if cell.cell_type == "code" and f'check("{qid}"' in cell.source:
                cell.source = f'{code}\ncheck("{qid}", answer)'
    return nb


# --- reading a chapter -------------------------------------------------------------------

def test_directives_read_both_fence_styles_and_their_options():
    for fence in ("```", ":::", "````"):
        text = f"Before.\n\n{fence}{{exercise}} x-1: A title\n:label: x-ex1\n\nBody with `code`.\n{fence}\nAfter."
        (d,) = nbk.directives(text)
        assert (d.name, d.argument, d.options, d.body) == ("exercise", "x-1: A title", {"label": "x-ex1"}, "Body with `code`.")
        assert text.split("\n")[d.start].startswith(fence) and text.split("\n")[d.end] == fence


def test_check_calls_find_the_answer_expression_even_around_magics():
    assert nbk.check_calls('%matplotlib inline\nx = 2\ncheck("a-1", x * 2)') == [("a-1", "x * 2")]
    assert nbk.check_calls('check("a-1", answer)\ncheck("a-2", [1, 2])') == [("a-1", "answer"), ("a-2", "[1, 2]")]
    assert nbk.check_calls('this is not python (\ncheck("a-3", answer)') == [("a-3", "answer")]


def test_every_chapter_has_exercises_with_known_check_ids():
    known = set(registry())
    for path in CHAPTERS:
        found = nbk.exercises(nbformat.read(path, as_version=4))
        assert len(found) >= 3, path.name
        assert {e.qid for e in found if not e.written} <= known, path.name
        assert not {e.qid for e in found if e.written} & known, f"{path.name}: a written exercise has a check"
        assert len({e.qid for e in found}) == len(found), f"{path.name}: an id is used twice"


# --- the student edition -------------------------------------------------------------------

def _check_structure(student, chapter):
    qids = [e.qid for e in nbk.exercises(chapter)]
    assert student.metadata["emergence"]["exercises"] == qids
    names = [d.name for c in student.cells if c.cell_type == "markdown" for d in nbk.directives(c.source)]
    assert not {"exercise", "solution", "solution-start", "solution-end"} & set(names)
    assert not [c for c in student.cells if "remove-cell" in c.metadata.get("tags", [])]
    # each exercise is a heading followed at once by its one answer cell, left at None
    for qid in qids:
        at = [i for i, c in enumerate(student.cells) if c.cell_type == "markdown"
              and f"### Exercise {qid}:" in c.source]
        assert len(at) == 1, qid
        answer = student.cells[at[0] + 1]
        if qid in student.metadata["emergence"]["written"]:
            assert nbk.written_answer_of(answer) == qid and answer.source == cw.WRITTEN_STUB
            continue
        assert answer.cell_type == "code" and [q for q, _ in nbk.check_calls(answer.source)] == [qid]
        assert "= None" in answer.source
        calls = [c for c in student.cells if c.cell_type == "code" and qid in [q for q, _ in nbk.check_calls(c.source)]]
        assert calls == [answer], f"{qid}: a check outside its answer cell would give the solution away"
    assert nbk.normalize(student) == student
    return qids


def test_student_edition_of_the_synthetic_chapter():
    chapter = cw.synthetic_chapter()
    student = cw.student_edition(chapter, "tiny")
    assert _check_structure(student, chapter) == ["mirage-1", "mirage-3", "mirage-4"]
    assert "**Student edition.**" in student.cells[1].source
    text = "\n".join(c.source for c in student.cells)
    assert "0.9 ** 5" not in text and '"negative"\n' not in text       # the solutions are gone
    assert "assert" not in text                                          # so are the hidden checks


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_student_edition_of_every_chapter(path):
    chapter = nbformat.read(path, as_version=4)
    student = cw.student_edition(chapter, path.stem)
    _check_structure(student, chapter)
    first_code = next(c for c in student.cells if c.cell_type == "code")
    assert first_code.source == next(c for c in chapter.cells if c.cell_type == "code").source
    # nothing of a solution survives: no cell of a solution block is kept
    solution_sources = {chapter.cells[i].source for i in nbk._solution_cells(chapter)}
    assert not solution_sources & {c.source for c in student.cells}


def test_student_edition_runs_unanswered_and_says_so():
    ran, finished = nbk.run_notebook(_student(), timeout=120, cell_timeout=120)
    assert finished
    outputs = {}
    for cell in ran.cells:
        assert nbk._cell_error(cell) is None, cell.source
        for qid, _ in nbk.check_calls(cell.source) if cell.cell_type == "code" else []:
            outputs[qid] = "".join(o.get("text", "") for o in cell.outputs)
    assert set(outputs) == {"mirage-1", "mirage-3", "mirage-4"}
    for qid, text in outputs.items():
        assert f"{qid}: not answered yet" in text


def test_write_student_editions_skips_notebooks_without_exercises(tmp_path):
    (tmp_path / "src").mkdir()
    nbformat.write(cw.synthetic_chapter(), tmp_path / "src" / "tiny.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# No exercises")]),
                   tmp_path / "src" / "plain.ipynb")
    written = cw.write_student_editions(sorted((tmp_path / "src").glob("*.ipynb")), tmp_path / "out")
    assert [p.name for p in written] == ["tiny.ipynb"]
    assert nbformat.read(written[0], as_version=4).metadata["emergence"]["chapter"] == "tiny"


# --- the stored form ----------------------------------------------------------------------

def test_normalize_is_idempotent_and_writes_what_jupyterlab_writes(tmp_path):
    nb = cw.synthetic_chapter()
    raw = json.loads(nbformat.writes(nb))
    assert raw["metadata"]["kernelspec"] == nbk.KERNELSPEC
    assert {"codemirror_mode", "file_extension", "mimetype", "name", "nbconvert_exporter",
            "pygments_lexer", "version"} == set(raw["metadata"]["language_info"])
    assert all(c.get("id") for c in raw["cells"]) and raw["nbformat_minor"] >= 5
    assert nbk.normalize(nb) == nb
    path = tmp_path / "x.ipynb"
    path.write_text(nbk._text(nb))
    assert not nbk.normalize_file(path, check=True)
    # a session's traces are removed: outputs, counts, execution times, widget state
    messy = copy.deepcopy(nb)
    messy.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi")]
    messy.cells[1].execution_count = 3
    messy.cells[1].metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    messy.metadata["widgets"] = {"state": {}}
    raw = json.loads(nbformat.writes(messy))
    del raw["cells"][2]["id"]
    path.write_text(json.dumps(raw))
    assert nbk.normalize_file(path, check=True) and nbk.normalize_file(path)
    assert not nbk.normalize_file(path, check=True)
    again = nbformat.read(path, as_version=4)
    assert again.cells[1].outputs == [] and again.cells[1].execution_count is None
    assert "widgets" not in again.metadata and again.cells[2].id


def test_normalize_collapses_hidden_checks_and_solutions_and_uses_colon_fences():
    nb = cw.synthetic_chapter()
    hidden = [c for c in nb.cells if "remove-cell" in c.metadata.get("tags", [])]
    assert hidden and all(c.metadata["jupyter"]["source_hidden"] for c in hidden)
    solutions = [nb.cells[i] for i in nbk._solution_cells(nb)]
    assert len(solutions) == 3
    for cell in solutions:
        assert cell.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    answers = [c for c in nb.cells if c.cell_type == "code" and "= None" in c.source]
    assert answers and not any("jupyter" in c.metadata for c in answers)
    fences = [c.source.split("\n")[0] for c in nb.cells if "{exercise}" in c.source or "{solution" in c.source]
    assert fences and all(line.startswith(":::{") for line in fences)


def test_command_line(tmp_path, capsys):
    src = tmp_path / "tiny.ipynb"
    src.write_text(nbformat.writes(cw.synthetic_chapter()).replace(":::", "```"))
    assert cw.main(["normalize", "--check", str(src)]) == 1
    assert "not normalised" in capsys.readouterr().out
    assert cw.main(["normalize", str(src)]) == 0 and cw.main(["normalize", "--check", str(src)]) == 0
    assert cw.main(["student", str(src), "--out", str(tmp_path / "student")]) == 0
    assert (tmp_path / "student" / "tiny.ipynb").exists()


# --- publishing with the site -------------------------------------------------------------

class _Stub:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def test_student_editions_cite_in_plain_text(tmp_path):
    """Colab does not know MyST roles: the editions carry citations and chapter links as text."""
    written = cw.write_student_editions(CHAPTERS, tmp_path)
    assert len(written) == len(CHAPTERS)
    bib = cw.bibliography(ROOT / "references.bib")
    assert bib["schaeffer2023mirage"] == ("Schaeffer et al.", "2023")
    for path in written:
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
        assert "{cite" not in text and "{doc}" not in text, path.name


def test_solutions_are_stored_without_a_dropdown_that_jupyterlab_would_draw_empty():
    text = ":::{solution-start} x-ex1\n:class: dropdown\n:::\n\n:::{solution} x-ex2\n:class: dropdown wide\n\nText.\n:::"
    assert nbk._unfolded_solutions(text) == ":::{solution-start} x-ex1\n:::\n\n:::{solution} x-ex2\n:class: wide\n\nText.\n:::"
    exercise = ":::{exercise} x-1: T\n:class: dropdown\n:::"
    assert nbk._unfolded_solutions(exercise) == exercise
    for path in CHAPTERS:
        assert ":class: dropdown" not in "".join(c.source for c in nbformat.read(path, as_version=4).cells), path.name

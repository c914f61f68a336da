"""An nbgrader course made from the book's chapters.

nbgrader (the Jupyter project's grading tool) does what a course needs: points, hidden
tests, written answers graded by hand in its formgrader, feedback for each student and a
gradebook to export. This module writes its course folder from the chapters, which stay
the single source::

    python -m emergence.book.course [CHAPTER ...] [--out DIR] [--release] [--validate [--kernel-env ENV]]
                                    [--language LANGUAGE]

``DIR`` (default ``_build/course``) gets ``nbgrader_config.py`` and, for each chapter with
exercises, ``source/<chapter>/<chapter>.ipynb``, the instructor's version:

- the chapter as its student edition shows it (`emergence.book.coursework.student_edition`:
  no hidden prose checks, exercises as plain headings, citations as plain text);
- each exercise's answer cell holds the book's solution between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` (an nbgrader autograded answer), which the release replaces with
  ``answer = None``;
- after it, a locked test cell worth the exercise's points: ``check("id", answer)``, which
  prints the book's feedback (and never stops "Run all"), then a hidden test, left out of
  the release, that fails unless the book's checker, freshly loaded, accepts the answer:
  the exercise scores its points only then, and a ``check`` redefined in the notebook
  changes nothing.

An exercise's points are the ``points`` of its answer cell's ``emergence`` metadata in the
chapter (default 1). ``--release`` then runs nbgrader's ``generate_assignment`` for every
chapter, which writes the students' versions to ``DIR/release/<chapter>/``; ``--validate``
runs every instructor version from a fresh kernel: every cell must run, and the book's
solutions must pass the course's tests.

``--language ko`` makes the Korean edition's course: the chapters' Markdown from the
catalogues the site's Korean pages are built with, and the notes and stubs around it in
Korean (`emergence.book.translate_markdown`); the code and the checks are the same.

The module is also a Sphinx extension (``emergence.book.course`` in ``_config.yml``): the built
site carries each chapter's release under ``student/``, linked at the top of the chapter
with a Binder link to the same notebook (Binder's ``postBuild`` makes the course); a
translated edition's pages link that edition's course.

Examples
--------
>>> from emergence.book.coursework import synthetic_chapter
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
import contextlib
import copy
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell

from emergence.book.coursework import (
    STUB_COMMENT,
    STUDENT_NOTE,
    WRITTEN_STUB,
    _same,
    _book_chapters,
    _is_stub,
    _replace_lines,
    chapters_with_exercises,
    plain_roles,
    student_edition,
)
from emergence.book.editions import ORIGINAL, site_text
from emergence.book.notebooks import (
    HIDDEN,
    _code_without_magics,
    _solution_cells,
    _text,
    book_metadata,
    check_calls,
    directives,
    exercises,
    normalize,
    rubric_of,
    written_answer_of,
)
from emergence.book.translate_markdown import locales_root, words_in
from emergence.translatable import translatable_template

__all__ = ["course_source", "solution_code", "written_solutions", "write_course", "release",
           "validate", "nbgrader_config", "NBGRADER_CONFIG", "ANSWER_STUB", "CELL_TIMEOUT", "main"]

#: What a student finds in place of the book's solution.
ANSWER_STUB = f"answer = None  {STUB_COMMENT}"

#: Seconds a cell may run when nbgrader grades a submission (each chapter runs in seconds).
CELL_TIMEOUT = 60


def nbgrader_config(cell_timeout: int = CELL_TIMEOUT, words=_same) -> str:
    """The course's nbgrader settings, written to ``nbgrader_config.py``; ``words`` gives the
    stubs in the course's language."""
    answer_stub = f"answer = None  {words(STUB_COMMENT)}"
    return (NBGRADER_CONFIG.replace("@CELL_TIMEOUT@", str(int(cell_timeout)))
            .replace("@ANSWER_STUB@", repr(answer_stub))
            .replace("@WRITTEN_STUB@", repr(words(WRITTEN_STUB))))


#: The settings' template: ``@CELL_TIMEOUT@`` is the seconds a cell may run when graded.
NBGRADER_CONFIG = '''\
# nbgrader settings for the course made from the book's chapters (python -m emergence.book.course).
import os

c = get_config()  # noqa: F821 (nbgrader defines it)

c.CourseDirectory.course_id = "emergence-or-mirage"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))

# the release puts this in place of the book's solution in each answer cell
c.ClearSolutions.code_stub = {"python": @ANSWER_STUB@}
c.ClearSolutions.text_stub = @WRITTEN_STUB@

# a submission that is not the assignment's release (the book's full edition, another
# chapter) is refused with the reason, which its feedback shows (emergence.book.grading)
from emergence.book.grading import CheckSubmission  # noqa: E402
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
    tree = ast.parse(_code_without_magics(source))
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
        points = book_metadata(cell, "points")
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
        f'check("{qid}", answer)\n'
        f"{_HIDDEN[0]}\n"
        "# the book's checker, freshly loaded: a check() redefined in the notebook changes nothing\n"
        "import importlib as _importlib, emergence.book.exercises as _book\n"
        f'assert _importlib.reload(_book).evaluate("{qid}", answer).ok, (\n'
        f'    "{qid}: not right yet (see the message above)")\n'
        f"{_HIDDEN[1]}")
    test.metadata["nbgrader"] = _nbgrader(qid, grade=True, solution=False, locked=True, points=points)
    return [answer, test]


def course_source(nb: NotebookNode, name: str, references: dict | None = None,
                  titles: dict | None = None, words=_same) -> NotebookNode:
    """The instructor's nbgrader version of one chapter (see the module's docstring);
    ``words`` gives the text written around it in the course's language."""
    solutions, written, points = solution_code(nb), written_solutions(nb), _points(nb)
    missing = [e.qid for e in exercises(nb) if not e.written and e.qid not in solutions]
    if missing:
        raise ValueError(f"{name}: no solution code for {', '.join(missing)}; put it in a "
                         "solution-start ... solution-end block after the exercise.")
    if references is not None or titles is not None:   # as the student edition shows them
        written = {q: (plain_roles(m, references, titles), plain_roles(r, references, titles))
                   for q, (m, r) in written.items()}
    for qid, (model, rubric) in written.items():
        if not model or not rubric:
            raise ValueError(f"{name}: the written exercise {qid} needs a model answer in its "
                             "solution block and a rubric in a hidden Markdown cell with "
                             f'metadata {{"emergence": {{"rubric": "{qid}"}}}}.')
    student = student_edition(nb, name, references, titles, words)
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
    for cell in source.cells:     # the student edition's note, for the course
        if cell.cell_type == "markdown" and cell.source == words(STUDENT_NOTE):
            cell.source = words(COURSE_NOTE)
    source.metadata["emergence"] = {**student.metadata["emergence"], "edition": "course"}
    out = normalize(source, name=f"{name}-course")
    for cell in out.cells:   # normalize collapses nothing here: no solution blocks are left
        cell.metadata.pop("collapsed", None)
    return out


COURSE_NOTE = translatable_template(
    "**Coursework.** This is the chapter without the book's hidden checks. Run the cells from "
    "the top; on Colab or a bare kernel the first code cell installs the book's helper "
    "package. After each exercise, replace `None` in the answer cell with your answer (code "
    "that computes it) and run the test cell below it: it prints whether the answer is right "
    "and, if not, gives a hint. Do not change or delete the test cells: your work is graded "
    "from them, with further checks of the same answers."
)


def write_course(chapters, root, cell_timeout: int = CELL_TIMEOUT,
                 language: str | None = None) -> list[Path]:
    """Write ``nbgrader_config.py`` and ``source/<chapter>/<chapter>.ipynb`` for every chapter
    with exercises into ``root``; returns the notebooks written. A cell of a submission may
    run ``cell_timeout`` seconds when graded. With a ``language``, the course is that
    edition's: its Markdown and the text around it from the catalogues in ``locales/``."""
    root, chapters = Path(root), list(map(Path, chapters))
    root.mkdir(parents=True, exist_ok=True)
    words = words_in(language, locales_root(chapters[0]) if chapters else ".")
    (root / "nbgrader_config.py").write_text(nbgrader_config(cell_timeout, words), encoding="utf-8")
    written = []
    for chapter, nb, references, titles in chapters_with_exercises(chapters, language):
        target = root / "source" / chapter.stem / chapter.name
        target.parent.mkdir(parents=True, exist_ok=True)
        source = course_source(nb, chapter.stem, references, titles, words)
        target.write_text(_text(source), encoding="utf-8")
        written.append(target)
    return written


@contextlib.contextmanager
def _own_commands_on_path():
    """nbgrader runs the `alembic` command of its own environment to set up the gradebook."""
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), old])
    try:
        yield
    finally:
        os.environ["PATH"] = old


def _course_config(root: Path):
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return config


def release(root, assignments) -> list[Path]:
    """nbgrader's ``generate_assignment`` for each assignment (chapter name), in this process
    and with the course's ``nbgrader_config.py``: the students' versions in
    ``root/release/<name>/``. Raises RuntimeError with nbgrader's message on failure."""
    from nbgrader.apps import NbGraderAPI

    root = Path(root).resolve()
    config = _course_config(root)
    released = []
    with _own_commands_on_path():
        api = NbGraderAPI(config=config)
        for name in assignments:
            result = api.generate_assignment(name, force=True)
            if not result["success"]:
                raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n{result.get('error', '')}"
                                   f"{result.get('log', '')}")
            released.append(root / "release" / name / f"{name}.ipynb")
    return released


@contextlib.contextmanager
def _kernel_of(env):
    """The ``python3`` kernel of another environment (one with ipykernel, its kernel spec
    installed with ``ipykernel install --prefix ENV``) for what runs inside this block;
    raises RuntimeError if that is not the kernel Jupyter then finds."""
    if env is None:
        yield
        return
    from jupyter_client.kernelspec import KernelSpecManager

    env = os.path.abspath(env)
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (os.path.join(env, "share", "jupyter"), old) if p)
    try:
        python = KernelSpecManager().get_kernel_spec("python3").argv[0]
        if not os.path.abspath(python).startswith(env + os.sep):
            raise RuntimeError(f"the python3 kernel found is {python}, not {env}'s: run "
                               f"{env}/bin/python -m ipykernel install --prefix {env} --name python3")
        yield
    finally:
        if old is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old


def validate(root, assignments, kernel_env=None, timeout: float = 600) -> dict[str, list[str]]:
    """Run each assignment's instructor version (``source/<name>/<name>.ipynb``) from a fresh
    kernel, every cell: ``{name: problems}``, empty when every cell runs without an error.
    The test cells raise when an answer is wrong, so this also checks that the book's
    solutions pass the course's tests. ``kernel_env``: run with that environment's kernel
    (for example one with only the package and its own dependencies)."""
    from emergence.book.notebooks import _cell_error, run_notebook

    root = Path(root).resolve()
    found = {}
    with _kernel_of(kernel_env):
        for name in assignments:
            nb = nbformat.read(root / "source" / name / f"{name}.ipynb", as_version=4)
            ran, finished = run_notebook(nb, timeout=timeout, cell_timeout=timeout)
            problems = [] if finished else [f"did not finish within {timeout:g} s"]
            for index, cell in enumerate(ran.cells):
                error = _cell_error(cell)
                if error:
                    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                    problems.append(f"cell {index}{f' ({grade_id})' if grade_id else ''} raised {error}")
            found[name] = problems
    return found


# --- Sphinx: each chapter's release published with the site -------------------------------

RELEASE_DIR = "student"


def _chapter_source(app, docname: str) -> Path | None:
    path = Path(app.env.doc2path(docname))
    return path if path.suffix == ".ipynb" else None


def _has_exercises(path: Path) -> bool:
    try:
        return bool(exercises(nbformat.read(path, as_version=4)))
    except Exception:
        return False


#: Where Binder's ``postBuild`` writes the course, at the top of the repository.
COURSE_DIR = "course"


def _language(app) -> str | None:
    """The build's language if it is a translation's, else ``None``."""
    language = getattr(app.config, "language", None)
    return None if language in (None, ORIGINAL[0]) else language


def course_dir(language: str | None = None) -> str:
    """Where Binder's ``postBuild`` writes the course of an edition: :data:`COURSE_DIR` for
    the English, ``course-<language>`` beside it for a translation's.

    >>> course_dir(), course_dir("ko")
    ('course', 'course-ko')
    """
    return COURSE_DIR if language is None else f"{COURSE_DIR}-{language}"


def binder_link(app, name: str) -> str | None:
    """The Binder address of a chapter's release in the build's language, from the book's
    repository and launch button settings (None without them). Binder's ``postBuild`` makes
    the courses."""
    options = getattr(app.config, "html_theme_options", {}) or {}
    hub = (options.get("launch_buttons") or {}).get("binderhub_url")
    repo = options.get("repository_url", "")
    if not hub or "github.com/" not in repo:
        return None
    slug = repo.split("github.com/", 1)[1].strip("/")
    branch = options.get("repository_branch") or "main"
    return (f"{hub.rstrip('/')}/v2/gh/{slug}/{branch}?urlpath=lab/tree/"
            f"{course_dir(_language(app))}/release/{name}/{name}.ipynb")


def _add_download_link(app, doctree, docname):
    from docutils import nodes

    if app.builder.format != "html":
        return
    path = _chapter_source(app, docname)
    if path is None or not _has_exercises(path):
        return
    page = app.builder.get_target_uri(docname)
    href = os.path.relpath(f"{RELEASE_DIR}/{path.name}", os.path.dirname(page) or ".").replace(os.sep, "/")
    binder = binder_link(app, path.stem)
    chapter = f'<a href="{href}" download="{path.name}">{path.name}</a>'
    # in the build's language: the Korean edition's is in locales/ko/LC_MESSAGES/site.po
    if binder:
        text = site_text(app, "<strong>Coursework:</strong> {chapter} is this chapter as students "
                         "get it: no solutions, and after each exercise an answer cell and a test "
                         "cell that says whether the answer is right. Download it for JupyterLab "
                         "or Colab, or {binder}open it on Binder{end}.",
                         chapter=chapter, binder=f'<a href="{binder}">', end="</a>")
    else:
        text = site_text(app, "<strong>Coursework:</strong> {chapter} is this chapter as students "
                         "get it: no solutions, and after each exercise an answer cell and a test "
                         "cell that says whether the answer is right. Download it for JupyterLab "
                         "or Colab.", chapter=chapter)
    html = f'<p class="student-edition">{text}</p>'
    section = next(iter(doctree.findall(nodes.section)), None)
    where = section if section is not None else doctree
    title_at = next((i for i, n in enumerate(where.children) if isinstance(n, nodes.title)), -1)
    where.insert(title_at + 1, nodes.raw("", html, format="html"))


def _write_release_site(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    chapters = [p for d in sorted(app.env.found_docs) if (p := _chapter_source(app, d))]
    with tempfile.TemporaryDirectory(prefix="emergence-course-") as tmp:
        written = write_course(chapters, tmp, language=_language(app))
        out = Path(app.outdir) / RELEASE_DIR
        out.mkdir(parents=True, exist_ok=True)
        for released in release(tmp, [p.parent.name for p in written]):
            shutil.copyfile(released, out / released.name)


def _fold_solutions(app, doctree, docname):
    """Every solution folded on the site: the chapters' solutions carry no ``dropdown`` class
    (`notebooks.normalize`), because JupyterLab would draw one with nothing inside."""
    try:
        from sphinx_exercise.nodes import solution_node
    except ImportError:  # pragma: no cover - the site always has sphinx-exercise
        return
    for node in doctree.findall(solution_node):
        if "dropdown" not in node["classes"]:
            node["classes"].append("dropdown")


def setup(app):
    """Sphinx extension: each chapter's release in ``<site>/student/``, linked from the
    chapter; every solution folded."""
    app.connect("doctree-resolved", _fold_solutions)
    app.connect("doctree-resolved", _add_download_link)
    app.connect("build-finished", _write_release_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emergence.book.course", description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapters (default: book/*.ipynb)")
    parser.add_argument("--out", type=Path, default=Path("_build/course"), help="course folder (default: _build/course)")
    parser.add_argument("--release", action="store_true", help="also run nbgrader generate_assignment")
    parser.add_argument("--validate", action="store_true",
                        help="also run every instructor version, every cell, from a fresh kernel")
    parser.add_argument("--kernel-env", type=Path, default=None,
                        help="with --validate: run the notebooks with this environment's kernel")
    parser.add_argument("--language", default=None,
                        help="a translated edition's course (ko: from locales/ko/LC_MESSAGES)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    written = write_course(args.chapters or _book_chapters(), args.out, language=args.language)
    print(f"wrote {len(written)} chapters to {args.out}/source/ in {time.monotonic() - start:.1f} s")
    if args.release:
        start = time.monotonic()
        released = release(args.out, [p.parent.name for p in written])
        print(f"released {len(released)} chapters to {args.out}/release/ in {time.monotonic() - start:.1f} s")
    if args.validate:
        start = time.monotonic()
        failures = validate(args.out, [p.parent.name for p in written], kernel_env=args.kernel_env)
        for name, problems in failures.items():
            print(f"  {name}: {'ok' if not problems else 'FAILED'}")
            for problem in problems:
                print(f"    {problem[:2000]}")
        print(f"validated {len(failures)} chapters in {time.monotonic() - start:.1f} s")
        if any(failures.values()):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Coursework: the student edition of the chapters (the course that nbgrader grades is
made from the same structure by `emergence.book.course`; the structure is read by
`emergence.book.notebooks`).

Everything here is driven by a chapter's own structure, so a new chapter needs no code:

- an exercise is a MyST ``exercise`` directive whose title starts with its check id
  (``mirage-1: Most digits right``) and whose ``:label:`` names it;
- its solution is a gated ``solution-start`` ... ``solution-end`` block (or a
  ``solution`` directive) naming that label;
- its answer cell is a code cell that calls ``check("mirage-1", answer)``;
- hidden prose checks are cells tagged ``remove-cell``;
- a written exercise (``:class: written``) is answered in the Markdown cell after it
  (``metadata.emergence.answer``); its model answer is its solution block, and its rubric
  a hidden Markdown cell (``metadata.emergence.rubric``).

Two commands, each also a function::

    python -m emergence.book.coursework student [CHAPTER ...] [--out DIR] [--check] [--language LANGUAGE]
    python -m emergence.book.coursework normalize [NOTEBOOK ...] [--check]

Examples
--------
>>> nb = synthetic_chapter()
>>> [e.qid for e in exercises(nb)]
['mirage-1', 'mirage-3', 'mirage-4']
>>> student = student_edition(nb)
>>> [d.name for c in student.cells for d in directives(c.source)]
[]
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
import time
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from emergence.book.notebooks import (
    _QID,
    HIDDEN,
    KERNELSPEC,
    _cell_error,
    _code_without_magics,
    _tags,
    _text,
    check_calls,
    directives,
    exercises,
    normalize,
    normalize_file,
    run_notebook,
    written_answer_of,
)
from emergence.book.exercises import evaluate
from emergence.book.exercises.language import in_language, languages as feedback_languages
from emergence.book.translate_markdown import locales_root, page_catalogue, translate_cells, words_in
from emergence.translatable import translatable_template

__all__ = ["student_edition", "write_student_editions", "chapters_with_exercises", "bibliography",
           "plain_roles", "synthetic_chapter", "STUDENT_NOTE", "WRITTEN_STUB", "main"]

# The text this module writes around a chapter; a translated edition's is in the catalogue
# locales/<language>/LC_MESSAGES/site.po (emergence.book.translate_markdown.words_in).
STUDENT_NOTE = translatable_template(
    "**Student edition.** This is the chapter without its solutions and without the book's "
    "hidden checks. Run the cells from the top; on Colab or a bare kernel the first code cell "
    "installs the book's helper package. After each exercise, put your answer in place of "
    "`None` in the cell below it and run that cell: `check(...)` says whether the answer is "
    "right and, if not, gives a hint. This edition is for practice: coursework is graded from "
    "the chapter's release (the coursework notebook linked at the top of the chapter's page)."
)
STUB_COMMENT = translatable_template("# replace None with your answer")
WRITTEN_STUB = translatable_template("**Your answer.** Write it here, in place of this line.")
#: The comment of the cell a translated edition adds after the install cell.
FEEDBACK_LANGUAGE = translatable_template("# the checks' feedback in this edition's language")
#: An exercise's heading in the student edition, and a cross-reference to it.
EXERCISE_HEADING = translatable_template("Exercise {qid}: {title}")
EXERCISE_REFERENCE = translatable_template("exercise {qid}")


# --- the student edition ----------------------------------------------------------------

def _replace_lines(text: str, spans: list[tuple[int, int, str | None]]) -> str:
    lines = text.split("\n")
    for start, end, new in sorted(spans, reverse=True):
        lines[start:end + 1] = [] if new is None else new.split("\n")
    return "\n".join(lines).strip("\n")


def _is_stub(source: str, qid: str) -> bool:
    """An answer cell: it checks ``qid`` only, and sets the checked name to None first
    (starter code before that is allowed)."""
    calls = check_calls(source)
    if [q for q, _ in calls] != [qid]:
        return False
    try:
        tree = ast.parse(_code_without_magics(source))
    except SyntaxError:
        return False
    name = calls[0][1]
    return any(isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
               and stmt.value.value is None
               and any(getattr(t, "id", None) == name for t in stmt.targets) for stmt in tree.body)


def _same(template: str) -> str:
    return template


def _stub(qid: str, written: bool = False, words=_same) -> NotebookNode:
    if written:
        return new_markdown_cell(words(WRITTEN_STUB), metadata={"emergence": {"answer": qid}})
    return new_code_cell(f'answer = None  {words(STUB_COMMENT)}\ncheck("{qid}", answer)')


def _braced(text: str, start: int) -> str:
    """The text inside the braces that open at ``text[start]``."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1:i]
    return text[start + 1:]


def bibliography(path) -> dict[str, tuple[str, str]]:
    """``{key: (authors as cited, year)}`` from a BibTeX file, for plain-text citations.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "r.bib"
    >>> _ = f.write_text("@article{k, author = {Wei, Jason and Tay, Yi and Zoph, B.}, year = {2022}}")
    >>> bibliography(f)
    {'k': ('Wei et al.', '2022')}
    """
    text = Path(path).read_text(encoding="utf-8")
    found = {}
    for m in re.finditer(r"@\w+\s*\{\s*([^,\s]+)\s*,", text):
        body = _braced(text, text.index("{", m.start()))
        fields = {}
        for f in re.finditer(r"(\w+)\s*=\s*\{", body):
            fields.setdefault(f[1].lower(), _braced(body, f.end() - 1))
        people = [p.strip() for p in re.split(r"\s+and\s+", fields.get("author", "")) if p.strip()]
        last = [re.sub(r"[{}]", "", p.split(",")[0] if "," in p else p.split()[-1]) for p in people]
        if len(last) > 2 or "others" in last:
            who = f"{last[0]} et al."
        else:
            who = " and ".join(last) or m[1]
        found[m[1]] = (who, re.sub(r"[{}]", "", fields.get("year", "n.d.")))
    return found


def plain_roles(text: str, references: dict | None = None, titles: dict | None = None) -> str:
    """MyST citation and cross-reference roles as plain text, for a Markdown renderer that
    does not know them (Colab): ``{cite:t}`key``` becomes "Wei et al. (2022)",
    ``{cite:p}`` "(Wei et al. 2022)", ``{doc}`02_mirage_derived``` the chapter's title.

    Examples
    --------
    >>> plain_roles("As {cite:t}`k` show {cite:p}`k`; see {doc}`02_x`.",
    ...             {"k": ("Wei et al.", "2022")}, {"02_x": "The mirage"})
    'As Wei et al. (2022) show (Wei et al. 2022); see "The mirage".'
    """
    references, titles = references or {}, titles or {}

    def cite(m):
        keys = [k.strip() for k in m[2].split(",")]
        if not all(k in references for k in keys):
            return m[0]
        if m[1] in (":t", ":ts"):
            return "; ".join(f"{references[k][0]} ({references[k][1]})" for k in keys)
        return "(" + "; ".join(f"{references[k][0]} {references[k][1]}" for k in keys) + ")"

    def ref(m):
        shown = re.match(r"^(.*?)\s*<([^>]+)>$", m[2])
        if shown:
            return shown[1]
        target = m[2].split("/")[-1]
        if m[1] == "doc":
            return f'"{titles[target]}"' if target in titles else m[0]
        return m[2]

    text = re.sub(r"\{cite(:t|:p|:ps|:ts)?\}`([^`]+)`", cite, text)
    return re.sub(r"\{(doc|ref)\}`([^`]+)`", ref, text)


def _titles(folder: Path) -> dict[str, str]:
    titles = {}
    for path in sorted(folder.glob("*.ipynb")) + sorted(folder.glob("*.md")):
        try:
            text = (path.read_text(encoding="utf-8") if path.suffix == ".md" else
                    "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                              if c.cell_type == "markdown"))
        except Exception:
            continue
        first = re.search(r"^# (.+)$", text, re.M)
        if first:
            titles[path.stem] = first[1].strip()
    return titles


def _references_near(folder: Path) -> dict:
    for parent in (folder, *list(folder.parents)[:2]):
        if (parent / "references.bib").exists():
            return bibliography(parent / "references.bib")
    return {}


def student_edition(nb: NotebookNode, name: str = "", references: dict | None = None,
                    titles: dict | None = None, words=_same) -> NotebookNode:
    """The student edition of a chapter.

    Solutions and hidden prose checks are removed; each exercise is plain Markdown (a
    heading with its check id, then its text) followed by exactly one answer cell
    ``answer = None ...; check("id", answer)`` (the chapter's own, if it has one); a note
    for students follows the title; no outputs. The notebook's metadata lists its
    exercises (``metadata.emergence``). Citations and
    cross-references become plain text (`plain_roles`) when ``references`` (from
    `bibliography`) and ``titles`` (document name -> title) are given. ``words`` gives the
    text written around the chapter (the note, the headings, the stubs) in the edition's
    language (`emergence.book.translate_markdown.words_in`; English by default).
    """
    source = normalize(nb, name)
    found = {e.cell: [] for e in exercises(source)}
    for e in exercises(source):
        found[e.cell].append(e)
    written = {e.qid for es in found.values() for e in es if e.written}
    labels = {e.label: e.qid for es in found.values() for e in es if e.label}
    out, inside, pending = [], False, []
    for index, cell in enumerate(source.cells):
        if HIDDEN in _tags(cell):
            continue
        if cell.cell_type != "markdown":
            if inside:
                continue
            calls = [q for q, _ in check_calls(cell.source)] if cell.cell_type == "code" else []
            if pending and calls and calls[0] == pending[0] and _is_stub(cell.source, pending[0]):
                out.append(copy.deepcopy(cell))
                pending.pop(0)
                continue
            out.extend(_stub(q, q in written, words) for q in pending)
            pending = []
            out.append(copy.deepcopy(cell))
            continue
        if pending and written_answer_of(cell) == pending[0]:
            out.append(copy.deepcopy(cell))
            pending.pop(0)
            continue
        spans, text = [], cell.source
        blocks = directives(text)
        keep_from = 0
        if inside:
            end = next((d for d in blocks if d.name == "solution-end"), None)
            if end is None:
                continue
            keep_from = end.end + 1
            spans.append((0, end.end, None))
            inside = False
        for d in blocks:
            if d.start < keep_from:
                continue
            if d.name == "solution-start":
                after = [b for b in blocks if b.start > d.start and b.name == "solution-end"]
                spans.append((d.start, after[0].end if after else len(text.split("\n")) - 1, None))
                inside = not after
                if inside:
                    break
            elif d.name in ("solution", "solution-end"):
                spans.append((d.start, d.end, None))
            elif d.name == "exercise":
                m = _QID.match(d.argument)
                qid = m["qid"] if m else next(e.qid for e in found[index] if e.title == d.argument)
                title = m["title"] if m else d.argument
                heading = words(EXERCISE_HEADING).format(qid=qid, title=title)
                spans.append((d.start, d.end, f"### {heading}\n\n{d.body}"))
        new = _replace_lines(text, spans) if spans else text
        for label, qid in labels.items():
            new = re.sub(rf"\{{(?:ref|numref)\}}`{re.escape(label)}`",
                         words(EXERCISE_REFERENCE).format(qid=qid), new)
        if references is not None or titles is not None:
            new = plain_roles(new, references, titles)
        if pending:
            out.extend(_stub(q, q in written, words) for q in pending)
            pending = []
        if new.strip():
            cell = copy.deepcopy(cell)
            cell.source = new
            out.append(cell)
        pending = [e.qid for e in found.get(index, [])]
    out.extend(_stub(q, q in written, words) for q in pending)
    first_md = next((i for i, c in enumerate(out) if c.cell_type == "markdown"), -1)
    out.insert(first_md + 1, new_markdown_cell(words(STUDENT_NOTE)))
    student = new_notebook(cells=out, metadata=copy.deepcopy(source.metadata))
    student.metadata["emergence"] = {"edition": "student", "chapter": name,
                                     "exercises": [e.qid for e in exercises(source)],
                                     "written": sorted(written)}
    if "language" in source.metadata.get("emergence", {}):   # a translated edition's
        student.metadata["emergence"]["language"] = source.metadata["emergence"]["language"]
    return normalize(student, name=f"{name}-student")


def chapters_with_exercises(chapters, language: str | None = None):
    """``(path, notebook, references, titles)`` for each chapter that has exercises, with
    the bibliography and the chapter titles of its folder (read once per folder) for
    `plain_roles`. With a ``language``, the notebook's Markdown and the titles are in that
    language, from the catalogues the site's edition is built with
    (`emergence.book.translate_markdown`)."""
    context = {}
    for chapter in map(Path, chapters):
        nb = nbformat.read(chapter, as_version=4)
        if not exercises(nb):
            continue
        folder = chapter.resolve().parent
        if folder not in context:
            titles = _titles(folder)
            if language is not None:
                titles = {stem: page_catalogue(folder / f"{stem}.ipynb", language)(title) or title
                          for stem, title in titles.items()}
            context[folder] = (_references_near(folder), titles)
        if language is not None:
            nb = _in_language(translate_cells(nb, page_catalogue(chapter, language)), language,
                              words_in(language, locales_root(chapter)))
        yield (chapter, nb, *context[folder])


def _in_language(nb: NotebookNode, language: str, words) -> NotebookNode:
    """A translated chapter marked with its language, whose checks speak it: a cell after
    the install cell (the first code cell) sets the feedback's language."""
    nb.metadata.setdefault("emergence", {})["language"] = language
    if language in feedback_languages():
        first = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), -1)
        nb.cells.insert(first + 1, new_code_cell(
            f"{words(FEEDBACK_LANGUAGE)}\n"
            f"from emergence.book.exercises import use_language\nuse_language({language!r})"))
    return nb


def write_student_editions(chapters, out_dir, language: str | None = None) -> list[Path]:
    """Write the student edition of each chapter (that has exercises) into ``out_dir``, in
    ``language`` if given (English by default)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    chapters = list(map(Path, chapters))
    words = words_in(language, locales_root(chapters[0]) if chapters else ".")
    for chapter, nb, references, titles in chapters_with_exercises(chapters, language):
        target = out_dir / chapter.name
        edition = student_edition(nb, chapter.stem, references, titles, words)
        target.write_text(_text(edition), encoding="utf-8")
        written.append(target)
    return written


# --- a tiny chapter for tests and examples ----------------------------------------------

def synthetic_chapter() -> NotebookNode:
    """A three-exercise chapter in the book's format (for tests and examples): it checks
    real exercises (mirage-1, mirage-3, mirage-4) whose answers are short."""
    cells = [new_markdown_cell("# A tiny chapter\n\nThree exercises in the book's format.")]
    cells.append(new_code_cell("from emergence.book.exercises import check\nimport numpy as np"))
    cells.append(new_code_cell("assert 0.9 ** 5 < 0.6", metadata={"tags": [HIDDEN]}))
    items = [
        ("mirage-1", "Five digits", "A digit is right with probability 0.9. What fraction of "
         "five-digit answers are right?", "answer = 0.9 ** 5"),
        ("mirage-3", "Test items", "How many items give a 95% chance of seeing a success "
         "when the accuracy is $10^{-4}$?", "answer = int(np.ceil(np.log(0.05) / np.log(1 - 1e-4)))"),
        ("mirage-4", "The sign", 'Is the score `"positive"` or `"negative"`?', 'answer = "negative"'),
    ]
    for n, (qid, title, text, solution) in enumerate(items, 1):
        cells += [
            new_markdown_cell(f"```{{exercise}} {qid}: {title}\n:label: tiny-ex{n}\n\n{text}\n```"),
            new_code_cell(f'answer = None  {STUB_COMMENT}\ncheck("{qid}", answer)'),
            new_markdown_cell(f"```{{solution-start}} tiny-ex{n}\n```"),
            new_code_cell(f'{solution}\ncheck("{qid}", answer)'),
            new_markdown_cell("```{solution-end}\n```"),
            new_code_cell(f'assert check("{qid}", answer)', metadata={"tags": [HIDDEN]}),
        ]
    cells.append(new_markdown_cell("## What to take away\n\nSmall things."))
    return normalize(new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC}), "tiny")


# --- command line -----------------------------------------------------------------------

def _book_chapters(root: Path = Path("book")) -> list[Path]:
    return sorted(root.glob("*.ipynb"))


def _check_student(path: Path, timeout: float) -> list[str]:
    """Problems found running a student edition unanswered (empty if none)."""
    nb = nbformat.read(path, as_version=4)
    ran, finished = run_notebook(nb, timeout=timeout, cell_timeout=timeout)
    problems = [] if finished else [f"did not finish within {timeout:g} s"]
    written = set(nb.metadata["emergence"].get("written", []))
    qids = [q for q in nb.metadata["emergence"]["exercises"] if q not in written]
    with in_language(nb.metadata["emergence"].get("language")):   # in the edition's words
        unanswered = {q: str(evaluate(q, None)) for q in qids}
    for i, cell in enumerate(ran.cells):
        error = _cell_error(cell)
        if error:
            problems.append(f"cell {i} raised {error}")
        calls = check_calls(cell.source) if cell.cell_type == "code" else []
        text = "".join(o.get("text", "") for o in cell.get("outputs", []))
        for qid, _ in calls:
            if unanswered.get(qid, f"{qid}: not answered yet") not in text:
                problems.append(f"the answer cell of {qid} does not say 'not answered yet'")
    answered = {q for c in ran.cells if c.cell_type == "code" for q, _ in check_calls(c.source)}
    problems += [f"{q} has no answer cell" for q in qids if q not in answered]
    has_cell = {written_answer_of(c) for c in ran.cells}
    problems += [f"{q} has no cell for the written answer" for q in written if q not in has_cell]
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emergence.book.coursework", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("student", help="write the student edition of each chapter")
    s.add_argument("chapters", nargs="*", type=Path, help="chapters (default: book/*.ipynb)")
    s.add_argument("--out", type=Path, default=Path("_build/student"), help="folder (default: _build/student)")
    s.add_argument("--check", action="store_true", help="run each edition unanswered and check it")
    s.add_argument("--timeout", type=float, default=120, help="seconds per edition for --check")
    s.add_argument("--language", default=None,
                   help="a translated edition's language (ko: from locales/ko/LC_MESSAGES)")
    n = sub.add_parser("normalize", help="store notebooks in the book's normalised form")
    n.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: book/*.ipynb)")
    n.add_argument("--check", action="store_true", help="only report notebooks that are not normalised")
    args = parser.parse_args(argv)

    if args.command == "student":
        start = time.monotonic()
        written = write_student_editions(args.chapters or _book_chapters(), args.out, args.language)
        print(f"wrote {len(written)} student editions to {args.out}/ in {time.monotonic() - start:.1f} s")
        failed = 0
        if args.check:
            for path in written:
                t = time.monotonic()
                problems = _check_student(path, args.timeout)
                print(f"  {path.name}: {'ok' if not problems else 'FAILED'} ({time.monotonic() - t:.1f} s)")
                for p in problems:
                    print(f"    {p}")
                failed += bool(problems)
        return 1 if failed else 0
    notebooks = args.notebooks or _book_chapters()
    changed = [p for p in notebooks if normalize_file(p, check=args.check)]
    for p in changed:
        print(f"{p}: {'not normalised' if args.check else 'normalised'}")
    if args.check and changed:
        print(f"run: python -m emergence.book.coursework normalize {' '.join(map(str, changed))}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

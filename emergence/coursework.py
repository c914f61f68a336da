"""Coursework: the student edition of the chapters and the stored form of the notebooks
(the course that nbgrader grades is made from the same structure by `emergence.course`).

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

    python -m emergence.coursework student [CHAPTER ...] [--out DIR] [--check]
    python -m emergence.coursework normalize [NOTEBOOK ...] [--check]

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
import hashlib
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


__all__ = ["Exercise", "exercises", "check_calls", "student_edition", "write_student_editions",
           "bibliography", "plain_roles",
           "normalize", "normalize_file", "run_notebook",
           "synthetic_chapter", "KERNELSPEC", "main"]

#: The kernel every chapter names, as JupyterLab writes it for the book's environment.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

#: language_info as ipykernel reports it; "version" is the interpreter's (see `normalize`).
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}

#: Cell metadata that records a session, not the chapter (execution times, trust).
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "trusted", "scrolled", "papermill")
#: Notebook metadata of the same kind (saved widget state).
VOLATILE_NOTEBOOK_METADATA = ("widgets", "papermill")

HIDDEN = "remove-cell"
STUDENT_NOTE = (
    "**Student edition.** This is the chapter without its solutions and without the book's "
    "hidden checks. Run the cells from the top; on Colab or a bare kernel the first code cell "
    "installs the book's helper package. After each exercise, put your answer in place of "
    "`None` in the cell below it and run that cell: `check(...)` says whether the answer is "
    "right and, if not, gives a hint. This edition is for practice: coursework is graded from "
    "the chapter's release (the \"Coursework\" notebook at the top of the chapter's page)."
)
STUB_COMMENT = "# replace None with your answer"
#: The class of an exercise answered in prose and graded by hand (``:class: written``).
WRITTEN = "written"
WRITTEN_STUB = "**Your answer.** Write it here, in place of this line."


# --- reading a chapter ------------------------------------------------------------------

_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<arg>.*?)[ \t]*$")


@dataclass
class Directive:
    """A top-level MyST directive in a markdown cell: lines ``start`` to ``end`` inclusive."""

    name: str
    argument: str
    options: dict
    body: str
    start: int
    end: int
    fence: str


def directives(text: str) -> list[Directive]:
    """The top-level fenced directives of a markdown text (backtick or colon fences).

    Examples
    --------
    >>> d = directives(":::{exercise} x-1: A title\\n:label: x-ex1\\n\\nText.\\n:::\\n")[0]
    >>> d.name, d.argument, d.options, d.body
    ('exercise', 'x-1: A title', {'label': 'x-ex1'}, 'Text.')
    """
    lines = text.split("\n")
    found, i = [], 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m["fence"]
        closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            j += 1
        body = lines[i + 1:j]
        options = {}
        while body and re.match(r"^:[\w-]+:", body[0]):
            key, _, value = body.pop(0)[1:].partition(":")
            options[key] = value.strip()
        found.append(Directive(m["name"], m["arg"], options, "\n".join(body).strip("\n"),
                               i, min(j, len(lines) - 1), fence))
        i = j + 1
    return found


@dataclass
class Exercise:
    """One exercise of a chapter: its check id, label, title and the cell that states it;
    ``written`` for a question answered in prose (``:class: written``), graded by hand."""

    qid: str
    label: str | None
    title: str
    cell: int
    written: bool = False


_QID = re.compile(r"^(?P<qid>[a-z][\w.]*(?:-[\w.]+)*-\d+)\s*:\s*(?P<title>.*)$")


def _code_without_magics(source: str) -> str:
    return "\n".join(line[:len(line) - len(line.lstrip())] + "pass"
                     if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


def check_calls(source: str) -> list[tuple[str, str]]:
    """``(check id, answer expression)`` for every ``check("id", expression)`` in a code cell.

    Examples
    --------
    >>> check_calls('answer = None\\ncheck("mirage-1", answer)')
    [('mirage-1', 'answer')]
    """
    try:
        tree = ast.parse(_code_without_magics(source))
    except SyntaxError:
        return [(m[1], m[2] or "answer") for m in
                re.finditer(r"""check\(\s*["']([^"']+)["']\s*(?:,\s*([^)\n]*?))?\s*\)""", source)]
    calls = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "check"
                and node.args and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            expr = (ast.get_source_segment(_code_without_magics(source), node.args[1])
                    if len(node.args) > 1 else None)
            calls.append((node.lineno, node.col_offset, node.args[0].value, expr or "answer"))
    return [(qid, expr) for *_, qid, expr in sorted(calls)]


def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def exercises(nb: NotebookNode) -> list[Exercise]:
    """The exercises of a notebook, in order, with their check ids.

    The id is the title's prefix (``mirage-1: ...``); failing that, the first
    ``check("id", ...)`` call after the exercise.
    """
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for d in directives(cell.source):
            if d.name != "exercise":
                continue
            m = _QID.match(d.argument)
            qid = m["qid"] if m else None
            if qid is None:
                later = (check_calls(c.source) for c in nb.cells[index + 1:] if c.cell_type == "code")
                qid = next((calls[0][0] for calls in later if calls), None)
            if qid is None:
                raise ValueError(f"exercise {d.options.get('label') or d.argument!r} (cell {index}) "
                                 "has no check id: start its title with the id, e.g. 'mirage-1: ...'.")
            written = WRITTEN in d.options.get("class", "").split()
            found.append(Exercise(qid, d.options.get("label"), m["title"] if m else d.argument, index,
                                  written))
    return found


def _solution_cells(nb: NotebookNode) -> set[int]:
    """Indices of the cells strictly inside gated solution blocks."""
    inside, cells = False, set()
    for index, cell in enumerate(nb.cells):
        names = [d.name for d in directives(cell.source)] if cell.cell_type == "markdown" else []
        if inside and "solution-end" not in names:
            cells.add(index)
        for name in names:
            if name == "solution-start":
                inside = True
            elif name == "solution-end":
                inside = False
    return cells


# --- the stored form ---------------------------------------------------------------------

def _cell_id(name: str, index: int, source: str, taken: set) -> str:
    salt = 0
    while True:
        cid = hashlib.sha1(f"{name}:{index}:{salt}:{source}".encode()).hexdigest()[:8]
        if cid not in taken:
            taken.add(cid)
            return cid
        salt += 1


def _colon_fences(text: str) -> str:
    """Exercise and solution directives with colon fences, which a plain Markdown renderer
    (Colab, GitHub) shows as formatted text instead of a block of code."""
    lines = text.split("\n")
    for d in reversed(directives(text)):
        if d.name not in ("exercise", "solution", "solution-start", "solution-end"):
            continue
        if d.fence.startswith(":") or any(re.match(r"^:{3,}", line) for line in lines[d.start + 1:d.end]):
            continue
        colons = ":" * max(3, len(d.fence))
        lines[d.start] = colons + lines[d.start][len(d.fence):]
        lines[d.end] = colons
    return "\n".join(lines)


def _unfolded_solutions(text: str) -> str:
    """Solution directives without ``:class: dropdown``: JupyterLab would draw a dropdown
    that opens onto nothing (a gated solution's content is in the cells after it), and the
    site folds every solution itself (`emergence.course`)."""
    lines = text.split("\n")
    drop = []
    for d in directives(text):
        if d.name not in ("solution", "solution-start"):
            continue
        for i in range(d.start + 1, d.end):
            m = re.match(r"^:class:\s*(.*)$", lines[i])
            if not m:
                continue
            rest = [c for c in m[1].split() if c != "dropdown"]
            if rest:
                lines[i] = ":class: " + " ".join(rest)
            else:
                drop.append(i)
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


def normalize(nb: NotebookNode, name: str = "") -> NotebookNode:
    """The book's stored form of a notebook: what JupyterLab writes, plus its conventions.

    - the form JupyterLab saves: nbformat 4.5 with cell ids, no outputs or execution
      counts, the kernelspec and language_info that the book's kernel reports (the
      Python ``version`` is kept while its major.minor matches the interpreter's), no
      session metadata (execution times, trust, widget state);
    - hidden prose checks (``remove-cell``) collapsed in JupyterLab
      (``jupyter.source_hidden``), solution code cells collapsed with their outputs;
    - exercise and solution directives in colon fences, solutions without
      ``:class: dropdown`` (the site folds them; JupyterLab has nothing to fold).

    Idempotent; ``name`` seeds the ids of cells that have none.
    """
    nb = copy.deepcopy(nb)
    nb.nbformat, nb.nbformat_minor = 4, max(5, nb.get("nbformat_minor", 5))
    meta = nb.setdefault("metadata", NotebookNode())
    for key in VOLATILE_NOTEBOOK_METADATA:
        meta.pop(key, None)
    meta["kernelspec"] = NotebookNode(KERNELSPEC)
    old = meta.get("language_info", {}).get("version", "")
    here = platform.python_version()
    keep = old.split(".")[:2] == here.split(".")[:2]
    meta["language_info"] = NotebookNode({**LANGUAGE_INFO, "version": old if keep else here})
    taken = {c.get("id") for c in nb.cells if c.get("id")}
    seen = set()
    solutions = _solution_cells(nb)
    for index, cell in enumerate(nb.cells):
        if not cell.get("id") or cell.id in seen:
            cell["id"] = _cell_id(name, index, cell.source, taken)
        seen.add(cell.id)
        md = cell.setdefault("metadata", NotebookNode())
        for key in VOLATILE_CELL_METADATA:
            md.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            jupyter = md.get("jupyter", {})
            if HIDDEN in _tags(cell):
                md["jupyter"] = NotebookNode({**jupyter, "source_hidden": True})
            if index in solutions:
                md["jupyter"] = NotebookNode({**md.get("jupyter", {}), "source_hidden": True,
                                              "outputs_hidden": True})
                md["collapsed"] = True
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            if cell.cell_type == "markdown":
                cell.source = _unfolded_solutions(_colon_fences(cell.source))
    nbformat.validate(nb)
    return nb


def _text(nb: NotebookNode) -> str:
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def normalize_file(path, check: bool = False) -> bool:
    """Normalise one notebook file in place (read, normalise, write, in one step).

    Returns True if the file was (with ``check``: would be) changed; with ``check``
    nothing is written.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    with warnings.catch_warnings():      # a missing cell id is what normalising repairs
        warnings.simplefilter("ignore")
        nb = nbformat.reads(text, as_version=4)
    new = _text(normalize(nb, name=path.stem))
    if new == text:
        return False
    if not check:
        path.write_text(new, encoding="utf-8")
    return True


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


def _stub(qid: str, written: bool = False) -> NotebookNode:
    if written:
        return new_markdown_cell(WRITTEN_STUB, metadata={"emergence": {"answer": qid}})
    return new_code_cell(f'answer = None  {STUB_COMMENT}\ncheck("{qid}", answer)')


def book_metadata(cell, key: str):
    """What a chapter's cell says of itself for coursework (``metadata.emergence[key]``):
    ``answer`` and ``rubric`` (the written exercise it belongs to), ``points``."""
    return cell.get("metadata", {}).get("emergence", {}).get(key)


def written_answer_of(cell) -> str | None:
    """The written exercise whose answer a Markdown cell holds (``metadata.emergence.answer``)."""
    return book_metadata(cell, "answer") if cell.cell_type == "markdown" else None


def rubric_of(cell) -> str | None:
    """The written exercise whose rubric a hidden cell holds (``metadata.emergence.rubric``)."""
    return book_metadata(cell, "rubric")


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
                    titles: dict | None = None) -> NotebookNode:
    """The student edition of a chapter.

    Solutions and hidden prose checks are removed; each exercise is plain Markdown (a
    heading with its check id, then its text) followed by exactly one answer cell
    ``answer = None ...; check("id", answer)`` (the chapter's own, if it has one); a note
    for students follows the title; no outputs. The notebook's metadata lists its
    exercises (``metadata.emergence``). Citations and
    cross-references become plain text (`plain_roles`) when ``references`` (from
    `bibliography`) and ``titles`` (document name -> title) are given.
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
            out.extend(_stub(q, q in written) for q in pending)
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
                spans.append((d.start, d.end, f"### Exercise {qid}: {title}\n\n{d.body}"))
        new = _replace_lines(text, spans) if spans else text
        for label, qid in labels.items():
            new = re.sub(rf"\{{(?:ref|numref)\}}`{re.escape(label)}`", f"exercise {qid}", new)
        if references is not None or titles is not None:
            new = plain_roles(new, references, titles)
        if pending:
            out.extend(_stub(q, q in written) for q in pending)
            pending = []
        if new.strip():
            cell = copy.deepcopy(cell)
            cell.source = new
            out.append(cell)
        pending = [e.qid for e in found.get(index, [])]
    out.extend(_stub(q, q in written) for q in pending)
    first_md = next((i for i, c in enumerate(out) if c.cell_type == "markdown"), -1)
    out.insert(first_md + 1, new_markdown_cell(STUDENT_NOTE))
    student = new_notebook(cells=out, metadata=copy.deepcopy(source.metadata))
    student.metadata["emergence"] = {"edition": "student", "chapter": name,
                                     "exercises": [e.qid for e in exercises(source)],
                                     "written": sorted(written)}
    return normalize(student, name=f"{name}-student")


def chapters_with_exercises(chapters):
    """``(path, notebook, references, titles)`` for each chapter that has exercises, with
    the bibliography and the chapter titles of its folder (read once per folder) for
    `plain_roles`."""
    context = {}
    for chapter in map(Path, chapters):
        nb = nbformat.read(chapter, as_version=4)
        if not exercises(nb):
            continue
        folder = chapter.resolve().parent
        if folder not in context:
            context[folder] = (_references_near(folder), _titles(folder))
        yield (chapter, nb, *context[folder])


def write_student_editions(chapters, out_dir) -> list[Path]:
    """Write the student edition of each chapter (that has exercises) into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for chapter, nb, references, titles in chapters_with_exercises(chapters):
        target = out_dir / chapter.name
        target.write_text(_text(student_edition(nb, chapter.stem, references, titles)), encoding="utf-8")
        written.append(target)
    return written


# --- running a notebook -----------------------------------------------------------------

class _OutOfTime(Exception):
    pass


def run_notebook(nb: NotebookNode, timeout: float = 300, cell_timeout: float = 60,
                 workdir=None) -> tuple[NotebookNode, bool]:
    """Execute a notebook from a fresh kernel, in ``workdir`` (a new temporary folder by
    default), keeping going past errors.

    A cell that runs longer than ``cell_timeout`` seconds is interrupted and marked as an
    error; once the whole notebook has run ``timeout`` seconds, no further cell starts and
    the kernel is killed. Cells tagged ``skip-execution`` are skipped. Returns the
    executed notebook and whether it finished within ``timeout``.
    """
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    deadline = time.monotonic() + timeout
    own = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="emergence-run-")) if own else Path(workdir)

    def remaining(cell=None):
        limit = min(cell_timeout, deadline - time.monotonic())
        return max(1, int(limit + 0.999))

    def before(cell=None, cell_index=None, **_):
        if time.monotonic() >= deadline:
            raise _OutOfTime

    def after(cell=None, cell_index=None, execute_reply=None, **_):
        if (execute_reply or {}).get("content", {}).get("ename") == "TimeoutError":
            cell.metadata["emergence_timed_out"] = True

    client = NotebookClient(
        nb, timeout=int(cell_timeout), timeout_func=remaining, interrupt_on_timeout=True,
        error_on_timeout={"ename": "TimeoutError",
                          "evalue": "the cell ran longer than the time limit and was stopped",
                          "traceback": []},
        allow_errors=True, kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
        shutdown_kernel="immediate", startup_timeout=min(60, int(timeout) + 1),
        resources={"metadata": {"path": str(workdir)}}, on_cell_execute=before,
        on_cell_executed=after)
    finished = True
    try:
        client.execute()
    except _OutOfTime:
        finished = False
    except Exception as err:  # a kernel that died or never started: what ran so far stands
        finished = False
        nb.metadata["emergence_run_error"] = f"{type(err).__name__}: {err}"
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)
    return nb, finished


def _cell_error(cell) -> str | None:
    if cell.get("metadata", {}).get("emergence_timed_out"):
        return "TimeoutError: it ran longer than the time limit per cell and was stopped"
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename')}: {out.get('evalue')}"
    return None


# --- a tiny chapter for tests and examples ----------------------------------------------

def synthetic_chapter() -> NotebookNode:
    """A three-exercise chapter in the book's format (for tests and examples): it checks
    real exercises (mirage-1, mirage-3, mirage-4) whose answers are short."""
    cells = [new_markdown_cell("# A tiny chapter\n\nThree exercises in the book's format.")]
    cells.append(new_code_cell("from emergence.exercises import check\nimport numpy as np"))
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
    for i, cell in enumerate(ran.cells):
        error = _cell_error(cell)
        if error:
            problems.append(f"cell {i} raised {error}")
        calls = check_calls(cell.source) if cell.cell_type == "code" else []
        text = "".join(o.get("text", "") for o in cell.get("outputs", []))
        for qid, _ in calls:
            if f"{qid}: not answered yet" not in text:
                problems.append(f"the answer cell of {qid} does not say 'not answered yet'")
    answered = {q for c in ran.cells if c.cell_type == "code" for q, _ in check_calls(c.source)}
    problems += [f"{q} has no answer cell" for q in qids if q not in answered]
    has_cell = {written_answer_of(c) for c in ran.cells}
    problems += [f"{q} has no cell for the written answer" for q in written if q not in has_cell]
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emergence.coursework", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("student", help="write the student edition of each chapter")
    s.add_argument("chapters", nargs="*", type=Path, help="chapters (default: book/*.ipynb)")
    s.add_argument("--out", type=Path, default=Path("_build/student"), help="folder (default: _build/student)")
    s.add_argument("--check", action="store_true", help="run each edition unanswered and check it")
    s.add_argument("--timeout", type=float, default=120, help="seconds per edition for --check")
    n = sub.add_parser("normalize", help="store notebooks in the book's normalised form")
    n.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: book/*.ipynb)")
    n.add_argument("--check", action="store_true", help="only report notebooks that are not normalised")
    args = parser.parse_args(argv)

    if args.command == "student":
        start = time.monotonic()
        written = write_student_editions(args.chapters or _book_chapters(), args.out)
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
        print(f"run: python -m emergence.coursework normalize {' '.join(map(str, changed))}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

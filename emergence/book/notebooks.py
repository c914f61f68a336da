"""A chapter notebook as the book reads, stores and runs it.

- reading its structure: MyST directives, the exercises (a MyST ``exercise`` whose title
  starts with its check id, ``mirage-1: Most digits right``), their gated solutions, the
  ``check(...)`` calls of answer cells, hidden cells (tagged ``remove-cell``), and the
  book's cell metadata (``metadata.emergence``: a written answer, a rubric, points);
- the stored form (:func:`normalize`): what a chapter's file keeps and in what order, so
  that saving a notebook in JupyterLab changes nothing but what the author changed;
- running it from a fresh kernel (:func:`run_notebook`), cell by cell, with time limits.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import platform
import re
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode


__all__ = ["Directive", "Exercise", "directives", "exercises", "check_calls", "book_metadata",
           "written_answer_of", "rubric_of", "normalize", "normalize_file", "run_notebook",
           "KERNELSPEC", "HIDDEN", "WRITTEN"]

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
#: The class of an exercise answered in prose and graded by hand (``:class: written``).
WRITTEN = "written"


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
    site folds every solution itself (`emergence.book.course`)."""
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

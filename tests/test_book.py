"""The book's own conventions: table of contents, install cells, hidden checks, exercises."""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = (ROOT / "_toc.yml").read_text()


def cells(path):
    return json.loads(path.read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def test_there_are_chapters():
    assert NOTEBOOKS


def test_every_chapter_is_in_the_toc():
    for nb in NOTEBOOKS:
        assert f"book/{nb.stem}" in TOC, f"{nb.name} is not in _toc.yml"


def test_install_cell_uses_the_configured_repository():
    url = CONFIG["repository"]["url"]
    for nb in NOTEBOOKS:
        first_code = next(c for c in cells(nb) if c["cell_type"] == "code")
        assert f"git+{url}" in source(first_code), f"{nb.name}: first code cell must install from {url}"
        assert "import emergence" in source(first_code)


def test_notebooks_are_committed_without_outputs():
    for nb in NOTEBOOKS:
        for c in cells(nb):
            if c["cell_type"] == "code":
                assert not c.get("outputs"), f"{nb.name} has stored outputs; clear them"


def test_claims_are_checked_by_hidden_asserts():
    for nb in NOTEBOOKS:
        hidden = [c for c in cells(nb) if "remove-cell" in c.get("metadata", {}).get("tags", [])]
        asserts = sum(source(c).count("assert ") for c in hidden)
        assert asserts >= 5, f"{nb.name}: only {asserts} hidden asserts"


def test_at_least_three_exercises_with_solutions():
    for nb in NOTEBOOKS:
        text = "\n".join(source(c) for c in cells(nb) if c["cell_type"] == "markdown")
        exercises = re.findall(r"^(?:`{3,}|:{3,})\{exercise\}", text, re.M)
        solutions = re.findall(r"^(?:`{3,}|:{3,})\{solution-start\}", text, re.M)
        assert len(exercises) >= 3, f"{nb.name}: {len(exercises)} exercises"
        assert len(solutions) == len(exercises), f"{nb.name}: every exercise needs a solution"
        code = "\n".join(source(c) for c in cells(nb) if c["cell_type"] == "code")
        assert code.count("check(") >= 2 * len(exercises)


def test_one_title_per_chapter():
    for nb in NOTEBOOKS:
        titles = [line for c in cells(nb) if c["cell_type"] == "markdown"
                  for line in source(c).splitlines() if line.startswith("# ")]
        assert len(titles) == 1, f"{nb.name}: {titles}"


def test_nothing_reads_the_shared_reference_folder():
    for path in list((ROOT / "book").rglob("*")) + list((ROOT / "emergence").rglob("*.py")):
        if path.is_file() and path.suffix in {".ipynb", ".py", ".md"}:
            assert "../shared" not in path.read_text(), f"{path} refers to ../shared"


def test_every_cited_key_is_in_the_bibliography():
    bib = (ROOT / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    for nb in NOTEBOOKS + sorted((ROOT / "book").glob("*.md")):
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", nb.read_text()):
            for key in group.split(","):
                assert key.strip() in keys, f"{nb.name} cites unknown key {key}"


def test_notebooks_are_stored_normalised():
    """Stored as JupyterLab writes them, so that opening and saving a chapter leaves no
    diff; hidden checks and solutions collapsed there; exercises in colon fences."""
    from emergence.book.notebooks import KERNELSPEC, normalize_file

    runtime = (ROOT / "runtime.txt").read_text().strip().removeprefix("python-")
    stale = [nb.name for nb in NOTEBOOKS if normalize_file(nb, check=True)]
    assert not stale, ("not in normalised form: " + ", ".join(stale) + "; run "
                       "`python -m emergence.book.coursework normalize " + " ".join(f"book/{n}" for n in stale) + "`")
    for nb in NOTEBOOKS:
        meta = json.loads(nb.read_text())["metadata"]
        assert meta["kernelspec"] == KERNELSPEC, nb.name
        assert meta["language_info"]["version"].split(".")[:2] == runtime.split(".")[:2], nb.name


def test_hidden_cells_and_solutions_are_collapsed_in_jupyterlab():
    from emergence.book.notebooks import _solution_cells
    import nbformat

    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for i, c in enumerate(nb.cells):
            if c.cell_type != "code":
                continue
            if "remove-cell" in c.metadata.get("tags", []) or i in _solution_cells(nb):
                assert c.metadata.get("jupyter", {}).get("source_hidden"), f"{path.name}: cell {i}"


def test_every_exercise_has_its_answer_cell_before_its_solution():
    """An exercise is followed by a cell that sets `answer = None` and checks it, so that
    the chapter, its student edition and the grader agree on where the answer goes."""
    from emergence.book.coursework import _is_stub
    from emergence.book.notebooks import check_calls, exercises, written_answer_of
    import nbformat

    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for ex in exercises(nb):
            if ex.written:   # answered in a Markdown cell right after the exercise
                assert written_answer_of(nb.cells[ex.cell + 1]) == ex.qid, (
                    f"{path.name}: the written exercise {ex.qid} should be followed by a Markdown "
                    f'cell for the answer, with metadata {{"emergence": {{"answer": "{ex.qid}"}}}}')
                continue
            after = next((c for c in nb.cells[ex.cell + 1:] if c.cell_type == "code"), None)
            assert after is not None and _is_stub(after.source, ex.qid), (
                f"{path.name}: exercise {ex.qid} should be followed by its answer cell: "
                f'answer = None  # replace None with your answer / check("{ex.qid}", answer)')


def test_the_instructors_guide_lists_every_exercise():
    from emergence.book.notebooks import exercises
    import nbformat

    guide = (ROOT / "book" / "instructors.md").read_text()
    assert "book/instructors" in TOC
    for path in NOTEBOOKS:
        for ex in exercises(nbformat.read(path, as_version=4)):
            assert f"`{ex.qid}`" in guide, f"book/instructors.md does not list {ex.qid} ({path.name})"


def test_each_chapters_exercises_are_numbered_in_the_order_they_come():
    from emergence.book.notebooks import exercises
    import nbformat

    for path in NOTEBOOKS:
        numbers = [int(e.qid.rsplit("-", 1)[1]) for e in exercises(nbformat.read(path, as_version=4))]
        assert numbers == list(range(1, len(numbers) + 1)), f"{path.name}: exercises numbered {numbers}"


def _time_table():
    """The instructors' guide's time table: ``{chapter: (words, exercises, minutes)}``."""
    guide = (ROOT / "book" / "instructors.md").read_text()
    rows = re.findall(r"^\| (\{doc\}`(\w+)`|the diagnose page) \| ([\d,]+) \| (\d+) \| (\d+) min \|$", guide, re.M)
    return {(name or "diagnose"): (int(words.replace(",", "")), int(n), int(minutes))
            for _, name, words, n, minutes in rows}


def _prose_words(nb) -> int:
    """Words of a chapter's visible text cells, without directive fences and options."""
    lines = [line for c in nb.cells if c.cell_type == "markdown"
             and "remove-cell" not in c.metadata.get("tags", []) for line in c.source.split("\n")
             if not re.match(r"^\s*(:{3,}|`{3,}|:[\w-]+:)", line)]
    return len(" ".join(lines).split())


def _minutes(words: int, n_exercises: int) -> int:
    # the guide's rule: prose at 200 words a minute, ten minutes an exercise, to 5 min
    return int((words / 200 + 10 * n_exercises) / 5 + 0.5) * 5


def test_the_time_table_counts_each_chapters_words_and_exercises():
    """Words: the chapter's text, to the nearest hundred; exercises: as the chapter has."""
    from emergence.book.notebooks import exercises
    import nbformat

    table = _time_table()
    assert set(table) == {p.stem for p in NOTEBOOKS}, "the time table should list every chapter"
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        words = round(_prose_words(nb), -2)
        n = len(exercises(nb))
        assert table[path.stem] == (words, n, _minutes(words, n)), (
            f"book/instructors.md: the row of {path.stem} should read {words:,} words, {n} "
            f"exercises, {_minutes(words, n)} min")


def test_the_two_week_course_takes_the_hours_the_guide_says():
    table = _time_table()
    chosen = ["01_wei_claims", "02_mirage_derived", "03_arithmetic", "04_bigbench", "05_vision",
              "09_conclusion"]
    hours = sum(table[c][2] for c in chosen) / 60
    guide = " ".join((ROOT / "book" / "instructors.md").read_text().split())
    said = re.search(r"chapters 1-5 and 9 \(about ([\d.]+) hours\)", guide)
    assert said and abs(float(said[1]) - hours) <= 0.25, f"chapters 1-5 and 9 take {hours:.2f} h"


def test_visible_cells_do_not_use_what_only_hidden_cells_or_solutions_define():
    """The student edition drops hidden checks and solutions, so nothing that stays may
    depend on them (`make student` runs every edition to make sure)."""
    import ast

    import nbformat
    from emergence.book.notebooks import _code_without_magics, _solution_cells

    def names(tree, ctx):
        found = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}
        if ctx is ast.Store:
            for n in ast.walk(tree):
                if isinstance(n, (ast.Import, ast.ImportFrom)):
                    found |= {(a.asname or a.name).split(".")[0] for a in n.names}
                elif isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                    found.add(n.name)
        return found

    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        dropped = _solution_cells(nb)
        visible, hidden_only = set(), set()
        for i, c in enumerate(nb.cells):
            if c.cell_type != "code":
                continue
            tree = ast.parse(_code_without_magics(c.source))
            if "remove-cell" in c.metadata.get("tags", []) or i in dropped:
                hidden_only |= names(tree, ast.Store) - visible
                continue
            # a name the cell sets itself (a loop variable, say) is not taken from elsewhere
            used = (names(tree, ast.Load) - names(tree, ast.Store)) & hidden_only
            assert not used, (f"{path.name}: cell {i} uses {sorted(used)}, defined only in a hidden "
                              "cell or a solution; define it in a visible cell")
            visible |= names(tree, ast.Store)
            hidden_only -= visible

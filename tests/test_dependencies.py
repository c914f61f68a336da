"""The package declares everything its modules and the chapters import.

A reader on Colab or a bare kernel installs the package alone (the chapters' first code
cell), not requirements.txt, so every library a chapter needs must come with it. The CI
step ``make fresh-check`` runs every chapter's student edition in a virtual environment
made only from the package's own dependencies; this test reads every import statement of
every cell (solutions and hidden checks included) and of every module.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib import metadata
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Imported only inside the functions that build the site or print its PDF (Sphinx hooks,
#: the phone-figure renderer, the browser, the translated editions' catalogues and
#: configuration), or that an instructor's grading runs (nbgrader);
#: their environment is requirements.txt.
SITE_ONLY = {"docutils", "myst_nb", "sphinx", "sphinx_exercise", "playwright", "nbgrader", "traitlets",
             "jupyter_client", "babel", "yaml", "markdown_it", "myst_parser"}

#: Libraries that the chapters use through another one, which imports them only when asked.
INDIRECT = {"jinja2": "pandas' Styler (DataFrame.style) in the chapters' tables"}


def _code(source: str) -> str:
    """A cell's code with IPython magics and shell lines replaced by ``pass`` (indent kept)."""
    return "\n".join(line[:len(line) - len(line.lstrip())] + "pass"
                     if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


def _imports(tree) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"emergence", "__future__"}


def _chapter_imports() -> dict[str, set[str]]:
    found = {}
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                for module in _imports(ast.parse(_code(cell.source))):
                    found.setdefault(module, set()).add(f"{path.name} cell {index}")
    return found


def _package_imports() -> dict[str, set[str]]:
    found = {}
    for path in sorted((ROOT / "emergence").rglob("*.py")):
        for module in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            found.setdefault(module, set()).add(str(path.relative_to(ROOT)))
    return found


def _name(requirement: str) -> str:
    return re.split(r"[\s;<>=!~\[(@]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> set[str]:
    """The package's own dependencies (no extras), normalised names."""
    return {_name(r) for r in metadata.requires("emergence") or [] if "extra ==" not in r}


def _distributions(module: str) -> set[str]:
    return {d.lower().replace("_", "-") for d in metadata.packages_distributions().get(module, [])}


def test_every_library_a_chapter_or_module_imports_is_declared():
    declared = _declared()
    missing = []
    for module, where in sorted({**_package_imports(), **_chapter_imports()}.items()):
        if module in SITE_ONLY:
            continue
        dists = _distributions(module)
        assert dists, f"{module} (imported in {sorted(where)[0]}) is not installed here"
        if not dists & declared:
            missing.append(f"{module} ({', '.join(sorted(dists))}), imported in {', '.join(sorted(where)[:3])}")
    assert not missing, ("add to [project] dependencies in pyproject.toml:\n  " + "\n  ".join(missing))


@pytest.mark.parametrize("module", sorted(INDIRECT))
def test_libraries_used_indirectly_are_declared(module):
    assert _distributions(module) & _declared(), (
        f"{module} is needed for {INDIRECT[module]}: add it to [project] dependencies")


def test_site_libraries_are_imported_only_where_the_site_is_built():
    """A module that imports a site-only library at its top, unguarded, would fail on Colab."""
    offenders = []
    for path in sorted((ROOT / "emergence").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = _imports(ast.Module(body=[n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))],
                                  type_ignores=[]))
        offenders += [f"{path.relative_to(ROOT)} imports {m} at its top" for m in sorted(top & SITE_ONLY)]
    assert not offenders, "\n".join(offenders)


def test_site_libraries_are_pinned_in_requirements():
    pinned = {_name(line) for line in (ROOT / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith(("#", "-"))}
    dists = {d for m in SITE_ONLY for d in _distributions(m)}
    assert dists and dists <= pinned, f"not pinned in requirements.txt: {sorted(dists - pinned)}"

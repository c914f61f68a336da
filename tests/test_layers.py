"""The helper package's layers: imports run one way, no module imports itself in a circle,
and no module is too long to read in one sitting (ARCHITECTURE.md draws the layers).

Every import is read from the source with ``ast``, those inside functions included (a
late import is still a dependency, only a deferred one). ``python tests/test_layers.py``
prints the map of layers and what each imports.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "emergence"

#: The layers, lowest first: a module may import from its own layer and the ones below.
#: The foundation modules serve every layer; the package's own ``__init__`` (the
#: public API) and ``__main__`` sit on top.
LAYERS = (
    ("foundation", ("emergence._validate", "emergence.translatable", "emergence.plotting")),
    ("measure", ("emergence.measure",)),
    ("io", ("emergence.io",)),
    ("model", ("emergence.model",)),
    ("experiments", ("emergence.experiments",)),
    ("forecast", ("emergence.forecast",)),
    ("diagnose", ("emergence.diagnose",)),
    ("book", ("emergence.book",)),
    ("public API", ("emergence", "emergence.__main__", "emergence._moved")),
)

#: No module is longer than this many lines; split a longer one by idea.
MAX_LINES = 600


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of the longest name that holds ``module``."""
    best, length = None, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            # a subpackage holds its modules; the top package is only its own __init__
            hit = module == prefix or (prefix != "emergence" and module.startswith(prefix + "."))
            if hit and len(prefix) > length:
                best, length = i, len(prefix)
    if best is None:
        raise LookupError(f"{module} is in no layer: add its subpackage to LAYERS in "
                          "tests/test_layers.py and to ARCHITECTURE.md")
    return best


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``module`` imports (a name imported from a package counts
    as the package, unless the name is one of its submodules)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            names = [f"{source}.{a.name}" if f"{source}.{a.name}" in known else source
                     for a in node.names]
        else:
            continue
        for name in names:
            # the longest known module that the imported name is, or is inside of
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {m: imports_of(m, p, known) for m, p in found.items()}


def test_every_module_is_in_a_layer():
    for module in modules():
        layer_of(module)


def test_imports_run_one_way():
    upward = [f"{m} (layer {LAYERS[layer_of(m)][0]}) imports {d} (layer {LAYERS[layer_of(d)][0]})"
              for m, deps in graph().items() for d in sorted(deps) if layer_of(d) > layer_of(m)]
    assert not upward, "a lower layer imports a higher one:\n" + "\n".join(upward)


def test_no_circle_of_imports():
    try:
        tuple(graphlib.TopologicalSorter(graph()).static_order())
    except graphlib.CycleError as err:
        # graphlib lists the circle from each module to one that imports it: turn it round
        pytest.fail("modules import each other in a circle: "
                    + " imports ".join(reversed(err.args[1])))


def test_no_module_is_too_long():
    long = {m: n for m, p in modules().items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them by idea): {long}"


def test_the_check_catches_an_upward_import_and_a_circle():
    # the checks above would pass on an empty graph; they must see a real violation
    g = graph()
    g["emergence.measure.metrics"] = g["emergence.measure.metrics"] | {"emergence.book.prose"}
    assert layer_of("emergence.book.prose") > layer_of("emergence.measure.metrics")
    g["emergence.measure.score"] = g["emergence.measure.score"] | {"emergence.measure.metrics"}
    g["emergence.measure.metrics"] |= {"emergence.measure.score"}
    with pytest.raises(graphlib.CycleError):
        tuple(graphlib.TopologicalSorter(g).static_order())


def test_the_reader_finds_late_and_relative_imports(tmp_path):
    source = tmp_path / "m.py"          # read as if it were emergence/measure/m.py
    source.write_text("def f():\n    from . import metrics\n    from .score import x\n"
                      "    import emergence.io.datasets\n    from emergence import diagnose\n")
    known = {"emergence", "emergence.measure", "emergence.measure.metrics",
             "emergence.measure.score", "emergence.io", "emergence.io.datasets",
             "emergence.diagnose"}
    assert imports_of("emergence.measure.m", source, known) == {
        "emergence.measure.metrics", "emergence.measure.score", "emergence.io.datasets",
        "emergence.diagnose"}


def layer_map() -> str:
    """The layers, their modules and the layers each one imports from."""
    g = graph()
    lines = []
    for i, (name, _) in enumerate(LAYERS):
        members = sorted(m for m in g if layer_of(m) == i)
        below = sorted({layer_of(d) for m in members for d in g[m]} - {i})
        uses = ", ".join(LAYERS[j][0] for j in below) or "nothing else in the package"
        lines.append(f"{i} {name} ({len(members)} modules) imports from: {uses}")
        lines += [f"    {m}" for m in members]
    return "\n".join(lines)


if __name__ == "__main__":
    print(layer_map())

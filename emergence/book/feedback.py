"""The checks' feedback as catalogues a translator fills, and the copy the package ships.

Every text a checker of ``emergence/book/exercises/`` writes is a template marked with
``say("...")`` or ``translatable_template("...")``
(`emergence.book.exercises.language`). :func:`extract` puts each module's templates in
its own catalogue template, ``_build/gettext/feedback/<module>.pot`` (the helpers of
``__init__.py`` in ``feedback/helpers.pot``), beside the pages' that ``editions extract``
writes, so the same ``editions update`` (sphinx-intl) merges them into
``locales/<language>/LC_MESSAGES/feedback/`` and the same check
(`emergence.book.translations`) checks them once listed in ``translated.txt``.
:func:`write_runtime` then writes the listed catalogues into the package,
``emergence/book/exercises/translations/<language>.json``, which a student's kernel reads
without Babel. ``make translations`` runs both (``make translations-check`` the first)::

    python -m emergence.book.feedback extract        # after editions extract
    python -m emergence.book.feedback runtime ko     # after editions update ko
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

__all__ = ["FEEDBACK", "EXERCISES", "domain", "module_of", "templates", "extract", "runtime",
           "write_runtime"]

#: The feedback's catalogues: ``<LC_MESSAGES>/feedback/<module>.po``.
FEEDBACK = "feedback"
#: The checkers, from the repository's top.
EXERCISES = Path("emergence/book/exercises")
_PACKAGE = "emergence.book.exercises"


def domain(path: Path | str) -> str:
    """The catalogue of a checks module: ``feedback/arithmetic``; ``feedback/helpers`` for
    the package's ``__init__.py``.

    >>> domain("emergence/book/exercises/__init__.py"), domain("x/arithmetic.py")
    ('feedback/helpers', 'feedback/arithmetic')
    """
    stem = Path(path).stem
    return f"{FEEDBACK}/{'helpers' if stem == '__init__' else stem}"


def module_of(catalogue: str) -> str:
    """The module whose feedback a catalogue translates.

    >>> module_of("feedback/helpers"), module_of("feedback/arithmetic")
    ('emergence.book.exercises', 'emergence.book.exercises.arithmetic')
    """
    stem = catalogue.split("/", 1)[1]
    return _PACKAGE if stem == "helpers" else f"{_PACKAGE}.{stem}"


def templates(path: Path | str) -> list[str]:
    """The templates marked in a checks module, in order (Babel's Python extractor, so a
    template is a literal string; adjacent literals are joined)."""
    from babel.messages.extract import extract_from_file

    found = []
    for _, message, _, _ in extract_from_file("python", str(path),
                                              keywords={"say": (1,), "translatable_template": (1,)}):
        if message not in found:
            found.append(message)
    return found


def extract(target: Path, root: Path | str = ".") -> list[Path]:
    """Write ``<target>/feedback/<module>.pot`` for every checks module that has templates."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    written = []
    for module in sorted((Path(root) / EXERCISES).glob("*.py")):
        found = templates(module)
        if not found:
            continue
        catalog = Catalog(fuzzy=False)
        for message in found:
            catalog.add(message)
        path = Path(target) / f"{domain(module)}.pot"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as pot:
            write_po(pot, catalog, width=0, no_location=True)
        written.append(path)
    return written


def runtime(language: str, root: Path | str = ".") -> dict[str, dict[str, str]]:
    """``{module: {template: translation}}`` from the feedback catalogues listed in
    ``locales/<language>/translated.txt`` (the complete ones)."""
    from emergence.book.editions import LOCALES, translated_pages
    from emergence.book.translate_markdown import po_translations

    base = Path(root).resolve() / LOCALES / language / "LC_MESSAGES"
    return {module_of(name): po_translations(base / f"{name}.po")
            for name in translated_pages(language, root) if name.startswith(f"{FEEDBACK}/")}


def write_runtime(language: str, root: Path | str = ".") -> Path:
    """Write :func:`runtime` where the package reads it."""
    path = Path(root) / EXERCISES / "translations" / f"{language}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(runtime(language, root), ensure_ascii=False, indent=1, sort_keys=True)
                    + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emergence.book.feedback",
                                     description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("extract", help="every checks module's templates into _build/gettext/feedback")
    commands.add_parser("runtime", help="the complete catalogues into the package").add_argument("language")
    args = parser.parse_args(argv)
    if args.command == "extract":
        print(f"{len(extract(Path('_build/gettext')))} feedback catalogue templates in _build/gettext/feedback")
    else:
        print(f"the complete {args.language} feedback catalogues are in {write_runtime(args.language)}")


if __name__ == "__main__":
    main()

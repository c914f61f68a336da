"""A chapter's Markdown in another language, from the catalogue Sphinx translates its page with.

The site's translated edition is built by Sphinx from the page catalogues
(``locales/<language>/LC_MESSAGES/book/<page>.po``, :mod:`emergence.book.editions`); the
notebooks students download are made from the chapters' source, not from the site. To give
them the same translation, :func:`translate_markdown` finds in a Markdown text the same
messages Sphinx's gettext builder extracts (each paragraph, heading, list item's paragraph
and table cell, inside directives such as ``{exercise}`` too, and a directive's title), and
puts each message's translation in its place. A message is the block's inline Markdown with
its lines joined by spaces, as in the catalogue; it is found with MyST's own Markdown parser
and the book's MyST extensions, so it is split where Sphinx splits it.

A message the catalogue does not translate keeps its English: Sphinx's build does the same.

Examples
--------
>>> ko = {"A title": "제목", "One *two*\\nthree.": "?", "One *two* three.": "하나 *둘* 셋.",
...       "x-1: Why?": "x-1: 왜?", "Row": "행"}.get
>>> print(translate_markdown("## A title\\n\\n- One *two*\\n  three.\\n\\n| Row |\\n|---|\\n| 1 |", ko))
## 제목
<BLANKLINE>
- 하나 *둘* 셋.
<BLANKLINE>
| 행 |
|---|
| 1 |
>>> print(translate_markdown(":::{exercise} x-1: Why?\\n:label: x-ex1\\nOne *two* three.\\n:::", ko))
:::{exercise} x-1: 왜?
:label: x-ex1
하나 *둘* 셋.
:::
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from pathlib import Path

__all__ = ["translate_markdown", "translate_cells", "messages", "message_of", "catalogue",
           "page_catalogue", "locales_root", "words_in", "po_translations"]

#: A message's translation, or ``None`` (or the message itself) when it has none.
Translate = Callable[[str], "str | None"]

#: The MyST extensions of ``_config.yml`` that change how Markdown splits into blocks.
MYST_EXTENSIONS = frozenset({"dollarmath", "amsmath", "colon_fence", "deflist", "substitution"})

#: Directives whose body is not Markdown prose (Sphinx translates none of it).
LITERAL_DIRECTIVES = frozenset({"math", "code", "code-block", "code-cell", "raw", "eval-rst",
                                "bibliography", "glue", "glue:figure", "glue:math"})

#: Directives whose argument is a label, not a title.
LABELLED_DIRECTIVES = frozenset({"solution", "solution-start", "solution-end"})

_DIRECTIVE = re.compile(r"^\{(?P<name>[^}]+)\}\s*(?P<argument>.*)$")
_OPTION = re.compile(r"^:[\w-]+:")


@functools.lru_cache(maxsize=1)
def _parser():
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(enable_extensions=set(MYST_EXTENSIONS)), RendererHTML)


def message_of(inline: str) -> str:
    """A block's inline Markdown as the catalogue's message: its lines joined by spaces.

    >>> message_of("One *two*\\nthree.")
    'One *two* three.'
    """
    return " ".join(inline.split("\n"))


def _translated(message: str, translate: Translate) -> str | None:
    found = translate(message) if message.strip() else None
    return found if found and found != message else None


def translate_markdown(text: str, translate: Translate) -> str:
    """``text`` with every message that ``translate`` translates in its place (see the module)."""
    lines = text.split("\n")
    tokens = _parser().parse(text)
    replacements = []          # (first line, end line, new lines), in the order found
    row_cells: dict[int, list[tuple[str, str]]] = {}
    in_table = 0
    for token in tokens:
        in_table += {"table_open": 1, "table_close": -1}.get(token.type, 0)
        if token.type == "inline" and token.map:
            new = _translated(message_of(token.content), translate)
            if new is None:
                continue
            first, end = token.map
            if in_table:       # a cell: replaced inside its row's line
                row_cells.setdefault(first, []).append((token.content, new))
                continue
            start = lines[first].find(token.content.split("\n")[0])
            if start < 0:      # the block's first line is not where the parser says: leave it
                continue
            replacements.append((first, end, [lines[first][:start] + new]))
        elif token.type in ("colon_fence", "fence") and token.map:
            fenced = _translate_directive(lines, token, translate)
            if fenced is not None:
                replacements.append(fenced)
    for row, cells in row_cells.items():
        line = lines[row]
        for old, new in cells:
            line = re.sub(rf"(?<=\|)([ \t]*){re.escape(old)}([ \t]*)(?=\|)",
                          lambda m: f"{m[1]}{new}{m[2]}", line, count=1)
        replacements.append((row, row + 1, [line]))
    for first, end, new in sorted(replacements, reverse=True):
        lines[first:end] = new
    return "\n".join(lines)


def _translate_directive(lines, token, translate: Translate):
    """A MyST directive's title and Markdown body, translated: ``(first, end, lines)``."""
    m = _DIRECTIVE.match(token.info.strip())
    if m is None or m["name"] in LITERAL_DIRECTIVES:
        return None
    first, end = token.map
    opening = lines[first]
    is_title = m["argument"].strip() and m["name"] not in LABELLED_DIRECTIVES
    title = _translated(m["argument"].strip(), translate) if is_title else None
    if title is not None:
        opening = opening[:opening.rindex(m["argument"].strip())] + title
    closed = end - 1 > first and lines[end - 1].strip().startswith(lines[first].strip()[:3])
    body = lines[first + 1:end - 1 if closed else end]
    options = 0
    while options < len(body) and _OPTION.match(body[options]):
        options += 1
    inner = translate_markdown("\n".join(body[options:]), translate) if body[options:] else ""
    new = [opening, *body[:options], *(inner.split("\n") if body[options:] else [])]
    return first, end, new + ([lines[end - 1]] if closed else [])


def messages(text: str) -> list[str]:
    """The messages of a Markdown text, in order: what :func:`translate_markdown` looks up.

    >>> messages("# Title\\n\\nOne\\ntwo.\\n\\n:::{note} A note\\nText.\\n:::")
    ['Title', 'One two.', 'A note', 'Text.']
    """
    found: list[str] = []
    translate_markdown(text, lambda message: found.append(message))   # translates nothing
    return found


def translate_cells(nb, translate: Translate):
    """A copy of notebook ``nb`` with every Markdown cell translated (code is unchanged)."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = translate_markdown(cell.source, translate)
    return out


# --- the catalogues, as the Sphinx build reads them ------------------------------------

@functools.lru_cache(maxsize=None)
def po_translations(path: Path) -> dict[str, str]:
    """``{message: translation}`` of a ``.po`` file (none for a missing file), without the
    untranslated and the fuzzy ones; read once."""
    from babel.messages.pofile import read_po

    if not path.is_file():
        return {}
    with path.open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id and m.string and not m.fuzzy}


def catalogue(language: str, domain: str, root: Path | str = ".") -> Translate:
    """The translations of ``<root>/locales/<language>/LC_MESSAGES/<domain>.po``, as a lookup
    (a fuzzy translation counts as none, as in Sphinx's build)."""
    from emergence.book.editions import LOCALES

    path = Path(root).resolve() / LOCALES / language / "LC_MESSAGES" / f"{domain}.po"
    return po_translations(path).get


def locales_root(chapter: Path | str) -> Path:
    """The book's folder of a chapter: the one of ``locales/`` (the chapter's folder or one
    of the two above it; the current folder if none has it)."""
    from emergence.book.editions import LOCALES

    found = [root for root in list(Path(chapter).resolve().parents)[:3] if (root / LOCALES).is_dir()]
    return found[0] if found else Path(".").resolve()


def page_catalogue(chapter: Path | str, language: str) -> Translate:
    """The catalogue of the page a chapter's notebook is: its path from the book's folder
    (:func:`locales_root`), without the suffix."""
    chapter = Path(chapter).resolve()
    root = locales_root(chapter)
    if root not in chapter.parents:
        return lambda message: None
    return catalogue(language, chapter.relative_to(root).with_suffix("").as_posix(), root)


def words_in(language: str | None, root: Path | str = ".") -> Callable[[str], str]:
    """The text the book's tools write around a chapter (notes, headings, stubs), marked with
    `emergence.translatable.translatable_template`, in ``language`` (the ``site`` catalogue;
    the English where it has no translation, and for ``None``)."""
    from emergence.book.editions import SITE_CATALOGUE

    if language is None:
        return lambda template: template
    found = catalogue(language, SITE_CATALOGUE, root)
    return lambda template: found(template) or template

"""Checks of a translation's catalogues: complete, current, and faithful to what must not change.

A page listed in ``locales/<language>/translated.txt`` must have, in its catalogue
``locales/<language>/LC_MESSAGES/<page>.po``:

- every message of the page as now written (``_build/gettext/<page>.pot``, from
  ``python -m emergence.book.editions extract``): a message missing from the catalogue
  means the English changed and ``update`` was not run;
- a translation of each, none of them *fuzzy* (sphinx-intl marks a translation fuzzy
  when the English sentence it translates changed);
- the same markup as the English: roles (``{cite:t}`...```, ``{glue:text}`...```,
  ``{doc}`...```), formulas, code and a computed text's fields, each as often;
- emphasis that Markdown closes: a closing ``*`` between punctuation and a letter, as in
  ``**점수(score)**는``, does not close, and the reader would see the asterisks;
- the English's numbers, each at least as often (numbers are not translated);
- the English's quotations: whatever the English puts in double quotes (a paper's words,
  an answer a check expects) stays, in English, in the translation, which may follow it
  with its own rendering;
- the glossary's terms (``locales/<language>/GLOSSARY.md``): where the English uses a
  term of the glossary, the translation uses the glossary's term for it.

``python -m emergence.book.translations check ko`` prints every problem, page by page,
and exits with 1 if there is any.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from emergence.book.editions import LOCALES, translated_pages

#: Where ``python -m emergence.book.editions extract`` writes the pages' messages.
TEMPLATES = Path("_build") / "gettext"

_ROLE = re.compile(r"\{[\w:.-]+\}`[^`]*`")
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\s][^$]*?\$", re.DOTALL)
_CODE = re.compile(r"``.+?``|`[^`]+`")
_FIELD = re.compile(r"(?<!\{)\{[A-Za-z_]\w*(?:[:!][^{}]*)?\}(?!\})")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_QUOTE = re.compile(r'"([^"]+)"')
#: A dotted name written without backticks (``mirage.ILLUSTRATIVE`` in a check's plain-text
#: hint) is code too: the glossary does not apply to it.
_DOTTED = re.compile(r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


@dataclass(frozen=True)
class Problem:
    page: str
    msgid: str
    what: str

    def __str__(self) -> str:
        start = " ".join(self.msgid.split())
        start = start if len(start) <= 70 else start[:67] + "..."
        return f"{self.page}: {self.what}\n    {start!r}" if self.msgid else f"{self.page}: {self.what}"


def markup(text: str) -> Counter:
    """The parts of a message a translation keeps as they are: roles, formulas, code, fields.

    >>> sorted(markup("See {cite:t}`wei2022` and $p^L$ in `f(x)` ({n:d} models).").elements())
    ['$p^L$', '`f(x)`', '{cite:t}`wei2022`', '{n:d}']
    """
    found = Counter()
    rest = text
    for pattern in (_ROLE, _MATH, _CODE, _FIELD):
        found.update(pattern.findall(rest))
        rest = pattern.sub(" ", rest)
    return found


def _prose(text: str) -> str:
    for pattern in (_ROLE, _MATH, _CODE, _FIELD, _DOTTED):
        text = pattern.sub(" ", text)
    return text


def numbers(text: str) -> Counter:
    """The numbers written in a message's prose (not in its markup).

    >>> sorted(numbers("From 125M to 175B, 3.5% of 1,000 items; {glue:text}`n:d` of 18.").elements())
    ['1,000', '125', '175', '18', '3.5']
    """
    return Counter(_NUMBER.findall(_prose(text)))


def stray_asterisks(text: str) -> int:
    """How many ``*`` of a message Markdown shows as asterisks instead of reading as emphasis.

    A closing delimiter must be right-flanking: after punctuation it must be followed by a
    space or punctuation, so ``**점수(score)**는`` is not bold and shows its four asterisks
    (write ``**점수**(score)는``). Formulas and code are not Markdown's, so not counted.

    >>> stray_asterisks("A *word* and **two words**.")
    0
    >>> stray_asterisks("**점수(score)**는 오른다")
    4
    """
    from markdown_it import MarkdownIt

    return sum(t.content.count("*") for block in MarkdownIt("commonmark").parseInline(_prose(text))
               for t in block.children or () if t.type == "text")


def quotations(text: str) -> list[str]:
    """What a message's prose puts in double quotes.

    >>> quotations('The paper calls it "for illustrative purposes"; answer "negative".')
    ['for illustrative purposes', 'negative']
    """
    return _QUOTE.findall(_prose(text))


def read_glossary(path: Path | str) -> dict[str, str]:
    """The glossary's terms, English -> translation, from the rows of its Markdown table.

    A row is ``| English term | translated term | note |``; the header row and the rule
    under it are skipped.
    """
    terms = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) < 2 or set(cells[0]) <= set("-: "):
            continue
        english, translated = cells[0], cells[1]
        if english and translated and english.lower() != "english":
            terms[english] = translated
    return terms


def message_problems(msgid: str, msgstr: str, glossary: dict[str, str] | None = None) -> list[str]:
    """What is wrong with one translated message (an empty list if nothing).

    >>> message_problems("Scored by {cite:t}`wei2022`: 12 of 18.", "{cite:t}`wei2022`에 따르면 18개 중 12개.")
    []
    >>> message_problems('It is "not true" in 3 of 8 cases.', "8개 중 3개에서 사실이 아니다.")
    ["a quotation is not kept in English: 'not true'"]
    >>> message_problems("Exact match", "정확 일치", {"exact match": "정확 일치"})
    []
    """
    found = []
    lost, added = markup(msgid) - markup(msgstr), markup(msgstr) - markup(msgid)
    if lost or added:
        found.append(f"markup differs from the English: missing {sorted(lost.elements())}, "
                     f"extra {sorted(added.elements())}")
    if stray_asterisks(msgstr) > stray_asterisks(msgid):
        found.append("emphasis that Markdown does not close: the asterisks would show (a "
                     "closing * after punctuation must be followed by a space or punctuation)")
    missing = numbers(msgid) - numbers(msgstr)
    if missing:
        found.append(f"numbers of the English missing: {sorted(missing.elements())}")
    prose = _prose(msgstr)
    for quote in quotations(msgid):
        if quote not in prose:
            found.append(f"a quotation is not kept in English: {quote!r}")
    # a quotation stays in English, so the glossary applies to the English around it
    english_prose = _QUOTE.sub(" ", _prose(msgid))
    for english, translated in (glossary or {}).items():
        if re.search(rf"(?<![\w-]){re.escape(english)}(?![\w-])", english_prose, re.IGNORECASE) \
                and translated not in msgstr:
            found.append(f"the glossary's term for {english!r} is {translated!r}")
    return found


def _read_po(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as file:
        return read_po(file)


def page_problems(page: str, language: str, root: Path | str = ".",
                  templates: Path | str | None = None) -> list[Problem]:
    """Every problem of one page's catalogue (see the module's description)."""
    root = Path(root)
    templates = Path(templates) if templates is not None else root / TEMPLATES
    po_path = root / LOCALES / language / "LC_MESSAGES" / f"{page}.po"
    pot_path = templates / f"{page}.pot"
    if not pot_path.is_file():
        return [Problem(page, "", f"no messages extracted ({pot_path}): run "
                        "`python -m emergence.book.editions extract`, or is the page gone?")]
    if not po_path.is_file():
        return [Problem(page, "", f"no catalogue {po_path}: run "
                        f"`python -m emergence.book.editions update {language}`")]
    glossary_path = root / LOCALES / language / "GLOSSARY.md"
    glossary = read_glossary(glossary_path) if glossary_path.is_file() else {}
    catalogue = _read_po(po_path)
    found = []
    for message in _read_po(pot_path):
        if not message.id:
            continue
        translated = catalogue.get(message.id)
        if translated is None:
            found.append(Problem(page, message.id, "the English changed and the catalogue was "
                                 f"not updated: run `python -m emergence.book.editions update {language}`"))
        elif not translated.string:
            found.append(Problem(page, message.id, "not translated"))
        elif translated.fuzzy:
            found.append(Problem(page, message.id, "fuzzy: the English changed; check the "
                                 "translation, then remove the '#, fuzzy' line"))
        else:
            found += [Problem(page, message.id, what)
                      for what in message_problems(message.id, translated.string, glossary)]
    return found


def problems(language: str, root: Path | str = ".", templates: Path | str | None = None) -> list[Problem]:
    """Every problem of the pages listed as translated into ``language``."""
    pages = translated_pages(language, root)
    if not pages:
        return [Problem(f"{LOCALES}/{language}", "", "no page is listed as translated")]
    return [p for page in pages for p in page_problems(page, language, root, templates)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emergence.book.translations",
                                     description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="check the catalogues of the pages listed as translated"
                        ).add_argument("language")
    args = parser.parse_args(argv)
    pages = translated_pages(args.language)
    found = problems(args.language)
    for problem in found:
        print(problem)
    print(f"{len(found)} problems in the {len(pages)} pages listed in "
          f"{LOCALES}/{args.language}/translated.txt")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())

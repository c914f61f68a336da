"""The translated editions: computed text marked for translation, the catalogues' checks, the
messages of a chapter's code, and the committed Korean catalogues themselves."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from emergence.book import editions, translations
from emergence.translatable import tr

ROOT = Path(__file__).resolve().parent.parent


# --- tr(): the English text, with its template and values --------------------------------

def test_tr_is_the_english_text_and_keeps_template_and_values():
    import numpy as np

    text = tr("{n} of {total:,d} models ({share:.0%})", n=np.int64(5), total=1000, share=np.float64(0.25))
    assert text == "5 of 1,000 models (25%)" and isinstance(text, str)
    assert text.msgid == "{n} of {total:,d} models ({share:.0%})"
    assert text.values == {"n": 5, "total": 1000, "share": 0.25}
    assert all(type(v) in (int, float) for v in text.values.values())   # JSON types only
    json.dumps(text.values)
    assert text.translated("모델 {total:,d}개 중 {n}개({share:.0%})") == "모델 1,000개 중 5개(25%)"
    assert text.translated("") == text


def test_tr_refuses_values_that_cannot_travel_in_a_notebook():
    with pytest.raises(TypeError, match="format it in the template"):
        tr("{xs}", xs=[1, 2])
    with pytest.raises(KeyError, match="differ"):
        tr("{a}", a=1, b=2)


def test_show_figure_keeps_a_translatable_alt_text_in_the_outputs_metadata(monkeypatch):
    import matplotlib.pyplot as plt
    from IPython import display as ipy_display

    from emergence.plotting import ALT_MESSAGE_KEY, show_figure

    shown = []
    monkeypatch.setattr(ipy_display, "display", lambda data, metadata, raw: shown.append(metadata))
    for alt in (tr("A line rises from {a} to {b}.", a=1, b=9), "A line rises from 1 to 9."):
        fig, ax = plt.subplots()
        ax.plot([1, 2, 3], [1, 4, 9])
        show_figure(fig, alt)
    marked, plain = shown
    assert marked[ALT_MESSAGE_KEY] == {"msgid": "A line rises from {a} to {b}.", "values": {"a": 1, "b": 9}}
    assert marked["image/png"]["alt"] == plain["image/png"]["alt"] == "A line rises from 1 to 9."
    assert ALT_MESSAGE_KEY not in plain


# --- the messages of a chapter's code ----------------------------------------------------

def _notebook(tmp_path: Path, *cells: str) -> Path:
    path = tmp_path / "chapter.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {},
                                           "outputs": [], "execution_count": None} for c in cells]
                                + [{"cell_type": "markdown", "source": 'tr("not code")', "metadata": {}}],
                                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_code_messages_finds_every_tr_template_and_its_cell(tmp_path):
    path = _notebook(tmp_path,
                     "%matplotlib inline\nx = 1",
                     'show_figure(fig, tr("First {a:.2f} "\n    "joined.", a=x))',
                     'label = f"not marked {x}"\nother = tr("Second.")')
    assert editions.code_messages(path) == [("First {a:.2f} joined.", 2), ("Second.", 3)]


def test_every_chapter_alt_text_of_a_translated_page_is_marked_for_translation():
    """A page listed as translated shows no English alt text: every figure's alt is a tr()."""
    for page in editions.translated_pages("ko", ROOT):
        path = ROOT / f"{page}.ipynb"
        if not path.is_file():
            continue
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        figures = sum("".join(c["source"]).count("show_figure(") for c in cells
                      if c["cell_type"] == "code")
        assert len(editions.code_messages(path)) >= figures, page


# --- the link between the editions --------------------------------------------------------

@pytest.mark.parametrize("page", ["index", "book/intro", "book/02_mirage_derived", "genindex"])
def test_the_switch_leads_to_the_same_page_and_back(page):
    (english_to_korean,) = editions.edition_links(page, "en")
    (korean_to_english,) = editions.edition_links(page, "ko")
    site = Path("/site")
    korean = (site / page).parent / english_to_korean["href"]
    assert korean.resolve() == (site / "ko" / f"{page}.html").resolve()
    back = ((site / "ko" / page).parent / korean_to_english["href"]).resolve()
    assert back == (site / f"{page}.html").resolve()


# --- the checks of a catalogue ------------------------------------------------------------

def _write(path: Path, messages, fuzzy=()):
    catalog = Catalog(locale="ko")
    for msgid, msgstr in messages:
        catalog.add(msgid, msgstr, flags=("fuzzy",) if msgid in fuzzy else ())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=0)


def test_a_catalogue_is_checked_for_everything_a_translation_must_keep(tmp_path):
    english = ["Plain.", "Untranslated.", "Fuzzy.", "Changed since.",
               "See {cite:t}`wei2022` and $p^L$.", "From 125M to 175B.", 'It is "not true".',
               "The exact match of a model.", "**The grade** (a step) counts it; *so* it is."]
    _write(tmp_path / "_build/gettext/book/x.pot", [(m, "") for m in english])
    _write(tmp_path / "locales/ko/LC_MESSAGES/book/x.po", [
        ("Plain.", "평범하다."), ("Untranslated.", ""), ("Fuzzy.", "흐릿하다."),
        ("Changed.", "바뀌었다."),
        ("See {cite:t}`wei2022` and $p^L$.", "{cite:t}`wei2022`를 보라."),
        ("From 125M to 175B.", "125M에서 1750억까지."),
        ('It is "not true".', "사실이 아니다."),
        ("The exact match of a model.", "모델의 정확도."),
        # the bold closes after ")" before a letter, so it does not close; the italics do
        ("**The grade** (a step) counts it; *so* it is.", "**점수(계단)**는 그것을 센다. *그래서* 그렇다."),
    ], fuzzy={"Fuzzy."})
    (tmp_path / "locales/ko/GLOSSARY.md").write_text(
        "| English | 한국어 | note |\n|---|---|---|\n| exact match | 정확 일치 | |\n", encoding="utf-8")
    (tmp_path / "locales/ko/translated.txt").write_text("# listed\nbook/x\n", encoding="utf-8")
    found = {p.msgid: p.what for p in translations.problems("ko", tmp_path)}
    assert "Plain." not in found
    assert found["Untranslated."] == "not translated"
    assert found["Fuzzy."].startswith("fuzzy")
    assert "not updated" in found["Changed since."]
    assert "missing ['$p^L$']" in found["See {cite:t}`wei2022` and $p^L$."]
    assert found["From 125M to 175B."] == "numbers of the English missing: ['175']"
    assert found['It is "not true".'] == "a quotation is not kept in English: 'not true'"
    assert found["The exact match of a model."] == "the glossary's term for 'exact match' is '정확 일치'"
    assert found["**The grade** (a step) counts it; *so* it is."].startswith(
        "emphasis that Markdown does not close")
    assert len(found) == 8


def test_a_page_without_a_catalogue_or_a_list_without_pages_is_a_problem(tmp_path):
    (tmp_path / "locales/ko").mkdir(parents=True)
    assert "no page is listed" in translations.problems("ko", tmp_path)[0].what
    (tmp_path / "locales/ko/translated.txt").write_text("book/y\n", encoding="utf-8")
    _write(tmp_path / "_build/gettext/book/y.pot", [("A.", "")])
    (problem,) = translations.problems("ko", tmp_path)
    assert "no catalogue" in problem.what and "update ko" in problem.what


def test_the_glossary_is_read_from_its_table():
    glossary = translations.read_glossary(ROOT / "locales/ko/GLOSSARY.md")
    assert glossary["emergent abilities"] == "창발적 능력"
    assert glossary["exact match"] == "정확 일치"
    assert "English" not in glossary and not any(set(k) <= set("-: ") for k in glossary)


def test_the_glossary_does_not_apply_to_code_in_a_plain_text_message():
    """A check's hint is plain text: ``mirage.ILLUSTRATIVE`` is code there, not the word."""
    glossary = {"mirage": "신기루"}
    assert translations.message_problems("use mirage.ILLUSTRATIVE.", "mirage.ILLUSTRATIVE를 쓰라.",
                                         glossary) == []
    assert translations.message_problems("the mirage paper", "그 논문", glossary) != []


# --- the committed catalogues -------------------------------------------------------------

def test_every_page_of_the_book_is_translated_into_korean():
    """Every page is listed, so CI's check holds the whole edition complete: a new page, or a
    changed sentence, fails it until its translation is in."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    pages = ["book/intro"] + [line.split("file:")[1].strip() for line in toc.splitlines()
                              if "file:" in line]
    for page in pages:
        assert (ROOT / "locales/ko/LC_MESSAGES" / f"{page}.po").is_file(), page
    assert (ROOT / "locales/ko/LC_MESSAGES" / f"{editions.SITE_CATALOGUE}.po").is_file()
    listed = editions.translated_pages("ko", ROOT)
    feedback = [name for name in listed if name.startswith("feedback/")]
    assert sorted(set(listed) - set(feedback)) == sorted(pages + [editions.SITE_CATALOGUE])
    for name in feedback:    # the checks' feedback, listed as each module's is translated
        assert (ROOT / "locales/ko/LC_MESSAGES" / f"{name}.po").is_file(), name


def test_a_translation_that_sphinx_did_not_apply_is_a_warning(tmp_path, monkeypatch):
    """Sphinx keeps the English, silently, where a translation reads as another kind of text
    (``1. 장`` as a list instead of a heading); the extension turns that into a warning, which
    fails the Korean build. Nodes this extension translates itself (Hangul) are not reported."""
    from types import SimpleNamespace

    from docutils import nodes
    from sphinx.util import logging as sphinx_logging

    (tmp_path / "locales/ko").mkdir(parents=True)
    (tmp_path / "locales/ko/translated.txt").write_text("book/x\n", encoding="utf-8")
    doctree = nodes.section("", nodes.title("", "1. What Wei et al. claim", translated=False),
                            nodes.paragraph("", "연습 wei-1", translated=False),
                            nodes.paragraph("", "Done.", translated=True))
    warned = []
    monkeypatch.setattr(sphinx_logging, "getLogger", lambda name: SimpleNamespace(
        warning=lambda message, *args, **kwargs: warned.append(message % args)))
    app = SimpleNamespace(config=SimpleNamespace(language="ko"), srcdir=tmp_path,
                          env=SimpleNamespace(docname="book/x"))
    editions._unapplied_translations(app, doctree)
    assert len(warned) == 1 and "'1. What Wei et al. claim' was not applied" in warned[0]
    app.env.docname = "book/not_listed"
    editions._unapplied_translations(app, doctree)
    app.config.language, app.env.docname = "en", "book/x"
    editions._unapplied_translations(app, doctree)
    assert len(warned) == 1


def test_the_listed_korean_pages_are_complete_and_not_fuzzy():
    """The same check as CI's, on the catalogues alone (CI also compares them with the
    English as now written, after extracting it)."""
    for page in editions.translated_pages("ko", ROOT):
        with (ROOT / "locales/ko/LC_MESSAGES" / f"{page}.po").open("rb") as f:
            catalogue = read_po(f)
        glossary = translations.read_glossary(ROOT / "locales/ko/GLOSSARY.md")
        for message in catalogue:
            if not message.id:
                continue
            assert message.string and not message.fuzzy, (page, message.id)
            assert translations.message_problems(message.id, message.string, glossary) == [], \
                (page, message.id)


def test_the_korean_title_comes_from_the_catalogue():
    assert editions.translation("ko", "book/intro", "Emergent abilities, or a mirage?", ROOT) \
        == "창발적 능력인가, 신기루인가?"
    assert editions.translation("ko", "book/intro", "no such message", ROOT) == "no such message"


def test_the_check_command_names_each_problem_and_fails(tmp_path):
    (tmp_path / "locales/ko").mkdir(parents=True)
    result = subprocess.run([sys.executable, "-m", "emergence.book.translations", "check", "ko"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert "no page is listed as translated" in result.stdout


def test_the_text_the_extensions_put_on_pages_is_in_the_site_catalogue():
    messages = editions.site_messages(ROOT)
    assert any(m.startswith("<strong>Coursework:</strong> {chapter}") for m in messages)
    assert any("not translated yet" in m for m in messages)
    with (ROOT / "locales/ko/LC_MESSAGES/site.po").open("rb") as f:
        catalogue = read_po(f)
    assert {m.id for m in catalogue if m.id} == set(messages)

"""The chapters' Markdown in another language, from the site's catalogues: the notebooks a
translated edition gives its students (emergence.book.translate_markdown)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

from emergence.book import course
from emergence.book.coursework import synthetic_chapter
from emergence.book.editions import TRANSLATIONS, translated_pages
from emergence.book.notebooks import HIDDEN, _tags
from emergence.book.translate_markdown import (
    catalogue,
    messages,
    page_catalogue,
    translate_cells,
    translate_markdown,
    words_in,
)

pytest.importorskip("myst_parser")   # the site's Markdown parser

ROOT = Path(__file__).resolve().parent.parent
HANGUL = re.compile("[\uac00-\ud7a3]")


def _english_left(nb, translate) -> list[str]:
    return [m for cell in nb.cells if cell.cell_type == "markdown"
            for m in messages(cell.source) if translate(m) not in (None, m)]


@pytest.mark.parametrize("language", sorted(TRANSLATIONS))
def test_every_translated_chapter_comes_out_whole_in_the_language(language):
    """The messages found in a chapter's notebook are the ones Sphinx put in the page's
    catalogue (every one of the cells the site shows has its translation there), and the
    translated notebook leaves none of them in English."""
    chapters = [ROOT / f"{page}.ipynb" for page in translated_pages(language, ROOT)
                if (ROOT / f"{page}.ipynb").is_file()]
    assert len(chapters) >= 9
    for chapter in chapters:
        translate = page_catalogue(chapter, language)
        nb = nbformat.read(chapter, as_version=4)
        shown = [m for c in nb.cells if c.cell_type == "markdown" and HIDDEN not in _tags(c)
                 for m in messages(c.source)]
        assert [m for m in shown if translate(m) is None] == [], chapter.name
        out = translate_cells(nb, translate)
        assert _english_left(out, translate) == [], chapter.name
        assert [c.source for c in out.cells if c.cell_type == "code"] == \
            [c.source for c in nb.cells if c.cell_type == "code"]


def test_what_has_no_translation_and_what_is_not_prose_stay_as_they_are():
    ko = {"Kept": None, "A list item in two lines.": "두 줄짜리 목록 항목.", "Quoted.": "인용.",
          "Inner.": "안쪽.", "Outer": "바깥"}.get
    text = ("Kept\n\n> Quoted.\n\n1. A list item\n   in two lines.\n\n$$\nx = 1\n$$\n\n"
            "````{note} Outer\n```{math}\nInner.\n```\n\nInner.\n````\n\n```python\nQuoted.\n```")
    assert translate_markdown(text, ko) == (
        "Kept\n\n> 인용.\n\n1. 두 줄짜리 목록 항목.\n\n$$\nx = 1\n$$\n\n"
        "````{note} 바깥\n```{math}\nInner.\n```\n\n안쪽.\n````\n\n```python\nQuoted.\n```")
    assert translate_markdown(text, lambda m: None) == text


def test_a_table_cell_is_translated_in_its_row():
    ko = {"Model": "모델", "Score": "점수", "A *big* one": "*큰* 것"}.get
    text = "| Model | Score |\n|:---|---:|\n| A *big* one |  0.5 |"
    assert translate_markdown(text, ko) == "| 모델 | 점수 |\n|:---|---:|\n| *큰* 것 |  0.5 |"


def _tiny_edition(tmp_path: Path) -> Path:
    """A one-chapter book with a Korean catalogue for its page and the book's own ``site.po``."""
    chapter = tmp_path / "book" / "tiny.ipynb"
    chapter.parent.mkdir()
    nbformat.write(synthetic_chapter(), chapter)
    messages_dir = tmp_path / "locales/ko/LC_MESSAGES"
    (messages_dir / "book").mkdir(parents=True)
    shutil.copy(ROOT / "locales/ko/LC_MESSAGES/site.po", messages_dir / "site.po")
    (messages_dir / "book/tiny.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "A tiny chapter"\nmsgstr "작은 장"\n\n'
        'msgid "mirage-1: Five digits"\nmsgstr "mirage-1: 다섯 자리"\n\n'
        'msgid "Small things."\nmsgstr "작은 것들."\n', encoding="utf-8")
    return chapter


def test_a_translated_course_speaks_its_language_around_the_chapter_too(tmp_path):
    pytest.importorskip("nbgrader")
    chapter = _tiny_edition(tmp_path)
    words = words_in("ko", tmp_path)
    (source,) = course.write_course([chapter], tmp_path / "course", language="ko")
    cells = [c.source for c in nbformat.read(source, as_version=4).cells]
    assert cells[0] == "# 작은 장\n\nThree exercises in the book's format."
    assert words(course.COURSE_NOTE) in cells and HANGUL.search(words(course.COURSE_NOTE))
    assert "### 연습 문제 mirage-1: 다섯 자리\n\nA digit is right with probability 0.9. What " \
        "fraction of five-digit answers are right?" in cells
    assert "### 연습 문제 mirage-3: Test items" in "\n".join(cells)   # no translation: English
    (released,) = course.release(tmp_path / "course", ["tiny"])
    nb = nbformat.read(released, as_version=4)
    assert nb.metadata["emergence"]["language"] == "ko"
    stubs = [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert stubs and set(stubs) == {"answer = None  # None을 여러분의 답으로 바꾸라"}


def test_the_english_course_is_unchanged_by_the_catalogues(tmp_path):
    chapter = _tiny_edition(tmp_path)
    (source,) = course.write_course([chapter], tmp_path / "course")
    text = "\n".join(c.source for c in nbformat.read(source, as_version=4).cells)
    assert not HANGUL.search(text) and "### Exercise mirage-1: Five digits" in text
    assert "language" not in nbformat.read(source, as_version=4).metadata["emergence"]


def test_a_fuzzy_translation_counts_as_none(tmp_path):
    po = tmp_path / "locales/ko/LC_MESSAGES/page.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  '#, fuzzy\nmsgid "Old"\nmsgstr "옛"\n\nmsgid "New"\nmsgstr "새"\n', encoding="utf-8")
    found = catalogue("ko", "page", tmp_path)
    assert found("Old") is None and found("New") == "새" and found("Missing") is None


def test_a_translated_student_edition_runs_and_its_checks_speak_the_language(tmp_path):
    """The edition's cell after the install cell sets the feedback's language; run
    unanswered, every check says "not answered yet" in that language."""
    pytest.importorskip("nbclient")
    from emergence.book.coursework import _check_student, write_student_editions
    from emergence.book.notebooks import run_notebook

    chapter = _tiny_edition(tmp_path)
    (edition,) = write_student_editions([chapter], tmp_path / "student", language="ko")
    assert _check_student(edition, timeout=120) == []
    ran, _ = run_notebook(nbformat.read(edition, as_version=4), timeout=120, cell_timeout=120)
    printed = "".join(o.get("text", "") for c in ran.cells if c.cell_type == "code"
                      for o in c.get("outputs", []))
    assert "mirage-1: 아직 답하지 않았다" in printed and "not answered" not in printed

"""Checks of the built site, page by page: nothing loaded from outside, alt text, sharp and legible figures, weight.

They read a built site, so they run after the build: ``make site-test`` (part of
``make test``, after the clean build) points ``SITE_DIR`` at ``_build/html``. Without
``SITE_DIR`` they are skipped, so the unit tests run before any build. The real browser's
view of the same pages is in ``tests/browser/test_pages.py``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from emergence.plotting import COLUMN_PX, MIN_TEXT_PX
from emergence.book.editions import ORIGINAL, TRANSLATIONS, checked_page, edition_links
from emergence.book.static_site import figure_text, outside_references

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ["SITE_DIR"]) if os.environ.get("SITE_DIR") else None
pytestmark = pytest.mark.skipif(SITE is None or not (SITE / "index.html").is_file(),
                                reason="needs a built site: SITE_DIR=_build/html (make site-test)")

#: A chapter page weighs less than this, with its figures (DESIGN.md's budget).
PAGE_BUDGET = 1_500_000


def site_pages() -> list[str]:
    if SITE is None or not SITE.is_dir():
        return []
    skip = {"_static", "_sources", "_images", "jupyter_execute"}
    return sorted(str(p.relative_to(SITE)) for p in SITE.rglob("*.html")
                  if not skip & set(p.relative_to(SITE).parts)
                  and checked_page(str(p.relative_to(SITE)), ROOT))


PAGES = site_pages()
_TAG = re.compile(r"<(img|script|link)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r'\b([\w-]+)\s*=\s*"([^"]*)"')


def tags(html: str, name: str) -> list[dict]:
    return [dict(_ATTR.findall(attrs)) for tag, attrs in _TAG.findall(html) if tag.lower() == name]


def local(page: str, url: str) -> Path:
    return (SITE / page).parent / url.split("?")[0].split("#")[0]


def test_the_site_has_every_chapter():
    chapters = [p for p in PAGES if p.startswith("book/0")]
    assert len(chapters) >= 8, chapters


def test_every_translation_has_every_page_of_the_original():
    originals = [p for p in PAGES if _language(p) == ORIGINAL[0]]   # every English page
    for language in TRANSLATIONS:
        missing = [p for p in originals if not (SITE / language / p).is_file()]
        assert missing == [], f"pages missing from the {language} edition: {missing}"


def _language(page: str) -> str:
    first = page.split("/")[0]
    return first if first in TRANSLATIONS else ORIGINAL[0]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_names_its_language_and_links_to_itself_in_the_other_edition(page):
    html = (SITE / page).read_text(encoding="utf-8")
    if html.lstrip().startswith('<meta http-equiv="Refresh"'):
        pytest.skip("the site's front door, a redirect to book/intro.html")
    language = _language(page)
    assert re.search(rf'<html lang="{language}"', html), f"{page} is not marked lang={language}"
    name = page.removeprefix(f"{language}/") if language != ORIGINAL[0] else page
    for link in edition_links(name.removesuffix(".html"), language):
        assert f'href="{link["href"]}" hreflang="{link["lang"]}"' in html, link
        assert ((SITE / page).parent / link["href"]).resolve().is_file(), link


@pytest.mark.parametrize("page", [p for p in PAGES if _language(p) != ORIGINAL[0]])
def test_a_translated_page_names_the_parts_of_the_book_in_its_language(page):
    html = (SITE / page).read_text(encoding="utf-8")
    captions = re.findall(r'<span class="caption-text">([^<]*)</span>', html)
    assert captions, f"no part captions in the menu of {page}"
    assert [c for c in captions if not re.search("[가-힣]", c)] == []


@pytest.mark.parametrize("page", [p for p in PAGES if _language(p) != ORIGINAL[0]])
def test_a_translated_page_shows_the_same_computed_numbers_as_the_original(page):
    """Every glued number of the English page is in the translation, and no other (the
    translated paragraphs take them from the same execution)."""
    glued = re.compile(r'<span class="pasted-text">([^<]*)</span>')
    original = (SITE / page.split("/", 1)[1]).read_text(encoding="utf-8")
    translated = (SITE / page).read_text(encoding="utf-8")
    assert sorted(glued.findall(translated)) == sorted(glued.findall(original))
    assert "No key" not in translated


@pytest.mark.parametrize("page", [p for p in PAGES if _language(p) != ORIGINAL[0]])
def test_a_translated_page_titles_its_exercises_and_solutions_in_its_language(page):
    """sphinx-exercise's titles escape Sphinx's translation; emergence.book.editions does it."""
    html = (SITE / page).read_text(encoding="utf-8")
    titles = re.findall(r'<p class="admonition-title">(.*?)</p>', html, re.DOTALL)
    named = [re.sub(r"<[^>]+>", "", t) for t in titles if re.search(r"\(\w+-\d+: ", t)]
    english = [t.strip() for t in named if not re.search(r"[가-힣]", t.split(": ", 1)[1])]
    assert english == [], f"exercise titles in English on {page}"


@pytest.mark.parametrize("page", [p for p in PAGES if _language(p) != ORIGINAL[0]])
def test_a_translated_page_says_its_figures_in_its_language(page):
    html = (SITE / page).read_text(encoding="utf-8")
    figures = [img for img in tags(html, "img") if "_images/" in img.get("src", "")]
    english = [img["alt"][:60] for img in figures if not re.search("[가-힣]", img.get("alt", ""))]
    assert english == [], f"figures with English alt text on {page}"


@pytest.mark.parametrize("page", PAGES)
def test_no_page_loads_anything_from_outside(page):
    html = (SITE / page).read_text(encoding="utf-8")
    assert outside_references(html) == []
    for link in tags(html, "link"):
        if "stylesheet" in link.get("rel", ""):
            css = local(page, link["href"])
            assert css.is_file(), link["href"]
            assert outside_references(f"<style>{css.read_text(encoding='utf-8')}</style>") == [], css


@pytest.mark.parametrize("page", PAGES)
def test_no_page_carries_a_math_script_or_raw_tex(page):
    html = (SITE / page).read_text(encoding="utf-8")
    assert "mathjax" not in " ".join(s.get("src", "") for s in tags(html, "script")).lower()
    assert "window.MathJax" not in html
    assert not re.search(r'class="[^"]*math notranslate nohighlight"[^>]*>\s*\\[(\[]', html), \
        "a formula left as TeX"


@pytest.mark.parametrize("page", PAGES)
def test_every_image_has_alt_text_that_is_not_a_path(page):
    html = (SITE / page).read_text(encoding="utf-8")
    for img in tags(html, "img"):
        alt = img.get("alt", "").strip()
        assert alt, f"no alt text: {img.get('src')}"
        assert not re.search(r"\.(png|svg|jpe?g|gif)$|^[./]*_images/|[0-9a-f]{32}", alt), \
            f"alt text is a path: {alt}"
        if "_images/" in img.get("src", ""):
            assert len(alt.split()) >= 8, f"a figure's alt text should state its message: {alt!r}"


@pytest.mark.parametrize("page", PAGES)
def test_every_figure_is_twice_as_sharp_and_legible_in_the_column(page):
    from PIL import Image

    html = (SITE / page).read_text(encoding="utf-8")
    for img in tags(html, "img"):
        if "_images/" not in img.get("src", ""):
            continue
        path = local(page, img["src"])
        meta = figure_text(path)
        assert "CSS width" in meta, f"{path.name} was not shown with plotting.show_figure"
        width = int(meta["CSS width"])
        with Image.open(path) as image:
            assert image.width >= 2 * width - 2, f"{path.name} is not drawn at twice its size"
        shown = float(meta["Smallest text px"]) * min(1.0, COLUMN_PX / width)
        assert shown >= MIN_TEXT_PX, f"{path.name}: smallest text {shown:.1f} px in the column"


def static_weight(page: str) -> int:
    """Bytes of a page and of the scripts, stylesheets and images it links. Fonts are left to
    the browser test, which measures what a browser really loads (only the fonts it uses)."""
    html = (SITE / page).read_text(encoding="utf-8")
    files = {SITE / page}
    for tag, key in (("script", "src"), ("link", "href"), ("img", "src")):
        for t in tags(html, tag):
            if tag == "link" and "stylesheet" not in t.get("rel", ""):
                continue
            if t.get(key) and not t[key].startswith("data:"):
                files.add(local(page, t[key]).resolve())
    return sum(f.stat().st_size for f in files if f.is_file())


@pytest.mark.parametrize("page", PAGES)
def test_every_page_weighs_under_the_budget(page):
    weight = static_weight(page)
    assert weight < PAGE_BUDGET, f"{page}: {weight / 1e6:.2f} MB with everything it links"


def _coursework_links(page: str) -> list[str]:
    html = (SITE / page).read_text(encoding="utf-8")
    banner = re.search(r'<p class="student-edition">(.*?)</p>', html, re.S)
    return re.findall(r'href="([^"]+)"', banner[1]) if banner else []


@pytest.mark.parametrize("language", [ORIGINAL[0], *TRANSLATIONS])
def test_every_chapter_with_exercises_offers_its_release_and_never_its_solutions(language):
    """Students get nbgrader's release: answer cells left at None, locked test cells, no
    solution and no hidden test, and every written answer left for them; a translated
    edition's pages offer that edition's release, in its language."""
    import nbformat

    from emergence.book.notebooks import exercises

    root = Path(__file__).resolve().parent.parent
    chapters = [p for p in sorted((root / "book").glob("*.ipynb")) if exercises(nbformat.read(p, as_version=4))]
    assert chapters
    prefix = "" if language == ORIGINAL[0] else f"{language}/"
    course = "course" if language == ORIGINAL[0] else f"course-{language}"
    for chapter in chapters:
        page = f"{prefix}book/{chapter.stem}.html"
        links = _coursework_links(page)
        assert links and links[0] == f"../student/{chapter.name}", f"{page}: no coursework download"
        assert any("mybinder.org" in link and f"{course}/release/{chapter.stem}/{chapter.name}" in link
                   for link in links), f"{page}: no Binder link to the release"
        released = nbformat.read(local(page, links[0]), as_version=4)
        text = "\n".join(c.source for c in released.cells)
        for leak in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "solution-start", "Rubric for"):
            assert leak not in text, f"{chapter.name}'s release contains {leak!r}"
        graded = [c.metadata.nbgrader for c in released.cells if "nbgrader" in c.metadata]
        qids = [e.qid for e in exercises(nbformat.read(chapter, as_version=4))]
        assert sorted(g["grade_id"] for g in graded if g["grade"]) == sorted(qids), chapter.name
        if language != ORIGINAL[0]:
            _assert_in_language(released, chapter, language)


def _assert_in_language(released, chapter: Path, language: str) -> None:
    """No message of the release's Markdown is one its page's catalogue translates (the page
    on the site has it translated), and the text around the chapter is the edition's."""
    from emergence.book.course import COURSE_NOTE
    from emergence.book.translate_markdown import messages, page_catalogue, words_in

    catalogue = page_catalogue(chapter, language)
    english = [m for cell in released.cells if cell.cell_type == "markdown"
               for m in messages(cell.source) if catalogue(m) not in (None, m)]
    assert english == [], f"{language} release of {chapter.name} keeps English: {english[:3]}"
    assert words_in(language, ROOT)(COURSE_NOTE) in [c.source for c in released.cells]
    assert released.metadata["emergence"]["language"] == language
    assert f"use_language({language!r})" in "\n".join(c.source for c in released.cells
                                                    if c.cell_type == "code")

"""The built site in a real browser: Debian's Chromium, driven by Playwright, every page.

For every page, served on localhost with every other address blocked: no request
leaves the machine and none fails, no script error, formulas are typeset (no raw TeX),
every image loads and has alt text, figure text is at least 11 CSS px at the desktop
column width, and the page weighs under 1.5 MB. At 400 px (a phone) the page does not
scroll sideways, every figure (its phone layout) fits its box with text of 11 px or
more, what cells print wraps, formulas fit, and no table cell breaks inside a word or
a number. The tests act as a reader does: on a phone they tap the visible menu button
and follow a link in the menu, and tap "on this page"; at 1280 px the menu button folds
the sidebar away; on chapter pages a tap on a solution's title opens and closes it; in
the system's dark mode every table follows the theme; on the mirage chapter the static
explorer redraws when a slider moves. Screenshots of every page at 1280 and 400 px, in
dark mode, and of the open menu go to ``_build/screenshots`` (CI keeps them), with the
measured weights (``weights.tsv``) and each figure's width and smallest text at 400 px
(``figures-400.tsv``).

Run by ``make site-test`` after the build (``SITE_DIR=_build/html``); skipped without
``SITE_DIR``. The browser is ``/usr/bin/chromium`` (``apt-get install chromium``), or
``$CHROMIUM``.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from emergence.plotting import MIN_TEXT_PX
from emergence.book.editions import checked_page
from emergence.book.static_site import figure_text

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ["SITE_DIR"]) if os.environ.get("SITE_DIR") else None
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "_build/screenshots"))
PAGE_BUDGET = 1_500_000
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-default-apps", "--disable-extensions"]

pytestmark = pytest.mark.skipif(SITE is None or not (SITE / "index.html").is_file(),
                                reason="needs a built site: SITE_DIR=_build/html (make site-test)")


def site_pages() -> list[str]:
    if SITE is None or not SITE.is_dir():
        return []
    skip = {"_static", "_sources", "_images", "jupyter_execute"}
    return sorted(str(p.relative_to(SITE)) for p in SITE.rglob("*.html")
                  if not skip & set(p.relative_to(SITE).parts) and p.name != "genindex.html"
                  and checked_page(str(p.relative_to(SITE)), ROOT))


PAGES = site_pages()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(_Quiet, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no browser at {CHROMIUM}: apt-get install chromium")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport={"width": 1280, "height": 900})
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def open_page(browser, server, page, width):
    """Load ``page`` at ``width`` px with every address but the local server blocked."""
    tab = browser.new_page()
    tab.set_viewport_size({"width": width, "height": 900})
    record = {"outside": [], "failed": [], "errors": [], "console": [], "sizes": {}}

    def route(r):
        if r.request.url.startswith(server) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            record["outside"].append(r.request.url)
            r.abort()

    def response(resp):
        if resp.status >= 400:
            record["failed"].append(f"{resp.status} {resp.url}")
        try:
            record["sizes"][resp.url] = len(resp.body())
        except Exception:          # a redirect or an aborted request has no body
            pass

    tab.route("**/*", route)
    tab.on("response", response)
    tab.on("pageerror", lambda e: record["errors"].append(str(e)))
    tab.on("console", lambda m: record["console"].append(m.text) if m.type == "error" else None)
    tab.goto(server + page, wait_until="networkidle")
    tab.evaluate("document.fonts.ready")
    tab.wait_for_timeout(300)
    return tab, record


def page_weight(record, page, width):
    """The bytes a page loaded, written to ``weights.tsv`` (1280 px) or ``weights-400.tsv``,
    and held to the budget."""
    weight = sum(record["sizes"].values())
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = "weights.tsv" if width == 1280 else f"weights-{width}.tsv"
    with open(SHOTS / name, "a") as f:
        f.write(f"{page}\t{weight}\t{len(record['sizes'])}\n")
    assert weight < PAGE_BUDGET, f"{page} loads {weight / 1e6:.2f} MB at {width} px"


def smallest_text_px(src, shown) -> float:
    """A figure's smallest text in CSS px, shown ``shown`` px wide (the file's own measures)."""
    meta = figure_text(SITE / "_images" / src.split("/")[-1])
    return float(meta["Smallest text px"]) * shown / int(meta["CSS width"])


def in_the_dark(tab, page, width):
    """Switch the system to dark mode (the theme follows it): every table cell is drawn on
    a dark background; a screenshot is kept."""
    tab.emulate_media(color_scheme="dark")
    tab.wait_for_function("document.documentElement.dataset.theme === 'dark'", timeout=5000)
    light = tab.evaluate(_LIGHT_CELLS)
    assert light == [], f"{len(light)} table cells on a light background in dark mode: {light[:5]}"
    shot(tab, page.replace(".html", "-dark.html"), width)


def shot(tab, page, width, full_page=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{page.replace('/', '_').removesuffix('.html')}-{width}.png"),
                   full_page=full_page)


_TEXT_OUTSIDE_CODE = """() => {
  const body = document.querySelector('article') || document.body;
  const copy = body.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, mjx-container, .cell_input').forEach(e => e.remove());
  return copy.innerText;
}"""


@pytest.mark.parametrize("page", PAGES)
def test_page_at_desktop_width(browser, server, page):
    tab, record = open_page(browser, server, page, 1280)
    try:
        assert record["outside"] == [], "requests that left the machine"
        assert record["failed"] == []
        assert record["errors"] == [], "script errors"
        assert record["console"] == [], "errors in the console"
        page_weight(record, page, 1280)

        text = tab.evaluate(_TEXT_OUTSIDE_CODE)
        for raw in ("$$", "\\(", "\\[", "\\begin{", "\\frac"):
            assert raw not in text, f"raw TeX {raw!r} on the page"
        source = (SITE / page).read_text(encoding="utf-8")
        if "math notranslate" in source:
            assert tab.locator("mjx-container").count() > 0
            assert tab.locator("mjx-merror").count() == 0

        images = tab.evaluate("""() => [...document.querySelectorAll('img')].map(i => (
            {src: i.getAttribute('src'), alt: i.getAttribute('alt'), loaded: i.complete && i.naturalWidth > 0,
             shown: i.getBoundingClientRect().width}))""")
        for img in images:
            assert img["loaded"], f"{img['src']} did not load"
            assert img["alt"] and "/" not in img["alt"][:40], f"{img['src']} has alt {img['alt']!r}"
            if "_images/" in img["src"] and img["shown"] > 0:
                smallest = smallest_text_px(img["src"], img["shown"])
                assert smallest >= MIN_TEXT_PX - 0.05, \
                    f"{img['src']}: smallest text {smallest:.1f} px at 1280"
        shot(tab, page, 1280)
        in_the_dark(tab, page, 1280)
    finally:
        tab.close()


_ON_A_PHONE = """() => {
  const article = document.querySelector('article') || document.body;
  const figures = [...article.querySelectorAll('img')]
    .filter(i => i.getBoundingClientRect().width > 0)
    .map(i => ({src: i.currentSrc, shown: i.getBoundingClientRect().width,
                room: (i.closest('.cell_output') || i.parentElement).clientWidth}));
  const wide = el => el.scrollWidth > el.clientWidth + 1;
  const outputs = [...article.querySelectorAll('div.cell_output .output pre')].filter(wide)
    .map(p => p.textContent.trim().slice(0, 60));
  const formulas = [...article.querySelectorAll('div.math')].filter(wide)
    .map(d => (d.querySelector('mjx-assistive-mml') || d).textContent.trim().slice(0, 60));
  const broken = [];
  article.querySelectorAll('td, th').forEach(cell => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        if (m[0].length < 2) continue;
        const r = document.createRange();
        r.setStart(node, m.index);
        r.setEnd(node, m.index + m[0].length);
        if (new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1) broken.push(m[0]);
      }
    }
  });
  return {figures, outputs, formulas, broken};
}"""


@pytest.mark.parametrize("page", PAGES)
def test_page_on_a_phone_is_read_whole(browser, server, page):
    """At 400 px: no sideways scroll; every figure fits its box with text of 11 px or more;
    what cells print wraps; formulas fit; no table cell breaks inside a word or number."""
    tab, record = open_page(browser, server, page, 400)
    try:
        assert record["outside"] == []
        assert record["console"] == [], "errors in the console"
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"{page} is {width} px wide at 400 px"
        page_weight(record, page, 400)
        seen = tab.evaluate(_ON_A_PHONE)
        for fig in seen["figures"]:
            if "_images/" not in fig["src"]:
                continue
            smallest = smallest_text_px(fig["src"], fig["shown"])
            with open(SHOTS / "figures-400.tsv", "a") as f:
                f.write(f"{page}\t{fig['src'].split('/')[-1][:12]}\t{fig['shown']:.0f}\t"
                        f"{fig['room']}\t{smallest:.1f}\n")
            assert fig["shown"] <= fig["room"] + 0.5, f"{fig['src']} is cut: {fig}"
            assert smallest >= MIN_TEXT_PX - 0.05, f"{fig['src']}: smallest text {smallest:.1f} px"
        assert seen["outputs"] == [], "printed lines run past the column"
        assert seen["formulas"] == [], "formulas cut at the column's edge"
        assert seen["broken"] == [], "table cells broken inside a word or number"
        shot(tab, page, 400)
        in_the_dark(tab, page, 400)
    finally:
        tab.close()


BOOK_PAGES = [p for p in PAGES if p.startswith("book/")]
# Every page is drawn from the same templates: the front page, a chapter and the guide
# stand for them (a chapter's "on this page" is its longest).
MENU_PAGES = [p for p in BOOK_PAGES if p.endswith(("intro.html", "02_mirage_derived.html",
                                                  "instructors.html"))]


@pytest.mark.parametrize("page", MENU_PAGES)
def test_the_menus_open_from_the_buttons_a_reader_taps_on_a_phone(browser, server, page):
    """At 400 px: the visible menu button opens the book's contents, whose links navigate,
    and the visible "on this page" button opens the page's contents."""
    tab, record = open_page(browser, server, page, 400)
    try:
        menu = tab.locator(".primary-toggle:visible")
        assert menu.count() == 1, "one menu button is visible"
        menu.click()
        dialog = tab.locator("#pst-primary-sidebar-modal")
        dialog.locator("nav.bd-docs-nav").wait_for(state="visible", timeout=5000)
        assert tab.evaluate("document.getElementById('pst-primary-sidebar-modal').open")
        shot(tab, page.replace(".html", "-menu.html"), 400, full_page=False)
        tab.keyboard.press("Escape")
        tab.wait_for_function("!document.getElementById('pst-primary-sidebar-modal').open",
                              timeout=5000)
        menu.click()
        dialog.locator("nav.bd-docs-nav").wait_for(state="visible", timeout=5000)
        link = dialog.locator("nav.bd-docs-nav a.reference.internal:not(.current)").last
        target = link.get_attribute("href")
        link.click()
        tab.wait_for_load_state("load")
        assert tab.url.split("#")[0].endswith(target.split("/")[-1].split("#")[0]), (tab.url, target)
        tab.goto(server + page, wait_until="networkidle")
        if tab.locator("#pst-secondary-sidebar nav.page-toc").count() == 0:
            return                       # a page without sections has no "on this page"
        toc = tab.locator(".secondary-toggle:visible")
        assert toc.count() == 1, "one 'on this page' button is visible"
        toc.click()
        tab.locator("#pst-secondary-sidebar-modal nav.page-toc").wait_for(state="visible",
                                                                          timeout=5000)
        tab.keyboard.press("Escape")
        tab.wait_for_function("!document.getElementById('pst-secondary-sidebar-modal').open",
                              timeout=5000)
        assert record["errors"] == [], "script errors"
    finally:
        tab.close()


@pytest.mark.parametrize("page", BOOK_PAGES[:1])
def test_the_menu_button_folds_the_sidebar_away_at_desktop_width(browser, server, page):
    tab, _ = open_page(browser, server, page, 1280)
    try:
        sidebar = tab.locator("#pst-primary-sidebar nav.bd-docs-nav")
        assert sidebar.is_visible()
        tab.locator(".primary-toggle:visible").click()
        sidebar.wait_for(state="hidden", timeout=5000)
        tab.locator(".primary-toggle:visible").click()
        sidebar.wait_for(state="visible", timeout=5000)
    finally:
        tab.close()


CHAPTERS_WITH_SOLUTIONS = [p for p in PAGES if SITE and 'class="solution' in
                           (SITE / p).read_text(encoding="utf-8")]


@pytest.mark.parametrize("page", CHAPTERS_WITH_SOLUTIONS)
def test_a_solution_opens(browser, server, page):
    tab, _ = open_page(browser, server, page, 1280)
    try:
        solution = tab.locator("div.solution.dropdown").first
        body = solution.locator(":scope > :not(.admonition-title)").first
        assert not body.is_visible(), "the solution is open before it is asked for"
        # a reader taps the middle of the title's words, which are a link to the exercise
        words = solution.locator(".admonition-title a").first
        words.scroll_into_view_if_needed()
        box = words.bounding_box()
        tab.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        body.wait_for(state="visible", timeout=5000)
        assert "#" not in tab.url, "the tap followed the link instead of opening the solution"
        tab.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        body.wait_for(state="hidden", timeout=5000)
    finally:
        tab.close()


_LIGHT_CELLS = """() => {
  const luminance = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor.match(/[\\d.]+/g).map(Number);
      if (c.length < 4 || c[3] > 0.5) return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;
    }
    return 1;
  };
  return [...document.querySelectorAll('article td, article th')]
    .filter(c => luminance(c) > 0.5).map(c => c.textContent.trim().slice(0, 30));
}"""

EXPLORER_PAGES = [p for p in PAGES if SITE and "mirage-explorer" in (SITE / p).read_text(encoding="utf-8")]


def test_the_mirage_explorer_is_on_the_site():
    assert EXPLORER_PAGES, "no page carries the static mirage explorer"


@pytest.mark.parametrize("page", EXPLORER_PAGES)
def test_the_static_explorer_redraws_when_a_slider_moves(browser, server, page):
    tab, record = open_page(browser, server, page, 1280)
    try:
        explorer = tab.locator(".mirage-explorer").first
        explorer.scroll_into_view_if_needed()
        summary = explorer.locator(".mirage-summary")
        before = summary.inner_text()
        title = explorer.locator("svg.mirage-panel").first.locator("text").last
        curve_before = explorer.locator("polyline.model-curve").first.get_attribute("points")
        korean = page.startswith("ko/")
        # the same numbers in either edition, in the edition's words
        items_word, none_zero = (("문항 {}개", "모델 8개 가운데 0개가 0점") if korean
                                 else ("{} items", "0 of 8 models score 0"))
        assert before.startswith("L = 5,") and items_word.format(100) in before, before
        length, _, items = explorer.locator("input[type=range]").all()
        length.focus()
        for _ in range(4):
            tab.keyboard.press("ArrowLeft")                    # L from 5 to 1
        items.focus()
        tab.keyboard.press("End")                               # 100,000 test items
        after = summary.inner_text()
        assert after != before and after.startswith("L = 1,") and items_word.format("100,000") in after, after
        assert explorer.locator("polyline.model-curve").first.get_attribute("points") != curve_before
        assert none_zero in after, after
        assert title.count() == 1
        if korean:   # the sliders' names, the panels' words and what a screen reader hears
            words = [explorer.locator(".mirage-control span").first.inner_text(),
                     explorer.locator("svg.mirage-panel").first.get_attribute("aria-label"),
                     explorer.get_attribute("aria-label")]
            assert all(re.search("[\uac00-\ud7a3]", w) for w in words), words
        shot(tab, page.replace(".html", "-explorer.html"), 1280)
    finally:
        tab.close()


# --- the editions: the switch between them, and Korean drawn with a Korean font -------------

EDITION_PAIRS = [(p, f"ko/{p}") for p in ("book/intro.html", "book/02_mirage_derived.html")
                 if p in PAGES and f"ko/{p}" in PAGES]


@pytest.mark.parametrize("width", [1280, 400])
@pytest.mark.parametrize("english, korean", EDITION_PAIRS)
def test_the_language_switch_leads_to_the_same_page_in_the_other_edition(browser, server, english,
                                                                      korean, width):
    for here, there, language in ((english, korean, "ko"), (korean, english, "en")):
        tab, record = open_page(browser, server, here, width)
        try:
            link = tab.locator(f".edition-switch a[hreflang='{language}']")
            assert link.is_visible(), f"no visible switch to {language} on {here} at {width} px"
            link.click()
            tab.wait_for_url(server + there)
            assert tab.evaluate("document.documentElement.lang") == language
            assert record["outside"] == []
        finally:
            tab.close()


def korean_fonts() -> set[str]:
    """The installed fonts that have Korean's letters (fontconfig's own list)."""
    import subprocess

    listed = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",")}


_PLAIN_TEXT = """() => {
  const article = document.querySelector('article');
  return [article.querySelector('h1'),
          ...[...article.querySelectorAll('p')].filter(p => !p.querySelector('code, mjx-container, a'))
             .slice(0, 3)].map((el, i) => { el.dataset.fontProbe = i; return i; });
}"""


@pytest.mark.parametrize("width", [1280, 400])
@pytest.mark.parametrize("page", [korean for _, korean in EDITION_PAIRS])
def test_korean_is_drawn_with_a_font_that_has_its_letters(browser, server, page, width):
    """No tofu: every font Chromium draws the heading and plain paragraphs with has Hangul
    (``fc-list :lang=ko``; Debian's fonts-noto-cjk gives Noto Sans CJK KR)."""
    fonts = korean_fonts()
    assert fonts, "no font with Korean letters is installed: apt-get install fonts-noto-cjk"
    tab, _ = open_page(browser, server, page, width)
    try:
        probes = tab.evaluate(_PLAIN_TEXT)
        cdp = tab.context.new_cdp_session(tab)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        used = set()
        for probe in probes:
            node = cdp.send("DOM.querySelector", {"nodeId": root,
                                                  "selector": f"[data-font-probe='{probe}']"})
            for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]:
                used.add(font["familyName"])
        assert used and used <= fonts, f"{page} draws Korean with {sorted(used - fonts)}"
    finally:
        tab.close()

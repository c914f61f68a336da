"""The whole book as one PDF, printed by Chromium from the built site.

Every page in the order of the table of contents (:func:`reading_order`), each chapter on
a new sheet, with the site's own print styles, typeset formulas and figures; nothing is
fetched from outside the site::

    python -m emergence.book.pdf _build/html _build/pdf/book.pdf
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["reading_order", "print_book"]


_ARTICLE = re.compile(r'(<article class="bd-article">)(.*?)(</article>)', re.DOTALL)
_CHTML_LINK = re.compile(r'<link rel="stylesheet" type="text/css" href="[^"]*mathjax/chtml-[^"]+"\s*/?>')


def reading_order(site) -> list[str]:
    """The site's pages in the order of its table of contents (from the front page's sidebar)."""
    site = Path(site)
    front = (site / "book" / "intro.html").read_text(encoding="utf-8")
    start = front.find("bd-docs-nav")
    if start < 0:
        raise ValueError(f"{site / 'book' / 'intro.html'} has no sidebar (bd-docs-nav) to read "
                         "the reading order from: is it a page of this book's site?")
    nav = front[start:front.find("</nav>", start)]
    order = ["book/intro.html"]
    for href in re.findall(r'href="([^"#]+\.html)', nav):
        page = str((site / "book" / href).resolve().relative_to(site.resolve()))
        if page not in order and page.startswith("book/"):
            order.append(page)
    return order


def print_book(site, out, chromium: str = "/usr/bin/chromium") -> Path:
    """Print the built site as one PDF, with Chromium: every page in reading order.

    The pages' articles are put one after the other into one page (each chapter on a new
    sheet), which Chromium prints with the site's own print styles, its typeset formulas and
    its figures; nothing is fetched from outside the site.
    """
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    site, out = Path(site), Path(out)
    pages = reading_order(site)
    first = (site / pages[0]).read_text(encoding="utf-8")
    articles, styles = [], set()
    for page in pages:
        text = (site / page).read_text(encoding="utf-8")
        match = _ARTICLE.search(text)
        if match:
            articles.append(f'<section class="book-print-chapter">{match.group(2)}</section>')
        styles.update(_CHTML_LINK.findall(text))
    head_extra = "".join(sorted(styles)) + (
        "<style>.book-print-chapter{break-before:page}.book-print-chapter:first-child{break-before:auto}"
        "details.above-input{display:none}</style>")
    combined = _ARTICLE.sub(lambda m: m.group(1) + "".join(articles) + m.group(3), first, count=1)
    combined = combined.replace("</head>", head_extra + "</head>", 1)
    target = site / "book" / "print-the-book.html"
    target.write_text(combined, encoding="utf-8")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            tab = browser.new_page()
            tab.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base)
                      else r.abort())
            tab.goto(base + "book/print-the-book.html", wait_until="networkidle")
            tab.evaluate("document.fonts.ready")
            tab.emulate_media(media="print")
            out.parent.mkdir(parents=True, exist_ok=True)
            tab.pdf(path=str(out), format="A4", print_background=True,
                    margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
        target.unlink(missing_ok=True)
    return out


def _main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m emergence.book.pdf",
                                     description="Print the book's built site as one PDF "
                                                 "with Chromium.")
    parser.add_argument("site", help="the built site, e.g. _build/html")
    parser.add_argument("out", help="the PDF to write, e.g. _build/pdf/book.pdf")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    if not (Path(args.site) / "book" / "intro.html").is_file():
        parser.error(f"{args.site} holds no built book (book/intro.html): run 'make book' first.")
    path = print_book(args.site, args.out, args.chromium)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())

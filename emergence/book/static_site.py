"""The book's static site: what the build adds so that it reads offline, light and accessible.

A Sphinx extension, listed in ``_config.yml``, that

- copies each figure's alternative text (the ``Description`` that
  :func:`emergence.plotting.show_figure` writes into the PNG) into the figure's
  ``<img alt=...>``;
- typesets every formula when the site is built, with MathJax 3 (the ``mathjax``
  package of the npm registry, pinned with its checksum, run by Node.js), so a page
  carries its formulas as HTML and CSS, loads no MathJax script and makes no request
  to another site; its fonts and licence are copied into ``_static/mathjax``;
- gives the sidebar buttons a reader taps their menus: its template of the theme's top
  bar (``emergence/book/site_templates/sections/header.html``) leaves out a hidden second
  pair of sidebar toggles that the theme's scripts would otherwise bind to instead;
- shows each figure whole on a phone: :func:`emergence.plotting.show_figure` puts a
  second layout of the figure, drawn for a phone's column, in its output, and
  :class:`PhoneFigures` (a myst-nb renderer) and the page writer make the two one
  ``<picture>``, from which the browser loads only the one that fits its screen;
- leaves out the theme's 1.5 MB icon script (the icons the site shows are drawn by
  ``book/_static/icons.css``) and, outside the search page, the search index and its
  scripts, which the theme loads only for a search-as-you-type box the book does not
  use (its search box opens the search page).

It also holds the measures the site's tests share (what a page loads from outside the
site, :func:`outside_references`; a figure's alt text and size, :func:`figure_text`).
:mod:`emergence.book.pdf` prints the built site as one PDF.

MathJax is fetched once (``npm pack mathjax@3.2.2``) into
``$XDG_CACHE_HOME/emergence-book`` (``~/.cache`` by default) and checked against
:data:`MATHJAX_INTEGRITY`; set ``MATHJAX_DIR`` to an unpacked copy of the package to
build with no registry at all.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

__all__ = ["MATHJAX_VERSION", "MATHJAX_INTEGRITY", "mathjax_package", "typeset", "typeset_body",
           "setup", "PhoneFigures", "phone_pictures", "one_word_cells", "PHONE_MEDIA",
           "outside_references", "figure_text"]

MATHJAX_VERSION = "3.2.2"
#: The npm registry's sha512 integrity of ``mathjax-3.2.2.tgz``.
MATHJAX_INTEGRITY = ("sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/"
                     "FEsPsjKPZGJvtRZM1vO+geW0OhGw==")

# Node.js side: read {"fontURL", "items": [{"tex", "display"}]} on stdin, write
# {"html": [...], "css": "...", "errors": [[index, message]]} on stdout.
_TYPESET_JS = r"""
const path = process.argv[1];
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
require(path + '/es5/node-main.js').init({
  loader: {paths: {mathjax: path + '/es5'}, load: ['input/tex', 'output/chtml', 'a11y/assistive-mml']},
  tex: {packages: {'[+]': ['ams']}},
  // Browsers scale MathJax to the text's x-height; here the page's sans-serif is the guide.
  chtml: {fontURL: input.fontURL, scale: 1.15},
  startup: {typeset: false}
}).then((MathJax) => {
  const adaptor = MathJax.startup.adaptor;
  const out = {html: [], errors: []};
  input.items.forEach((item, i) => {
    const mml = MathJax.tex2mml(item.tex, {display: item.display});
    if (/<merror|mathcolor="red"/.test(mml)) { out.errors.push([i, mml.replace(/\s+/g, ' ').slice(0, 300)]); }
    out.html.push(adaptor.outerHTML(MathJax.tex2chtml(item.tex, {display: item.display})));
  });
  out.css = adaptor.textContent(MathJax.chtmlStylesheet());
  process.stdout.write(JSON.stringify(out));
}).catch((err) => { console.error(err.message || err); process.exit(1); });
"""

# How Sphinx writes a formula for MathJax: TeX between \( \) in a span, between \[ \] in
# a div (after its equation number, if it has one); amsmath environments get a class more.
_INLINE = re.compile(r'(<span class="(?:[\w-]+ )*math notranslate nohighlight">)(.*?)(</span>)',
                     re.DOTALL)
_DISPLAY = re.compile(r'(<div class="(?:[\w-]+ )*math notranslate nohighlight"[^>]*>)'
                      r'(\s*<span class="eqno">.*?</a></span>)?(.*?)(</div>)', re.DOTALL)


def _cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "emergence-book"


def mathjax_package() -> Path:
    """The unpacked ``mathjax`` npm package (a folder with ``es5/``), fetched once if needed."""
    if os.environ.get("MATHJAX_DIR"):
        folder = Path(os.environ["MATHJAX_DIR"])
        if not (folder / "es5" / "node-main.js").is_file():
            raise RuntimeError(f"MATHJAX_DIR={folder} holds no es5/node-main.js: point it at an "
                               f"unpacked copy of the npm package mathjax@{MATHJAX_VERSION}.")
        return folder
    folder = _cache_dir() / f"mathjax-{MATHJAX_VERSION}"
    if (folder / "es5" / "node-main.js").is_file():
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("Building the site typesets its formulas with MathJax, which needs "
                           "Node.js and npm (Debian: apt-get install nodejs npm), or set "
                           f"MATHJAX_DIR to an unpacked copy of mathjax@{MATHJAX_VERSION}.")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", f"mathjax@{MATHJAX_VERSION}", "--pack-destination", tmp,
                        "--silent"], check=True, capture_output=True, text=True)
        tgz = Path(tmp) / f"mathjax-{MATHJAX_VERSION}.tgz"
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tgz.read_bytes()).digest()).decode()
        if digest != MATHJAX_INTEGRITY:
            raise RuntimeError(f"mathjax-{MATHJAX_VERSION}.tgz from npm has checksum {digest}, "
                               f"not the expected {MATHJAX_INTEGRITY}: not using it.")
        with tarfile.open(tgz) as archive:
            archive.extractall(tmp, filter="data")
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent))
        shutil.move(str(Path(tmp) / "package"), staging / "package")
        os.replace(staging / "package", folder)
        staging.rmdir()
    return folder


def typeset(items: list[tuple[str, bool]], font_url: str = "woff-v2") -> tuple[list[str], str]:
    """Typeset TeX formulas as MathJax CommonHTML, in one Node.js run.

    Parameters
    ----------
    items : list of (str, bool)
        Each formula's TeX and whether it is displayed (else inline).
    font_url : str
        Where the stylesheet finds MathJax's fonts, relative to the stylesheet.

    Returns
    -------
    html : list of str
        The markup of each formula (with hidden MathML for screen readers).
    css : str
        The stylesheet the formulas need.

    Raises
    ------
    ValueError
        If a formula has a TeX error (an undefined macro, unbalanced braces), naming it.
    """
    package = mathjax_package()
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise RuntimeError("Building the site typesets its formulas with MathJax, which needs "
                           "Node.js (Debian: apt-get install nodejs).")
    payload = json.dumps({"fontURL": font_url,
                          "items": [{"tex": t, "display": bool(d)} for t, d in items]})
    run = subprocess.run([node, "-e", _TYPESET_JS, str(package)], input=payload,
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise RuntimeError(f"MathJax (Node.js) failed: {run.stderr.strip()}")
    out = json.loads(run.stdout)
    if out["errors"]:
        raise ValueError("TeX errors: " + "; ".join(
            f"{items[i][0]!r} gives {message}" for i, message in out["errors"]))
    return out["html"], out["css"]


def _tex_of(raw: str) -> tuple[str, bool]:
    tex = html.unescape(raw).strip()
    if tex.startswith(r"\(") and tex.endswith(r"\)"):
        return tex[2:-2], False
    if tex.startswith(r"\[") and tex.endswith(r"\]"):
        return tex[2:-2], True
    return tex, True                      # an amsmath environment, displayed as it is


def typeset_body(body: str, font_url: str = "woff-v2") -> tuple[str, str | None]:
    """Replace the TeX of every formula Sphinx wrote into ``body`` by its typeset markup.

    Returns the new body and the stylesheet it needs (``None`` if it has no formula).

    Examples
    --------
    >>> typeset_body("<p>no formula here</p>")
    ('<p>no formula here</p>', None)
    """
    found = [(m, False) for m in _INLINE.finditer(body)] + [(m, True) for m in _DISPLAY.finditer(body)]
    if not found:
        return body, None
    found.sort(key=lambda f: f[0].start())
    items = []
    for m, display in found:
        tex, shown_as_display = _tex_of(m.group(3) if display else m.group(2))
        items.append((tex, display or shown_as_display))
    rendered, css = typeset(items, font_url)
    pieces, last = [], 0
    for (m, display), markup in zip(found, rendered):
        pieces.append(body[last:m.start()])
        if display:
            pieces.append(m.group(1) + (m.group(2) or "") + markup + m.group(4))
        else:
            pieces.append(m.group(1) + markup + m.group(3))
        last = m.end()
    pieces.append(body[last:])
    return "".join(pieces), css


def _is_mathjax(script, app) -> bool:
    name = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return (bool(name) and name == app.config.mathjax_path) or body.startswith("window.MathJax")


def _drop_page_scripts(app, pagename, templatename, context, doctree):
    """After Sphinx's MathJax extension (priority 500) has added its scripts: take them out."""
    if app.builder.format != "html":
        return
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        # No MathJax script (the formulas come typeset), and each inline script once: the
        # theme and its launch-button extension both add the same configuration script,
        # whose second copy is an error in the browser.
        seen, kept = set(), []
        for s in scripts:
            key = (str(getattr(s, "filename", None) or ""), str(getattr(s, "attributes", {}).get("body")))
            if not _is_mathjax(s, app) and key not in seen:
                seen.add(key)
                kept.append(s)
        scripts[:] = kept
    if 'class="sd-' not in context.get("body", ""):
        # sphinx-design's stylesheet and tab script, for a page that has none of its parts
        for key in ("css_files", "script_files"):
            files = context.get(key)
            if isinstance(files, list):
                files[:] = [f for f in files if not str(getattr(f, "filename", "") or "").endswith(
                    ("sphinx-design.min.css", "design-tabs.js"))]


def _typeset_page(app, pagename, templatename, context, doctree):
    """Before the theme reads the page's table of contents (which it caches): typeset the
    formulas of the page and of its headings, in one run."""
    if app.builder.format != "html":
        return
    body = context.get("body", "")
    toc = context.get("toc") if isinstance(context.get("toc"), str) else ""
    marker = "<!--emergence-toc-->"
    both, css = typeset_body(body + marker + toc)
    if css is None:
        return
    context["body"], _, new_toc = both.partition(marker)
    if toc:
        context["toc"] = new_toc
    name = f"chtml-{hashlib.sha1(css.encode()).hexdigest()[:12]}.css"
    target = Path(app.outdir) / "_static" / "mathjax" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_text(css, encoding="utf-8")
    app.builder.add_css_file(f"mathjax/{name}")


def figure_text(path) -> dict:
    """The text chunks of a PNG figure (``Description`` is its alt text), or ``{}``."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return dict(getattr(image, "text", {}) or {})
    except (OSError, ValueError):
        return {}


def _alt_from_figures(app, doctree):
    from docutils import nodes

    for node in doctree.findall(nodes.image):
        uri = node.get("uri", "")
        if node.get("alt") or not uri.lower().endswith(".png") or "://" in uri:
            continue
        # Runs before Sphinx's image collector, so the address is still the one the
        # notebook renderer wrote: relative to the document, or to the source folder if
        # it starts with "/".
        _, path = app.env.relfn2path(uri, app.env.docname)
        alt = figure_text(path).get("Description")
        if alt:
            node["alt"] = alt


#: Screens narrower than this get a figure's phone layout: below it the desktop layout
#: (up to 690 px wide) would no longer fit the text column.
PHONE_MEDIA = "screen and (max-width: 719.98px)"


class PhoneFigures:
    """myst-nb's renderer for a figure with a phone layout (entry point ``myst_nb.mime_renderers``).

    An image output of :func:`emergence.plotting.show_figure` carries the figure laid out
    for a phone in its metadata. When the book's site is built, the output becomes two
    images, each copied to the site with its alt text: the desktop layout (class
    ``figure-wide``) and the phone layout right after it (``figure-phone``), which
    :func:`phone_pictures` then joins into one ``<picture>``. Any other output, or any
    other build, is left to myst-nb.
    """

    mime_priority_overrides = ()

    @staticmethod
    def handle_mime(renderer, data, inline):
        from emergence.plotting import ALT_MESSAGE_KEY, PHONE_FIGURE_KEY

        phone = data.output_metadata.get(PHONE_FIGURE_KEY) if data.mime_type == "image/png" else None
        env = renderer.renderer.sphinx_env
        if not isinstance(phone, dict) or env is None or __name__ not in env.app.extensions \
                or env.app.builder.format != "html":
            return None
        wide = renderer.render_image(data)
        small = renderer.render_image(dataclasses.replace(
            data, content=phone["png"], output_metadata={"image/png": {"width": phone["width"]}}))
        wide[0]["classes"].append("figure-wide")
        small[0]["classes"].append("figure-phone")
        message = data.output_metadata.get(ALT_MESSAGE_KEY)
        if isinstance(message, dict):
            # for a translated edition to put the alt text in its language (emergence.book.editions)
            for image in (wide[0], small[0]):
                image[ALT_MESSAGE_KEY] = message
        return wide + small


# Sphinx links a figure shown at a set width to its full-size file: each layout comes as
# <a ...><img .../></a>, or as a bare <img .../>.
_PHONE_PAIR = re.compile(
    r'(?P<open><a [^>]*\bfigure-wide\b[^>]*>\s*)?<img (?P<wide>[^>]*class="[^"]*\bfigure-wide\b[^"]*"'
    r'[^>]*?)\s*/?>(?:\s*</a>)?\s*'
    r'(?:<a [^>]*\bfigure-phone\b[^>]*>\s*)?<img (?P<phone>[^>]*class="[^"]*\bfigure-phone\b[^"]*"'
    r'[^>]*?)\s*/?>(?:\s*</a>)?')
_SRC = re.compile(r'\bsrc="([^"]*)"')
_WIDTH = re.compile(r'\bstyle="width:\s*(\d+)px;?"')


def phone_pictures(body: str) -> str:
    """Join each figure's two layouts (desktop, then phone) into one ``<picture>``.

    The browser loads only the layout it shows: the phone one on screens narrower than
    :data:`PHONE_MEDIA` says, the desktop one otherwise (and in print). A tap on the
    figure opens the desktop layout at full size.

    Examples
    --------
    >>> print(phone_pictures(
    ...     '<a class="figure-wide reference internal" href="w.png"><img alt="A rises." '
    ...     'class="figure-wide" src="w.png" style="width: 682px;" /></a>\\n'
    ...     '<a class="figure-phone reference internal" href="p.png"><img alt="A rises." '
    ...     'class="figure-phone" src="p.png" style="width: 358px;" /></a>'))
    <a class="reference internal" href="w.png"><picture><source media="screen and (max-width: 719.98px)" srcset="p.png" width="358"><img alt="A rises." class="figure-wide" src="w.png" width="682" /></picture></a>
    """
    def join(m):
        phone_src = _SRC.search(m.group("phone")).group(1)
        phone_width = _WIDTH.search(m.group("phone"))
        size = f' width="{phone_width.group(1)}"' if phone_width else ""
        wide = _WIDTH.sub(lambda w: f'width="{w.group(1)}"', m.group("wide"))
        picture = (f'<picture><source media="{PHONE_MEDIA}" srcset="{phone_src}"{size}>'
                   f'<img {wide} /></picture>')
        if m.group("open"):
            anchor = re.sub(r'\bfigure-wide\s*', "", m.group("open")).strip()
            return anchor + picture + "</a>"
        return picture

    return _PHONE_PAIR.sub(join, body)


def _rewrite_body(app, pagename, templatename, context, doctree):
    """Each figure as one <picture> of its two layouts; one-word table cells kept whole."""
    if app.builder.format != "html":
        return
    body = context.get("body", "")
    if "figure-phone" in body:
        body = phone_pictures(body)
    if "<td" in body or "<th" in body:
        body = one_word_cells(body)
    context["body"] = body


_CELL = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.DOTALL)
_JOINED = re.compile(r"[^\s<>]*[-/\u2010\u2011\u2013][^\s<>]*")


def _add_class(attrs: str, name: str) -> str:
    if re.search(r'\bclass="', attrs):
        return re.sub(r'\bclass="([^"]*)"', lambda c: f'class="{c.group(1)} {name}"', attrs, count=1)
    return f'{attrs} class="{name}"'


def one_word_cells(body: str) -> str:
    """Keep words, identifiers and numbers in table cells whole.

    Browsers break a line after a hyphen, an en dash or a slash, so a narrow column splits
    ``1.3e-02`` into "1.3e-" and "02", ``wei-1`` into "wei-" and "1", and ``GPT-Neo/J``
    after "GPT-". A cell that holds one word (no space) gets the class ``nowrap``; in a
    cell of several words, each word with a hyphen, en dash or slash is wrapped in
    ``<span class="nowrap">``. The site's stylesheet keeps both on one line; cells
    still wrap between words. A heading of several words (class ``words``) is given room
    enough not to wrap into a tall, narrow block.

    Examples
    --------
    >>> one_word_cells('<td>1.3e-02</td><td class="data">two words</td><th class="h">wei-1</th>')
    '<td class="nowrap">1.3e-02</td><td class="data">two words</td><th class="h nowrap">wei-1</th>'
    >>> one_word_cells('<td>IPA, <a href="x-y.html">GPT-Neo/J</a> models</td><th>log FLOPs</th>')
    '<td>IPA, <a href="x-y.html"><span class="nowrap">GPT-Neo/J</span></a> models</td><th class="words">log FLOPs</th>'
    """
    def mark(m):
        tag, attrs, inner = m.groups()
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()
        if not text:
            return m.group(0)
        if re.search(r"\s", text):
            pieces = re.split(r"(<[^>]+>)", inner)
            inner = "".join(piece if piece.startswith("<") else _JOINED.sub(
                lambda w: f'<span class="nowrap">{w.group(0)}</span>', piece) for piece in pieces)
            return f"<{tag}{_add_class(attrs, 'words') if tag == 'th' else attrs}>{inner}</{tag}>"
        return f"<{tag}{_add_class(attrs, 'nowrap')}>{inner}</{tag}>"

    return _CELL.sub(mark, body)


_THEME_ICON_SCRIPT = re.compile(r'\s*<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*>'
                                r"</script>")
_SEARCH_SCRIPTS = re.compile(r'\s*<script[^>]*src="[^"]*(?:_static/searchtools\.js|'
                             r'_static/language_data\.js|searchindex\.js)[^"]*"[^>]*></script>')


def _finish(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    fonts = mathjax_package() / "es5" / "output" / "chtml" / "fonts" / "woff-v2"
    target = out / "_static" / "mathjax"
    shutil.copytree(fonts, target / "woff-v2", dirs_exist_ok=True)
    shutil.copyfile(mathjax_package() / "LICENSE", target / "LICENSE")
    for page in out.rglob("*.html"):
        if "_static" in page.relative_to(out).parts:
            continue
        text = page.read_text(encoding="utf-8")
        new = _THEME_ICON_SCRIPT.sub("", text)
        if page.name != "search.html":
            new = _SEARCH_SCRIPTS.sub("", new)
        if new != text:
            page.write_text(new, encoding="utf-8")


TEMPLATES = Path(__file__).parent / "site_templates"


def _add_templates(app, config):
    """Put the book's theme templates (``emergence/book/site_templates``) before the theme's own,
    and give the theme its colour mode: without one, every first visit starts by logging
    "Got invalid theme mode" and falling back to following the system's mode ("auto")."""
    if str(TEMPLATES) not in [str(p) for p in config.templates_path]:
        config.templates_path = [str(TEMPLATES), *config.templates_path]
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "auto")
    config.html_context = context


def setup(app):
    """Register the extension with Sphinx (``sphinx: extra_extensions`` in ``_config.yml``)."""
    app.connect("config-inited", _add_templates)
    app.connect("doctree-read", _alt_from_figures, priority=400)
    app.connect("html-page-context", _typeset_page, priority=100)
    app.connect("html-page-context", _rewrite_body, priority=100)
    app.connect("html-page-context", _drop_page_scripts, priority=900)
    app.connect("build-finished", _finish)
    return {"parallel_read_safe": True, "parallel_write_safe": False}


# --- measures shared by the site's tests -------------------------------------------------

_OUTSIDE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_ASSET_TAGS = re.compile(r"<(script|link|img|source|iframe|video|audio|embed|object)\b([^>]*)>",
                         re.IGNORECASE)
_ATTR = re.compile(r'\b(src|href|srcset|data)\s*=\s*"([^"]*)"', re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


def _is_outside(url: str) -> bool:
    url = url.strip()
    return bool(_OUTSIDE.match(url)) and not url.lower().startswith(("data:", "file:"))


def outside_references(page_html: str) -> list[str]:
    """Addresses outside the site that a page loads: scripts, stylesheets, fonts, images, frames.

    Links a reader may follow (``<a href>``) are not loads and are not listed.

    Examples
    --------
    >>> outside_references('<script src="https://cdn.example/x.js"></script>'
    ...                    '<a href="https://example.org">a link</a><img src="../_images/f.png">')
    ['https://cdn.example/x.js']
    """
    found = []
    for tag, attrs in _ASSET_TAGS.findall(page_html):
        if tag.lower() == "link" and not re.search(
                r'rel="[^"]*(stylesheet|preload|icon|modulepreload|prefetch|preconnect|manifest)',
                attrs, re.IGNORECASE):
            continue
        for _, value in _ATTR.findall(attrs):
            for url in value.split(","):
                url = url.strip().split(" ")[0]
                if url and _is_outside(url):
                    found.append(url)
    for style in re.findall(r"<style[^>]*>(.*?)</style>", page_html, re.DOTALL | re.IGNORECASE):
        found += [u for pair in _CSS_URL.findall(style) for u in pair if u and _is_outside(u)]
    return found

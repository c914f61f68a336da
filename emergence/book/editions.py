"""The book's editions: the English original at the site's root, each translation in a folder.

Translation is Sphinx's own (gettext). ``extract`` runs Sphinx's gettext builder, which
writes every translatable text of a page (its prose, headings, admonitions, exercises,
captions) into ``_build/gettext/<page>.pot``; the extension below adds the templates of
the ``tr("...")`` calls in a chapter's code (:mod:`emergence.translatable`). ``update``
runs sphinx-intl, which merges those templates into the translators' catalogues,
``locales/<language>/LC_MESSAGES/<page>.po``, keeping what is translated and marking a
translation *fuzzy* when its English changed. ``build`` builds a translated edition
into ``_build/html/<language>/``: the English build's execution cache is reused, so the
chapters run once for both editions. :mod:`emergence.book.translations` checks the
catalogues.

As a Sphinx extension (``sphinx: extra_extensions`` in ``_config.yml``) it puts a link to
the same page in the other edition in every page's header, and marks the pages of a
translated edition that are not translated yet. In a translated build it also translates
what Sphinx's own translation misses: computed alt text (:func:`translated_text`), the
exercises' titles, the table of contents' captions, the extensions' own text
(:func:`site_text`), the static mirage explorer's words, and the glued numbers in
translated paragraphs; and it warns, which fails the build, where Sphinx kept the English
of a page listed as translated.

Command line (from the repository's top)::

    python -m emergence.book.editions extract        # _build/gettext/**/*.pot
    python -m emergence.book.editions update ko      # locales/ko/LC_MESSAGES/**/*.po
    python -m emergence.book.editions build ko       # _build/html/ko (after the English build)
"""

from __future__ import annotations

import argparse
import ast
import gettext
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from emergence.translatable import Text

#: The original's language, and the translations: language code -> the language's own name.
ORIGINAL = ("en", "English")
TRANSLATIONS = {"ko": "한국어"}
#: Where the catalogues live, beside ``_config.yml``.
LOCALES = "locales"
#: In a translation's folder, the pages whose catalogues are complete (one per line).
TRANSLATED_LIST = "translated.txt"

#: The catalogue of the text the book's Sphinx extensions put on pages (notes, the coursework
#: link), ``locales/<language>/LC_MESSAGES/site.po``, beside the pages' own catalogues.
SITE_CATALOGUE = "site"
#: The modules whose ``site_text(app, "...")`` and ``translatable_template("...")`` calls
#: ``extract`` puts in that catalogue.
SITE_MODULES = ("emergence/book/editions.py", "emergence/book/course.py",
                "emergence/book/coursework.py", "emergence/book/explore.py")


def translated_pages(language: str, root: Path | str = ".") -> list[str]:
    """The pages listed as translated in ``locales/<language>/translated.txt``.

    Blank lines and ``#`` comments are skipped; each line is a page's name as in
    ``_toc.yml`` (``book/intro``).
    """
    path = Path(root) / LOCALES / language / TRANSLATED_LIST
    if not path.is_file():
        return []
    pages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            pages.append(line)
    return pages


def checked_page(path: str, root: Path | str = ".") -> bool:
    """Whether the site's tests check a built page (its path in the site: ``ko/book/x.html``).

    Every page of the original is checked, and in a translation the pages listed as
    translated: the others repeat the original's text under a note.

    >>> checked_page("book/03_arithmetic.html"), checked_page("ko/search.html")
    (True, False)
    """
    language, _, rest = path.partition("/")
    if language not in TRANSLATIONS:
        return True
    return rest.removesuffix(".html") in translated_pages(language, root)


# --- the messages of a chapter's code -------------------------------------------------

def code_messages(notebook: Path | str) -> list[tuple[str, int]]:
    """The templates of the ``tr("...")`` calls in a notebook's code cells, with the cell's number.

    The calls are found by Babel's Python extractor (the one pybabel uses), so only a
    template written as a literal string (or literals joined by the parser) is found: a
    template built at run time cannot be put in a catalogue.
    """
    from babel.messages.extract import extract_python

    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    found = []
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        # IPython's magics and shell escapes are not Python; blank them, keep the numbering
        source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                           for line in source.splitlines())
        if "tr(" not in source:
            continue
        ast.parse(source)  # a syntax error here would make Babel skip calls silently
        for _, _, message, _ in extract_python(io.BytesIO(source.encode("utf-8")),
                                               {"tr": None}, [], {}):
            first = message[0] if isinstance(message, tuple) else message
            if first:
                found.append((first, number))
    return found


def _exercise_titles(doctree) -> list:
    """The exercises' titles (``:::{exercise} wei-1: ...``) in a page, as docutils nodes.

    sphinx-exercise builds them without a source position, which Sphinx takes for its own
    text: neither its gettext build nor its translation sees them, so this module does both.
    """
    try:
        from sphinx_exercise.nodes import exercise_subtitle
    except ImportError:
        return []
    return list(doctree.findall(exercise_subtitle))


_SMART_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _title_text(title) -> str:
    """An exercise title as written: the smart quotes Sphinx puts in (for English only) undone."""
    return title.astext().translate(_SMART_QUOTES)


def _add_page_messages(app, doctree, docname):
    """Sphinx's gettext build: put a page's exercise titles, and a chapter's ``tr``
    templates, in its catalogue."""
    if app.builder.name != "gettext":
        return
    from sphinx.builders.gettext import MsgOrigin
    from sphinx.util.i18n import docname_to_domain

    path = Path(app.env.doc2path(docname))
    catalog = app.builder.catalogs[docname_to_domain(docname, app.config.gettext_compact)]
    # sphinx-exercise's post-transforms have rewritten the titles by now: read them in the
    # page as it was read
    for title in _exercise_titles(app.env.get_doctree(docname)):
        catalog.add(_title_text(title), MsgOrigin(str(path), title.line or 0))
    if path.suffix == ".ipynb":
        for msgid, cell in code_messages(path):
            catalog.add(msgid, MsgOrigin(str(path), cell))


def _translate_exercise_titles(app, doctree):
    """A translated edition: each exercise's title from the page's catalogue, in the page and
    in sphinx-exercise's copy of it (from which its solution's title is made)."""
    from docutils import nodes

    titles = _exercise_titles(doctree)
    # sphinx-exercise keeps a copy of each exercise, from which the solutions' titles are made
    for entry in getattr(app.env, "sphinx_exercise_registry", {}).values():
        if entry.get("docname") == app.env.docname and entry.get("node") is not None:
            titles += _exercise_titles(entry["node"])
    catalogue = _page_catalogue(app.env, app.env.docname) if titles else None
    for title in titles if catalogue else []:
        translated = catalogue.gettext(_title_text(title))
        if translated != _title_text(title):
            title.children = []
            title += nodes.Text(translated)


# --- computed text in the edition's language ---------------------------------------------

def _catalogue(srcdir, config, domain: str):
    """The build's compiled catalogue ``domain`` (a gettext translation), or ``None``.

    Sphinx compiles every ``.po`` under ``locale_dirs`` into a ``.mo`` before it reads
    the first page."""
    language = config.language or ORIGINAL[0]
    if language == ORIGINAL[0]:
        return None
    for directory in config.locale_dirs:
        try:
            return gettext.translation(domain, str(Path(srcdir) / directory), languages=[language])
        except OSError:
            continue
    return None


def _page_catalogue(env, docname: str):
    """The compiled catalogue of page ``docname`` in the build's language, or ``None``."""
    from sphinx.util.i18n import docname_to_domain

    return _catalogue(env.srcdir, env.config,
                      docname_to_domain(docname, env.config.gettext_compact))


def translated_text(env, message: dict) -> str | None:
    """A :func:`~emergence.translatable.tr` text (``{"msgid", "values"}``) in the build's language.

    ``None`` in the original's build, or when the page's catalogue has no translation of
    the template (the English text then stays).
    """
    catalogue = _page_catalogue(env, env.docname)
    template = catalogue.gettext(message["msgid"]) if catalogue else message["msgid"]
    if template == message["msgid"]:
        return None
    values = {name: _from_json(v) for name, v in message["values"].items()}
    return Text(message["msgid"], values).translated(template)


def site_text(app, msgid: str, /, **values) -> str:
    """A text a Sphinx extension of the book puts on a page, in the build's language.

    The template is looked up in the ``site`` catalogue (English if it has no translation)
    and filled with ``values``, which may be HTML the translation must keep, such as a
    link's opening and closing tags.
    """
    catalogue = _catalogue(app.srcdir, app.config, SITE_CATALOGUE)
    return (catalogue.gettext(msgid) if catalogue else msgid).format(**values)


#: How a notebook's JSON writes the floats JSON has no number for.
_NOT_FINITE = {"inf", "-inf", "nan", "Infinity", "-Infinity", "NaN"}


def _from_json(value):
    """A value as ``tr`` was given it: Jupyter writes an infinite or missing float as a string.

    >>> _from_json("inf"), _from_json(2.5), _from_json("1.3B")
    (inf, 2.5, '1.3B')
    """
    return float(value) if isinstance(value, str) and value in _NOT_FINITE else value


#: The page whose catalogue holds the book's title and the table of contents' captions.
ROOT_PAGE = "book/intro"


def translation(language: str, page: str, msgid: str, root: Path | str = ".") -> str:
    """The translation of ``msgid`` in ``page``'s catalogue, or ``msgid`` if it has none yet."""
    from babel.messages.pofile import read_po

    path = Path(root) / LOCALES / language / "LC_MESSAGES" / f"{page}.po"
    if not path.is_file():
        return msgid
    with path.open("rb") as po:
        message = read_po(po).get(msgid)
    return message.string if message is not None and message.string and not message.fuzzy \
        else msgid


def _translate_alt(app, doctree):
    """A translated edition: the alt text of every figure made with a ``tr`` text, translated.

    The notebook renderer (``emergence.book.static_site.PhoneFigures``) leaves the
    template and values on each image; this runs after the alt text was copied in."""
    if (app.config.language or ORIGINAL[0]) == ORIGINAL[0]:
        return
    from docutils import nodes

    from emergence.plotting import ALT_MESSAGE_KEY

    for image in doctree.findall(nodes.image):
        message = image.get(ALT_MESSAGE_KEY)
        text = translated_text(app.env, message) if isinstance(message, dict) else None
        if text:
            image["alt"] = text


# --- glued numbers in translated paragraphs ----------------------------------------------
#
# Sphinx translates a paragraph by parsing its translation as a small document of its own.
# That document has no notebook, so myst-nb's glue roles in it ({glue:text}`key`) cannot
# find the page's glued values. myst-nb writes each page's glued values to
# <output folder>/<page>.glue.json while it reads the page (for its own cross-page glue);
# a translated paragraph takes them from there.

def _glue_from_page(retrieve):
    """myst-nb's ``retrieve_glue_data``, which in a translated paragraph reads its page's glue.

    The values come without the notebook's renderer, which text glue (the only kind in the
    book's prose) does not need.
    """
    def retrieve_glue_data(document, key):
        env = getattr(document.settings, "env", None)
        if "nb_renderer" in document or env is None:
            return retrieve(document, key)
        from myst_nb.core.variables import VariableOutput

        path = Path(env.mystnb_config.output_folder).joinpath(*f"{env.docname}.glue.json".split("/"))
        glued = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        if key not in glued:
            return retrieve(document, key)  # myst-nb's own error
        return VariableOutput(data=glued[key]["data"], metadata=glued[key].get("metadata", {}),
                              nb_renderer=None, vtype="glue")
    retrieve_glue_data.reads_page_glue = True
    return retrieve_glue_data


def _glue_in_translations(app, config):
    """A translated build: glue roles work in translated paragraphs."""
    if (config.language or ORIGINAL[0]) == ORIGINAL[0]:
        return
    from myst_nb.ext.glue import roles

    if not getattr(roles.retrieve_glue_data, "reads_page_glue", False):
        roles.retrieve_glue_data = _glue_from_page(roles.retrieve_glue_data)


# --- the link between editions, and the untranslated pages -------------------------------

SWITCH_TEMPLATE = "edition-switch.html"


def _add_switch(app, config):
    """Put the link to the other edition first among the buttons of every page's header."""
    from emergence.book.static_site import TEMPLATES

    if str(TEMPLATES) not in [str(p) for p in config.templates_path]:
        config.templates_path = [str(TEMPLATES), *config.templates_path]
    options = dict(config.html_theme_options or {})
    end = options.get("article_header_end", ["article-header-buttons.html"])
    end = [e.strip() for e in end.split(",")] if isinstance(end, str) else list(end)
    if SWITCH_TEMPLATE not in end:
        options["article_header_end"] = [SWITCH_TEMPLATE, *end]
    config.html_theme_options = options


def edition_links(pagename: str, language: str | None) -> list[dict]:
    """The links from a page to the same page in the other editions.

    The original sits at the site's root and a translation in ``<language>/``:

    >>> edition_links("book/01_wei_claims", "en")
    [{'lang': 'ko', 'name': '한국어', 'href': '../ko/book/01_wei_claims.html'}]
    >>> edition_links("book/01_wei_claims", "ko")
    [{'lang': 'en', 'name': 'English', 'href': '../../book/01_wei_claims.html'}]
    >>> edition_links("index", "ko")
    [{'lang': 'en', 'name': 'English', 'href': '../index.html'}]
    """
    language = language or ORIGINAL[0]
    up = "../" * pagename.count("/")
    if language == ORIGINAL[0]:
        return [{"lang": code, "name": name, "href": f"{up}{code}/{pagename}.html"}
                for code, name in TRANSLATIONS.items()]
    return [{"lang": ORIGINAL[0], "name": ORIGINAL[1], "href": f"{up}../{pagename}.html"}]


def _edition_context(app, pagename, templatename, context, doctree):
    language = app.config.language or ORIGINAL[0]
    context["edition_links"] = edition_links(pagename, language)
    if language == ORIGINAL[0] or doctree is None or "body" not in context:
        return
    if pagename not in translated_pages(language, app.srcdir) and pagename in app.env.found_docs:
        note = site_text(app, "This page is not translated yet: below is the English original.")
        # the English text keeps its language, for screen readers and hyphenation
        context["body"] = (f'<div class="admonition note edition-untranslated"><p>{note}</p></div>'
                           f'<div lang="{ORIGINAL[0]}">{context["body"]}</div>')
    elif pagename == app.config.root_doc:
        note = site_text(
            app, "This edition shares one run of every notebook with the English edition, so "
            "the figures' axis labels and legends, the tables, and the code and what it prints "
            "stay in English; the prose and the figures' alt text are translated. Quotations from "
            "the papers keep their English words, followed by a translation in parentheses. The "
            "terms follow the glossary, {glossary} in the repository.",
            glossary=f"<code>{LOCALES}/{language}/GLOSSARY.md</code>")
        context["body"] = f'<div class="admonition note edition-note"><p>{note}</p></div>' \
            + context["body"]


def _translate_explorer(app, doctree):
    """A translated edition: the static mirage explorer's words, from the site catalogue."""
    catalogue = _catalogue(app.srcdir, app.config, SITE_CATALOGUE)
    if catalogue is not None:
        from emergence.book.explore import translate_explorers

        translate_explorers(doctree, catalogue.gettext)


_HANGUL = re.compile("[\uac00-\ud7a3]")


def _unapplied_translations(app, doctree):
    """A translated page whose catalogue is complete: warn where Sphinx kept the English.

    Sphinx re-reads each translation as Markdown and keeps the original, silently, when the
    translation does not read as the same kind of text: a heading translated as ``1. 장``
    reads as a numbered list (write ``1\\. 장``). The Korean build treats warnings as
    errors, so such a message fails it instead of showing English on a translated page."""
    from docutils import nodes
    from sphinx.util import logging
    from sphinx.util.nodes import NodeMatcher

    language = app.config.language or ORIGINAL[0]
    if language == ORIGINAL[0] or app.env.docname not in translated_pages(language, app.srcdir):
        return
    for node in NodeMatcher(nodes.Element, translated=False).findall(doctree):
        # figures' alt text and exercise titles are translated by this extension, not Sphinx
        if _HANGUL.search(node.astext()):
            continue
        logging.getLogger(__name__).warning(
            "the translation of %r was not applied: Markdown reads it as another kind of "
            "text than the English (a heading that starts with a number and a dot, say)",
            node.astext()[:60], location=node)


def _translate_captions(app, doctree):
    """The table of contents' part captions, from the root page's catalogue.

    sphinx-external-toc adds the root page's toctrees after Sphinx has translated the
    page, so their captions are translated here (the gettext build finds them anyway)."""
    from sphinx import addnodes

    if app.env.docname != app.config.root_doc:
        return
    catalogue = _page_catalogue(app.env, app.config.root_doc)
    if catalogue is None:
        return
    for toctree in doctree.findall(addnodes.toctree):
        if toctree.get("caption"):
            toctree["caption"] = catalogue.gettext(toctree["caption"])


def setup(app):
    """Register the extension with Sphinx (``sphinx: extra_extensions`` in ``_config.yml``)."""
    app.connect("config-inited", _add_switch)
    app.connect("config-inited", _glue_in_translations)
    app.connect("doctree-resolved", _add_page_messages)
    app.connect("doctree-read", _translate_exercise_titles)
    # after emergence.book.static_site has copied each figure's English alt text (400)
    app.connect("doctree-read", _translate_alt, priority=450)
    app.connect("doctree-read", _translate_captions)
    app.connect("doctree-read", _unapplied_translations)
    app.connect("doctree-read", _translate_explorer)
    app.connect("html-page-context", _edition_context, priority=200)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --- the command line --------------------------------------------------------------------

BUILD = Path("_build")


def _jupyter_book(*args: str) -> None:
    command = [str(Path(sys.executable).with_name("jupyter-book")), *args]
    subprocess.run(command, check=True)


def _config(name: str, execute: dict, sphinx: dict | None = None, **top) -> Path:
    """``_config.yml`` with these settings changed, as ``_build/_config.<name>.yml``."""
    import yaml

    config = yaml.safe_load(Path("_config.yml").read_text(encoding="utf-8"))
    config.update(top)
    config.setdefault("execute", {}).update(execute)
    config.setdefault("sphinx", {}).setdefault("config", {}).update(sphinx or {})
    path = BUILD / f"_config.{name}.yml"
    BUILD.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def extract() -> Path:
    """Every page's messages, in ``_build/gettext``: the chapters are read, not run."""
    out = BUILD / "gettext-build"
    # read without running: the glued numbers are missing, and their warnings are noise here
    config = _config("gettext", execute={"execute_notebooks": "off"},
                     sphinx={"suppress_warnings": ["mystnb.glue", "mystnb.unknown_mime_type"]})
    _jupyter_book("build", ".", "--config", str(config),
                  "--path-output", str(out), "--builder", "custom", "--custom-builder", "gettext",
                  "--quiet")
    target = BUILD / "gettext"
    shutil.rmtree(target, ignore_errors=True)
    shutil.move(str(out / "_build" / "gettext"), target)
    write_site_messages(target / f"{SITE_CATALOGUE}.pot")
    return target


def site_messages(root: Path | str = ".") -> list[str]:
    """The templates of the ``site_text(app, "...")`` and ``translatable_template("...")``
    calls in :data:`SITE_MODULES`, in order.

    Found by Babel's Python extractor, so a template must be a literal string (adjacent
    literals are joined)."""
    from babel.messages.extract import extract_from_file

    found = []
    for module in SITE_MODULES:
        for _, message, _, _ in extract_from_file("python", str(Path(root) / module),
                                                  keywords={"site_text": (2,),
                                                            "translatable_template": (1,)}):
            if message not in found:
                found.append(message)
    return found


def write_site_messages(path: Path) -> None:
    """The ``site`` catalogue's template (a ``.pot``), as Sphinx writes a page's."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(project=book_title(), fuzzy=False)
    for message in site_messages():
        catalog.add(message)
    with path.open("wb") as pot:
        write_po(pot, catalog, width=0, no_location=True)


def book_title() -> str:
    """The book's title, from ``_config.yml``."""
    import yaml

    return yaml.safe_load(Path("_config.yml").read_text(encoding="utf-8"))["title"]


def update(language: str) -> None:
    """Merge the extracted messages into ``locales/<language>`` (sphinx-intl)."""
    subprocess.run([str(Path(sys.executable).with_name("sphinx-intl")), "update", "-p",
                    str(BUILD / "gettext"), "-l", language, "-d", LOCALES, "-w", "0"], check=True)
    _drop_empty_obsolete(Path(LOCALES) / language / "LC_MESSAGES")


def _drop_empty_obsolete(catalogues: Path) -> None:
    """Forget the messages the English no longer has and nobody translated.

    sphinx-intl keeps a message that left the English as obsolete (``#~``), which helps a
    translator reuse a translation; one without a translation only clutters the catalogue.
    """
    from babel.messages.pofile import read_po, write_po

    for path in sorted(catalogues.rglob("*.po")):
        with path.open("rb") as po:
            catalogue = read_po(po)
        empty = [key for key, message in catalogue.obsolete.items() if not message.string]
        if empty:
            for key in empty:
                del catalogue.obsolete[key]
            with path.open("wb") as po:
                write_po(po, catalogue, width=0)


def build(language: str) -> Path:
    """The edition in ``language``, into ``_build/html/<language>``, after the English build.

    The chapters' outputs come from the English build's execution cache
    (``_build/.jupyter_cache``): nothing is run twice, and the hidden checks ran once.
    """
    if language not in TRANSLATIONS:
        raise SystemExit(f"no edition in {language!r}: the translations are {sorted(TRANSLATIONS)}")
    cache = (BUILD / ".jupyter_cache").resolve()
    if not cache.is_dir():
        raise SystemExit(f"{cache} is missing: build the English edition first (make book)")
    config = _config(language, title=translation(language, ROOT_PAGE, book_title()),
                     execute={"execute_notebooks": "cache", "cache": str(cache)},
                     sphinx={"language": language})
    out = BUILD / language
    # read afresh: a page the English build did not re-read finds its outputs in the cache,
    # or runs once, here
    shutil.rmtree(out, ignore_errors=True)
    _jupyter_book("build", ".", "--config", str(config), "--path-output", str(out),
                  "-W", "-n", "--keep-going")
    target = BUILD / "html" / language
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(out / "_build" / "html", target)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emergence.book.editions",
                                     description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("extract", help="every page's messages into _build/gettext")
    for name, text in [("update", "merge the extracted messages into locales/LANGUAGE"),
                       ("build", "build the edition in LANGUAGE into _build/html/LANGUAGE")]:
        commands.add_parser(name, help=text).add_argument("language", choices=sorted(TRANSLATIONS))
    args = parser.parse_args(argv)
    if args.command == "extract":
        print(f"messages in {extract()}")
    elif args.command == "update":
        update(args.language)
    else:
        print(f"the {TRANSLATIONS[args.language]} edition is in {build(args.language)}")


if __name__ == "__main__":
    main()

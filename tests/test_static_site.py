"""The site's build-time pieces: formulas typeset by MathJax in Node.js, what counts as a
load from outside the site, the prose checks that report instead of failing."""

import shutil

import pytest

from emergence.book import static_site
from emergence.book.claims import for_constants

needs_node = pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None,
                                reason="typesetting needs Node.js and npm")


@needs_node
def test_sphinx_formulas_are_replaced_by_typeset_markup():
    body = ('<p>Inline <span class="math notranslate nohighlight">\\(p^L &lt; 1\\)</span>.</p>'
            '<div class="math notranslate nohighlight">\n\\[L(1-p)\\]</div>'
            '<div class="amsmath math notranslate nohighlight" id="equation-x">\n'
            '<span class="eqno">(1)<a class="headerlink" href="#equation-x">#</a></span>'
            '\\[\\begin{align}a &amp;= b\\end{align}\\]</div>')
    out, css = static_site.typeset_body(body)
    assert out.count("<mjx-container") == 3 and 'display="true"' in out
    assert "\\(" not in out and "\\[" not in out and "begin{align}" not in out
    assert '<span class="eqno">(1)' in out                      # the equation number is kept
    assert "<math" in out                                       # MathML for screen readers
    assert "@font-face" in css and "woff-v2/MathJax_Main-Regular.woff" in css


@needs_node
def test_a_tex_error_stops_the_build_with_the_formula_named():
    with pytest.raises(ValueError, match=r"\\\\notamacro"):
        static_site.typeset([("x + \\notamacro", False)])


def test_loads_from_outside_are_found_and_links_are_not():
    page = ('<link rel="stylesheet" href="//fonts.example/a.css">'
            '<link rel="canonical" href="https://example.org/page">'
            '<img src="data:image/png;base64,AAAA" alt="x">'
            '<script src="../_static/local.js"></script>'
            '<style>@font-face{src:url("https://cdn.example/f.woff")}</style>'
            '<a href="https://doi.org/10.1/x">paper</a>')
    assert static_site.outside_references(page) == ["//fonts.example/a.css",
                                                    "https://cdn.example/f.woff"]


def test_prose_checks_fail_as_usual_for_the_book_constants():
    global alpha
    alpha = -0.5
    with pytest.raises(AssertionError):
        with for_constants(alpha=-0.5):
            assert alpha == -0.3


def test_prose_checks_report_for_other_constants(capsys):
    global alpha
    alpha = -0.3
    with for_constants(alpha=-0.5):
        assert alpha > 0, "the text needs alpha above 0"
    note = capsys.readouterr().out
    assert "alpha = -0.5" in note and "alpha = -0.3" in note and "does not hold" in note


def test_prose_checks_name_an_unknown_constant():
    with pytest.raises(ValueError, match="not_a_name_here"):
        with for_constants(not_a_name_here=1):
            pass

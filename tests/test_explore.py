"""The mirage explorer's sliders, built without a browser (its figure has a doctest).

The chapter's slider cell is skipped by the build and by nbval (a widget cell can
leave a headless runner waiting for a kernel reply that never comes), so the
widget itself is checked here, in-process: its three sliders exist with the
book's ranges, and moving one redraws the figure without error.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from emergence.book import explore  # noqa: E402


def test_the_sliders_exist_and_redraw():
    interactive = explore.mirage_explorer()
    length, alpha, n_items = interactive.widget.children[:3]
    assert (length.min, length.max, length.value) == (1, 10, 5)
    assert (alpha.min, alpha.max) == (-1.0, -0.1)
    assert tuple(n_items.options) == (100, 1_000, 10_000, 100_000)
    before = len(plt.get_fignums())
    length.value = 3
    n_items.value = 10_000
    assert len(plt.get_fignums()) >= before
    plt.close("all")



def test_the_static_explorer_shows_the_same_numbers_as_the_figure():
    # One implementation: every frame of the page's explorer is mirage_frame's output,
    # which draw_mirage draws.
    frames = explore.explorer_frames(lengths=[1, 5], alphas=[-0.5], items=[100, 100_000])
    for i, length in enumerate([1, 5]):
        for k, n_items in enumerate([100, 100_000]):
            out = explore.draw_mirage(length=length, n_items=n_items)
            plt.close("all")
            cell = frames["frames"][i][0][k]
            assert cell[0] == list(out["table"]["n_exact"])
            assert cell[4] == (None if out["accuracy"] == float("inf")
                               else float(f"{out['accuracy']:.3g}"))


def test_the_static_explorer_is_one_self_contained_output():
    page = explore.static_explorer().data
    assert page.count('class="mirage-explorer"') == 1 and "mirage-data" in page
    assert "<script>" in page and "http" not in page.split("<script>")[-1].replace(
        "http://www.w3.org/2000/svg", "")                 # nothing fetched from elsewhere
    assert len(page) < 100_000                              # light enough for the page budget


def test_a_translated_edition_swaps_the_explorers_words_and_keeps_its_numbers():
    import html
    import json

    page = explore.static_explorer().data
    korean = {"exponent α": "지수 α", explore.EXPLORER_NOTE: "두 패널이 다시 그려진다.",
              "(needs JavaScript)": "(JavaScript가 필요하다)"}
    translated = explore.translated_explorer(page, lambda english: korean.get(english, english))

    def data(text):
        start = text.index('class="mirage-data">') + len('class="mirage-data">')
        return json.loads(text[start:text.index("</script>", start)])

    before, after = data(page), data(translated)
    assert before["text"] == explore.EXPLORER_TEXT
    assert after["text"]["exponent"] == "지수 α" and after["text"]["items"] == "test items"
    assert {k: v for k, v in after.items() if k != "text"} == \
        {k: v for k, v in before.items() if k != "text"}
    assert 'aria-label="두 패널이 다시 그려진다."' in translated
    assert html.escape(explore.EXPLORER_NOTE) not in translated
    assert "<noscript>두 패널이 다시 그려진다. (JavaScript가 필요하다)</noscript>" in translated


def test_every_word_of_the_explorers_script_comes_from_its_templates():
    # the script fills templates; a literal English word in it would stay English in Korean
    from importlib import resources

    script = resources.files("emergence.book").joinpath("mirage_explorer.js").read_text()
    for word in ("items", "score", "match", "simulated", "parameters", "exponent"):
        assert f'"{word}' not in script and f' {word}"' not in script, word


def test_the_explorers_of_a_page_being_built_are_translated_in_place():
    from docutils import nodes

    page = explore.static_explorer().data
    doctree = nodes.section("", nodes.paragraph("", "Before."), nodes.raw("", page, format="html"),
                            nodes.raw("", "<p>another output</p>", format="html"))
    explore.translate_explorers(doctree, lambda english: {"test items": "시험 문항 수"}.get(english, english))
    raws = list(doctree.findall(nodes.raw))
    assert '"items":"시험 문항 수"' in raws[0].astext() and raws[0]["format"] == "html"
    assert raws[1].astext() == "<p>another output</p>"

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

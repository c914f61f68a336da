"""The mirage explorer's sliders, built without a browser (its figure has a doctest).

The chapter's slider cell is skipped by the build and by nbval (a widget cell can
leave a headless runner waiting for a kernel reply that never comes), so the
widget itself is checked here, in-process: its three sliders exist with the
book's ranges, and moving one redraws the figure without error.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from emergence import explore  # noqa: E402


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


"""The house style: a palette readers with colour-vision deficiencies can tell apart, and
figures shown with alt text at a size whose text is legible in the book's column."""

import matplotlib

matplotlib.use("Agg")

import base64  # noqa: E402
import io  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from emergence import plotting  # noqa: E402
from emergence.plotting import (FAMILY_COLORS, FAMILY_MARKERS, METRIC_COLORS, MIN_TEXT_PX,  # noqa: E402
                                figure_png, family_style, show_figure, use_house_style)

# Families that share a plot: those of Wei et al.'s figures, and the open base models.
PAPER = ["GPT-3", "LaMDA", "PaLM", "Gopher", "Chinchilla", "Anthropic LM"]
OPEN = ["Pythia", "OPT", "Qwen1.5", "Llama", "Llama-2", "BLOOM", "GPT-Neo/J", "StarCoder", "XGLM"]

# Machado, Oliveira & Fernandes (2009), severity 1: linear-RGB simulation matrices.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def lab(hex_colour, vision=None):
    """CIELAB (D65) of an sRGB colour, as seen with normal vision or a deficiency."""
    srgb = np.array(matplotlib.colors.to_rgb(hex_colour))
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    if vision:
        linear = np.clip(np.array(CVD[vision]) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("group", [PAPER, OPEN], ids=["paper", "open"])
def test_families_that_share_a_plot_differ_in_colour_and_marker(group):
    assert len({FAMILY_COLORS[f] for f in group}) == len(group)
    assert len({FAMILY_MARKERS[f] for f in group}) == len(group)


@pytest.mark.parametrize("vision", [None, *CVD])
@pytest.mark.parametrize("group", [PAPER, OPEN], ids=["paper", "open"])
def test_the_family_colours_stay_apart_under_colour_vision_deficiencies(group, vision):
    # Every two families of a group stay more than 12 CIELAB units apart under each
    # simulated deficiency (a just noticeable difference is about 2.3; the closest pair,
    # Llama and XGLM under protanopia, is 13.5 apart), and their markers differ too.
    points = [lab(FAMILY_COLORS[f], vision) for f in group]
    gaps = [np.linalg.norm(a - b) for i, a in enumerate(points) for b in points[i + 1:]]
    assert min(gaps) > 12


def test_sharp_metrics_are_warm_and_smooth_ones_cool():
    warm = [METRIC_COLORS[m] for m in ("exact_match", "multiple_choice_grade")]
    cool = [METRIC_COLORS[m] for m in ("token_edit_distance", "brier_score")]
    assert all(lab(c)[2] > 30 for c in warm) and all(lab(c)[2] < 0 for c in cool)


def test_an_unknown_family_gets_a_neutral_style():
    assert family_style("nobody's family") == {"color": "#555555", "marker": "."}


def test_figure_png_carries_the_alt_text_and_doubles_the_density():
    use_house_style()
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [3, 1, 2])
    png, width, text_px = figure_png(fig, "Three points that fall and then rise again.")
    plt.close(fig)
    image = Image.open(io.BytesIO(png))
    assert image.text["Description"] == "Three points that fall and then rise again."
    assert image.width == pytest.approx(2 * width, abs=2) and width <= plotting.COLUMN_PX
    assert text_px >= MIN_TEXT_PX and image.mode == "P"        # a palette PNG


def _savefig_tight(fig) -> Image.Image:
    raw = io.BytesIO()
    fig.savefig(raw, format="png", dpi=2 * plotting.PX_PER_INCH, bbox_inches="tight", pad_inches=0.05,
                facecolor="white")
    return Image.open(io.BytesIO(raw.getvalue())).convert("RGB")


def test_one_draw_gives_the_picture_savefig_would():
    use_house_style()
    fig, axes = plt.subplots(1, 2, figsize=(6.8, 3))
    for ax in axes:
        ax.loglog([1, 10, 100], [3, 1, 2], "o-")
    fig.suptitle("Two panels")
    png, _, _ = figure_png(fig, "Two panels, each three points that fall and rise.")
    ours, theirs = Image.open(io.BytesIO(png)).convert("RGB"), _savefig_tight(fig)
    plt.close(fig)
    assert ours.size == theirs.size
    # the same drawing, up to antialiasing at a sub-pixel offset
    diff = np.abs(np.asarray(ours, dtype=int) - np.asarray(theirs, dtype=int)).max(axis=2)
    assert (diff > 64).mean() < 0.05 and np.asarray(ours).mean() > 200


def test_content_past_the_canvas_is_kept():
    use_house_style()
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([1, 2, 3], [3, 1, 2])
    fig.text(1.05, 0.5, "a note beside the figure")
    png, width, _ = figure_png(fig, "Three points, and a note beside the figure.")
    plt.close(fig)
    assert 2 * width > 4 * 2 * plotting.PX_PER_INCH            # wider than the canvas: nothing cut


@pytest.mark.parametrize("alt", ["", "   ", None, "figure.png", "../_images/ab12.png", "a plot"])
def test_alt_text_must_state_a_message(alt):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt"):
        figure_png(fig, alt)
    plt.close(fig)


def test_a_figure_too_wide_for_its_text_is_refused():
    use_house_style()
    fig, axes = plt.subplots(1, 4, figsize=(12, 3))
    with pytest.raises(ValueError, match="stack its panels"):
        figure_png(fig, "Four panels side by side, far too wide for the column.")
    plt.close(fig)


def test_show_figure_displays_the_image_with_its_alt_text_and_closes_it(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append((a, k)))
    use_house_style()
    fig, ax = plt.subplots()
    ax.plot([1, 2], [1, 2])
    show_figure(fig, "A straight line rises from one to two.")
    (bundle,), kwargs = shown[0]
    assert set(bundle) == {"image/png", "text/plain"}
    assert kwargs["metadata"]["image/png"]["alt"] == "A straight line rises from one to two."
    phone = kwargs["metadata"][plotting.PHONE_FIGURE_KEY]
    png = base64.b64decode(phone["png"])
    with Image.open(io.BytesIO(png)) as image:
        assert image.text["Description"] == "A straight line rises from one to two."
        assert image.width / 2 == pytest.approx(phone["width"], abs=1)
    assert phone["width"] <= plotting.PHONE_COLUMN_PX
    assert not plt.fignum_exists(fig.number)


def _three_panels_and_a_legend():
    use_house_style()
    fig, axes = plt.subplots(2, 2, figsize=(6.8, 5.6), layout="constrained")
    for i, ax in enumerate(axes.flat[:3]):
        ax.plot([1, 10, 100], [0.1, 0.2, 0.9], label="exact match")
        ax.plot([1, 10, 100], [0.3, 0.5, 0.7], label="token edit distance")
        ax.set_title(f"panel {'ABC'[i]}: a long title that must wrap on a phone")
    axes[1, 1].axis("off")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=2,
               fontsize=9, title="metric")
    fig.suptitle("A figure of three panels, a free cell and a legend below them")
    return fig, axes


def test_the_phone_layout_stacks_the_panels_in_reading_order():
    fig, axes = _three_panels_and_a_legend()
    plotting.phone_layout(fig)
    fig.canvas.draw()
    tops = [ax.get_position().y1 for ax in axes.flat[:3]]
    assert tops == sorted(tops, reverse=True), "A above B above C"
    lefts = {round(ax.get_position().x0, 2) for ax in axes.flat[:3]}
    assert len(lefts) == 1, "one column"
    assert not axes[1, 1].get_visible(), "the empty cell takes no room"
    assert fig.get_size_inches()[0] == pytest.approx(plotting.PHONE_WIDTH_IN)
    png, width, text_px = figure_png(fig, "Three panels stacked for a phone.",
                                     column_px=plotting.PHONE_COLUMN_PX)
    assert width <= plotting.PHONE_COLUMN_PX and text_px >= MIN_TEXT_PX
    (legend,) = fig.legends
    assert legend.get_window_extent().width <= fig.bbox.width
    assert legend.get_title().get_text() == "metric" and legend.texts[0].get_fontsize() == 9
    plt.close(fig)


def test_the_phone_layout_breaks_long_category_names():
    use_house_style()
    fig, ax = plt.subplots(figsize=(6.8, 3.0), layout="constrained")
    names = ["sparse parity, across widths", "grokking"]
    ax.barh([0, 1], [0.5, 1.0])
    ax.set_yticks([0, 1], names)
    plotting.phone_layout(fig)
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["sparse parity,\nacross widths", "grokking"]
    png, width, text_px = figure_png(fig, "Two bars with long names, for a phone.",
                                     column_px=plotting.PHONE_COLUMN_PX)
    assert width <= plotting.PHONE_COLUMN_PX and text_px >= MIN_TEXT_PX
    plt.close(fig)


def test_mark_simulated_corners():
    fig, ax = plt.subplots()
    plotting.mark_simulated(ax, loc="lower left")
    with pytest.raises(ValueError, match="loc"):
        plotting.mark_simulated(ax, loc="middle")
    plt.close(fig)


def test_the_phone_layout_gives_a_legend_only_cell_a_short_row_and_names_room():
    use_house_style()
    fig, grid = plt.subplots(2, 2, figsize=(6.8, 6.0), layout="constrained")
    for ax in grid.flat[:3]:
        ax.plot([1, 2], [1, 2], label="exact match")
    grid[1, 1].axis("off")
    grid[1, 1].legend(*grid[0, 0].get_legend_handles_labels(), loc="center")
    plotting.phone_layout(fig)
    assert grid[1, 1].get_visible(), "the legend keeps its cell"
    panels = 3 * min(6.0 / 2, plotting.PHONE_WIDTH_IN * 0.95)
    assert panels < fig.get_size_inches()[1] < panels + 1.0, "the legend's row is short"
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6.8, 3.0), layout="constrained")
    names = [f"an ability with a long name, number {i}" for i in range(25)]
    ax.barh(range(25), range(25))
    ax.set_yticks(range(25), names)
    plotting.phone_layout(fig)
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.get_yticklabels()]
    assert all(not a.overlaps(b) for a, b in zip(boxes, boxes[1:])), "names do not overlap"
    plt.close(fig)

"""The book's house style for scaling plots, and how a figure is shown with its alt text.

Model scale always goes on a log axis whose label says its unit (parameters or
training FLOPs: the two disagree across families, so a plot must say which).
Panels that show the mathematical model rather than measurements carry the
word "simulated" on the panel itself, so a figure copied out of the book keeps
its label.

Figures are read on the book's site, in a column :data:`COLUMN_PX` CSS pixels
wide, in the theme's light and dark modes, on phones, and by readers who do not
see colour as most do or do not see the figure at all. Hence the house style:

- colours from the Okabe & Ito palette, which stays distinguishable under the
  common colour-vision deficiencies, and a marker of its own for every model
  family, so that no line is told apart by colour alone;
- an opaque white background, which reads in dark mode too;
- :func:`show_figure`, which shows a figure at twice the pixel density with its
  alternative text (the figure's message, written beside the code that draws
  it), and refuses a figure whose smallest text would be drawn under
  :data:`MIN_TEXT_PX` CSS pixels in the column;
- a second layout of every figure for a phone's column (:func:`phone_layout`: panels
  stacked, long names wrapped), held to the same minimum, which the site shows on
  narrow screens instead of a figure cut at the column's edge.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> scale_axis(ax, "parameters")
>>> ax.get_xscale(), ax.get_xlabel()
('log', 'parameters (log scale)')
>>> plt.close(fig)
"""

from __future__ import annotations

import base64
import io
import re

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.text import Text

from emergence.translatable import Text as TranslatableText

__all__ = ["use_house_style", "scale_axis", "mark_simulated", "metric_panels", "show_figure",
           "figure_png", "family_style", "ordered_colors", "FAMILY_COLORS", "FAMILY_MARKERS",
           "METRIC_COLORS", "OKABE_ITO", "COLUMN_PX", "MIN_TEXT_PX", "PX_PER_INCH",
           "PHONE_COLUMN_PX", "PHONE_WIDTH_IN", "PHONE_FIGURE_KEY", "ALT_MESSAGE_KEY", "phone_layout"]

#: The palette of Okabe & Ito (2008), "Color Universal Design": eight colours that stay
#: distinguishable under protanopia, deuteranopia and tritanopia. Its yellow is kept out
#: of lines and markers (too pale on white).
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
_OI = OKABE_ITO

#: One colour per model family, stable across chapters. The families of Wei et al.'s
#: figures share a plot with each other, and the open families of Ruan et al. (2024)
#: with each other; within each group no two families share a colour *and* a marker.
FAMILY_COLORS = {
    # the families behind Wei et al.'s plots
    "GPT-3": _OI["blue"],
    "LaMDA": _OI["orange"],
    "PaLM": _OI["bluish green"],
    "Gopher": _OI["vermillion"],
    "Chinchilla": _OI["reddish purple"],
    "Anthropic LM": _OI["sky blue"],
    # open base models
    "Pythia": _OI["blue"],
    "OPT": _OI["orange"],
    "Qwen1.5": _OI["bluish green"],
    "Llama": _OI["vermillion"],
    "Llama-2": _OI["reddish purple"],
    "BLOOM": _OI["sky blue"],
    "GPT-Neo/J": _OI["black"],
    # two more from Paul Tol's muted scheme, for the ninth and tenth open family
    "StarCoder": "#882255",
    "XGLM": "#999933",
    # the small families trained for this book
    "trained here": "#222222",
}

#: One marker per model family: a second cue besides colour, and the only one in print.
FAMILY_MARKERS = {
    "GPT-3": "o", "LaMDA": "s", "PaLM": "^", "Gopher": "D", "Chinchilla": "v",
    "Anthropic LM": "P",
    "Pythia": "o", "OPT": "s", "Qwen1.5": "^", "Llama": "D", "Llama-2": "v", "BLOOM": "P",
    "GPT-Neo/J": "X", "StarCoder": "h", "XGLM": "*",
    "trained here": "o",
}

#: Sharp metrics in warm colours, smooth ones in cool colours.
METRIC_COLORS = {
    "exact_match": _OI["vermillion"],
    "accuracy": _OI["vermillion"],
    "multiple_choice_grade": _OI["orange"],
    "token_edit_distance": _OI["blue"],
    "brier_score": _OI["sky blue"],
    "per_token_cross_entropy": _OI["bluish green"],
    "log_likelihood": _OI["bluish green"],
    "bleu": _OI["reddish purple"],
}

#: Width, in CSS pixels, of the text column that figures are shown in on the book's site
#: (sphinx-book-theme 1.3 in a 1280 px wide desktop window; measured by tests/browser).
COLUMN_PX = 688
#: Width, in CSS pixels, of the text column on a phone 400 px wide (measured by tests/browser):
#: the site shows each figure there in a second layout drawn for it, :func:`phone_layout`.
PHONE_COLUMN_PX = 368
#: Width of a figure laid out for a phone, in inches (CSS pixels / 100): the column less a margin.
PHONE_WIDTH_IN = 3.6
#: CSS pixels per inch of figure size: a 6.8 inch wide figure fills the column.
PX_PER_INCH = 100
#: The smallest text a figure may have, in CSS pixels, once shown in the column: the
#: size of the site's small print.
MIN_TEXT_PX = 11.0

_UNITS = {
    "parameters": "parameters",
    "params": "parameters",
    "flops": "training FLOPs",
    "training FLOPs": "training FLOPs",
    "train_flops": "training FLOPs",
}


def use_house_style() -> None:
    """Set matplotlib defaults shared by every chapter (size, fonts, colours, background).

    A default figure is as wide as the book's column (6.8 inches, 680 CSS pixels), and
    its smallest text (tick labels and legends, 9 pt) is 12.5 CSS pixels there.
    """
    from cycler import cycler

    plt.rcParams.update(
        {
            "figure.figsize": (6.8, 3.2),
            "figure.dpi": PX_PER_INCH,
            "savefig.dpi": 2 * PX_PER_INCH,
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
            "axes.facecolor": "white",
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": cycler(color=[_OI[c] for c in (
                "blue", "orange", "bluish green", "vermillion", "reddish purple", "sky blue",
                "black")]),
            "font.size": 10,
            "axes.titlesize": 10,
            "axes.labelsize": 10,
            "xtick.labelsize": 9,
            "ytick.labelsize": 9,
            "legend.fontsize": 9,
            "figure.titlesize": 10.5,
            "legend.frameon": False,
            "lines.markersize": 5,
        }
    )


def family_style(family: str) -> dict:
    """Colour and marker of a model family, as keyword arguments for ``ax.plot``.

    Examples
    --------
    >>> family_style("GPT-3")
    {'color': '#0072B2', 'marker': 'o'}
    >>> family_style("a family the book has not met")
    {'color': '#555555', 'marker': '.'}
    """
    return {"color": FAMILY_COLORS.get(family, "#555555"), "marker": FAMILY_MARKERS.get(family, ".")}


def ordered_colors(n: int):
    """``n`` colours for an ordered series (lengths, widths, sizes): viridis without its pale end.

    Ordered colours differ in lightness, which every reader sees; label the series
    in the legend or directly as well.

    Examples
    --------
    >>> ordered_colors(3).shape
    (3, 4)
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n!r}.")
    return plt.cm.viridis(np.linspace(0.0, 0.82, n))


def scale_axis(ax, unit: str = "parameters") -> None:
    """Log-scale x axis labelled with its unit ("parameters" or "training FLOPs")."""
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {sorted(set(_UNITS))}, got {unit!r}.")
    ax.set_xscale("log")
    ax.set_xlabel(f"{_UNITS[unit]} (log scale)")


def mark_simulated(ax, text: str = "simulated", loc: str = "upper left") -> None:
    """Write ``text`` in a corner of a panel that shows simulated data.

    ``loc`` is ``"upper left"`` (the default) or ``"lower left"``, whichever the data leave free.
    """
    corners = {"upper left": (0.02, 0.96, "top"), "lower left": (0.02, 0.04, "bottom")}
    if loc not in corners:
        raise ValueError(f"loc must be one of {sorted(corners)}, got {loc!r}.")
    x, y, va = corners[loc]
    ax.text(x, y, text, transform=ax.transAxes, ha="left", va=va,
            fontsize=9, color="#a00", fontstyle="italic",
            bbox={"facecolor": "white", "edgecolor": "#a00", "alpha": 0.8, "pad": 2})


def metric_panels(n: int, width: float = 3.4, height: float = 3.0, **kwargs):
    """A row of ``n`` panels for showing one family under several metrics."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n!r}.")
    fig, axes = plt.subplots(1, n, figsize=(width * n, height), squeeze=False, **kwargs)
    return fig, axes[0]


_PATHLIKE = re.compile(r"^[\w./\\-]+\.(png|svg|jpe?g|gif)$|^[0-9a-f]{16,}", re.IGNORECASE)


def _check_alt(alt) -> str:
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a sentence that states what the figure shows, got "
                         f"{alt!r}.")
    alt = " ".join(alt.split())
    if _PATHLIKE.match(alt) or len(alt.split()) < 5:
        raise ValueError(f"alt must state the figure's message in words (five or more), not a "
                         f"file name or a label; got {alt!r}.")
    return alt


def _render(fig, dpi: float, pad_inches: float):
    """Draw ``fig`` once at ``dpi`` and return it trimmed to its content, with its smallest text.

    One draw serves both the size check and the picture (``savefig`` with
    ``bbox_inches="tight"`` would draw it twice more). A figure whose content
    reaches past its canvas is saved by ``savefig`` instead, which can enlarge it.

    Returns ``(image, points, text)``: an RGB :class:`PIL.Image.Image`, and the
    smallest font size (points) of any text drawn, with that text.
    """
    from PIL import Image

    original_dpi, original_face = fig.get_dpi(), fig.get_facecolor()
    fig.set_dpi(dpi)
    fig.set_facecolor("white")
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        sizes = [(t.get_fontsize(), t.get_text()) for t in fig.findobj(Text)
                 if t.get_visible() and t.get_text().strip()
                 and t.get_window_extent(renderer).width > 0]
        points, text = min(sizes) if sizes else (float("inf"), "")
        content = fig.get_tightbbox(renderer)
        width, height = fig.get_size_inches()
        if content.x0 >= 0 and content.y0 >= 0 and content.x1 <= width and content.y1 <= height:
            box = content.padded(pad_inches)
            pixels = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).convert("RGB")
            # Agg flips y with the buffer's whole-pixel height, not the figure's exact one
            left, top = int(round(box.x0 * dpi)), int(round(pixels.height - box.y1 * dpi))
            right, bottom = left + int(box.width * dpi), top + int(box.height * dpi)  # as savefig sizes it
            # the padding may reach past the canvas: white there, as savefig would draw it
            image = Image.new("RGB", (right - left, bottom - top), "white")
            image.paste(pixels.crop((max(left, 0), max(top, 0), min(right, pixels.width),
                                     min(bottom, pixels.height))), (max(-left, 0), max(-top, 0)))
        else:
            raw = io.BytesIO()
            fig.savefig(raw, format="png", dpi=dpi, bbox_inches="tight", pad_inches=pad_inches,
                        facecolor="white")
            image = Image.open(io.BytesIO(raw.getvalue())).convert("RGB")
    finally:
        fig.set_dpi(original_dpi)
        fig.set_facecolor(original_face)
    return image, points, text


def figure_png(fig, alt: str, column_px: float = COLUMN_PX) -> tuple[bytes, int, float]:
    """Render ``fig`` as the book shows it: PNG at twice the density, alt text inside.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str
        What the figure shows, in a sentence or two (its message, not its file name).
    column_px : float
        Width of the column the figure is shown in, in CSS pixels.

    Returns
    -------
    png : bytes
        A palette PNG at ``2 * PX_PER_INCH`` dots per inch, trimmed to its content, whose
        ``Description`` text chunk holds ``alt`` (the site copies it into the page).
    width : int
        The width to show it at, in CSS pixels.
    smallest_text_px : float
        Its smallest text, in CSS pixels, once shown in the column.

    Raises
    ------
    ValueError
        If ``alt`` is empty or a file name, or if the smallest text would be drawn under
        :data:`MIN_TEXT_PX` CSS pixels (make the figure narrower, stack its panels, or
        enlarge the text).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> use_house_style()
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2, 3], [1, 4, 9])
    >>> png, width, text_px = figure_png(fig, "A parabola rises ever faster from 1 to 9.")
    >>> png[:4], 600 < width <= 690, text_px >= MIN_TEXT_PX
    (b'\\x89PNG', True, True)
    >>> plt.close(fig)
    """
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    alt = _check_alt(alt)
    if fig.get_layout_engine() is None:
        fig.set_layout_engine("constrained")      # fill the figure, so that it fills the column
    image, points, text = _render(fig, 2 * PX_PER_INCH, pad_inches=0.05)
    width = int(round(image.width / 2))
    shrink = min(1.0, column_px / width)
    text_px = points * PX_PER_INCH / 72 * shrink
    if text_px < MIN_TEXT_PX:
        raise ValueError(
            f"The figure's smallest text ({points:g} pt, {text!r}) would be drawn at "
            f"{text_px:.1f} CSS px in the {column_px:g} px column, under the "
            f"{MIN_TEXT_PX:g} px minimum: the figure is {width} px wide. Make it at most "
            f"{column_px / PX_PER_INCH:.1f} inches wide (stack its panels) or its text larger.")
    info = PngInfo()
    info.add_itxt("Description", alt)
    info.add_text("Smallest text px", f"{points * PX_PER_INCH / 72:.2f}")
    info.add_text("CSS width", str(width))
    # A palette of 256 colours keeps every line's colour and the antialiasing, at a
    # third of the bytes.
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True, pnginfo=info)
    return out.getvalue(), width, text_px


#: Where :func:`show_figure` puts a figure's phone layout in the output's metadata (the
#: site shows it on narrow screens, :mod:`emergence.book.static_site`; notebooks ignore it).
PHONE_FIGURE_KEY = "emergence/phone-figure"

#: Where an image output keeps its alt text's template and values when the text was made by
#: :func:`emergence.translatable.tr`, for a translated edition to show in its language.
ALT_MESSAGE_KEY = "emergence/alt-message"


def phone_layout(fig) -> None:
    """Lay ``fig`` out again, in place, for a phone's column (:data:`PHONE_WIDTH_IN` wide).

    Panels side by side go one above the other, in reading order (row by row), each as
    tall as it was; a single panel keeps its height. Titles wrap, and a legend of the
    whole figure takes as many columns as fit. The text keeps its size in points, so on
    a phone it is as large as on a desktop. Axes placed by hand (not on a grid) are left
    where they are.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.0), layout="constrained")
    >>> phone_layout(fig)
    >>> [round(float(x), 1) for x in fig.get_size_inches()]
    [3.6, 6.0]
    >>> fig.canvas.draw()
    >>> bool(axes[0].get_position().y0 > axes[1].get_position().y1)  # the first panel on top
    True
    >>> plt.close(fig)
    """
    from matplotlib.gridspec import GridSpec, SubplotSpec

    height = fig.get_size_inches()[1]
    cells, grid = {}, None
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        if spec is None:
            continue
        if not ax.axison and not (ax.lines or ax.collections or ax.patches or ax.texts
                                  or ax.images or ax.get_legend()):
            ax.set_visible(False)       # an empty cell kept free on the desktop: no row for it
            continue
        top = spec.get_topmost_subplotspec()
        grid = grid or top.get_gridspec()
        if top.get_gridspec() is not grid:
            return                      # panels on two grids: not a layout this can redo
        cells.setdefault((top.rowspan.start, top.colspan.start), []).append((ax, spec, top))
    rows, cols = grid.get_geometry() if grid is not None else (1, 1)
    order = sorted(cells)
    # a panel as tall as it was, or as its category names need; a cell that only holds a
    # legend, as tall as the legend
    renderer = fig.canvas.get_renderer()
    heights = []
    for key in order:
        panels = [ax for ax, _, _ in cells[key]]
        legends = [ax.get_legend() for ax in panels if ax.get_legend() is not None]
        if legends and not any(ax.axison for ax in panels):
            heights.append(max(leg.get_window_extent(renderer).height for leg in legends)
                           / fig.dpi + 0.15)
        else:
            heights.append(max([min(height / rows, PHONE_WIDTH_IN * 0.95)]
                               + [_wrap_categories(ax) for ax in panels]))
    heights = heights or [height]
    fig.set_size_inches(PHONE_WIDTH_IN, sum(heights), forward=False)
    if cols > 1 or rows > 1:
        column = GridSpec(len(order), 1, figure=fig, height_ratios=heights)
        for i, key in enumerate(order):
            for ax, spec, top in cells[key]:
                if spec is top:
                    ax.set_subplotspec(column[i, 0])
                else:                   # a panel in a sub-grid of a cell: the sub-grid moves
                    spec.get_gridspec()._subplot_spec = column[i, 0]
                    ax.set_subplotspec(SubplotSpec(spec.get_gridspec(), spec.num1, spec.num2))
    for text in [fig._suptitle] + [t for ax in fig.axes for t in (ax.title, ax.xaxis.label)]:
        if text is not None and text.get_text():
            text.set_wrap(True)
    for legend in list(fig.legends):
        _refit_legend(fig, legend)


def _wrap_categories(ax, longest: int = 18) -> float:
    """Break the y axis's category names longer than ``longest`` characters onto two lines
    (at the space nearest their middle); return the height, in inches, the panel needs
    for its names not to overlap (0 for an axis of numbers)."""
    from matplotlib.ticker import FixedFormatter, FixedLocator

    if not isinstance(ax.yaxis.get_major_locator(), FixedLocator):
        return 0.0                      # numbers, not names
    ax.figure.canvas.draw()             # tick labels get their text when drawn
    labels = ax.get_yticklabels()
    names = [t.get_text() for t in labels]
    wrapped = []
    for text in names:
        if len(text) > longest and " " in text and "\n" not in text:
            spaces = [j for j, c in enumerate(text) if c == " "]
            cut = min(spaces, key=lambda j: abs(j - len(text) / 2))
            text = text[:cut] + "\n" + text[cut + 1:]
        wrapped.append(text)
    if wrapped != names:
        ax.yaxis.set_major_formatter(FixedFormatter(wrapped))
    if not labels:
        return 0.0
    lines = max(text.count("\n") + 1 for text in wrapped)
    points = max(t.get_fontsize() for t in labels)
    # each name its lines at 1.45 times the type size (room between names), and an inch
    # for the title and the x axis
    return len(wrapped) * lines * points * 1.45 / 72 + 1.0


def _refit_legend(fig, legend) -> None:
    """Draw a figure-level legend again with as many columns as fit the figure's width
    (one placed outside beside the panels goes below them: a phone has no room beside)."""
    handles, labels = legend.legend_handles, [t.get_text() for t in legend.texts]
    outside = getattr(legend, "_outside_loc", None)
    loc = ("outside upper center" if outside == "upper" else
           "outside lower center" if outside else legend._loc)
    keep = {"title": legend.get_title().get_text() or None}
    if legend.texts:
        keep["fontsize"] = legend.texts[0].get_fontsize()
    ncols = legend._ncols
    renderer = fig.canvas.get_renderer()
    while True:
        legend.remove()
        legend = fig.legend(handles, labels, loc=loc, ncols=ncols, **keep)
        if ncols == 1 or legend.get_window_extent(renderer).width <= fig.bbox.width * 0.98:
            return
        ncols -= 1


def show_figure(fig, alt: str) -> None:
    """Show ``fig`` in the notebook (and on the site) with its alternative text, then close it.

    Use it in place of ``plt.show()``: the alt text states the figure's message for a
    reader who cannot see it, and is written beside the code that draws it. See
    :func:`figure_png` for what is checked. The output also carries the figure laid out
    for a phone (:func:`phone_layout`) in its metadata, under :data:`PHONE_FIGURE_KEY`,
    for the site to show on narrow screens; its text is checked against the phone's
    column (:data:`PHONE_COLUMN_PX`). If ``alt`` was made by
    :func:`emergence.translatable.tr`, its template and values go under
    :data:`ALT_MESSAGE_KEY`, for a translated edition of the site.
    """
    from IPython.display import display

    png, width, _ = figure_png(fig, alt)
    phone_layout(fig)
    phone, phone_width, _ = figure_png(fig, alt, column_px=PHONE_COLUMN_PX)
    plt.close(fig)
    metadata = {"image/png": {"width": width, "alt": " ".join(alt.split())},
                PHONE_FIGURE_KEY: {"png": base64.b64encode(phone).decode("ascii"),
                                   "width": phone_width}}
    if isinstance(alt, TranslatableText):
        # a translated edition of the site shows the alt text in its own language
        metadata[ALT_MESSAGE_KEY] = {"msgid": alt.msgid, "values": alt.values}
    display({"image/png": base64.b64encode(png).decode("ascii"), "text/plain": f"[figure] {alt}"},
            metadata=metadata, raw=True)

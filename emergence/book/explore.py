"""Interactive and static views of the mirage model for one model family.

:func:`mirage_frame` computes, for one set of choices (target length, exponent,
test-set size), the model's curves and one simulated test set per model, scored
by exact match and by token edit distance, with their emergence scores.
Everything that shows the model draws from it:

- :func:`draw_mirage` draws one frame with matplotlib;
- :func:`mirage_explorer` wraps it in ipywidgets sliders for a live Jupyter session;
- :func:`static_explorer` precomputes a frame for every position of its sliders
  and shows them with a small script that needs no kernel, so the sliders also
  work on the book's static site (the same numbers, drawn in the browser).
"""

from __future__ import annotations

import html
import json
from importlib import resources

import matplotlib.pyplot as plt
import numpy as np

from emergence.model import mirage
from emergence._validate import check_positive_int, check_scales
from emergence.plotting import METRIC_COLORS, mark_simulated, scale_axis
from emergence.measure.scaling import accuracy_interval
from emergence.measure.score import emergence_score
from emergence.translatable import translatable_template

__all__ = ["GPT3_SIZES", "EXPLORER_LENGTHS", "EXPLORER_ALPHAS", "EXPLORER_ITEMS", "mirage_frame",
           "draw_mirage", "mirage_explorer", "explorer_frames", "static_explorer",
           "translated_explorer", "translate_explorers", "EXPLORER_TEXT"]

#: Parameter counts of the eight GPT-3 models (Brown et al. 2020, Table 2.1):
#: 125M, 350M, 760M, 1.3B, 2.7B, 6.7B, 13B and 175B.
GPT3_SIZES = np.array([125e6, 350e6, 760e6, 1.3e9, 2.7e9, 6.7e9, 13e9, 175e9])

#: Slider positions of the static explorer: target length, exponent, test-set size.
EXPLORER_LENGTHS = tuple(range(1, 11))
EXPLORER_ALPHAS = (-0.9, -0.7, -0.5, -0.3, -0.1)
EXPLORER_ITEMS = (100, 1_000, 10_000, 100_000)


def mirage_frame(length: int = 5, alpha: float | None = None, n_items: int = 100,
                 c: float | None = None, sizes=GPT3_SIZES, seed: int = 0,
                 grid_points: int = 200) -> dict:
    """The model and one simulated test set per model, for one set of choices.

    Parameters
    ----------
    length : int
        Target length ``L`` in tokens.
    alpha, c : float, optional
        The power law's constants; default :data:`emergence.model.mirage.ILLUSTRATIVE`.
    n_items : int
        Test-set size: exact match cannot resolve accuracies below ``1 / n_items``.
    sizes : array-like
        Parameter counts of the family, increasing.
    seed : int
        Seed of the simulated test sets.
    grid_points : int
        Points of the model's smooth curves, half a decade beyond the family each side.

    Returns
    -------
    dict
        ``table`` (the simulated test sets, one row per model, with ``parameters``),
        ``low`` and ``high`` (exact 95% intervals of exact match), ``grid`` with the
        model's ``model_accuracy`` ($p^L$) and ``model_edit_distance`` ($L(1-p)$) on it,
        ``floor`` (where a model with no correct item is drawn), and the emergence
        scores ``accuracy`` and ``token_edit_distance``.

    Examples
    --------
    >>> frame = mirage_frame(length=5, n_items=100)
    >>> int((frame["table"]["n_exact"] == 0).sum()), frame["accuracy"]
    (5, inf)
    """
    length = check_positive_int(length, "length")
    n_items = check_positive_int(n_items, "n_items")
    sizes = check_scales(sizes, "sizes")
    c = mirage.ILLUSTRATIVE["c"] if c is None else c
    alpha = mirage.ILLUSTRATIVE["alpha"] if alpha is None else alpha
    p = mirage.per_token_probability(mirage.per_token_loss(sizes, c, alpha))
    table = mirage.sample_test_set(p, length, n_items, seed=seed)
    table.insert(0, "parameters", sizes)
    low, high = accuracy_interval(table["n_exact"], np.full(len(table), n_items))
    grid = np.logspace(np.log10(sizes[0]) - 0.5, np.log10(sizes[-1]) + 0.5, grid_points)
    p_grid = mirage.per_token_probability(mirage.per_token_loss(grid, c, alpha))
    return {
        "table": table, "low": low, "high": high, "grid": grid,
        "model_accuracy": mirage.expected_accuracy(p_grid, length),
        "model_edit_distance": mirage.expected_token_edit_distance(p_grid, length),
        "floor": 0.3 / n_items, "length": length, "n_items": n_items,
        "accuracy": emergence_score(sizes, table["accuracy"]),
        "token_edit_distance": emergence_score(sizes, table["token_edit_distance"],
                                               higher_is_better=False),
    }


def draw_mirage(length: int = 5, alpha: float | None = None, n_items: int = 100,
                c: float | None = None, sizes=GPT3_SIZES, seed: int = 0, axes=None) -> dict:
    """Simulate one test set per model and draw it under exact match and edit distance.

    Parameters are those of :func:`mirage_frame`, plus ``axes``, a pair of matplotlib
    axes to draw on (a new figure if omitted).

    Returns
    -------
    dict
        ``accuracy`` and ``token_edit_distance`` emergence scores, and the
        simulated table under ``"table"``.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> out = draw_mirage(length=5, n_items=100)
    >>> out["accuracy"] > out["token_edit_distance"]
    True
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = mirage_frame(length, alpha, n_items, c, sizes, seed)
    table, sizes, floor = frame["table"], frame["table"]["parameters"], frame["floor"]
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(6.8, 3.2))

    ax = axes[0]
    seen = (table["n_exact"] > 0).to_numpy()
    acc = table["accuracy"].to_numpy()
    ax.plot(frame["grid"], frame["model_accuracy"], color="#888", lw=1, label="model: $p^L$")
    ax.errorbar(sizes[seen], acc[seen], yerr=[acc[seen] - frame["low"][seen],
                                              frame["high"][seen] - acc[seen]],
                fmt="o", color=METRIC_COLORS["exact_match"], ms=4, capsize=2,
                label=f"{n_items:,} items")
    ax.plot(sizes[~seen], np.full((~seen).sum(), floor), "v", color=METRIC_COLORS["exact_match"],
            mfc="white", label="0 correct (at floor)")
    ax.set_yscale("log")
    ax.set_ylim(floor / 3, 1.5)
    ax.set_ylabel("exact match (log scale)")
    ax.set_title(f"exact match, L={length}: score {frame['accuracy']:.3g}")
    scale_axis(ax, "parameters")
    ax.legend(loc="lower right", frameon=True, framealpha=0.9, edgecolor="none")
    mark_simulated(ax)

    ax = axes[1]
    ax.plot(frame["grid"], frame["model_edit_distance"], color="#888", lw=1,
            label="model: $L(1-p)$")
    ax.plot(sizes, table["token_edit_distance"], "o", color=METRIC_COLORS["token_edit_distance"],
            ms=4, label=f"{n_items:,} items")
    ax.set_ylabel("token edit distance")
    ax.set_title(f"edit distance, L={length}: score {frame['token_edit_distance']:.3g}")
    scale_axis(ax, "parameters")
    ax.legend(loc="upper right", frameon=True, framealpha=0.9, edgecolor="none")
    mark_simulated(ax, loc="lower left")
    return {"accuracy": frame["accuracy"], "token_edit_distance": frame["token_edit_distance"],
            "table": table}


def mirage_explorer(sizes=GPT3_SIZES, seed: int = 0):
    """Sliders for target length, exponent and test-set size (needs ipywidgets and a live kernel)."""
    import ipywidgets as widgets

    def show(length=5, alpha=-0.5, n_items=100):
        fig, axes = plt.subplots(1, 2, figsize=(6.8, 3.2))
        draw_mirage(length=length, alpha=alpha, n_items=n_items, sizes=sizes, seed=seed,
                    axes=axes)
        fig.tight_layout()
        plt.show()

    return widgets.interact(
        show,
        length=widgets.IntSlider(value=5, min=1, max=10, description="target length L"),
        alpha=widgets.FloatSlider(value=-0.5, min=-1.0, max=-0.1, step=0.05,
                                  description="exponent α"),
        n_items=widgets.SelectionSlider(options=[100, 1_000, 10_000, 100_000], value=100,
                                        description="test items"),
    )


def _short(values, lowest: float | None = None) -> list:
    """Numbers to 3 significant digits for the page (``None`` for infinite scores)."""
    out = []
    for v in np.asarray(values, dtype=float).ravel():
        if not np.isfinite(v):
            out.append(None)
        elif lowest is not None and v < lowest:
            out.append(0)
        else:
            out.append(float(f"{v:.3g}"))
    return out


def explorer_frames(lengths=EXPLORER_LENGTHS, alphas=EXPLORER_ALPHAS, items=EXPLORER_ITEMS,
                    c: float | None = None, sizes=GPT3_SIZES, seed: int = 0,
                    grid_points: int = 33) -> dict:
    """Every frame of the static explorer, from :func:`mirage_frame`, ready for JSON.

    Returns
    -------
    dict
        ``sizes``, ``grid``, the slider positions (``lengths``, ``alphas``, ``items``),
        ``model[i][j]`` = [exact match on the grid, edit distance on the grid] for
        ``lengths[i]`` and ``alphas[j]``, and ``frames[i][j][k]`` = [correct items per
        model, edit distance per model, interval low, interval high, score of exact
        match, score of edit distance] for test-set size ``items[k]`` (scores ``None``
        when infinite), all rounded to 3 significant digits.

    Examples
    --------
    >>> f = explorer_frames(lengths=[5], alphas=[-0.5], items=[100])
    >>> f["frames"][0][0][0][0], f["frames"][0][0][0][4]
    ([0, 0, 0, 0, 0, 3, 10, 52], None)
    """
    model, frames = [], []
    lowest = 0.03 / max(items)
    for length in lengths:
        model_row, frames_row = [], []
        for alpha in alphas:
            cells = []
            for n_items in items:
                f = mirage_frame(length, alpha, n_items, c, sizes, seed, grid_points)
                cells.append([[int(k) for k in f["table"]["n_exact"]],
                              _short(f["table"]["token_edit_distance"]),
                              _short(f["low"]), _short(f["high"]),
                              *_short([f["accuracy"], f["token_edit_distance"]])])
            model_row.append([_short(f["model_accuracy"], lowest),
                              _short(f["model_edit_distance"])])
            frames_row.append(cells)
        model.append(model_row)
        frames.append(frames_row)
    return {"sizes": _short(sizes), "grid": _short(f["grid"]), "lengths": list(lengths),
            "alphas": [float(a) for a in alphas], "items": [int(n) for n in items],
            "model": model, "frames": frames}


# Panels side by side when they fit, stacked on a phone; text stays at its size.
_EXPLORER_CSS = (
    ".mirage-explorer{color:#222;background:#fff;padding:.5rem;border-radius:.25rem}"
    ".mirage-controls{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;font-size:.9rem}"
    ".mirage-control{display:flex;align-items:center;gap:.4rem}"
    ".mirage-control output{min-width:4.5em;font-variant-numeric:tabular-nums}"
    ".mirage-panels{display:flex;flex-wrap:wrap;gap:0 .5rem}"
    ".mirage-panel{flex:none;font-family:sans-serif}"
    ".mirage-summary{font-size:.9rem;margin:.25rem 0 0}")


#: What the explorer says, as templates its script fills in (``{L}``, ``{score}``, ...).
#: They travel in the page's data, so that a translated edition can swap them
#: (:func:`translated_explorer`); the site catalogue holds their translations.
EXPLORER_TEXT = {
    "length": translatable_template("target length L"),
    "exponent": translatable_template("exponent α"),
    "items": translatable_template("test items"),
    "x_axis": translatable_template("parameters (log scale)"),
    "left_axis": translatable_template("exact match (log scale)"),
    "right_axis": translatable_template("token edit distance"),
    "simulated": translatable_template("simulated"),
    "left_title": translatable_template("exact match, L={L}: score {score}"),
    "right_title": translatable_template("edit distance, L={L}: score {score}"),
    "left_label": translatable_template(
        "Exact match on {n} simulated items per model: {zeros} of 8 models get none right; "
        "emergence score {score}."),
    "right_label": translatable_template(
        "Token edit distance of the same outputs falls smoothly with size; emergence score "
        "{score}."),
    "summary": translatable_template(
        "L = {L}, α = {alpha}, {n} items: {zeros} of 8 models score 0 under exact match; "
        "emergence score {exact} for exact match, {edit} for edit distance."),
}
EXPLORER_NOTE = translatable_template(
    "The two panels redraw as the sliders move: exact match (left, log scale) and token edit "
    "distance (right) of one simulated test set per GPT-3 size, with the model's curves. "
    "Simulated.")
EXPLORER_NEEDS_SCRIPT = translatable_template("(needs JavaScript)")


def static_explorer(sizes=GPT3_SIZES, seed: int = 0, start=(5, -0.5, 100)):
    """The mirage explorer for a page without a kernel: sliders and two panels, drawn in the browser.

    Every slider position's numbers are computed here, by :func:`mirage_frame`, and
    written into the page with a small script (``emergence/book/mirage_explorer.js``) that
    draws the panel chosen with the sliders. Works on the static site, in JupyterLab
    and in Colab; nothing is fetched from elsewhere.

    Returns
    -------
    IPython.display.HTML
    """
    from IPython.display import HTML

    frames = explorer_frames(sizes=sizes, seed=seed)
    frames["start"] = [frames["lengths"].index(start[0]), frames["alphas"].index(start[1]),
                       frames["items"].index(start[2])]
    frames["colors"] = {"exact": METRIC_COLORS["exact_match"],
                        "edit": METRIC_COLORS["token_edit_distance"]}
    frames["text"] = EXPLORER_TEXT
    data = json.dumps(frames, separators=(",", ":")).replace("</", "<\\/")
    script = resources.files("emergence.book").joinpath("mirage_explorer.js").read_text()
    note = html.escape(EXPLORER_NOTE)
    return HTML(
        f"<style>{_EXPLORER_CSS}</style>"
        f'<div class="mirage-explorer" role="group" aria-label="{note}">'
        f'<script type="application/json" class="mirage-data">{data}</script>'
        f'<noscript>{note} {html.escape(EXPLORER_NEEDS_SCRIPT)}</noscript></div>'
        f"<script>{script}</script>")


def translated_explorer(page: str, translate) -> str:
    """The explorer's HTML (from :func:`static_explorer`) with its words in another language.

    The page's HTML is written once, in English, when the chapter runs; a translated build
    calls this with its catalogue's ``translate(english) -> translated`` (``gettext``).
    The numbers are untouched: only the note and the templates the script fills change.
    """
    start = page.index('class="mirage-data">') + len('class="mirage-data">')
    end = page.index("</script>", start)
    frames = json.loads(page[start:end])
    frames["text"] = {key: translate(english) for key, english in frames["text"].items()}
    data = json.dumps(frames, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    page = page[:start] + data + page[end:]
    for english in (EXPLORER_NOTE, EXPLORER_NEEDS_SCRIPT):
        page = page.replace(html.escape(english), html.escape(translate(english)))
    return page


def translate_explorers(doctree, translate) -> None:
    """Every static explorer of a page being built by Sphinx, in another language.

    The explorer is a chapter's HTML output, written once in English, so a translated
    edition swaps its words in the page's document (see :func:`translated_explorer`)."""
    from docutils import nodes

    for node in list(doctree.findall(nodes.raw)):
        if 'class="mirage-explorer"' in node.astext():
            node.replace_self(nodes.raw("", translated_explorer(node.astext(), translate),
                                        format=node.get("format", "html")))

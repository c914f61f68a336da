"""Checks for the exercises of the chapter "Inducing emergence in small image models".

Every expected answer is computed from the cached tables in ``data/`` with the
same functions the chapter uses, so the checks follow the data if it is
regenerated.
"""

from __future__ import annotations

import numpy as np

from emergence.measure.score import emergence_score
from emergence.measure.vision import reconstruction_curves, subset_accuracy, subset_accuracy_curves
from emergence.book.exercises import close_to, say, table, whole_number

#: Largest group size scanned by exercise vision-4.
MAX_K = 200


def _reconstruction_width16(answer):
    curves = reconstruction_curves(table("vision_autoencoders"), cs=[0.5])
    expected = float(curves.loc[16, "c=0.5"])
    return close_to(answer, expected, rel=0.01, abs_tol=1e-3,
                    right=say("{expected:.3f}: although their mean squared error is "
                              "{mse:.2f}, only that fraction of images is reconstructed "
                              "below 0.5.",
                              expected=expected, mse=curves.loc[16, "mean_squared_error"]),
                    hint=say("for each width-16 model (three seeds) take the fraction of its "
                             "test images with squared_error < 0.5, then average the three "
                             "fractions."))


def _subset_by_hand(answer):
    correct = np.r_[np.ones(540, bool), np.zeros(60, bool)]
    expected = subset_accuracy(correct, 5)
    with_replacement = subset_accuracy(correct, 5, method="independent")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return False, say("expected a number, got {answer!r}.", answer=answer)
    if abs(value - with_replacement) < 1e-4:
        return False, (say("{with_replacement:.4f} is 0.9 ** 5, five draws *with* "
                           "replacement; the 5 images of a group are distinct, so after each "
                           "correct one there is one correct image fewer left.",
                           with_replacement=with_replacement))
    return close_to(value, expected, rel=1e-4,
                    right=say("(540/600)(539/599)(538/598)(537/597)(536/596) = "
                              "{expected:.4f}, a little below 0.9 ** 5 = "
                              "{with_replacement:.4f}.",
                              expected=expected, with_replacement=with_replacement),
                    hint=say("count the groups of 5 distinct images that are all correct, "
                             "C(540, 5), and divide by all groups of 5, C(600, 5)."))


def _first_width_above_half(answer):
    curves = reconstruction_curves(table("vision_autoencoders"), cs=[0.25])
    above = curves.index[curves["c=0.25"] > 0.5]
    expected = int(above[0])
    try:
        value = whole_number(answer, say("hidden units (a width)"))
    except ValueError as err:
        return False, f"{err}."
    if value == expected:
        return True, (say("width {expected} ({params} parameters): Reconstruction_0.25 jumps "
                          "from {before:.2f} to {after:.2f} at this step.",
                          expected=expected, params=curves.loc[expected, "params"],
                          before=curves["c=0.25"].shift(1)[expected],
                          after=curves.loc[expected, "c=0.25"]))
    if value in curves.index and value > expected:
        return False, say("that width is above one half, but a smaller one is already.")
    if value in curves.index:
        return False, (say("at width {value} Reconstruction_0.25 is still {score:.2f}, below "
                           "one half: go wider.",
                           value=value, score=curves.loc[value, "c=0.25"]))
    if value > 1000:
        return False, (say("that looks like a number of parameters; the question asks for the "
                           "width (hidden units), the index of reconstruction_curves."))
    return False, say("compute reconstruction_curves(..., cs=[0.25]) and find the first width "
                      "above 0.5.")


def smallest_k_sharper_than_per_image(max_k: int = MAX_K) -> int | None:
    """Smallest K whose subset accuracy has a higher emergence score than K = 1.

    Returns None if no K up to ``max_k`` does.
    """
    curves = subset_accuracy_curves(table("vision_classifiers"), ks=range(1, max_k + 1))
    params = curves["params"].to_numpy()
    per_image = emergence_score(params, curves["K=1"])
    for k in range(2, max_k + 1):
        if emergence_score(params, curves[f"K={k}"]) > per_image:
            return k
    return None


def _smallest_sharp_k(answer):
    expected = smallest_k_sharper_than_per_image()
    if expected is None:
        return False, say("with these data no K up to {max_k} scores above per-image accuracy.",
                          max_k=MAX_K)
    try:
        value = whole_number(answer, say("images per group (K)"))
    except ValueError as err:
        return False, f"{err}."
    if value == expected:
        return True, (say("K = {expected}: only once the groups are that long do all the "
                          "small models sit at zero, so that the curve is flat and then rises.",
                          expected=expected))
    if value < expected:
        return False, say("at that K the subset accuracy still scores below per-image "
                          "accuracy.")
    return False, say("that K scores higher, but a smaller one already does.")


CHECKS = {
    "vision-1": _reconstruction_width16,
    "vision-2": _subset_by_hand,
    "vision-3": _first_width_above_half,
    "vision-4": _smallest_sharp_k,
}

"""Checks for the exercises of the chapter "The mirage, derived"."""

from __future__ import annotations

import numpy as np

from emergence.model.mirage import ILLUSTRATIVE, expected_accuracy, params_for_accuracy
from emergence.book.exercises import _number_in_text, as_number, close_to, same_text, say, whole_number


def _accuracy_five_tokens(answer):
    expected = float(expected_accuracy([0.9], 5)[0])
    return close_to(answer, expected, rel=0.01,
                    right=say("0.9 ** 5 = {expected:.3f}: 90% per digit is only {expected:.0%} per "
                              "answer.", expected=expected),
                    hint=say("every one of the 5 tokens must be right, independently: multiply."),
                    mistakes={say("0.9 is the chance for one digit; the answer needs all five right."):
                                  0.9,
                              say("0.9 * 5 adds the digits up; the five chances multiply: "
                                  "0.9 * 0.9 * ..."): 4.5,
                              say("1 - 0.9 ** 5 is the chance of at least one wrong digit; the "
                                  "question asks for all five right."): 1 - expected})


def _size_for_half(answer):
    n = float(params_for_accuracy([0.5], 5, **ILLUSTRATIVE)[0])
    return close_to(answer, n, rel=0.05,
                    right=say("about {n:.3g} parameters.", n=n),
                    hint=say("solve exp(-(N/c)**alpha)**5 = 0.5 for N, or scan a grid of N with "
                             "accuracy_from_loss(per_token_loss(N, c, alpha), length=5)."),
                    mistakes={say("that is where one token reaches 0.5; the question is about "
                                  "five-token answers."):
                                  float(params_for_accuracy([0.5], 1, **ILLUSTRATIVE)[0])})


def _test_set_size(answer):
    # Smallest n with 1 - (1 - a)**n >= 0.95, for a = 1e-4.
    a = 1e-4
    n = int(np.ceil(np.log(0.05) / np.log1p(-a)))
    try:
        value = whole_number(answer, say("test items"))
    except ValueError as err:
        return False, f"{err}."
    if value == n:
        return True, say("{n} items: about 3 / accuracy, the 'rule of three'.", n=n)
    if value == round(1 / a):
        return False, say("1 / accuracy items give one success on average, but miss it about a "
                          "third of the time ((1 - a) ** n is about 1/e): too few.")
    if value > n:
        return False, say("that is enough items, but not the smallest number that is.")
    return False, say("too few: with that many items the chance of seeing no correct answer is "
                      "above 5%.")


def _emergence_score_sign(answer):
    right = say("right: the raw edit distance is largest at the smallest model and smallest at "
                "the largest, so argmax comes before argmin and the sign is negative; "
                "higher_is_better=False flips the values first.")
    hint = say("look at where the largest and the smallest raw values sit along the scale axis.")
    # the score itself, or -1 / +1, says the sign as well as the word does; the question
    # asks for a word, so here a number written as text counts too
    number = _number_in_text(answer) if isinstance(answer, str) else None
    if number is None:
        try:
            number = as_number(answer)
        except ValueError:
            number = None
    if number is not None and number != 0 and np.isfinite(number):
        return (True, right) if number < 0 else (False, say("wrong direction: {hint}", hint=hint))
    return same_text(answer, ("negative", "minus", "neg", "negative score"),
                     right=right, hint=hint,
                     mistakes={say("wrong direction: edit distance falls as models grow, and the "
                                   "score's sign follows argmax - argmin of the raw values."):
                                   "positive"},
                     options=("positive", "negative"))


CHECKS = {
    "mirage-1": _accuracy_five_tokens,
    "mirage-2": _size_for_half,
    "mirage-3": _test_set_size,
    "mirage-4": _emergence_score_sign,
}

"""Feedback that depends on the wrong answer, and readers that never turn a wrong answer right."""

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from emergence.book.exercises import (Feedback, as_number, check, close_to, diagnose, evaluate,
                                 exact_whole, same_text, text_key, whole_number)


# --- reading answers ---------------------------------------------------------------------

def test_numbers_are_read_from_numbers_arrays_and_series():
    assert as_number(0.59) == 0.59 and as_number(29956) == 29956
    assert as_number(np.float64(0.5)) == 0.5 and as_number(np.array([0.5])) == 0.5
    assert as_number(pd.Series([3.0])) == 3.0 and as_number([7]) == 7
    for bad in (True, None, "zero", [1, 2], "1,00"):
        with pytest.raises(ValueError):
            as_number(bad)


@pytest.mark.parametrize("text,number", [("880", "880"), (" 59% ", "0.59"), ("96.9%", "0.969"),
                                         ("2.3e22", "2.3e+22"), ("1,000", "1000"),
                                         ("29_956", "29956"), ("\u22120.5", "-0.5")])
def test_a_number_typed_as_text_is_refused_with_the_number_to_write(text, number):
    with pytest.raises(ValueError, match=rf"is the text .* not a number: write the number "
                                         rf"without quotes \({re.escape(number)}\)"):
        as_number(text)


@pytest.mark.parametrize("qid,text", [("wei-1", "19"), ("mirage-3", "29956"), ("mirage-1", "0.59049"),
                                      ("mirage-2", "880"), ("vision-3", "32")])
def test_check_gives_a_hint_not_a_pass_for_a_number_in_quotes(qid, text):
    feedback = evaluate(qid, text)
    assert feedback.status == "wrong" and "without quotes" in feedback.message, feedback


def test_whole_numbers_are_never_truncated():
    assert whole_number(19) == whole_number(19.0) == whole_number(np.int64(19)) == 19
    for bad in (19.7, 19.000001, math.inf, math.nan):
        with pytest.raises(ValueError, match="whole number"):
            whole_number(bad)
    with pytest.raises(ValueError, match="text"):
        whole_number("19")
    assert not exact_whole(19.7, 19)[0] and not exact_whole(18.9999, 19)[0]
    assert exact_whole(19.0, 19)[0]


@pytest.mark.parametrize("qid,right", [("wei-1", 19), ("mirage-3", 29956), ("vision-3", 32)])
def test_the_book_refuses_a_truncated_answer(qid, right, capsys):
    assert evaluate(qid, right).ok
    assert evaluate(qid, float(right)).ok
    for wrong in (right + 0.7, right - 0.3):
        feedback = evaluate(qid, wrong)
        assert feedback.status == "wrong" and "whole number" in feedback.message


def test_text_keys_ignore_spelling_but_keep_what_distinguishes_names():
    assert text_key('"GPT-3 13B"') == text_key("gpt3 13b") == text_key("GPT_3-13B")
    assert text_key("GPT-3 1.3B") != text_key("GPT-3 13B")
    assert text_key("Vision: Autoencoders") == text_key("vision autoencoders")


# --- recognising mistakes -----------------------------------------------------------------

@pytest.mark.parametrize("value,expected,needle", [
    (59.0, 0.59, "percentage"),
    (-2.0, 2.0, "sign"),
    (0.5, 2.0, "reciprocal"),
    (6.0, 2.0, "factor of 3"),
    (1.0, 2.0, "factor of 2"),
    (2e12, 2e9, "factor of 1000"),
    (300.0, 3.0, "factor of 100"),
    (2.1, 2.0, "a little too high"),
    (1.9, 2.0, "a little too low"),
    (3.1, 2.0, "too high"),
    (0.7, 2.0, "too low"),
    (math.inf, 2.0, "inf"),
])
def test_diagnose_names_the_mistake(value, expected, needle):
    assert needle in diagnose(value, expected, rel=0.01)


def test_a_listed_mistake_comes_before_the_general_diagnosis():
    ok, message = close_to(4.5, 0.59, mistakes={"added instead of multiplied.": 4.5}, hint="multiply.")
    assert not ok and message == "added instead of multiplied. Hint: multiply."


@given(st.floats(0.01, 1e6), st.floats(-1e7, 1e7, allow_nan=False))
def test_close_to_accepts_exactly_the_answers_within_tolerance(expected, value):
    ok, message = close_to(value, expected, rel=0.02)
    assert ok == (abs(value - expected) <= 0.02 * expected)
    if not ok:
        assert message


def test_percent_sign_or_factor_never_makes_an_answer_right():
    for wrong in (59.049, -0.59049, 5.9049, 0.059049, 1 / 0.59049):
        assert not evaluate("mirage-1", wrong).ok


def test_wrong_answers_of_the_book_get_their_own_hints():
    cases = {
        ("mirage-1", 0.9): "one digit",
        ("mirage-1", 59.049): "percentage",
        ("mirage-3", 10_000): "third of the time",
        ("mirage-4", "positive"): "wrong direction",
        ("wei-1", 20): "off by one",
        ("wei-3", 1 / 16.49): "reciprocal",
        ("arithmetic-3", 25.5 ** 0.2): "divide by 100",
        ("bigbench-1", 0.94): "all 67 tasks",
        ("bigbench-2", 8): "7 steps",
        ("bigbench-3", 0.75): "sum",
        ("conclusion-1", 1 / 200): "smallest accuracy",
        ("conclusion-1", 1.83): "percentage",
        ("conclusion-3", "IPA, open models: XGLM"): "undefined",
        ("vision-2", 0.9 ** 5): "with* replacement",
    }
    for (qid, answer), needle in cases.items():
        feedback = evaluate(qid, answer)
        assert feedback.status == "wrong", (qid, answer)
        assert needle in feedback.message, (qid, answer, feedback.message)


def test_equivalent_spellings_are_accepted():
    for spelling in ("Anthropic LM 52B", "anthropic lm 52b", "Anthropic-LM-52B", "Anthropic 52B",
                     "52B", '"Anthropic LM 52B"', pd.Series(["Anthropic LM 52B"])):
        assert evaluate("wei-4", spelling).ok, spelling
    for other in ("GPT-3 13B", "gpt-3 1.3b", "LaMDA 137B"):
        assert not evaluate("wei-4", other).ok
    assert not evaluate("wei-4", "Anthropic").ok          # names no single model
    for spelling in ("negative", " Negative ", "'negative'", "neg", -1, "-1", -7.9):
        assert evaluate("mirage-4", spelling).ok, spelling
    for wrong in ("positive", 1, "", "nonsense"):
        assert not evaluate("mirage-4", wrong).ok, wrong
    for spelling in ("vision: autoencoders", "Vision autoencoders", "VISION: AUTOENCODERS"):
        assert evaluate("conclusion-3", spelling).ok
    assert same_text("a-b", "A B")[0] and not same_text("ab.c", "abc")[0]


def test_the_rule_of_three_named_by_the_feedback_is_accepted():
    assert evaluate("conclusion-1", 3 / 200).ok and evaluate("conclusion-1", 0.015).ok


# --- the verdict ------------------------------------------------------------------------

def test_feedback_statuses_and_printed_form(capsys):
    assert evaluate("mirage-1", None) == Feedback("mirage-1", "unanswered",
        "not answered yet -- replace None with your answer and run the cell again.")
    assert evaluate("mirage-1", object()).status == "wrong"      # unreadable, not a crash
    assert check("mirage-1", 0.9 ** 5)
    assert capsys.readouterr().out.startswith("mirage-1: correct -- ")
    assert not check("mirage-1", 0.5)
    assert capsys.readouterr().out.startswith("mirage-1: not yet -- ")


def test_checker_interface_is_unchanged_for_chapter_modules():
    # the chapters' checkers still take an answer and return (ok, message)
    assert close_to(0.101, 0.1, 0.05, 0.0, "yes", "no") == (True, "yes")
    assert close_to(0.2, 0.1, 0.05, 0.0, "yes", "no") == (False, "off by a factor of 2. Hint: no")


@pytest.mark.parametrize("value, expected", [(1.4788159369539242e-305, 2659.0), (1e308, 1e-5),
                                             (5e-324, 1.0), (-1e308, 3.0)])
def test_feedback_on_extreme_answers_is_a_hint_not_an_error(value, expected):
    # a ratio that overflows must not reach round(): found by hypothesis
    assert diagnose(value, expected) in ("too high.", "too low.", "right size, wrong sign.")

"""Post-processing real completions, and the metrics on real-looking strings.

BIG-bench's own ``postprocess_output`` (``bigbench/models/model_utils.py``,
Apache-2.0, carried unmodified in ``tests/bigbench_upstream``) is the oracle
for the stop-string and regex steps. The GPT-3 lines are the first records of
``data/four_digit_addition.jsonl`` in the repository openai/gpt-3 (commit
12766ba), in its own format: the context ends in ``A:`` and the completion
starts with a space.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent / "bigbench_upstream"))
from bigbench.models.model_utils import postprocess_output  # noqa: E402

from emergence.measure.metrics import exact_match, per_token_accuracy, token_edit_distance  # noqa: E402
from emergence.measure.postprocess import BIGBENCH_DEFAULT_REGEX, postprocess  # noqa: E402

GPT3_LINES = [
    '{"context": "\\n\\nQ: What is 9923 plus 617?\\n\\nA:", "completion": " 10540"}',
    '{"context": "\\n\\nQ: What is 7131 plus 6046?\\n\\nA:", "completion": " 13177"}',
    '{"context": "\\n\\nQ: What is 2470 plus 7073?\\n\\nA:", "completion": " 9543"}',
]

text = st.text(alphabet=st.sampled_from(list("ab1 2.?!;\n\tQ:-,")), max_size=30)


@given(text, st.sampled_from([None, "\n", "Q:", "."]), st.sampled_from(
    [None, BIGBENCH_DEFAULT_REGEX, r"\d+", r"-?\d[\d,]*"]), st.sampled_from([None, 5, 50]))
def test_the_bigbench_steps_are_bigbench_s(raw, stop, regex, max_length):
    ours = postprocess([raw], stop_string=stop, output_regex=regex, max_length=max_length,
                       normalize_whitespace=False)
    assert ours == [postprocess_output(raw, max_length, stop, regex)]


def test_like_bigbench_applies_the_default_regex_only_without_stop_string_or_regex():
    assert postprocess(["Paris. Then", "x\ny"], like_bigbench=True) == ["Paris", "x"]
    assert postprocess(["Paris. Then"], like_bigbench=True, stop_string="Then") == ["Paris. Then"]
    assert postprocess(["Paris. Then"]) == ["Paris. Then"]


def test_gpt3_targets_and_completions_match_after_the_same_step():
    records = [json.loads(line) for line in GPT3_LINES]
    targets = [r["completion"] for r in records]
    raw = [" 10540\n\nQ: What is 12 plus 3?", "13177", "  9543 \n"]
    # as they stand, nothing matches: the targets carry a leading space
    assert exact_match([o.strip() for o in raw], targets).sum() == 0
    clean = postprocess(raw, stop_string="\n")
    assert exact_match(clean, postprocess(targets)).tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("raw, expected", [
    ("  42  ", "42"),
    ("\t-17\n", "-17"),
    ("- 17", "-17"),
    ("+8", "8"),
    ("10,540", "10540"),
    ("1,234,567", "1234567"),
    ("12,34", "12,34"),          # not a thousands separator: left alone
    ("3.5", "3.5"),
    (" 10540\n\nQ:", "10540"),
])
def test_numbers_on_real_looking_strings(raw, expected):
    assert postprocess([raw], numbers=True, stop_string="\n") == [expected]


def test_whitespace_normalisation_collapses_inner_runs():
    assert postprocess(["  the   cat \n sat "]) == ["the cat sat"]


def test_edit_distance_after_postprocessing_counts_only_real_errors():
    raw, target = [" 10,541\n\nQ:"], [" 10540"]
    assert token_edit_distance([r.strip() for r in raw], target)[0] > 1
    clean = postprocess(raw, numbers=True, stop_string="\n")
    assert token_edit_distance(clean, postprocess(target))[0] == 1


def test_units_digit_alignment_credits_a_dropped_leading_digit():
    assert per_token_accuracy(["0540"], ["10540"]).item() == 0.0
    assert per_token_accuracy(["0540"], ["10540"], align="right").item() == pytest.approx(0.8)
    assert per_token_accuracy([" 10540"], ["10540"], align="right").item() == 1.0
    with pytest.raises(ValueError, match="align"):
        per_token_accuracy(["1"], ["1"], align="units")


@pytest.mark.parametrize("fn", [exact_match, token_edit_distance, per_token_accuracy])
def test_a_string_against_a_token_list_is_an_error(fn):
    with pytest.raises(ValueError, match="item 0: the prediction is a string"):
        fn(["12"], [["12"]])
    with pytest.raises(ValueError, match="item 1: the prediction is a token list"):
        fn(["1", ["1", "2"]], ["1", "12"])


@pytest.mark.parametrize("bad, message", [
    ("one string", "not a single string"),
    ([None], r"outputs\[0\] is missing"),
    (["a", 3], r"outputs\[1\] has type int"),
])
def test_bad_outputs_are_named(bad, message):
    with pytest.raises(ValueError, match=message):
        postprocess(bad)


def test_bad_options_are_named():
    with pytest.raises(ValueError, match="not a regular expression"):
        postprocess(["x"], output_regex="(")
    with pytest.raises(ValueError, match="max_length"):
        postprocess(["x"], max_length=0)
    with pytest.raises(ValueError, match="capturing groups"):
        postprocess(["x"], output_regex="(a)(b)")


def test_postprocess_is_vectorised_over_items():
    out = postprocess(np.array([" 1 ", " 2 "], dtype=object))
    assert out == ["1", "2"]

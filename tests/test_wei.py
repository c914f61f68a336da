"""Tests of emergence.book.wei and of the chapter's tables on Wei et al. (2022)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emergence.io.datasets import load
from emergence.book.wei import (
    emergence_scale,
    family_curve,
    leaves_chance,
    parse_scale,
    table_mismatches,
)


# --- leaves_chance -------------------------------------------------------------

def test_leaves_chance_step_curve():
    x = [1e20, 1e21, 1e22, 1e23]
    assert leaves_chance(x, [0.0, 0.0, 0.5, 0.9], chance=0.0) == 1e22


def test_leaves_chance_ignores_a_lucky_small_model():
    # The second model is above chance but the third falls back: not yet emergent.
    x = [1, 2, 3, 4, 5]
    y = [0.25, 0.40, 0.26, 0.45, 0.60]
    assert leaves_chance(x, y, chance=0.25, margin=0.05) == 4


def test_leaves_chance_unsorted_input_is_sorted():
    assert leaves_chance([3, 1, 2], [0.9, 0.0, 0.0], chance=0.0) == 3


def test_leaves_chance_never_and_always():
    assert np.isnan(leaves_chance([1, 2, 3], [0.0, 0.01, 0.02], chance=0.0))
    assert leaves_chance([1, 2, 3], [0.5, 0.6, 0.7], chance=0.0) == 1


def test_leaves_chance_margin_is_strict():
    # Exactly chance + margin does not count as above.
    assert np.isnan(leaves_chance([1, 2], [0.30, 0.30], chance=0.25, margin=0.05))


@pytest.mark.parametrize("kwargs, word", [
    (dict(scales=[1, 2], scores=[0.1]), "same length"),
    (dict(scales=[0, 2], scores=[0.1, 0.2]), "positive"),
    (dict(scales=[1, 1], scores=[0.1, 0.2]), "duplicates"),
    (dict(scales=[1, 2], scores=[0.1, np.nan]), "NaN"),
])
def test_leaves_chance_rejects_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        leaves_chance(chance=0.0, **kwargs)


def test_leaves_chance_rejects_negative_margin():
    with pytest.raises(ValueError, match="margin"):
        leaves_chance([1, 2], [0.1, 0.2], chance=0.0, margin=-0.1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=2, max_size=12), st.floats(0, 0.5))
def test_leaves_chance_properties(scores, chance):
    x = np.arange(1, len(scores) + 1, dtype=float)
    y = np.array(scores)
    s = leaves_chance(x, y, chance=chance, margin=0.05)
    if np.isnan(s):
        assert y[-1] <= chance + 0.05
    else:
        # From s on, every model is above; the model just before s is not.
        assert np.all(y[x >= s] > chance + 0.05)
        if s > x[0]:
            assert y[x == s - 1][0] <= chance + 0.05
    # A larger margin can only move the point to a larger scale (or to never).
    s2 = leaves_chance(x, y, chance=chance, margin=0.2)
    assert np.isnan(s2) or (not np.isnan(s) and s2 >= s)


# --- labels and lookups --------------------------------------------------------

@pytest.mark.parametrize("label, value", [
    ("13B", 13e9), ("40M", 40e6), ("1.34T", 1.34e12), ("7.1B [sic]", 7.1e9), ("2.1M", 2.1e6),
])
def test_parse_scale(label, value):
    assert parse_scale(label) == pytest.approx(value)


@pytest.mark.parametrize("label", ["Many", "", "13", None])
def test_parse_scale_rejects(label):
    with pytest.raises(ValueError):
        parse_scale(label)


def test_emergence_scale_uses_table2_and_blog_aliases():
    models = load("wei_models")
    assert emergence_scale("GPT-3 13B", models) == pytest.approx(2.31e22)
    # The blog's "PaLM 64B" is Table 2's PaLM 62B.
    assert emergence_scale("PaLM 64B", models) == emergence_scale("PaLM 62B", models)
    assert emergence_scale("Chinchilla 7B", models, "params") == pytest.approx(7.1e9)
    with pytest.raises(ValueError, match="not in the table"):
        emergence_scale("GPT-4", models)
    with pytest.raises(ValueError, match="quantity"):
        emergence_scale("GPT-3 13B", models, "loss")


def test_every_model_of_the_137_list_has_a_scale():
    models = load("wei_models")
    tasks = load("wei_emergent_tasks")
    flops = tasks["emerged_with"].map(lambda m: emergence_scale(m, models))
    assert flops.notna().all()
    assert (flops > 1e21).all()


# --- Table 1 against Table 2 ---------------------------------------------------

def test_table_mismatches_flags_only_real_disagreements():
    t1 = pd.DataFrame({"ability": ["same", "rounded", "off"], "model_family": ["X"] * 3,
                       "params": [1e9, 2e9, 4e9], "train_flops": [1.0e21, 2.0e21, 5.0e21]})
    t2 = pd.DataFrame({"family": ["X"] * 3, "model": ["X 1B", "X 2B", "X 4B"],
                       "params": [1e9, 2e9, 4e9], "train_flops": [1.0e21, 2.04e21, 4.0e21]})
    out = table_mismatches(t1, t2).set_index("ability")
    assert out["mismatch"].to_dict() == {"same": False, "rounded": False, "off": True}
    assert out.loc["off", "flops_ratio"] == pytest.approx(1.25)


def test_table_mismatches_on_the_paper():
    out = table_mismatches(load("wei_table1"), load("wei_models"))
    flagged = out[out["mismatch"]]
    # The Anthropic 52B FLOPs differ by a power of ten between the tables.
    anthropic = flagged[flagged["family"] == "Anthropic LM"]
    assert anthropic["flops_ratio"].iloc[0] == pytest.approx(2.6e23 / 2.65e22)
    # GPT-3 and PaLM rows agree within rounding.
    assert not out[out["family"].isin(["GPT-3", "PaLM"])]["mismatch"].any()


def test_table_mismatches_requires_columns():
    with pytest.raises(ValueError, match="lacks"):
        table_mismatches(pd.DataFrame({"ability": []}), load("wei_models"))


# --- the tables themselves -----------------------------------------------------

def test_table2_flops_are_six_n_d_except_one_row():
    m = load("wei_models")
    ratio = m["train_flops"] / (6 * m["params"] * m["train_tokens"])
    off = m[(ratio < 0.9) | (ratio > 1.1)]
    assert off["model"].tolist() == ["Anthropic LM 52B"]


def test_137_list_counts_match_the_blog_headings():
    t = load("wei_emergent_tasks")
    counts = t[t["benchmark"] == "BIG-Bench"].groupby("emerged_with").size().to_dict()
    assert counts == {"GPT-3 13B": 2, "GPT-3 175B": 15, "LaMDA 137B": 8, "PaLM 8B": 3,
                      "PaLM 64B": 14, "PaLM 540B": 25}
    mmlu = t[t["benchmark"] == "MMLU"]
    assert (mmlu["emerged_with"] == "Chinchilla 7B").sum() == 7
    assert mmlu["mmlu_subject"].is_unique


def test_bigbench_lists_agree_with_appendix_e():
    t = load("wei_emergent_tasks")
    e = load("wei_bigbench_classification")
    emergent = set(e[e["category"].str.startswith("emergent")]["task"])
    assert set(t[t["benchmark"] == "BIG-Bench"]["task"]) == emergent
    assert len(e) == 210


def test_obsscaling_scores_are_fractions_of_score_max():
    d = load("obsscaling_emergent")
    frac = d["score"] / d["score_max"]
    assert frac.between(0, 1).all()
    assert set(d.loc[d["metric"] == "bleu", "score_max"]) == {100}
    # Training FLOPs are 6 N D wherever the source gives D.
    has = d.dropna(subset=["train_flops"])
    assert np.allclose(has["train_flops"], 6 * has["params"] * has["pretraining_tokens"], rtol=1e-3)


def test_family_curve_sorted_and_normalised():
    d = load("obsscaling_emergent")
    c = family_curve(d, "Pythia", "ipa_transliterate", "bleu")
    assert c["train_flops"].is_monotonic_increasing
    assert c["fraction"].between(0, 1).all()
    with pytest.raises(ValueError, match="no rows"):
        family_curve(d, "Pythia", "ipa_transliterate", "rouge")


def test_chance_summary_on_open_models():
    from emergence.book.wei import chance_summary
    d = load("obsscaling_emergent")
    s = chance_summary(d, ["Pythia", "Qwen1.5"], [("ipa_transliterate", "bleu"),
                                                  ("parsinlu_qa", "accuracy")],
                       chance={"parsinlu_qa": 0.25})
    # Qwen1.5 has no BLEU scores, so that pair is skipped rather than invented.
    assert len(s) == 3
    row = s[(s["family"] == "Qwen1.5") & (s["task"] == "parsinlu_qa")].iloc[0]
    assert row["chance"] == 0.25 and row["n_models"] == 7
    assert row["leaves_chance_flops"] <= row["largest_flops"]
    assert not row["above_at_smallest"]


# --- the chapter's exercise checks ---------------------------------------------

def test_wei_exercise_checks_accept_the_right_answers_and_reject_others():
    from emergence.book.exercises import registry
    checks = registry()
    models = load("wei_models").set_index("model")
    ratio = ((models.loc["Chinchilla 70B", "train_tokens"] / models.loc["Chinchilla 70B", "params"])
             / (models.loc["Gopher 280B", "train_tokens"] / models.loc["Gopher 280B", "params"]))
    assert checks["wei-3"](ratio)[0] and not checks["wei-3"](4.0)[0]
    assert checks["wei-2"](5.04e21)[0] and not checks["wei-2"](2.16e22)[0]
    assert checks["wei-4"]("Anthropic LM 52B")[0] and not checks["wei-4"]("GPT-3 13B")[0]
    assert not checks["wei-4"](52)[0]
    assert checks["wei-1"](19)[0] and not checks["wei-1"](17)[0] and not checks["wei-1"]("many")[0]

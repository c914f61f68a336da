"""Checks for the exercises of the chapter "What Wei et al. claim".

Every expected answer is computed from the book's tables in ``data/``, so a
correction to a table changes the answer with it.
"""

from __future__ import annotations

import re

from emergence.io.datasets import load
from emergence.book.wei import emergence_scale, family_curve, leaves_chance
from emergence.book.exercises import _single, close_to, exact_whole, say, text_key


def _tokens_per_parameter(m, model: str) -> float:
    row = m[m["model"] == model].iloc[0]
    return float(row["train_tokens"] / row["params"])


def _chinchilla_vs_gopher(answer):
    m = load("wei_models")
    chin = _tokens_per_parameter(m, "Chinchilla 70B")
    goph = _tokens_per_parameter(m, "Gopher 280B")
    ratio = chin / goph
    return close_to(
        answer, ratio, rel=0.02,
        right=(say("Chinchilla saw {chin:.1f} tokens per parameter, Gopher {goph:.2f}: "
                   "{ratio:.1f} times as many, for about the same training FLOPs.",
                   chin=chin, goph=goph, ratio=ratio)),
        hint=say("divide train_tokens by params for each model (Table 2), then divide the two."),
        mistakes={say("that is the ratio of the total training tokens, not of tokens per "
                      "parameter."):
                      float(m.loc[m["model"] == "Chinchilla 70B", "train_tokens"].iloc[0]
                                      / m.loc[m["model"] == "Gopher 280B", "train_tokens"].iloc[0])},
    )


def _pythia_leaves_chance(answer):
    d = load("obsscaling_emergent")
    c = family_curve(d, "Pythia", "arithmetic_3da", "accuracy")
    expected = leaves_chance(c["train_flops"], c["fraction"], chance=0.0, margin=0.05)
    model = c.loc[c["train_flops"] == expected, "model"].iloc[0]
    return close_to(
        answer, expected, rel=0.01,
        right=(say("{expected:.3g} FLOPs ({model}), below the 2.3e22 FLOPs at which Table 1 "
                   "says 3-digit addition emerged in GPT-3.",
                   expected=expected, model=model)),
        hint=(say("take family_curve(d, 'Pythia', 'arithmetic_3da', 'accuracy') and pass its "
                  "train_flops and fraction to leaves_chance with chance=0.0.")),
    )


def _tokens(text: str) -> set[str]:
    return {t for t in re.split(r"[^0-9a-z.]+", str(text).casefold()) if t}


def model_named(answer, names) -> str | None:
    """The one model in ``names`` that ``answer`` spells, or None.

    Spelling is free ("gpt-3 13b", "GPT3 13B"), and a part of the name that picks out one
    model is enough ("Anthropic 52B", "52B").
    """
    names = list(names)
    key = text_key(answer)
    exact = [n for n in names if text_key(n) == key]
    if exact:
        return exact[0]
    words = _tokens(answer)
    if not any(ch.isdigit() for w in words for ch in w):
        return None
    found = [n for n in names if words <= _tokens(n)]
    return found[0] if len(found) == 1 else None


def _odd_row(answer):
    m = load("wei_models")
    ratio = m["train_flops"] / (6 * m["params"] * m["train_tokens"])
    odd = m.loc[(ratio < 0.9) | (ratio > 1.1), "model"].tolist()
    answer = _single(answer)       # models.loc[mask, "model"] without .item() is the same name
    if not isinstance(answer, str):
        return False, say("expected the model's name as a string, e.g. 'GPT-3 13B', got "
                          "{answer!r}.", answer=answer)
    named = model_named(answer, m["model"])
    if named is None:
        return False, (say("{answer!r} does not name one model of the table; copy a name from "
                           "its model column, e.g. 'GPT-3 13B'.",
                           answer=answer))
    if named in odd:
        return True, (say("{named}: its printed FLOPs are a tenth of 6 N D, and of the "
                          "2.6E+23 that Table 1 gives for the same model: probably a misprint "
                          "of the exponent.", named=named))
    r = float(ratio[m["model"] == named].iloc[0])
    return False, (say("{named}'s printed FLOPs are {r:.2f} times 6 N D, within 10%. Compute "
                       "train_flops / (6 * params * train_tokens) for every row and look for "
                       "the outlier.", named=named, r=r))


def _cheaper_than_gpt3(answer):
    m = load("wei_models")
    t = load("wei_emergent_tasks")
    bb = t[t["benchmark"] == "BIG-Bench"]
    gpt3 = emergence_scale("GPT-3 175B", m)
    flops = bb["emerged_with"].map(lambda name: emergence_scale(name, m))
    expected = int((flops < gpt3).sum())
    palm = int(((flops < gpt3) & bb["emerged_with"].str.startswith("PaLM")).sum())
    return exact_whole(
        answer, expected, what=say("tasks"),
        right=(say("{expected} tasks. {palm} of them emerged in PaLM 8B or 62B although GPT-3 "
                   "175B and LaMDA 137B, trained with more FLOPs, were at chance on them: "
                   "training compute alone does not order emergence.",
                   expected=expected, palm=palm)),
        hint=(say("map each task's emerged_with to its training FLOPs with emergence_scale "
                  "and count those below GPT-3 175B's.")),
        mistakes={say("that counts the tasks at or below GPT-3 175B's FLOPs; the question "
                      "asks for fewer FLOPs."): int((flops <= gpt3).sum()),
                  say("that is every BIG-Bench task in the table ({n}); keep only those "
                      "below GPT-3 175B's FLOPs.", n=len(bb)): len(bb)},
    )


CHECKS = {
    "wei-1": _cheaper_than_gpt3,
    "wei-2": _pythia_leaves_chance,
    "wei-3": _chinchilla_vs_gopher,
    "wei-4": _odd_row,
}

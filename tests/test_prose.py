"""Numbers glued into the prose: stored as plain values, bad names refused."""

from __future__ import annotations

import pytest

from emergence.book import prose


def test_glue_stores_plain_values_under_their_names(monkeypatch):
    import numpy as np
    import myst_nb

    stored = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: stored.update({name: (value, display)}))
    values = prose.glue(n=np.int64(55), share=np.float64(0.25), label="w002")
    assert values == {"n": 55, "share": 0.25, "label": "w002"}
    assert type(values["n"]) is int and type(values["share"]) is float
    assert stored == {"n": (55, False), "share": (0.25, False), "label": ("w002", False)}


@pytest.mark.parametrize("kwargs, message", [
    ({}, "at least one"),
    ({"x": [1, 2]}, "format it first"),
])
def test_glue_says_what_is_wrong(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        prose.glue(**kwargs)


def test_glue_refuses_a_name_the_text_cannot_use():
    with pytest.raises(ValueError, match="not an identifier"):
        prose.glue(**{"two words": 1})

"""The checks' feedback in a translated edition's language (emergence.book.exercises.language,
emergence.book.feedback)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from emergence.book import exercises
from emergence.book.exercises import check, evaluate, language, say, use_language

ROOT = Path(__file__).resolve().parent.parent
HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.fixture
def korean():
    use_language("ko")
    yield
    use_language(None)


def _listed(lang: str = "ko") -> list[str]:
    from emergence.book.editions import translated_pages

    return [name for name in translated_pages(lang, ROOT) if name.startswith("feedback/")]


def _questions(module: str) -> list[str]:
    return [q for q, checker in exercises.registry().items() if checker.__module__ == module]


def test_the_package_ships_exactly_the_complete_catalogues():
    """The copy the package reads is what the listed catalogues say: it cannot drift."""
    pytest.importorskip("babel")
    from emergence.book.feedback import runtime

    shipped = json.loads((language.CATALOGUES / "ko.json").read_text(encoding="utf-8"))
    assert shipped == runtime("ko", ROOT)
    assert "emergence.book.exercises" in shipped and len(shipped) >= 2


def test_a_translated_chapters_checks_speak_korean(korean, capsys):
    from emergence.book.feedback import module_of

    modules = [module_of(name) for name in _listed() if name != "feedback/helpers"]
    assert modules
    for module in modules:
        for qid in _questions(module):
            for answer in (None, "text", 1e9, -3.0):
                text = str(evaluate(qid, answer))
                assert HANGUL.search(text), (qid, answer, text)
    check("mirage-1", 0.9)
    printed = capsys.readouterr().out
    assert printed.startswith("mirage-1: 아직 아니다 -- ") and "힌트: " in printed


def test_an_untranslated_chapter_stays_wholly_english(korean, monkeypatch):
    """The helpers' words are Korean only beside a module's own: never half a message."""
    monkeypatch.delitem(language._catalogues("ko"), "emergence.book.exercises.mirage")
    for answer in (None, "text", -3.0, 0.9):
        text = str(evaluate("mirage-1", answer))
        assert not HANGUL.search(text), text
    assert HANGUL.search(str(evaluate("arithmetic-1", -3.0)))


def test_english_is_the_default_and_an_unknown_language_is_refused():
    assert str(evaluate("mirage-1", 0.9)).startswith("mirage-1: not yet -- 0.9 is the chance")
    with pytest.raises(ValueError, match="no feedback in 'xx'"):
        use_language("xx")
    assert say("{n} of {total}", n=1, total=2) == "1 of 2"


#: Texts for the book's authors, not for students (an unknown or a duplicated question id,
#: a model that never reaches the level), and a type annotation.
FOR_AUTHORS = {"no exercise ; known: .", "question id  is defined twice ().", "tuple[bool, str]",
               "the model does not reach pass@k =  within  attempts."}


def _unmarked(path: Path) -> list[str]:
    """Prose a checks module writes without marking it: a string literal of three words or
    more, or an f-string with words, outside a ``say``/``translatable_template`` call
    (docstrings, a table's keys and a pandas query aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    marked, docs = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("say", "translatable_template"):
            marked |= {id(n) for n in ast.walk(node.args[0])} if node.args else set()
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "query":
            marked |= {id(n) for arg in node.args for n in ast.walk(arg)}
        if isinstance(node, ast.Subscript) and getattr(node.value, "id", "") != "mistakes":
            marked |= {id(n) for n in ast.walk(node.slice)}
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            docs.add(id(body[0].value))
    found = []
    for node in ast.walk(tree):
        if id(node) in marked or id(node) in docs:
            continue
        if isinstance(node, ast.JoinedStr):
            words = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if re.search(r"[A-Za-z]{3,}", words):
                found.append(words)
                marked |= {id(v) for v in node.values}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and len(re.findall(r"[A-Za-z]+", node.value)) >= 3 and " " in node.value:
            found.append(node.value)
    return found


def test_every_text_of_a_translated_checks_module_is_marked():
    from emergence.book.feedback import EXERCISES, module_of

    for name in _listed():
        module = module_of(name).rsplit(".", 1)[-1] if name != "feedback/helpers" else "__init__"
        path = ROOT / EXERCISES / f"{module}.py"
        unmarked = [t for t in _unmarked(path) if t not in FOR_AUTHORS]
        assert unmarked == [], f"{path.name}: {unmarked[:3]}"

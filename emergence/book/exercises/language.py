"""The checks' feedback in the student's language.

A translated edition's notebooks start with ``use_language("ko")``; from then on
:func:`~emergence.book.exercises.check` speaks Korean for every exercise whose checks are
translated. Each text a checker writes is a template marked with :func:`say` (or, for a
constant, `emergence.translatable.translatable_template`), filled with named values::

    close_to(answer, expected, right=say("{expected:.3f} per digit.", expected=expected))

The templates are extracted into one catalogue per checks module
(``locales/<language>/LC_MESSAGES/feedback/<module>.po``, by `emergence.book.feedback`),
translated there like the pages, and shipped with the package as
``translations/<language>.json`` (``{module: {template: translation}}``), which holds only
the modules whose catalogues are complete. A message is never half translated: the
shared helpers' words are used only together with a translated module's own.

Examples
--------
>>> say("{n} of {total} right.", n=3, total=4)
'3 of 4 right.'
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
from pathlib import Path

__all__ = ["use_language", "in_language", "say", "speaking_for", "languages", "CATALOGUES", "HELPERS"]

#: The catalogues shipped with the package: ``<language>.json``.
CATALOGUES = Path(__file__).with_name("translations")
#: The module of the helpers every checker uses (their words are shared).
HELPERS = __package__

_language: list[str | None] = [None]
_current: contextvars.ContextVar[dict] = contextvars.ContextVar("feedback_catalogue", default={})


def languages() -> list[str]:
    """The languages the feedback can be given in, besides English."""
    return sorted(p.stem for p in CATALOGUES.glob("*.json"))


def use_language(language: str | None) -> None:
    """Give :func:`~emergence.book.exercises.check`'s feedback in ``language`` from now on
    (``"ko"``); ``None`` or ``"en"``: in English."""
    if language in (None, "en"):
        _language[0] = None
        return
    if language not in languages():
        raise ValueError(f"no feedback in {language!r}: the languages are en, "
                         f"{', '.join(languages())} (emergence/book/exercises/translations/).")
    _language[0] = language


@contextlib.contextmanager
def in_language(language: str | None):
    """:func:`use_language` within a block only (the language before it is restored)."""
    before = _language[0]
    use_language(language)
    try:
        yield
    finally:
        _language[0] = before


@functools.lru_cache(maxsize=None)
def _catalogues(language: str) -> dict[str, dict[str, str]]:
    return json.loads((CATALOGUES / f"{language}.json").read_text(encoding="utf-8"))


@contextlib.contextmanager
def speaking_for(module: str):
    """Within this block, :func:`say` uses the language set by :func:`use_language` for
    the checks of ``module``, if that module and the helpers are translated; else English."""
    found = _catalogues(_language[0]) if _language[0] else {}
    own, shared = found.get(module), found.get(HELPERS)
    token = _current.set({**shared, **own} if own is not None and shared is not None else {})
    try:
        yield
    finally:
        _current.reset(token)


def say(template: str, /, **values) -> str:
    """A feedback text: ``template`` in the current language, filled with ``values``
    (``str.format``; a literal brace is written twice)."""
    return (_current.get().get(template) or template).format(**values)

"""Prose that code computes, marked so that each edition of the book shows it in its language.

The book's English and Korean editions share one execution of every chapter: the hidden
checks are code, and a chapter is run once per build, not once per language. Text that a
code cell computes (a figure's alt text, with numbers in it) is therefore written in
English when the cell runs and translated when a page is built. :func:`tr` marks such a
text the way gettext's ``_()`` does, but keeps the template and its values apart::

    show_figure(fig, tr("With {n} items, {zeros} models score exactly 0.", n=100, zeros=5))

The result is the English text (a ``str``, usable anywhere a string is), which also
carries ``msgid`` (the template) and ``values``. The Sphinx gettext build finds every
``tr("...")`` in the chapters' code and puts its template in the chapter's catalogue,
beside the chapter's prose (``emergence.book.editions``); a translated build formats the
translated template with the same values. The name is ``tr``, not ``_``, because IPython
keeps the last output in ``_``.
"""

from __future__ import annotations

import string

__all__ = ["Text", "tr", "translatable_template", "fields"]


class Text(str):
    """An English text made from a translatable template: ``str(text)``, plus its parts.

    ``msgid`` is the template as written in the code, ``values`` the values it was
    formatted with (JSON types only, so that they travel in a notebook's output).
    """

    msgid: str
    values: dict

    def __new__(cls, msgid: str, values: dict):
        text = super().__new__(cls, msgid.format(**values))
        text.msgid, text.values = msgid, values
        return text

    def translated(self, template: str) -> str:
        """The same values in another language's ``template`` (the text itself if it is empty).

        >>> tr("{n} models score 0.", n=5).translated("{n}개 모델이 0점입니다.")
        '5개 모델이 0점입니다.'
        """
        return template.format(**self.values) if template else str(self)


def _plain(value):
    """``value`` as a JSON type: numpy's numbers become Python's."""
    item = getattr(value, "item", None)
    value = item() if callable(item) and getattr(value, "shape", None) == () else value
    if not isinstance(value, (str, int, float, bool)) and value is not None:
        raise TypeError(f"tr(): a value must be a string or a number, not {type(value).__name__} "
                        f"({value!r}); format it in the template instead")
    return value


def tr(msgid: str, /, **values) -> Text:
    """Mark ``msgid`` for translation and fill in ``values`` (``str.format`` fields by name).

    >>> text = tr("Accuracy is {acc:.0%} at {size} parameters.", acc=0.125, size="1.3B")
    >>> text
    'Accuracy is 12% at 1.3B parameters.'
    >>> text.msgid, text.values
    ('Accuracy is {acc:.0%} at {size} parameters.', {'acc': 0.125, 'size': '1.3B'})

    A field the values do not fill, or a value no template uses, is a mistake in the call:

    >>> tr("{a} and {b}", a=1)
    Traceback (most recent call last):
    ...
    KeyError: "tr(): the template's fields ['a', 'b'] and the values given ['a'] differ"
    """
    needed = fields(msgid)
    if needed != set(values):
        raise KeyError(f"tr(): the template's fields {sorted(needed)} and the values given "
                       f"{sorted(values)} differ")
    return Text(msgid, {name: _plain(v) for name, v in values.items()})


def translatable_template(msgid: str, /) -> str:
    """Mark a template that is filled elsewhere (by a page's script, say) for translation.

    The template is returned unchanged; the text's extractor finds the call, and a
    translated build puts the translated template where the English one was.

    >>> translatable_template("{zeros} of 8 models score 0")
    '{zeros} of 8 models score 0'
    """
    return msgid


def fields(template: str) -> set[str]:
    """The names of a template's ``str.format`` fields.

    >>> sorted(fields("{n} of {total:,d} ({share:.1%}); {{not a field}}"))
    ['n', 'share', 'total']
    """
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}

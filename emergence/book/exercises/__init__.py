"""Immediate feedback for the book's exercises.

A chapter's checks live in ``emergence/book/exercises/<chapter>.py`` as a dict
``CHECKS`` mapping a question id (``"mirage-1"``) to a function that takes the
student's answer and returns ``(ok, message)``. Modules here are discovered
automatically, so a new chapter adds a file and nothing else.

The helpers below let a checker give feedback that depends on the wrong answer:
`close_to` recognises a percentage typed for a fraction, a factor of ten or
two, a flipped sign, a reciprocal, and says "too high" or "too low" otherwise;
`whole_number` refuses 19.7 for 19 instead of truncating it; `same_text`
accepts the equivalent spellings of a name. Each takes ``mistakes``, the wrong
answers a chapter expects, with what each one reveals.

`evaluate` returns the verdict as data (`Feedback`), which the course's hidden tests use;
`check` prints it for the student.

Examples
--------
>>> check("mirage-1", None)
mirage-1: not answered yet -- replace None with your answer and run the cell again.
False
>>> close_to(59, 0.59, hint="count the right answers.")[1]
'that looks like a percentage: give a fraction between 0 and 1 (divide by 100). Hint: count the right answers.'
"""

from __future__ import annotations

import functools
import importlib
import math
import numbers
import pkgutil
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from emergence.book.exercises.language import HELPERS, say, speaking_for, use_language
from emergence.translatable import translatable_template

__all__ = ["check", "evaluate", "Feedback", "Verdict", "registry", "close_to", "as_number",
           "NumberAsText", "whole_number", "exact_whole", "same_text", "text_key", "diagnose",
           "table", "STATUSES", "say", "use_language"]

Checker = Callable[[object], "tuple[bool, str]"]

#: The verdicts on an answer.
STATUSES = ("correct", "wrong", "unanswered")

# Every text below that a student reads is a template marked for the feedback's catalogue
# (say, translatable_template): a translated edition's notebooks print it in their language
# (emergence.book.exercises.language).
NOT_ANSWERED = translatable_template(
    "not answered yet -- replace None with your answer and run the cell again.")


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``status`` is one of `STATUSES`."""

    question_id: str
    status: str
    message: str

    @property
    def ok(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        if self.status == "unanswered":
            return f"{self.question_id}: {self.message}"
        if self.ok:
            return say("{question}: correct -- {message}", question=self.question_id,
                       message=self.message)
        return say("{question}: not yet -- {message}", question=self.question_id,
                   message=self.message)


def registry() -> dict[str, Checker]:
    """All question ids and their checkers, from every module in this package."""
    found: dict[str, Checker] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for qid, checker in getattr(module, "CHECKS", {}).items():
            if qid in found:
                raise RuntimeError(f"question id {qid!r} is defined twice ({info.name}).")
            found[qid] = checker
    return found


def evaluate(question_id: str, answer) -> Feedback:
    """Check ``answer`` to exercise ``question_id`` and return the verdict without printing.

    Examples
    --------
    >>> evaluate("mirage-1", 0.9 ** 5).status
    'correct'
    >>> evaluate("mirage-1", None).status
    'unanswered'
    """
    checks = registry()
    if question_id not in checks:
        raise ValueError(f"no exercise {question_id!r}; known: {', '.join(sorted(checks))}.")
    with speaking_for(checks[question_id].__module__):
        if answer is None:
            return Feedback(question_id, "unanswered", say(NOT_ANSWERED))
        try:
            ok, message = checks[question_id](answer)
        except (TypeError, ValueError) as err:
            ok, message = False, say("could not read your answer ({error}).", error=str(err))
        except Exception as err:  # a student's odd object must not show a traceback
            ok, message = False, say("could not check your answer ({kind}: {error}).",
                                     kind=type(err).__name__, error=str(err))
    return Feedback(question_id, "correct" if ok else "wrong", message)


@functools.lru_cache(maxsize=None)
def table(name: str):
    """A table of ``data/``, read once: a checker runs on every answer a student tries.

    Checkers only read it; none may change it in place.
    """
    from emergence.io.datasets import load

    return load(name)


class Verdict:
    """What :func:`check` returns: true if the answer is right, false otherwise.

    A notebook shows nothing for it (the feedback has been printed already), so a cell
    that ends in ``check(...)`` does not echo ``True`` or ``False`` under the message.

    >>> v = Verdict(Feedback("q", "correct", "right"))
    >>> bool(v), v
    (True, True)
    """

    __slots__ = ("feedback",)

    def __init__(self, feedback: Feedback):
        self.feedback = feedback

    def __bool__(self) -> bool:
        return self.feedback.ok

    def __eq__(self, other) -> bool:
        return bool(self) == other if isinstance(other, (bool, Verdict)) else NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return repr(self.feedback.ok)

    def _ipython_display_(self) -> None:
        """IPython calls this instead of printing an ``Out`` line: show nothing."""


def check(question_id: str, answer) -> Verdict:
    """Check ``answer`` to exercise ``question_id``; print feedback; return a verdict that is
    true if the answer is right (and shows nothing more in a notebook)."""
    checker = registry().get(question_id)
    with speaking_for(checker.__module__ if checker else HELPERS):
        feedback = evaluate(question_id, answer)
        print(feedback)
    return Verdict(feedback)


# --- reading answers -------------------------------------------------------------------

_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def _single(answer):
    """The one element of a one-element array, Series or list; the answer itself otherwise."""
    if isinstance(answer, (str, bytes, numbers.Number)) or answer is None:
        return answer
    if isinstance(answer, (list, tuple)) or hasattr(answer, "__array__"):
        flat = np.asarray(answer, dtype=object).reshape(-1)
        if flat.size != 1:
            raise ValueError(say("expected one value, got {n}", n=flat.size))
        value = flat[0]
        return value.item() if hasattr(value, "item") else value
    return answer


class NumberAsText(ValueError):
    """A numeric answer given as text that spells a number (``"880"``); the message says
    which number to write instead."""


def _number_in_text(text: str) -> float | None:
    """The number a string spells (``"0.59"``, ``"59%"``, ``"2.3e22"``, ``"1,000"``), or None."""
    text = text.strip().replace("_", "").replace("\u2212", "-")
    percent = text.endswith("%")
    text = text.rstrip("%").strip()
    if _GROUPED.match(text):
        text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number / 100 if percent else number


def as_number(answer) -> float:
    """Read a numeric answer: a number, or a one-element array, Series or list of one.

    Text is refused even when it spells a number (``"880"``, ``"96.9%"``): the answer
    should be the value the student's code computed, and a number typed in quotes is
    usually one copied from the screen. The error says which number to write instead.
    Raises ValueError, naming what was given, for anything else (including True/False).

    Examples
    --------
    >>> as_number(880), as_number([2.5])
    (880.0, 2.5)
    >>> as_number("96.9%")
    Traceback (most recent call last):
    ...
    emergence.book.exercises.NumberAsText: your answer is the text '96.9%', not a number: write the number without quotes (0.969)
    """
    value = _single(answer)
    if isinstance(value, bool) or value is None:
        raise ValueError(say("expected a number, got {answer!r}", answer=answer))
    if isinstance(value, (str, bytes)):
        number = _number_in_text(value.decode(errors="replace") if isinstance(value, bytes) else value)
        if number is None:
            raise ValueError(say("expected a number, got the text {answer!r}", answer=answer))
        raise NumberAsText(say("your answer is the text {answer!r}, not a number: write the number "
                               "without quotes ({number:.6g})", answer=answer, number=number))
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(say("expected a number, got {answer!r}", answer=answer)) from None


def whole_number(answer, what: str = "") -> int:
    """Read an answer that must be a whole number; 19.7 is refused, never truncated to 19.

    ``what`` names the unit in the error ("tasks", in the feedback's language); a number
    typed as text gets
    `as_number`'s message, which says what to write instead.

    Examples
    --------
    >>> whole_number(19.0), whole_number(19)
    (19, 19)
    >>> whole_number(19.7, what="tasks")
    Traceback (most recent call last):
    ...
    ValueError: expected a whole number of tasks, got 19.7
    """
    refused = (say("expected a whole number of {what}, got {answer!r}", what=what, answer=answer)
               if what else say("expected a whole number, got {answer!r}", answer=answer))
    try:
        value = as_number(answer)
    except NumberAsText:
        raise
    except ValueError:
        raise ValueError(refused) from None
    if not math.isfinite(value) or value != round(value):
        raise ValueError(refused)
    return int(round(value))


# --- recognising mistakes --------------------------------------------------------------

def _near(value: float, target: float, rel: float, abs_tol: float) -> bool:
    return abs(value - target) <= max(rel * abs(target), abs_tol)


def diagnose(value: float, expected: float, rel: float = 0.02, abs_tol: float = 0.0,
             fraction: bool | None = None) -> str:
    """Name the mistake a wrong numeric answer most likely shows.

    Recognises, in this order: a flipped sign; a percentage given for a fraction
    (``fraction`` says whether the answer is a fraction; by default, when
    ``0 < |expected| <= 1``); a reciprocal; an integer factor from 2 to 10 or a power
    of ten; otherwise it says whether the answer is too high or too low.

    Examples
    --------
    >>> diagnose(-2.0, 2.0)
    'right size, wrong sign.'
    >>> diagnose(0.5, 2.0)
    'that is the reciprocal of the answer: did you divide the wrong way round?'
    >>> diagnose(3e12, 3e9)
    'off by a factor of 1000 (10^3): check the units (thousands, millions, billions).'
    >>> diagnose(2.1, 2.0)
    'close, but a little too high (within 10%): use the exact value, not a rounded one.'
    """
    if not math.isfinite(value):
        return say("your answer is {value}: look for a division by zero or the log of zero.",
                   value=value)
    rel = max(rel, 1e-9)
    e = float(expected)
    if e != 0 and _near(-value, e, rel, abs_tol):
        return say("right size, wrong sign.")
    if fraction is None:
        fraction = 0 < abs(e) <= 1
    if fraction and _near(value / 100, e, rel, abs_tol):
        return say("that looks like a percentage: give a fraction between 0 and 1 (divide by 100).")
    if e != 0 and value != 0:
        if not _near(value, 1.0, rel, 0) and _near(1 / value, e, rel, abs_tol):
            return say("that is the reciprocal of the answer: did you divide the wrong way round?")
        ratio = value / e
        # a ratio that overflows, or whose inverse does, is no recognisable factor
        if 0 < ratio < math.inf and math.isfinite(1 / ratio):
            big = max(ratio, 1 / ratio)
            k = round(big)
            if 2 <= k <= 10 and abs(big / k - 1) <= max(rel, 1e-3):
                return say("off by a factor of {k}.", k=k)
            power = round(math.log10(big))
            if power == 2 and abs(big / 100 - 1) <= max(rel, 1e-3):
                return say("off by a factor of 100: a percentage where a fraction belongs, or the "
                           "reverse?")
            if power >= 3 and abs(big / 10 ** power - 1) <= max(rel, 1e-3):
                return say("off by a factor of {factor:g} (10^{power}): check the units "
                           "(thousands, millions, billions).", factor=10 ** power, power=power)
    high = value > e
    if e != 0 and abs(value - e) <= 0.1 * abs(e):
        if high:
            return say("close, but a little too high (within 10%): use the exact value, not a "
                       "rounded one.")
        return say("close, but a little too low (within 10%): use the exact value, not a "
                   "rounded one.")
    return say("too high.") if high else say("too low.")


def _expected_mistake(value, mistakes: Mapping | None, rel: float, abs_tol: float):
    """The message for a listed wrong answer ``{message: wrong value}``, if ``value`` is one."""
    for message, wrong in (mistakes or {}).items():
        if isinstance(wrong, (int, float)) and not isinstance(wrong, bool):
            if _near(value, float(wrong), rel, abs_tol):
                return message
        elif value == wrong:
            return message
    return None


def _join(found: str, hint: str = "") -> str:
    """A recognised mistake, then the exercise's hint."""
    found, hint = (found or "").strip(), (hint or "").strip()
    return say("{found} Hint: {hint}", found=found, hint=hint) if found and hint else found or hint


def close_to(answer, expected: float, rel: float = 0.02, abs_tol: float = 0.0,
             right: str = "", hint: str = "", mistakes: Mapping[str, float] | None = None,
             fraction: bool | None = None) -> tuple[bool, str]:
    """Compare a numeric answer with ``expected``; helper for checkers.

    A wrong answer gets, before ``hint``, the message of the first listed mistake it
    matches (``mistakes`` maps a message to a wrong value, within the same tolerance),
    or else what `diagnose` recognises in it.

    Examples
    --------
    >>> close_to(0.101, 0.1, rel=0.05, right="yes", hint="no")
    (True, 'yes')
    >>> close_to(0.9, 0.59, mistakes={"0.9 is one digit; all five must be right.": 0.9})
    (False, '0.9 is one digit; all five must be right.')
    """
    try:
        value = as_number(answer)
    except ValueError as err:
        return False, f"{err}."
    if math.isfinite(value) and _near(value, expected, rel, abs_tol):
        return True, right
    if math.isfinite(value):
        known = _expected_mistake(value, mistakes, rel, abs_tol)
        if known:
            return False, _join(known, hint)
    return False, _join(diagnose(value, expected, rel, abs_tol, fraction), hint)


def exact_whole(answer, expected: int, right: str = "", hint: str = "",
                mistakes: Mapping[str, int] | None = None, what: str = "") -> tuple[bool, str]:
    """Compare a whole-number answer with ``expected``: exact, never truncated.

    ``what`` names the unit in the message ("tasks", "test items").

    Examples
    --------
    >>> exact_whole(19.7, 19)
    (False, 'expected a whole number, got 19.7.')
    >>> exact_whole(20, 19, hint="count again.")
    (False, 'off by one: check whether the boundary counts (< or <=, floor or ceiling). Hint: count again.')
    """
    try:
        value = whole_number(answer, what)
    except ValueError as err:
        return False, f"{err}."
    if value == expected:
        return True, right
    known = _expected_mistake(value, mistakes, 0.0, 0.0)
    if known:
        return False, _join(known, hint)
    if abs(value - expected) == 1:
        found = say("off by one: check whether the boundary counts (< or <=, floor or ceiling).")
    else:
        found = diagnose(value, expected, rel=0.0, abs_tol=0.5)
        if what:   # a count: too many or too few
            found = {say("too high."): say("too many."),
                     say("too low."): say("too few.")}.get(found, found)
    return False, _join(found, hint)


def text_key(text: str) -> str:
    """A spelling-blind key: case, quotes, spaces, dashes, underscores and colons ignored.

    Dots and digits are kept, so "GPT-3 1.3B" and "GPT-3 13B" stay apart.

    Examples
    --------
    >>> text_key(' "GPT-3  13B" '), text_key("gpt3_13b"), text_key("GPT-3 1.3B")
    ('gpt313b', 'gpt313b', 'gpt31.3b')
    """
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s\"'`\u2018\u2019\u201c\u201d\-\u2010-\u2015_:,;!?()\[\]]+", "", text)


def same_text(answer, expected: str | Iterable[str], right: str = "", hint: str = "",
              mistakes: Mapping[str, str] | None = None,
              options: Iterable[str] | None = None) -> tuple[bool, str]:
    """Compare a text answer with ``expected`` (one spelling, or several accepted ones).

    Spelling is ignored as in `text_key`. ``mistakes`` maps a message to a wrong answer
    (e.g. the opposite direction). ``options``, if given, are all valid names: an answer
    that is none of them is told so.

    Examples
    --------
    >>> same_text("gpt-3 13b", "GPT-3 13B", right="yes")
    (True, 'yes')
    >>> same_text("positive", "negative", mistakes={"wrong direction.": "positive"})
    (False, 'wrong direction.')
    """
    try:
        value = _single(answer)
    except ValueError as err:
        return False, say("{error}: give one name.", error=str(err))
    if not isinstance(value, str):
        return False, say("expected text (a string in quotes), got {answer!r}.", answer=answer)
    accepted = [expected] if isinstance(expected, str) else list(expected)
    key = text_key(value)
    if not key:
        return False, _join(say("your answer is empty."), hint)
    if key in {text_key(a) for a in accepted}:
        return True, right
    for message, wrong in (mistakes or {}).items():
        if key == text_key(wrong):
            return False, _join(message, hint)
    if options is not None:
        names = list(options)
        if key not in {text_key(o) for o in names}:
            shown = ", ".join(repr(o) for o in names[:4]) + (", ..." if len(names) > 4 else "")
            return False, _join(say("{answer!r} is not one of the names ({names}).", answer=value,
                                    names=shown), hint)
    return False, hint

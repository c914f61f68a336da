"""Turning a model's raw completion into the answer that a metric scores.

A language model asked "What is 5040 plus 5500?" does not answer ``10540``: it
answers ``" 10540\\n\\nQ: What is"``, and GPT-3's own test files store the
target as ``" 10540"``, with the space. Scored as they stand, such strings
give exact match 0 on every item. Before any metric, both sides need the same
post-processing, and this module is BIG-bench's, plus two steps of its own:

1. ``max_length``: keep the first characters only;
2. ``stop_string``: cut the output after the first occurrence of the stop
   string (the stop string is kept, and an occurrence at position 0 is
   ignored, exactly as BIG-bench's ``postprocess_output`` does);
3. ``output_regex``: keep the first match of the regular expression, or the
   empty string if there is none. BIG-bench's JSON tasks use
   :data:`BIGBENCH_DEFAULT_REGEX` (everything up to the first ``.``, ``?``,
   ``!``, ``;`` or newline) when a task sets neither a stop string nor a
   regex; ``like_bigbench=True`` applies that rule here;
4. ``normalize_whitespace`` (default on): strip the ends and collapse inner
   runs of white space to one space;
5. ``numbers`` (default off): for numeric answers, drop thousands separators
   (``10,540`` -> ``10540``) and a leading ``+``, and close the gap between a
   minus sign and its digits (``- 42`` -> ``-42``).

Steps 1-3 are BIG-bench's ``bigbench/models/model_utils.py`` and
``bigbench/api/json_task.py``; ``tests/test_postprocess.py`` checks them
against that code.

Examples
--------
>>> postprocess([" 10540\\n\\nQ: What is 12 plus 7?"], stop_string="\\n")
['10540']
>>> postprocess([" 10540"])
['10540']
>>> postprocess(["The answer is 10,540.", " -  7 "], numbers=True,
...             output_regex=r"-?\\s*[\\d,]+")
['10540', '-7']
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["BIGBENCH_DEFAULT_REGEX", "postprocess"]

#: The output regex BIG-bench's JSON tasks apply when a task sets neither
#: ``output_regex`` nor ``stop_string`` (``bigbench/api/json_task.py``).
BIGBENCH_DEFAULT_REGEX = r"[^\.\?\!\;\n]+"

_SPACE = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SIGN = re.compile(r"^([+-])\s+(?=\d)")


def _one(text: str, max_length, stop_string, regex, normalize_whitespace, numbers) -> str:
    if max_length:
        text = text[:max_length]
    if stop_string:
        index = text.find(stop_string)
        if index > 0:
            text = text[: index + len(stop_string)]
    if regex is not None:
        text = next(iter(regex.findall(text)), "")
    if normalize_whitespace:
        text = _SPACE.sub(" ", text).strip()
    if numbers:
        text = _SIGN.sub(r"\1", text.strip())
        text = _THOUSANDS.sub("", text)
        if text.startswith("+"):
            text = text[1:]
    return text


def postprocess(outputs, *, stop_string: str | None = None, output_regex: str | None = None,
                max_length: int | None = None, like_bigbench: bool = False,
                normalize_whitespace: bool = True, numbers: bool = False) -> list[str]:
    """Post-process completions (or targets) before scoring them.

    Parameters
    ----------
    outputs : sequence of str
        One completion per item. Apply the same call to the targets when
        they carry formatting too (GPT-3's arithmetic targets start with a
        space).
    stop_string : str, optional
        Cut after its first occurrence (kept, as BIG-bench keeps it).
    output_regex : str, optional
        Keep the first match (empty string when none). The regex must not
        have more than one capturing group; use ``(?:...)``.
    max_length : int, optional
        Keep at most this many characters (applied first, as in BIG-bench).
    like_bigbench : bool
        Where neither ``stop_string`` nor ``output_regex`` is given, apply
        :data:`BIGBENCH_DEFAULT_REGEX`, as BIG-bench's JSON tasks do.
    normalize_whitespace : bool
        Strip the ends and collapse inner white space (default True).
    numbers : bool
        Drop thousands separators and a leading ``+``, and join a minus sign
        to its digits (default False).

    Returns
    -------
    list of str

    Raises
    ------
    ValueError
        If ``outputs`` is a single string, holds a non-string or a missing
        value (the message names the item), or ``output_regex`` does not
        compile or has several groups.

    Examples
    --------
    >>> postprocess(["  Paris.  It is", "Rome"], like_bigbench=True)
    ['Paris', 'Rome']
    >>> postprocess(["x"], output_regex="(a)(b)")
    Traceback (most recent call last):
    ...
    ValueError: output_regex '(a)(b)' has 2 capturing groups; findall would return tuples. Use non-capturing groups, (?:...).
    """
    if isinstance(outputs, (str, bytes)):
        raise ValueError("outputs must be a list of completions, one per item, not a single "
                         "string: wrap it as [outputs].")
    try:
        items = list(outputs)
    except TypeError:
        raise ValueError("outputs must be a list of strings, one completion per item.") from None
    for i, text in enumerate(items):
        if text is None or (isinstance(text, float) and np.isnan(text)):
            raise ValueError(f"outputs[{i}] is missing (None/NaN): score a missing completion "
                             "as the empty string ''.")
        if not isinstance(text, str):
            raise ValueError(f"outputs[{i}] has type {type(text).__name__}; completions must be "
                             "strings (decode bytes first).")
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int)
                                   or max_length < 1):
        raise ValueError(f"max_length must be a whole number >= 1, got {max_length!r}.")
    if stop_string is not None and not isinstance(stop_string, str):
        raise ValueError(f"stop_string must be a string, got {stop_string!r}.")
    if output_regex is None and stop_string is None and like_bigbench:
        output_regex = BIGBENCH_DEFAULT_REGEX
    regex = None
    if output_regex is not None:
        try:
            regex = re.compile(output_regex)
        except (re.error, TypeError) as err:
            raise ValueError(f"output_regex {output_regex!r} is not a regular expression "
                             f"({err}).") from None
        if regex.groups > 1:
            raise ValueError(f"output_regex {output_regex!r} has {regex.groups} capturing groups; "
                             "findall would return tuples. Use non-capturing groups, (?:...).")
    return [_one(t, max_length, stop_string, regex, normalize_whitespace, numbers) for t in items]

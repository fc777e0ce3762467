"""YAML values whose digits wrap over lines, read as YAML reads them.

A YAML reader joins the lines of a folded block (``>-``) and of a plain or quoted scalar
that goes on over several lines, one space for each line break, so

.. code-block:: yaml

    备注: >-
      身份证 4501032003
      08066095

holds ``身份证 4501032003 08066095``: an ID, to anyone who loads the file, but two runs
of digits to a reader of its lines. Such values are found by composing the document
(PyYAML's safe loader, its C parser when built with it: nodes only, no object is
constructed, each aliased node visited once, so ten levels of nine aliases cost nothing),
only when a line of the text ends in a digit and the next begins with one, and only up
to :data:`MAX_COMPOSED` characters (composing costs about 0.8 s per MB).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

#: A digit at a line's end, then one at the next line's start (its indentation skipped;
#: a double-quoted scalar may escape the line break with a backslash).
_WRAPPED = re.compile(r"[0-9][ \t]*\\?\r?\n[ \t]*[0-9]")
MAX_COMPOSED = 16 * 1024 * 1024


class NotComposed(Exception):
    """The text has digits over lines but is not YAML a safe loader composes, or is too
    long to compose (see :class:`TooLarge`)."""


class TooLarge(NotComposed):
    """The text is over :data:`MAX_COMPOSED` characters and has digits over lines."""


def wrapped_values(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, value) of each scalar whose source spans lines with digits wrapped
    over them, its value as YAML loads it. :class:`NotComposed` when it would have to be
    composed and is not YAML a safe loader reads, or (:class:`TooLarge`) is too long."""
    if _WRAPPED.search(text) is None:
        return
    if len(text) > MAX_COMPOSED:
        raise TooLarge(f"YAML over {MAX_COMPOSED // (1024 * 1024)} MiB with digits "
                       "wrapped over lines: its values were not read as YAML")
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        roots = list(yaml.compose_all(text, Loader=loader))
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        # not YAML (or nested past libyaml's 1,000 levels): its lines are read as text all
        # the same, but what a loader would join is not known, and that is said
        raise NotComposed(f"not read as YAML ({type(error).__name__}): values wrapped over "
                          "lines not joined") from None
    seen: set[int] = set()
    stack: list[yaml.Node] = [root for root in roots if root is not None]
    found = []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            start, end = node.start_mark.index, node.end_mark.index
            if node.start_mark.line != node.end_mark.line and \
                    _WRAPPED.search(text, start, end) is not None:
                found.append((start, end, str(node.value)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [key, value]
    yield from sorted(found)


def masked_in_place(text: str, start: int, end: int, value: str,
                    spans: list[tuple[int, int]]) -> str:
    """``text[start:end]`` (a scalar's source) with the digits of ``value[a:b]`` for each
    span written as ``*`` where they stand: a scalar's digits are its source's, in order
    (folding only changes the blanks between them)."""
    wanted: set[int] = set()
    ordinal = 0
    for index, char in enumerate(value):
        if char.isdigit():
            if any(a <= index < b for a, b in spans):
                wanted.add(ordinal)
            ordinal += 1
    out = []
    ordinal = 0
    for char in text[start:end]:
        if char.isdigit():
            out.append("*" if ordinal in wanted else char)
            ordinal += 1
        else:
            out.append(char)
    return "".join(out)

"""HTML pages, parsed by lxml (libxml2's HTML parser: lenient and linear, unlike Python's
``html.parser`` on some malformed markup) and walked into paragraphs (:mod:`read.markup`)."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from ..errors import InputError
from . import markup
from .member import Member
from .text_files import across_tags, decode, references_decoded
from .units import Part, PartError, ReadContext, TextUnit


def parse(member: Member) -> etree._ElementTree:
    text = decode(member.data, member.path)
    try:
        return markup.parse_html(text)
    except (etree.ParserError, ValueError) as error:
        raise InputError(member.path, f"unreadable HTML ({error})") from None


def read_html(member: Member, ctx: ReadContext) -> Iterator[Part]:
    try:
        tree = parse(member)
    except InputError:
        text = decode(member.data, member.path)
        try:
            markup.parse_html(text)
        except markup.TooDeep as error:  # the markup is read as text, and the page says so
            yield TextUnit(text, whole_text=True, part="markup read as text")
            # and its character references too (&#49; is 1), between its tags
            shown = references_decoded(text)
            if shown is not None:
                yield TextUnit(shown, whole_text=True,
                               part="markup read as text, character references decoded")
            joined = across_tags(text)  # and its numbers cut by tags or comments
            if joined is not None:
                yield TextUnit(joined, part="markup read as text, across tags")
            yield PartError("markup", f"{error}; read as plain text")
            return
        raise
    walked = markup.walk(tree, markup.HTML)
    for paragraph, part in markup.iter_units(walked):
        yield TextUnit(paragraph.text, row=paragraph.row, field=paragraph.field,
                       hint=paragraph.hint, record=paragraph.record,
                       whole_text=paragraph.table is None, part=part)
    yield from markup.data_uri_members(member, decode(member.data, member.path), ctx)

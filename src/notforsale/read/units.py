"""What a reader yields for one member: text units, nested members, part errors.

A *unit* is a piece of text with the place it came from. Table cells carry their
column header as a context hint (a column named 身份证号 says what its numbers are)
and a record number: values with the same record belong to one person, and an
image tied to that record (an image in a Word table row, a photo in a database
row) belongs to them too. A *nested member* is a file inside the member — an
e-mail attachment, an image embedded in a document, a rendered PDF page — read
like any other file. A *part error* says that a part of the member could not be
read while the rest was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from ..text.mask import mask_name
from ..text.normalize import digit_count
from .limits import Limits
from .member import Member


@dataclass(frozen=True, slots=True)
class TextUnit:
    """A piece of text to scan and where it is (``field`` and ``part`` as shown)."""

    text: str
    row: int | None = None        # 1-based data row of a table, or record number
    field: str | None = None      # column header, JSON path, sheet and column (shown)
    page: int | None = None       # 1-based PDF page
    hint: str = ""                # context that stands before every number in the text
    record: int | None = None     # units with the same record number belong together
    whole_text: bool = False      # line and column numbers make sense
    part: str | None = None       # "paragraph 12", "slide 3", "header From" (shown)
    line_offset: int = 0          # lines before this piece of a longer text (streamed input)


@dataclass(frozen=True, slots=True)
class PartError:
    """A part of a member that could not be read (the rest was); message as shown."""

    where: str
    message: str


Part = TextUnit | Member | PartError


@dataclass(frozen=True, slots=True)
class ReadContext:
    """What a reader may need besides the member: the key for nested members' prints,
    the limits, and whether pages without text are worth rendering (faces or OCR on)."""

    key: bytes
    limits: Limits = field(default_factory=Limits)
    render_pages: bool = True


def shown(text: str) -> str:
    """A name taken from inside a file (a header, a sheet title, a JSON key), masked."""
    return mask_name(text)


def looks_like_header(cells: list[str]) -> bool:
    return bool(cells) and any(cell.strip() for cell in cells) and \
        not any(digit_count(cell) >= 7 for cell in cells)


#: A string literal in a spreadsheet formula ("" is a quote inside it).
_FORMULA_STRING = re.compile(r'"((?:[^"]|"")*)"')


def formula_text(formula: str) -> str | None:
    """The text a spreadsheet formula joins from its string literals
    (``=CONCAT("110101","1990…")``, ``of:="…"&"…"``) when it holds seven digits or more: a
    number put back together by the formula. None otherwise."""
    if "=" not in formula[:8] or '"' not in formula:
        return None
    joined = "".join(_FORMULA_STRING.findall(formula)).replace('""', '"')
    return joined if digit_count(joined) >= 7 else None


def table_rows(rows: Iterable[list[str]], sheet: str = "", part: str | None = None,
               record_base: int = 0, header: Sequence[str] | None = None
               ) -> Iterator[TextUnit]:
    """Units of a table, one per non-empty cell; a first row without long numbers is its
    header (column names become each cell's field and context hint). ``header`` given (a
    later piece of a large table): it is the header, and the first row is data."""
    known = header is not None
    header = list(header or ())
    prefix = f"{shown(sheet)}!" if sheet else ""
    columns: list[tuple[str, str]] = []  # (field, hint) of each column, masked once
    for number, cells in enumerate(rows, start=1):
        if number == 1 and not known and looks_like_header(cells):
            header = [cell.strip() for cell in cells]
            continue
        if len(cells) > len(columns):
            for index in range(len(columns), len(cells)):
                name = header[index] if index < len(header) and header[index] \
                    else str(index + 1)
                columns.append((prefix + shown(name), name))
        record = record_base + number
        for cell, (field_, name) in zip(cells, columns, strict=False):  # columns may be longer
            if not cell or cell.isspace():
                continue
            yield TextUnit(cell, row=number, field=field_, hint=name, record=record,
                           part=part)
            if cell[0] == "=":  # =CONCAT("110101","1990…"): what it shows
                shown_text = formula_text(cell)
                if shown_text is not None:
                    yield TextUnit(shown_text, row=number, field=field_, hint=name,
                                   record=record, part="the text a formula joins")

"""Documents into text units: tables per cell with headers, JSON paths, PDF pages, HTML."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from notforsale.errors import InputError
from notforsale.read.formats import read_parts, read_units
from tests.builders import text_pdf as _pdf


def test_pdf_pages() -> None:
    units = list(read_units("a.pdf", _pdf(["intro", "ID 110101199003071233 mobile 13812345678"])))
    assert [(u.page, u.text.strip()) for u in units] == [
        (1, "intro"), (2, "ID 110101199003071233 mobile 13812345678")]


def test_csv_header_becomes_column_and_hint() -> None:
    data = "姓名,身份证号\n张三,110101199003071233\n".encode("utf-8-sig")
    units = list(read_units("x.csv", data))
    assert [(u.row, u.field, u.hint, u.text) for u in units] == [
        (2, "姓名", "姓名", "张三"), (2, "身份证号", "身份证号", "110101199003071233")]


def test_headerless_tsv_numbers_columns() -> None:
    units = list(read_units("x.tsv", b"13812345678\t110101199003071233\n"))
    assert [(u.row, u.field) for u in units] == [(1, "1"), (1, "2")]


def test_xlsx_numbers_typed_as_numbers() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append(["mobile"])
    sheet.append([13812345678])
    buffer = io.BytesIO()
    book.save(buffer)
    units = list(read_units("x.xlsx", buffer.getvalue()))
    cells = [(u.row, u.field, u.text) for u in units if u.row is not None]
    assert cells == [(2, "名单!mobile", "13812345678")]
    # The rest of the workbook (properties, here) is read as text too.
    assert any(u.part and "docProps" in u.part for u in units)


def test_json_paths_and_records() -> None:
    data = json.dumps([{"a": {"phone": 13812345678}}, {"b": ["x", "y"]}]).encode()
    units = list(read_units("x.json", data))
    assert [(u.record, u.field, u.text) for u in units] == [
        (1, "$[0].a.phone", "13812345678"), (2, "$[1].b[0]", "x"), (2, "$[1].b[1]", "y")]


def test_html_drops_markup_and_scripts() -> None:
    units = list(read_units("x.html", b"<p>tel <b>13812345678</b></p><script>var a=1</script>"))
    assert "13812345678" in units[0].text and "var a" not in units[0].text


def test_invalid_json_is_read_as_text_with_a_record() -> None:
    parts = list(read_parts("x.json", b'{not json "13812345678"'))
    assert [type(p).__name__ for p in parts] == ["PartError", "TextUnit"]
    assert parts[0].message.startswith("invalid JSON") and "plain text" in parts[0].message
    assert "13812345678" in parts[1].text


@pytest.mark.parametrize("name,data,message", [
    ("x.xlsx", b"PK\x03\x04broken", "not a readable zip package"),
    ("x.pdf", b"%PDF-1.4 garbage", "PDF"),
])
def test_bad_documents_raise_input_error(name: str, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        list(read_units(name, data))

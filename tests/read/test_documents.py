"""Documents into text units: tables per cell with headers, JSON paths, PDF pages, HTML."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from notforsale.errors import InputError
from notforsale.read.formats import read_units


def _pdf(pages: list[str]) -> bytes:
    """A minimal PDF with one line of Helvetica text per page (no library writes text)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode('latin-1')}\n"
                       "endstream")
        content = len(objects)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       f"/Contents {content} 0 R /Resources << /Font << /F1 "
                       f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("latin-1"))
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode("latin-1"))
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode("latin-1"))
    return out.getvalue()


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


@pytest.mark.parametrize("name,data,message", [
    ("x.json", b"{not json", "invalid JSON"),
    ("x.xlsx", b"PK\x03\x04broken", "not a readable zip package"),
    ("x.pdf", b"%PDF-1.4 garbage", "PDF"),
])
def test_bad_documents_raise_input_error(name: str, data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        list(read_units(name, data))

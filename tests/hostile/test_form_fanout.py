"""A page that draws forms past what PDFium can hold (the fifth hostile set's x06).

PDFium parses every Form XObject a page draws, each time it is drawn, when the page is
loaded: 28 forms each drawing the next twice is 2²⁸ drawings from a 6 KB file (the scan
passed 120 s and 22.9 GB before the kernel killed it). Before any page is loaded, the
drawings are counted from the file's own objects (each form's ``Do`` operators, their names
resolved through the form's or the page's resources, however they are referred to), and the
content a page would parse, each form counted each time it is drawn, is bounded: a form
past the bound is left out of the copy PDFium reads (an error record says where), the rest
of the page and the document are read. Everything is generated here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notforsale.read import pdf
from notforsale.redact.tree import redact
from notforsale.scan import scan_path
from tests.hostile.child import peak_mb
from tests.hostile.makers import pdf_with_form_fanout

ID_M, MOBILE_M = "110101********1233", "+86 138****5678"


def _scan(tmp_path: Path, data: bytes) -> tuple[set[str], list[str]]:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "forms.pdf").write_bytes(data)
    result = scan_path(tmp_path / "src")
    return {i.finding.masked for i in result.findings}, [e.message for e in result.errors]


@pytest.mark.parametrize("hide, reason", [
    ("", "each form's resources written inline"),
    ("indirect", "each /Resources and /XObject dictionary an object of its own"),
    ("inherited", "the page's resources on its /Pages node, inherited"),
    ("escaped", "names written with #xx escapes: /X#30 is /X0, /F#6frm is /Form"),
    ("compressed", "every content stream deflated: the Do operators only seen decoded"),
])
def test_a_form_fanout_is_left_out_and_the_rest_is_read(tmp_path: Path, hide: str,
                                                        reason: str) -> None:
    data = pdf_with_form_fanout(28, hide=hide, after=b"tel 13812345678")
    found, errors = _scan(tmp_path, data)
    assert len(errors) == 1 and "forms drawn" in errors[0], (reason, errors)
    assert {ID_M, MOBILE_M} <= found, reason  # the page's own text and the second page


def test_a_page_drawing_one_form_a_million_times_is_left_out(tmp_path: Path) -> None:
    """No nesting: the page's own (deflated) content draws a form of 64 drawings 10⁶
    times; the page is past the bound by itself, its content is left out, page 2 read."""
    data = pdf_with_form_fanout(2, fan=64, page_draws=1_000_000, hide="compressed",
                                after=b"tel 13812345678")
    found, errors = _scan(tmp_path, data)
    assert len(errors) == 1 and "forms drawn" in errors[0], errors
    assert MOBILE_M in found


@pytest.mark.parametrize("levels, fan, page_draws, reason", [
    (3, 10, 50, "a logo drawn 50 times, nested three deep: 5,550 drawings"),
    (28, 1, 1, "a chain 28 deep drawing each form once"),
    (1, 1, 20_000, "one form drawn 20,000 times (a map's symbol)"),
])
def test_forms_drawn_as_documents_draw_them_are_read_whole(tmp_path: Path, levels: int,
                                                           fan: int, page_draws: int,
                                                           reason: str) -> None:
    data = pdf_with_form_fanout(levels, fan=fan, page_draws=page_draws, hide="compressed",
                                after=b"tel 13812345678")
    found, errors = _scan(tmp_path, data)
    assert not errors, (reason, errors)
    assert {ID_M, MOBILE_M} <= found, reason


def test_forms_that_draw_each_other_are_left_out_once_not_counted_forever(
        tmp_path: Path) -> None:
    """A draws B twice, B draws A twice: ISO 32000 forbids a form drawing itself, the
    count does not follow the circle — one of the two is left out (an error record), the
    page's text is read, and the count ends."""
    from tests.hostile.makers import pdf_of

    text = b"BT /F1 12 Tf 72 720 Td (ID 110101199003071233) Tj ET\n/A Do\n"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 << "
               b"/Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> /XObject << /A 5 0 R"
               b" >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream"]
    for other in (6, 5):
        body = b"/O Do\n/O Do\n"
        objects.append(b"<< /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /O %d 0 R"
                       b" >> >> /Length %d >>\nstream\n" % (other, len(body)) + body
                       + b"\nendstream")
    data = pdf_of(objects)
    assert [what for _, what in pdf.fanned_out(pdf.sweep(data, 1 << 28))] == ["form"]
    found, errors = _scan(tmp_path, data)
    assert len(errors) == 1 and "forms drawn" in errors[0], errors
    assert ID_M in found


def test_the_fanout_pdf_stays_bounded_in_time_and_memory(tmp_path: Path) -> None:
    """The tester's criterion, in a child process with the default limits: a report
    within 60 s and well under 3 GB (before: past 120 s and 22.9 GB)."""
    (tmp_path / "x06.pdf").write_bytes(pdf_with_form_fanout(28, after=b"tel 13812345678"))
    peak, _ = peak_mb("scan", str(tmp_path / "x06.pdf"), "-f", "json", "-o",
                      str(tmp_path / "r.json"), timeout=60)
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["errors"] == 1
    assert {f["masked"] for f in report["findings"]} >= {ID_M, MOBILE_M}
    assert peak < 1024, f"scan peaked at {peak:.0f} MB"  # measured 91 MB


def test_a_fanout_pdf_is_never_called_verified_by_redact(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "forms.pdf").write_bytes(pdf_with_form_fanout(28))
    report = redact(tmp_path / "src", tmp_path / "out")
    assert report.status != "verified"
    assert (tmp_path / "src" / "forms.pdf").read_bytes() == pdf_with_form_fanout(28)


def test_objects_padded_before_the_forms_do_not_hide_them() -> None:
    """250,000 empty objects before the forms: past the sweep's 200,000 objects it reads no
    more strings (and says so), but it still counts what the pages draw."""
    data = pdf_with_form_fanout(28)
    pad = b"".join(b"%d 0 obj null endobj\n" % (1_000_000 + i) for i in range(250_000))
    swept = pdf.sweep(data[:9] + pad + data[9:], 1 << 28)
    assert swept.stopped
    assert [what for _, what in pdf.fanned_out(swept)] == ["form"]


def test_a_pdf_whose_drawings_cannot_all_be_counted_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_SWEPT_STRUCTURE references the count would be incomplete: the document is
    an error record, not handed to PDFium uncounted (the file beside it is read)."""
    monkeypatch.setattr(pdf, "MAX_SWEPT_STRUCTURE", 40)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "good.txt").write_text("身份证 110101199003071233\n", encoding="utf-8")
    found, errors = _scan(tmp_path, pdf_with_form_fanout(28))
    assert any("the forms its pages draw not counted" in error for error in errors), errors
    assert ID_M in found

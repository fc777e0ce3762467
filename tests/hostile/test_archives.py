"""Hostile archives end with a report: an error record for what cannot be read, and the
good content beside and after it still found (generated inputs; nothing large committed)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from notforsale.read.limits import Limits, MiB
from notforsale.scan import ScanOptions, scan_path
from tests.hostile import makers

GOOD = "110101********1233"


def _scan(tmp_path: Path, name: str, data: bytes, **limits: int) -> tuple[object, float]:
    path = tmp_path / name
    path.write_bytes(data)
    start = time.perf_counter()
    result = scan_path(path, ScanOptions(limits=Limits(**limits)) if limits else None)
    return result, time.perf_counter() - start


def _masks(result: object) -> set[str]:
    return {item.finding.masked for item in result.findings}  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["truncated.7z", "corrupt-header.7z", "encrypted-header.7z",
                                  "magic.txt"])
def test_broken_7z_is_an_error_record_not_a_crash(tmp_path: Path, name: str) -> None:
    """py7zr's Bad7zFile and PasswordRequired used to escape and end the whole scan."""
    data = makers.seven_zip_variants()[name]
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / name).write_bytes(data)
    (tmp_path / "pack" / "z-after.txt").write_bytes(makers.GOOD)
    result = scan_path(tmp_path / "pack")
    assert GOOD in _masks(result), "the good file beside it is still found"
    if name == "magic.txt":
        # Bytes that start like a 7z but are a text file named .txt are read as text.
        assert result.summary()["errors"] == 0
    else:
        assert any(name in e.path for e in result.errors)


def test_overlapping_entry_zip_bomb_is_refused_up_front(tmp_path: Path) -> None:
    """20,000 directory entries sharing one compressed block: refused at once, and the
    honest member after them is still read."""
    data = makers.overlapping_zip(20_000, b"13812345678\n" * 300_000)
    assert len(data) < 3 * MiB
    result, seconds = _scan(tmp_path, "bomb.zip", data)
    assert seconds < 20
    assert GOOD in _masks(result)
    assert len(result.errors) == 1 and "overlapping" in result.errors[0].message  # type: ignore[attr-defined]
    assert len(result.findings) < 100  # type: ignore[attr-defined]


def test_a_member_with_a_bad_crc_does_not_cost_the_rest(tmp_path: Path) -> None:
    result, _ = _scan(tmp_path, "crc.zip", makers.zip_with_bad_crc())
    assert GOOD in _masks(result)
    assert [e.path.rsplit("/", 1)[-1] for e in result.errors] == ["b.txt"]  # type: ignore[attr-defined]


def test_a_utf8_flag_on_gbk_names_is_read(tmp_path: Path) -> None:
    result, _ = _scan(tmp_path, "names.zip", makers.zip_with_invalid_utf8_name())
    assert GOOD in _masks(result)
    assert result.summary()["errors"] == 0  # type: ignore[attr-defined]
    assert any("名单" in item.location.path for item in result.findings)  # type: ignore[attr-defined]


def test_a_huge_long_name_header_in_a_tar_is_skipped_not_read(tmp_path: Path) -> None:
    """The library reads a long-name header whole; a 2 GiB one took 4.4 GB. Over 1 MiB it
    is skipped in blocks (here 64 MiB of zeros, compressed to ~64 KB), and the member it
    names is read under a name of ours (the held-out set lost the members after it)."""
    result, _ = _scan(tmp_path, "long.tar.gz", makers.tar_with_long_name_header(64 * MiB))
    assert not result.errors  # type: ignore[attr-defined]
    assert [f.location.path.rsplit("!/", 1)[1] for f in result.findings] == [  # type: ignore[attr-defined]
        "(name over 1048576 bytes, not read)"]


def test_devices_and_fifos_in_a_tar_are_recorded(tmp_path: Path) -> None:
    result, _ = _scan(tmp_path, "special.tar", makers.tar_with_special_files())
    assert GOOD in _masks(result)
    reasons = sorted(e.message for e in result.errors)  # type: ignore[attr-defined]
    assert reasons == ["not a regular file (FIFO); not read",
                       "not a regular file (device); not read",
                       "not a regular file (device); not read"]


def test_nested_zip_bomb_stops_at_the_total_ratio(tmp_path: Path) -> None:
    """A 4-level, 16-wide nest of 4 MiB leaves (a few dozen KB on disk) would expand to
    256 GiB: the scan stops at the floor of the total ratio limit and says so."""
    data = makers.nested_zip_bomb(4, 16, 4 * MiB)
    assert len(data) < 200 * 1024
    result, seconds = _scan(tmp_path, "42.zip", data, total_floor_bytes=64 * MiB)
    assert seconds < 60
    assert any("total uncompressed limit" in e.message for e in result.errors)  # type: ignore[attr-defined]


def test_a_spent_budget_does_not_cost_members_that_fit(tmp_path: Path) -> None:
    """A member too large for what is left of the budget is refused; a small one after it
    that still fits is read."""
    import zipfile

    path = tmp_path / "mixed.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.txt", b"A" * (8 * MiB))
        archive.writestr("small.txt", makers.GOOD)
    result = scan_path(path, ScanOptions(limits=Limits(total_floor_bytes=4 * MiB,
                                                       max_total_ratio=1)))
    assert GOOD in _masks(result)
    # One record for the archive: which members a spent limit cost, and why.
    assert [e.path.rsplit("/", 1)[-1] for e in result.errors] == ["mixed.zip"]
    assert result.errors[0].message.startswith("1 member(s) not read: total uncompressed")


@pytest.mark.parametrize(("name", "data"), [
    ("deep.json", makers.deep_json(100_000)),
    ("deep.jsonl", makers.deep_json(100_000) + b"\n" + makers.GOOD.replace(b"\n", b"") + b"\n"),
])
def test_json_nested_100000_deep(tmp_path: Path, name: str, data: bytes) -> None:
    result, _ = _scan(tmp_path, name, data)
    summary = result.summary()  # type: ignore[attr-defined]
    if name.endswith(".jsonl"):
        assert GOOD in _masks(result), "the line too deep to parse is read as text"
    else:
        assert summary["errors"] == 1 and "nested too deeply" in result.errors[0].message  # type: ignore[attr-defined]


def test_a_csv_cell_over_csvs_own_limit_is_read(tmp_path: Path) -> None:
    rows = ["身份证号,备注"] + [f"{makers.GOOD_ID},x"] + [f"{makers.GOOD_ID},{'y' * 200_000}"]
    result, _ = _scan(tmp_path, "wide.csv", "\n".join(rows).encode())
    assert result.summary()["errors"] == 0  # type: ignore[attr-defined]
    assert len([i for i in result.findings]) == 2  # type: ignore[attr-defined]


def test_findings_are_capped_per_member_and_per_scan(tmp_path: Path) -> None:
    """A member holding 30,000 phone numbers keeps 10,000 findings and counts the rest; a
    scan keeps at most its cap in all. The report stays bounded; nothing is silently lost."""
    block = ("13812345678\n" * 30_000).encode()
    (tmp_path / "pack").mkdir()
    for index in range(3):
        (tmp_path / "pack" / f"{index}.txt").write_bytes(block)
    result = scan_path(tmp_path / "pack", ScanOptions(limits=Limits(max_findings=25_000)))
    assert len(result.findings) == 25_000
    assert result.summary()["findings_not_kept"] == 3 * 30_000 - 25_000
    assert [count for _, count in result.not_kept] == [20_000, 20_000, 25_000]


def test_the_cap_is_per_type_so_a_rare_number_is_still_listed(tmp_path: Path) -> None:
    """Held-out set 12's f32: a dump of 150,000 phones and, at row 75,000, an ID: the cap
    was spent on phones, so the ID was counted but listed nowhere in the report."""
    rows = ["13812345678"] * 30_000
    rows[20_000] = "sfz 110101199003071233"
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "dump.txt").write_text("\n".join(rows) + "\n")
    result = scan_path(tmp_path / "pack")
    types = [i.finding.type for i in result.findings]
    assert types.count("PHONE_NUMBER") == 10_000 and types.count("CN_RESIDENT_ID") == 1
    assert [i.location.line for i in result.findings if i.finding.type == "CN_RESIDENT_ID"] \
        == [20_001]
    assert result.summary()["findings_not_kept"] == 30_000 - 1 - 10_000


def test_a_pdf_stream_that_inflates_past_the_limit_is_left_out(tmp_path: Path) -> None:
    """PDFium inflates a content stream whole (1 GiB of spaces: 1 GB of memory): streams are
    measured first, and one past the limit is left out of what PDFium reads (an error
    record says where). The rest of the PDF is read: here its second page."""
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "bomb.pdf").write_bytes(
        makers.pdf_with_stream_bomb(80 * MiB, after=b"phone 13812345678"))
    (tmp_path / "pack" / "good.txt").write_bytes(makers.GOOD)
    result = scan_path(tmp_path / "pack", ScanOptions(limits=Limits(max_member_bytes=32 * MiB)))
    assert GOOD in _masks(result)
    on_page_2 = [i for i in result.findings if i.location.path.endswith("bomb.pdf")]
    assert [(i.location.page, i.finding.type) for i in on_page_2] == [(2, "PHONE_NUMBER")]
    assert len(result.errors) == 1 and "expands past" in result.errors[0].message
    assert "bomb.pdf (stream at byte " in result.errors[0].path


def test_a_pdf_with_many_bombs_is_refused_whole(tmp_path: Path) -> None:
    """Each stream is inflated up to the limit to be measured: past a few, the PDF is
    refused (one record) rather than measured bomb by bomb."""
    from notforsale.read import pdf

    data = makers.pdf_with_stream_bomb(8 * MiB, after=b"phone 13812345678")
    result, _ = _scan(tmp_path, "bomb.pdf", data, max_member_bytes=4 * MiB)
    assert len(result.errors) == 1 and result.findings  # type: ignore[attr-defined]
    limited = pdf.MAX_BOMB_STREAMS
    try:
        pdf.MAX_BOMB_STREAMS = 0
        refused, _ = _scan(tmp_path, "bomb2.pdf", data, max_member_bytes=4 * MiB)
    finally:
        pdf.MAX_BOMB_STREAMS = limited
    assert not refused.findings and len(refused.errors) == 1  # type: ignore[attr-defined]
    assert "expands past" in refused.errors[0].message  # type: ignore[attr-defined]


def test_a_pdf_stream_under_the_limit_is_read(tmp_path: Path) -> None:
    result, _ = _scan(tmp_path, "ok.pdf", makers.pdf_with_stream_bomb(2 * MiB))
    assert GOOD in _masks(result) and result.summary()["errors"] == 0  # type: ignore[attr-defined]


def test_standard_input_is_streamed_in_pieces_with_its_line_numbers() -> None:
    """`scan -` read standard input whole; it is read in pieces now, a number on each side
    of a piece's cut still found, and lines counted across pieces."""
    import io

    from notforsale.read.text_files import stdin_pieces

    text = "".join(f"line {i}\n" for i in range(10_000)) + "身份证 110101199003071233\n"
    pieces = list(stdin_pieces(io.BytesIO(text.encode()), chunk=4096))
    assert len(pieces) > 10
    assert max(len(piece) for _, piece in pieces) < 4096 + 200
    assert "".join(piece for _, piece in pieces) == text
    lines, last = pieces[-1]
    assert lines + last.count("\n", 0, last.index("身份证")) == 10_000


def test_scan_of_standard_input_keeps_line_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    from notforsale.read import text_files

    text = "x\n" * 5000 + "手机 13812345678\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    monkeypatch.setattr(text_files, "STDIN_CHUNK", 1024)
    result = scan_path("-")
    assert [(i.location.path, i.location.line) for i in result.findings] == [("-", 5001)]


def test_large_images_are_decoded_one_at_a_time() -> None:
    """The pixel budget: images whose pixels together exceed it wait their turn, so
    memory stays near one large image's, however many workers."""
    import threading

    from notforsale.read.images import PixelBudget

    budget = PixelBudget(100)
    inside, most = [0], [0]
    lock = threading.Lock()

    def work(size: int) -> None:
        with budget.reserve(size):
            with lock:
                inside[0] += size
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            with lock:
                inside[0] -= size

    threads = [threading.Thread(target=work, args=(size,)) for size in (90, 90, 90, 500, 5, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] <= 100 or most[0] == 500  # one over the budget is read alone


def test_a_workbook_with_a_huge_shared_string_is_refused(tmp_path: Path) -> None:
    """openpyxl reads shared strings whole: a 1 MB workbook holding one 1 GiB string took
    3 GB. Its parts are measured first (here 80 MiB)."""
    data = makers.xlsx_with_huge_shared_string(80 * MiB)
    assert len(data) < 1 * MiB
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "book.xlsx").write_bytes(data)
    (tmp_path / "pack" / "good.txt").write_bytes(makers.GOOD)
    result = scan_path(tmp_path / "pack")
    assert GOOD in _masks(result)
    assert len(result.errors) == 1 and "book.xlsx" in result.errors[0].path


def test_redacting_an_archive_holds_one_member_not_the_archive(tmp_path: Path) -> None:
    """Redaction rebuilt an archive from a list of every member's bytes (600 x 4 MiB held
    2.7 GB); members are now written as they are redacted."""
    import tracemalloc
    import zipfile

    from notforsale.redact.tree import RedactOptions, redact

    source = tmp_path / "big.zip"
    block = ("nothing personal here\n" * 190_000).encode()  # ~4 MiB, compresses to ~20 KB
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(20):  # 80 MiB held at once if the archive were held
            archive.writestr(f"part-{index:02d}.txt", block)
    tracemalloc.start()
    report = redact(source, tmp_path / "clean.zip", RedactOptions(verify=False, workers=1))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.summary()["files"] == 20
    with zipfile.ZipFile(tmp_path / "clean.zip") as archive:
        assert len(archive.namelist()) == 20
    assert peak < 60 * MiB, f"peak {peak / MiB:.0f} MiB for 20 members of 4 MiB"


def test_a_sqlite_generated_column_bomb_is_an_error_record(tmp_path: Path) -> None:
    """A virtual generated column computes its value on every read: zeroblob(300e6) per row
    took the scan past 4 GB (an independent tester's case B06). SQLite's own length limit
    now refuses such a value; that table is an error record, the others are read."""
    import sqlite3

    db = tmp_path / "people.db"
    with sqlite3.connect(db) as connection:
        connection.execute("create table a_people(name text, sfz text)")
        connection.execute("insert into a_people values('张三', ?)", (makers.GOOD_ID,))
        connection.execute("create table b_bomb(x integer, y blob generated always as "
                           "(zeroblob(300000000)) virtual)")
        connection.executemany("insert into b_bomb(x) values(?)", [(i,) for i in range(8)])
    connection.close()
    result = scan_path(db)
    assert GOOD in _masks(result)
    assert len(result.errors) == 1 and "b_bomb" in result.errors[0].path

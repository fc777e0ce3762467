"""Large files read in pieces give what the whole file gives.

Each case is a file written two ways of reading: whole (pieces larger than the file) and
cut into pieces of a few hundred bytes (every cut rule is crossed many times). The findings
— type, fingerprint, row, line, field — and the profiles must be the same; the file counts
once; its name's findings are told once.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from stdnum import luhn
from stdnum.cn import ric

from notforsale.read.limits import Limits
from notforsale.scan import ScanOptions, scan_path

WHOLE = ScanOptions(limits=Limits(piece_bytes=1 << 30), faces=False, ocr="never")
CUT = ScanOptions(limits=Limits(piece_bytes=300), faces=False, ocr="never")


def _id(rng: random.Random) -> str:
    body = f"110105{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
           f"{rng.randint(100, 999)}"
    return body + ric.calc_check_digit(body + "0")  # it reads all but the last character


def _card(rng: random.Random) -> str:
    body = "622202" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    return body + luhn.calc_check_digit(body)


def _phone(rng: random.Random) -> str:
    return "138" + "".join(str(rng.randint(0, 9)) for _ in range(8))


def _people(n: int, seed: int = 7) -> list[tuple[str, str, str, str]]:
    rng = random.Random(seed)
    return [(f"user{i}", _id(rng), _card(rng), _phone(rng)) for i in range(n)]


def _csv(people: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["name,id_number,bank_card,mobile"]
    for i, (name, rid, card, phone) in enumerate(people):
        note = f'"{name}\nline two, with a comma"' if i % 7 == 0 else name  # quoted newline
        lines.append(f"{note},{rid},{card},{phone}")
    return ("\n".join(lines) + "\n").encode()


def _tsv(people: list[tuple[str, str, str, str]]) -> bytes:
    return ("".join(f"{n}\t{r}\t{c}\t{p}\n" for n, r, c, p in people)).encode()


def _sql_multiline(people: list[tuple[str, str, str, str]]) -> bytes:
    """phpMyAdmin's style: one INSERT, one row a line; columns only in CREATE TABLE."""
    rows = ",\n".join(f"('{n}', '{r}', '{c}', '{p}')" for n, r, c, p in people)
    return (f"CREATE TABLE `users` (\n  `name` varchar(20),\n  `idcard` char(18),\n"
            f"  `card` varchar(19),\n  `phone` varchar(11)\n);\n"
            f"INSERT INTO `users` VALUES\n{rows};\n").encode()


def _sql_extended(people: list[tuple[str, str, str, str]]) -> bytes:
    """mysqldump's style: many statements, several rows each, columns named."""
    out = []
    for start in range(0, len(people), 3):
        rows = ",".join(f"('{n}','{r}','{c}','{p}')" for n, r, c, p in people[start:start + 3])
        out.append(f"INSERT INTO `users` (`name`,`idcard`,`card`,`phone`) VALUES {rows};")
    return ("-- dump\n" + "\n".join(out) + "\n").encode()


def _sql_copy(people: list[tuple[str, str, str, str]]) -> bytes:
    """pg_dump's COPY block, cut in the middle of its rows."""
    rows = "".join(f"{n}\t{r}\t{c}\t{p}\n" for n, r, c, p in people)
    return ("COPY public.users (name, idcard, card, phone) FROM stdin;\n" + rows
            + "\\.\n").encode()


def _jsonl(people: list[tuple[str, str, str, str]]) -> bytes:
    return "".join(f'{{"name": "{n}", "sfz": "{r}", "card": "{c}", "tel": "{p}"}}\n'
                   + ("\n" if i % 5 == 0 else "")  # blank lines keep their numbers
                   for i, (n, r, c, p) in enumerate(people)).encode()


def _text(people: list[tuple[str, str, str, str]]) -> bytes:
    return "".join(f"{n}----{r}----{c}----{p}\n" for n, r, c, p in people).encode()


def _gb18030(people: list[tuple[str, str, str, str]]) -> bytes:
    return "".join(f"姓名{n} 身份证{r} 银行卡{c} 手机{p}\n" for n, r, c, p in people
                   ).encode("gb18030")


CASES = [
    ("leak.csv", _csv, "a header row; quoted cells with line breaks are never cut"),
    ("leak.tsv", _tsv, "no header: column numbers are the fields in every piece"),
    ("dump.sql", _sql_multiline, "one INSERT over many lines: its header is carried"),
    ("mysqldump.sql", _sql_extended, "statements end in pieces: column names kept"),
    ("pg.sql", _sql_copy, "a COPY block cut in its rows: the COPY line is carried"),
    ("leak.jsonl", _jsonl, "line numbers are the records, blank lines counted"),
    ("leak.txt", _text, "'----' lines of a text file: line numbers as in the file"),
    ("gbk.txt", _gb18030, "GB18030 text: the encoding found on the first piece holds"),
]


def _view(result) -> list[tuple]:
    return sorted((f.finding.type, f.finding.fingerprint, f.location.row, f.location.line,
                   f.location.column, f.location.field, f.location.part) for f in result.findings)


def _profiles(result) -> list[tuple]:
    return sorted(tuple(sorted((e.type, e.fingerprint) for e in p.entities))
                  for p in result.profiles)


@pytest.mark.parametrize(("name", "build", "reason"), CASES, ids=[c[0] for c in CASES])
def test_pieces_give_what_the_whole_file_gives(tmp_path: Path, name: str, build, reason: str
                                               ) -> None:
    path = tmp_path / name
    path.write_bytes(build(_people(60)))
    assert path.stat().st_size > 10 * CUT.limits.piece_bytes, "the case must be cut"
    whole = scan_path(path, WHOLE)
    cut = scan_path(path, CUT)
    assert not whole.errors and not cut.errors, (reason, cut.errors)
    assert len(whole.findings) >= 3 * 60, reason
    assert _view(cut) == _view(whole), reason
    assert cut.files == whole.files == 1, reason


def test_pieces_link_rows_into_profiles_as_the_whole_file(tmp_path: Path) -> None:
    # A photo named by the ID of a row deep in the table ties that row's card and phone.
    from notforsale.demo import _astronaut, jpeg_bytes

    people = _people(60)
    (tmp_path / "leak.csv").write_bytes(_csv(people))
    (tmp_path / f"{people[50][1]}.jpg").write_bytes(jpeg_bytes(_astronaut()))
    options = {"faces": True, "ocr": "never"}
    whole = scan_path(tmp_path, ScanOptions(limits=WHOLE.limits, **options))
    cut = scan_path(tmp_path, ScanOptions(limits=CUT.limits, **options))
    assert _profiles(cut) == _profiles(whole)
    assert any(len(p) >= 3 for p in _profiles(cut)), "the row's ID, card and phone link"


def test_a_large_files_name_is_told_once(tmp_path: Path) -> None:
    path = tmp_path / "13812345678.txt"
    path.write_bytes(_text(_people(60)))
    cut = scan_path(path, CUT)
    named = [f for f in cut.findings if f.location.field == "file name"]
    assert len(named) == 1
    assert cut.files == 1


def test_a_line_longer_than_the_member_limit_ends_the_file_with_a_record(tmp_path: Path
                                                                          ) -> None:
    people = _people(20)
    path = tmp_path / "leak.txt"
    path.write_bytes(_text(people) + b"x" * 5000 + b"\n" + _text(_people(5, seed=9)))
    options = ScanOptions(limits=Limits(piece_bytes=300, max_member_bytes=2000), faces=False,
                          ocr="never")
    result = scan_path(path, options)
    assert len(result.errors) == 1
    assert "longer than the member limit" in result.errors[0].message
    assert "rest of the file was not read" in result.errors[0].message
    found = {f.finding.fingerprint for f in result.findings}
    assert len(found) >= 3 * 20 - 3, "the pieces before the long line are read"


def test_utf16_larger_than_the_member_limit_is_an_error_record(tmp_path: Path) -> None:
    path = tmp_path / "leak.txt"
    path.write_bytes(_text(_people(40)).decode().encode("utf-16"))
    result = scan_path(path, ScanOptions(limits=Limits(piece_bytes=300), faces=False,
                                         ocr="never"))
    assert [e.message for e in result.errors] == [
        "a UTF-16 or UTF-32 file larger than the member limit is not read in pieces"]
    assert not result.findings


def test_small_files_are_not_cut(tmp_path: Path) -> None:
    path = tmp_path / "leak.csv"
    path.write_bytes(_csv(_people(3)))
    result = scan_path(path, ScanOptions(faces=False, ocr="never"))
    assert result.files == 1 and len(result.findings) == 9

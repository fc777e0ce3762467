"""Hostile inputs, generated (nothing large is committed): bombs, lies, traps.

Each maker returns bytes built the way an attacker would build them, small on disk.
"""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

GOOD_ID = "110101199003071233"
GOOD = f"身份证号 {GOOD_ID}\n".encode()


def overlapping_zip(entries: int, kernel: bytes, good: bytes | None = GOOD) -> bytes:
    """A zip whose central directory lists ``entries`` names for one compressed block
    (Fifield's overlapping-entry construction), then an honest member after it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("kernel.txt", kernel)
        if good is not None:
            archive.writestr("good.txt", good)
    data = out.getvalue()
    eocd = data.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack("<II", data[eocd + 12:eocd + 20])
    directory = data[cd_offset:cd_offset + cd_size]
    first_length = 46 + struct.unpack("<H", directory[28:30])[0] + \
        struct.unpack("<H", directory[30:32])[0] + struct.unpack("<H", directory[32:34])[0]
    first, rest = directory[:first_length], directory[first_length:]
    copies = []
    for index in range(entries):
        name = f"k{index:06d}.txt".encode()
        entry = bytearray(first[:46]) + name
        entry[28:30] = struct.pack("<H", len(name))
        entry[30:32] = b"\x00\x00"
        entry[32:34] = b"\x00\x00"
        copies.append(bytes(entry))
    new_directory = first + b"".join(copies) + rest
    total = 1 + entries + (1 if good is not None else 0)
    end = bytearray(data[eocd:eocd + 22])
    end[8:10] = struct.pack("<H", min(total, 0xFFFF))
    end[10:12] = struct.pack("<H", min(total, 0xFFFF))
    end[12:16] = struct.pack("<I", len(new_directory))
    end[16:20] = struct.pack("<I", cd_offset)
    return data[:cd_offset] + new_directory + bytes(end)


def zip_with_bad_crc(good: bytes = GOOD) -> bytes:
    """Three members; the middle one's CRC is wrong."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.txt", b"nothing here")
        archive.writestr("b.txt", b"corrupted member data")
        archive.writestr("c.txt", good)
    data = bytearray(out.getvalue())
    at = data.find(b"corrupted")
    data[at] ^= 0xFF
    return bytes(data)


def zip_with_invalid_utf8_name(good: bytes = GOOD) -> bytes:
    """A member flagged as UTF-8 whose name bytes are GBK (as some tools write them)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("~~~~.txt", good)
        archive.writestr("other.txt", b"x")
    data = out.getvalue().replace(b"~~~~", "名单".encode("gbk"))
    fixed = bytearray(data)
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = fixed.find(signature)
        while at != -1:
            flags = struct.unpack("<H", fixed[at + flag_at:at + flag_at + 2])[0]
            fixed[at + flag_at:at + flag_at + 2] = struct.pack("<H", flags | 0x800)
            at = fixed.find(signature, at + 4)
    return bytes(fixed)


def tar_with_long_name_header(declared: int, good: bytes = GOOD) -> bytes:
    """A tar.gz whose GNU long-name header declares ``declared`` bytes (zeros follow,
    compressed to almost nothing), then a good member."""
    header = tarfile.TarInfo("././@LongLink")
    header.type = tarfile.GNUTYPE_LONGNAME
    header.size = declared
    raw = io.BytesIO()
    raw.write(header.tobuf(format=tarfile.GNU_FORMAT))
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = compressor.compress(raw.getvalue())
    chunk = b"\x00" * (1 << 20)
    for _ in range(declared // len(chunk)):
        out += compressor.compress(chunk)
    out += compressor.compress(b"\x00" * (declared % len(chunk) + (-declared) % 512))
    tail = io.BytesIO()
    with tarfile.open(fileobj=tail, mode="w") as archive:
        info = tarfile.TarInfo("good.txt")
        info.size = len(good)
        archive.addfile(info, io.BytesIO(good))
    out += compressor.compress(tail.getvalue()) + compressor.flush()
    return out


def tar_with_special_files(good: bytes = GOOD) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for name, kind in (("dev/sda", tarfile.BLKTYPE), ("dev/tty", tarfile.CHRTYPE),
                           ("pipe", tarfile.FIFOTYPE)):
            info = tarfile.TarInfo(name)
            info.type = kind
            archive.addfile(info)
        info = tarfile.TarInfo("good.txt")
        info.size = len(good)
        archive.addfile(info, io.BytesIO(good))
    return out.getvalue()


def nested_zip_bomb(levels: int, width: int, leaf_bytes: int) -> bytes:
    """``width`` copies of the level below, ``levels`` deep, leaves of ``leaf_bytes`` of one
    repeated character (42.zip's shape, small)."""
    level = b"A" * leaf_bytes
    name = "leaf.txt"
    for depth in range(levels):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for index in range(width):
                archive.writestr(f"{depth}-{index}-{name}", level)
        level, name = out.getvalue(), "x.zip"
    return level


def deep_json(depth: int) -> bytes:
    return (b"[" * depth) + b'"' + GOOD_ID.encode() + b'"' + (b"]" * depth)


def seven_zip_variants(good: bytes = GOOD) -> dict[str, bytes]:
    import py7zr

    plain = io.BytesIO()
    with py7zr.SevenZipFile(plain, "w") as archive:
        archive.writestr(good, "good.txt")
    encrypted = io.BytesIO()
    with py7zr.SevenZipFile(encrypted, "w", password="x", header_encryption=True) as archive:
        archive.writestr(good, "good.txt")
    data = plain.getvalue()
    corrupt = bytearray(data)
    for index in range(len(corrupt) - 40, len(corrupt)):
        corrupt[index] ^= 0x5A
    return {"truncated.7z": data[: len(data) // 2], "corrupt-header.7z": bytes(corrupt),
            "encrypted-header.7z": encrypted.getvalue(),
            "magic.txt": b"7z\xbc\xaf\x27\x1c" + b" " + good}


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1, the first the catalog) with its xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + content + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def pdf_with_stream_bomb(inflated: int, after: bytes | None = None) -> bytes:
    """A PDF whose first page's content stream is ``inflated`` bytes of spaces after a line
    of text (compressed to a few hundred KB); ``after``, a line of text for a second page
    whose content stream is small."""
    compressor = zlib.compressobj(9)
    body = compressor.compress(b"BT /F1 12 Tf 72 720 Td (ID 110101199003071233) Tj ET\n")
    chunk = b" " * (1 << 20)
    for _ in range(inflated // len(chunk)):
        body += compressor.compress(chunk)
    body += compressor.flush()
    font = (b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont "
            b"/Helvetica >> >> >>")
    kids = b"[4 0 R 6 0 R]" if after else b"[4 0 R]"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids %s /Count %d >>" % (kids, 2 if after else 1),
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body
               + b"\nendstream",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
               + font + b" >>"]
    if after:
        small = zlib.compress(b"BT /F1 12 Tf 72 720 Td (" + after + b") Tj ET\n")
        objects += [b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(small) + small
                    + b"\nendstream",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
                    + font + b" >>"]
    return pdf_of(objects)


def xlsx_with_huge_shared_string(size: int) -> bytes:
    """A workbook whose one shared string is ``size`` bytes of one letter (tiny compressed)."""
    import zipfile as _zipfile

    from tests.builders import xlsx

    source = _zipfile.ZipFile(io.BytesIO(xlsx([["a"], ["b"]])))
    out = io.BytesIO()
    with source, _zipfile.ZipFile(out, "w", _zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http:'
                                    b'//schemas.openxmlformats.org/officeDocument/2006/'
                                    b'relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            target.writestr(info.filename, data)
        head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/' \
               b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
        target.writestr("xl/sharedStrings.xml", head + b"A" * size + b"</t></si></sst>")
    return out.getvalue()


def barred_png(width: int, height: int, bands: int = 8) -> bytes:
    """A flat white RGB PNG with ``bands`` bands of short black bars across its top (each a
    long text line to a text detector; more than the recogniser's batch of six), written row
    by row: small on disk, ``3 * width * height`` bytes decoded."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + \
            struct.pack(">I", zlib.crc32(kind + body))

    white = b"\0" + b"\xff" * (3 * width)
    bars = b"\0" + (b"\xff" * 30 + b"\0" * 30) * (width // 20) + \
        b"\xff" * (3 * width - 60 * (width // 20))
    squeeze = zlib.compressobj(6)
    idat = b"".join(squeeze.compress(bars if (y // 50) % 7 == 3 and y < 350 * bands else white)
                    for y in range(height)) + squeeze.flush()
    return b"\x89PNG\r\n\x1a\n" + \
        chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def pdf_with_form_fanout(levels: int, fan: int = 2, *, hide: str = "", page_draws: int = 1,
                         text: bytes = b"ID 110101199003071233",
                         after: bytes | None = None) -> bytes:
    """A PDF whose first page (its line ``text``) draws Form XObject 0 ``page_draws``
    times, each form drawing the next ``fan`` times, ``levels`` forms in all (the fifth
    hostile set's x06: 28 levels of 2 is 2²⁸ draws from 6 KB). ``hide`` moves where the
    names are resolved, as an evasive seller would: "indirect" (each /Resources and /XObject
    dictionary an object of its own), "inherited" (the page's resources on its /Pages node),
    "escaped" (names written with #xx escapes: /X#30, /F#6frm), "compressed" (every content
    stream deflated). ``after``: a line of text on a second page, which draws no form."""
    font = b"/Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>"
    objects: list[bytes] = []

    def add(content: bytes) -> int:
        objects.append(content)
        return len(objects)

    def stream(head: bytes, body: bytes) -> bytes:
        if hide == "compressed":
            body = zlib.compress(body, 9)
            head += b" /Filter /FlateDecode"
        return b"<< %s /Length %d >>\nstream\n" % (head, len(body)) + body + b"\nendstream"

    name = b"/X#30" if hide == "escaped" else b"/X0"

    def resources(target: int, extra: bytes = b"") -> bytes:
        if hide == "indirect":
            xobjects = add(b"<< /X0 %d 0 R >>" % target)
            return b"%d 0 R" % add(b"<< %s /XObject %d 0 R >>" % (extra, xobjects))
        return b"<< %s /XObject << /X0 %d 0 R >> >>" % (extra, target)

    add(b"<< /Type /Catalog /Pages 2 0 R >>")
    add(b"")  # the page tree, written last
    forms = [add(b"") for _ in range(levels)]
    for level, number in enumerate(forms):
        if level + 1 < levels:
            body = (name + b" Do\n") * fan
            head = b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources " + \
                resources(forms[level + 1])
        else:
            body, head = b"0 0 1 1 re f\n", b"/Type /XObject /Subtype /Form /BBox [0 0 10 10]"
        if hide == "escaped":
            head = head.replace(b"/Subtype /Form", b"/Subtype /F#6frm")
        objects[number - 1] = stream(head, body)
    page_body = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET\n" + (name + b" Do\n") * page_draws
    page_resources = resources(forms[0], font)
    contents = add(stream(b"", page_body))
    own = b"" if hide == "inherited" else b"/Resources " + page_resources
    kids = [add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R %s >>"
                % (contents, own))]
    if after is not None:
        second = add(stream(b"", b"BT /F1 12 Tf 72 720 Td (" + after + b") Tj ET\n"))
        kids.append(add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents "
                        b"%d 0 R /Resources << %s >> >>" % (second, font)))
    inherited = b"/Resources " + page_resources if hide == "inherited" else b""
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d %s >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids), len(kids), inherited)
    return pdf_of(objects)


def scan_and_redact(tmp_path: Path, files: dict[str, bytes]) -> tuple[set[str], object]:
    """``files`` written under ``tmp_path/src``, scanned and redacted to ``tmp_path/out``:
    the masked values found, and the redaction's report."""
    from notforsale.redact.tree import redact
    from notforsale.scan import scan_path

    (tmp_path / "src").mkdir()
    for name, data in files.items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_bytes(data)
    result = scan_path(tmp_path / "src")
    report = redact(tmp_path / "src", tmp_path / "out")
    return {i.finding.masked for i in result.findings}, report

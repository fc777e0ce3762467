"""One registry of the formats notforsale knows: how to tell them, read them, rewrite them.

Scanning, redaction and verification all ask this registry, so they cannot disagree
about what was read: a format either has a reader (and then a writer, or a reason it
cannot be rewritten) or it is *skipped* — known by name but not read — and every
skipped file is listed with its format.

A member's format is told by its magic bytes first (a zip renamed ``.jpg`` is still
a zip), then by its suffix; bytes with no known magic and no known suffix that look
like text are read as text. :func:`candidates` gives the formats to try in order: if
the first cannot read the member (a ``.csv`` that starts like a zip), the next one
is tried: a ``contract.docx`` that is plain text is read as text, a zip named ``.xlsx``
with no workbook in it as an archive, a JSON file cut short as plain text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .member import Member
from .units import Part, ReadContext, TextUnit

Reader = Callable[[Member, ReadContext], Iterator[Part]]


@dataclass(frozen=True)
class Format:
    """A file format: its name, how to recognize it, read it and (maybe) rewrite it."""

    name: str
    label: str
    suffixes: tuple[str, ...] = ()
    #: "archive" (opened by the walker), "image", "video", "document".
    kind: str = "document"
    #: None: known, but not read (the file is skipped and listed).
    reader: Reader | None = None
    #: Name of the redaction writer (see ``redact.writers``); None: cannot be rewritten.
    writer: str | None = None
    #: Why it is not read, or not rewritten.
    note: str = ""

    @property
    def readable(self) -> bool:
        return self.reader is not None or self.kind in ("archive", "image", "video")


def _lazy(module: str, name: str) -> Reader:
    """A reader imported on first use (some pull in heavy libraries)."""

    def read(member: Member, ctx: ReadContext) -> Iterator[Part]:
        import importlib

        function: Reader = getattr(importlib.import_module(module, __package__), name)
        return function(member, ctx)

    read.__name__ = name
    return read


_DOC = "notforsale.read.documents"
TEXT = Format("text", "text", (".txt", ".md", ".log", ".text", ".ini", ".cfg", ".conf", ".xml",
                               ".vcf", ".yaml", ".yml", ".properties", ".srt", ".tex"),
              reader=_lazy(_DOC, "read_plain"), writer="text")
HTML = Format("html", "HTML page", (".html", ".htm", ".xhtml", ".shtml"),
              reader=_lazy("notforsale.read.html", "read_html"), writer="html")
CSV = Format("csv", "delimited table", (".csv", ".tsv"),
             reader=_lazy(_DOC, "read_delimited"), writer="table")
JSON = Format("json", "JSON", (".json",), reader=_lazy(_DOC, "read_json"), writer="json")
JSONL = Format("jsonl", "JSON lines", (".jsonl", ".ndjson"),
               reader=_lazy(_DOC, "read_json_lines"), writer="jsonl")
XLSX = Format("xlsx", "Excel workbook", (".xlsx", ".xlsm"),
              reader=_lazy(_DOC, "read_xlsx"), writer="xlsx")
XLS = Format("xls", "legacy Excel workbook (BIFF)", (".xls",),
             reader=_lazy(_DOC, "read_xls"), writer=None,
             note="legacy .xls cannot be rewritten here (no maintained writer)")
DOCX = Format("docx", "Word document", (".docx", ".docm", ".dotx"),
              reader=_lazy("notforsale.read.office", "read_docx"), writer="ooxml")
PPTX = Format("pptx", "PowerPoint presentation", (".pptx", ".pptm", ".ppsx"),
              reader=_lazy("notforsale.read.office", "read_pptx"), writer="ooxml")
ODF = Format("odf", "OpenDocument file", (".odt", ".ods", ".odp", ".odg", ".ott"),
             reader=_lazy("notforsale.read.office", "read_odf"), writer="odf")
EPUB = Format("epub", "EPUB book", (".epub",),
              reader=_lazy("notforsale.read.office", "read_epub"), writer="epub")
RTF = Format("rtf", "Rich Text Format", (".rtf",),
             reader=_lazy("notforsale.read.rtf", "read_rtf"), writer="rtf")
PDF = Format("pdf", "PDF", (".pdf",), reader=_lazy("notforsale.read.pdf", "read_pdf"),
             writer="pdf")
EML = Format("eml", "e-mail message or saved web page (MIME)",
             (".eml", ".msg822", ".emlx", ".mht", ".mhtml"),
             reader=_lazy("notforsale.read.mail", "read_eml"), writer="eml")
MBOX = Format("mbox", "mailbox", (".mbox", ".mbx"),
              reader=_lazy("notforsale.read.mail", "read_mbox"), writer="mbox")
SQL = Format("sql", "SQL dump", (".sql",), reader=_lazy("notforsale.read.sql", "read_sql"),
             writer="sql")
SQLITE = Format("sqlite", "SQLite database", (".db", ".sqlite", ".sqlite3", ".db3"),
                reader=_lazy("notforsale.read.sql", "read_sqlite"), writer="sqlite")
SQLITE_WAL = Format("sqlite_wal", "SQLite write-ahead log",
                    (".db-wal", ".sqlite-wal", ".sqlite3-wal", ".db3-wal"),
                    reader=_lazy("notforsale.read.sql", "read_sqlite_wal"), writer=None,
                    note="an SQLite write-ahead log is read, not rewritten (the database's "
                         "copy is made from its main file)")
SQLITE_JOURNAL = Format("sqlite_journal", "SQLite rollback journal",
                        (".db-journal", ".sqlite-journal", ".sqlite3-journal", ".db3-journal"),
                        reader=_lazy("notforsale.read.sql", "read_sqlite_journal"),
                        writer=None, note="an SQLite rollback journal is read, not rewritten "
                                          "(it holds pages as they were before a change)")
TIFF_PAGES = Format("tiff_pages", "multi-page TIFF", (), reader=_lazy(
    "notforsale.read.images", "read_tiff_pages"), writer="tiff_pages")
IMAGE = Format("image", "image", (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif",
                                  ".tiff"), kind="image", writer="image")
ZIP = Format("zip", "zip archive", (".zip",), kind="archive", writer="archive")
TAR = Format("tar", "tar archive", (".tar", ".tgz", ".tbz", ".tbz2", ".txz"), kind="archive",
             writer="archive")
SEVEN_Z = Format("7z", "7z archive", (".7z",), kind="archive", writer="archive")
VIDEO = Format("video", "video", (".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi", ".flv",
                                  ".3gp", ".3g2", ".mpg", ".mpeg", ".wmv", ".asf", ".m2ts",
                                  ".mts"),
               kind="video", writer="video")
OLE = Format("ole", "OLE2 compound file (legacy .doc, .ppt, .msg, Thumbs.db)",
             (".doc", ".ppt", ".msg", ".dot", ".pps"), note="legacy Office files are not read")
UNKNOWN = Format("unknown", "unknown binary format", note="format not understood")

FORMATS: tuple[Format, ...] = (TEXT, HTML, CSV, JSON, JSONL, XLSX, XLS, DOCX, PPTX, ODF, EPUB,
                               RTF, PDF, EML, MBOX, SQL, SQLITE, SQLITE_WAL, SQLITE_JOURNAL,
                               IMAGE, ZIP, TAR, SEVEN_Z, VIDEO, OLE)
_BY_SUFFIX = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}
#: Zip-based documents: files to read, not archives to open.
ZIP_DOCUMENT_SUFFIXES = XLSX.suffixes + DOCX.suffixes + PPTX.suffixes + ODF.suffixes + \
    EPUB.suffixes


def suffix_of(name: str) -> str:
    lowered = name.lower()
    for double in (".tar.gz", ".tar.bz2", ".tar.xz"):
        if lowered.endswith(double):
            return ".tar"
    dot = lowered.rfind(".")
    return lowered[dot:] if dot > 0 else ""


def looks_like_tar(head: bytes) -> bool:
    """Whether the first 512 bytes are a tar header: the ustar magic, or (a V7 tar, which
    has none) a header whose checksum tarfile finds right and that names a member."""
    import tarfile

    if len(head) > 262 and head[257:262] == b"ustar":
        return True
    if len(head) < 512 or not head[:1].strip(b"\x00"):
        return False
    try:
        info = tarfile.TarInfo.frombuf(head[:512], "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return bool(info.name) and info.size >= 0


def by_magic(head: bytes) -> Format | None:
    """The format the first bytes announce, if any."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return SEVEN_Z
    if looks_like_tar(head):
        return TAR
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"SQLite format 3\x00"):
        return SQLITE
    if head[:4] in (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83"):
        return SQLITE_WAL
    if head.startswith(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"):
        return SQLITE_JOURNAL
    if head.startswith(b"{\\rtf"):
        return RTF
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")) \
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return IMAGE
    from .video import looks_like_video

    if looks_like_video(head):
        return VIDEO
    return None


def candidates(member: Member) -> list[Format]:
    """The formats to try for ``member``, most likely first (never empty)."""
    head = member.data[:512]
    by_name = _BY_SUFFIX.get(suffix_of(member.name))
    magic = by_magic(head)
    found: list[Format] = []
    if magic is IMAGE and head.startswith((b"II*\x00", b"MM\x00*")) and \
            _tiff_pages(member.data) > 1:
        return [TIFF_PAGES]  # a scanned document of several pages: each page an image
    if magic is ZIP and by_name is not None and by_name.suffixes[0] in ZIP_DOCUMENT_SUFFIXES \
            and not plain_zip(member.data):
        found.append(by_name)  # a docx is a zip: read it as the document it is
    elif magic is OLE and by_name is XLS:
        found.append(XLS)
    elif magic is not None:
        found.append(magic)
    if by_name is not None and by_name not in found:
        found.append(by_name)
    if not found or all(not fmt.readable for fmt in found):
        if _looks_textual(head) and by_name not in (VIDEO, OLE, IMAGE):
            found.insert(0, TEXT)
            if by_name is None and looks_like_mail(head):
                found.insert(0, EML)  # a Maildir file: a message, named by no suffix
    elif magic is None and by_name in (IMAGE, VIDEO) and _looks_textual(head):
        found.insert(0, TEXT)  # a "scan.jpg" that is text (no picture starts like text)
    elif magic is None and by_name in _BINARY and _looks_textual(head):
        found.append(TEXT)  # a "contract.docx" that is text: read as text when it is not one
    return found or [UNKNOWN]


#: Formats whose files never begin like text: a file so named that does is tried as text
#: when its own reader fails.
_BINARY = (XLSX, XLS, DOCX, PPTX, ODF, EPUB, PDF, SQLITE)
#: Names that mark a zip as an office package (OOXML, OpenDocument, EPUB).
_PACKAGE_MARKS = ("[Content_Types].xml", "mimetype", "META-INF/container.xml", "content.xml")


def plain_zip(data: bytes) -> bool:
    """Whether ``data`` is a zip that opens and holds no office package's marks (a zip
    named ``.xlsx``): its members are then read as an archive's. One that does not open
    stays a (broken) document, so its error says so."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except Exception:  # noqa: BLE001 - not a zip that opens: not a plain one
        return False
    return not names.intersection(_PACKAGE_MARKS)


#: A header line of an RFC 5322 message, and the names a message's first lines hold.
_HEADER_LINE = re.compile(rb"([A-Za-z][A-Za-z0-9-]{0,40}):[ \t]")
_MAIL_HEADERS = frozenset({b"return-path", b"received", b"from", b"to", b"subject", b"date",
                           b"message-id", b"mime-version", b"delivered-to", b"content-type"})


def looks_like_mail(head: bytes) -> bool:
    """Whether the first bytes are a message's headers: its first line one, and two of its
    first lines headers every message has (a Maildir file has no suffix to say so)."""
    lines = head.lstrip(b"\r\n").splitlines()[:12]
    names = [m.group(1).lower() for line in lines if (m := _HEADER_LINE.match(line))]
    return bool(lines) and _HEADER_LINE.match(lines[0]) is not None and \
        len(_MAIL_HEADERS.intersection(names)) >= 2


def zip_inside(data: bytes) -> bytes | None:
    """The zip a file holds after a prefix (a "%PDF-" header, junk) when it opens as one:
    what an unzip tool reads in a file no reader of its format can read; else None."""
    import zipfile

    if data.startswith(b"PK"):  # a zip itself (an office file its reader refused): not again
        return None
    start = data.find(b"PK\x03\x04", 1)
    if start < 0 or data.rfind(b"PK\x05\x06") < start:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data[start:])) as archive:
            archive.namelist()
    except Exception:  # noqa: BLE001 - not a zip that opens
        return None
    return data[start:]


_SEVEN_Z_MAGIC = b"7z\xbc\xaf\x27\x1c"


def seven_z_inside(data: bytes, tries: int = 8) -> bytes | None:
    """The 7z archive a file holds after a prefix (a 7-Zip self-extracting program: its
    module, then the archive) when one opens there; the first ``tries`` signatures are
    tried (the module holds the signature itself, to look for it); else None."""
    import py7zr

    if data.startswith(_SEVEN_Z_MAGIC):
        return None
    start = data.find(_SEVEN_Z_MAGIC, 1)
    while start >= 0 and tries > 0:
        try:
            with py7zr.SevenZipFile(io.BytesIO(data[start:])) as archive:
                archive.getnames()
            return data[start:]
        except Exception:  # noqa: BLE001 - not a 7z that opens here
            start = data.find(_SEVEN_Z_MAGIC, start + 1)
            tries -= 1
    return None


def _tiff_pages(data: bytes) -> int:
    from .images import page_count

    return page_count(data)


def _looks_textual(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) and len(head) > 2:
        try:
            head[:len(head) - len(head) % 2].decode("utf-16")
            return True
        except UnicodeDecodeError:
            return False
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as error:
        if error.start > len(head) - 4:  # a character cut at the end of the sample
            return True
    try:
        head.decode("gb18030")
        return True
    except UnicodeDecodeError:
        return False


def by_name(name: str) -> Format | None:
    return {fmt.name: fmt for fmt in FORMATS}.get(name)


def read_parts(name: str, data: bytes, key: bytes | None = None) -> list[Part]:
    """Every part of a file called ``name`` read through the registry (for callers that
    hold bytes: tests, the service). Raises InputError when no format can read it."""
    from ..errors import InputError
    from ..fingerprint import installation_key
    from .member import member_at

    secret = key if key is not None else installation_key()
    member = member_at(name, data, secret)
    failure: InputError | None = None
    for fmt in candidates(member):
        if fmt.reader is None:
            continue
        try:
            return list(fmt.reader(member, ReadContext(secret)))
        except InputError as error:
            failure = failure or error
    raise failure or InputError(member.path, "format not read")


def read_units(name: str, data: bytes, key: bytes | None = None) -> list[TextUnit]:
    """The text units of a file (see :func:`read_parts`)."""
    return [part for part in read_parts(name, data, key) if isinstance(part, TextUnit)]

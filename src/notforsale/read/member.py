"""What readers hand on: members with their *shown* path, computed where they enter.

A seized pack names its files after the people in it (``110101199003071233.jpg``).
The raw name is read once, here: a member is given its shown path (numbers in
names masked), the findings in its own file name, and keyed prints of its raw
path for linking (a table row that names ``faces/0003.jpg`` is matched to that
image by print, never by keeping the raw name). Nothing after this module holds
a raw path.

A print is an HMAC under the installation key, chained folder by folder, so a
relative path written in a table (``../photos/0003.jpg``) can be followed from
the table's own folder without either raw path.
"""

from __future__ import annotations

import dataclasses
import hashlib
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from ..model import Finding
from ..text.engine import finds_nothing, scan_text
from ..text.mask import mask_name
from ..text.normalize import digit_count

SEP = "!/"
_T = TypeVar("_T")
_PRINT_BYTES = 12


def _pickled_by_fields(cls: type[_T]) -> type[_T]:
    """Pickle a frozen slotted dataclass as its constructor and fields: the dataclass's own
    pickling looks its fields up for every object, and members and their prints cross to
    worker processes and Ray tasks by the thousand."""
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    def __reduce__(self: Any) -> tuple[type[_T], tuple[Any, ...]]:  # noqa: N807
        return cls, tuple(getattr(self, name) for name in names)
    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


def _print(key: bytes, parent: str, part: str) -> str:
    """HMAC-SHA256 of ``parent``, NUL, ``part`` under ``key`` (RFC 2104, from the key's
    two hash states: a pack of a million files makes several prints per file)."""
    inner, outer = _key_states(key)
    mac = inner.copy()
    mac.update(parent.encode("ascii"))
    mac.update(b"\x00")
    mac.update(part.encode("utf-8", "surrogatepass"))
    out = outer.copy()
    out.update(mac.digest())
    return out.hexdigest()[: 2 * _PRINT_BYTES]


@lru_cache(maxsize=8)
def _key_states(key: bytes) -> tuple[Any, Any]:
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    return (hashlib.sha256(bytes(byte ^ 0x36 for byte in padded)),
            hashlib.sha256(bytes(byte ^ 0x5C for byte in padded)))


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class PathKeys:
    """Keyed prints of a member's raw path: never the path itself."""

    #: One print per level, outermost first; the last is the member's own path.
    chain: tuple[str, ...]
    #: The raw file name alone (tables often name images by file name only).
    name: str
    #: The folder and the name without its extension (``0001.jpg`` + ``0001.txt``).
    stem: str

    @property
    def folder(self) -> tuple[str, ...]:
        return self.chain[:-1]

    @property
    def full(self) -> str:
        return self.chain[-1] if self.chain else ""


def name_print(key: bytes, name: str) -> str:
    """The print of a bare file name, as :attr:`PathKeys.name` holds it."""
    return _print(key, "name", name)


def stem_of(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name


def path_keys(key: bytes, parts: Sequence[str], parent: Sequence[str] = ()) -> PathKeys:
    """Prints of a raw path given as components (``parent`` is a chain already made)."""
    chain = list(parent)
    for part in parts:
        chain.append(_print(key, chain[-1] if chain else "", part))
    name = parts[-1] if parts else ""
    folder = chain[-2] if len(chain) > 1 else ""
    stem = _print(key, folder, "stem:" + stem_of(name))
    return PathKeys(tuple(chain), name_print(key, name), stem)


def follow(key: bytes, folder: Sequence[str], relative: str) -> str | None:
    """The print of ``relative`` (a path written in a file) seen from ``folder``'s chain.

    ``..`` climbs one level (not above the chain's root); None when nothing is left.
    """
    chain = list(folder)
    for part in relative.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not chain:
                return None
            chain.pop()
            continue
        chain.append(_print(key, chain[-1] if chain else "", part))
    return chain[-1] if chain else None


#: (print of the folder, its shown path, the findings in its name) for each folder of a
#: member's path whose name holds a number (a pack with one folder per person).
FolderFindings = tuple[tuple[str, str, tuple[Finding, ...]], ...]


def folder_findings(parts: Sequence[str], shown_parts: Sequence[str], chain: Sequence[str],
                    offset: int, prefix: str, key: bytes) -> FolderFindings:
    """Findings in the names of the folders among ``parts`` (all but the last)."""
    out = []
    for index, part in enumerate(parts[:-1]):
        found = name_findings(part + ".", key) if _worth(part) else ()
        if found:
            shown = prefix + "/".join(shown_parts[:index + 1])
            out.append((chain[offset + index], shown, found))
    return tuple(out)


def _worth(name: str) -> bool:
    return "@" in name or digit_count(name) >= 7


def name_findings(name: str, key: bytes) -> tuple[Finding, ...]:
    """Identity numbers in a file's own name (packs name photos by ID number)."""
    stem = stem_of(name)
    if digit_count(stem) < 7 and "@" not in stem or finds_nothing(stem):
        return ()
    return tuple(scan_text(stem, key=key))


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Piece:
    """Where a piece of a large file stands in it (see :mod:`read.pieces`).

    A piece is cut at a line's end (a table's: outside quotes), so no record is split.
    ``lines_before`` numbers its lines as in the whole file; table rows are numbered by the
    scan as the pieces come back (``renumber``). ``header`` is a table's header row
    (a dump's declarations are carried in the piece's bytes).
    """

    index: int
    lines_before: int
    encoding: str
    renumber: bool = False
    delimiter: str | None = None
    header: tuple[str, ...] | None = None


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Member:
    """One file's bytes, as shown, and where it came from.

    ``embedded`` marks a part of a document (an image in a Word file, a rendered PDF
    page, a message in a mailbox): it is read like a file but not counted as one.
    ``parent_record`` ties it to a record of its container (the paragraph or table row
    an image sits in); ``group`` puts it with its container for linking (an e-mail and
    its attachments), as files that share a stem are.
    """

    path: str
    data: bytes = field(repr=False)
    keys: PathKeys = field(repr=False)
    name_findings: tuple[Finding, ...] = field(default=(), repr=False)
    depth: int = 0
    embedded: bool = False
    parent_record: tuple[str, int] | None = None
    group: str | None = None
    folders: FolderFindings = field(default=(), repr=False)
    #: Set when the member is one piece of a file too large to read whole.
    piece: Piece | None = None

    @property
    def renamed(self) -> bool:
        """Whether the shown path differs from the raw one (a name held a number)."""
        return bool(self.name_findings or self.folders)

    @property
    def name(self) -> str:
        """The shown file name."""
        return posixpath.basename(self.path.rsplit(SEP, 1)[-1])

    @property
    def suffix(self) -> str:
        name = self.name.lower()
        dot = name.rfind(".")
        return name[dot:] if dot > 0 else ""

    def child(self, raw_name: str, data: bytes, key: bytes, *, embedded: bool = False,
              parent_record: int | None = None, group: str | None = None,
              container: bool = True) -> Member:
        """A member inside this one (an archive member, an attachment, an embedded image).

        ``raw_name`` is the name inside this member, components separated by ``/``.
        """
        parts = [p for p in raw_name.replace("\\", "/").split("/") if p not in ("", ".")]
        shown_parts = [mask_name(part) for part in parts]
        shown = "/".join(shown_parts) or "(unnamed)"
        keys = path_keys(key, parts or ["(unnamed)"], self.keys.chain)
        prefix = f"{self.path}{SEP}" if container else f"{self.path}/"
        return Member(
            path=prefix + shown,
            data=data,
            keys=keys,
            name_findings=name_findings(parts[-1], key) if parts else (),
            depth=self.depth + 1,
            embedded=embedded,
            parent_record=(self.path, parent_record) if parent_record is not None else None,
            group=group,
            folders=folder_findings(parts, shown_parts, keys.chain, len(self.keys.chain),
                                    prefix, key) if parts else (),
        )


def member_at(raw_path: str, data: bytes, key: bytes, folder: Folder | None = None
              ) -> Member:
    """A member for a file on disk (or standard input, ``-``), shown and printed;
    ``folder`` is :func:`folder_at` of the folder it is in (made once for its files)."""
    if folder is not None and raw_path.startswith(folder.raw) and \
            "/" not in raw_path[len(folder.raw):] and raw_path[len(folder.raw):]:
        name = raw_path[len(folder.raw):]
        keys = path_keys(key, [name], folder.chain)
        return Member(folder.shown + mask_name(name), data, keys, name_findings(name, key),
                      folders=folder.folders)
    parts = [p for p in raw_path.split("/")]
    shown = "/".join(mask_name(part) for part in parts)
    named = [p for p in parts if p] or [raw_path]
    keys = path_keys(key, named)
    lead = "/" if raw_path.startswith("/") else ""
    return Member(shown, data, keys, name_findings(named[-1], key),
                  folders=folder_findings(named, [mask_name(p) for p in named], keys.chain, 0,
                                          lead, key))


@dataclass(frozen=True, slots=True)
class Folder:
    """What the files of one folder share in :func:`member_at`: the folder's raw path (with
    its ``/``), its shown path, the prints of its chain and the findings in its names."""

    raw: str
    shown: str
    chain: tuple[str, ...]
    folders: FolderFindings


def folder_at(raw_folder: str, key: bytes) -> Folder:
    """:class:`Folder` of ``raw_folder`` as :func:`member_at` would make it for a file in it
    (a probe file's results, less the file's own part)."""
    probe = member_at(raw_folder.rstrip("/") + "/x", b"", key)
    raw = raw_folder.rstrip("/") + "/"
    return Folder(raw, probe.path[:-1], probe.keys.folder, probe.folders)


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class MemberError:
    """A file or member that could not be read, and why (both as shown), and what its own
    name says (a member named by an ID number inside an encrypted zip is still reported)."""

    path: str
    message: str
    name_findings: tuple[Finding, ...] = field(default=(), repr=False)


def error_at(shown_path: str, message: str, raw_name: str = "",
             key: bytes | None = None) -> MemberError:
    """An error record; the message is masked too (library messages quote names)."""
    found = name_findings(raw_name.rsplit("/", 1)[-1], key) \
        if raw_name and key is not None else ()
    return MemberError(shown_path, mask_name(message), found)


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class Container:
    """An archive, opened: its members follow. Its own name can hold a number too."""

    path: str
    name_findings: tuple[Finding, ...] = field(default=(), repr=False)
    folders: FolderFindings = field(default=(), repr=False)


Item = Member | MemberError | Container

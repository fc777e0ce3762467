"""Hash lists: the file another platform receives instead of the photos.

Format ``notforsale-hash-list``, version 1: UTF-8 JSON Lines. The first line is
a header; each further line is one picture of the pack::

    {"format": "notforsale-hash-list", "version": 1, "name": "pack-a", "case": "CASE-7",
     "created": "2026-12-01T16:00:00Z", "tool": "notforsale 0.1.0", "threshold": 31,
     "entries": 2}
    {"id": "pack-a-000001", "ref": "3f9c…", "document": false,
     "hashes": [{"kind": "pdq", "hash": "8dac…", "quality": 100},
                {"kind": "pdq_window", "hash": "51e0…", "quality": 93}, …]}

- ``kind`` is a signal type (:mod:`.signals`); the first hash of an entry is always
  its whole-image ``pdq``; ``quality`` is PDQ's (0–100; under 50 the hash is weak);
  ``null`` when unknown (hashes imported from other tools).
- ``ref`` is a keyed fingerprint (HMAC-SHA256 with this installation's key) of the
  file's path in the pack: the platform that made the list can find the file again,
  nobody else learns anything from it. No image, no path, no file name, no identity
  data is ever written; the name and case label are masked like any output.
- ``document``: the picture looks like a card or a screenshot; matches on it need a
  second signal (its face region).
- ``video``: the entry is a clip; its first hash is the ``pdq`` of its sharpest sampled
  frame (so readers that know only ``pdq`` still get one), then a ``vpdq`` hash a second
  with the ``frame`` number and ``time`` (seconds) of the frame it was computed on.
- Readers refuse another ``format`` and any ``version`` they do not know; hashes of a
  kind they do not know are skipped and counted.

:func:`export_threatexchange` writes the ThreatExchange / HMA PDQ signal file: one
``pdq <hex>`` line per picture (the "local file" exchange of python-threatexchange
reads it); :func:`export_hma_json` writes one ``{"pdq": "<hex>"}`` body per line for
HMA's ``POST /c/bank/<BANK>/signal``. Both carry whole-image hashes of quality 50 or
more only, as HMA keeps them, and pictures only (not videos' entries).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import NotForSaleError
from ..text.mask import mask_text
from .hashing import ImageHash
from .signals import PDQ, PDQ_THRESHOLD, QUALITY_THRESHOLD, SIGNAL_TYPES, SignalError, validate_hex

FORMAT = "notforsale-hash-list"
VERSION = 1


class HashListError(NotForSaleError):
    """A hash list file cannot be read: wrong format, unknown version, bad line."""


@dataclass(frozen=True, slots=True)
class HashEntry:
    """One picture of a pack: its hashes (whole-image PDQ first), no pixels, no path."""

    id: str
    hashes: tuple[ImageHash, ...]
    document: bool = False
    ref: str = ""
    #: A video: its whole-image ``pdq`` is its sharpest sampled frame's, then one ``vpdq``
    #: hash a second (:mod:`.video`).
    video: bool = False

    @property
    def whole(self) -> ImageHash:
        return self.hashes[0]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "ref": self.ref, "document": self.document}
        if self.video:
            out["video"] = True
        out["hashes"] = [_hash_dict(h) for h in self.hashes]
        return out


def _hash_dict(item: ImageHash) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": item.kind, "hash": item.hex, "quality": item.quality}
    if item.frame is not None:
        out["frame"] = item.frame
    if item.time is not None:
        out["time"] = round(item.time, 3)
    return out


@dataclass(frozen=True, slots=True)
class HashList:
    name: str
    entries: tuple[HashEntry, ...]
    case: str = ""
    created: str = field(default_factory=lambda: datetime.datetime.now(datetime.UTC)
                         .strftime("%Y-%m-%dT%H:%M:%SZ"))
    skipped_kinds: int = 0

    def header(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "name": self.name, "case": self.case,
                "created": self.created, "tool": f"notforsale {__version__}",
                "threshold": PDQ_THRESHOLD, "entries": len(self.entries)}

    def lines(self) -> Iterator[str]:
        yield json.dumps(self.header(), ensure_ascii=False)
        for entry in self.entries:
            yield json.dumps(entry.to_dict(), ensure_ascii=False)

    def write(self, path: str | Path) -> None:
        with Path(path).open("w", encoding="utf-8", newline="\n") as handle:
            for line in self.lines():
                handle.write(line + "\n")


def safe_label(text: str) -> str:
    """A list name or case label as it may be shown: numbers masked, one line, 200 chars."""
    return mask_text(" ".join(str(text).split()))[0][:200]


def _hash(raw: object, where: str) -> ImageHash | None:
    if not isinstance(raw, dict):
        raise HashListError(f"{where}: a hash is an object with kind, hash and quality")
    kind = raw.get("kind")
    if kind not in SIGNAL_TYPES:
        return None
    quality = raw.get("quality")
    if quality is not None and (not isinstance(quality, int) or isinstance(quality, bool)
                                or not 0 <= quality <= 100):
        raise HashListError(f"{where}: quality must be an integer from 0 to 100 or null")
    try:
        code = bytes.fromhex(validate_hex(str(raw.get("hash", ""))))
    except SignalError as error:
        raise HashListError(f"{where}: {error}") from None
    frame, time = raw.get("frame"), raw.get("time")
    if frame is not None and (not isinstance(frame, int) or isinstance(frame, bool)
                              or frame < 0):
        raise HashListError(f"{where}: frame must be a whole number from 0")
    if time is not None and (not isinstance(time, int | float) or isinstance(time, bool)
                             or not 0 <= time < 1e7):
        raise HashListError(f"{where}: time must be seconds from 0")
    return ImageHash(str(kind), code, quality, frame,  # type: ignore[arg-type]
                     None if time is None else float(time))


def parse(lines: Iterable[str], source: str = "hash list") -> HashList:
    """Read a list in this module's format (see the module docstring)."""
    iterator = iter(lines)
    try:
        header = json.loads(next(iterator))
    except StopIteration:
        raise HashListError(f"{source}: empty file") from None
    except json.JSONDecodeError:
        raise HashListError(f"{source}: line 1 is not JSON") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise HashListError(f"{source}: not a {FORMAT} file")
    if header.get("version") != VERSION:
        raise HashListError(f"{source}: version {header.get('version')!r} is not known "
                            f"(this notforsale reads version {VERSION})")
    entries = []
    skipped = 0
    for number, line in enumerate(iterator, start=2):
        if not line.strip():
            continue
        where = f"{source}, line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError:
            raise HashListError(f"{where}: not JSON") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("hashes"), list):
            raise HashListError(f"{where}: an entry is an object with a list of hashes")
        hashes = []
        for item in raw["hashes"]:
            parsed = _hash(item, where)
            if parsed is None:
                skipped += 1
            else:
                hashes.append(parsed)
        if not hashes or hashes[0].kind != PDQ.name:
            raise HashListError(f"{where}: an entry's first hash is its whole-image pdq")
        entries.append(HashEntry(str(raw.get("id") or f"entry-{number - 1}"), tuple(hashes),
                                 bool(raw.get("document", False)), str(raw.get("ref", "")),
                                 bool(raw.get("video", False))))
    return HashList(safe_label(header.get("name", "")), tuple(entries),
                    safe_label(header.get("case", "")), str(header.get("created", "")),
                    skipped)


def parse_threatexchange(lines: Iterable[str], name: str,
                         source: str = "signal file") -> HashList:
    """Read a ThreatExchange signal file: ``pdq <hex>`` lines, or bare hex lines.

    Other signal types (``video_md5 …``) are skipped and counted; the quality of
    these hashes is not known (``None``): HMA keeps only hashes of quality 50 or more.
    """
    entries: list[HashEntry] = []
    skipped = 0
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        kind, _, value = text.partition(" ") if " " in text else ("pdq", "", text)
        if kind != PDQ.name:
            skipped += 1
            continue
        try:
            code = bytes.fromhex(validate_hex(value))
        except SignalError as error:
            raise HashListError(f"{source}, line {number}: {error}") from None
        entries.append(HashEntry(f"{name}-{len(entries) + 1:06d}",
                                 (ImageHash(PDQ.name, code, None),)))
    return HashList(safe_label(name), tuple(entries), skipped_kinds=skipped)


def read(path: str | Path, name: str | None = None) -> HashList:
    """A list file in either format (told apart by its first line)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise HashListError(f"{file.name}: cannot read ({error})") from None
    lines = text.splitlines()
    if lines and lines[0].lstrip().startswith("{"):
        return parse(lines, file.name)
    return parse_threatexchange(lines, name or file.stem, file.name)


def _exportable(hash_list: HashList) -> Iterator[str]:
    for entry in hash_list.entries:
        if entry.video:  # HMA's photo signal; a clip's frames are not a photo's hash
            continue
        whole = entry.whole
        if whole.quality is None or whole.quality >= QUALITY_THRESHOLD:
            yield whole.hex


def export_threatexchange(hash_list: HashList) -> str:
    """One ``pdq <hex>`` line per picture (ThreatExchange's signal file)."""
    return "".join(f"{PDQ.name} {value}\n" for value in _exportable(hash_list))


def export_hma_json(hash_list: HashList) -> str:
    """One JSON body per line for HMA's ``POST /c/bank/<BANK>/signal``."""
    return "".join(json.dumps({PDQ.name: value}) + "\n" for value in _exportable(hash_list))

"""Safety limits for reading untrusted packs, with sensible defaults.

Seized packs are hostile input: zip bombs, archives nested a hundred deep,
millions of empty files. Every limit here turns an attack into an error
record in the report; the rest of the scan goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Limits for one scan (by keyword). All are overridable from the CLI, the API and the
    service."""

    #: Largest single file or archive member read into memory.
    max_member_bytes: int = 256 * MiB
    #: Total uncompressed bytes read from archives (and parts of documents) in one scan,
    #: however large the input.
    max_total_bytes: int = 1024 * GiB
    #: Largest uncompressed/compressed ratio of a member (or of a compressed tar stream).
    max_ratio: float = 250.0
    #: A member is only judged by its ratio once it is at least this large.
    ratio_floor_bytes: int = 4 * MiB
    #: Bytes of a compressed tar stream's members past its ratio that are skipped through
    #: (decompressed and thrown away, a block at a time) to read the members after them;
    #: past this the rest of the stream is not read. About 4 s for 4 GiB of an xz bomb.
    max_skipped_stream_bytes: int = 4 * GiB
    #: Archives inside archives, counted from the input (the input itself is depth 0).
    max_depth: int = 6
    #: Files (including archive members) read in one scan.
    max_files: int = 2_000_000
    #: Pages read of one PDF (the rest is reported as not read).
    max_pages: int = 10_000
    #: Uncompressed bytes read from archives per byte of input read from disk: an archive
    #: nested in archives (42.zip, a 4x16 pack of 4 MiB leaves in 60 KB) is stopped here.
    max_total_ratio: float = 100.0
    #: ... once at least this much has been read (small packs of text compress well).
    total_floor_bytes: int = 256 * MiB
    #: Findings kept for one member (of each type: 30,000 phones do not hide one ID), and
    #: for one scan; more are counted, not kept.
    max_findings_per_member: int = 10_000
    max_findings: int = 1_000_000
    #: Text files (tables, dumps, logs) larger than this are read in pieces of about this
    #: size, each a member of its own (:mod:`read.pieces`); no size limit applies to them.
    piece_bytes: int = 8 * MiB


@dataclass(slots=True)
class Budget:
    """What one scan has used of its limits so far (mutable, per scan)."""

    limits: Limits = field(default_factory=Limits)
    total_bytes: int = 0
    files: int = 0
    input_bytes: int = 0

    def take_file(self) -> str | None:
        """Count one more file; the reason to refuse it, if over the limit."""
        self.files += 1
        if self.files > self.limits.max_files:
            return f"file limit of {self.limits.max_files} reached"
        return None

    def take_input(self, size: int) -> None:
        """Count bytes of input read from disk (what archives may expand from)."""
        self.input_bytes += size

    @property
    def total_limit(self) -> int:
        limits = self.limits
        by_ratio = max(limits.total_floor_bytes, int(self.input_bytes * limits.max_total_ratio))
        return min(limits.max_total_bytes, by_ratio)

    def take_bytes(self, size: int) -> str | None:
        """Count uncompressed bytes; the reason to refuse them, if over the limit. Refused
        bytes are not counted: a member too large for what is left does not cost the
        members after it that fit."""
        limit = self.total_limit
        if self.total_bytes + size > limit:
            return (f"total uncompressed limit reached ({limit} bytes: "
                    f"{self.limits.max_total_ratio:.0f} times the input, at least "
                    f"{self.limits.total_floor_bytes}, at most {self.limits.max_total_bytes})")
        self.total_bytes += size
        return None

"""What a format writer returns and what it may ask of the redaction it runs in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..errors import NotForSaleError
from ..read.limits import Limits
from ..read.member import Member


class CannotRewrite(NotForSaleError):
    """This member cannot be rewritten here (the reason is shown; it is not copied)."""


@dataclass
class Written:
    """A writer's output: the redacted bytes (None: not copied) and what changed."""

    data: bytes | None
    numbers: int = 0
    faces: int = 0
    metadata_removed: bool = False
    note: str = ""
    #: The bytes went straight to the destination (an archive rebuilt in place).
    sunk: bool = False

    def absorb(self, other: Written) -> None:
        """Count what a nested part's redaction changed as this member's change."""
        self.numbers += other.numbers
        self.faces += other.faces
        self.metadata_removed = self.metadata_removed or other.metadata_removed


class Context(Protocol):
    """The redaction a writer runs in."""

    key: bytes
    limits: Limits

    def nested(self, member: Member) -> Written:
        """Redact a member found inside the one being written (an embedded image, an
        attachment, a database photo) through the same registry; its counts are
        returned to be absorbed, and a part that cannot be redacted comes back with
        ``data`` None."""
        ...

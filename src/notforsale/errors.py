"""The library's own exceptions; the CLI maps them to exit codes, the service to 4xx."""

from __future__ import annotations


class NotForSaleError(Exception):
    """Base class of every error this library raises on purpose."""


class InputError(NotForSaleError):
    """An input cannot be read: missing, unreadable, or in an unknown encoding."""

    def __init__(self, path: str, reason: str) -> None:
        # ``path`` is the shown path (numbers in names masked where it entered).
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

"""The library's own exceptions; the CLI maps them to exit codes, the service to 4xx."""

from __future__ import annotations


class NotForSaleError(Exception):
    """Base class of every error this library raises on purpose."""


class InputError(NotForSaleError):
    """An input cannot be read: missing, unreadable, or in an unknown encoding."""

    def __init__(self, path: str, reason: str) -> None:
        from .text.mask import mask_path  # the message is shown: numbers in names masked

        super().__init__(f"{mask_path(path)}: {reason}")
        self.path = path
        self.reason = reason

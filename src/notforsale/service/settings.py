"""Service settings with documented defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    #: Database URL (None: NOTFORSALE_DB or the SQLite file in the user's data directory).
    db_url: str | None = None
    #: Largest request body (JSON) in bytes.
    max_body_bytes: int = 2 * 1024 * 1024
    #: Largest uploaded file in bytes.
    max_upload_bytes: int = 200 * 1024 * 1024
    #: OCR policy for uploaded files.
    ocr: str = "auto"
    #: Key signing the console's session cookie (random per process unless set).
    session_key: str = field(
        default_factory=lambda: os.environ.get("NOTFORSALE_SESSION_KEY") or secrets.token_hex(32))

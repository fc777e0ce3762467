"""Service settings with documented defaults."""

from __future__ import annotations

import hashlib
import hmac
import os
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
    #: Worker threads for CPU work (screening, text scans); requests waiting for one at most
    #: (more answer 503 at once), and the longest a piece of work may take (then 503).
    cpu_workers: int = 4
    cpu_queue: int = 200
    cpu_timeout: float = 30.0
    #: Key signing the console's session cookie: NOTFORSALE_SESSION_KEY, else derived from
    #: this installation's secret key (so every worker process signs alike).
    session_key: str = field(default_factory=lambda: os.environ.get("NOTFORSALE_SESSION_KEY")
                             or _derived_session_key())


def _derived_session_key() -> str:
    from ..fingerprint import installation_key

    return hmac.new(installation_key(), b"console-session", hashlib.sha256).hexdigest()

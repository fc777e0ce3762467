"""notforsale — find, trace and neutralize traded face photos and identity data.

The library API::

    from notforsale import scan_text
    for finding in scan_text(text):
        print(finding.type, finding.masked, finding.fingerprint)

Findings never hold a raw number: only a masked form and a keyed fingerprint.
"""

import os
from typing import TYPE_CHECKING, Any

# onnxruntime's telemetry writes a device id and a database under ~/.cache and a session
# file in the temporary folder on every import: off, before anything imports it (a user
# who wants it can set ORT_DISABLE_TELEMETRY=0).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

from .model import ENTITY_TYPES, Explanation, Finding, Location, Profile, ScanResult
from .scan import ScanOptions, scan_path
from .text.engine import scan_text

if TYPE_CHECKING:
    from .listings.screener import Verdict, screen_listing

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The listing screener loads its lexicon and OpenCC's tables: only when asked for.
    if name in ("Verdict", "screen_listing"):
        from .listings import screener

        return getattr(screener, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "ENTITY_TYPES", "Explanation", "Finding", "Location", "Profile", "ScanOptions", "ScanResult",
    "Verdict", "scan_path", "scan_text", "screen_listing", "__version__",
]

"""notforsale — find, trace and neutralize traded face photos and identity data.

The library API::

    from notforsale import scan_text
    for finding in scan_text(text):
        print(finding.type, finding.masked, finding.fingerprint)

Findings never hold a raw number: only a masked form and a keyed fingerprint.
"""

from .listings.screener import Verdict, screen_listing
from .model import ENTITY_TYPES, Explanation, Finding, Location, Profile, ScanResult
from .scan import ScanOptions, scan_path
from .text.engine import scan_text

__version__ = "0.1.0"

__all__ = [
    "ENTITY_TYPES", "Explanation", "Finding", "Location", "Profile", "ScanOptions", "ScanResult",
    "Verdict", "scan_path", "scan_text", "screen_listing", "__version__",
]

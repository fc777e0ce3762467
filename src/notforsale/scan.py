"""Scan whole inputs (text files, standard input) into a :class:`ScanResult`.

A file that cannot be read becomes a :class:`ScanError` and the scan goes on.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .errors import InputError
from .model import Finding, LocatedFinding, Location, ScanError, ScanResult
from .read.text_files import read_text
from .text.engine import scan_text


def locate(text: str, path: str, findings: list[Finding]) -> list[LocatedFinding]:
    """Attach 1-based line and column numbers to findings (in text order)."""
    located = []
    line, counted_to = 1, 0
    for finding in findings:
        line += text.count("\n", counted_to, finding.start)
        counted_to = finding.start
        column = finding.start - (text.rfind("\n", 0, finding.start) + 1) + 1
        located.append(LocatedFinding(Location(path, line, column), finding))
    return located


def scan_files(paths: Iterable[str | Path], *, min_score: float = 0.0) -> ScanResult:
    """Scan text files (``-`` for standard input); unreadable ones become errors."""
    files = 0
    findings: list[LocatedFinding] = []
    errors: list[ScanError] = []
    for path in paths:
        name = str(path)
        try:
            text = read_text(path)
        except InputError as error:
            errors.append(ScanError(name, error.reason))
            continue
        files += 1
        findings.extend(scan_named_text(text, name, min_score=min_score))
    return ScanResult(files, tuple(findings), tuple(errors))


def scan_named_text(text: str, name: str, *, min_score: float = 0.0) -> list[LocatedFinding]:
    """Findings in ``text`` located by ``name``, line and column."""
    return locate(text, name, scan_text(text, min_score=min_score))

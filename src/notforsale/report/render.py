"""Render a :class:`ScanResult` for people (a table) and for programs (JSON).

Every renderer works from the result objects, which hold masked values and
keyed fingerprints only, so no format can print a raw number.
"""

from __future__ import annotations

import json
from typing import IO

from rich.console import Console
from rich.table import Table

from ..model import ScanResult

FORMATS = ("table", "jsonl", "json")


def render_json(result: ScanResult, out: IO[str]) -> None:
    json.dump(result.to_dict(), out, ensure_ascii=False, indent=2)
    out.write("\n")


def render_jsonl(result: ScanResult, out: IO[str]) -> None:
    for item in result.findings:
        out.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
    for error in result.errors:
        out.write(json.dumps(error.to_dict(), ensure_ascii=False) + "\n")


def render_table(result: ScanResult, console: Console) -> None:
    if result.findings:
        table = Table(title="Findings (values masked)", title_justify="left")
        table.add_column("where", overflow="fold")
        table.add_column("type")
        table.add_column("masked value")
        table.add_column("score", justify="right")
        table.add_column("why", overflow="fold")
        for item in result.findings:
            finding = item.finding
            why = ", ".join(finding.explanation.checks) or finding.explanation.pattern
            if finding.explanation.context:
                why += "; context: " + ", ".join(finding.explanation.context)
            table.add_row(str(item.location), finding.type, finding.masked,
                          f"{finding.score:.2f}", why)
        console.print(table)
    for error in result.errors:
        console.print(f"[red]error[/red] {error.path}: {error.message}", highlight=False)
    counts = result.entity_counts()
    distinct = ", ".join(f"{n} {entity}" for entity, n in counts.items()) or "nothing"
    console.print(
        f"{result.files} file(s) scanned, {len(result.findings)} finding(s); "
        f"distinct values: {distinct}; {len(result.errors)} error(s).",
        highlight=False,
    )


def render(result: ScanResult, fmt: str, out: IO[str]) -> None:
    """Write ``result`` in ``fmt`` (one of :data:`FORMATS`) to ``out``."""
    if fmt == "json":
        render_json(result, out)
    elif fmt == "jsonl":
        render_jsonl(result, out)
    elif fmt == "table":
        render_table(result, Console(file=out, width=max(Console().width, 120)))
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")

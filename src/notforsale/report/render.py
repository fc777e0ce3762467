"""Render a :class:`ScanResult` for people (a table) and for programs (JSON).

Every renderer works from the result objects, which hold masked values and
keyed fingerprints only, so no format can print a raw number.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import FACE, ScanResult
from ..text.mask import mask_path
from .html import render_html

if TYPE_CHECKING:  # the redaction report's type only: report/ does not load the redactor
    from ..redact.tree import RedactReport

FORMATS = ("table", "jsonl", "json", "html")
#: The table shows at most this many findings (the JSON formats show all).
TABLE_ROWS = 60


def _plain(*cells: str) -> list[Text]:
    """Table cells as plain text: a file named ``x[/bold].png`` is not Rich markup."""
    return [Text(cell) for cell in cells]


def render_json(result: ScanResult, out: IO[str]) -> None:
    """The JSON document, written as it is read: a large scan's findings stream from its
    store, never held whole (the same document ``to_dict`` gives)."""
    out.write('{\n  "summary": ')
    out.write(_indented(result.summary()))
    out.write(',\n  "profiles": ')
    out.write(_indented([p.to_dict() for p in result.profiles]))
    tables: tuple[tuple[str, Sequence[Any]], ...] = (
        ("findings", result.findings), ("errors", result.errors), ("skipped", result.skipped))
    for name, rows in tables:
        out.write(f',\n  "{name}": [')
        for index, row in enumerate(rows):
            out.write(",\n    " if index else "\n    ")
            out.write(_indented(row.to_dict(), 4))
        out.write("\n  ]" if rows else "]")
    out.write(',\n  "not_kept": ')
    out.write(_indented([{"path": p, "findings": n} for p, n in result.not_kept]))
    out.write("\n}\n")


def _indented(value: object, level: int = 2) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("\n", "\n" + " " * level)


def render_jsonl(result: ScanResult, out: IO[str]) -> None:
    for item in result.findings:
        out.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
    for error in result.errors:
        out.write(json.dumps(error.to_dict(), ensure_ascii=False) + "\n")
    for skipped in result.skipped:
        out.write(json.dumps({"skipped": skipped.to_dict()}, ensure_ascii=False) + "\n")


def render_table(result: ScanResult, console: Console) -> None:
    if result.profiles:
        profiles = Table(title=f"Exposed people: {len(result.profiles)} profile(s)",
                         title_justify="left")
        for column in ("profile", "exposure", "faces", "identity values (masked)", "linked by"):
            profiles.add_column(column, overflow="fold")
        for profile in result.profiles[:TABLE_ROWS]:
            profiles.add_row(*_plain(profile.id, profile.severity, str(len(profile.faces)),
                             "\n".join(f"{e.type} {e.masked}" for e in profile.entities),
                             ", ".join(profile.links)))
        console.print(profiles)
    shown = [item for item in result.findings if item.finding.type != FACE][:TABLE_ROWS]
    if shown:
        table = Table(title="Findings (values masked)", title_justify="left")
        table.add_column("where", overflow="fold")
        table.add_column("type")
        table.add_column("masked value")
        table.add_column("score", justify="right")
        table.add_column("why", overflow="fold")
        for item in shown:
            finding = item.finding
            why = ", ".join(finding.explanation.checks) or finding.explanation.pattern
            if finding.explanation.context:
                why += "; context: " + ", ".join(finding.explanation.context)
            table.add_row(*_plain(str(item.location), finding.type, finding.masked,
                                  f"{finding.score:.2f}", why))
        console.print(table)
        hidden = sum(1 for item in result.findings if item.finding.type != FACE) - len(shown)
        if hidden > 0:
            console.print(f"... and {hidden} more finding(s); --format json lists them all.")
    for error in result.errors[:TABLE_ROWS]:
        console.print(Text.assemble(("error", "red"), f" {error.path}: {error.message}"))
    for skipped in result.skipped[:TABLE_ROWS]:
        console.print(Text.assemble(("skipped", "yellow"),
                                    f" {skipped.path}: {skipped.format} ({skipped.reason})"))
    hidden = max(0, len(result.errors) - TABLE_ROWS) + max(0, len(result.skipped) - TABLE_ROWS)
    if hidden:
        console.print(f"... and {hidden} more error(s) or skipped file(s); --format json lists "
                      "them all.", highlight=False)
    summary = result.summary()
    distinct = ", ".join(f"{n} {entity}" for entity, n in summary["entities"].items() if n)
    console.print(
        f"{summary['files']} file(s) read, {summary['skipped']} skipped, {summary['images']} "
        f"image(s), {summary['videos']} video(s), {summary['faces']} face(s) in "
        f"{summary['images_with_faces']} image(s) or video(s); "
        f"distinct values: {distinct or 'none'}; {summary['profiles']} profile(s), "
        f"{summary['full_kits']} full kit(s); {summary['errors']} error(s).",
        highlight=False,
    )
    if summary["skipped"] or summary["errors"]:
        console.print(Text("Not everything was checked: the skipped files and errors above were "
                           "not read.", style="yellow"))


def render(result: ScanResult, fmt: str, out: IO[str]) -> None:
    """Write ``result`` in ``fmt`` (one of :data:`FORMATS`) to ``out``."""
    if fmt == "json":
        render_json(result, out)
    elif fmt == "jsonl":
        render_jsonl(result, out)
    elif fmt == "html":
        out.write(render_html(result))
    elif fmt == "table":
        render_table(result, Console(file=out, width=max(Console().width, 120)))
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render_redact_table(report: RedactReport, console: Console) -> None:
    """Per-file counts of what a redaction changed (never values), then the verification."""
    table = Table(title=f"Redacted copy at {mask_path(report.destination)}",
                  title_justify="left")
    for column in ("file", "action", "faces", "numbers", "metadata", "note"):
        table.add_column(column, overflow="fold")
    for change in report.files[:TABLE_ROWS]:
        table.add_row(*_plain(change.path, change.action, str(change.faces),
                              str(change.numbers), "stripped" if change.metadata_removed else "",
                              change.note))
    console.print(table)
    if len(report.files) > TABLE_ROWS:
        console.print(f"... and {len(report.files) - TABLE_ROWS} more file(s); --format json "
                      "lists them all.")
    summary = report.summary()
    console.print(
        f"{summary['files']} file(s): {summary['faces_covered']} face(s) covered, "
        f"{summary['numbers_masked']} number(s) masked, {summary['names_masked']} name(s) "
        f"masked, metadata stripped from {summary['metadata_removed']}.", highlight=False)
    status = report.status
    if report.remaining is None:
        console.print("Not verified (--no-verify).")
    elif status == "verified":
        console.print(Text.assemble(("Verified", "green"), ": every file of the source is in "
                                    "the copy, and a fresh scan read every file of the copy and "
                                    "finds no face left, no identity number and no identifying "
                                    "metadata."))
    elif status == "failed":
        console.print(Text.assemble(("Verification failed", "red"),
                                    ": the copy still holds:"))
        for item in report.remaining.findings[:TABLE_ROWS]:
            console.print(Text(f"  {item.location}  {item.finding.type} {item.finding.masked}"))
    if report.remaining is not None and report.not_checked:
        unchecked = report.not_checked
        heading = "Unverified" if status == "unverified" else "Also not checked"
        console.print(Text.assemble((heading, "yellow"), f": {len(unchecked)} file(s) could not "
                                    "be checked (not copied, or not readable in the copy):"))
        for path, why in unchecked[:TABLE_ROWS]:
            console.print(Text(f"  {path}: {why}"))
        if len(unchecked) > TABLE_ROWS:
            console.print(f"  ... and {len(unchecked) - TABLE_ROWS} more; --format json lists "
                          "them all.", highlight=False)
    if report.covered_seen_again:
        console.print(f"The scan saw {report.covered_seen_again} face(s) again on regions this "
                      "run covered and measured to hold no detail (blurred heads in crowds); "
                      "they are not counted as left over.", highlight=False)

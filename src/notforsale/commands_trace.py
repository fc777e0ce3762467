"""``notforsale hash`` and ``notforsale trace``: hash lists from packs, packs against lists.

Registered from ``cli.py`` with :func:`register`. Paths shown are masked.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class ExportFormat(StrEnum):
    notforsale = "notforsale"
    threatexchange = "threatexchange"
    hma = "hma"


class TraceFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


def hash_command(
    paths: Annotated[list[Path], typer.Argument(
        help="Folders, images, videos or archives (zip, tar.*, 7z) of the seized pack.",
        metavar="PACK")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="The list file to write (must not exist).", dir_okay=False)],
    name: Annotated[str | None, typer.Option(
        help="The list's name (default: the output file's stem).")] = None,
    case: Annotated[str, typer.Option(help="A case label written into the list.")] = "",
    export: Annotated[ExportFormat, typer.Option(
        "--format", "-f", help="notforsale: the versioned list (PDQ hex, quality, case label, "
        "windows, no images, no paths); threatexchange: 'pdq <hex>' lines for "
        "ThreatExchange/HMA tools; hma: one {\"pdq\": hex} body per line for HMA's bank "
        "API.")] = ExportFormat.notforsale,
) -> None:
    """Hash every image (PDQ) and video (vPDQ, four frames a second) of a pack into a
    shareable list.

    Exit codes: 0 every image and video hashed, 1 the list was written but some members
    could not be read (listed), 2 nothing could be hashed or bad usage.
    """
    from .text.mask import mask_path
    from .trace.hashlist import export_hma_json, export_threatexchange
    from .trace.pack import hash_pack

    if output.exists():
        typer.echo(f"notforsale: error: {mask_path(str(output))} exists; not overwritten",
                   err=True)
        raise typer.Exit(EXIT_USAGE)
    result = hash_pack(paths, name or output.stem, case)
    for problem in result.errors:
        typer.echo(f"error: {problem.path}: {problem.message}", err=True)
    entries = result.hash_list.entries
    if not entries:
        typer.echo("notforsale: error: no image or video could be hashed", err=True)
        raise typer.Exit(EXIT_USAGE)
    if export is ExportFormat.notforsale:
        result.hash_list.write(output)
    else:
        writer = export_threatexchange if export is ExportFormat.threatexchange \
            else export_hma_json
        output.write_text(writer(result.hash_list), encoding="utf-8")
    hashes = sum(len(entry.hashes) for entry in entries)
    weak = sum(entry.whole.weak for entry in entries)
    documents = sum(entry.document for entry in entries)
    videos = sum(entry.video for entry in entries)
    typer.echo(f"{len(entries) - videos} images and {videos} videos hashed ({hashes} hashes; "
               f"{weak} weak, {documents} documents), {len(result.skipped)} other files "
               f"skipped, {len(result.errors)} errors -> {mask_path(str(output))} "
               f"({export.value})")
    raise typer.Exit(EXIT_FINDINGS if result.errors else EXIT_CLEAN)


def trace_command(
    paths: Annotated[list[Path], typer.Argument(
        help="Images, videos, folders or archives to trace.", metavar="PATH")],
    against: Annotated[list[Path], typer.Option(
        "--against", "-a", help="Hash list files (notforsale or ThreatExchange format); "
        "repeat for several.")],
    output_format: Annotated[TraceFormat, typer.Option(
        "--format", "-f", help="table: matched images and videos; jsonl: every one, one "
        "JSON object per line.")] = TraceFormat.table,
) -> None:
    """Which images and videos of PATH match which list entries, with the Hamming distance
    (videos by vPDQ: the share of frames that match).

    Exit codes: 0 no match, 1 matches found, 2 a list cannot be read or bad usage.
    """
    from .trace.hashlist import HashListError, read
    from .trace.matcher import Matcher
    from .trace.pack import trace_paths

    try:
        lists = [read(path) for path in against]
    except HashListError as error:
        typer.echo(f"notforsale: error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    matcher = Matcher(lists)
    images = matched = errors = skipped = 0
    for traced in trace_paths(paths, matcher):
        if output_format is TraceFormat.jsonl:
            typer.echo(json.dumps({"path": traced.path, "error": traced.error,
                                   "skipped": traced.skipped,
                                   "matches": [m.to_dict() for m in traced.matches]},
                                  ensure_ascii=False))
        if traced.error:
            errors += 1
            if output_format is TraceFormat.table:
                typer.echo(f"error: {traced.path}: {traced.error}", err=True)
            if not traced.matches:  # a video cut short still has the matches of its start
                continue
        if traced.skipped:
            skipped += 1
            continue
        images += 1
        if traced.matches:
            matched += 1
        if output_format is TraceFormat.table:
            for match in traced.matches:
                state = "confirmed" if match.confirmed else \
                    "weak" if match.weak else "partial: too few frames" \
                    if match.signal == "vpdq" else "document: needs a second signal"
                typer.echo(f"{traced.path}\t{match.list}\t{match.entry}\t{match.signal}\t"
                           f"distance {match.distance}\t{match.variant}\t{state}")
    if output_format is TraceFormat.table:
        typer.echo(f"{images} images and videos traced against {len(matcher.entries)} entries of "
                   f"{len(lists)} lists: {matched} matched; {skipped} other files skipped, "
                   f"{errors} errors")
    raise typer.Exit(EXIT_FINDINGS if matched else EXIT_CLEAN)


def register(app: typer.Typer) -> None:
    app.command("hash")(hash_command)
    app.command("trace")(trace_command)

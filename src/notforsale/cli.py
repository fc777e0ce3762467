"""The ``notforsale`` command: a thin layer over the library.

Exit codes: 0 nothing found, 1 findings, 2 usage or input error.
"""

from __future__ import annotations

import logging
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from . import __version__
from .errors import NotForSaleError
from .read.limits import Limits
from .report.render import render
from .scan import ScanOptions, scan_path

app = typer.Typer(
    help="Find, trace and neutralize traded face photos and personal identity data. "
    "Outputs carry masked values, keyed fingerprints and blurred thumbnails only, never a raw "
    "number or an unblurred face.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
_DEFAULT_LIMITS = Limits()


class OutputFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    json = "json"
    html = "html"


class OcrMode(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"notforsale {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v",
                                          help="Log progress to standard error.")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@app.command()
def scan(
    paths: Annotated[list[str], typer.Argument(
        help="Files, folders or archives (zip, tar, tar.gz/bz2/xz, 7z) to scan; - reads "
        "standard input as text.", metavar="PATH|-")],
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="table: readable summary; jsonl: one finding per line; "
        "json: one document with summary, profiles, findings and errors; html: a "
        "self-contained report (needs --output).")] = OutputFormat.table,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report to this file instead of standard output.",
        dir_okay=False)] = None,
    ocr: Annotated[OcrMode, typer.Option(
        help="Read text in images: auto reads images that look like documents, cards or "
        "screenshots (see README); always reads every image; never reads none.")] = OcrMode.auto,
    faces: Annotated[bool, typer.Option("--faces/--no-faces",
                                        help="Detect faces in images.")] = True,
    min_score: Annotated[float, typer.Option(
        "--min-score", min=0.0, max=1.0,
        help="Report only identity findings scoring at least this (0-1).")] = 0.0,
    max_member_bytes: Annotated[int, typer.Option(
        help="Largest file or archive member read.")] = _DEFAULT_LIMITS.max_member_bytes,
    max_total_bytes: Annotated[int, typer.Option(
        help="Total uncompressed bytes read from archives.")] = _DEFAULT_LIMITS.max_total_bytes,
    max_ratio: Annotated[float, typer.Option(
        help="Largest compression ratio of a member (zip bombs).")] = _DEFAULT_LIMITS.max_ratio,
    max_depth: Annotated[int, typer.Option(
        help="Deepest nesting of archives in archives.")] = _DEFAULT_LIMITS.max_depth,
    max_files: Annotated[int, typer.Option(
        help="Most files (members included) read.")] = _DEFAULT_LIMITS.max_files,
    workers: Annotated[int, typer.Option(
        min=1, help="Images analysed at once.")] = ScanOptions().workers,
) -> None:
    """Find identity numbers, faces and identifying metadata, and the people they expose.

    Exit code 0 when nothing is found, 1 when something is, 2 on a usage or input error.
    """
    if output_format is OutputFormat.html and output is None:
        typer.echo("notforsale: error: --format html needs --output FILE", err=True)
        raise typer.Exit(EXIT_USAGE)
    options = ScanOptions(
        limits=Limits(max_member_bytes, max_total_bytes, max_ratio,
                      _DEFAULT_LIMITS.ratio_floor_bytes, max_depth, max_files),
        ocr=ocr.value, faces=faces, min_score=min_score, workers=workers,
        thumbnails=output_format is OutputFormat.html)
    stderr = Console(stderr=True)
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                   console=stderr, transient=True) if stderr.is_terminal else None
    try:
        with bar or nullcontext():
            task = bar.add_task("scanning", total=None) if bar else None

            def progress(path: str) -> None:
                if bar is not None and task is not None:
                    bar.update(task, description=f"scanning {path[-60:]}", advance=1)

            result = scan_path(paths, options, progress)
    except NotForSaleError as error:
        typer.echo(f"notforsale: error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if output is not None:
        with output.open("w", encoding="utf-8") as handle:
            render(result, output_format.value, handle)
        typer.echo(f"report written to {output}", err=True)
    else:
        render(result, output_format.value, sys.stdout)
    if output_format is not OutputFormat.table or output is not None:
        for scan_error in result.errors:
            typer.echo(f"notforsale: error: {scan_error.path}: {scan_error.message}", err=True)
    if result.errors and not result.files:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_FINDINGS if result.findings else EXIT_CLEAN)


@app.command()
def demo(
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Folder for the sample pack and its reports.",
        file_okay=False)] = Path("notforsale-demo"),
) -> None:
    """Build a small synthetic pack (faces, ID-card image, tables, nested archive) and scan it."""
    from .demo import run_demo

    run_demo(output, Console())


def main() -> None:
    app()


if __name__ == "__main__":
    main()

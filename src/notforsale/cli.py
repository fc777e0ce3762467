"""The ``notforsale`` command: a thin layer over the library.

Exit codes: 0 nothing found, 1 findings, 2 usage or input error.
"""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from importlib import resources
from typing import Annotated

import typer

from . import __version__
from .errors import NotForSaleError
from .model import ScanResult
from .report.render import render
from .scan import scan_files, scan_named_text

app = typer.Typer(
    help="Find, trace and neutralize traded face photos and personal identity data. "
    "Outputs carry masked values and keyed fingerprints only, never a raw number.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class OutputFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    json = "json"


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
        help="Text files to scan, or - for standard input.", metavar="PATH|-")],
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="table: readable summary; jsonl: one finding per line; "
        "json: one document with summary, findings and errors.")] = OutputFormat.table,
    min_score: Annotated[float, typer.Option(
        "--min-score", min=0.0, max=1.0,
        help="Report only findings scoring at least this (0-1).")] = 0.0,
) -> None:
    """Find identity numbers (resident IDs, bank cards, phones, e-mail, passports) in text.

    Exit code 0 when nothing is found, 1 when something is, 2 on a usage or input error.
    """
    try:
        result = scan_files(paths, min_score=min_score)
    except NotForSaleError as error:
        typer.echo(f"notforsale: error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    render(result, output_format.value, sys.stdout)
    if output_format is not OutputFormat.table:  # the table lists errors itself
        for scan_error in result.errors:
            typer.echo(f"notforsale: error: {scan_error.path}: {scan_error.message}", err=True)
    if result.errors and not result.files:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_FINDINGS if result.findings else EXIT_CLEAN)


@app.command()
def demo() -> None:
    """Scan the bundled synthetic sample (numbers, evasion tricks, decoys) and show the result."""
    text = (resources.files("notforsale") / "data" / "sample.txt").read_text(encoding="utf-8")
    typer.echo("Scanning the bundled synthetic sample sample.txt (made-up numbers with valid "
               "check digits, evasion tricks and decoys that must not be reported).\n")
    result = ScanResult(1, tuple(scan_named_text(text, "sample.txt")))
    render(result, "table", sys.stdout)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

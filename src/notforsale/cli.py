"""The ``notforsale`` command: a thin layer over the library.

Exit codes: 0 nothing found (everything read), 1 findings, 2 usage or input error, or a
failure that stopped the work (what was done is still reported, and said to be
incomplete), 3 nothing found but some files could not be read (skipped or errors: listed).
"""

from __future__ import annotations

import json
import logging
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from . import __version__
from .errors import InputError, NotForSaleError
from .listings import BLOCK_AT, REVIEW_AT
from .read.limits import Limits
from .read.text_files import read_text
from .report.render import render, render_redact_table
from .scan import ScanOptions, scan_path
from .text.mask import mask_path

app = typer.Typer(
    help="Find, trace and neutralize traded face photos and personal identity data. "
    "Outputs carry masked values, keyed fingerprints and blurred thumbnails only, never a raw "
    "number or an unblurred face.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNCHECKED = 0, 1, 2, 3
_DEFAULT_LIMITS = Limits()


class Executor(StrEnum):
    threads = "threads"
    processes = "processes"


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
        min=1, help="Members read at once (threads or processes; for --ray auto, the local "
        "cluster's CPUs).")] = ScanOptions().workers,
    executor: Annotated[Executor, typer.Option(
        help="Where members are read: threads in this process, or worker processes (for "
        "tables, dumps and office files, whose reading is Python-bound).")] = Executor.threads,
    ray: Annotated[str | None, typer.Option(
        "--ray", metavar="ADDRESS|auto", help="Spread the scan over a Ray cluster (needs "
        "notforsale[ray]); auto starts a local one and stops it at the end.")] = None,
    store: Annotated[Path | None, typer.Option(
        help="Keep the scan's results in this SQLite file (a new one), so that it can be "
        "resumed.", dir_okay=False)] = None,
    resume: Annotated[bool, typer.Option(
        help="Go on with the scan kept in --store: inputs it finished are not read "
        "again.")] = False,
) -> None:
    """Find identity numbers, faces and identifying metadata, and the people they expose.

    Exit code 0 when everything was read and nothing found, 1 when something is found, 3
    when nothing is found but some files could not be read (skipped or errors, listed), 2 on
    a usage or input error or when the scan stopped early.
    """
    if output_format is OutputFormat.html and output is None:
        typer.echo("notforsale: error: --format html needs --output FILE", err=True)
        raise typer.Exit(EXIT_USAGE)
    options = ScanOptions(
        limits=Limits(max_member_bytes=max_member_bytes, max_total_bytes=max_total_bytes,
                      max_ratio=max_ratio, max_depth=max_depth, max_files=max_files),
        ocr=ocr.value, faces=faces, min_score=min_score, workers=workers,
        thumbnails=output_format is OutputFormat.html,
        executor="ray" if ray else str(executor), ray_address=ray)
    if resume and store is None:
        typer.echo("notforsale: error: --resume needs --store FILE", err=True)
        raise typer.Exit(EXIT_USAGE)
    stderr = Console(stderr=True)
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                   console=stderr, transient=True) if stderr.is_terminal else None
    try:
        with bar or nullcontext():
            task = bar.add_task("scanning", total=None) if bar else None

            def progress(path: str) -> None:
                if bar is not None and task is not None:
                    bar.update(task, description=f"scanning {escape(path[-60:])}", advance=1)

            result = scan_path(paths, options, progress, store=store, resume=resume)
    except NotForSaleError as error:
        typer.echo(f"notforsale: error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except Exception as error:  # noqa: BLE001 - never exit 1 ("findings") on a failure
        typer.echo(f"notforsale: internal error ({type(error).__name__}); nothing reported",
                   err=True)
        raise typer.Exit(EXIT_USAGE) from None
    _write_report(result, output_format, output)
    if output_format is not OutputFormat.table or output is not None:
        for scan_error in result.errors:
            typer.echo(f"notforsale: error: {scan_error.path}: {scan_error.message}", err=True)
    if result.stopped or (result.errors and not result.files and not result.findings):
        raise typer.Exit(EXIT_USAGE)
    if result.findings:
        raise typer.Exit(EXIT_FINDINGS)
    # Nothing found is not "clean" when some files could not be read.
    raise typer.Exit(EXIT_UNCHECKED if result.errors or result.skipped else EXIT_CLEAN)


def _write_report(result: object, output_format: OutputFormat, output: Path | None) -> None:
    """The report, to a file (written aside and renamed) or standard output; a failure to
    write it is an error (exit code 2), never a half-written report called done."""
    try:
        if output is not None:
            partial = output.with_name(f".{output.name}.partial")
            with partial.open("w", encoding="utf-8") as handle:
                render(result, output_format.value, handle)  # type: ignore[arg-type]
            partial.replace(output)
            typer.echo(f"report written to {mask_path(str(output))}", err=True)
        else:
            render(result, output_format.value, sys.stdout)  # type: ignore[arg-type]
    except Exception as error:  # noqa: BLE001
        typer.echo(f"notforsale: error: the report could not be written "
                   f"({type(error).__name__})", err=True)
        raise typer.Exit(EXIT_USAGE) from None


class FaceMode(StrEnum):
    blur = "blur"
    pixelate = "pixelate"
    fill = "fill"


class RedactFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def redact(
    src: Annotated[Path, typer.Argument(help="Folder, archive or file to copy anonymized.",
                                        metavar="SRC")],
    dst: Annotated[Path, typer.Argument(
        help="Where the copy goes: a new or empty folder, or an archive name of the same "
        "type as SRC.", metavar="DST")],
    faces: Annotated[FaceMode, typer.Option(
        help="How faces are covered: blur (strong, irreversible), pixelate or fill.")
    ] = FaceMode.blur,
    ocr: Annotated[OcrMode, typer.Option(
        help="Read and mask numbers inside images: auto, always or never (as in scan).")
    ] = OcrMode.auto,
    verify: Annotated[bool, typer.Option(
        "--verify/--no-verify", help="Scan the copy again; fail if anything is left, and "
        "say 'unverified' if any file could not be checked.")] = True,
    copy_unknown: Annotated[bool, typer.Option(
        "--copy-unknown", help="Copy files whose format is not understood unchanged "
        "(default: leave them out). Either way they are listed and the copy is unverified.")
    ] = False,
    output_format: Annotated[RedactFormat, typer.Option(
        "--format", "-f", help="table: per-file counts; json: the full report.")
    ] = RedactFormat.table,
) -> None:
    """Write an anonymized copy: faces covered, numbers masked, metadata stripped.

    SRC is never modified. Exit code 0 when the copy is written and (with --verify) verified:
    every file is in the copy and a fresh scan of it read every file and found nothing;
    1 when verification finds something left or the copy is unverified (a file could not be
    redacted, copied or checked: listed); 2 on a usage or input error.
    """
    from .redact.tree import RedactOptions
    from .redact.tree import redact as redact_copy

    try:
        report = redact_copy(src, dst, RedactOptions(faces=faces.value, ocr=ocr.value,
                                                     verify=verify, copy_unknown=copy_unknown))
    except NotForSaleError as error:
        typer.echo(f"notforsale: error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except Exception as error:  # noqa: BLE001 - the copy was not moved into place
        typer.echo(f"notforsale: internal error ({type(error).__name__}); no copy was written",
                   err=True)
        raise typer.Exit(EXIT_USAGE) from None
    if output_format is RedactFormat.json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        render_redact_table(report, Console())
    raise typer.Exit(EXIT_FINDINGS if report.verified is False else EXIT_CLEAN)  # unverified too


class ScreenFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


@app.command()
def screen(
    path: Annotated[str, typer.Argument(
        help="A JSON-lines file of listings (one JSON object per line), or - for standard "
        "input.", metavar="FILE.jsonl|-")],
    output_format: Annotated[ScreenFormat, typer.Option(
        "--format", "-f", help="jsonl: one verdict per input line, in order; table: a "
        "readable list.")] = ScreenFormat.jsonl,
    block_at: Annotated[float, typer.Option(
        "--block-at", min=0.0, max=1.0, help="Score from which a listing is blocked.")
    ] = BLOCK_AT,
    review_at: Annotated[float, typer.Option(
        "--review-at", min=0.0, max=1.0, help="Score from which a listing goes to review.")
    ] = REVIEW_AT,
) -> None:
    """Screen marketplace or forum listings for the trade in faces and identity data.

    Fields read: id, title, description, price, currency, platform, lang, images (others are
    ignored). A line that is not a JSON object, or a field of the wrong type, gives an error
    record in its place and the rest go on. Exit code 0 when every listing is allowed, 1 when
    any is blocked or sent to review, 2 on a usage or input error.
    """
    if review_at > block_at:
        typer.echo("notforsale: error: --review-at must not exceed --block-at", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        lines = read_text(path).split("\n")  # not splitlines(): U+2028 is not a break
    except InputError as error:
        typer.echo(f"notforsale: error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    from .listings.batch import screen_line

    stderr = Console(stderr=True)
    console = Console()
    flagged = errors = 0
    with Progress(console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
        task = bar.add_task("screening", total=len(lines))
        for number, line in enumerate(lines, start=1):
            bar.advance(task)
            if not line.strip():
                continue
            record = screen_line(line, number, block_at, review_at)
            if "error" in record:
                errors += 1
            elif record["verdict"] != "allow":
                flagged += 1
            if output_format is ScreenFormat.jsonl:
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                console.print(_screen_row(record), highlight=False)
    if errors:
        typer.echo(f"notforsale: {errors} line(s) could not be screened", err=True)
    raise typer.Exit(EXIT_FINDINGS if flagged else EXIT_CLEAN)


def _screen_row(record: dict[str, object]) -> str:
    if "error" in record:
        return f"line {record['line']}: error: {record['error']}"
    reasons = "; ".join(str(r) for r in record["reasons"][:3])  # type: ignore[index]
    return f"{record['verdict']:6s} {record['score']:.2f}  {record['id']}  {reasons}"


token_app = typer.Typer(help="API tokens for the service and the console (stored hashed).",
                        no_args_is_help=True)
app.add_typer(token_app, name="token")

DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (default: NOTFORSALE_DB, else SQLite in the user data "
    "directory); PostgreSQL as postgresql+psycopg://user:password@host/db.")]


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option("--name", help="Who or what the token is for.")],
    db: DbOption = None,
) -> None:
    """Create an API token; it is printed once and only its hash is kept."""
    from .store import repository
    from .store.db import open_database

    with open_database(db)() as session:
        try:
            token = repository.create_token(session, name)
        except ValueError as error:
            typer.echo(f"notforsale: error: {error}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
    typer.echo(token)


audit_app = typer.Typer(help="The service's audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(db: DbOption = None) -> None:
    """Check the audit log's hash chain: every entry sealed, in order, unchanged.

    Exit code 0 when it is intact, 1 when an entry was changed, removed or inserted.
    """
    from .store.audit import verify
    from .store.db import open_database

    engine = open_database(db).kw["bind"]
    with engine.connect() as connection:
        result = verify(connection)
    if result.intact:
        typer.echo(f"audit log intact: {result.entries} entries, each sealed to the one before")
        raise typer.Exit(EXIT_CLEAN)
    typer.echo(f"audit log NOT intact ({result.entries} entries):", err=True)
    for problem in result.problems:
        typer.echo(f"  {problem}", err=True)
    raise typer.Exit(EXIT_FINDINGS)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    db: DbOption = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the REST service (/v1, OpenAPI at /docs) and the moderators' console (/console)."""
    _serve(host, port, db, workers)


def _serve(host: str, port: int, db: str | None, workers: int) -> None:
    import os

    import uvicorn

    from .store.db import open_database

    if db:
        os.environ["NOTFORSALE_DB"] = db
    open_database(db)  # migrate before the workers start
    uvicorn.run("notforsale.service.main:app", host=host, port=port, workers=workers,
                log_level="warning", proxy_headers=False)


@app.command()
def demo(
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Folder for the sample pack and its reports.",
        file_okay=False)] = Path("notforsale-demo"),
    serve_console: Annotated[bool, typer.Option(
        "--serve", help="Then start the service with sample cases and print the URL and a "
        "token.")] = False,
    port: Annotated[int, typer.Option(help="Port for --serve.")] = 8000,
) -> None:
    """Build a small synthetic pack, scan it and redact it; --serve adds the console."""
    from .demo import run_demo, seed_service

    run_demo(output, Console())
    if serve_console:
        db, token = seed_service(output, output / "pack")
        typer.echo(f"\nConsole: http://127.0.0.1:{port}/console  (log in with the token below)")
        typer.echo(f"API docs: http://127.0.0.1:{port}/docs")
        typer.echo(f"Token: {token}")
        _serve("127.0.0.1", port, db, 1)


from .commands_persons import register as _register_persons  # noqa: E402

_register_persons(app)
from .commands_trace import register as _register_trace  # noqa: E402 - commands of their own

_register_trace(app)
from .commands_screener import screener_app  # noqa: E402

app.add_typer(screener_app, name="screener")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

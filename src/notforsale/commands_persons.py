"""``notforsale gallery build`` and ``notforsale match``: is this pack ours?

Registered from cli.py. Answers carry masked paths, person labels (masked) and
distances, never a descriptor.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .link.gallery import Gallery, GalleryError, build_gallery, match_pack
from .link.persons import DEFAULT_THRESHOLD
from .text.mask import mask_path

EXIT_CLEAN, EXIT_FOUND, EXIT_USAGE = 0, 1, 2

gallery_app = typer.Typer(help="Galleries of enrolled faces (saved encrypted).",
                          no_args_is_help=True)


@gallery_app.command("build")
def gallery_build(
    folder: Annotated[Path, typer.Argument(
        help="Enrolled photos: FOLDER/<person>/*.jpg, or FOLDER/<person>.jpg.")],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="The gallery file to write (must not exist).")],
) -> None:
    """Enroll the largest face of each photo into an encrypted gallery file.

    The file is encrypted with a key derived from this installation's key: it
    opens only where that key is.
    """
    if not folder.exists():
        typer.echo(f"notforsale: error: {mask_path(str(folder))}: no such folder", err=True)
        raise typer.Exit(EXIT_USAGE)
    if output.exists():
        typer.echo(f"notforsale: error: {mask_path(str(output))} exists; choose a new file",
                   err=True)
        raise typer.Exit(EXIT_USAGE)
    gallery = build_gallery(folder)
    for problem in gallery.problems:
        typer.echo(f"skipped {problem.path}: {problem.reason}", err=True)
    if not gallery.persons:
        typer.echo("notforsale: error: no face could be enrolled", err=True)
        raise typer.Exit(EXIT_USAGE)
    gallery.save(output)
    typer.echo(f"{len(gallery.persons)} faces of {len(set(gallery.persons))} persons enrolled "
               f"in {mask_path(str(output))} ({len(gallery.problems)} photos skipped)")


def match(
    pack: Annotated[Path, typer.Argument(help="The pack: a folder or an archive.")],
    gallery: Annotated[Path, typer.Option(
        "--gallery", "-g", help="A gallery file (from 'gallery build') or a folder of "
        "enrolled photos.")],
    threshold: Annotated[float, typer.Option(
        help="Largest descriptor distance taken as the same person.")] = DEFAULT_THRESHOLD,
    output_format: Annotated[str, typer.Option(
        "--format", "-f", help="table or json.")] = "table",
) -> None:
    """Which persons of a gallery appear in a pack (exit code 1 when any does)."""
    if output_format not in ("table", "json"):
        typer.echo("notforsale: error: --format is table or json", err=True)
        raise typer.Exit(EXIT_USAGE)
    if not pack.exists():
        typer.echo(f"notforsale: error: {mask_path(str(pack))}: no such file or folder",
                   err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        enrolled = build_gallery(gallery) if gallery.is_dir() else Gallery.load(gallery)
    except GalleryError as error:
        typer.echo(f"notforsale: error: {mask_path(str(gallery))}: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    result = match_pack(pack, enrolled, threshold)
    document = result.to_dict()
    if output_format == "json":
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        summary = document["summary"]
        assert isinstance(summary, dict)
        typer.echo(f"{summary['images']} images, {summary['faces']} faces "
                   f"({summary['faces_embedded']} compared, {summary['faces_skipped']} "
                   f"skipped), {summary['gallery_persons_found']} gallery persons found")
        for person in result.persons():
            typer.echo(f"  {person['person']}: distance {person['distance']}, "
                       f"{person['photos']} photos")
            for sighting in person["sightings"]:  # type: ignore[attr-defined]
                typer.echo(f"    {sighting['path']} {sighting['box']} "
                           f"(enrolled: {sighting['enrolled']})")
    raise typer.Exit(EXIT_FOUND if result.sightings else EXIT_CLEAN)


def register(app: typer.Typer) -> None:
    """Add ``gallery`` and ``match`` to the ``notforsale`` command."""
    app.add_typer(gallery_app, name="gallery")
    app.command("match")(match)

"""``notforsale screener``: moderators' labels out, refitted weights in.

- ``export-labels`` writes the decisions taken in the console or through the API
  (remove / allow; escalated and open cases are counted, not exported) as labeled listings,
  one JSON object a line, with the listing text as stored: masked.
- ``fit --labels FILE … --out NEW.json`` refits both heads from the shipped training data
  plus those labels, prints precision and recall on the shipped held-out set (and on a fifth
  of the labels kept out of the fit) for the weights in use and for the new ones, and writes
  the new weights to ``--out`` — never over the shipped file. The screener uses them only when
  pointed at them (``NOTFORSALE_LISTING_WEIGHTS=NEW.json``).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

screener_app = typer.Typer(help="The listing screener: moderators' labels and refitted weights.",
                           no_args_is_help=True)

EXIT_USAGE = 2
#: Each moderator's label counts this many times a written training listing (default).
LABEL_WEIGHT = 3.0
#: One in this many moderators' labels is kept out of the fit to measure it.
KEEP_OUT = 5

DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (default: NOTFORSALE_DB, else SQLite in the user data "
    "directory).")]


@screener_app.command("export-labels")
def export_labels(
    output: Annotated[str, typer.Option(
        "--output", "-o", help="File to write (JSON lines), or - for standard output.")] = "-",
    db: DbOption = None,
) -> None:
    """Write moderators' decisions on listing cases as labeled listings (masked text)."""
    from .store.db import open_database
    from .store.labels import moderator_labels

    with open_database(db)() as session:
        rows, counts = moderator_labels(session)
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if output == "-":
        sys.stdout.write(text)
    else:
        target = Path(output)
        if target.exists():
            typer.echo(f"notforsale: error: {output} exists; choose a new file", err=True)
            raise typer.Exit(EXIT_USAGE)
        target.write_text(text, encoding="utf-8")
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no listing cases"
    typer.echo(f"notforsale: {len(rows)} label(s) exported ({summary})", err=True)


def _load_labels(paths: list[Path], weight: float) -> list[dict[str, Any]]:
    from .listings.training import load_source

    rows: list[dict[str, Any]] = []
    for path in paths:
        for row in load_source(path, "moderators"):
            row["weight"] = weight
            rows.append(row)
    return rows


def _kept_out(row: dict[str, Any]) -> bool:
    digest = hashlib.sha256(str(row.get("id")).encode("utf-8")).hexdigest()
    return int(digest, 16) % KEEP_OUT == 0


_SHOWN = (("precision", "precision"), ("recall", "recall"), ("f1", "F1"),
          ("benign_flagged", "benign flagged"), ("talk_flagged", "talk flagged"))


def _table(title: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    lines = [f"{title}: {after['listings']} listings ({after['illicit']} illicit, "
             f"{after['talk']} talk, {after['benign']} benign)",
             f"  {'':16s}{'in use':>9s}{'new':>9s}{'change':>9s}"]
    for key, name in _SHOWN:
        a, b = before.get(key), after.get(key)
        if a is None or b is None:
            continue
        lines.append(f"  {name:16s}{a:9.3f}{b:9.3f}{b - a:+9.3f}")
    return "\n".join(lines)


@screener_app.command("fit")
def fit(
    labels: Annotated[list[Path], typer.Option(
        "--labels", help="Labeled listings (JSON lines, e.g. from export-labels); repeatable.",
        exists=True, dir_okay=False)],
    out: Annotated[Path, typer.Option(
        "--out", help="Where to write the new weights (a new file; never the shipped one).",
        dir_okay=False)],
    heldout: Annotated[Path | None, typer.Option(
        "--heldout", help="Held-out set to report on (default: the shipped one).",
        exists=True, dir_okay=False)] = None,
    label_weight: Annotated[float, typer.Option(
        "--label-weight", min=0.1, help="How many written training listings one moderator's "
        "label counts for.")] = LABEL_WEIGHT,
) -> None:
    """Refit the screener from the shipped data plus moderators' labels; report the change
    on the held-out set before the new weights are used."""
    from .listings import training
    from .listings.model import current_model, model_from_dict, shipped_weights_path

    if out.resolve() == shipped_weights_path().resolve():
        typer.echo("notforsale: error: --out is the shipped weights file; write the new "
                   "weights elsewhere and point NOTFORSALE_LISTING_WEIGHTS at them", err=True)
        raise typer.Exit(EXIT_USAGE)
    if out.exists():
        typer.echo(f"notforsale: error: {out} exists; choose a new file", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        moderated = _load_labels(labels, label_weight)
    except (ValueError, json.JSONDecodeError) as error:
        typer.echo(f"notforsale: error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    kept_out = [row for row in moderated if _kept_out(row)]
    used = [row for row in moderated if not _kept_out(row)]
    shipped = training.training_rows()
    typer.echo(f"fitting on {len(shipped)} shipped listings + {len(used)} moderators' labels "
               f"({len(kept_out)} kept out to measure)", err=True)
    meta = {"provenance": {
        **training.provenance({s: training.data_file(n)
                               for s, n in training.TRAINING_FILES.items()}),
        **{f"labels:{path.name}": item for path, item in zip(
            labels, training.provenance({p.name: p for p in labels}).values(), strict=True)}},
        "label_weight": label_weight, "moderators_labels_used": len(used)}
    data = training.fit_model(shipped + used, meta=meta)
    new = model_from_dict(data, str(out))
    in_use = current_model()
    rows = training.heldout_rows(heldout)
    report = [_table(f"held-out set ({heldout or 'shipped'})", training.evaluate(rows, in_use),
                     training.evaluate(rows, new))]
    if kept_out:
        report.append(_table("moderators' labels kept out of the fit",
                             training.evaluate(kept_out, in_use),
                             training.evaluate(kept_out, new)))
    typer.echo(f"weights in use: {in_use.source}")
    typer.echo("\n".join(report))
    training.write_weights(data, out)
    typer.echo(f"wrote {out}; to use it: NOTFORSALE_LISTING_WEIGHTS={out}")

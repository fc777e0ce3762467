"""The redaction writers, by the names the format registry gives them."""

from __future__ import annotations

from collections.abc import Callable

from ..read.member import Member
from .context import Context, Written

Writer = Callable[[Member, Context], Written]


def writer(name: str) -> Writer:
    """The writer a format names (imported on first use)."""
    from . import documents, mail, office, pdf

    table: dict[str, Writer] = {
        "text": documents.write_text,
        "table": documents.write_table,
        "json": documents.write_json,
        "jsonl": documents.write_json_lines,
        "xlsx": documents.write_xlsx,
        "sql": documents.write_sql,
        "sqlite": documents.write_sqlite,
        "rtf": documents.write_rtf,
        "html": office.write_html,
        "ooxml": _ooxml,
        "odf": office.write_odf,
        "epub": office.write_epub,
        "pdf": pdf.write_pdf,
        "eml": mail.write_eml,
        "mbox": mail.write_mbox,
    }
    return table[name]


def _ooxml(member: Member, ctx: Context) -> Written:
    from . import office

    lowered = member.name.lower()
    return (office.write_pptx if lowered.endswith((".pptx", ".pptm", ".ppsx"))
            else office.write_docx)(member, ctx)

"""Redact e-mail messages and mailboxes in their own format.

The headers the reader reads (all but those of the structure) are masked, text and HTML
bodies are masked (HTML through the same paragraph walk as web pages), attachments
are redacted as files of their own under masked names, and attachments that cannot
be redacted are left out (the message says so in their place). A mailbox is
rewritten message by message with its ``From`` lines masked.
"""

from __future__ import annotations

import binascii
from email.message import Message

from lxml import etree

from ..read import markup
from ..read.mail import (
    attachment_name,
    header_parts,
    header_text,
    is_attachment,
    leaf_parts,
    multiparts,
    parse_message,
    part_text,
    read_header_names,
    split_emlx,
    split_mbox,
    uuencoded,
)
from ..read.member import Member
from ..text.mask import mask_name, mask_text
from .context import Context, Written
from .office import mask_walked


def _mask_headers(message: Message, written: Written) -> None:
    for name in read_header_names(message):
        if message.get(name) is None:
            continue
        value = header_text(message, name)
        masked, count = mask_text(value)
        if count:
            # The header keeps the name as the message wrote it (From, not from).
            written_as = next((k for k in message.keys() if k.lower() == name), name)
            del message[name]
            message[written_as] = masked.replace("\n", ", ")
            written.numbers += count


def _uu_block(name: str, data: bytes) -> str:
    lines = [binascii.b2a_uu(data[i:i + 45]).decode("ascii") for i in range(0, len(data), 45)]
    return f"begin 644 {name}\n" + "".join(lines) + "`\nend"


def _mask_plain(text: str, member: Member, ctx: Context, written: Written
                ) -> tuple[str, int]:
    """A text body masked, the files uuencoded in it redacted and encoded again (the
    encoded lines themselves are not masked as text: that would garble them)."""
    pieces: list[str] = []
    total, last = 0, 0
    for start, end, name, data in uuencoded(text):
        masked, count = mask_text(text[last:start])
        pieces.append(masked)
        total += count
        child = ctx.nested(member.child(name, data, ctx.key, group=member.path))
        written.absorb(child)
        shown = mask_name(name)
        if child.data is None:
            pieces.append(f"[uuencoded file {shown} left out: it could not be redacted]")
        elif child.data == data and shown == name:
            pieces.append(text[start:end])
        else:
            pieces.append(_uu_block(shown, child.data))
        last = end
    masked, count = mask_text(text[last:])
    pieces.append(masked)
    return "".join(pieces), total + count


def _mask_body(part: Message, member: Member, ctx: Context, written: Written) -> None:
    text = part_text(part)
    if text is None:
        return
    if part.get_content_subtype() == "html":
        try:
            tree = markup.parse_html(text)
            count = mask_walked(markup.walk(tree, markup.HTML))
            masked = etree.tostring(tree, method="html", encoding="unicode") if count else text
        except ValueError:  # empty, or nested too deep to walk: masked as plain text
            masked, count = mask_text(text)
    else:
        masked, count = _mask_plain(text, member, ctx, written)
    if count or masked != text:
        charset = part.get_content_charset() or "utf-8"
        if "Content-Transfer-Encoding" in part:
            del part["Content-Transfer-Encoding"]
        part.set_payload(masked.encode("utf-8").decode("utf-8"), "utf-8" if charset.lower()
                         not in ("utf-8", "utf8") else charset)
        written.numbers += count


def redact_message(data: bytes, member: Member, ctx: Context) -> Written:
    message = parse_message(data)
    written = Written(None)
    for part in header_parts(message):
        _mask_headers(part, written)
    for part in multiparts(message):  # text outside every part: the preamble and the epilogue
        for where in ("preamble", "epilogue"):
            extra = getattr(part, where)
            if isinstance(extra, str) and extra.strip():
                masked, count = mask_text(extra)
                if count:
                    setattr(part, where, masked)
                    written.numbers += count
    attachments = 0
    for part in leaf_parts(message):
        if is_attachment(part):
            attachments += 1
            name = attachment_name(part, attachments)
            if part.get_content_maintype() == "message":
                inner = part.get_payload()
                raw = inner[0].as_bytes() if isinstance(inner, list) and inner and \
                    isinstance(inner[0], Message) else b""
                if not name.lower().endswith(".eml"):
                    name += ".eml"
            else:
                payload = part.get_payload(decode=True)
                raw = payload if isinstance(payload, bytes) else b""
            child = ctx.nested(member.child(name, raw, ctx.key, group=member.path))
            written.absorb(child)
            shown = mask_name(name)
            if child.data is None:
                for header in ("Content-Type", "Content-Transfer-Encoding",
                               "Content-Disposition"):
                    del part[header]
                part.set_payload(f"[attachment {shown} left out: it could not be redacted]",
                                 "utf-8")
                continue
            if part.get_content_maintype() == "message":
                part.set_payload([parse_message(child.data)])
            else:
                part.set_payload(child.data)
                from email import encoders

                if "Content-Transfer-Encoding" in part:
                    del part["Content-Transfer-Encoding"]
                encoders.encode_base64(part)
            if part.get_filename() is not None and shown != part.get_filename():
                part.set_param("filename", shown, header="Content-Disposition")
                if part.get_param("name") is not None:
                    part.set_param("name", shown)
            continue
        _mask_body(part, member, ctx, written)
    written.data = message.as_bytes()
    return written


def write_eml(member: Member, ctx: Context) -> Written:
    emlx = split_emlx(member.data) if member.suffix == ".emlx" else None
    if emlx is None:
        return redact_message(member.data, member, ctx)
    message, properties = emlx  # the length line written again for the masked message
    written = redact_message(message, member, ctx)
    assert written.data is not None
    masked, count = mask_text(properties.decode("utf-8", errors="surrogateescape"))
    written.numbers += count
    written.data = b"%d\n" % len(written.data) + written.data + \
        masked.encode("utf-8", errors="surrogateescape")
    return written


def write_mbox(member: Member, ctx: Context) -> Written:
    written = Written(None)
    pieces = []
    for number, (start, end) in enumerate(split_mbox(member.data), start=1):
        chunk = member.data[start:end]
        envelope, _, body = chunk.partition(b"\n")
        line, count = mask_text(envelope.decode("utf-8", errors="replace"))
        written.numbers += count
        inner = member.child(f"message-{number}.eml", body, ctx.key, embedded=True)
        message = redact_message(body, inner, ctx)
        written.absorb(message)
        assert message.data is not None
        pieces.append(line.encode("utf-8") + b"\n" + message.data.rstrip(b"\n") + b"\n\n")
    written.data = b"".join(pieces)
    return written

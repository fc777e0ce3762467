"""E-mail: single messages (``.eml``) and mailboxes (``.mbox``).

A message's headers (From, To, Subject, …) and its text and HTML bodies are text
units; its attachments are nested members, read like an archive's. For linking, a
message and its attachments are one group, as files that share a stem are: the
photo attached to a message goes with the numbers written in it. A mailbox is
split into its messages (each an embedded ``message-N.eml``).
"""

from __future__ import annotations

import binascii
import email
import email.errors
import email.header
import email.policy
import re
from collections.abc import Iterator
from email.message import EmailMessage, Message

from ..errors import InputError
from .markup import HTML, iter_units, parse_html, walk
from .member import Member
from .text_files import decode
from .units import Part, PartError, ReadContext, TextUnit, shown

#: Headers that give a message its structure: parsed, not read as text (an attachment's
#: name, from Content-Disposition or Content-Type, is read on its own; masking a boundary
#: would break the message). Every other header is read — Received, Message-ID,
#: References, a sender's own ``X-`` headers: a number hides in any of them.
STRUCTURE_HEADERS = frozenset({"content-type", "content-transfer-encoding",
                               "content-disposition", "mime-version"})


def read_header_names(message: Message) -> list[str]:
    """The headers of ``message`` whose values are read (and masked in a copy), lower-case,
    each once, in their order."""
    names: list[str] = []
    for key in message.keys():
        name = key.lower()
        if name not in STRUCTURE_HEADERS and name not in names:
            names.append(name)
    return names


def header_parts(message: Message) -> list[Message]:
    """The message and each of its parts whose headers are read: multipart containers and
    leaves, an attached message's own headers not (read as a message of its own)."""
    parts, seen = [message], {id(message)}
    for part in (*multiparts(message), *leaf_parts(message)):
        if id(part) not in seen:  # (by identity: one pass, however many parts)
            seen.add(id(part))
            parts.append(part)
    return parts


_FROM_LINE = re.compile(rb"^From [^\r\n]*\r?\n", re.MULTILINE)
MAX_PARTS = 10_000


def parse_message(data: bytes) -> Message:
    return email.message_from_bytes(data, policy=email.policy.compat32)


#: One RFC 2047 encoded word (charset, Q or B, text).
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=")


def _decoded(word: str) -> str:
    try:
        ((chunk, charset),) = email.header.decode_header(word)
        return chunk.decode(charset or "ascii", errors="replace") \
            if isinstance(chunk, bytes) else chunk
    except (UnicodeError, LookupError, email.errors.HeaderParseError, ValueError):
        return word


_TRAILING_DIGITS = re.compile(r"[0-9]*\Z")
_LEADING_DIGITS = re.compile(r"[0-9]*")
#: Digits on both sides of two adjacent encoded words, each this long at least: two
#: numbers, kept apart by a space.
_WHOLE_RUN = 10


def decode_words(value: str) -> str:
    """A header value with its RFC 2047 words decoded. Adjacent words are joined as a mail
    reader shows them (RFC 2047 6.2: the space between them is not shown), so an ID cut
    over two words is one run of digits; but where the digits on each side are a number's
    worth (10 or more), a space stays between them: two IDs in two words are not one run
    of 36 digits. Plain text keeps its own spacing."""
    pieces: list[str] = []
    last = 0
    after_word = False
    for word in _ENCODED_WORD.finditer(value):
        between = value[last:word.start()]
        decoded = _decoded(word.group())
        if after_word and not between.strip():  # adjacent words: the space is not shown
            before = _TRAILING_DIGITS.search(pieces[-1])
            after = _LEADING_DIGITS.match(decoded)
            apart = before is not None and after is not None and \
                len(before.group()) >= _WHOLE_RUN and len(after.group()) >= _WHOLE_RUN
            pieces.append((" " if apart else "") + decoded)
        else:
            pieces += [between, decoded]
        after_word = True
        last = word.end()
    if not pieces:
        return value
    pieces.append(value[last:])
    return "".join(pieces).strip()


def header_text(message: Message, name: str) -> str:
    return "\n".join(decode_words(str(value)) for value in message.get_all(name) or [])


def part_text(part: Message) -> str | None:
    """The decoded text of a text part, or None when it is not text."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return None
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        try:
            return decode(payload)
        except InputError:
            return payload.decode("utf-8", errors="replace")


_UU_BEGIN = re.compile(r"^begin(?:-base64)? [0-7]{3,4} (.+?)\r?$", re.MULTILINE)
_UU_END = re.compile(r"^(?:end|====)\r?$", re.MULTILINE)


def uuencoded(text: str) -> Iterator[tuple[int, int, str, bytes]]:
    """Files written into a text body with uuencode (``begin 644 name`` … ``end``), as
    old mail programs and forums post them: (start, end, name, bytes)."""
    at = 0
    while True:
        begin = _UU_BEGIN.search(text, at)
        if begin is None:
            return
        close = _UU_END.search(text, begin.end())
        if close is None:
            return
        body = text[begin.end():close.start()]
        out = bytearray()
        base64 = begin.group().startswith("begin-base64")
        try:
            if base64:
                out += binascii.a2b_base64("".join(body.split()))
            else:
                for line in body.splitlines():
                    if line.strip() and line.strip() != "`":
                        out += binascii.a2b_uu(line)
        except (binascii.Error, ValueError):
            at = close.end()
            continue
        name = begin.group(1).strip().replace("/", "_").replace("\\", "_") or "uuencoded"
        yield begin.start(), close.end(), name, bytes(out)
        at = close.end()


def attachment_name(part: Message, index: int) -> str:
    name = part.get_filename()
    if name:
        try:
            name = str(email.header.make_header(email.header.decode_header(name)))
        except (UnicodeError, LookupError, email.errors.HeaderParseError, ValueError):
            pass
        return name.replace("/", "_").replace("\\", "_") or f"attachment-{index}"
    subtype = (part.get_content_subtype() or "bin").split("+", 1)[0]
    return f"attachment-{index}.{subtype}"


def leaf_parts(message: Message) -> Iterator[Message]:
    """The parts of a message in order, an attached message (message/rfc822, a forward)
    being one part — read as an attachment of its own — not walked into."""
    stack = [message]
    while stack:
        part = stack.pop(0)
        if part is not message and part.get_content_maintype() == "message":
            yield part
            continue
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack[0:0] = [p for p in payload if isinstance(p, Message)]
            continue
        yield part


def multiparts(message: Message) -> Iterator[Message]:
    """The multipart containers of a message (with their preamble and epilogue), not those
    of an attached message (read as a message of its own)."""
    stack = [message]
    while stack:
        part = stack.pop()
        if not part.is_multipart():
            continue
        yield part
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend(p for p in reversed(payload) if isinstance(p, Message)
                         and p.get_content_maintype() != "message")


def is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").lower()
    maintype = part.get_content_maintype()
    if maintype == "message":  # a forwarded message: read as a message of its own
        return True
    if part.is_multipart():
        return False
    return "attachment" in disposition or part.get_filename() is not None or \
        maintype not in ("text",)


_EMLX_COUNT = re.compile(rb"([0-9]{1,12})[ \t]*\r?\n")


def split_emlx(data: bytes) -> tuple[bytes, bytes] | None:
    """Apple Mail's ``.emlx``: a line giving the message's length in bytes, the message,
    then a property list (flags, dates). The message and the property list, or None when
    the data does not start so."""
    count = _EMLX_COUNT.match(data)
    if count is None or int(count.group(1)) > len(data) - count.end():
        return None
    end = count.end() + int(count.group(1))
    return data[count.end():end], data[end:]


def read_eml(member: Member, ctx: ReadContext) -> Iterator[Part]:
    data = member.data
    emlx = split_emlx(data) if member.suffix == ".emlx" else None
    if emlx is not None:
        data, properties = emlx
        if properties.strip():
            yield TextUnit(decode(properties), whole_text=True, part="Apple Mail properties")
    try:
        message = parse_message(data)
    except Exception as error:  # noqa: BLE001 - the parser rarely raises, but may
        raise InputError(member.path, f"unreadable e-mail ({type(error).__name__})") from None
    if not message.keys() and not message.get_payload():
        raise InputError(member.path, "not an e-mail message")
    yield from _message_parts(message, member, ctx)


def _message_parts(message: Message, member: Member, ctx: ReadContext) -> Iterator[Part]:
    # One record for the whole message: its headers and bodies are one person's.
    record = 1
    for number, part in enumerate(header_parts(message)):
        where = "header" if number == 0 else f"MIME part {number} header"
        for name in read_header_names(part):
            value = header_text(part, name)
            if value.strip():
                label = shown(name.title())
                yield TextUnit(value, field=f"{where} {label}", hint=label, record=record,
                               part=f"{where} {label}")
    for container in multiparts(message):  # text outside every part
        for where in ("preamble", "epilogue"):
            extra = getattr(container, where)
            if isinstance(extra, str) and extra.strip():
                yield TextUnit(extra, record=record, whole_text=True, part=f"MIME {where}")
    attachments = 0
    for index, part in enumerate(leaf_parts(message), start=1):
        if index > MAX_PARTS:
            yield PartError("parts", f"parts after the first {MAX_PARTS} not read")
            break
        if is_attachment(part):
            attachments += 1
            data: bytes
            if part.get_content_maintype() == "message":
                inner = part.get_payload()
                if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                    data = inner[0].as_bytes()
                else:
                    raw = part.get_payload(decode=True)
                    data = raw if isinstance(raw, bytes) else b""
                name = attachment_name(part, attachments)
                if not name.lower().endswith(".eml"):
                    name += ".eml"
            else:
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                name = attachment_name(part, attachments)
            if len(data) > ctx.limits.max_member_bytes:
                yield PartError(shown(name), "attachment larger than the member limit")
                continue
            yield member.child(name, data, ctx.key, group=member.path)
            continue
        text = part_text(part)
        if text is None or not text.strip():
            continue
        if part.get_content_subtype() == "html":
            try:
                walked = walk(parse_html(text), HTML)
            except ValueError:  # empty, or nested too deep: its text is read as it is
                yield TextUnit(text, record=record, whole_text=True, part="body (markup)")
                continue
            for paragraph, label in iter_units(walked, "body"):
                yield TextUnit(paragraph.text, record=record, whole_text=True, part=label)
        else:
            yield TextUnit(text, record=record, whole_text=True, part="body")
            for _start, _end, name, data in uuencoded(text):  # files written in the text
                if len(data) <= ctx.limits.max_member_bytes:
                    yield member.child(name, data, ctx.key, group=member.path)
                else:
                    yield PartError(shown(name), "uuencoded file larger than the member limit")


def split_mbox(data: bytes) -> list[tuple[int, int]]:
    """Spans of the messages of an mbox (each starting with its ``From`` line)."""
    starts = [m.start() for m in _FROM_LINE.finditer(data)
              if m.start() == 0 or data[m.start() - 1:m.start()] == b"\n"]
    if not starts:
        return []
    return [(start, end) for start, end in zip(starts, starts[1:] + [len(data)], strict=True)]


def read_mbox(member: Member, ctx: ReadContext) -> Iterator[Part]:
    spans = split_mbox(member.data)
    if not spans:
        raise InputError(member.path, "not a mailbox (no 'From ' line)")
    for number, (start, end) in enumerate(spans, start=1):
        chunk = member.data[start:end]
        envelope, _, body = chunk.partition(b"\n")
        line = envelope.decode("utf-8", errors="replace").strip()
        if line:
            yield TextUnit(line, field="envelope", hint="from", record=None,
                           part=f"message {number} envelope")
        # Each message is a part of the mailbox, read as a message of its own.
        yield member.child(f"message-{number}.eml", body, ctx.key, embedded=True)


__all__ = ["read_eml", "read_mbox", "split_mbox", "EmailMessage"]

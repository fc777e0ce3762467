"""Context words: text near a number that says what the number is.

Context raises a finding's score; it never makes an invalid number valid.
For the weak shapes (landlines, passport numbers, 13–14-digit cards) it is
required. Words are matched case-insensitively in a window before and after
the number; pinyin initials sellers use (sfz, yhk, sjh) count too.

>>> words_near("CN_RESIDENT_ID", "姓名张三 身份证号:", "")
('身份证',)
"""

from __future__ import annotations

import re
from functools import lru_cache

#: How many characters before and after a number are searched.
BEFORE = 32
AFTER = 12
#: For the weak shapes that need a context word, it must stand this close before them.
BEFORE_REQUIRED = 24

CONTEXT_WORDS: dict[str, tuple[str, ...]] = {
    "CN_RESIDENT_ID": (
        "身份证", "身份證", "身份号", "证件号", "證件號", "公民身份", "居民身份", "身份信息",
        "sfz", "id card", "id no", "id number", "id#", "identity", "resident id", "citizen id",
        "证号",
    ),
    "BANK_CARD": (
        "卡号", "卡號", "银行卡", "銀行卡", "储蓄卡", "信用卡", "借记卡", "银联", "账号", "帐号",
        "账户", "收款", "yhk", "card", "bank", "account", "visa", "mastercard", "unionpay",
    ),
    "PHONE_NUMBER": (
        "手机", "手機", "电话", "電話", "座机", "座機", "联系方式", "联系", "號碼", "号码", "来电",
        "固话", "固定电话", "办公电话", "传真",
        "sjh", "tel", "phone", "mobile", "cell", "call", "whatsapp", "contact", "fax",
        "landline", "land line",
    ),
    "CN_PASSPORT": ("护照", "護照", "passport", "pp no"),
}

#: Labels of other kinds of numbers. Where one stands nearer to a weak-shaped number
#: (a landline, a passport-like code) than the type's own context word, the context
#: word belongs to something else: "电话费已缴清，收据编号 010-…" is a receipt number.
ANTI_CONTEXT = ("编号", "单号", "订单", "收据", "流水", "运单", "快递", "物流", "工号", "学号",
                "型号", "批号", "序列号", "货号", "serial", "order", "tracking", "invoice", "sku",
                "model", "ref")
_ANTI = re.compile("|".join(re.escape(w) for w in ANTI_CONTEXT))

_PATTERNS = {
    entity: re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    for entity, words in CONTEXT_WORDS.items()
}
_SPELLINGS = {
    entity: tuple(dict.fromkeys(v for w in words for v in (w, w.title(), w.upper())))
    for entity, words in CONTEXT_WORDS.items()
}


#: Any spelling of each type's words, in one pattern: most texts (table cells) hold none,
#: and one search says so where a search per spelling took a dozen calls.
_ANY_SPELLING = {entity: re.compile("|".join(re.escape(w) for w in spellings))
                 for entity, spellings in _SPELLINGS.items()}


def occurrences(entity: str, text: str) -> list[int]:
    """Offsets just after each context word of ``entity`` in ``text`` (sorted).

    Plain substring search per word and spelling (lower, Title, UPPER) beats a
    case-insensitive regex alternation by an order of magnitude on long text.
    """
    if _ANY_SPELLING[entity].search(text) is None:
        return []
    ends = []
    for word in _SPELLINGS[entity]:
        at = text.find(word)
        while at != -1:
            ends.append(at + len(word))
            at = text.find(word, at + 1)
    return sorted(set(ends))


def label_is_own(entity: str, before: str) -> bool:
    """Whether the nearest label before a number is one of ``entity``'s context words."""
    lowered = before.lower()
    own = [m.end() for m in _PATTERNS[entity].finditer(lowered)] if entity in _PATTERNS else []
    if not own:
        return False
    last_own = max(own)
    for other in _ANTI.finditer(lowered, last_own):
        # "护照编号" is one label; "电话费已缴清，收据编号" holds another word in between.
        if lowered[last_own:other.start()].strip():
            return False
    return True


#: Every type's context words in one pattern: most table rows hold none, and one search
#: says so for all types at once.
_ANY_WORD = re.compile("|".join(re.escape(w) for w in sorted(
    {w for words in CONTEXT_WORDS.values() for w in words}, key=len, reverse=True)))


def any_mentioned(lowered: str) -> bool:
    """Whether any context word of any type stands in ``lowered`` (lower-cased text)."""
    return _ANY_WORD.search(lowered) is not None


def mentioned(entity: str, lowered: str) -> bool:
    """Whether any context word of ``entity`` stands in ``lowered`` (lower-cased text)."""
    pattern = _PATTERNS.get(entity)
    return pattern is not None and pattern.search(lowered) is not None


# No context word holds a digit: text of digits before or after a number adds no word.
assert not any(ch.isdigit() for words in CONTEXT_WORDS.values() for w in words for ch in w)


@lru_cache(maxsize=4096)
def words_in_hint(entity: str, hint: str) -> tuple[str, ...]:
    """``words_near(entity, hint + " " + digits, digits)`` for any digits (or none): a
    table cell holding only its number (a column header's words, once per column)."""
    return words_near(entity, hint + " ", "")


def words_near(entity: str, before: str, after: str) -> tuple[str, ...]:
    """The context words of ``entity`` found in the text around a number."""
    pattern = _PATTERNS.get(entity)
    if pattern is None:
        return ()
    found = pattern.findall(before.lower()) + pattern.findall(after.lower())
    return tuple(dict.fromkeys(found))

"""The fingerprint is HMAC-SHA256 of type, NUL and canonical value under the key, whatever
way it is computed: the same as the standard library's hmac for every kind of key."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from notforsale.fingerprint import fingerprint

# (key, why this key)
KEYS = [
    (b"k", "a short key (padded to the block)"),
    (bytes(range(64)), "a key of exactly one block"),
    (b"x" * 65, "a key longer than the block (hashed first)"),
    ("密钥".encode(), "a key of UTF-8 bytes, as NOTFORSALE_KEY gives it"),
    (bytes(range(256)) * 3, "a long binary key"),
]
VALUES = [("CN_RESIDENT_ID", "110101199003071233"), ("PHONE_NUMBER", "+8613812345678"),
          ("EMAIL_ADDRESS", "zhang.san@example.com"), ("BANK_CARD", ""),
          ("CN_PASSPORT", "E12345678")]


@pytest.mark.parametrize(("key", "why"), KEYS, ids=[why for _, why in KEYS])
def test_fingerprint_is_the_standard_hmac(key: bytes, why: str) -> None:
    for kind, value in VALUES:
        expected = hmac.new(key, kind.encode("ascii") + b"\x00" + value.encode("utf-8"),
                            hashlib.sha256).hexdigest()[:32]
        assert fingerprint(kind, value, key) == expected, (why, kind)


def test_types_and_keys_do_not_share_fingerprints() -> None:
    assert fingerprint("PHONE_NUMBER", "13812345678", b"k") != \
        fingerprint("BANK_CARD", "13812345678", b"k")
    assert fingerprint("PHONE_NUMBER", "13812345678", b"k") != \
        fingerprint("PHONE_NUMBER", "13812345678", b"k2")

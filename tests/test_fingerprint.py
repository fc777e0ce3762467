"""The keyed fingerprint and its per-installation key."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from notforsale import fingerprint as fp
from notforsale import scan_text


def test_key_file_created_once_with_private_mode(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv(fp.KEY_ENV)
    monkeypatch.setenv(fp.CONFIG_DIR_ENV, str(tmp_path / "cfg"))
    fp._key_for.cache_clear()
    first = fp.installation_key()
    assert len(first) == 32
    key_file = tmp_path / "cfg" / "key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    fp._key_for.cache_clear()
    assert fp.installation_key() == first


def test_environment_overrides_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    a = scan_text("13812345678")[0].fingerprint
    monkeypatch.setenv(fp.KEY_ENV, "another key")
    b = scan_text("13812345678")[0].fingerprint
    assert a != b


def test_fingerprint_is_not_a_plain_hash() -> None:
    finding = scan_text("13812345678")[0]
    for plain in ("13812345678", "+8613812345678"):
        assert hashlib.sha256(plain.encode()).hexdigest()[:32] != finding.fingerprint


def test_type_is_part_of_the_message() -> None:
    assert fp.fingerprint("BANK_CARD", "1", b"k") != fp.fingerprint("PHONE_NUMBER", "1", b"k")

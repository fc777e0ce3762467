"""Pinning the key for a worker process, and naming a key without giving it away.

A driver that distributes scans to worker processes sends each worker the key once
(``pin_key``) and checks with ``key_id`` that every worker fingerprints under the same
key, without the key itself travelling back.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from notforsale import fingerprint as fp
from notforsale import scan_text


@pytest.fixture(autouse=True)
def _unpinned() -> Iterator[None]:
    fp.pin_key(None)
    yield
    fp.pin_key(None)


def _refuse_files(directory: Path) -> bytes:
    raise AssertionError(f"read a key file in {directory} although a key is pinned")


def test_a_pinned_key_is_returned_without_reading_env_or_files(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fp, "_load_or_create_key", _refuse_files)
    monkeypatch.setattr(fp, "_config_dir_name", lambda: pytest.fail("resolved the directory"))
    monkeypatch.setenv(fp.KEY_ENV, "the environment's key")
    fp.pin_key(b"pinned key")
    assert fp.installation_key() == b"pinned key"
    monkeypatch.delenv(fp.KEY_ENV)
    assert fp.installation_key() == b"pinned key"


def test_a_pinned_key_is_what_findings_are_fingerprinted_with(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fp.KEY_ENV, "the environment's key")
    under_env = scan_text("13812345678")[0].fingerprint
    fp.pin_key(b"pinned key")
    pinned = scan_text("13812345678")[0].fingerprint
    assert pinned == fp.fingerprint("PHONE_NUMBER", "+8613812345678", key=b"pinned key")
    assert pinned != under_env
    # an explicit key still wins over the pinned one
    assert scan_text("13812345678", key=b"other")[0].fingerprint == fp.fingerprint(
        "PHONE_NUMBER", "+8613812345678", key=b"other")


def test_unpinning_goes_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fp.KEY_ENV, "the environment's key")
    fp.pin_key(b"pinned key")
    fp.pin_key(None)
    assert fp.installation_key() == b"the environment's key"


def test_a_pinned_key_does_not_create_a_key_file(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(fp.KEY_ENV, raising=False)
    monkeypatch.setenv(fp.CONFIG_DIR_ENV, str(tmp_path / "cfg"))
    fp.pin_key(b"pinned key")
    scan_text("13812345678")
    assert not (tmp_path / "cfg").exists()


@pytest.mark.parametrize(("key", "error", "reason"), [
    (b"", ValueError, "an empty key would make every fingerprint enumerable"),
    ("a str", TypeError, "a str has no single byte form; the caller must encode it"),
    (bytearray(b"mutable"), TypeError, "a mutable buffer could change after pinning"),
])
def test_bad_keys_are_refused(key: object, error: type[Exception], reason: str) -> None:
    with pytest.raises(error):
        fp.pin_key(key)  # type: ignore[arg-type]
    assert fp._pinned_key is None, reason


def test_key_id_is_hmac_of_the_label_under_the_key() -> None:
    key = b"k" * 32
    expected = hmac.new(key, fp.KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]
    assert fp.key_id(key) == expected
    assert len(expected) == 16 and int(expected, 16) >= 0


@pytest.mark.parametrize(("a", "b", "same", "reason"), [
    (b"key one", b"key one", True, "equal keys, equal ids"),
    (b"key one", b"key two", False, "another key"),
    (b"key one", b"key one ", False, "one byte more"),
    (b"\x00" * 32, b"\x00" * 31 + b"\x01", False, "the last byte differs"),
    (b"\x01" * 31, b"\x01" * 31 + b"\x00", True,
     "HMAC pads short keys with zeros: these two give the same fingerprints too"),
])
def test_key_ids_tell_keys_apart(a: bytes, b: bytes, same: bool, reason: str) -> None:
    assert (fp.key_id(a) == fp.key_id(b)) is same, reason
    # equal ids exactly when the keys give equal fingerprints
    assert (fp.fingerprint("BANK_CARD", "6222021234567890128", a)
            == fp.fingerprint("BANK_CARD", "6222021234567890128", b)) is same, reason


def test_key_id_is_not_a_plain_hash_of_the_key() -> None:
    key = b"0123456789abcdef" * 2
    ident = fp.key_id(key)
    assert ident not in key.hex()
    assert ident != hashlib.sha256(key).hexdigest()[:16]
    assert ident != hashlib.sha256(fp.KEY_ID_LABEL + key).hexdigest()[:16]


def test_key_id_without_a_key_names_the_installation_key(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fp.KEY_ENV, "the environment's key")
    assert fp.key_id() == fp.key_id(b"the environment's key")
    fp.pin_key(b"pinned key")
    assert fp.key_id() == fp.key_id(b"pinned key")


def _worker_key_id() -> str:
    return fp.key_id()


def test_workers_pinned_by_an_initializer_report_the_drivers_key_id(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # each worker has its own environment's key; the pinned key overrides it
    monkeypatch.setenv(fp.KEY_ENV, "a worker's own key")
    key = b"the driver's key"
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn"),
                             initializer=fp.pin_key, initargs=(key,)) as pool:
        ids = {pool.submit(_worker_key_id).result() for _ in range(4)}
    assert ids == {fp.key_id(key)}
    assert fp.key_id(key) != fp.key_id(b"a worker's own key")

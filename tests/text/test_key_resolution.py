"""The fingerprint key is resolved once per process, yet follows the environment.

Resolving the platform's config directory (platformdirs) on every ``scan_text`` call
cost a fifth of the engine's time on dense rows; the key is now cached on what it is
derived from. These cases hold it to seeing every change the tests and users make.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from notforsale import fingerprint as fp
from notforsale import scan_text


@pytest.fixture
def platform_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the calls into platformdirs (still answering as platformdirs does)."""
    calls: list[str] = []
    real = fp.user_config_dir

    def counting(appname: str) -> str:
        calls.append(appname)
        return real(appname)

    monkeypatch.setattr(fp, "user_config_dir", counting)
    fp._platform_config_dir.cache_clear()
    fp._key_for.cache_clear()
    return calls


def _phone_fingerprint() -> str:
    return scan_text("13812345678")[0].fingerprint


def test_a_key_in_the_environment_never_resolves_the_directory(
        monkeypatch: pytest.MonkeyPatch, platform_calls: list[str]) -> None:
    monkeypatch.setenv(fp.KEY_ENV, "key one")
    monkeypatch.delenv(fp.CONFIG_DIR_ENV, raising=False)
    for _ in range(50):
        _phone_fingerprint()
    assert platform_calls == []


def test_the_platform_directory_is_resolved_once(
        monkeypatch: pytest.MonkeyPatch, platform_calls: list[str], tmp_path: Path) -> None:
    monkeypatch.delenv(fp.KEY_ENV, raising=False)
    monkeypatch.delenv(fp.CONFIG_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    first = _phone_fingerprint()
    for _ in range(50):
        assert _phone_fingerprint() == first
    assert len(platform_calls) == 1
    assert (tmp_path / "xdg" / "notforsale" / "key").is_file()


@pytest.mark.parametrize(("change", "reason"), [
    ({fp.KEY_ENV: "key two"}, "another key in the environment"),
    ({fp.KEY_ENV: None, fp.CONFIG_DIR_ENV: "cfg-b"}, "another config directory"),
    ({fp.KEY_ENV: None, fp.CONFIG_DIR_ENV: None, "XDG_CONFIG_HOME": "xdg-b"},
     "another platform config directory (XDG_CONFIG_HOME)"),
    ({fp.KEY_ENV: None, fp.CONFIG_DIR_ENV: None, "XDG_CONFIG_HOME": None, "HOME": "home-b"},
     "another home directory"),
])
def test_every_change_of_the_environment_is_seen(
        monkeypatch: pytest.MonkeyPatch, platform_calls: list[str], tmp_path: Path,
        change: dict[str, str | None], reason: str) -> None:
    monkeypatch.setenv(fp.KEY_ENV, "key one")
    before = {fp.KEY_ENV: _phone_fingerprint()}
    monkeypatch.delenv(fp.KEY_ENV)
    monkeypatch.setenv(fp.CONFIG_DIR_ENV, str(tmp_path / "cfg-a"))
    before[fp.CONFIG_DIR_ENV] = _phone_fingerprint()
    monkeypatch.delenv(fp.CONFIG_DIR_ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-a"))
    before["XDG_CONFIG_HOME"] = _phone_fingerprint()
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home-a"))
    before["HOME"] = _phone_fingerprint()
    assert len(set(before.values())) == 4, "each source gave its own key"

    for name, value in change.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value if name == fp.KEY_ENV else str(tmp_path / value))
    after = _phone_fingerprint()
    assert after not in before.values(), reason
    # and going back gives the first key again (read from its file, or the environment)
    for name in change:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home-a"))
    assert _phone_fingerprint() == before["HOME"], reason


def test_a_removed_key_file_is_not_served_from_the_cache_after_cache_clear(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(fp.KEY_ENV, raising=False)
    monkeypatch.setenv(fp.CONFIG_DIR_ENV, str(tmp_path / "cfg"))
    fp._key_for.cache_clear()
    first = fp.installation_key()
    (tmp_path / "cfg" / "key").unlink()
    fp._key_for.cache_clear()
    assert fp.installation_key() != first


def test_an_environment_replaced_by_a_plain_mapping_is_still_followed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The environment is read cheaply through os.environ's own store; a program (or a
    # test) that swaps os.environ for another mapping is read the ordinary way.
    monkeypatch.setenv(fp.KEY_ENV, "key one")
    assert fp.installation_key() == b"key one"
    monkeypatch.setattr(fp.os, "environ", {fp.KEY_ENV: "key in a dict"})
    assert fp.installation_key() == b"key in a dict"
    fp.os.environ[fp.KEY_ENV] = "changed in the dict"
    assert fp.installation_key() == b"changed in the dict"


def test_a_variable_set_and_removed_in_the_same_environment_is_seen(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(fp.KEY_ENV, raising=False)
    monkeypatch.setenv(fp.CONFIG_DIR_ENV, str(tmp_path / "cfg"))
    from_file = fp.installation_key()
    monkeypatch.setenv(fp.KEY_ENV, "")  # empty: as if unset
    assert fp.installation_key() == from_file
    monkeypatch.setenv(fp.KEY_ENV, "now set")
    assert fp.installation_key() == b"now set"
    monkeypatch.delenv(fp.KEY_ENV)
    assert fp.installation_key() == from_file


@pytest.mark.parametrize("key_length", [1, 16, 31, 32, 33, 63, 64, 65, 128, 200])
@pytest.mark.parametrize(("entity", "canonical"), [
    ("PHONE_NUMBER", "+8613812345678"),
    ("CN_RESIDENT_ID", "11010119900307109X"),
    ("EMAIL_ADDRESS", "zhang.san@例子.中国"),
    ("BANK_CARD", ""),
])
def test_fingerprints_are_the_hmac_of_type_nul_value(
        key_length: int, entity: str, canonical: str) -> None:
    # The HMAC state after the key and the type is cached and copied; it must give what
    # a fresh HMAC over the whole message gives, for keys shorter and longer than a block.
    key = bytes(range(256))[:key_length] if key_length <= 256 else b""
    message = entity.encode("ascii") + b"\x00" + canonical.encode("utf-8")
    expected = hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
    for _ in range(2):  # the second time from the cached state
        assert fp.fingerprint(entity, canonical, key) == expected

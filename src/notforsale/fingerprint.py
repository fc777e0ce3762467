"""Keyed fingerprints of identity numbers.

A mainland resident ID number has too little entropy for a plain hash: the
area codes, birth dates and sequence numbers can be enumerated and hashed in
minutes. A fingerprint is therefore an HMAC-SHA256 under a secret key of this
installation. Equal numbers, however they were written, get equal
fingerprints under one key; without the key a fingerprint reveals nothing.

The key is read, in this order, from

1. the environment variable ``NOTFORSALE_KEY`` (any string; used as UTF-8 bytes),
2. the file ``key`` in the user's config directory (``NOTFORSALE_CONFIG_DIR``
   or the platform's config directory for ``notforsale``), created with
   32 random bytes and mode 0600 on first use,

unless a key is pinned for the process with :func:`pin_key` (a driver handing its key
to worker processes); :func:`key_id` names a key without revealing it, so a driver can
check that every worker uses the same one.

>>> k = b"example key"
>>> fingerprint("PHONE_NUMBER", "+8613812345678", key=k) == fingerprint(
...     "PHONE_NUMBER", "+8613812345678", key=k)
True
>>> len(fingerprint("PHONE_NUMBER", "+8613812345678", key=k))
32
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

KEY_ENV = "NOTFORSALE_KEY"
CONFIG_DIR_ENV = "NOTFORSALE_CONFIG_DIR"

# 128 bits of the HMAC, in hex: collisions are out of reach for any real pack.
_FINGERPRINT_HEX_CHARS = 32

#: The message whose HMAC under a key names that key (:func:`key_id`). Never a value's
#: fingerprint message: those begin with an entity type and a NUL.
KEY_ID_LABEL = b"notforsale key id v1"
_KEY_ID_HEX_CHARS = 16

#: The key pinned for this process by :func:`pin_key`, if any.
_pinned_key: bytes | None = None


#: What the platform's config directory is derived from (platformdirs reads these on
#: Linux, macOS and Windows): a change to any of them is seen on the next call.
_PLATFORM_ENV = ("XDG_CONFIG_HOME", "HOME", "USERPROFILE", "APPDATA", "LOCALAPPDATA")


@lru_cache(maxsize=8)
def _platform_config_dir(_environment: tuple[str | None, ...]) -> str:
    # platformdirs walks the environment and the file system on every call (a fifth of
    # the text engine's time on dense rows); the answer only changes with the environment.
    return user_config_dir("notforsale")


def _config_dir_name() -> str:
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return override
    return _platform_config_dir(tuple(os.environ.get(name) for name in _PLATFORM_ENV))


#: Every variable the key is derived from.
_KEY_SOURCES = (KEY_ENV, CONFIG_DIR_ENV, *_PLATFORM_ENV)
# ``os.environ`` keeps the environment in a dict of encoded names and values; every
# change made through it (``os.environ[...] = ``, ``monkeypatch.setenv``, ``del``) lands
# there. ``os.environ.get`` costs half a microsecond a name (encoding, the Mapping
# machinery); looking the pre-encoded names up in that dict costs a twentieth of that,
# which matters when ``scan_text`` is called once per table row.
_ENVIRON_TYPE = type(os.environ)
_ENCODED_SOURCES = tuple(os.environ.encodekey(name) for name in _KEY_SOURCES) \
    if hasattr(os.environ, "encodekey") else ()


def _environment_stamp() -> tuple[object, ...]:
    """The current values of the key's sources, in whatever form is cheapest to read
    (encoded where read from ``os.environ``'s store): equal stamps, equal sources."""
    environ = os.environ
    store = getattr(environ, "_data", None)
    if type(environ) is _ENVIRON_TYPE and type(store) is dict and _ENCODED_SOURCES:
        return tuple(map(store.get, _ENCODED_SOURCES))
    return tuple([environ.get(name) for name in _KEY_SOURCES])


@lru_cache(maxsize=16)
def _key_source(_stamp: tuple[object, ...]) -> tuple[str | None, str]:
    """What the key is read from for one state of the environment (read the ordinary way):
    the value of ``NOTFORSALE_KEY``, or the config directory."""
    env_value = os.environ.get(KEY_ENV)
    if env_value:  # the directory plays no part: do not resolve it
        return env_value, ""
    return None, _config_dir_name()


def config_dir() -> Path:
    """The directory holding this installation's settings and key."""
    return Path(_config_dir_name())


def _load_or_create_key(directory: Path) -> bytes:
    path = directory / "key"
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    # O_EXCL: if another process created the key meanwhile, use theirs.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key


@lru_cache(maxsize=8)
def _key_for(env_value: str | None, directory: str) -> bytes:
    if env_value:
        return env_value.encode("utf-8")
    return _load_or_create_key(Path(directory))


def pin_key(key: bytes | None) -> None:
    """Pin the installation key for this process, or unpin it with ``None``.

    While pinned, :func:`installation_key` returns ``key`` without reading the environment
    or any file (and never creates a key file). Meant for worker processes, e.g. as a
    ``ProcessPoolExecutor`` initializer with the driver's key.
    """
    global _pinned_key
    if key is not None:
        if not isinstance(key, bytes):
            raise TypeError(f"a key is bytes, not {type(key).__name__}")
        if not key:
            raise ValueError("an empty key cannot protect a fingerprint")
    _pinned_key = key


def key_id(key: bytes | None = None) -> str:
    """A short identifier of ``key`` (default: the installation key) that does not reveal it.

    HMAC-SHA256 of :data:`KEY_ID_LABEL` under the key, 16 hex characters: equal keys give
    equal ids, and an id cannot be turned back into its key.
    """
    secret = key if key is not None else installation_key()
    return hmac.new(secret, KEY_ID_LABEL, hashlib.sha256).hexdigest()[:_KEY_ID_HEX_CHARS]


def installation_key() -> bytes:
    """The secret key of this installation (see the module docstring).

    A key pinned with :func:`pin_key` is returned as it is. Otherwise the key is read
    once per process for each value of ``NOTFORSALE_KEY`` and the config directory
    (``NOTFORSALE_CONFIG_DIR`` or the platform's): changing either is seen on the next call.
    """
    if _pinned_key is not None:
        return _pinned_key
    return _key_for(*_key_source(_environment_stamp()))


def fingerprint(entity_type: str, canonical: str, key: bytes | None = None) -> str:
    """Keyed fingerprint of a value in its canonical form.

    The entity type is part of the message, so the same digits as a phone
    number and as a card number do not share a fingerprint.
    """
    inner, outer = _keyed(entity_type, key if key is not None else installation_key())
    mac = inner.copy()
    mac.update(canonical.encode("utf-8"))
    out = outer.copy()
    out.update(mac.digest())
    return out.hexdigest()[:_FINGERPRINT_HEX_CHARS]


@lru_cache(maxsize=64)
def _keyed(entity_type: str, key: bytes) -> tuple[Any, Any]:
    """HMAC-SHA256 (RFC 2104, as :mod:`hmac` computes it) after the key and the type: the
    inner and outer hash states, copied per value (``hmac.HMAC.copy`` is Python code and
    cost a tenth of a dense table's scan; a hash state's copy is one C call)."""
    block = hashlib.sha256().block_size
    padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in padded))
    inner.update(entity_type.encode("ascii"))
    inner.update(b"\x00")
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in padded))
    return inner, outer

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
    env_value = os.environ.get(KEY_ENV)
    if env_value:  # the directory plays no part: do not resolve it
        return _key_for(env_value, "")
    return _key_for(env_value, _config_dir_name())


def fingerprint(entity_type: str, canonical: str, key: bytes | None = None) -> str:
    """Keyed fingerprint of a value in its canonical form.

    The entity type is part of the message, so the same digits as a phone
    number and as a card number do not share a fingerprint.
    """
    mac = hmac.new(key if key is not None else installation_key(), digestmod=hashlib.sha256)
    mac.update(entity_type.encode("ascii"))
    mac.update(b"\x00")
    mac.update(canonical.encode("utf-8"))
    return mac.hexdigest()[:_FINGERPRINT_HEX_CHARS]

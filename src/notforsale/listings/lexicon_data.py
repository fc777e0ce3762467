"""The bundled lexicon file, read once (``lexicon.toml``): groups, folds, exclusions."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def raw_lexicon() -> dict[str, Any]:
    """``lexicon.toml`` as parsed TOML."""
    return tomllib.loads((resources.files("notforsale.listings") / "lexicon.toml")
                         .read_text(encoding="utf-8"))

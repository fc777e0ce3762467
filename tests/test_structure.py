"""The package's shape: the result objects and errors do not load the text engine."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import notforsale

PACKAGE = Path(notforsale.__file__).parent


def _imports(path: Path) -> set[str]:
    """Modules a file imports, anywhere in it (in functions too), resolved to dotted names."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "notforsale" if node.level else ""
            module = f"{base}.{node.module}" if node.module and base else (node.module or base)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("module", ["model.py", "errors.py"])
def test_model_and_errors_import_nothing_of_the_text_engine(module: str) -> None:
    """They hold shown (already masked) values: they need no masking, and importing the
    text engine made an import circle (model -> text.mask -> text.engine -> model)."""
    imported = _imports(PACKAGE / module)
    assert not {name for name in imported if name.startswith("notforsale.text")}, imported

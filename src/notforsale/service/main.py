"""The ASGI application uvicorn imports (settings from the environment)."""

from __future__ import annotations

from .app import create_app

app = create_app()

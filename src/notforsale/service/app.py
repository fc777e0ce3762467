"""The application: API routes, console routes, size limits, JSON errors.

Errors answer with a JSON body ``{"error": "..."}`` and a 4xx status; an
unexpected failure answers 500 with a generic message, never a stack trace.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..listings.screener import screen_listing
from ..store.db import open_database
from ..store.writer import GroupWriter
from . import api, console, persons_api, trace_api
from .settings import ServiceSettings

log = logging.getLogger(__name__)


class BodyLimit:
    """Refuse request bodies over the limit (413), whether declared or streamed."""

    def __init__(self, app: ASGIApp, settings: ServiceSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["path"].endswith(("/files/scan", "/packs/match", "/images/match",
                                          "/hash-lists"))
        limit = self.settings.max_upload_bytes + (1 << 20) if upload else \
            self.settings.max_body_bytes
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _json(send, 413, f"request body larger than {limit} bytes")
            return
        seen = 0
        too_large = False
        answered = False

        async def limited() -> Message:
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    too_large = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # A body streamed past the limit (chunked, no length declared) fails deep in the
            # framework's body parsing, which answers 400; the answer is 413 all the same.
            nonlocal answered
            if too_large:
                if message["type"] == "http.response.start" and not answered:
                    answered = True
                    await _json(send, 413, f"request body larger than {limit} bytes")
                return
            await send(message)

        try:
            await self.app(scope, limited, guarded_send)
        except _TooLarge:
            if not answered:
                await _json(send, 413, f"request body larger than {limit} bytes")


class TokenGate:
    """Every /v1 route needs a valid API token, checked before the request body is even
    read: a client without one learns nothing (not even that its body is invalid)."""

    def __init__(self, app: ASGIApp, sessions: Any) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1"):
            from ..store import repository

            header = dict(scope.get("headers", [])).get(b"authorization", b"").decode(
                "latin-1")
            scheme, _, token = header.partition(" ")
            owner = repository.token_owner(self.sessions, token.strip()) \
                if scheme.lower() == "bearer" and token.strip() else None
            if owner is None:
                body = JSONResponse({"error": "a valid API token is needed: Authorization: "
                                              "Bearer <token>"}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
                await body(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _TooLarge(Exception):
    pass


async def _json(send: Send, status: int, message: str) -> None:
    body = JSONResponse({"error": message}, status_code=status)
    await body({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - never called for a response
    return {"type": "http.disconnect"}


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Load what the screener loads lazily, then move everything loaded so far (models,
    # lexicon, tables, the framework) out of the garbage collector's view: a full
    # collection no longer walks them, which otherwise paused every request in flight for
    # ~80 ms every few thousand requests (measured with bench/service.py: p99 120 -> 40 ms).
    screen_listing({"title": "warm-up", "description": "110101199003071233"})
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings()
    app = FastAPI(title="notforsale", version=__version__, lifespan=_lifespan,
                  description="Screen listings and scan files for traded faces and identity "
                  "data. Every /v1 route needs an API token; answers hold masked values only.")
    app.state.settings = settings
    app.state.sessions = open_database(settings.db_url)
    app.state.writer = GroupWriter(app.state.sessions.kw["bind"])
    app.state.cpu = None  # the CPU workers' limiter, made on the event loop (api.off_loop)
    app.include_router(api.router)
    app.include_router(persons_api.router)
    app.include_router(console.router)
    trace_api.include(app)
    app.mount("/static", console.static_files(), name="static")
    app.add_middleware(SessionMiddleware, secret_key=settings.session_key,
                       session_cookie="notforsale_console", same_site="strict",
                       https_only=False, max_age=8 * 3600)
    app.add_middleware(BodyLimit, settings=settings)
    app.add_middleware(TokenGate, sessions=app.state.sessions)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 303 and error.headers:  # console redirects
            return JSONResponse({}, status_code=303, headers=error.headers)
        return JSONResponse({"error": error.detail}, status_code=error.status_code,
                            headers=getattr(error, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems: list[dict[str, Any]] = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in error.errors()]
        return JSONResponse({"error": "invalid request", "details": problems}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.error("unexpected %s on %s %s", type(error).__name__, request.method,
                  request.url.path)
        return JSONResponse({"error": "internal error"}, status_code=500)

    return app

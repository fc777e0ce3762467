"""Routes for tracing: match an image or a hash against the stored lists; manage lists.

Answers carry list names, entry ids, signals and distances — never an image.
Every route needs the API token (``ClientDep``). :func:`include` adds the
routes to the app and registers its database's lists with the listing
screener (:mod:`notforsale.trace.hook`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse

from ..read.images import ImageError
from ..trace import hook
from ..trace import store as lists
from ..trace.hashlist import (
    HashListError,
    export_hma_json,
    export_threatexchange,
    parse,
    parse_threatexchange,
    safe_label,
)
from ..trace.matcher import Query as HashQuery
from ..trace.matcher import query_bytes, query_hash
from ..trace.signals import SignalError
from ..trace.store import MatcherCache
from .api import ClientDep, SessionDep

router = APIRouter(prefix="/v1")


def include(app: FastAPI) -> None:
    """Add the tracing routes; the screener checks listing images against this app's lists."""
    app.state.trace = MatcherCache(app.state.sessions)
    hook.use(app.state.trace)
    app.include_router(router)


def _cache(request: Request) -> MatcherCache:
    cache: MatcherCache = request.app.state.trace
    return cache


def _query(data: bytes | None, value: str | None) -> HashQuery:
    if (data is None) == (value is None):
        raise HTTPException(422, "send either an image (file) or a PDQ hash (hash), not both")
    try:
        return query_bytes(data) if data is not None else query_hash(value or "")
    except (ImageError, SignalError) as error:
        raise HTTPException(422, str(error)) from None


@router.post("/images/match", summary="Match an image or a PDQ hash against the hash lists")
def match_image(request: Request, client: ClientDep,
                file: Annotated[UploadFile | None, File()] = None,
                hash: Annotated[str | None, Form()] = None) -> dict[str, Any]:
    query = _query(file.file.read() if file is not None else None, hash)
    found = _cache(request).get().match(query)
    best = next((m for m in found if m.confirmed), None)
    return {"matches": [m.to_dict() for m in found],
            "best": best.to_dict() if best else None,
            "reason": best.reason() if best else None,
            "query": {"quality": query.quality, "document": query.document,
                      "dihedral_variants": len(query.whole), "windows": len(query.windows)}}


@router.get("/hash-lists", summary="The stored hash lists")
async def hash_lists(session: SessionDep, client: ClientDep) -> dict[str, Any]:
    return {"lists": [lists.list_dict(row) for row in lists.stored_lists(session)]}


@router.post("/hash-lists", summary="Import a hash list (notforsale or ThreatExchange format)",
             status_code=201)
def import_list(request: Request, session: SessionDep, client: ClientDep,
                file: Annotated[UploadFile, File()],
                name: Annotated[str | None, Form(max_length=200)] = None) -> dict[str, Any]:
    try:
        lines = file.file.read().decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise HTTPException(422, "a hash list is UTF-8 text") from None
    try:
        if lines and lines[0].lstrip().startswith("{"):
            hash_list = parse(lines, "upload")
            if name:
                hash_list = replace(hash_list, name=safe_label(name))
        elif name:
            hash_list = parse_threatexchange(lines, name, "upload")
        else:
            raise HTTPException(422, "a ThreatExchange signal file needs a name (form field)")
        lists.save_list(session, hash_list, client)
    except HashListError as error:
        raise HTTPException(422, str(error)) from None
    except lists.ListExists as error:
        raise HTTPException(409, str(error)) from None
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    _cache(request).invalidate()
    return {"name": hash_list.name, "entries": len(hash_list.entries),
            "skipped_hashes": hash_list.skipped_kinds}


def _stored(session: SessionDep, name: str) -> Any:
    row = lists.get_list(session, name)
    if row is None:
        raise HTTPException(404, f"no hash list named {safe_label(name)!r}")
    return row


@router.get("/hash-lists/{name}", summary="One stored hash list")
async def hash_list(name: str, session: SessionDep, client: ClientDep) -> dict[str, Any]:
    return lists.list_dict(_stored(session, name))


@router.get("/hash-lists/{name}/export", summary="Export a list for other platforms' tools",
            response_class=PlainTextResponse)
def export_list(name: str, session: SessionDep, client: ClientDep,
                format: Annotated[str, Query(pattern="^(notforsale|threatexchange|hma)$")]
                = "notforsale") -> PlainTextResponse:
    _stored(session, name)
    found = lists.load_lists(session, name)[0]
    text = {"notforsale": lambda: "".join(line + "\n" for line in found.lines()),
            "threatexchange": lambda: export_threatexchange(found),
            "hma": lambda: export_hma_json(found)}[format]()
    return PlainTextResponse(text)


@router.delete("/hash-lists/{name}", summary="Delete a stored hash list")
def remove_list(request: Request, name: str, session: SessionDep, client: ClientDep
                ) -> dict[str, Any]:
    if not lists.delete_list(session, name, client):
        raise HTTPException(404, f"no hash list named {safe_label(name)!r}")
    _cache(request).invalidate()
    return {"deleted": safe_label(name)}

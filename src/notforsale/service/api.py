"""The REST API under ``/v1``: screen listings, scan text and files, cases, decisions, audit.

Every route needs ``Authorization: Bearer <token>`` (tokens from ``notforsale
token create``, stored hashed). Answers carry masked values, keyed fingerprints
and blurred thumbnails only.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, Response, UploadFile
from fastapi import Path as Path_
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from ..listings.screener import ListingError, Verdict, screen_listing
from ..scan import ScanOptions, scan_path
from ..store import repository
from ..text.engine import scan_text
from ..text.mask import mask_name
from .settings import ServiceSettings

router = APIRouter(prefix="/v1")

#: Largest id or offset accepted (SQLite and PostgreSQL integers; larger ones answer 422).
MAX_ID = 2**31 - 1
CaseId = Annotated[int, Path_(ge=1, le=MAX_ID)]


async def get_session(request: Request) -> AsyncIterator[Session]:
    # Database calls are short (a few inserts); running them on the event loop saves the
    # thread hand-offs a sync dependency costs on every request.
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def current_client(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    owner = None
    if scheme.lower() == "bearer" and token:
        owner = repository.token_owner(request.app.state.sessions, token.strip())
    if owner is None:
        raise HTTPException(401, "a valid API token is needed: Authorization: Bearer <token>",
                            headers={"WWW-Authenticate": "Bearer"})
    return owner


ClientDep = Annotated[str, Depends(current_client)]


class TextIn(BaseModel):
    text: str = Field(max_length=1_000_000)


class DecisionIn(BaseModel):
    action: str = Field(pattern="^(remove|allow|escalate)$")
    note: str = Field(default="", max_length=2000)


#: Images a listing may carry, and the largest (decoded), when they come in the request.
MAX_IMAGES = 8
MAX_IMAGE_BYTES = 5 * 1024 * 1024


def _with_image_bytes(listing: Any) -> Any:
    """The listing with its images as bytes: each must come in the request as
    ``{"data": "<base64>"}``. A string is refused — a path would be read from the server's
    own disk (a FIFO froze the server; a 3 GiB file took 3 GB)."""
    if not isinstance(listing, dict) or not listing.get("images"):
        return listing
    images = listing["images"]
    if not isinstance(images, list):
        raise HTTPException(422, "listing field 'images' must be a list")
    if len(images) > MAX_IMAGES:
        raise HTTPException(422, f"at most {MAX_IMAGES} images per listing")
    decoded = []
    for index, image in enumerate(images):
        if not isinstance(image, dict) or not isinstance(image.get("data"), str):
            raise HTTPException(422, f"images[{index}] must be {{\"data\": \"<base64>\"}}: "
                                     "images come in the request, never as paths")
        if len(image["data"]) > MAX_IMAGE_BYTES * 4 // 3 + 4:
            raise HTTPException(413, f"images[{index}] is larger than {MAX_IMAGE_BYTES} bytes")
        try:
            decoded.append(base64.b64decode(image["data"], validate=True))
        except (binascii.Error, ValueError):
            raise HTTPException(422, f"images[{index}] is not base64") from None
    return {**listing, "images": decoded}


def _screened(listing: Any, client: str) -> tuple[Verdict, dict[str, Any]]:
    try:
        listing = _with_image_bytes(listing)
        verdict = screen_listing(listing)
        rows = repository.screening_rows(listing, verdict, client)
    except ListingError as error:
        raise HTTPException(422, str(error)) from None
    except repository.BadListing as error:
        raise HTTPException(422, str(error)) from None
    return verdict, rows


def _answer(verdict: Verdict) -> dict[str, Any]:
    """A verdict as answered: the listing's own id masked like every other field."""
    out = verdict.to_dict()
    if out.get("id") is not None:
        out["id"] = mask_name(str(out["id"]))
    return out


@router.post("/listings/screen", summary="Screen one listing", response_model=None)
async def screen_one(request: Request, listing: dict[str, Any], client: ClientDep
                     ) -> JSONResponse:
    verdict, rows = await off_loop(request, _screened, listing, client)
    case_id = await request.app.state.writer.record(rows)
    # Answered directly: the hot path skips FastAPI's response-model pass.
    return JSONResponse({**_answer(verdict), "case_id": case_id})


@router.post("/listings/screen-batch", summary="Screen up to 500 listings, in order")
async def screen_batch(request: Request, listings: list[Any], client: ClientDep
                       ) -> list[dict[str, Any]]:
    if len(listings) > 500:
        raise HTTPException(413, "at most 500 listings per batch")
    out: list[dict[str, Any]] = []
    waiting = []

    def screen_all() -> list[tuple[Verdict, dict[str, Any]] | str]:
        done: list[tuple[Verdict, dict[str, Any]] | str] = []
        for listing in listings:
            try:
                done.append(_screened(listing, client))
            except HTTPException as error:
                done.append(str(error.detail))
        return done

    for index, item in enumerate(await off_loop(request, screen_all)):
        if isinstance(item, str):
            out.append({"index": index, "error": item})
            continue
        verdict, rows = item
        out.append(_answer(verdict))
        waiting.append((out[-1], request.app.state.writer.record(rows)))
    case_ids = await asyncio.gather(*(pending for _, pending in waiting))
    for (answer, _), case_id in zip(waiting, case_ids, strict=True):
        answer["case_id"] = case_id
    return out


@router.post("/text/scan", summary="Find identity numbers in text (masked)")
async def scan_some_text(request: Request, body: TextIn, client: ClientDep) -> dict[str, Any]:
    findings = await off_loop(request, scan_text, body.text)
    return {"findings": [finding.to_dict() for finding in findings]}


async def off_loop(request: Request, function: Any, *args: Any) -> Any:
    """CPU work on the service's bounded worker threads, never on the event loop (one
    40 KB text scan once held every client for 16 s). When the workers and their queue
    are full the answer is 503 at once; work that outlives the timeout answers 503 (it
    finishes in the background, its answer dropped)."""
    import anyio

    settings: ServiceSettings = request.app.state.settings
    limiter: anyio.CapacityLimiter | None = request.app.state.cpu
    if limiter is None:
        limiter = request.app.state.cpu = anyio.CapacityLimiter(settings.cpu_workers)
    if limiter.statistics().tasks_waiting >= settings.cpu_queue:
        raise HTTPException(503, "busy: too much work waiting; retry shortly",
                            headers={"Retry-After": "1"})
    try:
        with anyio.fail_after(settings.cpu_timeout):
            return await anyio.to_thread.run_sync(lambda: function(*args), limiter=limiter,
                                                  abandon_on_cancel=True)
    except TimeoutError:
        raise HTTPException(503, f"the work took longer than {settings.cpu_timeout:.0f} s",
                            headers={"Retry-After": "5"}) from None


def save_upload(file: UploadFile, folder: str | Path, limit: int) -> Path:
    """An upload written into ``folder`` under its own base name (a dot name gets a safe
    one), refused with 413 past ``limit`` bytes as it streams in."""
    name = Path(file.filename or "upload").name
    if name in ("", ".", "..") or name.startswith("."):
        name = "upload" + (name if name.startswith(".") and name not in (".", "..") else "")
    target = Path(folder) / name
    written = 0
    with target.open("wb") as handle:
        while chunk := file.file.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise HTTPException(413, f"upload larger than {limit} bytes")
            handle.write(chunk)
    return target


@router.post("/files/scan", summary="Scan an uploaded file or archive; opens a case")
def scan_upload(request: Request, session: SessionDep, client: ClientDep,
                file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    settings: ServiceSettings = request.app.state.settings
    with tempfile.TemporaryDirectory(prefix="notforsale-upload-") as folder:
        target = save_upload(file, folder, settings.max_upload_bytes)
        name = target.name
        # Paths start at the uploaded file's name (masked like the rest).
        result = scan_path(target, ScanOptions(thumbnails=True, ocr=settings.ocr), base=folder)
        case_id = repository.record_scan(session, name, result, client)
        document = result.to_dict()
    shutil.rmtree(folder, ignore_errors=True)
    return {"case_id": case_id, **document}


@router.get("/cases", summary="Cases, highest score first")
async def cases(session: SessionDep, client: ClientDep,
          verdict: Annotated[str | None, Query(pattern="^(block|review|allow)$")] = None,
          category: str | None = None,
          decision: Annotated[str | None, Query(
              pattern="^(open|removed|allowed|escalated|remove|allow|escalate)$")] = None,
          limit: Annotated[int, Query(ge=1, le=500)] = 50,
          offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> dict[str, Any]:
    total, rows = repository.list_cases(session, verdict=verdict, category=category,
                                        decision=decision, limit=limit, offset=offset)
    return {"total": total, "cases": [repository.case_dict(c, with_decisions=False)
                                      for c in rows]}


@router.get("/cases/{case_id}", summary="One case with its decisions")
async def case(case_id: CaseId, session: SessionDep, client: ClientDep) -> dict[str, Any]:
    try:
        return repository.case_dict(repository.get_case(session, case_id))
    except repository.NotFound as error:
        raise HTTPException(404, str(error)) from None


@router.get("/cases/{case_id}/thumbnail", summary="The case's blurred thumbnail (JPEG)")
async def thumbnail(case_id: CaseId, session: SessionDep, client: ClientDep) -> Response:
    try:
        found = repository.get_case(session, case_id)
    except repository.NotFound as error:
        raise HTTPException(404, str(error)) from None
    if found.thumbnail is None:
        raise HTTPException(404, "this case has no thumbnail")
    return Response(found.thumbnail, media_type="image/jpeg")


@router.post("/cases/{case_id}/decision", summary="Record a moderator's decision")
async def decision(case_id: CaseId, body: DecisionIn, session: SessionDep, client: ClientDep
             ) -> dict[str, Any]:
    try:
        repository.decide(session, case_id, body.action, body.note, client)
        return repository.case_dict(repository.get_case(session, case_id))
    except repository.NotFound as error:
        raise HTTPException(404, str(error)) from None


@router.get("/audit", summary="The audit log, newest first")
async def audit_log(session: SessionDep, client: ClientDep,
              limit: Annotated[int, Query(ge=1, le=500)] = 100,
              offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> dict[str, Any]:
    return {"entries": [repository.audit_dict(e)
                        for e in repository.audit_entries(session, limit, offset)]}

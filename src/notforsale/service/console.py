"""The moderators' console: log in with an API token, work the queue, decide, see the audit log.

Served by the same process as the API. Pages are rendered on the server (Jinja2,
escaped) and need no JavaScript; the session cookie is signed and SameSite=strict.
"""

from __future__ import annotations

import hmac
import secrets
from importlib import resources
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi import Path as Path_
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ..listings.screener import CATEGORY_ORDER
from ..store import repository
from .api import MAX_ID, SessionDep

router = APIRouter(prefix="/console", include_in_schema=False)
_HERE = Path(str(resources.files("notforsale.service")))
templates = Jinja2Templates(directory=str(_HERE / "templates"))


def csrf_token(request: Request) -> str:
    """This session's token for the console's forms (made on first use). SameSite=strict
    does not tell one port of a host from another; a form's own token does."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


templates.env.globals["csrf_token"] = csrf_token


def same_origin(request: Request) -> bool:
    """A form post from this console: its Origin (or Referer) names this very host and
    port. Browsers send Origin on every cross-site post; a missing one is allowed only
    with the form's token (checked as well)."""
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    if not origin or origin == "null":  # no Origin to check: the form's token decides
        return True
    parsed = urlsplit(origin)
    return parsed.netloc == request.headers.get("host", "") and parsed.scheme in ("http",
                                                                                 "https")


async def checked_form(request: Request) -> None:
    """Refuse a console post that does not come from this console's own page (CSRF)."""
    form = await request.form()
    token = request.session.get("csrf")
    sent = form.get("csrf")
    if not same_origin(request) or not token or not isinstance(sent, str) or \
            not hmac.compare_digest(sent, str(token)):
        raise HTTPException(403, "this form did not come from this console (CSRF check)")


FormChecked = Depends(checked_form)
CaseId = Annotated[int, Path_(ge=1, le=MAX_ID)]

#: The screener's categories, then "pack" (uploaded files with profiles).
CATEGORIES = (*CATEGORY_ORDER, "pack")


def static_files() -> StaticFiles:
    return StaticFiles(directory=str(_HERE / "static"))


def moderator(request: Request) -> str | None:
    return request.session.get("moderator")


ModeratorDep = Annotated[str | None, Depends(moderator)]


def _login_redirect() -> RedirectResponse:
    return RedirectResponse("/console/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, error: str = "") -> Response:
    return templates.TemplateResponse(request, "login.html", {"error": error})


@router.post("/login", dependencies=[FormChecked])
def login(request: Request, session: SessionDep,
          token: Annotated[str, Form(max_length=200)]) -> Response:
    owner = repository.token_owner(request.app.state.sessions, token.strip())
    if owner is None:
        return templates.TemplateResponse(request, "login.html",
                                          {"error": "That token is not valid."}, status_code=401)
    request.session.clear()  # a new session for the moderator, a new form token
    request.session["moderator"] = owner
    csrf_token(request)
    repository.audit(session, owner, "console.login")
    session.commit()
    return RedirectResponse("/console", status_code=303)


@router.post("/logout", dependencies=[FormChecked])
def logout(request: Request) -> Response:
    request.session.clear()
    return _login_redirect()


@router.get("", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep, who: ModeratorDep, verdict: str = "",
          category: str = "", decision: str = "open",
          page: Annotated[int, Query(ge=1, le=MAX_ID // 50)] = 1) -> Response:
    if who is None:
        return _login_redirect()
    total, rows = repository.list_cases(session, verdict=verdict or None,
                                        category=category or None,
                                        decision=decision or None, limit=50,
                                        offset=(page - 1) * 50)
    return templates.TemplateResponse(request, "queue.html", {
        "who": who, "cases": rows, "total": total, "page": page, "verdict": verdict,
        "category": category, "decision": decision, "categories": CATEGORIES})


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: CaseId, request: Request, session: SessionDep, who: ModeratorDep
              ) -> Response:
    if who is None:
        return _login_redirect()
    try:
        found = repository.get_case(session, case_id)
    except repository.NotFound:
        return templates.TemplateResponse(request, "missing.html", {"who": who},
                                          status_code=404)
    return templates.TemplateResponse(request, "case.html", {"who": who, "case": found})


@router.get("/cases/{case_id}/thumbnail")
def case_thumbnail(case_id: CaseId, session: SessionDep, who: ModeratorDep) -> Response:
    if who is None:
        return Response(status_code=401)
    try:
        found = repository.get_case(session, case_id)
    except repository.NotFound:
        return Response(status_code=404)
    if found.thumbnail is None:
        return Response(status_code=404)
    return Response(found.thumbnail, media_type="image/jpeg")


@router.post("/cases/{case_id}/decision", dependencies=[FormChecked])
def case_decision(case_id: CaseId, session: SessionDep, who: ModeratorDep,
                  action: Annotated[str, Form(pattern="^(remove|allow|escalate)$")],
                  note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    if who is None:
        return _login_redirect()
    try:
        repository.decide(session, case_id, action, note, who)
    except repository.NotFound:
        return Response(status_code=404)
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: SessionDep, who: ModeratorDep) -> Response:
    if who is None:
        return _login_redirect()
    return templates.TemplateResponse(request, "audit.html", {
        "who": who, "entries": repository.audit_entries(session, 200)})

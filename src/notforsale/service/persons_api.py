"""``POST /v1/packs/match``: which persons of this server's gallery an uploaded pack shows.

The gallery is the encrypted file named by ``NOTFORSALE_GALLERY`` (made with
``notforsale gallery build``), opened with the installation key and kept in
memory until the file changes. Answers carry masked paths, masked person labels
and distances, never a descriptor.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile

from ..link.gallery import Gallery, GalleryError, match_pack
from ..link.persons import DEFAULT_THRESHOLD
from ..text.mask import mask_path
from .api import ClientDep, save_upload
from .settings import ServiceSettings

GALLERY_ENV = "NOTFORSALE_GALLERY"

router = APIRouter(prefix="/v1")
_lock = threading.Lock()
_cached: dict[str, tuple[float, Gallery]] = {}


def _gallery() -> Gallery:
    path = os.environ.get(GALLERY_ENV)
    if not path:
        raise HTTPException(409, f"no gallery on this server: set {GALLERY_ENV} to a file "
                                 "made with 'notforsale gallery build'")
    try:
        stamp = Path(path).stat().st_mtime
    except OSError:
        raise HTTPException(409, "the server's gallery file is missing") from None
    with _lock:
        cached = _cached.get(path)
        if cached is None or cached[0] != stamp:
            try:
                _cached[path] = (stamp, Gallery.load(path))
            except GalleryError as error:
                raise HTTPException(409, f"the server's gallery cannot be opened: {error}") \
                    from None
        return _cached[path][1]


@router.post("/packs/match", summary="Match an uploaded pack against the server's gallery")
def match_upload(request: Request, client: ClientDep, file: Annotated[UploadFile, File()],
                 threshold: Annotated[float, Query(gt=0, le=2)] = DEFAULT_THRESHOLD
                 ) -> dict[str, Any]:
    settings: ServiceSettings = request.app.state.settings
    gallery = _gallery()
    folder = tempfile.mkdtemp(prefix="notforsale-match-")
    try:
        target = save_upload(file, folder, settings.max_upload_bytes)
        document = match_pack(target, gallery, threshold).to_dict()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    prefix = mask_path(folder) + "/"
    for person in document["persons"]:  # type: ignore[attr-defined]
        for sighting in person["sightings"]:
            sighting["path"] = sighting["path"].replace(prefix, "", 1)
    for key in ("skipped", "errors"):
        for item in document[key]:  # type: ignore[attr-defined]
            item["path"] = item["path"].replace(prefix, "", 1)
    return document

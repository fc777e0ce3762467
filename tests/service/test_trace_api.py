"""Tracing routes: import, list, export and delete hash lists; match an image or a hash."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageOps
from sqlalchemy import create_engine, text

from notforsale.trace import hook
from notforsale.trace.hashing import hash_bytes
from notforsale.trace.hashlist import HashEntry, HashList
from tests.trace.conftest import astronaut, jpeg


@pytest.fixture(autouse=True)
def _no_lists_left_registered() -> Iterator[None]:
    yield
    hook.use(None)


def list_file(name: str = "pack-a") -> bytes:
    hashed = hash_bytes(jpeg(astronaut()))
    hash_list = HashList(name, (HashEntry(f"{name}-000001", hashed.hashes, hashed.document),),
                         case="CASE-7")
    return "".join(line + "\n" for line in hash_list.lines()).encode("utf-8")


def upload(client: TestClient, auth: dict[str, str], body: bytes,
           name: str | None = None) -> dict[str, object]:
    answer = client.post("/v1/hash-lists", headers=auth, files={"file": ("l.hashes", body)},
                         data={"name": name} if name else {})
    return {"status": answer.status_code, **answer.json()}


def test_list_lifecycle(client: TestClient, auth: dict[str, str], db_url: str) -> None:
    assert upload(client, auth, list_file()) == \
        {"status": 201, "name": "pack-a", "entries": 1, "skipped_hashes": 0}
    assert upload(client, auth, list_file())["status"] == 409
    listed = client.get("/v1/hash-lists", headers=auth).json()["lists"]
    assert [(x["name"], x["case"], x["entries"], x["imported_by"]) for x in listed] == \
        [("pack-a", "CASE-7", 1, "alice")]
    assert client.get("/v1/hash-lists/pack-a", headers=auth).json()["entries"] == 1
    te = client.get("/v1/hash-lists/pack-a/export?format=threatexchange", headers=auth).text
    assert te == f"pdq {hash_bytes(jpeg(astronaut())).whole.hex}\n"
    assert client.get("/v1/hash-lists/pack-a/export?format=hma", headers=auth).text \
        .startswith('{"pdq": "')
    again = client.get("/v1/hash-lists/pack-a/export", headers=auth).text
    assert again.splitlines()[1:] == list_file().decode().splitlines()[1:]
    # No picture in the database: every stored value is a 32-byte hash.
    engine = create_engine(db_url)
    with engine.connect() as connection:
        sizes = {len(row[0]) for row in connection.execute(text("SELECT hash FROM hash_entry"))}
        actions = [row[0] for row in connection.execute(text("SELECT action FROM audit_log"))]
    engine.dispose()
    assert sizes == {32} and "hash_list.import" in actions
    assert client.delete("/v1/hash-lists/pack-a", headers=auth).json() == {"deleted": "pack-a"}
    assert client.get("/v1/hash-lists/pack-a", headers=auth).status_code == 404
    assert client.delete("/v1/hash-lists/pack-a", headers=auth).status_code == 404


@pytest.mark.parametrize(("body", "name", "status", "why"), [
    (b'{"format": "other"}\n', None, 422, "not a hash list"),
    (b"pdq " + b"0" * 64 + b"\n", None, 422, "a ThreatExchange file needs a name"),
    (b"pdq " + b"a" * 64 + b"\n", "from-b", 201, "a ThreatExchange file with a name"),
    (b"\xff\xfe\x00", "x", 422, "not UTF-8"),
])
def test_import_errors(client: TestClient, auth: dict[str, str], body: bytes, name: str | None,
                       status: int, why: str) -> None:
    assert upload(client, auth, body, name)["status"] == status, why


def test_match_by_image_and_by_hash(client: TestClient, auth: dict[str, str]) -> None:
    upload(client, auth, list_file())
    copy = jpeg(ImageOps.mirror(astronaut()), 40)
    answer = client.post("/v1/images/match", headers=auth,
                         files={"file": ("x.jpg", copy, "image/jpeg")}).json()
    assert answer["best"]["list"] == "pack-a" and answer["best"]["confirmed"]
    assert answer["reason"] == \
        f"image from a known traded pack (list pack-a, distance {answer['best']['distance']})"
    assert answer["query"]["dihedral_variants"] == 8
    by_hash = client.post("/v1/images/match", headers=auth,
                          data={"hash": hash_bytes(jpeg(astronaut(), 70)).whole.hex}).json()
    assert by_hash["best"]["entry"] == "pack-a-000001"
    other = jpeg(Image.effect_noise((200, 200), 70).convert("RGB"))
    none = client.post("/v1/images/match", headers=auth, files={"file": ("o.jpg", other)})
    assert none.json()["matches"] == [] and none.json()["best"] is None


@pytest.mark.parametrize(("files", "data", "why"), [
    (None, None, "neither an image nor a hash"),
    ({"file": ("x.jpg", b"not an image")}, None, "an unreadable image"),
    (None, {"hash": "xyz"}, "a hash that is not 64 hex characters"),
    ({"file": ("x.jpg", b"\xff\xd8")}, {"hash": "0" * 64}, "both at once"),
])
def test_match_refuses_bad_queries(client: TestClient, auth: dict[str, str], files, data,  # type: ignore[no-untyped-def]
                                   why: str) -> None:
    answer = client.post("/v1/images/match", headers=auth, files=files, data=data)
    assert answer.status_code == 422, why
    assert "error" in answer.json()


def test_match_answer_holds_no_image(client: TestClient, auth: dict[str, str]) -> None:
    upload(client, auth, list_file())
    data = jpeg(astronaut())
    answer = client.post("/v1/images/match", headers=auth, files={"file": ("a.jpg", data)})
    assert len(answer.content) < 2000 and b"\xff\xd8" not in answer.content
    assert io.BytesIO(answer.content).read(1) == b"{"

"""The REST API: auth on every route, screening, scanning, cases, decisions, audit, limits."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from notforsale.store.db import open_database
from notforsale.store.models import AuditEntry

RAW = ["110101199003071233", "13812345678", "6222021234567890128"]
ILLICIT = {"id": "L1", "title": "人脸素材 5000张 表情全 10元", "platform": "xianyu",
           "description": f"样例 身份证 {RAW[0]} 手机 {RAW[1]} 卡 {RAW[2]}"}


def test_every_v1_route_needs_a_token(client: TestClient) -> None:
    paths = {p: ops for p, ops in client.get("/openapi.json").json()["paths"].items()
             if p.startswith("/v1")}
    assert len(paths) >= 8
    for template, operations in paths.items():
        path = template.replace("{case_id}", "1")
        for method in operations:
            for headers in ({}, {"Authorization": "Bearer nfs_wrong"}):
                answer = client.request(method.upper(), path, headers=headers)
                assert answer.status_code == 401, f"{method} {path}"
                assert "error" in answer.json()


def test_screen_one_opens_a_case_and_stores_no_raw_value(client: TestClient,
                                                           auth: dict[str, str],
                                                           db_url: str) -> None:
    answer = client.post("/v1/listings/screen", json=ILLICIT, headers=auth)
    assert answer.status_code == 200
    body = answer.json()
    assert body["verdict"] == "block" and body["case_id"] == 1
    dumped = json.dumps(body, ensure_ascii=False)
    case = client.get("/v1/cases/1", headers=auth).json()
    dumped += json.dumps(case, ensure_ascii=False)
    for value in RAW:
        assert value not in dumped
    assert "110101********1233" in case["detail"]["description"]
    # Nothing raw anywhere in the database either.
    engine = create_engine(db_url)
    with engine.connect() as connection:
        for table in ("listing", "verdict", "case", "decision", "audit_log"):
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).fetchall()
            blob = " ".join(str(row) for row in rows)
            for value in RAW:
                assert value not in blob, table
    engine.dispose()


def test_batch_keeps_order_and_reports_bad_items(client: TestClient,
                                                 auth: dict[str, str]) -> None:
    answer = client.post("/v1/listings/screen-batch", headers=auth,
                         json=[{"title": "补水保湿面膜"}, {"title": 5}, ILLICIT])
    body = answer.json()
    assert [item.get("verdict") for item in body] == ["allow", None, "block"]
    assert "must be str" in body[1]["error"]


def test_bad_input_is_a_clear_4xx_with_json(client: TestClient, auth: dict[str, str]) -> None:
    assert client.post("/v1/listings/screen", headers=auth, json={"title": 5}).status_code == 422
    answer = client.post("/v1/text/scan", headers=auth, content=b"{not json",
                         )
    assert answer.status_code == 422 and "error" in answer.json()
    big = client.post("/v1/text/scan", headers=auth, json={"text": "x" * 100_000})
    assert big.status_code == 413 and "larger than" in big.json()["error"]
    assert client.get("/v1/cases/999", headers=auth).status_code == 404
    bad = client.post("/v1/cases/1/decision", headers=auth, json={"action": "nuke"})
    assert bad.status_code == 422


def test_text_scan_is_masked(client: TestClient, auth: dict[str, str]) -> None:
    body = client.post("/v1/text/scan", headers=auth, json={"text": "手机 13812345678"}).json()
    assert body["findings"][0]["masked"] == "+86 138****5678"
    assert "13812345678" not in json.dumps(body)


def test_file_upload_scan(client: TestClient, auth: dict[str, str]) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("people.csv", f"身份证号,手机\n{RAW[0]},{RAW[1]}\n")
    answer = client.post("/v1/files/scan", headers=auth,
                         files={"file": ("pack.zip", archive.getvalue(), "application/zip")})
    body = answer.json()
    assert answer.status_code == 200, body
    assert body["summary"]["entities"]["CN_RESIDENT_ID"] == 1
    assert body["findings"][0]["location"]["path"] == "pack.zip!/people.csv"
    assert body["case_id"] >= 1
    for value in RAW:
        assert value not in json.dumps(body, ensure_ascii=False)
    named = client.post("/v1/files/scan", headers=auth,
                        files={"file": (f"{RAW[0]}.zip", archive.getvalue(), "application/zip")})
    paths = [f["location"]["path"] for f in named.json()["findings"]]
    # The archive's own name is a finding too (its number masked), then what it holds.
    assert paths[0] == "110101********1233.zip" and "110101********1233.zip!/people.csv" in paths
    assert RAW[0] not in named.text
    too_big = client.post("/v1/files/scan", headers=auth,
                          files={"file": ("big.bin", b"0" * (6 * 1024 * 1024))})
    assert too_big.status_code == 413


def test_queue_filters_decisions_and_audit(client: TestClient, auth: dict[str, str]) -> None:
    for listing in (ILLICIT, {"id": "L2", "title": "四件套 带手持"},
                    {"id": "L3", "title": "过人脸 解封 代认证 私聊"}, {"id": "L4", "title": "面膜"}):
        client.post("/v1/listings/screen", json=listing, headers=auth)
    cases = client.get("/v1/cases", headers=auth).json()
    assert cases["total"] == 3
    scores = [c["score"] for c in cases["cases"]]
    assert scores == sorted(scores, reverse=True)
    first = cases["cases"][0]["id"]
    decided = client.post(f"/v1/cases/{first}/decision", headers=auth,
                          json={"action": "remove", "note": "seller sells 13812345678"}).json()
    assert decided["status"] == "removed"
    assert decided["decisions"][0]["note"] == "seller sells 138****5678"
    assert client.get("/v1/cases?decision=open", headers=auth).json()["total"] == 2
    assert client.get("/v1/cases?decision=removed", headers=auth).json()["total"] == 1
    by_category = client.get("/v1/cases?category=liveness_bypass", headers=auth).json()
    assert by_category["total"] == 1
    entries = client.get("/v1/audit", headers=auth).json()["entries"]
    assert entries[0]["action"] == "case.remove" and entries[0]["actor"] == "alice"


def test_audit_log_is_append_only(client: TestClient, auth: dict[str, str], db_url: str) -> None:
    client.post("/v1/listings/screen", json=ILLICIT, headers=auth)
    sessions = open_database(db_url)
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with sessions() as session, pytest.raises(DBAPIError):
            session.execute(text(statement))
            session.commit()
    with sessions() as session:
        assert session.query(AuditEntry).count() >= 2

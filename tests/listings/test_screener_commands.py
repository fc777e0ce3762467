"""notforsale screener export-labels / fit: moderators' decisions become labels, a refit is
reported on a held-out set before it is used, and the shipped weights are never overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from notforsale.cli import app
from notforsale.listings.model import WEIGHTS_ENV, load_model, shipped_weights_path
from notforsale.listings.screener import screen_listing
from notforsale.store import repository
from notforsale.store.db import open_database

RAW_ID = "110101199003071233"
LISTINGS = [
    # (listing, moderator's action or None, expected exported label or None)
    ({"id": "a", "title": "出四件套 带手持 一套80", "description": f"样例 身份证 {RAW_ID} 私聊"},
     "remove", "illicit"),
    ({"id": "b", "title": "收咔 一类卡 带盾 日结", "description": "飞机 @cards_buy"},
     "escalate", None),  # still open: no label
    ({"id": "c", "title": "人脸素材 5000张 多表情", "price": 10}, None, None),  # not decided
    ({"id": "d", "title": "社工库 查人 开房记录", "description": "t.me/lookup_bot"},
     "allow", "benign"),  # the moderator says it is fine
]


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'mod.db'}"
    sessions = open_database(url)
    with sessions() as session:
        for listing, action, _ in LISTINGS:
            verdict = screen_listing(listing)
            assert verdict.verdict != "allow", listing  # each one opens a case
            case_id = repository.record_screening(session, listing, verdict, "test")
            assert case_id is not None
            if action:
                repository.decide(session, case_id, action, "checked", "moderator")
    yield url
    open_database.cache_clear()


def test_export_labels_writes_decided_cases_masked(db: str, tmp_path: Path) -> None:
    out = tmp_path / "labels.jsonl"
    result = CliRunner().invoke(app, ["screener", "export-labels", "--db", db, "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
    expected = [label for _, _, label in LISTINGS if label]
    assert [r["label"] for r in rows] == expected
    text = out.read_text(encoding="utf-8")
    assert RAW_ID not in text and "110101********1233" in text
    assert "skipped: last decision escalate: 1" in result.stderr
    assert "skipped: not decided: 1" in result.stderr
    # an existing file is never overwritten
    again = CliRunner().invoke(app, ["screener", "export-labels", "--db", db, "-o", str(out)])
    assert again.exit_code == 2


def test_fit_refuses_to_overwrite_the_shipped_weights(tmp_path: Path) -> None:
    labels = tmp_path / "l.jsonl"
    labels.write_text(json.dumps({"id": "x", "title": "t", "label": "benign"}) + "\n")
    result = CliRunner().invoke(app, ["screener", "fit", "--labels", str(labels),
                                      "--out", str(shipped_weights_path())])
    assert result.exit_code == 2 and "shipped" in result.stderr


def test_fit_reports_the_change_and_writes_a_new_file(db: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    labels = tmp_path / "labels.jsonl"
    CliRunner().invoke(app, ["screener", "export-labels", "--db", db, "-o", str(labels)])
    # a small held-out file written for this test (the shipped one is for reports only)
    heldout = tmp_path / "heldout.jsonl"
    heldout.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"id": "h1", "title": "出售 身份证正反面+手持 一套30", "description": "飞机私聊",
         "label": "illicit"},
        {"id": "h2", "title": "纯棉四件套 1.8米", "price": 99, "label": "benign"},
        {"id": "h3", "title": "警方提醒：出售银行卡违法", "label": "talk"},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "new_weights.json"
    before = shipped_weights_path().read_bytes()
    result = CliRunner().invoke(app, ["screener", "fit", "--labels", str(labels), "--out",
                                      str(out), "--heldout", str(heldout)])
    assert result.exit_code == 0, result.output
    assert "held-out set" in result.stdout and "precision" in result.stdout
    assert "recall" in result.stdout and "change" in result.stdout
    assert shipped_weights_path().read_bytes() == before
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == 2 and any(k.startswith("labels:") for k in data["provenance"])
    # the new weights are used only when pointed at
    monkeypatch.setenv(WEIGHTS_ENV, str(out))
    assert load_model().source == str(out)
    monkeypatch.delenv(WEIGHTS_ENV)
    assert load_model().source == "weights.json"
    # and the file cannot be overwritten by a second fit
    again = CliRunner().invoke(app, ["screener", "fit", "--labels", str(labels), "--out",
                                     str(out), "--heldout", str(heldout)])
    assert again.exit_code == 2


def test_cases_say_what_the_listing_reads_as(db: str) -> None:
    """The console's case page shows the screener's kind (illicit / talk / benign)."""
    with open_database(db)() as session:
        detail = repository.get_case(session, 1).detail
    assert detail["kind"] in ("illicit", "talk", "benign") and "talk_score" in detail

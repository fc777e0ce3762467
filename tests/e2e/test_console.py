"""The console in a real browser (Debian's Chromium, driven by Playwright):
log in, open a case, decide it, see the audit entry.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from notforsale.listings.screener import screen_listing
from notforsale.service.app import create_app
from notforsale.service.settings import ServiceSettings
from notforsale.store import repository
from notforsale.store.db import open_database

CHROMIUM = os.environ.get("NOTFORSALE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    with open_database(url)() as session:
        token = repository.create_token(session, "moderator-ann")
        for listing in ({"id": "L-77", "title": "人脸素材 5000张 表情全 10元",
                         "description": "真人 多角度 私聊VX 手机13812345678"},
                        {"id": "L-78", "title": "四件套 带手持"}):
            repository.record_screening(session, listing, screen_listing(listing), "test")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(ServiceSettings(db_url=url)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the service did not start"
    yield f"http://127.0.0.1:{port}", token
    server.should_exit = True
    thread.join(timeout=10)


def test_log_in_decide_and_audit(served: tuple[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
    base, token = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                             headless=True)
        page = browser.new_page()
        page.goto(f"{base}/console")
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        page.get_by_label("API token").fill("nfs_wrong")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_contain_text("not valid")
        page.get_by_label("API token").fill(token)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Flagged (2)")).to_be_visible()
        rows = page.locator("table.queue tbody tr")
        expect(rows).to_have_count(2)
        scores = [float(s) for s in rows.locator("td.score").all_inner_texts()]
        assert scores == sorted(scores, reverse=True)
        assert "13812345678" not in page.content()
        page.get_by_role("link", name="人脸素材 5000张 表情全 10元").click()
        expect(page.get_by_text("Why it was flagged")).to_be_visible()
        expect(page.locator(".description")).to_contain_text("138****5678")
        page.get_by_label("Note").fill("face pack for sale, removed")
        page.get_by_role("button", name="Remove").click()
        expect(page.locator(".status")).to_have_text("removed")
        expect(page.locator(".history")).to_contain_text("moderator-ann chose remove")
        page.get_by_role("link", name="Audit log").click()
        first = page.locator("table.audit tbody tr").first
        expect(first).to_contain_text("case.remove")
        expect(first).to_contain_text("moderator-ann")
        page.get_by_role("link", name="Queue").click()
        expect(page.get_by_role("heading", name="Flagged (1)")).to_be_visible()
        page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
        browser.close()

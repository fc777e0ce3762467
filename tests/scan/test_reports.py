"""Pack reports: no raw value in any format; HTML thumbnails blurred, faces filled."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from notforsale.cli import app
from notforsale.report.render import FORMATS, render
from notforsale.scan import ScanOptions, scan_path
from tests.scan.conftest import RAW_VALUES


def _assert_no_raw(output: str) -> None:
    digits = re.sub(r"[^0-9]", "", output)
    for value in RAW_VALUES:
        assert value not in output
        assert value not in digits, "raw digits, even split by other characters"


@pytest.fixture(scope="module")
def html(pack: Path) -> str:
    out = io.StringIO()
    render(scan_path(pack, ScanOptions(thumbnails=True)), "html", out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "html"])
def test_text_formats_hold_no_raw_value(pack: Path, fmt: str) -> None:
    out = io.StringIO()
    render(scan_path(pack), fmt, out)
    assert "****" in out.getvalue()
    _assert_no_raw(out.getvalue())


def test_html_holds_no_raw_value(html: str) -> None:
    text_only = re.sub(r"data:image/jpeg;base64,[A-Za-z0-9+/=]+", "", html)
    assert "full kit" in text_only
    _assert_no_raw(text_only)
    assert "<script" not in html.lower() and "http" not in text_only.split("</style>", 1)[1]


def test_html_thumbnails_are_small_and_blurred(html: str, pack: Path) -> None:
    thumbs = re.findall(r"data:image/jpeg;base64,([A-Za-z0-9+/=]+)", html)
    assert thumbs
    for encoded in set(thumbs):
        image = Image.open(io.BytesIO(base64.b64decode(encoded))).convert("L")
        assert max(image.size) <= 160
        pixels = np.asarray(image, dtype=np.float32)
        # Blurred: neighbouring pixels barely differ (a sharp photo has strong edges).
        assert np.abs(np.diff(pixels, axis=1)).max() < 60
    original = Image.open(pack / "faces" / "0001.jpg").convert("L")
    original.thumbnail((160, 160))
    assert np.abs(np.diff(np.asarray(original, dtype=np.float32), axis=1)).max() > 60


def test_cli_html_needs_output_and_writes_a_file(pack: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["scan", str(pack), "-f", "html"]).exit_code == 2
    target = tmp_path / "report.html"
    result = runner.invoke(app, ["scan", str(pack), "-f", "html", "-o", str(target),
                                 "--ocr", "never"])
    assert result.exit_code == 1, result.output
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_limits_turn_members_into_errors(pack: Path) -> None:
    result = CliRunner().invoke(app, ["scan", str(pack), "-f", "json", "--ocr", "never",
                                      "--max-depth", "1"])
    assert result.exit_code == 1
    assert "nested deeper than 1" in result.stdout

"""Videos inside packs: scanned by scan_path (tracks, numbers, profiles) and redacted by
redact with their own check, in a folder and inside a zip."""

from __future__ import annotations

from pathlib import Path

import pytest

from notforsale.demo import zip_bytes
from notforsale.model import FACE
from notforsale.redact.tree import redact
from notforsale.scan import scan_path
from tests.video import clips


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory, clip) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("video-pack") / "pack"
    root.mkdir()
    card = clip("card")
    (root / "手持身份证视频.mp4").write_bytes(card.data)
    (root / "more.zip").write_bytes(zip_bytes({"liveness/pan.mp4": clip("pan").data}))
    return root


def test_videos_are_scanned_as_face_tracks_with_times(pack: Path) -> None:
    result = scan_path(pack)
    summary = result.summary()
    assert summary["videos"] == 2 and summary["files"] == 2 and summary["errors"] == 0
    tracks = [i for i in result.findings if i.finding.type == FACE]
    assert all(i.location.time is not None for i in tracks)
    assert {i.location.path.rsplit("/", 1)[-1] for i in tracks} == {"手持身份证视频.mp4",
                                                                     "pan.mp4"}
    numbers = [i for i in result.findings if i.finding.type == "CN_RESIDENT_ID"]
    assert numbers and numbers[0].finding.masked == clips.CARD_NUMBER[:6] + "********" + \
        clips.CARD_NUMBER[-4:]
    # The card held up in the clip: a face and a number in one video.
    assert any("face and number in one video" in p.links for p in result.profiles)


def test_videos_in_a_pack_are_redacted_and_checked(pack: Path, tmp_path: Path) -> None:
    report = redact(pack, tmp_path / "out")
    assert report.status == "verified", (report.to_dict()["left_over"], report.not_checked)
    changes = {c.path.rsplit("/", 1)[-1]: c for c in report.files}
    assert changes["手持身份证视频.mp4"].faces >= 2 and changes["手持身份证视频.mp4"].numbers >= 1
    assert changes["pan.mp4"].faces >= 1
    assert clips.CARD_NUMBER not in (tmp_path / "out" / "手持身份证视频.mp4").read_bytes().decode(
        "latin-1")

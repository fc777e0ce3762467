"""Redacting videos: every frame's faces covered, numbers filled, audio and tags gone, every
frame and timestamp kept — checked by construction and by the verification."""

from __future__ import annotations

import numpy as np
import pytest

from notforsale.read.video import VideoError, VideoReader
from notforsale.redact import video as redact_video_module
from notforsale.redact.video import VideoRedactOptions, redact_video, verify_video
from notforsale.vision.video import VideoOptions, scan_video
from tests.video.clips import CARD_NUMBER, Clip, ClipMaker


def _detail(grey: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Mean absolute Laplacian of the middle 80 % of a box (grey levels)."""
    x0, y0, x1, y1 = box
    dx, dy = (x1 - x0) // 10, (y1 - y0) // 10
    inner = grey[y0 + dy:y1 - dy, x0 + dx:x1 - dx]
    lap = np.abs(4 * inner[1:-1, 1:-1] - inner[:-2, 1:-1] - inner[2:, 1:-1] - inner[1:-1, :-2]
                 - inner[1:-1, 2:])
    return float(lap.mean())


def _greys(data: bytes) -> list[np.ndarray]:
    with VideoReader(data) as reader:
        return [frame.rgb()[0].astype(np.float32).mean(axis=2) for frame in reader]


def _uncovered(made: Clip, out: bytes) -> list[tuple[int, str]]:
    """(frame, face) of every face box, on every frame, whose detail the copy kept."""
    before, after = _greys(made.data), _greys(out)
    assert len(before) == len(after) == made.frames
    left = []
    for face, boxes in made.faces.items():
        for index, box in boxes.items():
            if _detail(after[index], box) > 0.35 * _detail(before[index], box):
                left.append((index, face))
    return left


CLIPS = [
    ("pan", {}, "two moving faces"),
    ("enter", {}, "a face entering between two looks is covered from its first frame"),
    ("cut", {}, "a cut"),
    ("card", {}, "phone clip with rotation, a card held up"),
    ("zoom", {"fmt": "webm", "codec": "libvpx-vp9"}, "webm in, webm out"),
    ("pan", {"fmt": "avi", "codec": "mpeg4"}, "avi in, avi out"),
]


@pytest.mark.parametrize(("name", "encoding", "reason"), CLIPS)
def test_every_face_on_every_frame_is_covered(clip: ClipMaker, name: str, encoding: dict,
                                              reason: str) -> None:
    made = clip(name, **encoding)
    out, changes = redact_video(made.data, f"{name}{made.suffix}")
    assert changes.frames == made.frames
    assert _uncovered(made, out) == [], reason  # by construction, on all frames
    check = verify_video(out, changes)
    assert check.passed, (reason, check.to_dict())
    assert check.frames_checked > changes.looks  # a higher rate than the redaction's
    with VideoReader(out) as reader:
        assert reader.info.codec == "vp9"
        expected = {".webm": "matroska,webm", ".avi": "avi"}.get(made.suffix,
                                                               "mov,mp4,m4a,3gp,3g2,mj2")
        assert reader.info.container == expected
        assert reader.info.rotation == 0
        shown = (reader.info.width, reader.info.height)
        times = [frame.time for frame in reader]
    assert shown == made.size  # shown the same way up as the source
    assert times == pytest.approx([i / made.fps for i in range(made.frames)], abs=0.0015)


def test_the_card_number_is_filled_on_every_frame(clip: ClipMaker) -> None:
    made = clip("card")
    out, changes = redact_video(made.data, "card.mp4")
    assert changes.numbers == 1 and changes.rotation_applied == 90
    again = scan_video(out, "card.mp4", VideoOptions(ocr="always", ocr_interval=0.2))
    assert again.text_hits == ()
    assert CARD_NUMBER not in str(changes.to_dict())


def test_verification_fails_on_a_face_left_uncovered(clip: ClipMaker,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    made = clip("pan")
    good, changes = redact_video(made.data, "pan.mp4")
    monkeypatch.setattr(redact_video_module, "_cover", lambda image, box, mode: None)
    bad, bad_changes = redact_video(made.data, "pan.mp4")
    # The by-construction check sees every face box left, on every frame...
    assert len(_uncovered(made, bad)) == sum(len(boxes) for boxes in made.faces.values())
    # ... and so does the verification, on the frames it looks at.
    check = verify_video(bad, bad_changes)
    assert not check.passed
    assert len({f.frame for f in check.faces_left}) >= 20  # on every frame it looked at
    assert verify_video(good, changes).passed


def test_verification_fails_on_lost_frames_and_kept_audio(clip: ClipMaker) -> None:
    made = clip("pan", audio_seconds=2.0)
    out, changes = redact_video(made.data, "pan.mp4")
    assert changes.audio_dropped and not changes.audio_kept
    # Another clip's copy: frame count and timestamps do not match.
    other, _ = redact_video(clip("cat").data, "cat.mp4")
    problems = verify_video(other, changes).problems
    assert any("frames written" in p for p in problems)
    # A copy with audio where the redaction said it dropped it.
    kept, _ = redact_video(made.data, "pan.mp4", VideoRedactOptions(keep_audio=True))
    assert "audio is there" in verify_video(kept, changes).problems


def test_audio_is_dropped_by_default_and_kept_on_request(clip: ClipMaker) -> None:
    made = clip("zoom", audio_seconds=2.0)
    dropped, changes = redact_video(made.data, "zoom.mp4")
    with VideoReader(dropped) as reader:
        assert not reader.info.audio
    kept, kept_changes = redact_video(made.data, "zoom.mp4", VideoRedactOptions(keep_audio=True))
    with VideoReader(kept) as reader:
        assert reader.info.audio
    assert kept_changes.audio_kept and verify_video(kept, kept_changes,
                                                    VideoRedactOptions(keep_audio=True)).passed
    # AAC cannot go into WebM: an error, not a copy with the sound silently gone.
    with pytest.raises(VideoError):
        redact_video(made.data, "zoom.webm", VideoRedactOptions(keep_audio=True))


def test_metadata_is_stripped(clip: ClipMaker) -> None:
    made = clip("cat", tags={"location": "+31.2304+121.4737/",
                             "com.apple.quicktime.make": "Apple",
                             "creation_time": "2024-05-06T07:08:09.000000Z"})
    out, changes = redact_video(made.data, "IMG_0001.mov")
    assert set(changes.metadata_removed) >= {"location", "creation_time"}
    with VideoReader(out) as reader:
        tags = reader.info.tags
    assert not any(value for key, value in tags.items() if "121.47" in value or "2024" in value)
    assert verify_video(out, changes).passed


def test_a_video_that_does_not_decode_to_its_end_is_not_redacted(clip: ClipMaker) -> None:
    made = clip("pan", fmt="matroska")
    with pytest.raises(VideoError):
        redact_video(made.data[: len(made.data) // 2], "half.mkv")


"""Reading videos: magic bytes, containers, sampling, rotation, limits, metadata."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from notforsale.read.video import (
    Sampler,
    VideoError,
    VideoLimits,
    VideoReader,
    identifying_tags,
    metadata_findings,
)
from tests.video.clips import ClipMaker

MAGIC = [
    (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", True, "MP4"),
    (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", True, "QuickTime with ftyp"),
    (b"\x00\x00\x00\x08wide\x00\x00\x00\x00", True, "old QuickTime without ftyp"),
    (b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00", False, "a HEIF photo is ISO media too"),
    (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00", False, "an AVIF photo"),
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", True, "Matroska / WebM"),
    (b"RIFF\x10\x00\x00\x00AVI LIST", True, "AVI"),
    (b"RIFF\x10\x00\x00\x00WAVEfmt ", False, "a WAV file is RIFF but no video"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", False, "a WebP image is RIFF but no video"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", False, "a JPEG"),
    (b"", False, "nothing"),
]


@pytest.mark.parametrize(("head", "expected", "reason"), MAGIC)
def test_magic_bytes(head: bytes, expected: bool, reason: str) -> None:
    from notforsale.read.video import looks_like_video

    assert looks_like_video(head) is expected, reason


def _times(fps: float, seconds: float, key_every: int = 0) -> list[tuple[float, bool]]:
    count = round(fps * seconds)
    return [(i / fps, bool(key_every) and i % key_every == 0) for i in range(count)]


SAMPLING = [
    # (fps, seconds, keyframe every n frames, rate, every_frame, expected looks, reason)
    (30, 2, 0, 5.0, False, 10, "5 a second of a 30 fps clip: every sixth frame"),
    (30, 2, 0, 10.0, False, 20, "10 a second: every third frame"),
    (30, 2, 45, 5.0, False, 11, "a keyframe off the grid (frame 45) is looked at too"),
    (30, 2, 30, 5.0, False, 10, "keyframes on the grid add nothing"),
    (10, 2, 0, 15.0, False, 20, "a rate above the frame rate takes every frame, no more"),
    (30, 1, 0, 5.0, True, 30, "every frame"),
    (24000 / 1001, 2, 0, 5.0, False, 10, "23.976 fps"),
]


@pytest.mark.parametrize(("fps", "seconds", "key_every", "rate", "every", "expected", "reason"),
                         SAMPLING)
def test_sampler(fps: float, seconds: float, key_every: int, rate: float, every: bool,
                 expected: int, reason: str) -> None:
    sampler = Sampler(rate, every_frame=every)
    assert sum(sampler.take(t, key) for t, key in _times(fps, seconds, key_every)) == expected, \
        reason


def test_sampler_phase_looks_between_the_grid() -> None:
    times = _times(30, 2)
    first = {i for i, (t, k) in enumerate(times) if Sampler(10).take(t, k)}
    grid, shifted = Sampler(10), Sampler(20, phase=0.5)
    first = {i for i, (t, k) in enumerate(times) if grid.take(t, k)}
    second = {i for i, (t, k) in enumerate(times) if shifted.take(t, k)}
    assert len(second - first) >= len(second) // 2  # mostly frames the first grid skipped


CONTAINERS = [
    ({"fmt": "mp4", "codec": "libx264"}, "h264", "phones and most packs"),
    ({"fmt": "mov", "codec": "libx264"}, "h264", "iPhone clips"),
    ({"fmt": "webm", "codec": "libvpx-vp9"}, "vp9", "browser recordings"),
    ({"fmt": "matroska", "codec": "libx264"}, "h264", "mkv"),
    ({"fmt": "avi", "codec": "mpeg4"}, "mpeg4", "old cameras and tools"),
]


@pytest.mark.parametrize(("encoding", "codec", "reason"), CONTAINERS)
def test_every_container_is_read_frame_by_frame(clip: ClipMaker, encoding: dict, codec: str,
                                                reason: str) -> None:
    made = clip("cat", **encoding)
    with VideoReader(made.data) as reader:
        frames = list(reader)
        assert reader.info.codec == codec, reason
        assert reader.complete and reader.problem is None
    assert len(frames) == made.frames
    assert [f.index for f in frames] == list(range(made.frames))
    assert frames[0].time == 0.0
    assert frames[-1].time == pytest.approx((made.frames - 1) / made.fps, abs=0.002)
    rgb, scale = frames[0].rgb(320)
    assert rgb.shape == (180, 320, 3) and scale == pytest.approx(0.5)


def test_rotation_is_read_and_applied(clip: ClipMaker) -> None:
    made = clip("card", frames=4)  # stored 1280x720, shown 720x1280
    with VideoReader(made.data) as reader:
        assert reader.info.rotation == 90
        assert (reader.info.width, reader.info.height) == (720, 1280)
        first = next(iter(reader))
    assert (first.frame.width, first.frame.height) == (1280, 720)
    rgb, _ = first.rgb()
    assert rgb.shape[:2] == (1280, 720)
    # Turned counter-clockwise by the display matrix's 90 degrees (as np.rot90), also shrunk.
    assert np.array_equal(rgb, np.rot90(first.frame.to_ndarray(format="rgb24")))
    small, _ = first.rgb(640)
    stored = first.frame.reformat(width=640, height=360, format="rgb24",
                                  interpolation="BILINEAR").to_ndarray()
    assert np.array_equal(small, np.rot90(stored))


def test_junk_and_empty_input_are_errors() -> None:
    for data in (b"", b"not a video at all" * 100, b"\x00\x00\x00\x20ftypisom" + b"\x00" * 500):
        with pytest.raises(VideoError):
            VideoReader(data)


def test_a_truncated_video_says_where_it_stopped(clip: ClipMaker) -> None:
    made = clip("pan", fmt="matroska")  # Matroska streams: a cut file still opens
    with VideoReader(made.data[: len(made.data) * 2 // 3]) as reader:
        frames = sum(1 for _ in reader)
        assert 0 < frames < made.frames or reader.problem is not None


@pytest.mark.parametrize(("limits", "reason"), [
    (VideoLimits(max_frame_pixels=100_000), "frames larger than the limit: refused at once"),
    (VideoLimits(max_seconds=0.5), "declared duration over the limit: refused at once"),
])
def test_limits_refuse_before_decoding(clip: ClipMaker, limits: VideoLimits, reason: str) -> None:
    with pytest.raises(VideoError):
        VideoReader(clip("cat").data, limits)


def test_frame_limit_stops_and_says_so(clip: ClipMaker) -> None:
    with VideoReader(clip("cat").data, VideoLimits(max_frames=5)) as reader:
        assert sum(1 for _ in reader) == 5
        assert not reader.complete and "frame limit" in (reader.problem or "")


def test_identifying_tags_become_masked_findings(clip: ClipMaker) -> None:
    made = clip("cat", tags={"location": "+31.2304+121.4737/",
                             "creation_time": "2024-05-06T07:08:09.000000Z"})
    with VideoReader(made.data) as reader:
        tags = reader.info.tags
    findings = {f.type: f for f in metadata_findings(tags)}
    assert findings["EXIF_GPS"].masked == "31.2°, 121.5° (±10 km)"
    assert findings["EXIF_DATETIME"].masked == "2024-05-06"
    assert "121.4737" not in str([f.to_dict() for f in findings.values()])
    assert "location" in identifying_tags(tags) and "creation_time" in identifying_tags(tags)


SKIPS = [
    # (clip, encoding, sampler, frames skipped?, reason)
    ("pan", {}, lambda: Sampler(5), True, "H.264 with B-frames, 5 looks a second: most "
     "B-frames between looks are not rebuilt"),
    ("card", {}, lambda: Sampler(5), True, "a rotated phone clip: the same upright frames"),
    ("pan", {"codec": "libx265"}, lambda: Sampler(5), True, "HEVC, phones' other codec"),
    ("pan", {"fmt": "matroska"}, lambda: Sampler(10, phase=0.5), True,
     "Matroska, a grid offset by half a step"),
    ("pan", {}, lambda: Sampler(5, every_frame=True), False, "every frame looked at"),
    ("cat", {"fmt": "webm", "codec": "libvpx-vp9"}, lambda: Sampler(5), False,
     "VP9: every frame decoded (no skipping for it)"),
    ("cat", {"fmt": "avi", "codec": "mpeg4"}, lambda: Sampler(5), False,
     "MPEG-4 part 2 in AVI: every frame decoded"),
]


@pytest.mark.parametrize(("name", "encoding", "sampler", "skips", "reason"), SKIPS)
def test_frames_no_look_needs_are_skipped_and_the_looks_are_the_same(
        clip: ClipMaker, name: str, encoding: dict, sampler: Any, skips: bool,
        reason: str) -> None:
    made = clip(name, **encoding)

    def looks(reader: VideoReader) -> list[tuple[int, float, bool, Any]]:
        taker = sampler()
        return [(f.index, f.time, f.keyframe, f.rgb(320)[0]) for f in reader
                if taker.take(f.time, f.keyframe)]

    with VideoReader(made.data) as reader:
        every = looks(reader)
        frames, last = reader.frames_decoded, reader.last_time
    with VideoReader(made.data, sampler=sampler()) as reader:
        sampled = looks(reader)
        assert reader.frames_decoded == frames == made.frames, reason
        assert reader.last_time == last and reader.complete, reason
        assert (reader.frames_skipped > 0) == skips, reason
    assert [f[:3] for f in sampled] == [f[:3] for f in every], reason
    assert all(np.array_equal(a[3], b[3]) for a, b in zip(sampled, every, strict=True)), reason


@pytest.mark.parametrize("tag, value, expected, reason", [
    ("title", "活体 sfz 110101199003071233", "110101********1233", "h27: an ID in the title"),
    ("comment", "tel 13812345678", "+86 138****5678", "h27: a phone in the comment"),
    ("description", "110101199003071233", "110101********1233", "h27: the description"),
])
def test_numbers_in_a_videos_text_tags_are_found(clip: ClipMaker, tag: str, value: str,
                                                 expected: str, reason: str) -> None:
    """h27: IDs in an mp4's title and comment and an mkv's description were never
    reported (only the place and the date were read)."""
    made = clip("cat", tags={tag: value})
    with VideoReader(made.data) as reader:
        tags = reader.info.tags
    assert [f.masked for f in metadata_findings(tags)] == [expected], reason


def test_technical_tags_are_not_read_for_numbers(clip: ClipMaker) -> None:
    tags = {"encoder": "Lavf60.16.100", "major_brand": "isom", "minor_version": "512",
            "handler_name": "VideoHandler", "vendor_id": "[0][0][0][0]"}
    assert metadata_findings(tags) == []

"""vPDQ for videos: frame hashes once a second, matched as ThreatExchange's vPDQ does
(a bag of frame hashes; the share of each side's frames with a match within 31 bits).

Clips are made here from the package's own photo (the astronaut) and from seeded noise
scenes, so they run without ../shared: a slow pan and zoom over a picture, and cuts
between scenes. What each copy must do, with the reason:

| copy of the listed clip | expected | why |
|---|---|---|
| re-encoded (VP9, other quality) | confirmed | re-encoding keeps frame hashes within 31 bits |
| half-size | confirmed | PDQ is computed on a 64x64 reduction |
| trimmed to its second half, cut mid-second | confirmed | its frames are the listed one's |
| mirrored | confirmed | frames are also compared mirrored, as photos are |
| stored sideways (display rotation lost) | confirmed | and turned by quarter turns |
| an unrelated clip (other scenes) | no match | nothing in common |
| one still frame of the clip, as a photo | matches the clip | its whole-image PDQ is a frame's |
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from notforsale.trace.hashlist import HashList, parse
from notforsale.trace.matcher import Matcher, query_bytes
from notforsale.trace.video import hash_video, query_video
from tests.video.clips import encode

FPS = 10


def _astronaut() -> Image.Image:
    with (resources.files("notforsale") / "data" / "astronaut.jpg").open("rb") as handle:
        return Image.open(handle).convert("RGB")


def _noise_scene(seed: int, size: tuple[int, int] = (480, 360)) -> Image.Image:
    """Smooth coloured blobs (PDQ needs gradients), different for every seed."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (9, 12, 3), dtype=np.uint8)
    return Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)


def _frames(scenes: list[Image.Image], seconds_each: float, size: tuple[int, int],
            mirror: bool = False) -> list[np.ndarray]:
    """Each scene panned and zoomed slowly for ``seconds_each``, one after the other."""
    out = []
    for scene in scenes:
        width, height = scene.size
        count = round(seconds_each * FPS)
        for index in range(count):
            t = index / max(1, count - 1)
            crop = 0.8 - 0.1 * t  # zoom in slowly
            w, h = width * crop, height * crop
            x0, y0 = (width - w) * t, (height - h) * (1 - t) / 2
            view = scene.crop((round(x0), round(y0), round(x0 + w), round(y0 + h)))
            view = view.resize(size, Image.Resampling.BILINEAR)
            if mirror:
                view = view.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            out.append(np.asarray(view))
    return out


SCENES = [_astronaut(), _noise_scene(1), _noise_scene(2), _noise_scene(3)]


@pytest.fixture(scope="module")
def listed() -> bytes:
    return encode(iter(_frames(SCENES, 3, (320, 240))), FPS)


@pytest.fixture(scope="module")
def matcher(listed: bytes) -> Matcher:
    hashed = hash_video(listed)
    from notforsale.trace.hashlist import HashEntry

    entry = HashEntry("pack-000001", hashed.hashes, video=True)
    # through the list format and back, as another platform would load it
    text = "\n".join(HashList("pack", (entry,)).lines())
    return Matcher([parse(text.splitlines())])


def test_a_listed_clip_is_hashed_four_times_a_second(listed: bytes) -> None:
    hashed = hash_video(listed)
    frames = [h for h in hashed.hashes if h.kind == "vpdq"]
    assert hashed.complete and len(frames) == 48  # 12 s at 10 frames/s: 4 slots a second
    assert [h.frame for h in frames][:5] == [0, 3, 5, 8, 10]
    assert [round(h.time or 0, 1) for h in frames][:5] == [0.0, 0.3, 0.5, 0.8, 1.0]
    assert hashed.hashes[0].kind == "pdq"  # the sharpest frame's, first (older readers)


@pytest.mark.parametrize("name,make,expected", [
    ("re-encoded", lambda: encode(iter(_frames(SCENES, 3, (320, 240))), FPS, fmt="webm",
                                  codec="libvpx-vp9"), True),
    ("half-size", lambda: encode(iter(_frames(SCENES, 3, (160, 120))), FPS), True),
    ("trimmed", lambda: encode(iter(_frames(SCENES[2:], 3, (320, 240))[5:]), FPS), True),
    ("mirrored", lambda: encode(iter(_frames(SCENES, 3, (320, 240), mirror=True)), FPS), True),
    ("sideways", lambda: encode(iter(np.ascontiguousarray(np.rot90(f))
                                     for f in _frames(SCENES, 3, (320, 240))), FPS), True),
    ("unrelated", lambda: encode(iter(_frames([_noise_scene(7), _noise_scene(8),
                                               _noise_scene(9)], 3, (320, 240))), FPS), False),
])
def test_copies_of_a_listed_clip(matcher: Matcher, name: str, make: object,
                                 expected: bool) -> None:
    matches = matcher.match(query_video(make()))  # type: ignore[operator]
    confirmed = [m for m in matches if m.confirmed]
    assert bool(confirmed) is expected, (name, matches)
    if expected:
        assert confirmed[0].entry == "pack-000001" and confirmed[0].signal == "vpdq"
        assert confirmed[0].distance <= 31


def test_a_still_of_the_clip_matches_it(matcher: Matcher, listed: bytes) -> None:
    frame = _frames(SCENES, 3, (320, 240))[35]  # 3.5 s in: the first noise scene
    out = io.BytesIO()
    Image.fromarray(frame).save(out, format="JPEG", quality=85)
    matches = matcher.match(query_bytes(out.getvalue()))
    assert [m.entry for m in matches if m.confirmed] == ["pack-000001"]


def test_an_unreadable_video_is_an_error() -> None:
    from notforsale.read.video import VideoError

    with pytest.raises(VideoError):
        hash_video(b"\x00\x00\x00\x18ftypmp42" + bytes(100))


def test_a_pack_with_a_clip_is_listed_and_a_copy_traced(tmp_path: Path, listed: bytes) -> None:
    """Through the pack functions behind ``notforsale hash`` and ``trace``: the clip is an
    entry of its own (a video), and a re-encoded copy in a folder is found."""
    from notforsale.trace.pack import hash_pack, trace_paths

    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "liveness.mp4").write_bytes(listed)
    (tmp_path / "pack" / "notes.txt").write_text("not a picture")
    result = hash_pack([tmp_path / "pack"], "pack")
    [entry] = result.hash_list.entries
    assert entry.video and len(result.skipped) == 1 and not result.errors
    (tmp_path / "found").mkdir()
    (tmp_path / "found" / "copy.webm").write_bytes(
        encode(iter(_frames(SCENES, 3, (320, 240))), FPS, fmt="webm", codec="libvpx-vp9"))
    [traced] = trace_paths([tmp_path / "found"], Matcher([result.hash_list]))
    assert traced.error is None and [m.signal for m in traced.matches if m.confirmed] == ["vpdq"]

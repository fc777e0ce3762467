"""A video's face tracks join the scan's persons: each track's best look is embedded and
clustered with the photos' faces (a liveness clip and the photos sold with it are one
person).

| pack | persons | why |
|---|---|---|
| the astronaut's photo + a clip made of it | 1, holding the photo's face and the track | the same face |
| a clip whose face is 30 px wide | 0; the track unassigned, "too small" | never guessed |
| real people (../shared): obama_1.jpg + a clip of obama_2.jpg | 1 | one man, two photographs |
| real people: obama_1.jpg + a clip of biden_1.jpg | 2 | two men |
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from notforsale.scan import scan_path
from tests.identity_photos import SHARED, available
from tests.video.clips import encode

FPS = 10


def _astronaut() -> Image.Image:
    with (resources.files("notforsale") / "data" / "astronaut.jpg").open("rb") as handle:
        return Image.open(handle).convert("RGB")


def _clip(picture: Image.Image, size: tuple[int, int] = (480, 480), seconds: float = 3,
          inset: float = 1.0) -> bytes:
    """A slow zoom into ``picture`` (shrunk by ``inset`` on a grey canvas)."""
    frames = []
    for index in range(round(seconds * FPS)):
        crop = 1.0 - 0.15 * index / (seconds * FPS)
        width, height = picture.size
        w, h = width * crop, height * crop
        view = picture.crop((round((width - w) / 2), round((height - h) / 2),
                             round((width + w) / 2), round((height + h) / 2)))
        canvas = Image.new("RGB", size, (128, 128, 128))
        inner = (max(2, round(size[0] * inset)), max(2, round(size[1] * inset)))
        canvas.paste(view.resize(inner), ((size[0] - inner[0]) // 2, (size[1] - inner[1]) // 2))
        frames.append(np.asarray(canvas))
    return encode(iter(frames), FPS)


def _jpeg(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _scan(tmp_path: Path, files: dict[str, bytes]) -> object:
    (tmp_path / "pack").mkdir()
    for name, data in files.items():
        (tmp_path / "pack" / name).write_bytes(data)
    return scan_path(tmp_path / "pack")


def test_a_clip_and_its_photo_are_one_person(tmp_path: Path) -> None:
    result = _scan(tmp_path, {"photo.jpg": _jpeg(_astronaut()),
                              "liveness.mp4": _clip(_astronaut())})
    [person] = result.persons  # type: ignore[attr-defined]
    kinds = sorted("video" if face.time is not None else "photo" for face in person.faces)
    assert kinds == ["photo", "video"]
    assert result.faces_unassigned == ()  # type: ignore[attr-defined]


def test_a_track_too_small_to_embed_is_unassigned_with_why(tmp_path: Path) -> None:
    result = _scan(tmp_path, {"far.mp4": _clip(_astronaut(), (640, 480), inset=0.12)})
    assert result.persons == ()  # type: ignore[attr-defined]
    [face] = result.faces_unassigned  # type: ignore[attr-defined]
    assert face.location.time is not None and "too small" in face.reason


@pytest.mark.skipif(not available(), reason="needs ../shared/data")
@pytest.mark.parametrize("photo,clip,persons", [
    ("obama_1.jpg", "obama_2.jpg", 1),
    ("obama_1.jpg", "biden_1.jpg", 2),
])
def test_real_people_in_photos_and_clips(tmp_path: Path, photo: str, clip: str,
                                         persons: int) -> None:
    folder = SHARED / "persons"
    picture = Image.open(folder / clip).convert("RGB")
    picture.thumbnail((640, 640))
    result = _scan(tmp_path, {"a.jpg": (folder / photo).read_bytes(), "b.mp4": _clip(
        picture, (picture.width // 2 * 2, picture.height // 2 * 2))})
    assert len(result.persons) == persons  # type: ignore[attr-defined]
    assert result.faces_unassigned == ()  # type: ignore[attr-defined]

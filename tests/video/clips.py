"""Short video clips made from the shared photos, with their faces and numbers known by
construction: each frame is a moving crop (or a composition) of photos whose face boxes are
known, so every face's box on every frame follows from the geometry.

Used by the video tests and by ``bench/video.py``. The face boxes of the sources were read
once (CenterFace at 0.4 on the originals, one face each, checked by eye) and are constants
here, like ``bench/photos.py``'s.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

Box = tuple[int, int, int, int]

#: Face boxes (x0, y0, x1, y1) in the source photos.
SOURCE_FACES: dict[str, Box] = {
    "faces/astronaut.png": (182, 58, 270, 178),
    "persons/obama_1.jpg": (368, 86, 620, 434),
    "persons/obama_2.jpg": (200, 239, 481, 638),
    "persons/biden_1.jpg": (427, 158, 716, 571),
    "persons/rose_leslie_1.jpg": (628, 76, 869, 380),
    "persons/kit_harington_1.jpg": (262, 130, 438, 368),
}
TWO_PEOPLE: tuple[Box, Box] = ((237, 21, 389, 225), (792, 44, 945, 258))
#: A made-up resident ID number (valid check character, belonging to no one).
CARD_NUMBER = "310115198001010016"
#: Another, two digits apart (the card swapped for one alike).
OTHER_CARD_NUMBER = "310115198001010024"


@dataclass
class Clip:
    """A clip's bytes and what it holds: per face, its box on each frame it shows on."""

    name: str
    data: bytes
    fps: float
    frames: int
    size: tuple[int, int]  # as displayed (width, height)
    faces: dict[str, dict[int, Box]] = field(default_factory=dict)
    numbers: tuple[str, ...] = ()
    suffix: str = ".mp4"

    def boxes(self, index: int) -> list[Box]:
        return [track[index] for track in self.faces.values() if index in track]


def _open(shared: Path, name: str) -> Image.Image:
    return Image.open(shared / name).convert("RGB")


def _placed(box: Box, window: tuple[float, float, float, float], size: tuple[int, int]
            ) -> Box | None:
    """``box`` of a source seen through ``window`` (source pixels) scaled to ``size``; None
    when less than 60 % of it is in the frame."""
    wx0, wy0, wx1, wy1 = window
    fx, fy = size[0] / (wx1 - wx0), size[1] / (wy1 - wy0)
    x0, y0 = (box[0] - wx0) * fx, (box[1] - wy0) * fy
    x1, y1 = (box[2] - wx0) * fx, (box[3] - wy0) * fy
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(size[0], x1), min(size[1], y1)
    if cx1 <= cx0 or cy1 <= cy0 or (cx1 - cx0) * (cy1 - cy0) < 0.6 * (x1 - x0) * (y1 - y0):
        return None
    return round(cx0), round(cy0), round(cx1), round(cy1)


def _view(image: Image.Image, window: tuple[float, float, float, float],
          size: tuple[int, int]) -> Image.Image:
    return image.transform(size, Image.Transform.EXTENT, window, Image.Resampling.BILINEAR)


def encode(frames: Iterator[np.ndarray], fps: float, *, fmt: str = "mp4",
           codec: str = "libx264", rotation: int = 0, tags: dict[str, str] | None = None,
           audio_seconds: float = 0.0) -> bytes:
    """Frames (RGB arrays as displayed) written as a video. With ``rotation`` the pixels
    are stored turned the other way and the display matrix says to turn them back."""
    import av

    out = io.BytesIO()
    container = av.open(out, "w", format=fmt)
    if tags:
        container.metadata.update(tags)
    stream = None
    audio = container.add_stream("aac", rate=16000) if audio_seconds else None
    for array in frames:
        stored = np.ascontiguousarray(np.rot90(array, k=-(rotation // 90))) if rotation \
            else array
        if stream is None:
            options = {"crf": "18", "preset": "veryfast"} if codec == "libx264" else {}
            stream = container.add_stream(codec, rate=round(fps), options=options)
            stream.height, stream.width = stored.shape[:2]
            stream.pix_fmt = "yuv420p"
            if rotation:
                stream.set_display_rotation(rotation)
        for packet in stream.encode(av.VideoFrame.from_ndarray(stored, format="rgb24")):
            container.mux(packet)
    assert stream is not None
    for packet in stream.encode():
        container.mux(packet)
    if audio is not None:
        samples = int(16000 * audio_seconds)
        tone = (np.sin(np.arange(samples) * 2 * math.pi * 440 / 16000) * 0.2).astype(np.float32)
        for start in range(0, samples, 1024):
            chunk = tone[None, start:start + 1024]
            frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            frame.sample_rate = 16000
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
    container.close()
    return out.getvalue()


Scene = Callable[[int], tuple[Image.Image, dict[str, Box]]]


def _clip(name: str, scene: Scene, frames: int, fps: float, size: tuple[int, int], *,
          numbers: tuple[str, ...] = (), **encoding: object) -> Clip:
    faces: dict[str, dict[int, Box]] = {}
    arrays = []
    for index in range(frames):
        image, boxes = scene(index)
        arrays.append(np.asarray(image))
        for face, box in boxes.items():
            faces.setdefault(face, {})[index] = box
    fmt = str(encoding.get("fmt", "mp4"))
    suffix = {"mp4": ".mp4", "mov": ".mov", "matroska": ".mkv", "webm": ".webm",
              "avi": ".avi"}[fmt]
    data = encode(iter(arrays), fps, **encoding)  # type: ignore[arg-type]
    return Clip(name, data, fps, frames, size, faces, numbers, suffix)


def pan(shared: Path, frames: int = 30, fps: float = 15, size: tuple[int, int] = (640, 360),
        **encoding: object) -> Clip:
    """Two people; the camera pans right and zooms in a little. Two face tracks."""
    image = _open(shared, "faces/two_people.jpg")

    def scene(index: int) -> tuple[Image.Image, dict[str, Box]]:
        share = index / max(1, frames - 1)
        height = 520 - 60 * share
        width = height * size[0] / size[1]
        x0 = 40 + (945 + 20 - width - 40) * share
        window = (x0, 0.0, x0 + width, height)
        boxes = {f"person {i + 1}": b for i, box in enumerate(TWO_PEOPLE)
                 if (b := _placed(box, window, size))}
        return _view(image, window, size), boxes

    return _clip("pan", scene, frames, fps, size, **encoding)


def zoom(shared: Path, frames: int = 30, fps: float = 15, size: tuple[int, int] = (640, 360),
         **encoding: object) -> Clip:
    """The astronaut: the camera zooms in on the face and out again. One face track."""
    image = _open(shared, "faces/astronaut.png")
    face = SOURCE_FACES["faces/astronaut.png"]
    centre_x, centre_y = (face[0] + face[2]) / 2, (face[1] + face[3]) / 2 + 10

    def scene(index: int) -> tuple[Image.Image, dict[str, Box]]:
        share = math.sin(math.pi * index / max(1, frames - 1))
        width = 512 - 212 * share
        height = width * size[1] / size[0]
        window = (centre_x - width / 2, centre_y - height / 2, centre_x + width / 2,
                  centre_y + height / 2)
        box = _placed(face, window, size)
        return _view(image, window, size), ({"astronaut": box} if box else {})

    return _clip("zoom", scene, frames, fps, size, **encoding)


def _pasted(background: Image.Image, portrait: Image.Image, face: Box, height: int,
            left: float, top: float) -> tuple[Image.Image, Box | None]:
    """``portrait`` scaled to ``height`` pasted at (left, top); its face's box there."""
    factor = height / portrait.height
    small = portrait.resize((round(portrait.width * factor), height), Image.Resampling.BILINEAR)
    frame = background.copy()
    frame.paste(small, (round(left), round(top)))
    window = (-left / factor, -top / factor, (frame.width - left) / factor,
              (frame.height - top) / factor)
    return frame, _placed(face, window, frame.size)


def enter(shared: Path, frames: int = 30, fps: float = 15, size: tuple[int, int] = (640, 360),
          **encoding: object) -> Clip:
    """A man walks in from the right over a still background: the face appears mid-clip."""
    portrait = _open(shared, "persons/obama_1.jpg")
    face = SOURCE_FACES["persons/obama_1.jpg"]
    background = _open(shared, "faces/no_face_coffee.png").resize(size)

    def scene(index: int) -> tuple[Image.Image, dict[str, Box]]:
        left = size[0] + 10 - (size[0] * 0.75) * index / max(1, frames - 1)
        frame, box = _pasted(background, portrait, face, round(size[1] * 0.9), left,
                             size[1] * 0.1)
        return frame, ({"walker": box} if box else {})

    return _clip("enter", scene, frames, fps, size, **encoding)


def cut(shared: Path, frames: int = 30, fps: float = 15, size: tuple[int, int] = (640, 360),
        **encoding: object) -> Clip:
    """A cut half-way: one person on the left, then another on the right. Two tracks that
    do not overlap in time."""
    shots = [("persons/biden_1.jpg", "first", 0.25), ("persons/rose_leslie_1.jpg", "second",
                                                      0.72)]
    images = {name: _open(shared, name) for name, _, _ in shots}

    def scene(index: int) -> tuple[Image.Image, dict[str, Box]]:
        name, label, place = shots[0] if index < frames // 2 else shots[1]
        face = SOURCE_FACES[name]
        image = images[name]
        height = (face[3] - face[1]) * 2.6
        width = height * size[0] / size[1]
        centre_x, centre_y = (face[0] + face[2]) / 2, (face[1] + face[3]) / 2
        drift = 6 * (index % (frames // 2))
        x0 = centre_x - width * place + drift
        window = (x0, centre_y - height / 2, x0 + width, centre_y + height / 2)
        box = _placed(face, window, size)
        return _view(image, window, size), ({label: box} if box else {})

    return _clip("cut", scene, frames, fps, size, **encoding)


def card(shared: Path, frames: int = 30, fps: float = 15, size: tuple[int, int] = (720, 1280),
         rotation: int = 90, swap_to: str | None = None, **encoding: object) -> Clip:
    """A phone clip (portrait, stored sideways with a display rotation): a man holds up an ID
    card with his photo and a made-up number. Two face tracks (his, the card's portrait) and
    one number. With ``swap_to``, from the middle frame on he holds a card alike but for its
    number, ``swap_to`` (same layout, same place: the text lines do not change)."""
    from notforsale.demo import id_card_image

    person = _open(shared, "persons/obama_2.jpg")
    face = SOURCE_FACES["persons/obama_2.jpg"]
    # The card's portrait: a crop of his face at the card's portrait shape, so the card maker's
    # fit changes nothing and the face's box on the card follows.
    crop = (face[0] - 40, face[1] - 60, face[0] - 40 + 361, face[1] - 60 + 443)
    portrait = person.crop(crop).resize((220, 270), Image.Resampling.BILINEAR)
    card_face = _placed(face, crop, (220, 270))
    assert card_face is not None
    card_face = (card_face[0] + 590, card_face[1] + 60, card_face[2] + 590, card_face[3] + 60)
    card_image = Image.open(io.BytesIO(id_card_image(portrait, CARD_NUMBER))).convert("RGB")
    card_width = round(size[0] * 0.9)
    factor = card_width / card_image.width
    held = card_image.resize((card_width, round(card_image.height * factor)),
                             Image.Resampling.LANCZOS)
    second = held
    if swap_to is not None:
        other = Image.open(io.BytesIO(id_card_image(portrait, swap_to))).convert("RGB")
        second = other.resize(held.size, Image.Resampling.LANCZOS)
    scale = size[0] * 0.85 / person.width
    background = person.resize((round(person.width * scale), round(person.height * scale)))
    canvas = Image.new("RGB", size, (70, 80, 90))
    canvas.paste(background, ((size[0] - background.width) // 2, 0))
    offset_x = (size[0] - background.width) // 2
    his_face = (round(face[0] * scale) + offset_x, round(face[1] * scale),
                round(face[2] * scale) + offset_x, round(face[3] * scale))

    def scene(index: int) -> tuple[Image.Image, dict[str, Box]]:
        phase = 2 * math.pi * index / max(1, frames - 1)
        left = (size[0] - card_width) / 2 + 12 * math.sin(phase)
        top = size[1] * 0.6 + 20 * math.sin(2 * phase)
        frame = canvas.copy()
        frame.paste(held if index < frames // 2 else second, (round(left), round(top)))
        on_card = tuple(round(v * factor + (left if i % 2 == 0 else top))
                        for i, v in enumerate(card_face))
        return frame, {"holder": his_face, "card portrait": on_card}  # type: ignore[dict-item]

    numbers = (CARD_NUMBER,) if swap_to is None else (CARD_NUMBER, swap_to)
    return _clip("card", scene, frames, fps, size, numbers=numbers, rotation=rotation,
                 **encoding)


def cat(shared: Path, frames: int = 20, fps: float = 15, size: tuple[int, int] = (640, 360),
        **encoding: object) -> Clip:
    """A cat, panned across: no face at all."""
    image = _open(shared, "faces/no_face_cat.png")

    def scene(index: int) -> tuple[Image.Image, dict[str, Box]]:
        x0 = 60 * index / max(1, frames - 1)
        return _view(image, (x0, 20, x0 + 380, 20 + 380 * size[1] / size[0]), size), {}

    return _clip("cat", scene, frames, fps, size, **encoding)


ClipMaker = Callable[..., Clip]

CLIPS: dict[str, Callable[..., Clip]] = {"pan": pan, "zoom": zoom, "enter": enter, "cut": cut,
                                         "card": card, "cat": cat}

"""What the benchmarks share: where the shared photos are, the faces in them, the machine.

Standard library only: ``bench/redact.py`` also imports it from its detector venv.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

SHARED_FACES = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces"
if not SHARED_FACES.is_dir():  # CI clones main into another folder with shared/ beside it
    SHARED_FACES = Path("/work/shared/data/faces")

Box = tuple[int, int, int, int]

#: Face boxes (x0, y0, x1, y1) in each shared photo: CenterFace at 0.4 on the originals,
#: equal to the by-eye counts in shared/data/README.md.
FACE_BOXES: dict[str, list[Box]] = {
    "astronaut.png": [(182, 58, 270, 178)],
    "two_people.jpg": [(237, 21, 389, 225), (792, 44, 945, 258)],
    "two_people_b.jpg": [(261, 78, 355, 206), (82, 114, 157, 214)],
    "three_people.jpg": [(758, 394, 930, 644), (1142, 367, 1325, 597), (1629, 1049, 1784, 1236)],
    "city.jpg": [
        (222, 107, 253, 147), (763, 116, 794, 157), (57, 131, 89, 173), (182, 114, 210, 152),
        (605, 155, 638, 199), (534, 134, 552, 159), (477, 157, 500, 189), (324, 126, 349, 160),
        (369, 135, 387, 160), (428, 141, 443, 162), (99, 133, 117, 159), (636, 157, 657, 189),
        (656, 137, 669, 155), (587, 110, 606, 134), (310, 147, 326, 169), (512, 139, 524, 156),
        (675, 145, 688, 161)],
    "no_face_cat.png": [],
    "no_face_coffee.png": [],
}
#: The crowd photo (17 faces, several small or partly hidden).
CROWD = "city.jpg"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def load_average() -> list[float]:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return [0.0, 0.0, 0.0]


def flip_and_resize(rng: Any, crop: Any) -> tuple[Any, bool, float, tuple[int, int], int]:
    """A crop mirrored half of the time and scaled to a longer side of 300-1600 pixels, and
    a JPEG quality of 40-95 for it: (image, flipped, factor, size, quality)."""
    from PIL import Image, ImageOps

    flip = rng.random() < 0.5
    if flip:
        crop = ImageOps.mirror(crop)
    longer = rng.randint(300, 1600)
    factor = longer / max(crop.size)
    size = (max(1, round(crop.width * factor)), max(1, round(crop.height * factor)))
    crop = crop.resize(size, Image.Resampling.LANCZOS if factor < 1 else Image.Resampling.BICUBIC)
    return crop, flip, factor, size, rng.randint(40, 95)

"""The best look of each face track of a video, kept while the video is scanned, and
embedded at the end so video faces join the scan's persons.

:class:`BestLooks` is a ``frame_hook`` for :func:`~notforsale.vision.video.scan_video`: it
follows faces from sampled frame to sampled frame by overlap (as the tracker does) and
keeps, for each, a crop of the frame (the detector's 640-pixel view) around its most
confident detection, landmarks shifted into the crop — a few kilobytes a face, never the
frames. :meth:`BestLooks.embed` then matches every reported track to the look kept on its
best frame and embeds it (:func:`~notforsale.vision.embeddings.embed_faces`), or says why
not (too small, blurred, a profile, no look kept).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .embeddings import Embedding, Skipped, embed_faces
from .faces import Face
from .tracks import iou
from .video import FaceTrack, SampledFrame

#: Overlap that continues a face from one sampled frame to the next.
FOLLOW_IOU = 0.3
#: Context kept around a face (a share of its size, each side): alignment needs the whole
#: face and a little more.
MARGIN = 0.5
#: Looks followed at once at most (older ones stop being followed; their crops are kept).
MAX_FOLLOWED = 64
#: Crops kept at most (a long video with many people: the rest is said, not guessed).
MAX_KEPT = 4096
NO_LOOK = "its best frame's face was not kept (too many faces in the video)"


@dataclass(slots=True)
class _Look:
    last_box: tuple[int, int, int, int]
    rank: tuple[float, float]
    frame: int
    box: tuple[int, int, int, int]  # the detection's box, displayed frame's pixels
    crop: np.ndarray
    scale: float
    face: Face  # box and landmarks shifted into the crop (original pixels)


def _rank(face: Face) -> tuple[float, float]:
    """The tracker's order of detections (:attr:`Track.best`)."""
    x0, y0, x1, y1 = face.box
    return round(face.score, 3), max(0, x1 - x0) * max(0, y1 - y0)


class BestLooks:
    """Per followed face, its most confident look (see the module docstring)."""

    def __init__(self) -> None:
        self._following: list[_Look] = []
        self._kept: list[_Look] = []

    def __call__(self, frame: SampledFrame) -> None:
        free = list(self._following)
        for face in sorted(frame.faces, key=lambda f: -f.score):
            match = max(free, key=lambda look: iou(look.last_box, face.box), default=None)
            if match is not None and iou(match.last_box, face.box) >= FOLLOW_IOU:
                free.remove(match)
                match.last_box = face.box
                if _rank(face) > match.rank:
                    self._replace(match, frame, face)
                continue
            if len(self._kept) >= MAX_KEPT:
                continue
            look = self._new(frame, face)
            self._kept.append(look)
            self._following.append(look)
        if len(self._following) > MAX_FOLLOWED:
            self._following = self._following[-MAX_FOLLOWED:]

    def _cut(self, frame: SampledFrame, face: Face) -> tuple[np.ndarray, Face]:
        height, width = frame.rgb.shape[:2]
        x0, y0, x1, y1 = face.box
        grow_x, grow_y = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
        left = max(0, int((x0 - grow_x) * frame.scale))
        top = max(0, int((y0 - grow_y) * frame.scale))
        right = min(width, int(np.ceil((x1 + grow_x) * frame.scale)))
        bottom = min(height, int(np.ceil((y1 + grow_y) * frame.scale)))
        crop = np.ascontiguousarray(frame.rgb[top:bottom, left:right])
        dx, dy = left / frame.scale, top / frame.scale
        shifted = Face((round(x0 - dx), round(y0 - dy), round(x1 - dx), round(y1 - dy)),
                       face.score, None if face.landmarks is None else
                       tuple((px - dx, py - dy) for px, py in face.landmarks))
        return crop, shifted

    def _new(self, frame: SampledFrame, face: Face) -> _Look:
        crop, shifted = self._cut(frame, face)
        return _Look(face.box, _rank(face), frame.index, face.box, crop, frame.scale, shifted)

    def _replace(self, look: _Look, frame: SampledFrame, face: Face) -> None:
        look.crop, look.face = self._cut(frame, face)
        look.rank, look.frame, look.box, look.scale = _rank(face), frame.index, face.box, \
            frame.scale

    def embed(self, tracks: Sequence[FaceTrack]) -> list[Embedding | Skipped]:
        """One result per track, in order: its best look embedded, or why not."""
        by_frame: dict[int, list[_Look]] = {}
        for kept in self._kept:
            by_frame.setdefault(kept.frame, []).append(kept)
        out: list[Embedding | Skipped] = []
        for track in tracks:
            box = tuple(round(v) for v in track.box)
            look = max(by_frame.get(track.best_frame, ()), key=lambda c: iou(c.box, box),
                       default=None)
            if look is None or iou(look.box, box) < 0.5:
                out.append(Skipped(Face(box, track.score), NO_LOOK))  # type: ignore[arg-type]
                continue
            [result] = embed_faces(look.crop, look.scale, [look.face])
            out.append(result)
        return out

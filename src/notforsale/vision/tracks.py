"""Boxes followed across a video's frames: faces (and numbers read by OCR) as tracks.

A SORT-style tracker without the Kalman filter: each track predicts its box at
the next look from its last two detections (constant velocity), and new
detections are given to tracks greedily by IoU with the prediction (a box of a
similar size whose centre is within one box size of the prediction's is
accepted too, after every better pair: fast motion between looks). A track not
seen for ``max_gap`` seconds ends. Tracks follow boxes, not identities: two
people crossing may swap, and a cut to another face at the same place continues
the track.

:class:`CoverPlan` turns tracks into the boxes to cover on *every* frame, the
frames between looks included: between two detections of a track its box is
interpolated (and grown by half the distance it moved, for motion that is not
straight), and before its first and after its last detection it is carried on
at the track's speed, grown, up to the neighbouring look that did not see it
(or the one beyond, as redaction asks) — so a face that enters between two
looks is covered from the frame after the earlier look on.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Detection:
    """A box seen on one frame (``index``, ``time`` in seconds) with the detector's score."""

    index: int
    time: float
    box: Box
    score: float


@dataclass(frozen=True, slots=True)
class Track:
    """One face (or number) followed over frames: its detections in frame order."""

    id: int
    detections: tuple[Detection, ...]

    @property
    def first(self) -> Detection:
        return self.detections[0]

    @property
    def last(self) -> Detection:
        return self.detections[-1]

    @property
    def best(self) -> Detection:
        """The most confident detection (the larger box on a tie)."""
        return max(self.detections, key=lambda d: (round(d.score, 3), _area(d.box)))


def _area(box: Sequence[float]) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two boxes.

    >>> iou((0, 0, 10, 10), (5, 0, 15, 10))
    0.3333333333333333
    """
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    union = _area(a) + _area(b) - inter
    return inter / union if union > 0 else 0.0


def _likeness(predicted: Sequence[float], box: Sequence[float], least: float) -> float:
    """How well ``box`` continues a track predicted at ``predicted`` (0: not at all).

    Their IoU when it is at least ``least``; else, for a box of similar size (0.4-2.5 times
    the area) whose centre is within one box size of the prediction's (a face moving fast
    between looks, or a track with one detection and no velocity yet), a small positive
    number that falls with the distance.
    """
    overlap = iou(predicted, box)
    if overlap >= least:
        return overlap
    ratio = _area(box) / max(_area(predicted), 1e-9)
    reach = max(predicted[2] - predicted[0], predicted[3] - predicted[1], 1e-9)
    distance = math.hypot((box[0] + box[2] - predicted[0] - predicted[2]) / 2,
                          (box[1] + box[3] - predicted[1] - predicted[3]) / 2)
    if 0.4 <= ratio <= 2.5 and distance < reach:
        return 0.01 * (1 - distance / reach) + 1e-6
    return 0.0


class _Open:
    __slots__ = ("id", "detections")

    def __init__(self, track_id: int, first: Detection) -> None:
        self.id = track_id
        self.detections = [first]

    def predict(self, time: float) -> tuple[float, ...]:
        last = self.detections[-1]
        if len(self.detections) < 2:
            return last.box
        before = self.detections[-2]
        span = last.time - before.time
        if span <= 0:
            return last.box
        step = (time - last.time) / span
        return tuple(b + (b - a) * step for a, b in zip(before.box, last.box, strict=True))


class Tracker:
    """Feed it each look's boxes in frame order (:meth:`update`); :meth:`tracks` at the end."""

    def __init__(self, *, min_iou: float = 0.2, max_gap: float = 1.0) -> None:
        self.min_iou, self.max_gap = min_iou, max_gap
        self._open: list[_Open] = []
        self._closed: list[Track] = []
        self._next_id = 1

    def update(self, index: int, time: float, found: Iterable[tuple[Box, float]]) -> list[int]:
        """Give one look's boxes (with scores) to tracks; the track id of each box."""
        for track in [t for t in self._open if time - t.detections[-1].time > self.max_gap]:
            self._close(track)
        boxes = list(found)
        pairs = sorted(((_likeness(track.predict(time), box, self.min_iou), t, b)
                        for t, track in enumerate(self._open)
                        for b, (box, _) in enumerate(boxes)), reverse=True)
        given: dict[int, int] = {}
        used: set[int] = set()
        for likeness, t, b in pairs:
            if likeness <= 0:
                break
            if t in used or b in given:
                continue
            used.add(t)
            given[b] = t
        ids = []
        for b, (box, score) in enumerate(boxes):
            detection = Detection(index, time, box, score)
            if b in given:
                track = self._open[given[b]]
                track.detections.append(detection)
            else:
                track = _Open(self._next_id, detection)
                self._next_id += 1
                self._open.append(track)
            ids.append(track.id)
        return ids

    def _close(self, track: _Open) -> None:
        self._open.remove(track)
        self._closed.append(Track(track.id, tuple(track.detections)))

    def tracks(self) -> list[Track]:
        """Every track, ended or not, in the order they started."""
        for track in list(self._open):
            self._close(track)
        return sorted(self._closed, key=lambda t: t.id)


def _grown(box: Sequence[float], by_x: float, by_y: float, bounds: tuple[int, int] | None
           ) -> Box:
    x0, y0, x1, y1 = box[0] - by_x, box[1] - by_y, box[2] + by_x, box[3] + by_y
    if bounds is not None:
        x0, y0 = max(0.0, x0), max(0.0, y0)
        x1, y1 = min(float(bounds[0]), x1), min(float(bounds[1]), y1)
    return (int(x0), int(y0), int(round(x1 + 0.499)), int(round(y1 + 0.499)))


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    track: Track


class CoverPlan:
    """The boxes to cover on each frame, from tracks and the frames the detector looked at.

    ``looks`` are the frame indices where the detector ran (sorted). Before a track's first
    and after its last detection its box is carried on up to the ``reach``-th look that
    did not see it (1: the neighbouring look), grown by ``hold`` of its size on each side
    (its motion there is unknown). ``size`` (width, height) clips the boxes.
    """

    def __init__(self, tracks: Sequence[Track], looks: Sequence[int], *, hold: float = 0.15,
                 reach: int = 1, size: tuple[int, int] | None = None,
                 last_frame: int | None = None) -> None:
        self.tracks = tuple(tracks)
        self.looks = list(looks)
        self.hold, self.size = hold, size
        end_of_video = last_frame if last_frame is not None else \
            (self.looks[-1] if self.looks else 0)
        spans = []
        for track in self.tracks:
            first, last = track.first.index, track.last.index
            before = bisect.bisect_left(self.looks, first) - reach
            after = bisect.bisect_right(self.looks, last) + reach - 1
            start = self.looks[before] + 1 if before >= 0 else 0
            end = self.looks[after] - 1 if after < len(self.looks) else end_of_video
            spans.append(_Span(start, max(end, last), track))
        self._spans = sorted(spans, key=lambda s: s.start)
        self._starts = [s.start for s in self._spans]

    def boxes_at(self, index: int) -> list[Box]:
        """Every box to cover on frame ``index``."""
        out = []
        for span in self._spans[:bisect.bisect_right(self._starts, index)]:
            if span.end >= index:
                out.append(self._box(span.track, index))
        return out

    def _box(self, track: Track, index: int) -> Box:
        detections = track.detections
        indices = [d.index for d in detections]
        at = bisect.bisect_left(indices, index)
        if at < len(indices) and indices[at] == index:
            return _grown(detections[at].box, 0, 0, self.size)
        if at == 0 or at == len(indices):
            # Held before the first or after the last detection: moved on at the track's
            # speed at that end, when it has one, and grown (the motion there is unknown).
            near, other = (detections[0], detections[1:2]) if at == 0 else \
                (detections[-1], detections[-2:-1])
            box: list[float] = list(near.box)
            if other:
                step = (index - near.index) / (near.index - other[0].index)
                box = [p + (p - q) * step for p, q in zip(near.box, other[0].box, strict=True)]
            x0, y0, x1, y1 = near.box
            return _grown(box, (x1 - x0) * self.hold, (y1 - y0) * self.hold, self.size)
        a, b = detections[at - 1], detections[at]
        share = (index - a.index) / (b.index - a.index)
        box = [p + (q - p) * share for p, q in zip(a.box, b.box, strict=True)]
        moved_x = max(abs(a.box[0] - b.box[0]), abs(a.box[2] - b.box[2]))
        moved_y = max(abs(a.box[1] - b.box[1]), abs(a.box[3] - b.box[3]))
        return _grown(box, moved_x / 2, moved_y / 2, self.size)

"""Everything one video tells: face tracks, identity numbers read off its frames (an ID
card held up to the camera), identifying metadata, a blurred thumbnail.

The video is decoded once (:mod:`notforsale.read.video`); on the sampled frames
(default: 5 a second plus every keyframe) CenterFace looks for faces at the
scanner's threshold, and the boxes are followed across frames
(:mod:`notforsale.vision.tracks`): a face is reported once per track — first
and last time, its best detection — not once per frame. Tracks seen on fewer
than two looks are dropped as flicker unless the video had fewer than three
looks.

Text: the OCR policy of photos (:func:`notforsale.vision.ocr_policy.decide`)
is asked about a sampled frame at most once every ``text_interval`` seconds; when
it says read, the frame is read by OCR (at most once every ``ocr_interval``
seconds, the interval doubling after each reading that finds nothing new; a card
whose text lines have not changed since a reading that found its number is read
again only around that number) and the numbers found are kept once per value (first
and last time seen, masked, fingerprinted). A clip whose faces fill the frame (a liveness
selfie) is not read unless its name says it is a document (手持, sfz, …),
as for photos.

A hook, ``frame_hook``, is called with every sampled frame (upright RGB at
most 640 pixels on the longer side, its time and faces) for signals computed
per frame, such as vPDQ frame hashes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..model import Finding
from ..read.images import Decoded
from ..read.video import (
    DecodedFrame,
    Sampler,
    VideoInfo,
    VideoLimits,
    VideoReader,
    metadata_findings,
)
from . import ocr_policy
from .analyze import OCR_MAX_SIDE, TextHit, blurred_thumbnail, read_text_hits
from .faces import DEFAULT_MAX_SIDE, DEFAULT_THRESHOLD, Face, shared_detector
from .ocr import Box
from .tracks import Track, Tracker

log = logging.getLogger(__name__)

#: Looks a track needs to be reported (fewer is detector flicker), when the video had
#: at least MIN_LOOKS + 1 looks.
MIN_LOOKS = 2


@dataclass(frozen=True, slots=True)
class SampledFrame:
    """What a per-frame hook gets: a sampled frame, upright, and the faces found on it."""

    index: int
    time: float
    keyframe: bool
    #: RGB, longer side at most 640 pixels; ``scale`` maps displayed pixels onto it.
    rgb: np.ndarray
    scale: float
    faces: tuple[Face, ...]


FrameHook = Callable[[SampledFrame], None]


@dataclass(frozen=True, slots=True)
class VideoOptions:
    """Settings of one video scan; every field has a documented default."""

    #: Sampled frames per second (on the timestamps' grid), plus every keyframe.
    rate: float = 5.0
    #: Look at every frame instead.
    every_frame: bool = False
    faces: bool = True
    face_threshold: float = DEFAULT_THRESHOLD
    ocr: str = "auto"  # auto | always | never
    #: Seconds between two questions to the OCR policy (each may run the text gate, ~30 ms).
    text_interval: float = 1.0
    #: Seconds between two OCR readings of frames (each costs a few hundred ms); doubled
    #: after each reading that finds nothing new (see :class:`FrameText`).
    ocr_interval: float = 2.0
    thumbnails: bool = False
    limits: VideoLimits = field(default_factory=VideoLimits)
    #: Decoder threads (1: the scan's own worker pool gives cores out).
    threads: int = 1
    frame_hook: FrameHook | None = field(default=None, compare=False)
    key: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class FaceTrack:
    """One face followed through the video: when it shows, its best detection."""

    id: int
    first: float  # seconds
    last: float
    first_frame: int
    last_frame: int
    best_time: float
    best_frame: int
    #: The best detection's box, in the displayed frame's pixels.
    box: Box
    score: float
    looks: int  # sampled frames it was found on

    @classmethod
    def of(cls, track: Track) -> FaceTrack:
        best = track.best
        return cls(track.id, round(track.first.time, 3), round(track.last.time, 3),
                   track.first.index, track.last.index, round(best.time, 3), best.index,
                   best.box, best.score, len(track.detections))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "first": self.first, "last": self.last,
                "first_frame": self.first_frame, "last_frame": self.last_frame,
                "best_time": self.best_time, "best_frame": self.best_frame,
                "box": list(self.box), "score": round(self.score, 3), "looks": self.looks}


@dataclass(frozen=True, slots=True)
class VideoTextHit:
    """An identity number read off the video's frames, once per value."""

    finding: Finding  # masked value and keyed fingerprint only
    first: float
    last: float
    frame: int  # where it was first read
    box: Box  # there, in the displayed frame's pixels
    readings: int  # OCR readings that found it

    def to_dict(self) -> dict[str, Any]:
        return {**self.finding.to_dict(), "first": self.first, "last": self.last,
                "frame": self.frame, "box": list(self.box), "readings": self.readings}


@dataclass(frozen=True, slots=True)
class VideoReport:
    """What one video shows. Values are masked; the thumbnail is blurred, faces filled."""

    path: str
    container: str
    codec: str
    size: tuple[int, int]  # displayed (width, height)
    rotation: int
    fps: float
    duration: float  # seconds, first to last frame decoded (or as declared)
    audio: bool
    frames: int  # decoded
    frames_sampled: int
    tracks: tuple[FaceTrack, ...] = ()
    text_hits: tuple[VideoTextHit, ...] = ()
    metadata: tuple[Finding, ...] = ()
    ocr_frames: int = 0
    ocr_reasons: tuple[str, ...] = ()
    #: Whether every frame was decoded; else ``problem`` says where and why it stopped.
    complete: bool = True
    problem: str = ""
    thumbnail: bytes | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        from ..text.mask import mask_path

        return {"path": mask_path(self.path), "container": self.container, "codec": self.codec,
                "size": list(self.size), "rotation": self.rotation, "fps": round(self.fps, 3),
                "duration": round(self.duration, 3), "audio": self.audio,
                "frames": self.frames, "frames_sampled": self.frames_sampled,
                "tracks": [t.to_dict() for t in self.tracks],
                "text_hits": [h.to_dict() for h in self.text_hits],
                "metadata": [f.to_dict() for f in self.metadata],
                "ocr_frames": self.ocr_frames, "ocr_reasons": list(self.ocr_reasons),
                "complete": self.complete, "problem": self.problem}


def detector_view(frame: DecodedFrame, max_side: int) -> Decoded:
    """A frame as the image detectors take it: upright RGB shrunk to ``max_side``."""
    rgb, scale = frame.rgb(max_side)
    height, width = rgb.shape[:2]
    size = (round(width / scale), round(height / scale))
    return Decoded(rgb, scale, size, {})


def line_shift(before: Sequence[Box], now: Sequence[Box]) -> tuple[int, int] | None:
    """How far the text lines ``before`` moved to be ``now``, when they are the same lines
    moved together (a card held a little higher); None when they are not.

    The same lines: as many, each of about the same length (within 12 % or 8 pixels) and
    height, each where the common shift (that of the lines' centre) puts it, within a
    line's height up or down and a tenth of its length (or 8 pixels) sideways.

    >>> line_shift([(10, 10, 110, 20), (10, 40, 60, 50)], [(22, 2, 122, 12), (22, 32, 72, 42)])
    (12, -8)
    >>> line_shift([(10, 10, 110, 20)], [(10, 10, 160, 20)]) is None  # a longer line
    True
    """
    if not before or len(before) != len(now):
        return None

    def centre(boxes: Sequence[Box]) -> tuple[float, float]:
        return (sum(b[0] + b[2] for b in boxes) / (2 * len(boxes)),
                sum(b[1] + b[3] for b in boxes) / (2 * len(boxes)))

    (ax, ay), (bx, by) = centre(before), centre(now)
    dx, dy = bx - ax, by - ay
    left = list(before)
    for box in now:
        width, height = box[2] - box[0], box[3] - box[1]
        cx, cy = (box[0] + box[2]) / 2 - dx, (box[1] + box[3]) / 2 - dy
        best = min(left, key=lambda b: abs((b[0] + b[2]) / 2 - cx) + abs((b[1] + b[3]) / 2 - cy))
        was_w, was_h = best[2] - best[0], best[3] - best[1]
        if abs(width - was_w) > max(8, 0.12 * was_w) or abs(height - was_h) > max(6, was_h / 2) \
                or abs((best[0] + best[2]) / 2 - cx) > max(8, 0.1 * was_w) \
                or abs((best[1] + best[3]) / 2 - cy) > max(6, was_h):
            return None
        left.remove(best)
    return round(dx), round(dy)


class FrameText:
    """Asks the OCR policy now and then, reads when it says so, keeps one hit per value.

    With ``backoff`` (scanning), a reading that finds no value not read before doubles the
    time to the next one (up to 16 s), and a new value brings it back to
    ``ocr_interval``: a card held up for the whole clip is read a few times, not every
    two seconds. And when the text gate's lines are those of the last reading that found
    numbers, moved together at most (:func:`line_shift`: the same card, held a little
    higher), only the part around those numbers is read again (a tenth of the cost): if
    every number read there before is read again, nothing else is read; if any is
    missing, or the whole text was last read ``MAX_INTERVAL`` seconds ago or more, the
    whole frame is read as usual. Redaction reads at a steady interval, the
    whole text every time (it needs every number's box).
    """

    MAX_INTERVAL = 16.0
    SPOT_REASON = "the text lines of the last reading: re-read where its numbers were"

    def __init__(self, mode: str, path: str, text_interval: float, ocr_interval: float,
                 backoff: bool = False) -> None:
        self.mode, self.path = mode, path
        self.text_interval, self.ocr_interval = text_interval, ocr_interval
        self.backoff = backoff
        self._wait = ocr_interval
        self._asked: float | None = None
        self._read: float | None = None
        self.readings = 0
        self.reasons: list[str] = []
        self.hits: dict[tuple[str, str], list[Any]] = {}
        #: The gate's lines at the last reading, and the numbers it read (displayed pixels).
        self._lines: tuple[Box, ...] = ()
        self._found: list[tuple[tuple[str, str], Box]] = []
        self._whole: float | None = None  # time of the last reading of the whole text

    def due(self, time: float) -> bool:
        if self.mode == "never":
            return False
        asked = self._asked is None or time - self._asked >= self.text_interval - 1e-6
        read = self._read is None or time - self._read >= self._wait - 1e-6
        return asked and read

    def look(self, frame: DecodedFrame, small: Decoded, faces: list[Face]) -> list[TextHit]:
        """The policy's answer for this frame, and the numbers read when it said read."""
        self._asked = frame.time
        # Scanning: a flat frame is read where the gate finds lines (redaction reads it all).
        decision = ocr_policy.decide(self.mode, self.path, small, faces, self.backoff)
        if not decision.run:
            return []
        self._read = frame.time
        self.readings += 1
        if decision.reason not in self.reasons:
            self.reasons.append(decision.reason)
        view = detector_view(frame, OCR_MAX_SIDE)
        recent = self._whole is not None and frame.time - self._whole < self.MAX_INTERVAL
        hits = self._spot_reading(view, decision.lines) if self.backoff and recent else None
        if hits is None:
            hits = read_text_hits(view, decision.region)
            self._whole = frame.time
        self._lines = decision.lines
        self._found = [((h.finding.type, h.finding.fingerprint), h.box) for h in hits]
        new = False
        for hit in hits:
            key = (hit.finding.type, hit.finding.fingerprint)
            if key in self.hits:
                entry = self.hits[key]
                entry[2] = frame.time
                entry[5] += 1
            else:
                new = True
                self.hits[key] = [hit.finding, frame.time, frame.time, frame.index, hit.box, 1]
        if self.backoff:
            self._wait = self.ocr_interval if new else min(self.MAX_INTERVAL, 2 * self._wait)
        return hits

    def _spot_reading(self, view: Decoded, lines: tuple[Box, ...]) -> list[TextHit] | None:
        """The numbers read again where the last reading found them, when the gate's lines
        are that reading's (moved together at most) and every one of them is read again;
        else None (read the whole text)."""
        shift = line_shift(self._lines, lines) if self._found else None
        if shift is None:
            return None
        dx, dy = shift
        boxes = [(b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy) for _, b in self._found]
        # Each number's whole line (its label too), grown by a line's height all round.
        parts = boxes + [line for line in lines if any(
            line[0] < b[2] and b[0] < line[2] and line[1] < b[3] and b[1] < line[3]
            for b in boxes)]
        grow = max(b[3] - b[1] for b in parts)
        width, height = view.size
        region = (max(0, min(b[0] for b in parts) - grow), max(0, min(b[1] for b in parts) - grow),
                  min(width, max(b[2] for b in parts) + grow),
                  min(height, max(b[3] for b in parts) + grow))
        hits = read_text_hits(view, region)
        if not {key for key, _ in self._found} <= {(h.finding.type, h.finding.fingerprint)
                                                    for h in hits}:
            return None
        if self.SPOT_REASON not in self.reasons:
            self.reasons.append(self.SPOT_REASON)
        return hits

    def result(self) -> tuple[VideoTextHit, ...]:
        return tuple(VideoTextHit(f, round(first, 3), round(last, 3), index, box, readings)
                     for f, first, last, index, box, readings in self.hits.values())


def scan_video(data: bytes, shown_path: str, options: VideoOptions | None = None
               ) -> VideoReport:
    """Face tracks, numbers and metadata of one video (raises VideoError when unreadable).

    ``shown_path`` names the video in the report and gives the OCR policy its name hint.
    A video that stops decoding part-way is reported with what was seen and
    ``complete=False``.
    """
    options = options or VideoOptions()
    detector = shared_detector() if options.faces else None
    sampler = Sampler(options.rate, every_frame=options.every_frame)
    tracker = Tracker()
    text = FrameText(options.ocr, shown_path, options.text_interval, options.ocr_interval,
                     backoff=True)
    sampled = 0
    best: tuple[float, Decoded, list[Face]] | None = None
    with VideoReader(data, options.limits, options.threads,
                     sampler=Sampler(options.rate, every_frame=options.every_frame)) as reader:
        info: VideoInfo = reader.info
        for frame in reader:
            if not sampler.take(frame.time, frame.keyframe):
                continue
            sampled += 1
            small = detector_view(frame, DEFAULT_MAX_SIDE)
            faces = detector.detect(small.rgb, small.scale, options.face_threshold) \
                if detector else []
            tracker.update(frame.index, frame.time, [(f.box, f.score) for f in faces])
            if text.due(frame.time):
                text.look(frame, small, faces)
            if options.thumbnails:
                weight = sum(f.score for f in faces)
                if best is None or weight > best[0]:
                    best = (weight, small, faces)
            if options.frame_hook is not None:
                options.frame_hook(SampledFrame(frame.index, frame.time, frame.keyframe,
                                                small.rgb, small.scale, tuple(faces)))
        frames, problem, last_time = reader.frames_decoded, reader.problem, reader.last_time
    tracks = tracker.tracks()
    if sampled > MIN_LOOKS:
        tracks = [t for t in tracks if len(t.detections) >= MIN_LOOKS]
    thumbnail = blurred_thumbnail(best[1], best[2]) if best is not None else None
    duration = last_time + (1 / info.fps if info.fps else 0.0) if frames else info.duration
    return VideoReport(
        shown_path, info.container, info.codec, (info.width, info.height), info.rotation,
        info.fps, round(duration, 3), info.audio, frames, sampled,
        tuple(FaceTrack.of(t) for t in tracks), text.result(),
        tuple(metadata_findings(info.tags, options.key)), text.readings, tuple(text.reasons),
        problem is None, problem or "", thumbnail)

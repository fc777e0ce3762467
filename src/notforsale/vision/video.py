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
seconds, the interval doubling after each reading that finds nothing new) and
the numbers found are kept once per value (first and last time
seen, masked, fingerprinted). A clip whose faces fill the frame (a liveness
selfie) is not read unless its name says it is a document (手持, sfz, …),
as for photos.

A hook, ``frame_hook``, is called with every sampled frame (upright RGB at
most 640 pixels on the longer side, its time and faces) for signals computed
per frame, such as vPDQ frame hashes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
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


class FrameText:
    """Asks the OCR policy now and then, reads when it says so, keeps one hit per value.

    With ``backoff`` (scanning), a reading that finds no value not read before doubles the
    time to the next one (up to 16 s), and a new value brings it back to
    ``ocr_interval``: a card held up for the whole clip is read a few times, not every
    two seconds. Redaction reads at a steady interval (it needs the numbers' boxes).
    """

    MAX_INTERVAL = 16.0

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

    def due(self, time: float) -> bool:
        if self.mode == "never":
            return False
        asked = self._asked is None or time - self._asked >= self.text_interval - 1e-6
        read = self._read is None or time - self._read >= self._wait - 1e-6
        return asked and read

    def look(self, frame: DecodedFrame, small: Decoded, faces: list[Face]) -> list[TextHit]:
        """The policy's answer for this frame, and the numbers read when it said read."""
        self._asked = frame.time
        decision = ocr_policy.decide(self.mode, self.path, small, faces)
        if not decision.run:
            return []
        self._read = frame.time
        self.readings += 1
        if decision.reason not in self.reasons:
            self.reasons.append(decision.reason)
        hits = read_text_hits(detector_view(frame, OCR_MAX_SIDE), decision.region)
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
    last_time = 0.0
    with VideoReader(data, options.limits, options.threads) as reader:
        info: VideoInfo = reader.info
        for frame in reader:
            last_time = frame.time
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
        frames, problem = reader.frames_decoded, reader.problem
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

"""Redact one video: faces covered on every frame, numbers read by OCR filled, audio
dropped (by default), metadata gone, re-encoded as VP9 — and check the result.

Two passes over the bytes, so no frame is ever held beyond the one being worked on:

1. **Look.** Every frame is decoded; on sampled frames (default 10 a second, plus
   keyframes) CenterFace looks for faces at the redaction threshold (0.2, as for
   photos; in a crowd the band of small faces is looked at again at 1280 pixels),
   and the boxes are tracked (:mod:`notforsale.vision.tracks`). The OCR policy of
   photos is asked twice a second; where it says read, the numbers' boxes are
   tracked too.
2. **Write.** Every frame is decoded again, turned upright (a display rotation is
   applied to the pixels, as photos' EXIF orientation is), each track's box for that
   frame — interpolated between looks, carried on at its speed before its first and
   after its last detection up to the second look that missed it (a face walking in is
   often missed, half in view, by the look just before) — covered with the photos' cover
   (:func:`notforsale.redact.images._cover`), numbers' boxes filled black, and the frame
   encoded with the timestamp it had. Only the video (and, with ``keep_audio``, the
   first audio stream, copied unchanged) is written: no container or stream tags,
   no subtitles, data streams (GPS tracks), chapters or attachments.

The codec is VP9 (libvpx, BSD licence) in the bundled FFmpeg: it plays in browsers
and fits MP4, WebM, Matroska and AVI. ``.mov`` files are written as MP4 (FFmpeg's
QuickTime muxer cannot hold VP9); QuickTime and browsers read them. libx264, also in
the wheel, is GPL and is not used.

:func:`verify_video` decodes the written video again at twice the redaction's rate,
offset by half a step so it looks at frames the redaction did not, and fails on any
face CenterFace sees there (at the scanner's threshold) that still shows detail —
a blurred head it re-finds on a covered box is counted apart, as for photos — and
on any number read, any identifying tag, audio that should be gone, or a frame or
timestamp that differs from the source.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
from PIL import Image, ImageDraw

from ..model import Finding
from ..read.video import (
    Sampler,
    VideoError,
    VideoInfo,
    VideoLimits,
    VideoReader,
    identifying_tags,
)
from ..vision.faces import DEFAULT_MAX_SIDE, DEFAULT_THRESHOLD, shared_detector
from ..vision.ocr import Box
from ..vision.tracks import CoverPlan, Tracker
from ..vision.video import FrameText, detector_view
from .images import (
    FACE_MODES,
    HIGH_RES_SIDE,
    REDACT_THRESHOLD,
    SMALL_FACE_PIXELS,
    _cover,
    _merge,
    _second_look,
    smooth,
)

log = logging.getLogger(__name__)

CODEC = "libvpx-vp9"
#: Output container by the file's suffix (``.mov`` as MP4: see the module docstring).
_FORMATS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mp4", ".webm": "webm", ".mkv": "matroska",
            ".avi": "avi"}
#: ... and by FFmpeg's demuxer, when the name has no known suffix.
_BY_DEMUXER = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "matroska", "avi": "avi"}
#: Timestamps of the copy may differ from the source's by container rounding (Matroska
#: keeps milliseconds).
TIME_TOLERANCE = 0.0015


@dataclass(frozen=True, slots=True)
class VideoRedactOptions:
    """Settings of one video redaction; every field has a documented default."""

    faces: str = "blur"  # blur | pixelate | fill
    ocr: str = "auto"  # auto | always | never
    threshold: float = REDACT_THRESHOLD
    #: Frames a second the detector looks at (plus keyframes); every frame is covered.
    rate: float = 10.0
    every_frame: bool = False
    #: Seconds between two questions to the OCR policy, and between two readings.
    text_interval: float = 0.5
    ocr_interval: float = 0.5
    keep_audio: bool = False
    #: VP9 constant quality (0-63, lower is better and larger).
    crf: int = 32
    threads: int = 1
    limits: VideoLimits = field(default_factory=VideoLimits)


@dataclass(frozen=True, slots=True)
class VideoChanges:
    """What redaction did to one video: counts, never values. ``plan``, ``text_plan`` and
    ``times`` are what :func:`verify_video` checks the copy against."""

    frames: int
    faces: int  # face tracks covered
    face_boxes: int  # boxes covered, summed over frames
    numbers: int  # number tracks filled
    looks: int  # frames the face detector looked at
    ocr_frames: int
    size: tuple[int, int]  # displayed, as written
    rotation_applied: int
    audio_dropped: bool
    audio_kept: bool
    metadata_removed: tuple[str, ...]  # names of identifying tags not copied
    streams_dropped: int
    codec: str
    container: str
    plan: CoverPlan = field(repr=False, compare=False)
    text_plan: CoverPlan = field(repr=False, compare=False)
    times: np.ndarray = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"frames": self.frames, "faces": self.faces, "face_boxes": self.face_boxes,
                "numbers": self.numbers, "looks": self.looks, "ocr_frames": self.ocr_frames,
                "size": list(self.size), "rotation_applied": self.rotation_applied,
                "audio_dropped": self.audio_dropped, "audio_kept": self.audio_kept,
                "metadata_removed": list(self.metadata_removed),
                "streams_dropped": self.streams_dropped, "codec": self.codec,
                "container": self.container}


def _output_format(shown_path: str, demuxer: str) -> str:
    name = shown_path.rsplit("!/", 1)[-1].lower()
    for suffix, fmt in _FORMATS.items():
        if name.endswith(suffix):
            return fmt
    return _BY_DEMUXER.get(demuxer, "mp4")


class _Looked(NamedTuple):
    """What pass 1 learnt of a video."""

    info: VideoInfo
    plan: CoverPlan  # faces
    text_plan: CoverPlan  # numbers
    looks: int
    readings: int
    times: list[float]
    frames: int


def _looks(data: bytes, shown_path: str, options: VideoRedactOptions) -> _Looked:
    """Pass 1: every frame decoded, faces and numbers looked for and tracked."""
    detector = shared_detector()
    sampler = Sampler(options.rate, every_frame=options.every_frame)
    faces, numbers = Tracker(), Tracker(min_iou=0.1, max_gap=max(2.0, 4 * options.ocr_interval))
    text = FrameText(options.ocr, shown_path, options.text_interval, options.ocr_interval)
    looks: list[int] = []
    readings: list[int] = []
    times: list[float] = []
    with VideoReader(data, options.limits, options.threads) as reader:
        info = reader.info
        for frame in reader:
            times.append(frame.time)
            if not sampler.take(frame.time, frame.keyframe):
                continue
            looks.append(frame.index)
            small = detector_view(frame, DEFAULT_MAX_SIDE)
            found = detector.detect(small.rgb, small.scale, options.threshold)
            tiny = [f for f in found if (f.box[3] - f.box[1]) * small.scale < SMALL_FACE_PIXELS]
            if tiny and max(info.width, info.height) > DEFAULT_MAX_SIDE:
                found = _merge(found, _second_look(detector_view(frame, HIGH_RES_SIDE), tiny,
                                                   options.threshold))
            faces.update(frame.index, frame.time, [(f.box, f.score) for f in found])
            if text.due(frame.time):
                before = text.readings
                hits = text.look(frame, small, found)
                if text.readings > before:
                    readings.append(frame.index)
                    numbers.update(frame.index, frame.time, [(h.box, 1.0) for h in hits])
        if reader.problem is not None:
            raise VideoError(f"cannot redact the video: {reader.problem}")
        frames = reader.frames_decoded
    size = (info.width, info.height)
    # Faces are carried on to the second look that missed them: a face entering the frame
    # is often missed, half in view, by the look just before its first detection.
    plan = CoverPlan(faces.tracks(), looks, reach=2, size=size, last_frame=frames - 1)
    text_plan = CoverPlan(numbers.tracks(), readings, hold=0.1, size=size,
                          last_frame=frames - 1)
    return _Looked(info, plan, text_plan, len(looks), len(readings), times, frames)


def redact_video(data: bytes, shown_path: str = "", options: VideoRedactOptions | None = None
                 ) -> tuple[bytes, VideoChanges]:
    """The redacted video's bytes and what changed (raises VideoError when the video cannot
    be read to its end, or its audio cannot be kept in its container)."""
    import av

    options = options or VideoRedactOptions()
    if options.faces not in FACE_MODES:
        raise ValueError(f"unknown face mode {options.faces!r}; choose one of "
                         f"{', '.join(FACE_MODES)}")
    info, plan, text_plan, looks, readings, times, frames = _looks(data, shown_path, options)
    fmt = _output_format(shown_path, info.container)
    out = io.BytesIO()
    container = av.open(out, "w", format=fmt)
    pending: list[Any] = []
    audio_out: list[Any] = []

    def audio_sink(packet: Any) -> None:
        if audio_out:
            packet.stream = audio_out[0]
            container.mux(packet)
        else:
            pending.append(packet)

    face_boxes = 0
    try:
        with VideoReader(data, options.limits, options.threads,
                         audio_sink if options.keep_audio else None) as reader:
            source = reader.stream
            rate: Fraction = source.average_rate or source.guessed_rate or Fraction(25)
            stream: Any = container.add_stream(CODEC, rate=rate, options={
                "deadline": "realtime", "cpu-used": "8", "crf": str(options.crf), "b": "0"})
            stream.width, stream.height = info.width, info.height
            stream.pix_fmt = "yuv420p"
            stream.time_base = source.time_base
            stream.codec_context.time_base = source.time_base
            stream.codec_context.thread_count = max(1, options.threads)
            if options.keep_audio and reader.audio is not None:
                try:
                    audio_out.append(container.add_stream_from_template(reader.audio))
                except (av.FFmpegError, ValueError) as error:
                    raise VideoError(f"the audio ({reader.audio.codec_context.name}) cannot be "
                                     f"kept in {fmt} ({type(error).__name__})") from None
                for packet in pending:
                    audio_sink(packet)
                pending.clear()
            last_pts = None
            for frame in reader:
                rgb, _ = frame.rgb()
                image = Image.fromarray(rgb)
                boxes = plan.boxes_at(frame.index)
                for box in boxes:
                    _cover(image, box, options.faces)
                face_boxes += len(boxes)
                draw = ImageDraw.Draw(image)
                for x0, y0, x1, y1 in text_plan.boxes_at(frame.index):
                    # A card held up moves between readings: grow by a character each side.
                    grow = max(2, y1 - y0)
                    draw.rectangle((x0 - grow, y0 - grow // 2, x1 + grow, y1 + grow // 2),
                                   fill=(0, 0, 0))
                written = av.VideoFrame.from_image(image)
                pts = frame.frame.pts
                if pts is None or (last_pts is not None and pts <= last_pts):
                    pts = 0 if last_pts is None else last_pts + 1
                written.pts, written.time_base, last_pts = pts, source.time_base, pts
                for packet in stream.encode(written):
                    container.mux(packet)
            if reader.problem is not None:
                raise VideoError(f"cannot redact the video: {reader.problem}")
            for packet in stream.encode():
                container.mux(packet)
    except av.FFmpegError as error:
        raise VideoError(f"the redacted video could not be written ({type(error).__name__}: "
                         f"{error})") from None
    finally:
        container.close()
    changes = VideoChanges(
        frames, len(plan.tracks), face_boxes, len(text_plan.tracks), looks, readings,
        (info.width, info.height), info.rotation, info.audio and not options.keep_audio,
        info.audio and options.keep_audio, tuple(identifying_tags(info.tags)),
        info.other_streams, "vp9", fmt, plan, text_plan, np.asarray(times))
    return out.getvalue(), changes


@dataclass(frozen=True, slots=True)
class LeftFace:
    """A face the check found on the copy with detail: where and when."""

    frame: int
    time: float
    box: Box
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"frame": self.frame, "time": round(self.time, 3), "box": list(self.box),
                "score": round(self.score, 3)}


@dataclass(frozen=True, slots=True)
class VideoVerification:
    """What the check of a redacted video found. ``passed`` only when nothing was left."""

    frames: int
    frames_checked: int
    faces_left: tuple[LeftFace, ...] = ()
    #: Faces CenterFace saw on covered boxes that show no detail (blurred heads).
    covered_seen_again: int = 0
    numbers_left: tuple[Finding, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not (self.faces_left or self.numbers_left or self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "frames": self.frames,
                "frames_checked": self.frames_checked,
                "faces_left": [f.to_dict() for f in self.faces_left],
                "covered_seen_again": self.covered_seen_again,
                "numbers_left": [f.to_dict() for f in self.numbers_left],
                "problems": list(self.problems)}


def verify_video(data: bytes, changes: VideoChanges, options: VideoRedactOptions | None = None,
                 shown_path: str = "") -> VideoVerification:
    """Check a redacted video against what its redaction said it did (module docstring)."""
    from .tree import _on_hidden  # the photos' "on a covered region" rule

    options = options or VideoRedactOptions()
    detector = shared_detector()
    sampler = Sampler(2 * options.rate, every_frame=options.every_frame, phase=0.5)
    text = FrameText("always" if options.ocr == "always" else "auto", shown_path,
                     options.text_interval, options.ocr_interval)
    problems: list[str] = []
    left: list[LeftFace] = []
    seen_again = checked = 0
    numbers: dict[str, Finding] = {}
    times: list[float] = []
    try:
        reader = VideoReader(data, options.limits, options.threads)
    except VideoError as error:
        return VideoVerification(0, 0, problems=(f"the copy cannot be read: {error}",))
    with reader:
        info = reader.info
        if (info.width, info.height) != changes.size or info.rotation:
            problems.append(f"shown as {info.width}x{info.height} turned {info.rotation}°, "
                            f"not {changes.size[0]}x{changes.size[1]} upright")
        if info.audio != changes.audio_kept:
            problems.append("audio is there" if info.audio else "the kept audio is missing")
        if info.other_streams:
            problems.append(f"{info.other_streams} stream(s) besides video and audio")
        tags = identifying_tags(info.tags)
        if tags:
            problems.append("identifying tags: " + ", ".join(tags))
        for frame in reader:
            times.append(frame.time)
            if not sampler.take(frame.time, False):
                continue
            checked += 1
            small = detector_view(frame, DEFAULT_MAX_SIDE)
            found = detector.detect(small.rgb, small.scale, DEFAULT_THRESHOLD)
            covered = changes.plan.boxes_at(frame.index)
            for face in found:
                if smooth(small, face.box) and _on_hidden(face.box, tuple(covered)):
                    seen_again += 1
                else:
                    left.append(LeftFace(frame.index, frame.time, face.box, face.score))
            if text.due(frame.time):
                for hit in text.look(frame, small, found):
                    numbers.setdefault(hit.finding.fingerprint, hit.finding)
        if reader.problem is not None:
            problems.append(f"the copy does not decode to its end: {reader.problem}")
        frames = reader.frames_decoded
    if frames != changes.frames:
        problems.append(f"{frames} frames written for {changes.frames}")
    elif frames and float(np.max(np.abs(np.asarray(times) - changes.times))) > TIME_TOLERANCE:
        problems.append("frame timestamps differ from the source's")
    return VideoVerification(frames, checked, tuple(left), seen_again, tuple(numbers.values()),
                             tuple(problems))

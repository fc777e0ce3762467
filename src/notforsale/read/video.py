"""Read videos (mp4, mov, m4v, webm, mkv, avi) from bytes with PyAV, one frame at a time.

PyAV's wheel bundles FFmpeg, so nothing but the wheel is installed. A video is
decoded from memory (archive members arrive as bytes) and never held whole as
pixels: :class:`VideoReader` yields one decoded frame after another, each
dropped before the next is decoded. Which frames the detectors look at is the
:class:`Sampler`'s call — by default 5 frames a second on a grid of the frames'
own timestamps, plus every keyframe (scene cuts start there) — while every
frame is still decoded, because inter-coded frames need their predecessors.

Given the scan's :class:`Sampler`, the reader does not rebuild the pixels of frames
that are neither looked at nor needed by others: an H.264/HEVC frame no other frame
refers to (most B-frames) whose time falls in a sampling slot that an earlier frame
already holds is skipped by the decoder (FFmpeg's ``skip_frame``), and counted. The
frames looked at are the same, pixel for pixel; clips with B-frames decode in about
two thirds of the time (phone encoders rarely make B-frames: nothing to skip there).

Rotation: phones store portrait clips sideways with a display matrix saying
how to turn them. :meth:`DecodedFrame.rgb` turns the pixels upright (flips in
the matrix are not applied), so the detectors see faces the right way up and
boxes are in the displayed picture's pixels.

Limits (:class:`VideoLimits`) refuse frames over 40 megapixels, more than four
hours or more than a million frames, so a small hostile file cannot make the
scan decode for ever; the byte size of a member is bounded by
:class:`notforsale.read.limits.Limits` before it gets here.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..fingerprint import fingerprint
from ..model import Explanation, Finding

log = logging.getLogger(__name__)

#: Codecs whose decoder honours ``skip_frame`` packet by packet and gives frames their
#: packets' pts (what frame skipping needs to count the frames it skips).
_SKIPPABLE = frozenset({"h264", "hevc"})
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi"})
#: ISO base media brands of still images (HEIF, AVIF), not videos.
_IMAGE_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis")


class VideoError(ValueError):
    """The bytes are not a readable video, or the video is over a limit."""


@dataclass(frozen=True, slots=True)
class VideoLimits:
    """Limits for one video (the member's byte size is bounded before, by ``Limits``)."""

    #: Largest frame (width x height) decoded; 8K is 33 megapixels.
    max_frame_pixels: int = 40_000_000
    #: Longest video read, in seconds (declared by the container, or counted).
    max_seconds: float = 4 * 3600.0
    #: Most frames decoded from one video.
    max_frames: int = 1_000_000


def looks_like_video(head: bytes) -> bool:
    """Whether the first bytes are those of an MP4/MOV, Matroska/WebM or AVI file.

    >>> looks_like_video(b"\\x00\\x00\\x00\\x20ftypisom\\x00\\x00\\x02\\x00")
    True
    >>> looks_like_video(b"\\x00\\x00\\x00\\x1cftypheic")  # a HEIF photo
    False
    >>> looks_like_video(b"\\x1aE\\xdf\\xa3\\x01")  # Matroska, WebM
    True
    """
    if head[4:8] == b"ftyp":
        return head[8:12] not in _IMAGE_BRANDS
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):  # QuickTime without ftyp
        return True
    if head.startswith((b"FLV\x01", b"\x00\x00\x01\xba",  # Flash video, MPEG program stream
                        b"\x30\x26\xb2\x75\x8e\x66\xcf\x11")):  # ASF (.wmv)
        return True
    if len(head) >= 377 and head[0] == head[188] == head[376] == 0x47:
        return True  # an MPEG transport stream (.ts, .m2ts): a sync byte every 188 bytes
    return head.startswith(b"\x1a\x45\xdf\xa3") or (head[:4] == b"RIFF" and head[8:12] == b"AVI ")


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What the container says about a video (sizes as displayed, after rotation)."""

    container: str
    codec: str
    width: int
    height: int
    #: Counter-clockwise degrees the stored frames are turned to be shown (0, 90, 180, -90).
    rotation: int
    fps: float
    #: Seconds, as declared (0.0 when the container does not say).
    duration: float
    audio: bool
    #: Streams other than the first video and its audio: subtitles, data (GPS tracks), more
    #: video, attachments.
    other_streams: int
    #: The container's and the video stream's tags (may hold a position, a date, a device):
    #: never shown as they are; see :func:`metadata_findings`.
    tags: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(slots=True)
class DecodedFrame:
    """One decoded frame: its place, its time (seconds from the first frame), the frame."""

    index: int
    time: float
    keyframe: bool
    frame: Any  # av.VideoFrame
    rotation: int
    #: The reader's scaler (an ``av`` VideoReformatter), reused from frame to frame.
    reformatter: Any = field(default=None, repr=False, compare=False)

    def rgb(self, max_side: int | None = None) -> tuple[np.ndarray, float]:
        """The frame upright as RGB, its longer side at most ``max_side``, and the scale
        (pixels of the returned array per pixel of the displayed frame)."""
        frame = self.frame
        width, height = frame.width, frame.height
        factor = 1.0 if not max_side else min(1.0, max_side / max(width, height))
        if factor < 1.0:
            out_w, out_h = max(2, round(width * factor)), max(2, round(height * factor))
            size = {"width": out_w, "height": out_h, "format": "rgb24",
                    "interpolation": "BILINEAR"}
            scaled = self.reformatter.reformat(frame, **size) if self.reformatter is not None \
                else frame.reformat(**size)
            array = scaled.to_ndarray()
            factor = out_w / width
        else:
            array = frame.to_ndarray(format="rgb24")
        turns = (self.rotation // 90) % 4
        if turns:  # counter-clockwise, as np.rot90; OpenCV's copy is ~5x faster
            import cv2

            array = cv2.rotate(array, (cv2.ROTATE_90_COUNTERCLOCKWISE, cv2.ROTATE_180,
                                       cv2.ROTATE_90_CLOCKWISE)[turns - 1])
        return array, factor


class Sampler:
    """Which frames to look at: the first frame in each ``1 / rate`` seconds of the
    timestamps (offset by ``phase`` of a step), every keyframe, or every frame."""

    def __init__(self, rate: float, *, every_frame: bool = False, keyframes: bool = True,
                 phase: float = 0.0) -> None:
        if not every_frame and not rate > 0:
            raise ValueError(f"the sampling rate must be positive, not {rate!r}")
        self.rate, self.every_frame, self.keyframes, self.phase = rate, every_frame, keyframes, \
            phase
        self._last_slot: int | None = None

    def slot(self, time: float) -> int:
        """The sampling slot a time falls in (the first frame of each is looked at)."""
        return math.floor(time * self.rate + 1e-6 - self.phase)

    def take(self, time: float, keyframe: bool) -> bool:
        if self.every_frame:
            return True
        slot = self.slot(time)
        if self._last_slot is None or slot > self._last_slot:
            self._last_slot = slot
            return True
        return self.keyframes and keyframe


def _normal_rotation(degrees: float) -> int:
    """A display rotation snapped to a quarter turn, in (-180, 180].

    >>> _normal_rotation(-90.0), _normal_rotation(270), _normal_rotation(-180), _normal_rotation(1)
    (-90, -90, 180, 0)
    """
    quarter = round(degrees / 90) % 4
    return {0: 0, 1: 90, 2: 180, 3: -90}[quarter]


class VideoReader:
    """A video in memory, opened: :attr:`info`, then its frames in order by iterating.

    Iterating decodes every frame once (and hands the audio's packets to ``audio_sink``,
    when given); a decoding error ends the iteration early and is
    kept in :attr:`problem` (with :attr:`complete` False), so callers can say what they
    did not see. Limits over which nothing is decoded raise :class:`VideoError` at once.
    """

    def __init__(self, data: bytes, limits: VideoLimits | None = None, threads: int = 1,
                 audio_sink: Callable[[Any], None] | None = None,
                 sampler: Sampler | None = None) -> None:
        import av
        from av.video.reformatter import VideoReformatter

        self.limits = limits or VideoLimits()
        #: With a sampler, frames it cannot take and no other frame needs are skipped by
        #: the decoder (see the module's notes); they are counted, never yielded.
        self.sampler = sampler
        self.frames_skipped = 0
        self._yielded = 0
        #: Seconds from the first frame to the last one counted (yielded or skipped).
        self.last_time = 0.0
        self._reformatter = VideoReformatter()
        #: Called with every packet of the first audio stream while frames are decoded (to
        #: copy the audio into a redacted video); None: audio packets are not read at all.
        self.audio_sink = audio_sink
        #: Why decoding stopped before the end (None: every frame was decoded).
        self.problem: str | None = None
        try:
            self._container = av.open(io.BytesIO(data), mode="r")
        except (av.FFmpegError, ValueError, OSError) as error:
            raise VideoError(f"unreadable video ({type(error).__name__})") from None
        container = self._container
        if not container.streams.video:
            container.close()
            raise VideoError("no video stream in the file")
        self.stream: Any = container.streams.video[0]
        stream = self.stream
        stream.codec_context.thread_count = max(1, threads)
        stream.thread_type = "AUTO" if threads > 1 else "SLICE"
        # Skipping is decided packet by packet: only with one decoding thread (frame threads
        # decode later than they are given), for codecs whose frames carry the packets' pts.
        self._skipping = sampler is not None and not sampler.every_frame and threads <= 1 \
            and stream.codec_context.name in _SKIPPABLE
        self.audio = container.streams.audio[0] if container.streams.audio else None
        width, height = stream.codec_context.width, stream.codec_context.height
        if width * height > self.limits.max_frame_pixels:
            container.close()
            raise VideoError(f"frames of {width}x{height} pixels are over the limit of "
                             f"{self.limits.max_frame_pixels} pixels")
        duration = float(container.duration / 1_000_000) if container.duration else 0.0
        if stream.duration and stream.time_base:
            duration = max(duration, float(stream.duration * stream.time_base))
        if duration > self.limits.max_seconds:
            container.close()
            raise VideoError(f"video of {duration:.0f} s is over the limit of "
                             f"{self.limits.max_seconds:.0f} s")
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        self._fps = float(rate) if rate else 0.0
        # What the container says of the video itself, to notice a file cut short.
        self._declared_frames = int(stream.frames or 0)
        self._declared_seconds = float(stream.duration * stream.time_base) \
            if stream.duration and stream.time_base else \
            (duration if self.audio is None else 0.0)
        tags = {str(k): str(v) for k, v in {**container.metadata, **stream.metadata}.items()}
        others = len(container.streams) - 1 - (1 if self.audio is not None else 0)
        self._tags = tags
        self._others = others
        self._first: DecodedFrame | None = None
        self._frames = self._decode()
        # The display matrix travels with the frames: decode the first one now.
        try:
            self._first = next(self._frames)
        except StopIteration:
            self._first = None
        rotation = self._first.rotation if self._first else 0
        shown = (height, width) if rotation in (90, -90) else (width, height)
        self.info = VideoInfo(container.format.name, stream.codec_context.name, shown[0],
                              shown[1], rotation, self._fps, duration, self.audio is not None,
                              others, tags)
        if self._first is None and self.problem is None:
            self.problem = "no frame could be decoded"

    @property
    def frames_decoded(self) -> int:
        """Frames read so far: yielded, and skipped as no look needed them."""
        return self._yielded + self.frames_skipped

    @property
    def complete(self) -> bool:
        """Whether every frame was decoded (meaningful once iterated)."""
        return self.problem is None

    def _decode(self) -> Iterator[DecodedFrame]:
        import av

        stream = self.stream
        first_time: float | None = None
        rotation = 0
        index = 0
        fps = self._fps or 25.0
        last = 0.0
        codec = stream.codec_context
        #: pts of the video packets given to the decoder whose frame is not out yet -> the
        #: time of those it was told to skip (None: not skipped).
        pending: dict[int, float | None] = {}
        #: The earliest time known (from packets) in each recent sampling slot.
        slot_first: dict[int, float] = {}
        try:
            audio = [self.audio] if self.audio is not None and self.audio_sink else []
            for packet in self._container.demux(stream, *audio):
                if packet.stream is not stream:
                    if self.audio_sink is not None and packet.dts is not None:
                        self.audio_sink(packet)
                    continue
                if self._skipping and packet.pts is not None:
                    skip = self._skippable(packet, first_time, slot_first)
                    pending[packet.pts] = skip
                    codec.skip_frame = "DEFAULT" if skip is None else "NONREF"
                decoded: list[Any] = packet.decode()  # video frames (the stream is video)
                for frame in decoded:
                    if self._skipping and (frame.pts is None or frame.pts not in pending):
                        # Frames not carrying their packets' pts: skipped frames could not
                        # be placed; decode every frame from here on.
                        self._skipping = False
                        codec.skip_frame = "DEFAULT"
                    if pending and frame.pts is not None:
                        pending.pop(frame.pts, None)
                        for pts in sorted(p for p in pending if p < frame.pts):
                            skipped = pending.pop(pts)
                            if skipped is not None:  # a frame before this one, not rebuilt
                                index += 1
                                self.frames_skipped += 1
                                last = self.last_time = skipped
                    if index == 0:
                        rotation = _normal_rotation(frame.rotation or 0)
                    if frame.width * frame.height > self.limits.max_frame_pixels:
                        self.problem = (f"a frame of {frame.width}x{frame.height} pixels is "
                                        f"over the limit at frame {index}")
                        return
                    seconds = float(frame.time) if frame.time is not None else index / fps
                    if first_time is None:
                        first_time = seconds
                    if index >= self.limits.max_frames or \
                            seconds - first_time > self.limits.max_seconds:
                        self.problem = f"stopped at the frame limit ({index} frames, " \
                                       f"{seconds - first_time:.0f} s)"
                        return
                    last = self.last_time = seconds - first_time
                    yield DecodedFrame(index, seconds - first_time, bool(frame.key_frame),
                                       frame, rotation, self._reformatter)
                    index += 1
            for skipped in sorted(t for t in pending.values() if t is not None):
                index += 1
                self.frames_skipped += 1
                last = self.last_time = max(last, skipped)
        except (av.FFmpegError, ValueError, OSError) as error:
            self.problem = f"decoding stopped at frame {index} ({type(error).__name__})"
            log.info("video decoding stopped at frame %d: %s", index, type(error).__name__)
            return
        self.problem = self._short(index, last if index else 0.0)

    def _skippable(self, packet: Any, first_time: float | None,
                   slot_first: dict[int, float]) -> float | None:
        """The packet's time when its frame need not be rebuilt: the sampler cannot take
        it (an earlier frame of its slot is known, and it is no keyframe) and, if no
        other frame refers to it, the decoder may drop it. None: decode it."""
        if first_time is None or self.sampler is None or not self.stream.time_base:
            return None  # times are counted from the first frame out
        time = float(packet.pts * self.stream.time_base) - first_time
        slot = self.sampler.slot(time)
        known = slot_first.get(slot)
        if known is None or time < known:
            slot_first[slot] = time
            if len(slot_first) > 64:
                del slot_first[min(slot_first)]
        if packet.is_keyframe or known is None or known >= time - 1e-9:
            return None
        return time

    def _short(self, frames: int, last: float) -> str | None:
        """Why the frames decoded fall short of what the container declares, if they do.

        Edit lists and B-frame delays make honest files differ from their declared counts
        by a frame or two: more than 2 % (and two frames) short is a file cut short.
        """
        if self._declared_frames and frames < 0.98 * self._declared_frames - 2:
            return f"{frames} frames decoded of the {self._declared_frames} declared (cut short?)"
        step = 1 / self._fps if self._fps else 0.04
        if self._declared_seconds and \
                last + 2 * step < 0.98 * self._declared_seconds - 0.05:
            return (f"frames end at {last:.2f} s of the {self._declared_seconds:.2f} s "
                    "declared (cut short?)")
        return None

    def __iter__(self) -> Iterator[DecodedFrame]:
        if self._first is not None:
            first, self._first = self._first, None
            self._yielded = 1
            yield first
        for frame in self._frames:
            self._yielded += 1
            yield frame

    def close(self) -> None:
        self._container.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


# -- metadata --------------------------------------------------------------------------

_LOCATION_TAGS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")
_DATE_TAGS = ("com.apple.quicktime.creationdate", "creation_time", "date")
_DEVICE_TAGS = ("com.apple.quicktime.make", "com.apple.quicktime.model", "make", "model",
                "com.android.manufacturer", "com.android.model")


def _iso6709(value: str) -> tuple[float, float] | None:
    """Latitude and longitude of an ISO 6709 string such as ``+31.2304+121.4737/``.

    >>> _iso6709("+31.2304+121.4737+010.000/")
    (31.2304, 121.4737)
    >>> _iso6709("nowhere") is None
    True
    """
    import re

    match = re.match(r"\s*([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)", value)
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if abs(lat) > 90 or abs(lon) > 180 or (lat == 0 and lon == 0):
        return None
    return lat, lon


#: Tags a muxer writes (no one's words): not read for numbers.
_TECHNICAL_TAGS = frozenset({"encoder", "major_brand", "minor_version", "compatible_brands",
                             "handler_name", "vendor_id", "language", "duration",
                             "timecode", "rotate"})


def metadata_findings(tags: dict[str, str], key: bytes | None = None) -> list[Finding]:
    """Findings for a video's identifying tags: the capture position (``EXIF_GPS``, masked
    to one decimal) and date (``EXIF_DATETIME``, masked to the day), as for photos; and the
    numbers written in its other tags (title, comment, description…)."""
    from ..text.engine import scan_text
    from ..text.normalize import digit_count

    found = []
    for tag, value in sorted(tags.items()):
        if tag in _LOCATION_TAGS or tag in _DATE_TAGS or tag.lower() in _TECHNICAL_TAGS or \
                (digit_count(value) < 7 and "@" not in value):
            continue
        found.extend(scan_text(value, key=key))
    for tag in _LOCATION_TAGS:
        position = _iso6709(tags.get(tag, ""))
        if position:
            lat, lon = position
            found.append(Finding("EXIF_GPS", 0, 0, 1.0, f"{lat:.1f}°, {lon:.1f}° (±10 km)",
                                 fingerprint("EXIF_GPS", f"{lat:.5f},{lon:.5f}", key),
                                 "video-metadata", Explanation(f"video tag {tag}")))
            break
    for tag in _DATE_TAGS:
        value = tags.get(tag, "").strip()
        if len(value) >= 10 and value[:4].isdigit() and not value.startswith("1970"):
            found.append(Finding("EXIF_DATETIME", 0, 0, 1.0, value[:10],
                                 fingerprint("EXIF_DATETIME", value, key), "video-metadata",
                                 Explanation(f"video tag {tag}")))
            break
    return found


def identifying_tags(tags: dict[str, str]) -> list[str]:
    """The names of tags that say where, when or with what device a video was made."""
    names = set(_LOCATION_TAGS + _DATE_TAGS + _DEVICE_TAGS)
    return sorted(tag for tag in tags if tag in names or tag.startswith("com.apple.quicktime."))

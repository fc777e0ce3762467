"""vPDQ for videos: PDQ of one frame a second, and ThreatExchange's way of matching them.

A listed clip's hashes (:func:`hash_video`) are the PDQ hashes of the first frame of each
quarter second of its timestamps (decoded by PyAV, turned upright by the display rotation,
at full size), with each frame's number and time; a queried clip is hashed once a second
(:func:`query_video`). vPDQ (ThreatExchange's ``vpdq``) treats a clip as a bag of frame
hashes: two clips are compared by the share of each one's distinct frames of quality 50 or
more that have a frame of the other within 31 bits. PDQ does not survive a shift of a few
per cent of the picture, so in a clip that pans, frames half a second apart share nothing:
listing four frames a second lets a copy sampled at other instants (trimmed, or re-timed)
still find each of its frames within an eighth of a second. The listed clip's share is
counted in seconds (a second matches when any of its frames does).
ThreatExchange's defaults ask for 80 % of the *listed* clip; notforsale also confirms a
copy when 80 % of the *queried* clip's frames (at least :data:`MIN_FRAMES` of them) are the
listed clip's — a trimmed re-upload covers only part of the listed clip, and sellers trim.
The frames of a query are compared as they are and under the other seven turns and mirrors
(the best count wins), as photos are: a clip re-encoded without its display rotation is
stored sideways.

The hashes are computed here with ``pdqhash`` on PyAV's frames, not with Meta's C++
``vpdq`` (whose Python binding builds against system FFmpeg libraries); the format of a
frame (frame number, quality, hash, time) is vPDQ's, but the hashes were not compared
bit for bit with the C++ reference's.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from ..read.video import Sampler, VideoError, VideoLimits, VideoReader
from .hashing import ImageHash, pdq_dihedral
from .signals import PDQ, QUALITY_THRESHOLD, VPDQ

#: Frames hashed per second of a listed clip, and of a queried one (vPDQ's usual rate).
LIST_RATE = 4.0
QUERY_RATE = 1.0
#: Share of frames matched that confirms a match, of either clip (ThreatExchange's 80 %).
MATCH_SHARE = 0.8
#: Frames that must match when the share is of the queried clip (a short trimmed copy).
MIN_FRAMES = 3


@dataclass(frozen=True, slots=True)
class HashedVideo:
    """A clip's hashes: the sharpest frame's ``pdq`` first, then a ``vpdq`` a second."""

    hashes: tuple[ImageHash, ...]
    #: Whether every frame was decoded; else ``problem`` says where decoding stopped.
    complete: bool = True
    problem: str | None = None

    @property
    def frames(self) -> tuple[ImageHash, ...]:
        return tuple(h for h in self.hashes if h.kind == VPDQ.name)


@dataclass(frozen=True, slots=True)
class VideoQuery:
    """A clip's frame hashes under the eight turns and mirrors (pdqhash's dihedral order:
    as they are first), for :meth:`Matcher.match`."""

    variants: tuple[tuple[bytes, ...], ...]  # per variant, one hash a frame
    qualities: tuple[int, ...]
    complete: bool = True
    problem: str | None = None

    def usable(self, variant: int = 0) -> list[bytes]:
        """Distinct frame hashes of quality 50 or more (vPDQ's filter and dedupe)."""
        return list(dict.fromkeys(code for code, quality in zip(self.variants[variant],
                                                                self.qualities, strict=True)
                                  if quality >= QUALITY_THRESHOLD))


def _frames(data: bytes, limits: VideoLimits | None, rate: float
            ) -> tuple[list[tuple[int, float, list[bytes], int]], bool, str | None]:
    """(frame number, time, dihedral hashes, quality) of ``rate`` frames a second."""
    out = []
    sampler = Sampler(rate, keyframes=False)
    with VideoReader(data, limits) as reader:
        for decoded in reader:
            if not sampler.take(decoded.time, decoded.keyframe):
                continue
            rgb, _ = decoded.rgb()
            variants, quality = pdq_dihedral(rgb)
            out.append((decoded.index, decoded.time, variants, quality))
        if not out:
            raise VideoError(reader.problem or "no frame could be decoded")
        return out, reader.complete, reader.problem


def hash_video(data: bytes, limits: VideoLimits | None = None) -> HashedVideo:
    """The hashes of a clip's bytes for a list (:class:`~notforsale.read.video.VideoError`
    when it cannot be opened or holds no frame)."""
    frames, complete, problem = _frames(data, limits, LIST_RATE)
    hashes = [ImageHash(VPDQ.name, variants[0], quality, index, time)
              for index, time, variants, quality in frames]
    sharpest = max(hashes, key=lambda h: h.quality or 0)
    return HashedVideo((ImageHash(PDQ.name, sharpest.hash, sharpest.quality), *hashes),
                       complete, problem)


def query_video(data: bytes, limits: VideoLimits | None = None) -> VideoQuery:
    """The query of a clip's bytes: its frame hashes, as they are and mirrored."""
    frames, complete, problem = _frames(data, limits, QUERY_RATE)
    return VideoQuery(tuple(tuple(variants[turn] for _, _, variants, _ in frames)
                            for turn in range(8)),
                      tuple(quality for _, _, _, quality in frames), complete, problem)


@dataclass(frozen=True, slots=True)
class Shares:
    """How much of two clips matched: the listed clip's seconds and the query's distinct
    frames with a match, of how many."""

    listed: int
    listed_of: int
    query: int
    query_of: int
    distance: int  # median distance of the query's matched frames

    @property
    def confirmed(self) -> bool:
        return (self.listed >= MATCH_SHARE * self.listed_of > 0) or \
            (self.query >= max(MIN_FRAMES, MATCH_SHARE * self.query_of) and self.query_of > 0)

    def describe(self) -> str:
        return (f"{self.listed} of the listed clip's {self.listed_of} seconds, "
                f"{self.query} of this clip's {self.query_of} frames")


def shares(pairs: list[tuple[int, int, int]], listed_of: int, query_of: int) -> Shares:
    """The shares from (query frame, listed second, distance) pairs within the threshold."""
    nearest: dict[int, int] = {}
    for query, _, gap in pairs:
        nearest[query] = min(gap, nearest.get(query, gap))
    if not nearest:
        return Shares(0, listed_of, 0, query_of, 0)
    return Shares(len({second for _, second, _ in pairs}), listed_of, len(nearest), query_of,
                  int(statistics.median(nearest.values())))

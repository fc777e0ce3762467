"""Hash a pack into a list, and trace a pack against lists: the library behind the CLI.

Inputs are read with :class:`~notforsale.read.walk.Walker` (folders, nested
archives, limits). Every member ends as hashed (an image by PDQ, a video by vPDQ:
:mod:`.video`), skipped (neither) or an error record; paths shown are masked
(:func:`~notforsale.text.mask.mask_path`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..read.images import IMAGE_SUFFIXES, ImageError, looks_like_image
from ..read.limits import Limits
from ..read.video import VIDEO_SUFFIXES, VideoError, looks_like_video
from ..read.walk import Member, MemberError, Walker
from ..text.mask import mask_path
from .hashing import hash_bytes
from .hashlist import HashEntry, HashList, safe_label
from .matcher import Match, Matcher, query_bytes
from .video import hash_video, query_video

#: The keyed fingerprint of a path is of this "type" (kept apart from identity values).
PATH_REF = "PACK_PATH"


@dataclass(frozen=True, slots=True)
class Problem:
    """A member that was not hashed: ``path`` is masked."""

    path: str
    message: str


@dataclass(frozen=True, slots=True)
class PackHashes:
    hash_list: HashList
    errors: tuple[Problem, ...] = ()
    skipped: tuple[Problem, ...] = ()   # members that are not images


def _is_image(member: Member) -> bool:
    return member.suffix in IMAGE_SUFFIXES or looks_like_image(member.data[:16])


def _is_video(member: Member) -> bool:
    return member.suffix in VIDEO_SUFFIXES or looks_like_video(member.data[:16])


def _members(paths: Iterable[str | Path], limits: Limits | None,
             problems: list[Problem], skipped: list[Problem]) -> Iterator[Member]:
    walker = Walker(limits)
    for path in paths:
        for item in walker.walk(path):
            if isinstance(item, MemberError):
                problems.append(Problem(mask_path(item.path), item.message))
            elif not isinstance(item, Member):
                continue  # an archive, opened: its members follow
            elif _is_video(item) or _is_image(item):
                yield item
            else:
                skipped.append(Problem(mask_path(item.path), "not an image or a video"))


def hash_pack(paths: Iterable[str | Path], name: str, case: str = "",
              limits: Limits | None = None) -> PackHashes:
    """A hash list of every image and video under ``paths`` (one entry each, in walk
    order)."""
    label = safe_label(name)
    errors: list[Problem] = []
    skipped: list[Problem] = []
    entries: list[HashEntry] = []
    for member in _members(paths, limits, errors, skipped):
        entry_id = f"{label}-{len(entries) + 1:06d}"
        try:
            if _is_video(member):
                clip = hash_video(member.data)
                if not clip.complete:  # listed as far as it was read, and said
                    errors.append(Problem(mask_path(member.path),
                                          f"hashed up to where decoding stopped: {clip.problem}"))
                # The entry's reference is the walker's keyed print of the raw path.
                entries.append(HashEntry(entry_id, clip.hashes, False, member.keys.full, True))
                continue
            hashed = hash_bytes(member.data)
        except (ImageError, VideoError) as error:
            errors.append(Problem(mask_path(member.path), str(error)))
            continue
        entries.append(HashEntry(entry_id, hashed.hashes, hashed.document, member.keys.full))
    return PackHashes(HashList(label, tuple(entries), safe_label(case)), tuple(errors),
                      tuple(skipped))


@dataclass(frozen=True, slots=True)
class Traced:
    """One image or video of a traced input: its masked path and its matches (or an error;
    a video cut short has both)."""

    path: str
    matches: tuple[Match, ...] = ()
    error: str | None = None
    skipped: bool = False


def trace_paths(paths: Iterable[str | Path], matcher: Matcher,
                limits: Limits | None = None) -> Iterator[Traced]:
    """Every member under ``paths``: an image with its matches, an error, or skipped."""
    errors: list[Problem] = []
    skipped: list[Problem] = []
    for member in _members(paths, limits, errors, skipped):
        while errors:
            problem = errors.pop(0)
            yield Traced(problem.path, error=problem.message)
        while skipped:
            yield Traced(skipped.pop(0).path, skipped=True)
        shown = mask_path(member.path)
        try:
            query = query_video(member.data) if _is_video(member) else query_bytes(member.data)
        except (ImageError, VideoError) as error:
            yield Traced(shown, error=str(error))
            continue
        stopped = getattr(query, "problem", None)
        yield Traced(shown, tuple(matcher.match(query)),
                     error=f"traced up to where decoding stopped: {stopped}" if stopped else None)
    yield from (Traced(p.path, error=p.message) for p in errors)
    yield from (Traced(p.path, skipped=True) for p in skipped)

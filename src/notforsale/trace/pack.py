"""Hash a pack into a list, and trace a pack against lists: the library behind the CLI.

Inputs are read with :class:`~notforsale.read.walk.Walker` (folders, nested
archives, limits). Every member ends as hashed, skipped (not an image) or an
error record; paths shown are masked (:func:`~notforsale.text.mask.mask_path`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..read.images import IMAGE_SUFFIXES, ImageError, looks_like_image
from ..read.limits import Limits
from ..read.walk import Member, MemberError, Walker
from ..text.mask import mask_path
from .hashing import hash_bytes
from .hashlist import HashEntry, HashList, safe_label
from .matcher import Match, Matcher, query_bytes

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


def _members(paths: Iterable[str | Path], limits: Limits | None,
             problems: list[Problem], skipped: list[Problem]) -> Iterator[Member]:
    walker = Walker(limits)
    for path in paths:
        for item in walker.walk(path):
            if isinstance(item, MemberError):
                problems.append(Problem(mask_path(item.path), item.message))
            elif not isinstance(item, Member):
                continue  # an archive, opened: its members follow
            elif _is_image(item):
                yield item
            else:
                skipped.append(Problem(mask_path(item.path), "not an image"))


def hash_pack(paths: Iterable[str | Path], name: str, case: str = "",
              limits: Limits | None = None) -> PackHashes:
    """A hash list of every image under ``paths`` (one entry per image, in walk order)."""
    label = safe_label(name)
    errors: list[Problem] = []
    skipped: list[Problem] = []
    entries: list[HashEntry] = []
    for member in _members(paths, limits, errors, skipped):
        try:
            hashed = hash_bytes(member.data)
        except ImageError as error:
            errors.append(Problem(mask_path(member.path), str(error)))
            continue
        # The entry's reference is the walker's keyed print of the raw path.
        entries.append(HashEntry(f"{label}-{len(entries) + 1:06d}", hashed.hashes,
                                 hashed.document, member.keys.full))
    return PackHashes(HashList(label, tuple(entries), safe_label(case)), tuple(errors),
                      tuple(skipped))


@dataclass(frozen=True, slots=True)
class Traced:
    """One image of a traced input: its masked path and its matches (or an error)."""

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
            query = query_bytes(member.data)
        except ImageError as error:
            yield Traced(shown, error=str(error))
            continue
        yield Traced(shown, tuple(matcher.match(query)))
    yield from (Traced(p.path, error=p.message) for p in errors)
    yield from (Traced(p.path, skipped=True) for p in skipped)

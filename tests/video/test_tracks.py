"""The tracker and the cover plan, on boxes whose motion is known."""

from __future__ import annotations

import pytest

from notforsale.vision.tracks import CoverPlan, Tracker


def _run(looks: list[tuple[int, list[tuple[int, int, int, int]]]], fps: float = 30,
         **settings: float) -> list[list[int]]:
    """Frame indices of each track's detections."""
    tracker = Tracker(**settings)
    for index, boxes in looks:
        tracker.update(index, index / fps, [(box, 0.9) for box in boxes])
    return [[d.index for d in track.detections] for track in tracker.tracks()]


def _moving(start: int, step: int, looks: range) -> list[tuple[int, list]]:
    return [(i, [(start + step * i, 100, start + step * i + 60, 180)]) for i in looks]


TRACKING = [
    (_moving(0, 0, range(0, 30, 3)), [list(range(0, 30, 3))], "a still face: one track"),
    (_moving(0, 5, range(0, 30, 3)), [list(range(0, 30, 3))],
     "moving a quarter of its width per look: one track"),
    (_moving(0, 16, range(0, 30, 3)), [list(range(0, 30, 3))],
     "moving 0.8 of its width per look (IoU 0.1): one track, by distance and velocity"),
    ([(i, [(0, 0, 50, 60), (300, 0, 350, 60)]) for i in range(0, 15, 3)],
     [list(range(0, 15, 3))] * 2, "two faces apart: two tracks"),
    (_moving(0, 0, range(0, 6, 3)) + _moving(0, 0, range(60, 66, 3)), [[0, 3], [60, 63]],
     "unseen for two seconds (more than max_gap): a new track"),
    (_moving(0, 0, range(0, 6, 3)) + _moving(0, 0, range(24, 30, 3)), [[0, 3, 24, 27]],
     "unseen for 0.7 s (a turned head): the same track"),
    ([(0, [(0, 0, 50, 60)]), (3, [(400, 300, 450, 360)])], [[0], [3]],
     "a box far away is another face, not a jump"),
    ([(0, [(0, 0, 50, 60)]), (3, [(5, 0, 205, 240)])], [[0], [3]],
     "a box of a very different size at the same place is another face"),
]


@pytest.mark.parametrize(("looks", "expected", "reason"), TRACKING)
def test_tracker(looks: list, expected: list[list[int]], reason: str) -> None:
    assert _run(looks) == expected, reason


def test_cover_plan_covers_every_frame_between_and_around_looks() -> None:
    # Looks every third frame of 30; a face moving 6 px a frame is seen on looks 6..21 only.
    looks = list(range(0, 30, 3))
    tracker = Tracker()
    truth = {i: (100 + 6 * i, 50, 160 + 6 * i, 130) for i in range(4, 24)}  # frames 4..23
    for index in looks:
        boxes = [(truth[index], 0.9)] if index in truth and 6 <= index <= 21 else []
        tracker.update(index, index / 30, boxes)
    plan = CoverPlan(tracker.tracks(), looks, size=(640, 360), last_frame=29)
    wider = CoverPlan(tracker.tracks(), looks, reach=2, size=(640, 360), last_frame=29)
    # With reach 2, from the frame after the second look that missed it (0) to the frame
    # before the second look after (27).
    assert [bool(wider.boxes_at(i)) for i in (0, 1, 26, 27)] == [False, True, True, False]
    # Covered from the frame after the last look that missed it (3) to the frame before
    # the next look that missed it (24): every truth frame 4..23 lies inside.
    for index in range(30):
        boxes = plan.boxes_at(index)
        if 4 <= index <= 23:
            assert len(boxes) == 1, index
            x0, y0, x1, y1 = boxes[0]
            t = truth[index]
            assert x0 <= t[0] and y0 <= t[1] and x1 >= t[2] and y1 >= t[3], index  # contains it
            assert (x1 - x0) * (y1 - y0) <= 2 * (t[2] - t[0]) * (t[3] - t[1]), index  # tightly
        elif index <= 3 or index >= 24:
            assert boxes == [], index


def test_cover_plan_interpolates_between_detections() -> None:
    tracker = Tracker()
    tracker.update(0, 0.0, [((0, 0, 100, 100), 0.9)])
    tracker.update(10, 1 / 3, [((80, 0, 180, 100), 0.9)])
    plan = CoverPlan(tracker.tracks(), [0, 10], last_frame=10)
    x0, _, x1, _ = plan.boxes_at(5)[0]
    # Half-way (40..140), grown by half the distance moved (80 / 2) on each side.
    assert (x0, x1) == (0, 180)
    assert plan.boxes_at(0) == [(0, 0, 100, 100)]


def test_a_track_seen_on_the_last_look_is_held_to_the_end() -> None:
    tracker = Tracker()
    tracker.update(27, 0.9, [((10, 10, 50, 50), 0.9)])
    plan = CoverPlan(tracker.tracks(), [0, 3, 27], size=(64, 64), last_frame=29)
    assert [bool(plan.boxes_at(i)) for i in (3, 4, 27, 29)] == [False, True, True, True]
    assert plan.boxes_at(29)[0] == (4, 4, 56, 56)  # held, grown by 15 % per side

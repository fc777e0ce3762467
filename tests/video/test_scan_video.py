"""Scanning videos: one face track per person on screen, numbers off a card held up."""

from __future__ import annotations

import pytest

from notforsale.read.video import VideoError
from notforsale.vision.tracks import iou
from notforsale.vision.video import SampledFrame, VideoOptions, VideoReport, scan_video
from tests.video.clips import CARD_NUMBER, Clip, ClipMaker


def _matched(report: VideoReport, made: Clip) -> dict[str, int]:
    """Each truth face -> the track whose best box overlaps its box on that frame."""
    out = {}
    for track in report.tracks:
        for face, boxes in made.faces.items():
            truth = boxes.get(track.best_frame)
            if truth is not None and iou(track.box, truth) >= 0.5:
                assert face not in out, f"two tracks for {face}"
                out[face] = track.id
    return out


TRACKS = [
    ("pan", 2, "two people, the camera pans and zooms: two tracks, whole clip"),
    ("zoom", 1, "one face growing and shrinking: one track"),
    ("enter", 1, "a face walks in mid-clip: one track, starting late"),
    ("cut", 2, "a cut to another person: two tracks, one after the other"),
    ("card", 2, "the holder and the card's portrait"),
    ("cat", 0, "a cat: nothing"),
]


@pytest.mark.parametrize(("name", "expected", "reason"), TRACKS)
def test_one_track_per_face_with_times(clip: ClipMaker, name: str, expected: int,
                                       reason: str) -> None:
    made = clip(name)
    report = scan_video(made.data, f"{name}{made.suffix}")
    assert report.frames == made.frames and report.complete, reason
    assert len(report.tracks) == expected, reason
    matched = _matched(report, made)
    assert set(matched) == set(made.faces), reason
    step = 1 / 5 + 1 / made.fps  # one look of the default 5 a second, plus a frame
    for face, track_id in matched.items():
        track = next(t for t in report.tracks if t.id == track_id)
        frames = sorted(made.faces[face])
        assert track.first == pytest.approx(frames[0] / made.fps, abs=step), (face, reason)
        assert track.last == pytest.approx(frames[-1] / made.fps, abs=step), (face, reason)


def test_the_card_held_up_is_read(clip: ClipMaker) -> None:
    made = clip("card")
    report = scan_video(made.data, "VID_0001.mp4")
    assert report.rotation == 90 and report.size == (720, 1280)
    assert report.ocr_frames >= 1
    ids = [h for h in report.text_hits if h.finding.type == "CN_RESIDENT_ID"]
    assert len(ids) == 1
    assert ids[0].finding.masked == CARD_NUMBER[:6] + "********" + CARD_NUMBER[-4:]
    x0, y0, x1, y1 = ids[0].box
    assert y0 > 0.6 * 1280 and x1 - x0 > 150  # on the card, in the upright picture
    assert CARD_NUMBER not in str(report.to_dict())


def test_a_liveness_selfie_is_not_read_but_its_name_can_say_so(clip: ClipMaker) -> None:
    made = clip("zoom")
    assert scan_video(made.data, "clip.mp4").ocr_frames == 0  # the face fills the frame
    named = scan_video(made.data, "手持身份证视频.mp4")
    assert named.ocr_frames >= 1 and "name says document" in named.ocr_reasons[0]
    never = scan_video(made.data, "手持身份证视频.mp4", VideoOptions(ocr="never"))
    assert never.ocr_frames == 0


def test_sampling_default_and_every_frame(clip: ClipMaker) -> None:
    made = clip("pan")  # 30 frames at 15 fps
    seen: list[SampledFrame] = []
    report = scan_video(made.data, "pan.mp4", VideoOptions(frame_hook=seen.append))
    assert report.frames_sampled == 10 == len(seen)  # 5 a second
    assert [f.index for f in seen] == list(range(0, 30, 3))
    assert all(f.rgb.shape == (360, 640, 3) for f in seen)
    assert all(len(f.faces) == 2 for f in seen)
    every = scan_video(made.data, "pan.mp4", VideoOptions(every_frame=True))
    assert every.frames_sampled == 30
    assert len(every.tracks) == 2 and all(t.looks == 30 for t in every.tracks)


def test_thumbnail_is_small_and_blurred(clip: ClipMaker) -> None:
    from io import BytesIO

    from PIL import Image

    report = scan_video(clip("zoom").data, "zoom.mp4", VideoOptions(thumbnails=True))
    assert report.thumbnail is not None
    image = Image.open(BytesIO(report.thumbnail))
    assert image.format == "JPEG" and max(image.size) <= 160
    assert "thumbnail" not in report.to_dict()


def test_metadata_is_reported_masked(clip: ClipMaker) -> None:
    made = clip("cat", tags={"location": "+31.2304+121.4737/"})
    report = scan_video(made.data, "cat.mp4")
    assert [(f.type, f.masked) for f in report.metadata] == [("EXIF_GPS",
                                                              "31.2°, 121.5° (±10 km)")]


def test_unreadable_video_raises_and_truncated_video_says_incomplete(clip: ClipMaker) -> None:
    with pytest.raises(VideoError):
        scan_video(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 100, "x.mp4")
    made = clip("pan", fmt="matroska")
    report = scan_video(made.data[: len(made.data) // 2], "half.mkv")
    assert report.frames < made.frames
    assert not report.complete and report.problem


BACKOFF = [
    # (values read at each reading, backoff, expected reading times, reason)
    ([["A"]] * 9, True, [0.0, 2.0, 6.0, 14.0], "the same card all along: 2, 4, 8 s apart"),
    ([["A"], ["A"], ["B"]] + [["B"]] * 9, True, [0.0, 2.0, 6.0, 8.0, 12.0],
     "a new value brings the interval back to 2 s"),
    ([[]] * 9, True, [0.0, 4.0, 12.0], "nothing found: backing off from the first reading"),
    ([["A"]] * 9, False, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0],
     "redaction reads at a steady interval"),
]


@pytest.mark.parametrize(("values", "backoff", "expected", "reason"), BACKOFF)
def test_ocr_readings_back_off(monkeypatch: pytest.MonkeyPatch, values: list[list[str]],
                               backoff: bool, expected: list[float], reason: str) -> None:
    from types import SimpleNamespace

    from notforsale.vision import video
    from notforsale.vision.ocr_policy import Decision

    readings = iter(values)
    monkeypatch.setattr(video.ocr_policy, "decide", lambda *a: Decision(True, "test"))
    monkeypatch.setattr(video, "detector_view", lambda frame, side: None)
    monkeypatch.setattr(video, "read_text_hits", lambda decoded, region: [
        SimpleNamespace(finding=SimpleNamespace(type="X", fingerprint=v), box=(0, 0, 1, 1))
        for v in next(readings)])
    text = video.FrameText("auto", "x.mp4", 1.0, 2.0, backoff=backoff)
    read = []
    for step in range(0, 32):  # a look every half second for 16 s
        time = step / 2
        if text.due(time):
            before = text.readings
            text.look(SimpleNamespace(time=time, index=step), None, [])  # type: ignore[arg-type]
            if text.readings > before:
                read.append(time)
    assert read == expected, reason


LINES = [(70, 816, 302, 843), (70, 867, 398, 897), (71, 921, 442, 948), (71, 1096, 528, 1123)]
SHIFTS = [
    # (lines before, lines now, expected shift, reason)
    (LINES, LINES, (0, 0), "the same lines where they were"),
    (LINES, [(b[0] + 14, b[1] - 20, b[2] + 14, b[3] - 20) for b in LINES], (14, -20),
     "the card held a little higher and to the right: the same lines, moved together"),
    (LINES, [(b[0] + (i % 2) * 3, b[1] - i, b[2] + (i % 2) * 3, b[3] - i)
             for i, b in enumerate(LINES)], (2, -2), "the gate's jitter of a few pixels"),
    (LINES, LINES[:3], None, "a line fewer: another text"),
    (LINES, LINES + [(71, 1150, 400, 1177)], None, "a line more: another text"),
    (LINES, LINES[:3] + [(71, 1096, 428, 1123)], None, "the number line 100 px shorter"),
    (LINES, [LINES[0], LINES[1], (71, 921, 442, 948), (71, 1036, 528, 1063)], None,
     "one line moved alone: another layout"),
    (LINES, [(round(b[0] * 1.3), round(b[1] * 1.3), round(b[2] * 1.3), round(b[3] * 1.3))
             for b in LINES], None, "the card brought closer: longer lines, further apart"),
    ([], [], None, "no lines at the last reading: nothing to compare"),
]


@pytest.mark.parametrize(("before", "now", "expected", "reason"), SHIFTS)
def test_line_shift(before: list, now: list, expected: tuple[int, int] | None,
                    reason: str) -> None:
    from notforsale.vision.video import line_shift

    assert line_shift(before, now) == expected, reason


SPOTS = [
    # (values at the full reading, lines at the second question (2 s later unless said),
    #  what a reading of the number's place finds, the regions read at the second
    #  question, reason)
    (["A"], LINES, ["A"], ["spot"], "the same lines, the number read again where it was: "
     "nothing else read"),
    (["A"], [(b[0], b[1] + 30, b[2], b[3] + 30) for b in LINES], ["A"], ["spot"],
     "the card moved down a little: read where the number moved to"),
    (["A"], LINES, ["B"], ["spot", None], "another number there: the whole frame read too"),
    (["A"], LINES, [], ["spot", None], "the number not read there: the whole frame read"),
    (["A"], LINES[:2], ["A"], [None], "other lines: the whole frame read"),
    ([], LINES, ["A"], [None], "nothing found before: the whole frame read"),
    (["A"], LINES, ["A"], [None, 16.0], "the whole text last read 16 s ago: read whole again"),
]


@pytest.mark.parametrize(("first", "lines", "spot", "expected", "reason"), SPOTS)
def test_a_card_whose_lines_have_not_changed_is_read_again_only_where_its_numbers_were(
        monkeypatch: pytest.MonkeyPatch, first: list[str], lines: list, spot: list[str],
        expected: list, reason: str) -> None:
    later = 2.0
    if isinstance(expected[-1], float):
        *expected, later = expected
    from types import SimpleNamespace

    from notforsale.vision import video
    from notforsale.vision.ocr_policy import Decision

    number_box = (300, 1096, 528, 1123)  # where the first reading found the number
    moved = (lines[-1][1] - LINES[-1][1]) if len(lines) == len(LINES) else 0
    regions: list = []

    def read(decoded: object, region: object) -> list:
        regions.append(region)
        values = first if len(regions) == 1 else (spot if region is not None else ["A"])
        down = 0 if len(regions) == 1 else moved
        return [SimpleNamespace(finding=SimpleNamespace(type="X", fingerprint=v),
                                box=(number_box[0], number_box[1] + down, number_box[2],
                                     number_box[3] + down)) for v in values]

    answers = iter([Decision(True, "gate", None, tuple(LINES)),
                    Decision(True, "gate", None, tuple(lines))])
    monkeypatch.setattr(video.ocr_policy, "decide", lambda *a: next(answers))
    monkeypatch.setattr(video, "detector_view",
                        lambda frame, side: SimpleNamespace(size=(720, 1280)))
    monkeypatch.setattr(video, "read_text_hits", read)
    text = video.FrameText("auto", "x.mp4", 1.0, 2.0, backoff=True)
    for time in (0.0, later):
        text.look(SimpleNamespace(time=time, index=round(time * 30)), None, [])  # type: ignore[arg-type]
    assert regions[0] is None
    second = regions[1:]
    assert ["spot" if r is not None else None for r in second] == expected, reason
    if expected[0] == "spot":  # the number's line, grown by its height, in the frame
        x0, y0, x1, y1 = second[0]
        assert x0 <= number_box[0] and x1 >= number_box[2], reason
        assert y0 <= number_box[1] + moved and y1 >= number_box[3] + moved, reason
        assert (x1 - x0) * (y1 - y0) < 0.1 * 720 * 1280, reason
    assert text.readings == 2, reason


def test_a_card_swapped_for_one_alike_is_read_again(clip: ClipMaker) -> None:
    from tests.video.clips import OTHER_CARD_NUMBER

    made = clip("card", frames=40, fps=5, swap_to=OTHER_CARD_NUMBER)  # 8 s, swapped at 4 s
    report = scan_video(made.data, "VID_0002.mp4")
    read = {h.finding.masked: h for h in report.text_hits}
    assert set(read) == {n[:6] + "********" + n[-4:] for n in (CARD_NUMBER, OTHER_CARD_NUMBER)}
    assert read[CARD_NUMBER[:6] + "********" + CARD_NUMBER[-4:]].first == 0.0
    assert read[OTHER_CARD_NUMBER[:6] + "********" + OTHER_CARD_NUMBER[-4:]].first >= 4.0
    assert any("re-read where its numbers were" in r for r in report.ocr_reasons)

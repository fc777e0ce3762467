"""Text in images: PP-OCR (detection, orientation, recognition) through ``rapidocr``.

The ONNX weights ship inside the rapidocr wheel; each stage is given its
bundled file explicitly, so rapidocr never looks for a download. rapidocr
treats arrays as BGR (OpenCV's order); :meth:`TextReader.read` takes RGB like
the rest of the project.

Lines come with per-character boxes, enough to place (and later mask) just
the digits of a number inside an image.
"""

from __future__ import annotations

import importlib.resources
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import loaded_once

log = logging.getLogger(__name__)

_DET, _REC, _CLS = ("PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx",
                    "ch_ppocr_mobile_v2.0_cls_mobile.onnx")

Box = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One line of text, its box, and one box per character of ``text``."""

    text: str
    score: float
    box: Box
    chars: tuple[Box, ...]

    def span_box(self, start: int, end: int) -> Box:
        """The box around characters ``start:end`` of the line."""
        boxes = self.chars[start:end]
        if not boxes:
            return self.box
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))


def _bundled(name: str) -> str:
    path = Path(str(importlib.resources.files("rapidocr") / "models" / name))
    if not path.is_file():
        raise FileNotFoundError(f"the rapidocr package has no bundled model {name}")
    return str(path)


def _box(points: object) -> Box:
    array = np.asarray(points, dtype=np.float32).reshape(-1, 2)
    return (int(array[:, 0].min()), int(array[:, 1].min()),
            int(np.ceil(array[:, 0].max())), int(np.ceil(array[:, 1].max())))


def _char_boxes(text: str, box: Box, words: Any) -> tuple[Box, ...]:
    """One box per character: rapidocr's own when they line up, else spread evenly."""
    chars = [(str(w[0]), _box(w[2])) for w in (words or ()) if w is not None and len(w) >= 3
             and w[2] is not None]
    if chars and "".join(c for c, _ in chars) == text.replace(" ", "") and " " not in text:
        return tuple(b for _, b in chars)
    if chars and sum(len(c) for c, _ in chars) == len(text.replace(" ", "")):
        out: list[Box] = []
        flat = [b for c, b in chars for _ in c]
        it = iter(flat)
        last = box
        for char in text:
            if char == " ":
                out.append(last)
            else:
                last = next(it)
                out.append(last)
        return tuple(out)
    x0, y0, x1, y1 = box
    step = (x1 - x0) / max(len(text), 1)
    return tuple((int(x0 + i * step), y0, int(x0 + (i + 1) * step), y1) for i in range(len(text)))


class TextReader:
    """PP-OCR on onnxruntime's CPU provider. Load once; ``read`` is thread-safe.

    rapidocr keeps per-call state in its pipeline objects, so calls are serialized;
    each call uses ``threads`` cores instead.
    """

    def __init__(self, threads: int = 2) -> None:
        from rapidocr import RapidOCR

        self._engine = RapidOCR(params={
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "Det.model_path": _bundled(_DET),
            "Cls.model_path": _bundled(_CLS),
            "Rec.model_path": _bundled(_REC),
            # rapidocr's default (shorter side >= 736) upscales small images and keeps large
            # ones near 2000 px; the longer side at most 960 reads ID numbers as well, faster.
            "Det.limit_type": "max",
            "Det.limit_side_len": 960,
            # Lines are recognised one at a time: a batch is padded to its widest line, so a
            # long thin line (a 1280-pixel bar 5 pixels high) made a batch of six take 1 GB;
            # alone it takes a sixth, and ordinary cards read faster unpadded (2.4 s against
            # 3.5 s CPU for five readings of the demo's card; same text).
            "Rec.rec_batch_num": 1,
        })
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        _sleeping_threads(self._engine, threads)
        self._lock = threading.Lock()

    def read(self, rgb: np.ndarray, scale: float = 1.0) -> list[OcrLine]:
        """Lines of text in an RGB image; ``scale`` maps its pixels back to the original's."""
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        with self._lock:
            result: Any = self._engine(bgr, return_word_box=True, return_single_char_box=True)
        if result.txts is None or len(result.txts) == 0:
            return []
        words = result.word_results if result.word_results else [()] * len(result.txts)
        lines = []
        for quad, text, score, word in zip(result.boxes, result.txts, result.scores, words,
                                           strict=False):
            box = _box(quad)
            chars = _char_boxes(text, box, word)
            if scale != 1.0:
                box = _scaled(box, scale)
                chars = tuple(_scaled(c, scale) for c in chars)
            lines.append(OcrLine(str(text), float(score), box, chars))
        return joined_rows(lines)


#: Boxes of at most this many characters are joined to a neighbour on their line.
_SHORT = 4


def _same_row(a: Box, b: Box) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap >= 0.5 * min(a[3] - a[1], b[3] - b[1])


def _join(left: OcrLine, right: OcrLine) -> OcrLine:
    gap: Box = (left.box[2], min(left.box[1], right.box[1]), max(left.box[2], right.box[0]),
                max(left.box[3], right.box[3]))
    box = (min(left.box[0], right.box[0]), min(left.box[1], right.box[1]),
           max(left.box[2], right.box[2]), max(left.box[3], right.box[3]))
    return OcrLine(left.text + " " + right.text, min(left.score, right.score), box,
                   left.chars + (gap,) + right.chars)


def joined_rows(lines: list[OcrLine]) -> list[OcrLine]:
    """Lines with the short boxes of one line of text joined to their neighbours, a space
    between: letter-spaced digits come out of the detector as one box each (eighteen boxes,
    no number). Two boxes are joined when they stand on one row, left to right, half a line
    height apart at most (a word space), or 1.2 heights when one of them holds at most four
    characters."""
    if len(lines) < 2:
        return lines
    out: list[OcrLine] = []
    for line in sorted(lines, key=lambda item: (item.box[0], item.box[1])):
        for index, previous in enumerate(out):
            height = max(previous.box[3] - previous.box[1], line.box[3] - line.box[1], 1)
            gap = line.box[0] - previous.box[2]
            short = len(line.text.strip()) <= _SHORT or \
                len(previous.text.rsplit(" ", 1)[-1]) <= _SHORT
            if _same_row(previous.box, line.box) and -0.2 * height <= gap and \
                    (gap <= 0.5 * height or (short and gap <= 1.2 * height)):
                out[index] = _join(previous, line)
                break
        else:
            out.append(line)
    return sorted(out, key=lambda item: (item.box[1], item.box[0]))


def _sleeping_threads(engine: Any, threads: int) -> None:
    """Give rapidocr's three stages sessions whose idle threads sleep instead of spinning.

    onnxruntime's thread pool spins while it waits for work by default, and rapidocr
    exposes no setting for it: with two threads a reading of a card cost ~1.5 times the
    CPU of one thread (all of it spinning) for the same text. Same models, same threads,
    same results; a rapidocr whose stages are laid out otherwise keeps its own sessions.
    """
    if threads <= 1:
        return  # no pool to spin
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False  # rapidocr's own setting
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    for loader, model in (("_load_det_model", _DET), ("_load_cls_model", _CLS),
                          ("_load_rec_model", _REC)):
        holder = getattr(getattr(engine, loader, lambda: None)(), "session", None)
        if not isinstance(getattr(holder, "session", None), ort.InferenceSession):
            log.debug("rapidocr's %s has no session to replace; left as it is", loader)
            continue
        holder.session = ort.InferenceSession(_bundled(model), options,  # type: ignore[union-attr]
                                              providers=["CPUExecutionProvider"])


def _scaled(box: Box, scale: float) -> Box:
    return (round(box[0] / scale), round(box[1] / scale), round(box[2] / scale),
            round(box[3] / scale))


class TextGate:
    """A cheap test for "does this image hold a line of text?" (about 50 ms an image).

    Only PP-OCR's text-detection model runs, on a copy whose longer side is 480
    pixels; the probability map is thresholded and each blob's minimum-area
    rectangle measured. A blob six times longer than it is high is a *line* — an ID
    number, an address, a chat message. Photos of people rarely have one.
    """

    def __init__(self, threads: int = 1, max_side: int = 480) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(_bundled(_DET), options,
                                             providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self.max_side = max_side

    def lines(self, rgb: np.ndarray) -> list[Box]:
        """Boxes (in ``rgb``'s pixels) of the long text lines the detector sees."""
        import cv2

        height, width = rgb.shape[:2]
        factor = min(1.0, self.max_side / max(height, width))
        new_h = max(32, round(height * factor / 32) * 32)
        new_w = max(32, round(width * factor / 32) * 32)
        image = cv2.resize(rgb, (new_w, new_h), interpolation=cv2.INTER_AREA)
        blob = (image[:, :, ::-1].astype(np.float32) / 127.5 - 1.0).transpose(2, 0, 1)[None]
        probability = self._session.run(None, {self._input: blob})[0][0, 0]
        mask = (probability > 0.3).astype(np.uint8)
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        back_x, back_y = width / new_w, height / new_h
        boxes: list[Box] = []
        for contour in contours:
            if cv2.contourArea(contour) < 4:
                continue
            _, (a, b), _ = cv2.minAreaRect(contour)
            short, long = min(a, b), max(a, b)
            if short >= 1 and long >= 6 * short and long >= 12:
                x, y, w, h = cv2.boundingRect(contour)
                boxes.append((int(x * back_x), int(y * back_y), int(np.ceil((x + w) * back_x)),
                              int(np.ceil((y + h) * back_y))))
        return boxes


#: The process-wide reader and gate, loaded on first use.
shared_reader = loaded_once(TextReader)
shared_gate = loaded_once(TextGate)

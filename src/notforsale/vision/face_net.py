"""dlib's face-recognition ResNet on onnxruntime: 150×150 face chips to 128-d descriptors.

The graph is built in memory from the ``.dat`` file (see :mod:`.dlib_model`);
nothing is downloaded or written. Each affine (frozen batch-norm) layer is
folded into the convolution before it, which changes results only by float
rounding. Descriptors agree with dlib's own ``compute_face_descriptor`` on the
same chip to ~1e-6 (tests/vision/test_face_net.py, with dlib installed).
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from . import loaded_once
from .dlib_model import (
    CHIP_SIZE,
    RESNET_FILE,
    RESNET_SHA256,
    Affine,
    Conv,
    ResNet,
    models_dir,
    read_resnet,
)

log = logging.getLogger(__name__)

MODEL_ENV = "NOTFORSALE_FACE_RESNET"
DESCRIPTOR_SIZE = 128


def model_path() -> Path:
    """``$NOTFORSALE_FACE_RESNET`` or the file inside ``face_recognition_models``."""
    override = os.environ.get(MODEL_ENV)
    return Path(override) if override else models_dir() / RESNET_FILE


class _Graph:
    """A small helper that names nodes and collects initializers."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self.count = 0

    def name(self, stem: str) -> str:
        self.count += 1
        return f"{stem}_{self.count}"

    def const(self, array: np.ndarray, stem: str = "c") -> str:
        name = self.name(stem)
        self.inits.append(self.numpy_helper.from_array(array, name))
        return name

    def op(self, kind: str, inputs: list[str], **attrs: Any) -> str:
        out = self.name(kind.lower())
        self.nodes.append(self.helper.make_node(kind, inputs, [out], **attrs))
        return out

    def conv(self, x: str, conv: Conv, affine: Affine) -> str:
        gamma = affine.gamma.astype(np.float64)
        weight = (conv.weight * gamma[:, None, None, None]).astype(np.float32)
        bias = (conv.bias * gamma + affine.beta).astype(np.float32)
        kh, kw = conv.weight.shape[2:]
        (ph, pw), (sh, sw) = conv.padding, conv.stride
        return self.op("Conv", [x, self.const(weight, "w"), self.const(bias, "b")],
                       kernel_shape=[kh, kw], strides=[sh, sw], pads=[ph, pw, ph, pw])


def _conv_out(size: int, kernel: int, stride: int, pad: int) -> int:
    return 1 + (size + 2 * pad - kernel) // stride


def build_onnx(net: ResNet) -> bytes:
    """The network as a serialized ONNX model: input ``chips`` (N, 3, 150, 150) float32
    RGB 0–255, output ``descriptors`` (N, 128)."""
    from onnx import TensorProto, helper

    g = _Graph()
    mean = np.asarray(net.mean_rgb, np.float32).reshape(1, 3, 1, 1)
    x = g.op("Mul", [g.op("Sub", ["chips", g.const(mean, "mean")]),
                     g.const(np.asarray(1 / 256, np.float32), "inv")])
    x = g.op("Relu", [g.conv(x, net.stem, net.stem_affine)])
    x = g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2])
    size = _conv_out(_conv_out(CHIP_SIZE, 7, 2, 0), 3, 2, 0)
    channels = net.stem.weight.shape[0]
    for block in net.blocks:
        c1, c2 = block.conv1, block.conv2
        h = g.op("Relu", [g.conv(x, c1, block.affine1)])
        h = g.conv(h, c2, block.affine2)
        h_size = _conv_out(size, 3, c1.stride[0], c1.padding[0])
        h_channels = c2.weight.shape[0]
        skip, skip_size = x, size
        if block.down:
            skip = g.op("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2])
            skip_size = _conv_out(size, 2, 2, 0)
        out_size, out_channels = max(h_size, skip_size), max(h_channels, channels)
        # dlib's add_prev: tensors of different sizes add as if zero-padded at the end.
        h = _pad(g, h, out_channels - h_channels, out_size - h_size)
        skip = _pad(g, skip, out_channels - channels, out_size - skip_size)
        x = g.op("Relu", [g.op("Add", [h, skip])])
        size, channels = out_size, out_channels
    x = g.op("Flatten", [g.op("GlobalAveragePool", [x])])
    g.nodes.append(helper.make_node("MatMul", [x, g.const(net.fc, "fc")], ["descriptors"]))
    graph = helper.make_graph(
        g.nodes, "dlib_face_recognition_resnet_model_v1",
        [helper.make_tensor_value_info("chips", TensorProto.FLOAT,
                                       ["N", 3, CHIP_SIZE, CHIP_SIZE])],
        [helper.make_tensor_value_info("descriptors", TensorProto.FLOAT,
                                       ["N", DESCRIPTOR_SIZE])],
        g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="notforsale")
    model.ir_version = 8
    return bytes(model.SerializeToString())


def _pad(g: _Graph, x: str, channels: int, size: int) -> str:
    if channels == 0 and size == 0:
        return x
    pads = np.asarray([0, 0, 0, 0, 0, channels, size, size], np.int64)
    return g.op("Pad", [x, g.const(pads, "pads")], mode="constant")


class FaceNet:
    """The descriptor network on onnxruntime's CPU provider. Load once; thread-safe."""

    def __init__(self, threads: int = 1, path: Path | None = None) -> None:
        import onnxruntime as ort

        source = path or model_path()
        raw = source.read_bytes()
        if hashlib.sha256(raw).hexdigest() != RESNET_SHA256:
            log.warning("%s differs from the released face-recognition model", source.name)
        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self._session = ort.InferenceSession(build_onnx(read_resnet(raw)),
                                             sess_options=options,
                                             providers=["CPUExecutionProvider"])

    def descriptors(self, chips: np.ndarray) -> np.ndarray:
        """(N, 150, 150, 3) uint8 RGB chips to (N, 128) float32 descriptors."""
        if chips.ndim != 4 or chips.shape[1:] != (CHIP_SIZE, CHIP_SIZE, 3):
            raise ValueError(f"chips must be (N, {CHIP_SIZE}, {CHIP_SIZE}, 3), got {chips.shape}")
        if len(chips) == 0:
            return np.zeros((0, DESCRIPTOR_SIZE), np.float32)
        blob = np.ascontiguousarray(chips.transpose(0, 3, 1, 2), dtype=np.float32)
        (out,) = self._session.run(["descriptors"], {"chips": blob})
        return np.asarray(out, np.float32)


#: The process-wide network, built on first use.
shared_face_net = loaded_once(FaceNet)

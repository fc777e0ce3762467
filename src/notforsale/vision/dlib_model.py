"""dlib's face-recognition ResNet, read from its ``.dat`` file into an ONNX graph in memory.

The weights are those of ``dlib_face_recognition_resnet_model_v1.dat`` (Davis
King, public domain), shipped on PyPI inside ``face_recognition_models``.
dlib itself is not needed: this module reads dlib's serialization format (the
layers' names and hyper-parameters as dlib's packed integers and portable
floats, the parameter tensors as raw little-endian float32) and builds the
same network as an ONNX graph, which onnxruntime runs on one core at a small
fraction of dlib's own CPU cost (no BLAS in the dlib wheels).

The network (``anet_type`` of dlib's ``dnn_face_recognition_ex.cpp``): a
150×150 RGB chip, the mean colour subtracted and divided by 256, a 7×7/2
convolution, max pool 3×3/2, 14 residual blocks of two 3×3 convolutions with
an affine (frozen batch-norm) layer each (32, 64, 128, 256, 256 filters; the
first block of each level down-samples with a stride-2 convolution beside a
2×2 average pool), global average pool and a 128-dimensional fully connected
layer without bias. dlib adds tensors of different sizes as if the smaller
were zero-padded (``add_prev``); the graph pads explicitly.

Nothing is read but this one file; the 68-point landmark model that the same
package carries (not licensed for commercial use) is never opened.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RESNET_FILE = "dlib_face_recognition_resnet_model_v1.dat"
#: The released file (face_recognition_models 0.3.0); a different file is refused.
RESNET_SHA256 = "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"
CHIP_SIZE = 150


class DlibFormatError(ValueError):
    """The file is not the dlib network this module knows how to read."""


def models_dir() -> Path:
    """The ``models`` folder of the installed ``face_recognition_models`` package.

    Found without importing the package (its ``__init__`` needs ``pkg_resources``).
    """
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the face-recognition weights come with the 'face_recognition_models' package: "
            "pip install 'face_recognition_models==0.3.0'")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


class _Reader:
    """dlib's serialization primitives at a position in a byte string."""

    def __init__(self, data: bytes, pos: int) -> None:
        self.data, self.pos = data, pos

    def integer(self) -> int:
        control = self.data[self.pos]
        size = control & 0x0F
        if size > 8:
            raise DlibFormatError(f"bad integer at byte {self.pos}")
        value = int.from_bytes(self.data[self.pos + 1:self.pos + 1 + size], "little")
        self.pos += 1 + size
        return -value if control & 0x80 else value

    def real(self) -> float:
        mantissa, exponent = self.integer(), self.integer()
        return float(mantissa) * 2.0 ** exponent

    def tensor(self) -> np.ndarray:
        if self.integer() != 2:
            raise DlibFormatError(f"unknown tensor version at byte {self.pos}")
        shape = tuple(self.integer() for _ in range(4))
        count = int(np.prod(shape))
        end = self.pos + 4 * count
        if end > len(self.data):
            raise DlibFormatError("tensor runs past the end of the file")
        values = np.frombuffer(self.data, "<f4", count, self.pos).reshape(shape)
        self.pos = end
        return values.astype(np.float32)

    def alias(self) -> tuple[int, int, int, int]:
        self.integer()  # version
        shape = (self.integer(), self.integer(), self.integer(), self.integer())
        return shape


@dataclass(frozen=True)
class Conv:
    weight: np.ndarray  # (out, in, kh, kw)
    bias: np.ndarray
    stride: tuple[int, int]
    padding: tuple[int, int]


@dataclass(frozen=True)
class Affine:
    gamma: np.ndarray
    beta: np.ndarray


@dataclass(frozen=True)
class Block:
    conv1: Conv
    affine1: Affine
    conv2: Conv
    affine2: Affine
    down: bool  # a 2×2/2 average pool of the input beside the block


@dataclass
class ResNet:
    mean_rgb: tuple[float, float, float]
    stem: Conv
    stem_affine: Affine
    blocks: list[Block] = field(default_factory=list)
    fc: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))  # (in, out)


_LAYER = re.compile(
    rb"\x01(?:\x15input_rgb_image_sized|\x05con_4|\x07affine_|\x05relu_|\x0amax_pool_2"
    rb"|\x0aavg_pool_2|\x09add_prev_|\x04fc_2)")


def read_resnet(data: bytes) -> ResNet:
    """The network's layers, in order, from the bytes of the ``.dat`` file."""
    layers: list[tuple[str, _Reader]] = []
    for match in _LAYER.finditer(data):
        name = match.group()[2:].decode("ascii")
        layers.append((name, _Reader(data, match.end())))
    names = [name for name, _ in layers]
    if not names or names[0] != "input_rgb_image_sized" or names[-1] != "fc_2":
        raise DlibFormatError("not dlib's face-recognition ResNet (layer sequence)")
    reader = layers[0][1]
    mean = (reader.real(), reader.real(), reader.real())
    if (reader.integer(), reader.integer()) != (CHIP_SIZE, CHIP_SIZE):
        raise DlibFormatError("input layer is not 150×150")
    parsed: list[tuple[str, object]] = []
    for name, reader in layers[1:]:
        if name == "con_4":
            parsed.append((name, _conv(reader)))
        elif name == "affine_":
            params = reader.tensor().reshape(-1)
            gamma_shape, beta_shape = reader.alias(), reader.alias()
            channels = gamma_shape[1]
            if params.size != 2 * channels or beta_shape != gamma_shape:
                raise DlibFormatError("affine layer of unexpected shape")
            parsed.append((name, Affine(params[:channels].copy(), params[channels:].copy())))
        elif name in ("max_pool_2", "avg_pool_2"):
            parsed.append((name, tuple(reader.integer() for _ in range(6))))
        elif name == "fc_2":
            outputs, inputs = reader.integer(), reader.integer()
            params = reader.tensor().reshape(-1)
            if params.size != inputs * outputs:  # fc_no_bias: no bias row
                raise DlibFormatError("fully connected layer of unexpected shape")
            parsed.append((name, params.reshape(inputs, outputs).copy()))
        else:
            parsed.append((name, None))
    return _assemble(mean, parsed)


def _conv(reader: _Reader) -> Conv:
    params = reader.tensor().reshape(-1)
    filters, rows, cols = reader.integer(), reader.integer(), reader.integer()
    stride = (reader.integer(), reader.integer())
    padding = (reader.integer(), reader.integer())
    shape = reader.alias()
    if shape[0] != filters or shape[2:] != (rows, cols):
        raise DlibFormatError("convolution of unexpected shape")
    count = int(np.prod(shape))
    if params.size != count + filters:
        raise DlibFormatError("convolution parameters of unexpected size")
    return Conv(params[:count].reshape(shape).copy(), params[count:].copy(), stride, padding)


def _assemble(mean: tuple[float, float, float], parsed: list[tuple[str, object]]) -> ResNet:
    names = [name for name, _ in parsed]
    head = ["con_4", "affine_", "relu_", "max_pool_2"]
    if names[:4] != head or names[-2:] != ["avg_pool_2", "fc_2"]:
        raise DlibFormatError("not dlib's face-recognition ResNet (stem or head)")
    stem, stem_affine = parsed[0][1], parsed[1][1]
    assert isinstance(stem, Conv) and isinstance(stem_affine, Affine)
    if parsed[3][1] != (3, 3, 2, 2, 0, 0):
        raise DlibFormatError("unexpected max pool")
    net = ResNet(mean, stem, stem_affine)
    body = parsed[4:-2]
    plain = ["con_4", "affine_", "relu_", "con_4", "affine_", "add_prev_", "relu_"]
    down = ["con_4", "affine_", "relu_", "con_4", "affine_", "avg_pool_2", "add_prev_", "relu_"]
    index = 0
    while index < len(body):
        window = [name for name, _ in body[index:index + 8]]
        is_down = window == down
        if not is_down and window[:7] != plain:
            raise DlibFormatError(f"unexpected layers in residual block at {index}")
        items = [value for _, value in body[index:index + 8]]
        conv1, affine1, conv2, affine2 = items[0], items[1], items[3], items[4]
        assert isinstance(conv1, Conv) and isinstance(conv2, Conv)
        assert isinstance(affine1, Affine) and isinstance(affine2, Affine)
        if is_down and items[5] != (2, 2, 2, 2, 0, 0):
            raise DlibFormatError("unexpected average pool in a down-sampling block")
        net.blocks.append(Block(conv1, affine1, conv2, affine2, is_down))
        index += 8 if is_down else 7
    if parsed[-2][1] != (0, 0, 1, 1, 0, 0):
        raise DlibFormatError("unexpected global average pool")
    fc = parsed[-1][1]
    assert isinstance(fc, np.ndarray)
    net.fc = fc
    if len(net.blocks) != 14:
        raise DlibFormatError(f"{len(net.blocks)} residual blocks, expected 14")
    return net


"""CenterFace's graph made shape-free without importing ``onnx``.

``import onnx`` costs 0.7-1.0 s here (its ``ml_dtypes`` extension alone ~0.66 s), paid by
every ``notforsale`` process that looks at a face — as much as redacting five photos. The
edit :func:`vision.faces._symbolic_model` makes with ``onnx`` is small: drop the graph
inputs that are initializers, and give the input and outputs symbolic dimensions. It is
done here on the protobuf wire format directly (fields of ``onnx.proto``: ModelProto.graph
7; GraphProto.initializer 5, input 11, output 12; TensorProto.name 8; ValueInfoProto.name
1, type 2; TypeProto.tensor_type 1; Tensor.elem_type 1, shape 2; TensorShapeProto.dim 1;
Dimension.dim_value 1, dim_param 2). A test checks the result against ``onnx``'s edit.
"""

from __future__ import annotations

from collections.abc import Iterator


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _fields(buf: bytes) -> Iterator[tuple[int, int, bytes, bytes | int]]:
    """(field number, wire type, raw bytes of the field, payload) of each field."""
    pos = 0
    while pos < len(buf):
        start = pos
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        payload: bytes | int
        if wire == 0:
            payload, pos = _varint(buf, pos)
        elif wire == 1:
            payload, pos = buf[pos:pos + 8], pos + 8
        elif wire == 5:
            payload, pos = buf[pos:pos + 4], pos + 4
        elif wire == 2:
            size, pos = _varint(buf, pos)
            payload, pos = buf[pos:pos + size], pos + size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, buf[start:pos], payload


def _field(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | 2) + _encode_varint(len(payload)) + payload


def _varint_field(number: int, value: int) -> bytes:
    return _encode_varint(number << 3) + _encode_varint(value)


def _string(buf: bytes, number: int) -> str | None:
    for field, wire, _, payload in _fields(buf):
        if field == number and wire == 2:
            assert isinstance(payload, bytes)
            return payload.decode("utf-8")
    return None


def _elem_type(value_info: bytes) -> int:
    for field, _, _, type_proto in _fields(value_info):
        if field == 2 and isinstance(type_proto, bytes):
            for inner, _, _, tensor in _fields(type_proto):
                if inner == 1 and isinstance(tensor, bytes):
                    for number, _, _, elem in _fields(tensor):
                        if number == 1 and isinstance(elem, int):
                            return elem
    return 1  # FLOAT


def _value_info(value_info: bytes, name: str, dims: list[str | int]) -> bytes:
    """``value_info`` (a ValueInfoProto) with its tensor's shape replaced by ``dims``."""
    shape = b"".join(_field(1, _field(2, d.encode()) if isinstance(d, str)
                            else _varint_field(1, d)) for d in dims)
    tensor = _varint_field(1, _elem_type(value_info)) + _field(2, shape)
    out = _field(1, name.encode()) + _field(2, _field(1, tensor))
    # Anything else the value carried (a doc string) is kept as it was.
    return out + b"".join(raw for field, _, raw, _ in _fields(value_info) if field not in (1, 2))


def symbolic_model(raw: bytes, dims: dict[str, list[str | int]]) -> bytes:
    """The model ``raw`` without initializers among its graph inputs, and with the inputs
    and outputs named in ``dims`` given those dimensions (a string: symbolic)."""
    graph = next((payload for field, wire, _, payload in _fields(raw)
                  if field == 7 and wire == 2), None)
    if not isinstance(graph, bytes):
        raise ValueError("no graph in the model")
    initializers = {_string(payload, 8) for field, _, _, payload in _fields(graph)
                    if field == 5 and isinstance(payload, bytes)}
    edited = bytearray()
    for field, _, whole, payload in _fields(graph):
        if field in (11, 12) and isinstance(payload, bytes):
            name = _string(payload, 1) or ""
            if field == 11 and name in initializers:
                continue
            if name in dims:
                whole = _field(field, _value_info(payload, name, dims[name]))
        edited += whole
    return b"".join(_field(7, bytes(edited)) if field == 7 else whole
                    for field, _, whole, _ in _fields(raw))

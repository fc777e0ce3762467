"""CenterFace's graph edited on the wire equals the edit made with ``onnx`` (reason: the
wire edit exists only to avoid importing onnx; it must not change the model)."""

from __future__ import annotations

import onnx

from notforsale.vision import faces
from notforsale.vision.onnx_shapes import symbolic_model


def _shapes(model: onnx.ModelProto) -> dict[str, list[tuple[str, int]]]:
    return {value.name: [(d.dim_param, d.dim_value) for d in value.type.tensor_type.shape.dim]
            for value in list(model.graph.input) + list(model.graph.output)}


def test_wire_edit_equals_the_onnx_edit() -> None:
    raw = faces.model_path().read_bytes()
    wire = onnx.load_from_string(symbolic_model(raw, faces._DIMS))
    reference = onnx.load_from_string(faces._symbolic_model(raw))
    assert [v.name for v in wire.graph.input] == [v.name for v in reference.graph.input] \
        == ["input.1"]
    assert _shapes(wire) == _shapes(reference)
    assert [v.type.tensor_type.elem_type for v in wire.graph.output] == \
        [v.type.tensor_type.elem_type for v in reference.graph.output]
    assert len(wire.graph.initializer) == len(reference.graph.initializer) > 100
    assert wire.graph.node == reference.graph.node
    onnx.checker.check_model(wire)

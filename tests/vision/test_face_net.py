"""dlib's ResNet read from its .dat file agrees with dlib's own descriptor."""

from __future__ import annotations

import numpy as np
import pytest

from notforsale.read.images import decode
from notforsale.vision.align import DLIB5_TEMPLATE, extract_chip, similarity
from notforsale.vision.dlib_model import RESNET_FILE, DlibFormatError, models_dir, read_resnet
from notforsale.vision.face_net import shared_face_net
from tests.identity_photos import SHARED, available

PHOTOS = ["obama_1.jpg", "biden_2.jpg", "rose_leslie_1.jpg", "alex_lacamoire_3.png"]


def test_layers_read_from_the_file() -> None:
    net = read_resnet((models_dir() / RESNET_FILE).read_bytes())
    assert net.stem.weight.shape == (32, 3, 7, 7) and net.stem.stride == (2, 2)
    assert [b.conv2.weight.shape[0] for b in net.blocks] == [32] * 3 + [64] * 4 + [128] * 3 + [256] * 4
    assert [b.down for b in net.blocks].count(True) == 4
    assert net.fc.shape == (256, 128)


@pytest.mark.parametrize("cut", [100, 1_000_000, 20_000_000])
def test_a_truncated_file_is_refused(cut: int) -> None:
    data = (models_dir() / RESNET_FILE).read_bytes()[:cut]
    with pytest.raises(DlibFormatError):
        read_resnet(data)


def test_chips_must_be_150_pixels() -> None:
    with pytest.raises(ValueError):
        shared_face_net().descriptors(np.zeros((1, 112, 112, 3), np.uint8))


@pytest.fixture(scope="module")
def dlib_faces():  # type: ignore[no-untyped-def]
    dlib = pytest.importorskip("dlib")
    if not available():
        pytest.skip("../shared/data is not here")
    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(str(models_dir() / "shape_predictor_5_face_landmarks.dat"))
    reference = dlib.face_recognition_model_v1(str(models_dir() / RESNET_FILE))
    out = []
    for name in PHOTOS:
        rgb = decode((SHARED / "persons" / name).read_bytes(), 100_000).rgb
        rect = max(detector(rgb, 1), key=lambda r: r.width())
        shape = predictor(rgb, rect)
        points = np.array([[shape.part(i).x, shape.part(i).y] for i in range(5)], float)
        chip = np.asarray(dlib.get_face_chip(rgb, shape, 150, 0.25))
        out.append((rgb, points, chip, np.array(reference.compute_face_descriptor(chip)),
                    np.array(reference.compute_face_descriptor(rgb, shape, 0, 0.25))))
    return out


def test_network_agrees_with_dlib_on_dlibs_chips(dlib_faces) -> None:  # type: ignore[no-untyped-def]
    chips = np.stack([chip for _, _, chip, _, _ in dlib_faces])
    ours = shared_face_net().descriptors(chips)
    for vector, (_, _, _, theirs, _) in zip(ours, dlib_faces, strict=True):
        assert np.linalg.norm(vector - theirs) <= 0.01


def test_our_chips_on_dlibs_landmarks_come_close(dlib_faces) -> None:  # type: ignore[no-untyped-def]
    # Our sampling (an OpenCV pyramid and bilinear warp) is not dlib's bit for bit:
    # measured 0.02-0.04 apart, a twentieth of the person threshold.
    for rgb, points, _, _, theirs in dlib_faces:
        chip = extract_chip(rgb, similarity(points, DLIB5_TEMPLATE))
        ours = shared_face_net().descriptors(chip[None])[0]
        assert np.linalg.norm(ours - theirs) <= 0.06

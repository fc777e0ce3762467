"""Face chips for the descriptor network: five landmarks mapped onto a template.

dlib's network was trained on 150×150 chips made by ``get_face_chip_details``
(padding 0.25): a similarity transform (rotation, uniform scale, shift) that
puts dlib's five landmarks — the outer and inner corner of each eye and the
base of the nose — onto a fixed template. We align with CenterFace's five
points instead (eye centres, nose tip, mouth corners), which the detector
already gives for free, onto :data:`CENTERFACE_TEMPLATE`: the same points of
dlib's own mean face shape (the 68-point mean shape in dlib's source, from which
its 5-point template comes; no model file), so the template is derived, not
fitted to any photos: the eye centres are the means of the six eye-contour
points, the nose tip point 30, the mouth corners points 48 and 54.

Sampling is bilinear with black outside the image, as dlib's; a face much
larger than the chip is first shrunk with area averaging (dlib uses an image
pyramid for the same reason: bilinear sampling at a large step aliases).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

CHIP_SIZE = 150
CHIP_PADDING = 0.25

#: dlib's 5-point template on the unit square (dlib/image_transforms/interpolation.h):
#: subject's left eye outer and inner corner, right eye outer and inner corner, nose base.
DLIB5_UNIT = np.array([
    [0.8595674595992, 0.2134981538014],
    [0.6460604764104, 0.2289674387677],
    [0.1205750620789, 0.2137274526848],
    [0.3340850613712, 0.2290642403242],
    [0.4901123135679, 0.6277975316475],
])
#: The same in chip pixels. dlib maps its chip's pixel *centres* 0 … 149 onto the face, so
#: a template point at 0.5 on the unit square lies on pixel 74.5: hence the half pixel.
DLIB5_TEMPLATE = (CHIP_PADDING + DLIB5_UNIT) / (1 + 2 * CHIP_PADDING) * CHIP_SIZE - 0.5

#: dlib's mean face shape (dlib/image_transforms/interpolation.h, ``mean_face_shape_x/y``),
#: the points CenterFace also marks: eye contours 36–41 and 42–47, nose tip 30, mouth
#: corners 48 and 54, on the unit square.
_MEAN_EYE_IMAGE_LEFT = np.array([[0.121737, 0.216423], [0.187122, 0.178758],
                                 [0.265825, 0.179852], [0.334606, 0.231733],
                                 [0.260918, 0.245099], [0.182743, 0.244077]]).mean(0)
_MEAN_EYE_IMAGE_RIGHT = np.array([[0.645647, 0.231733], [0.714428, 0.179852],
                                  [0.793132, 0.178758], [0.858516, 0.216423],
                                  [0.79751, 0.244077], [0.719335, 0.245099]]).mean(0)
CENTERFACE_UNIT = np.array([_MEAN_EYE_IMAGE_LEFT, _MEAN_EYE_IMAGE_RIGHT,
                            [0.490127, 0.515625], [0.254149, 0.780233],
                            [0.726104, 0.780233]])
#: Where CenterFace's five points (image-left eye, image-right eye, nose tip, mouth
#: corners image-left and image-right) go in the chip, in chip pixels.
CENTERFACE_TEMPLATE = (CHIP_PADDING + CENTERFACE_UNIT) / (1 + 2 * CHIP_PADDING) * CHIP_SIZE - 0.5

def similarity(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The least-squares similarity transform (2×3) taking ``source`` points to ``target``.

    No reflection (Umeyama's method).

    >>> m = similarity(np.array([[0., 0.], [1., 0.], [0., 1.]]), np.array([[1., 1.], [1., 3.], [-1., 1.]]))
    >>> np.round(m, 6).tolist()
    [[0.0, -2.0, 1.0], [2.0, 0.0, 1.0]]
    """  # noqa: E501
    src, dst = np.asarray(source, np.float64), np.asarray(target, np.float64)
    src_mean, dst_mean = src.mean(0), dst.mean(0)
    a, b = src - src_mean, dst - dst_mean
    covariance = b.T @ a / len(src)
    u, singular, vt = np.linalg.svd(covariance)
    sign = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[-1] = -1
    rotation = u @ np.diag(sign) @ vt
    variance = (a ** 2).sum() / len(src)
    scale = float((singular * sign).sum() / variance) if variance > 0 else 1.0
    matrix = np.empty((2, 3))
    matrix[:, :2] = scale * rotation
    matrix[:, 2] = dst_mean - matrix[:, :2] @ src_mean
    return matrix


def chip_transform(landmarks: Sequence[Sequence[float]] | np.ndarray,
                   template: np.ndarray = CENTERFACE_TEMPLATE) -> np.ndarray:
    """The image-to-chip transform (2×3) for five landmarks in the image's pixels."""
    return similarity(np.asarray(landmarks, np.float64), template)


def extract_chip(rgb: np.ndarray, matrix: np.ndarray, size: int = CHIP_SIZE) -> np.ndarray:
    """The ``size``×``size`` chip that ``matrix`` (image → chip) cuts out of ``rgb``."""
    matrix = np.asarray(matrix, np.float64)
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))  # chip pixels per image pixel
    levels = 0
    while 1 / scale / 2 ** (levels + 1) > 1:
        levels += 1
    source = rgb
    if levels:
        # Like dlib: halve the region around the face with a 5-tap Gaussian pyramid
        # until it is less than twice the chip, then sample bilinearly (a large
        # bilinear step would skip pixels instead of averaging them).
        inverse = cv2.invertAffineTransform(matrix)
        corners = np.array([[0, 0, 1], [size, 0, 1], [0, size, 1], [size, size, 1]], float)
        mapped = corners @ inverse.T
        margin = 4 * 2 ** levels
        height, width = rgb.shape[:2]
        x0 = max(0, int(np.floor(mapped[:, 0].min())) - margin)
        y0 = max(0, int(np.floor(mapped[:, 1].min())) - margin)
        x1 = min(width, int(np.ceil(mapped[:, 0].max())) + margin)
        y1 = min(height, int(np.ceil(mapped[:, 1].max())) + margin)
        if x1 - x0 < 2 ** (levels + 1) or y1 - y0 < 2 ** (levels + 1):
            return np.zeros((size, size, 3), np.uint8)  # the face lies outside the image
        source = rgb[y0:y1, x0:x1]
        for _ in range(levels):
            source = cv2.pyrDown(source)
        # pyrDown's pixel u sits on its input's pixel 2u: image = offset + 2^levels · small
        step = 2.0 ** levels
        matrix = np.hstack([matrix[:, :2] * step,
                            (matrix[:, :2] @ np.array([x0, y0], float) + matrix[:, 2])[:, None]])
    return cv2.warpAffine(source, matrix, (size, size), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))

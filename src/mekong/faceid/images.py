"""Photos in, RGB arrays out, and whether a face in them is usable. Pure module (Pillow and NumPy).

Phones send large JPEGs with the orientation in EXIF; a lookup needs only a few hundred pixels of face, so
photos are turned upright and scaled down to MAX_SIDE before anything else (detection time grows with the
pixel count).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from mekong.faceid.embedders.base import DetectedFace

MAX_SIDE = 800
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}

# A face narrower than this (after scaling) has too few pixels for a reliable descriptor.
MIN_FACE_PIXELS = 64
# Mean brightness (0–255) of the face below which the photo is too dark.
MIN_BRIGHTNESS = 45.0
# Variance of the Laplacian of the face (normalised to a 160-pixel face) below which it is too blurred.
MIN_SHARPNESS = 12.0


class ImageProblem(StrEnum):
    UNREADABLE = "unreadable"
    TOO_LARGE = "too_large"
    NO_FACE = "no_face"
    SEVERAL_FACES = "several_faces"
    TOO_SMALL = "too_small"
    TOO_DARK = "too_dark"
    BLURRED = "blurred"


class UnusablePhoto(Exception):
    def __init__(self, problem: ImageProblem) -> None:
        self.problem = problem
        super().__init__(problem.value)


def decode(data: bytes) -> np.ndarray:
    """An upright RGB array of a JPEG, PNG or WebP photo, at most MAX_SIDE pixels on its long side."""
    if len(data) > MAX_BYTES:
        raise UnusablePhoto(ImageProblem.TOO_LARGE)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format not in ACCEPTED_FORMATS:
                raise UnusablePhoto(ImageProblem.UNREADABLE)
            if opened.width * opened.height > MAX_PIXELS:
                raise UnusablePhoto(ImageProblem.TOO_LARGE)
            opened.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced scale, much faster
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise UnusablePhoto(ImageProblem.UNREADABLE) from exc
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BILINEAR)
    return np.asarray(image)


@dataclass(frozen=True)
class FaceQuality:
    width: int
    brightness: float
    sharpness: float

    def problem(self) -> ImageProblem | None:
        if self.width < MIN_FACE_PIXELS:
            return ImageProblem.TOO_SMALL
        if self.brightness < MIN_BRIGHTNESS:
            return ImageProblem.TOO_DARK
        if self.sharpness < MIN_SHARPNESS:
            return ImageProblem.BLURRED
        return None


def face_quality(image: np.ndarray, face: DetectedFace) -> FaceQuality:
    b = face.box
    height, width = image.shape[:2]
    crop = image[max(b.top, 0) : min(b.bottom, height), max(b.left, 0) : min(b.right, width)]
    if crop.size == 0:
        return FaceQuality(width=0, brightness=0.0, sharpness=0.0)
    gray = crop.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    # Sharpness is compared at one scale: resample the face to about 160 pixels wide first.
    step = max(1, round(gray.shape[1] / 160))
    small = gray[::step, ::step]
    laplacian = (
        -4 * small[1:-1, 1:-1] + small[:-2, 1:-1] + small[2:, 1:-1] + small[1:-1, :-2] + small[1:-1, 2:]
    )
    return FaceQuality(
        width=min(b.right, width) - max(b.left, 0),
        brightness=float(gray.mean()),
        sharpness=float(laplacian.var()) if laplacian.size else 0.0,
    )


def the_one_face(image: np.ndarray, faces: list[DetectedFace]) -> DetectedFace:
    """The face a lookup or an enrolment uses: exactly one, large, lit and sharp enough."""
    if not faces:
        raise UnusablePhoto(ImageProblem.NO_FACE)
    if len(faces) > 1:
        raise UnusablePhoto(ImageProblem.SEVERAL_FACES)
    problem = face_quality(image, faces[0]).problem()
    if problem is not None:
        raise UnusablePhoto(problem)
    return faces[0]

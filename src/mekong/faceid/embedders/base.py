"""What a face model must provide. The platform never depends on one model: `registry.get_embedder()` picks
the one named in the settings (MEKONG_FACEID_EMBEDDER), and a new model is a new `contrib/<name>/` package.

Images are RGB arrays (height × width × 3, uint8) as `faceid.images.decode` returns them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True)
class DetectedFace:
    """A face found in an image. `landmarks`: five (x, y) points — the outer and inner corner of the eye on
    the image's right, then of the eye on the image's left, then the base of the nose."""

    box: Box
    landmarks: tuple[tuple[float, float], ...]


class FaceEmbedder(ABC):
    #: Registry name, also stored with every embedding: vectors of two models are never compared.
    name: str
    dimensions: int

    @abstractmethod
    def detect(self, image: np.ndarray) -> list[DetectedFace]:
        """Every face in `image`, largest first."""

    @abstractmethod
    def embed(self, image: np.ndarray, face: DetectedFace) -> np.ndarray:
        """The face's vector (float32, `dimensions` long); Euclidean distance compares two faces."""

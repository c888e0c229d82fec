"""dlib's face detector (HOG by default, the CNN "MMOD" detector as an option), its 5-point landmarks and
its ResNet face descriptor (128 dimensions), with the weights shipped in `face_recognition_models`: nothing
is downloaded. The HOG detector takes about 0.1 s on a 640×480 photo on one core; the CNN detector is more
tolerant of angles and light and several times slower without a GPU."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from mekong.faceid.embedders.base import Box, DetectedFace, FaceEmbedder
from mekong.faceid.embedders.registry import register

# Photos smaller than this on their short side are upsampled once so that faces of ~40 px are found.
UPSAMPLE_BELOW = 480


class DlibEmbedder(FaceEmbedder):
    dimensions = 128

    def __init__(self, detector: str = "hog") -> None:
        import dlib
        import face_recognition_models as weights

        self.name = f"dlib-{detector}"
        self._cnn = detector == "cnn"
        self._detector: Any = (
            dlib.cnn_face_detection_model_v1(weights.cnn_face_detector_model_location())
            if self._cnn
            else dlib.get_frontal_face_detector()
        )
        self._shapes = dlib.shape_predictor(weights.pose_predictor_five_point_model_location())
        self._encoder = dlib.face_recognition_model_v1(weights.face_recognition_model_location())
        self._rectangle = dlib.rectangle
        # dlib's objects are not documented as thread-safe; gunicorn threads share one instance.
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> list[DetectedFace]:
        upsample = 1 if min(image.shape[:2]) < UPSAMPLE_BELOW else 0
        with self._lock:
            found = self._detector(image, upsample)
            rectangles = [d.rect for d in found] if self._cnn else list(found)
            faces = []
            for r in rectangles:
                shape = self._shapes(image, r)
                points = tuple((float(shape.part(i).x), float(shape.part(i).y)) for i in range(5))
                # As dlib gives it (may reach past the edges): `embed` must see the same rectangle.
                box = Box(r.left(), r.top(), r.right(), r.bottom())
                faces.append(DetectedFace(box=box, landmarks=points))
        return sorted(faces, key=lambda f: f.box.width * f.box.height, reverse=True)

    def embed(self, image: np.ndarray, face: DetectedFace) -> np.ndarray:
        b = face.box
        with self._lock:
            shape = self._shapes(image, self._rectangle(b.left, b.top, b.right, b.bottom))
            vector = self._encoder.compute_face_descriptor(image, shape, 1)
        return np.asarray(vector, dtype=np.float32)


register("dlib-hog")(lambda: DlibEmbedder("hog"))
register("dlib-cnn")(lambda: DlibEmbedder("cnn"))

"""Reading photos with the real model: which faces are usable, and the head-turn measure."""

from __future__ import annotations

import numpy as np
import pytest

from mekong.faceid import images
from mekong.faceid.embedders.registry import get_embedder
from mekong.faceid.images import ImageProblem, UnusablePhoto
from mekong.faceid.liveness import Direction, LivenessProblem, check_turn, yaw_ratio

from .conftest import Photos, blank_photo


def _problem(data: bytes) -> ImageProblem | None:
    embedder = get_embedder("dlib-hog")
    try:
        image = images.decode(data)
        images.the_one_face(image, embedder.detect(image))
    except UnusablePhoto as exc:
        return exc.problem
    return None


def test_a_clear_portrait_is_usable(photos: Photos) -> None:
    assert _problem(photos.bytes("people/barack_obama/01.jpg")) is None


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ({"brightness": 0.25}, ImageProblem.TOO_DARK),
        ({"blur": 6}, ImageProblem.BLURRED),
        ({"scale": 0.22}, ImageProblem.TOO_SMALL),
    ],
)
def test_poor_photos_say_what_is_wrong(photos: Photos, edit: dict[str, float], problem: ImageProblem) -> None:
    assert _problem(photos.edited("people/barack_obama/01.jpg", **edit)) is problem


def test_several_faces(photos: Photos) -> None:
    for name in ("multi/obama_and_biden.jpg", "multi/two_people.jpg", "multi/kit_with_rose.jpg"):
        assert _problem(photos.bytes(name)) is ImageProblem.SEVERAL_FACES, name


def test_no_face() -> None:
    assert _problem(blank_photo()) is ImageProblem.NO_FACE


def test_not_an_image_and_too_large() -> None:
    assert _problem(b"%PDF-1.7 not a photo") is ImageProblem.UNREADABLE
    assert _problem(b"\xff\xd8" + b"0" * images.MAX_BYTES) is ImageProblem.TOO_LARGE


def test_large_photos_are_scaled_down_upright(photos: Photos) -> None:
    image = images.decode(photos.bytes("people/barack_obama/04.jpg"))  # 1434 × 2333 on disk
    assert max(image.shape[:2]) <= images.MAX_SIDE
    assert image.shape[0] > image.shape[1]  # still portrait


def test_yaw_changes_sign_in_a_mirror(photos: Photos) -> None:
    embedder = get_embedder("dlib-hog")
    image = images.decode(photos.bytes("people/barack_obama/03.jpg"))
    mirrored = np.ascontiguousarray(image[:, ::-1])
    original = yaw_ratio(embedder.detect(image)[0].landmarks)
    flipped = yaw_ratio(embedder.detect(mirrored)[0].landmarks)
    assert original > 0.12
    assert flipped < -0.12


FRONT = ((100.0, 50.0), (80.0, 50.0), (40.0, 50.0), (60.0, 50.0), (70.0, 80.0))
TURNED_LEFT = ((100.0, 50.0), (80.0, 50.0), (40.0, 50.0), (60.0, 50.0), (82.0, 80.0))


def test_turn_check() -> None:
    same = {"same_person_distance": 0.3, "max_same_person_distance": 0.6}
    assert check_turn(FRONT, TURNED_LEFT, Direction.LEFT, **same).passed
    assert check_turn(FRONT, TURNED_LEFT, Direction.RIGHT, **same).problem is LivenessProblem.WRONG_WAY
    assert check_turn(FRONT, FRONT, Direction.LEFT, **same).problem is LivenessProblem.NOT_TURNED
    assert check_turn(TURNED_LEFT, FRONT, Direction.RIGHT, **same).problem is LivenessProblem.NOT_FRONTAL
    different = {"same_person_distance": 0.9, "max_same_person_distance": 0.6}
    assert (
        check_turn(FRONT, TURNED_LEFT, Direction.LEFT, **different).problem
        is LivenessProblem.DIFFERENT_PERSON
    )

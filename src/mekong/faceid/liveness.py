"""A basic presentation-attack check: the citizen turns their head the way the page asks, between two frames.
Pure module.

The server picks the direction (left or right) at random for each attempt and signs it into the challenge,
so a pair of frames made for one attempt does not pass another. The check: both frames show one face, the
same person (within the genuine distance), the first roughly frontal, the second turned the requested way
by at least MIN_TURN, measured from the five landmarks (how far the nose moves from the midpoint of the
eyes, relative to the distance between the eyes).

What it stops: a printed photo or a still image on a screen held to the camera, which cannot turn. What it
does not stop (written down in docs/decisions/0005-face-lookup.md): a video of the person turning their
head, a 3-D mask, or frames injected by a modified browser. It raises the cost of casual misuse; it is not
certified liveness detection (ISO/IEC 30107-3), which needs dedicated models or hardware.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

# Yaw ratio: nose offset from the eyes' midpoint ÷ distance between the eye centres. About 0 facing the
# camera; about ±0.25 at a clear quarter turn.
MAX_FRONTAL = 0.12
MIN_TURN = 0.15


class Direction(StrEnum):
    # As the citizen sees it: "turn to your left" moves the nose to the right of the (unmirrored) image.
    LEFT = "left"
    RIGHT = "right"


class LivenessProblem(StrEnum):
    NOT_FRONTAL = "not_frontal"
    NOT_TURNED = "not_turned"
    WRONG_WAY = "wrong_way"
    DIFFERENT_PERSON = "different_person"


Point = tuple[float, float]


def yaw_ratio(landmarks: Sequence[Point]) -> float:
    """Positive when the nose is right of the eyes' midpoint in the image (the person turned to their left)."""
    image_right_eye = ((landmarks[0][0] + landmarks[1][0]) / 2, (landmarks[0][1] + landmarks[1][1]) / 2)
    image_left_eye = ((landmarks[2][0] + landmarks[3][0]) / 2, (landmarks[2][1] + landmarks[3][1]) / 2)
    between = abs(image_right_eye[0] - image_left_eye[0]) or 1.0
    middle = (image_right_eye[0] + image_left_eye[0]) / 2
    return (landmarks[4][0] - middle) / between


@dataclass(frozen=True)
class TurnCheck:
    frontal_yaw: float
    turned_yaw: float
    problem: LivenessProblem | None

    @property
    def passed(self) -> bool:
        return self.problem is None


def check_turn(
    frontal: Sequence[Point],
    turned: Sequence[Point],
    direction: Direction,
    *,
    same_person_distance: float,
    max_same_person_distance: float,
) -> TurnCheck:
    """Did the face in the second frame turn `direction` from a frontal first frame, and is it the same face?"""
    first, second = yaw_ratio(frontal), yaw_ratio(turned)
    problem: LivenessProblem | None = None
    if same_person_distance > max_same_person_distance:
        problem = LivenessProblem.DIFFERENT_PERSON
    elif abs(first) > MAX_FRONTAL:
        problem = LivenessProblem.NOT_FRONTAL
    else:
        moved = second - first
        wanted = 1 if direction is Direction.LEFT else -1
        if abs(moved) < MIN_TURN:
            problem = LivenessProblem.NOT_TURNED
        elif moved * wanted < 0:
            problem = LivenessProblem.WRONG_WAY
    return TurnCheck(frontal_yaw=first, turned_yaw=second, problem=problem)

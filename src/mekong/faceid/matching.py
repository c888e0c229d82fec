"""Deciding whether a face belongs to one of the candidates. Pure module (NumPy).

A lookup compares the selfie with every embedding of the candidate identities (those sharing the factor the
citizen typed). An identity's distance is its closest embedding. The best identity is a match only when it
is within the calibrated threshold for that many identities AND clearly closer than the next identity (by
the calibration's margin): two close candidates mean the model cannot tell them apart, and showing either
one's dossiers would be a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from mekong.faceid.calibration import Calibration


class Reason(StrEnum):
    MATCH = "match"
    NO_CANDIDATES = "no_candidates"
    TOO_FAR = "too_far"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class Decision:
    reason: Reason
    identity: int | None
    candidates: int
    best_distance: float | None
    next_distance: float | None
    threshold: float | None

    @property
    def matched(self) -> bool:
        return self.reason is Reason.MATCH


def identity_distances(query: np.ndarray, owners: np.ndarray, vectors: np.ndarray) -> dict[int, float]:
    """The closest distance from `query` to each owner's vectors. `owners[i]` owns `vectors[i]`."""
    if len(owners) == 0:
        return {}
    distances = np.linalg.norm(vectors - query[np.newaxis, :], axis=1)
    closest: dict[int, float] = {}
    for owner, distance in zip(owners.tolist(), distances.tolist(), strict=True):
        if distance < closest.get(owner, np.inf):
            closest[owner] = distance
    return closest


def decide(query: np.ndarray, owners: np.ndarray, vectors: np.ndarray, calibration: Calibration) -> Decision:
    by_identity = sorted(identity_distances(query, owners, vectors).items(), key=lambda item: item[1])
    count = len(by_identity)
    if count == 0:
        return Decision(Reason.NO_CANDIDATES, None, 0, None, None, None)
    threshold = calibration.threshold(count)
    best_identity, best = by_identity[0]
    runner_up = by_identity[1][1] if count > 1 else None
    if best > threshold:
        reason = Reason.TOO_FAR
    elif runner_up is not None and runner_up - best < calibration.margin:
        reason = Reason.AMBIGUOUS
    else:
        reason = Reason.MATCH
    return Decision(
        reason=reason,
        identity=best_identity if reason is Reason.MATCH else None,
        candidates=count,
        best_distance=best,
        next_distance=runner_up,
        threshold=threshold,
    )

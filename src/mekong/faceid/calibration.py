"""How far apart two different people's faces are, and what that means for a lookup. Pure module (NumPy and
the standard library; no Django).

A lookup compares a selfie with the `n` identities that share the remembered factor (date of birth, or the
last four digits of the phone). Each comparison with a stranger is a chance of a false match: if one
comparison falls within the threshold with probability FAR, a lookup among `n` strangers does with
probability FPIR(n) = 1 − (1 − FAR)^n. The threshold for a lookup is therefore chosen from its candidate
count so that FPIR stays below the target (1 in 10,000 lookups), never from a fixed distance.

FAR at a threshold comes from a model of the impostor distances: a normal distribution fitted to the
distances measured between photos of different people. A few hundred pairs say little about a tail of
one in a million, so the model is also never allowed to be more optimistic than the rate published for
this face model on large sets (about 1 in 300 pairs of strangers within 0.6): when the measured spread is
narrower than that rate implies, the wider one is used. Both the fit and the anchor are recorded with the
calibration, which is data (`faceid/data/calibration.json`), not code.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

# Published behaviour of dlib's ResNet model: two strangers fall within 0.6 in about 1 of 300 pairs.
PUBLISHED_ANCHOR_DISTANCE = 0.6
PUBLISHED_ANCHOR_FAR = 1 / 300
# The chance of showing one citizen's dossiers to another, per lookup, that the province accepts.
DEFAULT_TARGET_FPIR = 1e-4


@dataclass(frozen=True)
class DistanceSummary:
    count: int
    mean: float
    std: float
    minimum: float
    maximum: float
    percentiles: dict[str, float]

    @classmethod
    def of(cls, distances: Sequence[float]) -> DistanceSummary:
        values = np.asarray(distances, dtype=float)
        if values.size == 0:
            return cls(0, math.nan, math.nan, math.nan, math.nan, {})
        points = (1, 5, 25, 50, 75, 95, 99)
        return cls(
            count=int(values.size),
            mean=float(values.mean()),
            std=float(values.std(ddof=1)) if values.size > 1 else 0.0,
            minimum=float(values.min()),
            maximum=float(values.max()),
            percentiles={f"p{p}": float(np.percentile(values, p)) for p in points},
        )


def pair_distances(
    embeddings: Mapping[str, Sequence[np.ndarray]],
) -> tuple[list[float], list[float]]:
    """Euclidean distances between every pair of embeddings: (genuine: same person, impostor: different)."""
    labelled = [(person, vector) for person, vectors in embeddings.items() for vector in vectors]
    genuine: list[float] = []
    impostor: list[float] = []
    for (person_a, a), (person_b, b) in itertools.combinations(labelled, 2):
        distance = float(np.linalg.norm(np.asarray(a) - np.asarray(b)))
        (genuine if person_a == person_b else impostor).append(distance)
    return genuine, impostor


def fpir(far: float, candidates: int) -> float:
    """Chance that a lookup among `candidates` strangers matches one of them."""
    if candidates <= 0:
        return 0.0
    # log1p/expm1 keep precision where FAR is tiny.
    return -math.expm1(candidates * math.log1p(-min(max(far, 0.0), 1.0 - 1e-16)))


def far_allowed(target_fpir: float, candidates: int) -> float:
    """The per-comparison FAR that keeps a lookup among `candidates` strangers at `target_fpir`."""
    if candidates <= 0 or target_fpir >= 1:
        return 1.0
    return -math.expm1(math.log1p(-target_fpir) / candidates)


@dataclass(frozen=True)
class Calibration:
    """The impostor model and the limits a lookup applies. `mean` and `std` describe impostor distances."""

    model: str
    mean: float
    std: float
    measured_std: float
    anchored: bool  # True when the published rate, not the measurement, set the spread
    target_fpir: float = DEFAULT_TARGET_FPIR
    # Never accept above this distance, whatever the candidate count (the model's usual same-person bound).
    max_threshold: float = PUBLISHED_ANCHOR_DISTANCE
    # The best identity must beat the next one by this much.
    margin: float = 0.08
    genuine: DistanceSummary | None = None
    impostor: DistanceSummary | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)

    def far(self, threshold: float) -> float:
        """Chance that two strangers are within `threshold` of each other."""
        return NormalDist(self.mean, self.std).cdf(threshold)

    def threshold(self, candidates: int, target_fpir: float | None = None) -> float:
        """The largest distance accepted in a lookup among `candidates` identities (at `target_fpir`, by
        default the calibration's own target)."""
        target = self.target_fpir if target_fpir is None else target_fpir
        allowed = far_allowed(target, max(candidates, 1))
        return min(NormalDist(self.mean, self.std).inv_cdf(allowed), self.max_threshold)

    def expected_fpir(self, candidates: int, threshold: float | None = None) -> float:
        """FPIR(n) at `threshold` (default: the threshold a lookup among n identities would use)."""
        return fpir(self.far(self.threshold(candidates) if threshold is None else threshold), candidates)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        values = dict(data)
        for key in ("genuine", "impostor"):
            if values.get(key) is not None:
                values[key] = DistanceSummary(**values[key])
        return cls(**values)


def calibrate(
    genuine: Sequence[float],
    impostor: Sequence[float],
    *,
    model: str,
    source: str = "",
    target_fpir: float = DEFAULT_TARGET_FPIR,
    anchor: tuple[float, float] | None = (PUBLISHED_ANCHOR_DISTANCE, PUBLISHED_ANCHOR_FAR),
) -> Calibration:
    """Fit the impostor model to measured distances. `anchor` (distance, FAR): a published rate the model
    may not be more optimistic than; None trusts the measurement alone."""
    if len(impostor) < 2:
        raise ValueError("need at least two impostor distances (photos of two different people)")
    summary = DistanceSummary.of(impostor)
    std = summary.std
    anchored = False
    notes = [
        f"Normal fit to {summary.count} impostor distances (mean {summary.mean:.3f}, sd {summary.std:.3f}).",
    ]
    if anchor is not None:
        distance, far = anchor
        if summary.mean > distance:
            anchored_std = (summary.mean - distance) / -NormalDist().inv_cdf(far)
            if anchored_std > std:
                std = anchored_std
                anchored = True
                notes.append(
                    f"Spread widened to {std:.3f} so that FAR({distance}) = {far:.2e}, the published rate: "
                    "the measured set is too small to be trusted further out."
                )
    return Calibration(
        model=model,
        mean=summary.mean,
        std=std,
        measured_std=summary.std,
        anchored=anchored,
        target_fpir=target_fpir,
        genuine=DistanceSummary.of(genuine),
        impostor=summary,
        source=source,
        notes=notes,
    )


def rates(genuine: Iterable[float], impostor: Iterable[float], threshold: float) -> dict[str, float]:
    """Measured TAR and FAR at `threshold` (what the photos themselves show, without the model)."""
    g = np.asarray(list(genuine), dtype=float)
    i = np.asarray(list(impostor), dtype=float)
    return {
        "threshold": threshold,
        "tar": float((g <= threshold).mean()) if g.size else math.nan,
        "far": float((i <= threshold).mean()) if i.size else math.nan,
        "genuine_pairs": int(g.size),
        "impostor_pairs": int(i.size),
    }

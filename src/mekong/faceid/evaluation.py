"""Measuring the face lookup: labelled photos in, distances, identification outcomes and synthetic galleries
out. Pure module (NumPy and the standard library; no Django), used by `make bench-faceid` and its tests.

Labelled photos follow one layout, whatever their number: `<root>/people/<person>/<photo>`, one face per
photo. `multi/` (several faces) and `hard/` (partly hidden faces) beside `people/` are optional.

Synthetic galleries: a million enrolled citizens cannot be photographed for a benchmark, so their embeddings
are drawn from a normal model of real ones (`EmbeddingModel.fit`). Its mean is the per-dimension mean of the
real embeddings. A covariance estimated from a few dozen photos in 128 dimensions is singular (rank at most
photos − 1) and dominated by the few people photographed, so it is shrunk toward an isotropic one; the
shrinkage is the one that makes the model's impostor distances as spread as the measured ones, and the
scale the one that makes their mean the measured mean (for a normal model both are closed-form: the
squared distance between two draws has mean 2·tr Σ and variance 8·tr Σ²). A "same person, new photo"
query is a gallery vector plus noise of the same shape, scaled to the measured genuine distance.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np

from mekong.faceid import images
from mekong.faceid.calibration import Calibration
from mekong.faceid.embedders.base import Box, FaceEmbedder

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


# --- Labelled photos ---------------------------------------------------------------------------------


def labelled_photos(root: Path) -> dict[str, list[Path]]:
    """`{person: [photo, …]}` from `<root>/people/<person>/<photo>`, sorted, photos of every person."""
    people = root / "people"
    if not people.is_dir():
        raise FileNotFoundError(f"{root}: no people/ folder (expected people/<person>/<photo>)")
    found = {
        person.name: sorted(p for p in person.iterdir() if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES)
        for person in sorted(people.iterdir())
        if person.is_dir()
    }
    return {person: photos for person, photos in found.items() if photos}


def photos_in(folder: Path) -> list[Path]:
    """The photos directly in `folder` (e.g. `multi/`), none if it is missing."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES)


@dataclass(frozen=True)
class PhotoReading:
    """What the lookup pipeline makes of one photo. `vector` is the largest face's embedding (None without a
    face); `problem` is what the quality gate (`images.the_one_face`) would refuse it for, or None."""

    faces: int
    problem: images.ImageProblem | None
    vector: np.ndarray | None
    box: Box | None = None  # the largest face, in the decoded image (at most images.MAX_SIDE pixels)
    face_width: int = 0
    brightness: float = math.nan
    sharpness: float = math.nan


def read_photo(data: bytes, embedder: FaceEmbedder) -> PhotoReading:
    """Decode, detect, check and embed one photo, as a lookup does, without stopping at a refusal."""
    try:
        image = images.decode(data)
    except images.UnusablePhoto as refused:
        return PhotoReading(faces=0, problem=refused.problem, vector=None)
    faces = embedder.detect(image)
    problem: images.ImageProblem | None = None
    try:
        images.the_one_face(image, faces)
    except images.UnusablePhoto as refused:
        problem = refused.problem
    if not faces:
        return PhotoReading(faces=0, problem=problem, vector=None)
    quality = images.face_quality(image, faces[0])
    return PhotoReading(
        faces=len(faces),
        problem=problem,
        vector=embedder.embed(image, faces[0]),
        box=faces[0].box,
        face_width=quality.width,
        brightness=quality.brightness,
        sharpness=quality.sharpness,
    )


# --- Identification ----------------------------------------------------------------------------------


class Outcome(StrEnum):
    CORRECT = "correct"  # the right person
    WRONG = "wrong"  # somebody else: the failure that shows one citizen's dossiers to another
    NOT_FOUND = "not_found"  # the person is enrolled but nobody was accepted
    CORRECTLY_NOT_FOUND = "correctly_not_found"  # the person is not enrolled and nobody was accepted


@dataclass(frozen=True)
class Match:
    """A lookup's answer. `identity` is None when nobody was accepted."""

    identity: str | None
    nearest: str | None
    distance: float
    runner_up: float  # the nearest other identity's distance (inf with a single identity)
    threshold: float
    candidates: int


class Gallery:
    """The candidates of one lookup: identities with one or more embeddings each, searched exactly."""

    def __init__(self, enrolled: Mapping[str, Sequence[np.ndarray]]) -> None:
        identities = [identity for identity, vectors in enrolled.items() if len(vectors)]
        self.identities = identities
        rows = [np.asarray(v, dtype=np.float32) for identity in identities for v in enrolled[identity]]
        self.matrix = np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        self.owner = np.array([i for i, identity in enumerate(identities) for _ in enrolled[identity]])

    def __len__(self) -> int:
        return len(self.identities)

    def identify(self, query: np.ndarray, calibration: Calibration) -> Match:
        """The identity within the threshold for this many candidates that beats the next one by the
        calibration's margin, or nobody."""
        n = len(self.identities)
        threshold = calibration.threshold(n)
        if n == 0:
            return Match(None, None, math.inf, math.inf, threshold, 0)
        distances = np.linalg.norm(self.matrix - np.asarray(query, dtype=np.float32), axis=1)
        per_identity = np.full(n, np.inf)
        np.minimum.at(per_identity, self.owner, distances)
        order = np.argsort(per_identity)
        best = float(per_identity[order[0]])
        runner_up = float(per_identity[order[1]]) if n > 1 else math.inf
        nearest = self.identities[int(order[0])]
        accepted = best <= threshold and runner_up - best >= calibration.margin
        return Match(nearest if accepted else None, nearest, best, runner_up, threshold, n)


def outcome(match: Match, truth: str, enrolled: bool) -> Outcome:
    if match.identity is None:
        return Outcome.NOT_FOUND if enrolled else Outcome.CORRECTLY_NOT_FOUND
    return Outcome.CORRECT if match.identity == truth else Outcome.WRONG


@dataclass(frozen=True)
class LeaveOneOutResult:
    counts: dict[str, int]
    photos: list[dict[str, object]] = field(default_factory=list)


def leave_one_out(
    embeddings: Mapping[str, Sequence[np.ndarray]],
    calibration: Calibration,
    names: Mapping[str, Sequence[str]] | None = None,
) -> LeaveOneOutResult:
    """Each photo looked up in a gallery of all the other photos (identity = person). A person with a single
    photo is not enrolled when it is the query: "correctly not found" is then the right answer."""
    counts = {o.value: 0 for o in Outcome}
    photos: list[dict[str, object]] = []
    for person, vectors in embeddings.items():
        for index, query in enumerate(vectors):
            gallery = Gallery(
                {
                    other: [v for j, v in enumerate(others) if not (other == person and j == index)]
                    for other, others in embeddings.items()
                }
            )
            enrolled = person in gallery.identities
            match = gallery.identify(query, calibration)
            result = outcome(match, person, enrolled)
            counts[result.value] += 1
            photos.append(
                {
                    "photo": names[person][index] if names else f"{person}/{index}",
                    "outcome": result.value,
                    "nearest": match.nearest,
                    "distance": round(match.distance, 4),
                    "runner_up": round(match.runner_up, 4) if math.isfinite(match.runner_up) else None,
                    "threshold": round(match.threshold, 4),
                    "candidates": match.candidates,
                }
            )
    return LeaveOneOutResult(counts=counts, photos=photos)


# --- Synthetic embeddings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbeddingModel:
    """A normal model of a population's embeddings (see the module docstring)."""

    mean: np.ndarray
    covariance: np.ndarray
    shrinkage: float  # 0: the sample covariance's shape; 1: isotropic
    genuine_distance: float  # typical distance between two photos of one person

    @classmethod
    def fit(
        cls,
        vectors: np.ndarray,
        impostor_distances: Sequence[float],
        genuine_distances: Sequence[float] = (),
    ) -> EmbeddingModel:
        """`vectors`: real embeddings (rows); the distance samples are those measured between them."""
        x = np.asarray(vectors, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] < 3:
            raise ValueError("need at least three embeddings to estimate a covariance")
        if len(impostor_distances) < 2:
            raise ValueError("need at least two impostor distances")
        dimensions = x.shape[1]
        sample = np.cov(x, rowvar=False)
        shape = sample / np.trace(sample)  # trace 1
        squared = np.asarray(impostor_distances, dtype=np.float64) ** 2
        trace = squared.mean() / 2  # E‖x − y‖² = 2 tr Σ
        # Var‖x − y‖² = 8 tr Σ²; with Σ = trace · ((1 − a) shape + a I/d), tr Σ² / trace² is
        # (1 − a)² (tr shape² − 1/d) + 1/d: solve for a, within [0, 1].
        wanted = squared.var(ddof=1) / (8 * trace**2)
        concentration = float(np.trace(shape @ shape))
        ratio = (wanted - 1 / dimensions) / (concentration - 1 / dimensions)
        shrinkage = 1 - math.sqrt(min(max(ratio, 0.0), 1.0))
        covariance = trace * ((1 - shrinkage) * shape + shrinkage * np.eye(dimensions) / dimensions)
        genuine = float(np.mean(genuine_distances)) if len(genuine_distances) else 0.35
        return cls(mean=x.mean(axis=0), covariance=covariance, shrinkage=shrinkage, genuine_distance=genuine)

    @property
    def dimensions(self) -> int:
        return int(self.mean.shape[0])

    @property
    def effective_dimensions(self) -> float:
        """(tr Σ)² / tr Σ²: how many equally spread directions the model amounts to."""
        return float(np.trace(self.covariance) ** 2 / np.trace(self.covariance @ self.covariance))

    def sample(self, count: int, rng: np.random.Generator, chunk: int = 100_000) -> np.ndarray:
        """`count` embeddings of different people (float32 rows)."""
        out = np.empty((count, self.dimensions), dtype=np.float32)
        for start, block in self.sample_chunks(count, rng, chunk):
            out[start : start + len(block)] = block
        return out

    def sample_chunks(
        self, count: int, rng: np.random.Generator, chunk: int = 100_000
    ) -> Iterator[tuple[int, np.ndarray]]:
        factor = np.linalg.cholesky(self.covariance)
        for start in range(0, count, chunk):
            size = min(chunk, count - start)
            block = self.mean + rng.standard_normal((size, self.dimensions)) @ factor.T
            yield start, block.astype(np.float32)

    def new_photos(
        self, vectors: np.ndarray, rng: np.random.Generator, distance: float | None = None
    ) -> np.ndarray:
        """Another photo of each person in `vectors`: about `distance` (default the genuine distance) away,
        along the model's own directions."""
        wanted = self.genuine_distance if distance is None else distance
        scale = wanted / math.sqrt(float(np.trace(self.covariance)))
        factor = np.linalg.cholesky(self.covariance) * scale
        noise = rng.standard_normal((len(vectors), self.dimensions)) @ factor.T
        return (np.asarray(vectors, dtype=np.float64) + noise).astype(np.float32)


def random_pair_distances(vectors: np.ndarray, pairs: int, rng: np.random.Generator) -> np.ndarray:
    """Distances between `pairs` random pairs of different rows (impostor distances of a synthetic set)."""
    first = rng.integers(0, len(vectors), pairs)
    second = (first + rng.integers(1, len(vectors), pairs)) % len(vectors)
    return np.linalg.norm(vectors[first].astype(np.float64) - vectors[second], axis=1)


def percentile_ms(seconds: Sequence[float], point: float) -> float:
    return round(float(np.percentile(np.asarray(seconds) * 1000, point)), 3)

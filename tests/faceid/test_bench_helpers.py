"""The pure helpers behind `make bench-faceid` (mekong.faceid.evaluation): the synthetic embedding model,
the lookup's decision rule, leave-one-out identification and reading a labelled folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mekong.faceid import calibration
from mekong.faceid.evaluation import (
    EmbeddingModel,
    Gallery,
    Outcome,
    labelled_photos,
    leave_one_out,
    random_pair_distances,
    read_photo,
)

SHARED_FACES = Path(__file__).resolve().parents[2].parent / "shared" / "faces"

# The calibration dlib's model gets from the shared photos: thresholds 0.41–0.47 for 10–100 candidates.
CALIBRATION = calibration.Calibration(model="test", mean=0.85, std=0.093, measured_std=0.077, anchored=True)


def people(rng: np.random.Generator, count: int, photos: int, spread: float = 0.02) -> dict[str, list]:
    """`count` people far apart (about 1.4), each photographed `photos` times close together."""
    centres = rng.standard_normal((count, 128)) * 0.125
    return {
        f"p{i}": [
            (c + rng.standard_normal(128) * spread / np.sqrt(128)).astype(np.float32) for _ in range(photos)
        ]
        for i, c in enumerate(centres)
    }


def test_synthetic_embeddings_reproduce_the_measured_impostor_distances() -> None:
    rng = np.random.default_rng(1)
    # "Real" embeddings: 30 people in a few dominant directions plus some spread in every direction.
    directions = rng.standard_normal((8, 128))
    real = 0.3 + rng.standard_normal((30, 8)) @ directions * 0.05 + rng.standard_normal((30, 128)) * 0.03
    labelled = {str(i): [v] for i, v in enumerate(real)}
    _, impostor = calibration.pair_distances(labelled)

    model = EmbeddingModel.fit(real, impostor, genuine_distances=[0.3, 0.4])
    synthetic = model.sample(4_000, rng)
    distances = random_pair_distances(synthetic, 20_000, rng)

    measured = np.asarray(impostor)
    assert 0 < model.shrinkage < 1
    assert distances.mean() == pytest.approx(measured.mean(), rel=0.03)
    assert distances.std() == pytest.approx(measured.std(), rel=0.2)
    assert synthetic.dtype == np.float32
    assert synthetic.shape == (4_000, 128)
    assert np.allclose(synthetic.mean(axis=0), real.mean(axis=0), atol=0.01)


def test_new_photos_are_about_the_genuine_distance_away() -> None:
    rng = np.random.default_rng(2)
    real = rng.standard_normal((20, 128)) * 0.08
    _, impostor = calibration.pair_distances({str(i): [v] for i, v in enumerate(real)})
    model = EmbeddingModel.fit(real, impostor, genuine_distances=[0.30, 0.40])
    gallery = model.sample(500, rng)

    default = np.linalg.norm(model.new_photos(gallery, rng) - gallery, axis=1)
    closer = np.linalg.norm(model.new_photos(gallery, rng, distance=0.1) - gallery, axis=1)

    assert default.mean() == pytest.approx(0.35, rel=0.05)
    assert closer.mean() == pytest.approx(0.1, rel=0.05)


def test_shrinkage_is_bounded_when_the_measured_spread_cannot_be_reached() -> None:
    rng = np.random.default_rng(3)
    real = rng.standard_normal((20, 128)) * 0.08
    narrow = [0.85, 0.85, 0.85, 0.850001]  # narrower than any normal model in 128 dimensions can be
    wide = [0.2, 1.5, 0.3, 1.4]  # wider than even the sample covariance's own shape gives

    assert EmbeddingModel.fit(real, narrow).shrinkage == 1.0
    assert EmbeddingModel.fit(real, wide).shrinkage == 0.0
    with pytest.raises(ValueError, match="three embeddings"):
        EmbeddingModel.fit(real[:2], narrow)


def test_gallery_accepts_only_a_clear_nearest_identity_within_the_threshold() -> None:
    base = np.zeros(128, dtype=np.float32)

    def at(distance: float, axis: int = 0) -> np.ndarray:
        v = base.copy()
        v[axis] = distance
        return v

    clear = Gallery({"a": [at(0.9, 1), at(0.3)], "b": [at(0.8, 2)], "c": [at(0.9, 3)]})
    match = clear.identify(base, CALIBRATION)
    assert match.identity == "a"  # its nearest embedding counts, not its first
    assert match.distance == pytest.approx(0.3)
    assert match.runner_up == pytest.approx(0.8)
    assert match.candidates == 3
    assert match.threshold == pytest.approx(CALIBRATION.threshold(3))

    too_far = Gallery({"a": [at(0.55)], "b": [at(0.9, 1)]}).identify(base, CALIBRATION)
    assert too_far.identity is None
    assert too_far.nearest == "a"

    ambiguous = Gallery({"a": [at(0.30)], "b": [at(0.35, 1)]}).identify(base, CALIBRATION)
    assert ambiguous.identity is None  # within the threshold, but not margin ahead of b

    assert Gallery({}).identify(base, CALIBRATION).identity is None


def test_more_candidates_mean_a_stricter_threshold() -> None:
    rng = np.random.default_rng(4)
    query = np.zeros(128, dtype=np.float32)
    near = query.copy()
    near[0] = 0.44
    strangers = {f"s{i}": [rng.standard_normal(128).astype(np.float32)] for i in range(99)}

    small = Gallery({"a": [near], "s": strangers["s0"]}).identify(query, CALIBRATION)
    large = Gallery({"a": [near], **strangers}).identify(query, CALIBRATION)

    assert small.identity == "a"
    assert large.identity is None
    assert large.threshold < 0.44 < small.threshold


def test_leave_one_out_counts_every_outcome() -> None:
    rng = np.random.default_rng(5)
    embeddings = people(rng, 4, 2)
    embeddings["single"] = [rng.standard_normal(128).astype(np.float32) * 0.125]
    # A photo filed under p0 that is really p1: looked up, it identifies as p1 (wrong); p0's other photo is
    # left with no close match (not found); p1's photos are now as close to "p0" as to p1 (ambiguous: not
    # found rather than a guess).
    embeddings["p0"][1] = embeddings["p1"][0] + np.float32(0.001)

    result = leave_one_out(embeddings, CALIBRATION)

    assert result.counts == {
        Outcome.CORRECT.value: 4,  # p2 and p3, twice each
        Outcome.WRONG.value: 1,
        Outcome.NOT_FOUND.value: 3,
        Outcome.CORRECTLY_NOT_FOUND.value: 1,  # the single photo: nobody else is that person
    }
    wrong = [p for p in result.photos if p["outcome"] == Outcome.WRONG.value]
    assert [(w["photo"], w["nearest"]) for w in wrong] == [("p0/1", "p1")]
    assert sum(result.counts.values()) == 9


def test_labelled_photos_reads_the_people_layout(tmp_path: Path) -> None:
    for name in ("people/ana/1.jpg", "people/ana/2.PNG", "people/ana/notes.txt", "people/bao/1.webp"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "people" / "empty").mkdir()

    found = labelled_photos(tmp_path)

    assert {person: [p.name for p in photos] for person, photos in found.items()} == {
        "ana": ["1.jpg", "2.PNG"],
        "bao": ["1.webp"],
    }
    with pytest.raises(FileNotFoundError, match="people/<person>/<photo>"):
        labelled_photos(tmp_path / "people")


@pytest.fixture(scope="module")
def shared_faces() -> Path:
    if not (SHARED_FACES / "people").is_dir():
        pytest.skip(f"the labelled photos are not at {SHARED_FACES} (../shared/faces beside the repository)")
    return SHARED_FACES


def test_shared_photos_identify_without_a_wrong_answer(shared_faces: Path) -> None:
    from mekong.faceid.embedders.registry import get_embedder

    embedder = get_embedder("dlib-hog")
    embeddings: dict[str, list[np.ndarray]] = {}
    for person, photos in labelled_photos(shared_faces).items():
        for photo in photos:
            reading = read_photo(photo.read_bytes(), embedder)
            assert reading.faces == 1, photo
            assert reading.vector is not None
            embeddings.setdefault(person, []).append(reading.vector)
    genuine, impostor = calibration.pair_distances(embeddings)
    cal = calibration.calibrate(genuine, impostor, model=embedder.name)

    result = leave_one_out(embeddings, cal)

    assert result.counts[Outcome.WRONG.value] == 0
    assert result.counts[Outcome.CORRECT.value] >= len(result.photos) * 3 // 4
    for photo in sorted((shared_faces / "multi").glob("*")):
        assert read_photo(photo.read_bytes(), embedder).problem == "several_faces", photo

"""The match decision among candidates (pure module): within the threshold for that many identities and
clearly ahead of the next one."""

from __future__ import annotations

import numpy as np

from mekong.faceid.calibration import Calibration
from mekong.faceid.matching import Reason, decide, identity_distances

CALIBRATION = Calibration(model="test", mean=0.85, std=0.08, measured_std=0.08, anchored=False, margin=0.08)


def _at(distance: float, dimensions: int = 4) -> np.ndarray:
    vector = np.zeros(dimensions, dtype=np.float32)
    vector[0] = distance
    return vector


def test_an_identitys_distance_is_its_closest_vector() -> None:
    owners = np.array([7, 7, 9])
    vectors = np.stack([_at(0.5), _at(0.2), _at(0.9)])
    assert identity_distances(_at(0.0), owners, vectors) == {7: np.float32(0.2), 9: np.float32(0.9)}


def test_match_within_the_threshold_and_the_margin() -> None:
    decision = decide(_at(0.0), np.array([1, 2]), np.stack([_at(0.2), _at(0.9)]), CALIBRATION)
    assert decision.reason is Reason.MATCH
    assert decision.identity == 1
    assert decision.candidates == 2
    assert decision.threshold == CALIBRATION.threshold(2)


def test_too_far_is_no_match() -> None:
    decision = decide(_at(0.0), np.array([1]), np.stack([_at(0.58)]), CALIBRATION)
    assert decision.reason is Reason.TOO_FAR
    assert decision.identity is None


def test_two_close_identities_are_ambiguous() -> None:
    decision = decide(_at(0.0), np.array([1, 2]), np.stack([_at(0.20), _at(0.25)]), CALIBRATION)
    assert decision.reason is Reason.AMBIGUOUS
    assert decision.identity is None


def test_no_candidates() -> None:
    empty = np.empty((0, 4), dtype=np.float32)
    assert decide(_at(0.0), np.empty(0, dtype=np.int64), empty, CALIBRATION).reason is Reason.NO_CANDIDATES


def test_the_same_distance_passes_in_a_small_bucket_and_fails_in_a_large_one() -> None:
    query = _at(0.0)
    threshold_small, threshold_large = CALIBRATION.threshold(2), CALIBRATION.threshold(2000)
    distance = (threshold_small + threshold_large) / 2
    small = decide(query, np.array([1, 2]), np.stack([_at(distance), _at(1.2)]), CALIBRATION)
    owners = np.arange(2000)
    vectors = np.stack([_at(distance)] + [_at(1.2)] * 1999)
    large = decide(query, owners, vectors, CALIBRATION)
    assert small.reason is Reason.MATCH
    assert large.reason is Reason.TOO_FAR


def test_the_whole_gallery_index_finds_removes_and_switches_to_ivf(monkeypatch: object) -> None:
    from mekong.faceid import index

    monkeypatch.setattr(index, "IVF_FROM", 500)  # type: ignore[attr-defined]
    rng = np.random.default_rng(7)
    vectors = rng.normal(0, 0.1, (2000, 16)).astype(np.float32)
    entries = [index.Entry(i + 1, 10_000 + i, vectors[i], frozenset({f"k{i % 40}"})) for i in range(2000)]

    small = index.Gallery(16)
    small.add_many(entries[:100])
    assert small.index_kind == "exact"

    gallery = index.Gallery(16, index=index.whole_gallery_index(16, vectors))
    gallery.add_many(entries)
    assert gallery.index_kind == "ivf"
    assert gallery.identities() == 2000
    query = vectors[17] + rng.normal(0, 0.01, 16).astype(np.float32)
    nearest = gallery.nearest_others(query, citizen_id=-1, count=1)
    assert [n.citizen_id for n in nearest] == [10_017]
    assert gallery.nearest_others(query, citizen_id=10_017, count=1)[0].citizen_id != 10_017  # not oneself

    gallery.remove(18)  # embedding ids start at 1: the vector of citizen 10_017
    assert 10_017 not in [n.citizen_id for n in gallery.nearest_others(query, citizen_id=-1, count=3)]
    owners, bucket = gallery.bucket("k17")
    assert 10_017 not in owners.tolist()
    assert len(owners) == len(bucket) == 49

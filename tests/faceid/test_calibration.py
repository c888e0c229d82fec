"""The arithmetic that turns measured impostor distances into a lookup threshold (pure module)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mekong.faceid.calibration import (
    PUBLISHED_ANCHOR_FAR,
    Calibration,
    calibrate,
    far_allowed,
    fpir,
    pair_distances,
    rates,
)


def _calibration(mean: float = 0.85, std: float = 0.08) -> Calibration:
    return Calibration(model="test", mean=mean, std=std, measured_std=std, anchored=False)


@given(far=st.floats(1e-12, 0.1), n=st.integers(1, 10**7))
def test_fpir_and_far_allowed_are_inverse(far: float, n: int) -> None:
    assume(far * n < 5)  # beyond, FPIR is 1 to double precision and cannot be inverted
    assert far_allowed(fpir(far, n), n) == pytest.approx(far, rel=1e-6)


@given(far=st.floats(1e-9, 0.1), n=st.integers(1, 10**6))
def test_fpir_grows_with_the_candidate_count(far: float, n: int) -> None:
    assert fpir(far, n) <= fpir(far, n + 1)
    # Never more than the union bound n × FAR.
    assert fpir(far, n) <= n * far * (1 + 1e-9)


@given(n=st.integers(1, 10**6))
def test_the_threshold_keeps_a_lookup_at_the_target(n: int) -> None:
    calibration = _calibration()
    threshold = calibration.threshold(n)
    if threshold < calibration.max_threshold:
        assert calibration.expected_fpir(n) == pytest.approx(calibration.target_fpir, rel=1e-6)
    else:
        assert calibration.expected_fpir(n) <= calibration.target_fpir


@given(n=st.integers(1, 10**5))
def test_more_candidates_means_a_stricter_threshold(n: int) -> None:
    calibration = _calibration()
    assert calibration.threshold(n + 1) <= calibration.threshold(n)


def test_worked_example() -> None:
    # Impostors at 0.85 ± 0.08; 100 candidates; 1 in 10,000 lookups → FAR per comparison ≈ 1e-6, z ≈ −4.753.
    threshold = _calibration().threshold(100)
    assert threshold == pytest.approx(0.85 - 4.7534 * 0.08, abs=1e-3)
    # At the usual fixed 0.6 the same model gives one stranger in ~1,100 within reach, and a whole province
    # of a million candidates a false match on practically every lookup.
    far = _calibration().far(0.6)
    assert 1 / 2000 < far < 1 / 500
    assert fpir(far, 1_000_000) > 0.999


def test_the_published_rate_caps_an_optimistic_measurement() -> None:
    # A tight measured spread (0.03) would put FAR(0.6) near zero; the anchor widens it to 1/300 there.
    impostor = list(np.random.default_rng(3).normal(0.85, 0.03, 200))
    calibration = calibrate([0.3, 0.35], impostor, model="test")
    assert calibration.anchored
    assert calibration.far(0.6) == pytest.approx(PUBLISHED_ANCHOR_FAR, rel=1e-3)
    assert calibration.std > calibration.measured_std


def test_a_wide_measurement_is_kept() -> None:
    impostor = list(np.random.default_rng(4).normal(0.85, 0.2, 200))
    calibration = calibrate([0.3], impostor, model="test")
    assert not calibration.anchored
    assert calibration.std == pytest.approx(calibration.measured_std)


def test_calibration_round_trips_through_json_data() -> None:
    calibration = calibrate([0.3, 0.4, 0.45], [0.8, 0.9, 0.85, 0.95], model="test", source="unit test")
    again = Calibration.from_dict(calibration.as_dict())
    assert again == calibration
    assert again.threshold(50) == calibration.threshold(50)


def test_pairs_are_split_by_person() -> None:
    a, b = np.zeros(3), np.ones(3)
    genuine, impostor = pair_distances({"an": [a, a + 0.1], "binh": [b]})
    assert genuine == pytest.approx([math.sqrt(3 * 0.01)])
    assert sorted(impostor) == pytest.approx(sorted([math.sqrt(3), math.sqrt(3 * 0.81)]))


def test_measured_rates() -> None:
    measured = rates([0.2, 0.3, 0.5], [0.4, 0.8, 0.9, 1.0], threshold=0.45)
    assert measured["tar"] == pytest.approx(2 / 3)
    assert measured["far"] == pytest.approx(1 / 4)


def test_too_few_impostors_is_refused() -> None:
    with pytest.raises(ValueError, match="two impostor"):
        calibrate([0.3], [0.9], model="test")

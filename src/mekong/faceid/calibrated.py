"""The calibration in force: `data/calibration.json`, written by `mekong calibrate_faceid` from labelled
photos (or the file named by the MEKONG_FACEID_CALIBRATION setting)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.conf import settings

from mekong.faceid.calibration import Calibration

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "calibration.json"


def calibration_path() -> Path:
    return Path(getattr(settings, "MEKONG_FACEID_CALIBRATION", "") or DEFAULT_PATH)


@cache
def _load(path: str) -> Calibration:
    with open(path, encoding="utf-8") as calibration_file:
        return Calibration.from_dict(json.load(calibration_file))


def current_calibration() -> Calibration:
    return _load(str(calibration_path()))

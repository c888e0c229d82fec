"""Fixtures for face lookup: the labelled photos of ../shared/faces (skipped, saying so, only where that
folder is absent — CI always has it), a fresh in-process gallery per test, and photo helpers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageEnhance, ImageFilter

from mekong.faceid import index

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "faces"


@pytest.fixture(autouse=True)
def _fresh_gallery() -> Iterator[None]:
    # Each test's database starts empty; a gallery loaded by an earlier test would not know.
    index.forget()
    yield
    index.forget()


class Photos:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, name: str) -> Path:
        return self.root / name

    def bytes(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def edited(self, name: str, *, brightness: float = 1.0, blur: float = 0.0, scale: float = 1.0) -> bytes:
        image = Image.open(self.path(name)).convert("RGB")
        if brightness != 1.0:
            image = ImageEnhance.Brightness(image).enhance(brightness)
        if blur:
            image = image.filter(ImageFilter.GaussianBlur(blur))
        if scale != 1.0:
            image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=92)
        return out.getvalue()


@pytest.fixture(scope="session")
def photos() -> Photos:
    if not (FACES / "people").is_dir():
        pytest.skip(f"labelled face photos not found at {FACES} (the shared test data; CI always has it)")
    return Photos(FACES)


def blank_photo(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 190, 200)).save(out, "JPEG")
    return out.getvalue()

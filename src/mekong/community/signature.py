"""A signature drawn on the phone's screen (a canvas sent as a PNG data URL): checked to be a real, small
PNG with ink on it before it is stored as the record of a citizen's consent."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from mekong.core.errors import DomainError, FieldError

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 300_000
MAX_SIDE = 2000
MIN_INK_PIXELS = 40  # a dot or an accidental tap is not a signature
DATA_URL_PREFIX = "data:image/png;base64,"


@dataclass(frozen=True)
class Signature:
    png: bytes
    sha256: str
    width: int
    height: int


def _refuse(message: object) -> DomainError:
    return DomainError(message, errors=[FieldError("signature", message)], code="bad_signature")  # type: ignore[arg-type]


def from_data_url(text: str) -> bytes:
    """The PNG bytes of a ``data:image/png;base64,…`` URL (what `canvas.toDataURL()` gives)."""
    text = (text or "").strip()
    if not text:
        raise _refuse(_("Người nộp chưa ký."))
    if not text.startswith(DATA_URL_PREFIX) or len(text) > MAX_BYTES * 4 // 3 + len(DATA_URL_PREFIX) + 4:
        raise _refuse(_("Chữ ký không hợp lệ."))
    try:
        return base64.b64decode(text[len(DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise _refuse(_("Chữ ký không hợp lệ.")) from None


def check_signature(png: bytes) -> Signature:
    if not png.startswith(PNG_MAGIC) or len(png) > MAX_BYTES:
        raise _refuse(_("Chữ ký không hợp lệ."))
    try:
        with Image.open(io.BytesIO(png)) as image:
            image.load()
            if image.format != "PNG" or max(image.size) > MAX_SIDE:
                raise _refuse(_("Chữ ký không hợp lệ."))
            width, height = image.size
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise _refuse(_("Chữ ký không hợp lệ.")) from None
    # A transparent canvas counts as white paper.
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    paper.alpha_composite(rgba)
    ink = sum(paper.convert("L").histogram()[:128])
    if ink < MIN_INK_PIXELS:
        raise _refuse(_("Người nộp chưa ký: khung chữ ký còn trống."))
    return Signature(png=png, sha256=hashlib.sha256(png).hexdigest(), width=width, height=height)

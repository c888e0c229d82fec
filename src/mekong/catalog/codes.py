"""National code formats. Pure module, no Django.

Agency code (mã định danh cơ quan): four dot-separated parts ending in the province letter code,
e.g. ``000.00.17.H56``. Procedure code (mã thủ tục hành chính): ``1.000494.000.00.00.H29``.
"""

from __future__ import annotations

import re

AGENCY_CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
PROCEDURE_CODE = re.compile(r"^[123]\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?$")


def is_agency_code(value: str) -> bool:
    return bool(AGENCY_CODE.fullmatch(value))


def is_procedure_code(value: str) -> bool:
    return bool(PROCEDURE_CODE.fullmatch(value))


def agency_code(level3: int, level2: int, province_letter_code: str, level4: int = 0) -> str:
    """Compose ``LLL.CC.BB.Hnn``: level-4 unit, level-3 (commune) unit, level-2 (department or
    district) unit, province letter code. Zero parts mean "this level is not used"."""
    code = f"{level4:03d}.{level3:02d}.{level2:02d}.{province_letter_code}"
    if not is_agency_code(code):
        raise ValueError(f"not an agency code: {code}")
    return code

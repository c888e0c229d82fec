"""Compile gettext catalogues without GNU gettext (a fresh machine may lack msgfmt).

Usage: python -m mekong.core.i18n compile
"""

from __future__ import annotations

import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


def compile_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    import polib

    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def main(argv: list[str]) -> int:
    if argv[1:] != ["compile"]:
        print(__doc__, file=sys.stderr)
        return 2
    for path in compile_catalogues():
        print(f"compiled {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

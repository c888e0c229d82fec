#!/usr/bin/env python3
"""Generate the demo hamlet file (ấp / khu vực) from the real legacy commune names of `vietnamadminunits`.

    .venv/bin/python scripts/generate_hamlets.py            # rewrites src/mekong/geo/data/hamlets_hau_giang.csv
    .venv/bin/python scripts/generate_hamlets.py --output -  # print to stdout

The output is deterministic: running it again gives the committed file byte for byte (a test checks this).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mekong.geo.hamlets import DEMO_PROVINCE, HAMLETS_PATH, HAMLETS_PER_COMMUNE, generate_hamlets, render_csv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--province", default=DEMO_PROVINCE, help="legacy province short name (default: %(default)s)"
    )
    parser.add_argument("--per-commune", type=int, default=HAMLETS_PER_COMMUNE, help="hamlets per commune")
    parser.add_argument("--output", default=str(HAMLETS_PATH), help="CSV path, or - for stdout")
    args = parser.parse_args(argv)

    rows = generate_hamlets(args.province, args.per_commune)
    text = render_csv(rows)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        path = Path(args.output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        communes = len({row.legacy_commune_code for row in rows})
        print(f"{len(rows)} ấp / khu vực của {communes} xã, phường, thị trấn → {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Entry points for loading the catalogue from files; the machinery lives in `mekong.catalog.transfer`."""

from __future__ import annotations

from pathlib import Path

from mekong.catalog.transfer import CatalogContext, CatalogData, read_catalog_bytes, read_catalog_file

DEMO_CATALOG_PATH = Path(__file__).resolve().parent / "data" / "procedures_hau_giang.json"

__all__ = ["DEMO_CATALOG_PATH", "CatalogContext", "CatalogData", "read_catalog_bytes", "read_catalog_file"]

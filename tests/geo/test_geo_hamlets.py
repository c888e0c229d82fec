from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mekong.core.errors import DomainError
from mekong.geo import hamlets, loaders
from mekong.geo.models import AdministrativeUnit, Edition, UnitLevel, UnitSuccession

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "generate_hamlets.py"


def test_generator_reproduces_the_committed_file_byte_for_byte(tmp_path: Path) -> None:
    output = tmp_path / "hamlets.csv"
    subprocess.run([sys.executable, str(SCRIPT), "--output", str(output)], check=True, capture_output=True)
    assert output.read_bytes() == hamlets.HAMLETS_PATH.read_bytes()


def test_committed_file_has_several_hamlets_for_every_legacy_commune(
    package_db: sqlite3.Connection, expected_commune_successions: dict[str, Any]
) -> None:
    communes = {
        row["wardCode"]: row
        for row in package_db.execute("SELECT * FROM admin_units_legacy WHERE provinceShort = 'Hậu Giang'")
    }
    _columns, rows = hamlets.read_csv(hamlets.HAMLETS_PATH.read_text(encoding="utf-8"))
    per_commune = Counter(row["legacy_commune_code"] for row in rows)
    assert set(per_commune) == set(communes)
    assert set(per_commune.values()) == {hamlets.HAMLETS_PER_COMMUNE}
    assert len(rows) == len(communes) * hamlets.HAMLETS_PER_COMMUNE
    assert 550 <= len(rows) <= 650  # "about 600"
    assert len({row["code"] for row in rows}) == len(rows)
    for row in rows:
        commune = communes[row["legacy_commune_code"]]
        assert row["legacy_commune_name"] == commune["ward"]
        assert row["commune_code_2025"] == expected_commune_successions[commune["wardCode"]].primary
        if commune["wardType"] == "Phường":
            assert (row["kind"], row["name"]) == ("Khu vực", f"Khu vực {row['short_name']}")
        else:
            assert row["kind"] == "Ấp"
            assert row["name"].startswith(f"Ấp {commune['wardShort']} ")
        # Close to the commune (a ring of ≈ 0.5 km), never on top of it.
        assert (
            0
            < abs(float(row["lat"]) - commune["wardLat"]) + abs(float(row["lon"]) - commune["wardLon"])
            < 0.02
        )
    assert "Ấp Vị Đông 1" in {row["name"] for row in rows}


@pytest.mark.django_db
def test_hamlets_hang_under_their_2025_commune_and_remember_the_legacy_one(
    hau_giang_with_hamlets: loaders.LoadReport,
) -> None:
    hamlet_units = AdministrativeUnit.objects.filter(level=UnitLevel.HAMLET).select_related(
        "parent", "former_parent"
    )
    _columns, rows = hamlets.read_csv(hamlets.HAMLETS_PATH.read_text(encoding="utf-8"))
    assert (
        hamlet_units.count()
        == len(rows)
        == hau_giang_with_hamlets.get(Edition.Y2025, UnitLevel.HAMLET).created
    )
    primary = dict(
        UnitSuccession.objects.filter(is_primary=True).values_list("predecessor_id", "successor_id")
    )
    for hamlet in hamlet_units:
        assert hamlet.edition == Edition.Y2025
        assert hamlet.parent is not None
        assert hamlet.former_parent is not None
        assert (hamlet.parent.edition, hamlet.parent.level) == (Edition.Y2025, UnitLevel.COMMUNE)
        assert (hamlet.former_parent.edition, hamlet.former_parent.level) == (
            Edition.LEGACY,
            UnitLevel.COMMUNE,
        )
        assert primary[hamlet.former_parent_id] == hamlet.parent_id
        assert hamlet.latitude is not None
        assert hamlet.longitude is not None
    vi_dong = AdministrativeUnit.objects.get(level=UnitLevel.HAMLET, name="Ấp Vị Đông 1")
    assert vi_dong.former_parent is not None
    assert vi_dong.former_parent.name == "Xã Vị Đông"
    assert (
        AdministrativeUnit.objects.filter(level=UnitLevel.HAMLET, search_key__contains="vi dong").count() == 8
    )


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([",".join(hamlets.COLUMNS), *lines]) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_bad_hamlet_rows_are_all_reported_and_nothing_is_loaded(
    hau_giang: loaders.LoadReport, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "bad.csv",
        [
            "31471-01,Ấp Tốt 1,Tốt 1,Ấp,31471,Phường Thuận An,31471,9.7,105.6",  # good
            "31471-02,,x,Ấp,31471,,31471,9.7,105.6",  # empty name
            "31471-01,Ấp Trùng,Trùng,Ấp,31471,,31471,9.7,105.6",  # duplicate code
            "31471-03,Xóm 3,3,Xóm,31471,,31471,9.7,105.6",  # unknown kind
            "31471-04,Ấp 4,4,Ấp,99999,,31471,9.7,105.6",  # unknown legacy commune
            "31471-05,Ấp 5,5,Ấp,31471,,00001,9.7,105.6",  # unknown 2025 commune
            "31471-06,Ấp 6,6,Ấp,31471,,31471,north,200",  # bad coordinates
        ],
    )
    with pytest.raises(DomainError) as refused:
        loaders.load_hamlets(path)
    found = {(error.row, error.field) for error in refused.value.errors}
    assert found == {
        (3, "name"),
        (4, "code"),
        (5, "kind"),
        (6, "legacy_commune_code"),
        (7, "commune_code_2025"),
        (8, "lat"),
        (8, "lon"),
    }
    as_dict = refused.value.as_dict()
    assert as_dict["message"] == "Tệp ấp, khu vực có 7 lỗi; chưa nạp dòng nào."
    assert all(error["message"] and error["message_en"] for error in as_dict["errors"])
    assert not AdministrativeUnit.objects.filter(level=UnitLevel.HAMLET).exists()


@pytest.mark.django_db
def test_a_hamlet_file_without_the_expected_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("code,name\n1,Ấp 1\n", encoding="utf-8")
    with pytest.raises(DomainError) as refused:
        loaders.load_hamlets(path)
    assert {error.field for error in refused.value.errors} == set(hamlets.COLUMNS) - {"code", "name"}
    assert not AdministrativeUnit.objects.exists()

"""The whole load (all 3,321 communes of 2025): only here, since it is the slowest geo test."""

from __future__ import annotations

import sqlite3
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from vietnam_provinces import Province, Ward

from mekong.geo.hamlets import HAMLETS_PATH, read_csv
from mekong.geo.models import AdministrativeUnit, Edition, UnitLevel, UnitSuccession


@pytest.mark.django_db
def test_load_units_loads_the_whole_country_once(package_db: sqlite3.Connection) -> None:
    out = StringIO()
    call_command("load_units", stdout=out)
    first = out.getvalue()

    provinces = {int(p.code): p.name for p in Province.iter_all()}
    wards_per_province = Counter(int(w.province_code) for w in Ward.iter_all())
    assert (len(provinces), sum(wards_per_province.values())) == (34, 3321)
    package_count = package_db.execute("SELECT COUNT(*) FROM admin_units").fetchone()[0]
    assert package_count == 3321

    units_2025 = AdministrativeUnit.objects.filter(edition=Edition.Y2025)
    loaded_provinces = {int(u.code): u for u in units_2025.filter(level=UnitLevel.PROVINCE)}
    assert set(loaded_provinces) == set(provinces)
    for code, name in provinces.items():  # vietnam-provinces sometimes drops the "Tỉnh" prefix
        assert loaded_provinces[code].name.endswith(name), (code, name)
    loaded_per_province = Counter(
        int(code)
        for code in units_2025.filter(level=UnitLevel.COMMUNE).values_list("parent__code", flat=True)
    )
    assert loaded_per_province == wards_per_province
    assert AdministrativeUnit.objects.filter(edition=Edition.LEGACY).count() == 1 + 8 + 75
    hamlet_count = len(read_csv(HAMLETS_PATH.read_text(encoding="utf-8"))[1])
    assert units_2025.filter(level=UnitLevel.HAMLET).count() == hamlet_count
    assert "xã, phường, thị trấn, đặc khu (2025): 3321 — mới 3321" in first
    assert "Đã nạp đơn vị hành chính" in first

    counts = (AdministrativeUnit.objects.count(), UnitSuccession.objects.count())
    out = StringIO()
    call_command("load_units", stdout=out)
    assert (AdministrativeUnit.objects.count(), UnitSuccession.objects.count()) == counts
    assert "mới 0, cập nhật 0" in out.getvalue()
    assert all("mới 0, cập nhật 0" in line for line in out.getvalue().splitlines() if line.startswith("•"))

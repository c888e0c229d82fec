"""Factories for administrative units and successions."""

from __future__ import annotations

import datetime

import factory

from mekong.geo.models import AdministrativeUnit, Edition, UnitLevel, UnitSuccession


class ProvinceFactory(factory.django.DjangoModelFactory[AdministrativeUnit]):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("edition", "code")

    edition = Edition.Y2025
    level = UnitLevel.PROVINCE
    code = factory.Sequence(lambda n: f"P{n:03d}")
    kind = "Tỉnh"
    short_name = factory.Sequence(lambda n: f"Thử Nghiệm {n}")
    name = factory.LazyAttribute(lambda unit: f"{unit.kind} {unit.short_name}")
    latitude = 10.0
    longitude = 105.5


class DistrictFactory(ProvinceFactory):
    level = UnitLevel.DISTRICT
    edition = Edition.LEGACY
    code = factory.Sequence(lambda n: f"D{n:03d}")
    kind = "Huyện"
    parent = factory.SubFactory(ProvinceFactory, edition=Edition.LEGACY)


class CommuneFactory(ProvinceFactory):
    level = UnitLevel.COMMUNE
    code = factory.Sequence(lambda n: f"C{n:05d}")
    kind = "Xã"
    short_name = factory.Sequence(lambda n: f"Vị Đông {n}")
    parent = factory.SubFactory(ProvinceFactory)


class LegacyCommuneFactory(CommuneFactory):
    edition = Edition.LEGACY
    parent = factory.SubFactory(DistrictFactory)


class HamletFactory(ProvinceFactory):
    level = UnitLevel.HAMLET
    code = factory.Sequence(lambda n: f"H{n:05d}-01")
    kind = "Ấp"
    parent = factory.SubFactory(CommuneFactory)
    former_parent = factory.SubFactory(LegacyCommuneFactory)


class UnitSuccessionFactory(factory.django.DjangoModelFactory[UnitSuccession]):
    class Meta:
        model = UnitSuccession

    predecessor = factory.SubFactory(LegacyCommuneFactory)
    successor = factory.SubFactory(CommuneFactory)
    is_primary = True
    effective_date = datetime.date(2025, 7, 1)

"""Factories for accounts. Agencies come from the catalogue's factories (re-exported here)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory, Password

from catalog.factories import AgencyFactory
from mekong.accounts.models import RoleAssignment, User, UserKind
from mekong.accounts.roles import Role

__all__ = [
    "PASSWORD",
    "AgencyFactory",
    "CitizenFactory",
    "OfficialFactory",
    "RoleAssignmentFactory",
    "UserFactory",
]

# Passes Django's default validators (long enough, not common, not numeric).
PASSWORD = "Dua-hau-Nga-Bay-2025"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"nguoidung{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    password = Password(PASSWORD)
    kind = UserKind.CITIZEN


class CitizenFactory(UserFactory):
    kind = UserKind.CITIZEN
    personal_id = factory.Sequence(lambda n: f"0931{n:08d}")
    username = factory.LazyAttribute(lambda user: user.personal_id)
    phone = factory.Sequence(lambda n: f"091{n:07d}")
    full_name = factory.Sequence(lambda n: f"Công dân {n}")


class OfficialFactory(UserFactory):
    kind = UserKind.OFFICIAL
    username = factory.Sequence(lambda n: f"canbo.{n}")
    full_name = factory.Sequence(lambda n: f"Cán bộ {n}")


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(OfficialFactory)
    role = Role.RECEIVING_OFFICER
    agency = factory.SubFactory(AgencyFactory)

"""`core.lookups.CompiledGet`: the same instances as the ORM's `get()`, compiled once, values swapped."""

from __future__ import annotations

import pytest
from django.core.exceptions import MultipleObjectsReturned
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import CitizenFactory
from catalog.factories import ProcedureFactory
from mekong.accounts.actions import issue_api_token
from mekong.accounts.auth import find_live_token
from mekong.accounts.models import ApiToken
from mekong.catalog.models import Procedure
from mekong.core.lookups import CompiledGet

pytestmark = pytest.mark.django_db

BY_CODE = CompiledGet(lambda code: Procedure.objects.filter(code=code), code=str)


def test_each_call_binds_its_own_value_and_converts_like_the_orm() -> None:
    first = ProcedureFactory(form_schema={"type": "object", "required": ["ho_ten"]})
    second = ProcedureFactory()
    assert BY_CODE(code="không có") is None
    found = BY_CODE(code=first.code)
    assert found is not None
    assert found.pk == first.pk
    assert BY_CODE(code=second.code).pk == second.pk  # type: ignore[union-attr]
    orm = Procedure.objects.get(pk=first.pk)
    for field in Procedure._meta.concrete_fields:  # JSON, dates, booleans: converted as the ORM does
        assert getattr(found, field.attname) == getattr(orm, field.attname), field.name
    assert found.form_schema["required"] == ["ho_ten"]
    assert not found._state.adding  # a saved row: save() updates it


def test_more_than_one_row_is_an_error() -> None:
    by_level = CompiledGet(lambda level: Procedure.objects.filter(level=level), level=str)
    ProcedureFactory()
    ProcedureFactory()
    with pytest.raises(MultipleObjectsReturned):
        by_level(level=ProcedureFactory.level)


def test_the_token_comes_with_its_user_in_one_query() -> None:
    citizen = CitizenFactory()
    token, secret = issue_api_token(citizen, "thử")
    with CaptureQueriesContext(connection) as queries:
        found = find_live_token(secret)
        assert found is not None
        assert found.user.full_name == citizen.full_name
    assert len(queries) == 1
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.created_at)
    assert find_live_token(secret) is None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    assert find_live_token(secret) is None

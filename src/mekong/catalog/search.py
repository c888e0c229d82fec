"""Procedure search: accent-, case- and spacing-insensitive on every database.

Each procedure stores a folded `search_key` (see `mekong.core.text.fold`); a query is folded the same
way and every word must appear. Plain `icontains` on the key works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.db.models import QuerySet

from mekong.catalog.models import Procedure
from mekong.core.text import fold


def search_procedures(
    query: str = "", *, field: str | None = None, level: str | None = None, active_only: bool = True
) -> QuerySet[Procedure]:
    procedures = Procedure.objects.select_related("field")
    if active_only:
        procedures = procedures.filter(is_active=True)
    if field:
        procedures = procedures.filter(field__code=field)
    if level:
        procedures = procedures.filter(level=level)
    for word in fold(query).split():
        procedures = procedures.filter(search_key__contains=word)
    return procedures.order_by("field__name", "name")

"""Single-row look-ups compiled to SQL once per process.

The ORM compiles a queryset to SQL on every evaluation; for the simplest look-ups (a procedure by its code,
a token by its hash) that costs about twice the query itself, on the API's busiest paths. `CompiledGet`
compiles the queryset once, with placeholder values, and then only swaps the values, runs the SQL, applies
the same field converters the ORM would, and builds the instance with `Model.from_db` — the ORM's own steps,
minus the compiling.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.core.exceptions import MultipleObjectsReturned
from django.db import connections
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def _placeholders(kinds: dict[str, type]) -> dict[str, Any]:
    """A value no real parameter has, of the type its column takes (text, or an integer id)."""
    out: dict[str, Any] = {}
    for number, (name, kind) in enumerate(kinds.items()):
        out[name] = f"\x00mekong-lookup:{name}" if kind is str else -7_000_000_000_000 - number
    return out


class CompiledGet(Generic[M]):
    """`CompiledGet(lambda code: Procedure.objects.filter(code=code), code=str)(code="1.0001")` → the row or
    None.

    `build` receives each parameter as a placeholder of its type (`str` or `int`) and must use it only as a
    plain value compared with a column (it is swapped for the real value in the compiled parameters). Plain
    selects of a model and, at most, its `select_related` foreign keys one level deep: no annotations or
    deferred fields."""

    def __init__(self, build: Callable[..., QuerySet[M]], using: str = "default", **kinds: type) -> None:
        self._build = build
        self._placeholders = _placeholders(kinds)
        self._using = using
        self._compiled: tuple[Any, ...] | None = None
        self._lock = threading.Lock()

    def _compile(self) -> tuple[Any, ...]:
        with self._lock:
            if self._compiled is None:
                queryset = self._build(**self._placeholders).order_by()
                compiler = queryset.query.get_compiler(using=self._using)
                sql, params = compiler.as_sql()
                columns = [expression for expression, _sql, _alias in compiler.select]
                names = [expression.target.attname for expression in columns]
                info = compiler.klass_info
                # The model's own columns, then one (model, columns, setter) per `select_related` relation.
                parts = [(queryset.model, info["select_fields"], None)]
                for related in info.get("related_klass_infos", []):
                    if related.get("related_klass_infos"):
                        raise ValueError("CompiledGet follows one level of select_related")
                    parts.append((related["model"], related["select_fields"], related["local_setter"]))
                positions = {name: list(params).index(value) for name, value in self._placeholders.items()}
                converters = compiler.get_converters(columns)
                self._compiled = (compiler, sql, list(params), positions, names, parts, converters)
            return self._compiled

    def __call__(self, **values: Any) -> M | None:
        compiler, sql, params, positions, names, parts, converters = self._compile()
        bound = list(params)
        for name, position in positions.items():
            bound[position] = values[name]
        connection = connections[self._using]
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchmany(2)
        if not rows:
            return None
        if len(rows) > 1:
            raise MultipleObjectsReturned(f"{parts[0][0].__name__}: more than one row for {values}")
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        row = rows[0]
        main: M | None = None
        for model, indexes, setter in parts:
            instance = model.from_db(self._using, [names[i] for i in indexes], tuple(row[i] for i in indexes))
            if main is None:
                main = instance
            else:
                setter(main, instance if instance.pk is not None else None)
        return main

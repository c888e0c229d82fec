"""The applicant's form as the officer reads it: each answer under the title the procedure's JSON Schema
gives it, in the schema's order, nested objects and lists kept as groups. Pure module, no Django."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Answer:
    title: str
    value: str = ""
    children: list[Answer] = field(default_factory=list)


def _text(value: Any, schema: dict[str, Any], yes: str, no: str) -> str:
    if isinstance(value, bool):
        return yes if value else no
    if value is None:
        return ""
    names = schema.get("enumNames") or schema.get("x-enumNames")
    if isinstance(names, list) and isinstance(schema.get("enum"), list) and value in schema["enum"]:
        index = schema["enum"].index(value)
        if index < len(names):
            return str(names[index])
    for option in schema.get("oneOf") or schema.get("anyOf") or []:
        if isinstance(option, dict) and "const" in option and option["const"] == value:
            return str(option.get("title", value))
    return str(value)


def _answer(title: str, value: Any, schema: dict[str, Any], yes: str, no: str) -> Answer:
    if isinstance(value, dict):
        return Answer(title, children=answers(schema, value, yes=yes, no=no))
    if isinstance(value, list):
        item_schema = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        assert isinstance(item_schema, dict)
        if all(not isinstance(item, dict | list) for item in value):
            return Answer(title, value=", ".join(_text(item, item_schema, yes, no) for item in value))
        return Answer(
            title,
            children=[
                _answer(f"{index}", item, item_schema, yes, no) for index, item in enumerate(value, start=1)
            ],
        )
    return Answer(title, value=_text(value, schema, yes, no))


def answers(schema: dict[str, Any], data: Any, *, yes: str = "Có", no: str = "Không") -> list[Answer]:
    """The answers in `data`: first the schema's properties in their order, then anything else under its
    own key (old dossiers keep answers to fields a newer schema dropped)."""
    if not isinstance(data, dict):
        return [] if data in (None, "") else [Answer("", value=str(data))]
    properties = schema.get("properties") if isinstance(schema, dict) else None
    properties = properties if isinstance(properties, dict) else {}
    result: list[Answer] = []
    for key, sub_schema in properties.items():
        if key in data:
            sub = sub_schema if isinstance(sub_schema, dict) else {}
            result.append(_answer(str(sub.get("title") or key), data[key], sub, yes, no))
    for key, value in data.items():
        if key not in properties:
            result.append(_answer(str(key), value, {}, yes, no))
    return result

"""Every dossier endpoint is in the OpenAPI document with its error responses and the shared error shape."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

PREFIX = "/api/v1/dossiers"
AUTHENTICATED_ERRORS = {"401", "404"}
COMMAND_ERRORS = {"400", "401", "403", "404", "409", "422"}

ENDPOINTS: dict[tuple[str, str], set[str]] = {
    ("post", "/lookup"): {"400", "404", "422", "429"},
    ("post", "/drafts"): COMMAND_ERRORS,
    ("get", "/drafts"): {"401"},
    ("get", "/drafts/{draft_id}"): COMMAND_ERRORS,
    ("patch", "/drafts/{draft_id}"): COMMAND_ERRORS,
    ("post", "/drafts/{draft_id}/files"): COMMAND_ERRORS | {"413", "415"},
    ("delete", "/drafts/{draft_id}/files/{file_id}"): COMMAND_ERRORS,
    ("post", "/drafts/{draft_id}/submit"): COMMAND_ERRORS,
    ("post", "/submit"): COMMAND_ERRORS,
    ("get", "/mine"): {"401", "422"},
    ("get", "/queue"): {"401", "403", "404", "422"},
    ("get", "/queue/counts"): {"401", "403", "404", "422"},
    ("post", "/bulk"): COMMAND_ERRORS,
    ("get", "/{code}"): COMMAND_ERRORS,
    ("get", "/{code}/files/{file_id}"): AUTHENTICATED_ERRORS,
    ("get", "/{code}/documents/{document_id}"): AUTHENTICATED_ERRORS,
    ("post", "/{code}/supplement"): COMMAND_ERRORS | {"413", "415"},
    ("post", "/{code}/withdraw"): COMMAND_ERRORS,
    ("post", "/{code}/receive"): COMMAND_ERRORS,
    ("post", "/{code}/refuse"): COMMAND_ERRORS,
    ("post", "/{code}/request-supplement"): COMMAND_ERRORS,
    ("post", "/{code}/assign"): COMMAND_ERRORS,
    ("post", "/{code}/start"): COMMAND_ERRORS,
    ("post", "/{code}/result"): COMMAND_ERRORS | {"413", "415"},
    ("post", "/{code}/approve"): COMMAND_ERRORS,
    ("post", "/{code}/send-back"): COMMAND_ERRORS,
    ("post", "/{code}/return"): COMMAND_ERRORS,
    ("post", "/{code}/stop"): COMMAND_ERRORS,
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return dict(document["components"]["schemas"][ref.rsplit("/", 1)[-1]]) if ref else schema


def test_every_endpoint_is_documented_with_its_errors(document: dict[str, Any]) -> None:
    paths = {path.removeprefix(PREFIX): operations for path, operations in document["paths"].items()}
    documented = {(method, path) for path, operations in paths.items() for method in operations if path != ""}
    assert set(ENDPOINTS) <= documented
    for (method, path), errors in ENDPOINTS.items():
        responses = paths[path][method]["responses"]
        assert errors <= set(responses), (method, path, sorted(responses))
        assert any(code.startswith("2") for code in responses), (method, path)
        for code in errors:
            schema = _resolve(document, responses[code]["content"]["application/json"]["schema"])
            assert {"code", "message", "message_en", "errors"} <= set(schema["properties"]), (
                method,
                path,
                code,
            )


def test_security_and_headers(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert "security" not in paths[f"{PREFIX}/lookup"]["post"]
    assert paths[f"{PREFIX}/mine"]["get"]["security"]
    parameters = {p["name"] for p in paths[f"{PREFIX}/submit"]["post"]["parameters"]}
    assert "Idempotency-Key" in parameters
    downloads = paths[f"{PREFIX}/{{code}}/files/{{file_id}}"]["get"]["responses"]["200"]["content"]
    assert set(downloads) == {"application/pdf", "image/jpeg", "image/png"}
    bulk = paths[f"{PREFIX}/bulk"]["post"]["description"]
    assert "giao dịch riêng" in bulk

import pytest
from django.test import Client
from openapi_spec_validator import validate


@pytest.mark.django_db
def test_openapi_document_is_valid_openapi_3(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    validate(document)  # raises on any violation of the OpenAPI 3 schema
    paths = document["paths"]
    for path in ("/api/v1/procedures", "/api/v1/procedures/{code}", "/api/v1/units", "/api/v1/auth/token"):
        assert path in paths, path


@pytest.mark.django_db
def test_unknown_api_path_is_404_json(client: Client) -> None:
    assert client.get("/api/v1/khong-co").status_code == 404


@pytest.mark.django_db
def test_validation_errors_come_in_both_languages(client: Client) -> None:
    response = client.post("/api/v1/auth/token", data="{}", content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"] == "Dữ liệu gửi lên không hợp lệ."
    assert body["message_en"] == "The submitted data is invalid."
    assert {error["field"] for error in body["errors"]} >= {"username", "password"}

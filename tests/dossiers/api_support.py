"""Helpers for the dossier API tests: a client that carries a bearer token, and uploads kept in a
temporary directory. Import the `media_in_tmp` fixture into a test module to use it (autouse there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mekong.accounts.actions import issue_api_token
from mekong.accounts.models import User

BASE = "/api/v1/dossiers"


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files go to a per-test directory, never to var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media/"},
        },
    }
    return tmp_path / "media"


class Api:
    """A Django test client speaking to /api/v1/dossiers as `user` (anonymous when None)."""

    def __init__(self, user: User | None = None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, secret = issue_api_token(user)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, **self.headers)

    def post(self, path: str, data: Any = None, *, key: str | None = None) -> Any:
        """JSON POST; `key` is sent as the Idempotency-Key header."""
        body = {} if data is None else data
        extra = {"headers": {"Idempotency-Key": key}} if key is not None else {}
        return self.client.post(BASE + path, body, content_type="application/json", **self.headers, **extra)

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(BASE + path, data, content_type="application/json", **self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(BASE + path, **self.headers)

    def upload(self, path: str, files: dict[str, Any], **fields: Any) -> Any:
        """multipart/form-data: `files` maps a field to one SimpleUploadedFile or a list of them."""
        return self.client.post(BASE + path, {**fields, **files}, **self.headers)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    # The declared content type is deliberately not trusted by the server; tests vary it freely.
    return SimpleUploadedFile(name, content, content_type=content_type)

"""Fixture for the dossier benchmark: run inside the bench database (Django configured from the environment).
Writes a JSON file the load generator reads: lookups, tokens, a procedure without mandatory documents."""

from __future__ import annotations

import json
import os
import secrets
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
django.setup()

from django.db.models import Count, Q  # noqa: E402

from mekong.accounts.actions import assign_role, create_official, issue_api_token  # noqa: E402
from mekong.accounts.models import User, UserKind  # noqa: E402
from mekong.accounts.roles import Role  # noqa: E402
from mekong.catalog.models import Procedure  # noqa: E402
from mekong.dossiers.models import Dossier  # noqa: E402
from mekong.dossiers.validation import form_errors  # noqa: E402


def sample_form(schema: dict) -> dict:
    """The smallest valid answers: required fields only, from examples/enums/defaults or simple values."""
    answers: dict = {}
    for name in schema.get("required", []):
        spec = schema.get("properties", {}).get(name, {})
        if "enum" in spec:
            answers[name] = spec["enum"][0]
        elif spec.get("type") == "integer":
            answers[name] = max(1, int(spec.get("minimum", 1)))
        elif spec.get("type") == "number":
            answers[name] = 1
        elif spec.get("type") == "boolean":
            answers[name] = True
        elif spec.get("format") == "date":
            answers[name] = "2000-01-01"
        elif spec.get("format") == "email":
            answers[name] = "nguoidan@example.vn"
        elif "pattern" in spec and "\\d{12}" in spec["pattern"]:
            answers[name] = "093099001234"
        elif "pattern" in spec and "\\d" in spec["pattern"]:
            answers[name] = "0912345678"
        else:
            answers[name] = "Nguyễn Văn An"
    return answers


def bench_procedure() -> Procedure:
    """The demo catalogue asks for documents everywhere; "submission without files" needs a procedure that
    does not. Added to the bench database only, through the catalogue importer like any procedure."""
    from mekong.catalog.actions import import_catalog
    from mekong.catalog.importer import read_catalog_bytes

    document = {
        "format": "mekong.catalog/1",
        "fields": [{"code": "do-hieu-nang", "name": "Đo hiệu năng"}],
        "procedures": [
            {
                "code": "1.999999.000.00.00.H28",
                "name": "Thủ tục dùng để đo hiệu năng (không có thật)",
                "field": "do-hieu-nang",
                "level": "commune",
                "implementing_agency": "Ủy ban nhân dân cấp xã",
                "agencies": {"kinds": ["commune_pc"]},
                "legal_basis": "",
                "description": "",
                "result_name": "",
                "time_limit": {"value": 3, "unit": "working_day"},
                "online_level": "full",
                "requires_e_result": False,
                "documents": [],
                "fees": [],
                "steps": [],
                "form_schema": {
                    "type": "object",
                    "properties": {"ho_ten": {"type": "string", "title": "Họ và tên", "minLength": 1}},
                    "required": ["ho_ten"],
                },
                "source": "bench/prepare.py",
            }
        ],
    }
    import_catalog(read_catalog_bytes(json.dumps(document).encode(), filename="bench.json"))
    return Procedure.objects.get(code="1.999999.000.00.00.H28")


def officer_sessions(officer: User, count: int) -> list[str]:
    """Signed-in sessions made up front: signing in hashes a password (about a second of CPU by design), and
    fifty users doing it at once would measure PBKDF2, not the queue page."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    keys = []
    for _ in range(count):
        session = SessionStore()
        session[SESSION_KEY] = str(officer.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
        session.create()
        keys.append(str(session.session_key))
    return keys


def main(path: str) -> None:
    candidates = (
        Procedure.objects.filter(is_active=True)
        .annotate(
            mandatory=Count("documents", filter=Q(documents__mandatory=True)), receivers=Count("agencies")
        )
        .filter(mandatory=0, receivers__gt=0)
        .order_by("-receivers")
    )
    procedure = (
        next((p for p in candidates if not form_errors(p.form_schema, sample_form(p.form_schema))), None)
        or bench_procedure()
    )
    agencies = list(procedure.agencies.values_list("code", flat=True))

    lookups = list(
        Dossier.objects.exclude(code=None)
        .exclude(applicant_phone="")
        .values_list("code", "applicant_phone")[:500]
    )
    citizens = list(User.objects.filter(kind=UserKind.CITIZEN, is_active=True)[:20])
    tokens = [issue_api_token(citizen, name="bench")[1] for citizen in citizens]

    busiest = (
        Dossier.objects.exclude(code=None).values("agency").annotate(n=Count("id")).order_by("-n").first()
    )
    assert busiest is not None, "the bench database has no dossiers"
    password = secrets.token_urlsafe(16)
    officer = User.objects.filter(username="bench.motcua").first() or create_official(
        "bench.motcua", "Cán bộ đo hiệu năng", password
    )
    officer.set_password(password)
    officer.save(update_fields=["password"])
    superuser = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench.quantri", "", secrets.token_urlsafe(16)
    )
    from mekong.catalog.models import Agency

    agency = Agency.objects.get(pk=busiest["agency"])
    if not officer.role_assignments.filter(role=Role.RECEIVING_OFFICER, agency=agency).exists():
        assign_role(superuser, officer, Role.RECEIVING_OFFICER, agency)

    fixture = {
        "officer_sessions": officer_sessions(officer, 60),
        "procedure": procedure.code,
        "agencies": agencies,
        "form_data": sample_form(procedure.form_schema),
        "lookups": lookups,
        "citizen_tokens": tokens,
        "officer": officer.username,
        "officer_password": password,
        "queue_url": f"/can-bo/ho-so/?agency={agency.pk}&tab=all",
        "queue_marker": agency.code,
        "queue_size": Dossier.objects.filter(agency=agency).exclude(code=None).count(),
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(fixture, out, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])

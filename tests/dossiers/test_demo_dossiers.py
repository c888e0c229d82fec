"""Demo dossiers: made through the actions over the demo catalogue, every status present, intact chains,
valid forms and documents, idempotent; and the pieces (people, forms from JSON Schema, the mix) on their
own."""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from datetime import datetime

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.factories import AgencyFactory
from mekong.accounts.demo import DEMO_CITIZEN_PERSONAL_ID, create_demo_accounts
from mekong.accounts.identifiers import is_personal_id, normalize_phone
from mekong.accounts.models import RoleAssignment, User
from mekong.catalog.actions import import_catalog
from mekong.catalog.importer import DEMO_CATALOG_PATH, read_catalog_file
from mekong.catalog.models import AgencyKind
from mekong.dossiers import actions
from mekong.dossiers.demo import (
    SCAN_PDF,
    SCENARIOS,
    FormContext,
    NameMaker,
    Scenario,
    form_for,
    generate_demo_dossiers,
    make_people,
    scenario_counts,
    value_from_pattern,
)
from mekong.dossiers.models import ApologyLetter, ApologyStatus, Dossier, DossierEvent, IssuedDocument
from mekong.dossiers.states import Status
from mekong.dossiers.validation import check_upload, form_errors
from mekong.dossiers.workdays import VIETNAM_TZ

NOW = datetime(2026, 6, 17, 10, 30, tzinfo=VIETNAM_TZ)  # a Wednesday morning
CATALOGUE = json.loads(DEMO_CATALOG_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def tenant(db: None) -> None:
    """A small Hậu Giang: the agencies the demo catalogue names by code, a district with four communes,
    the demo catalogue and the demo accounts."""
    province = AgencyFactory(code="000.00.00.H28", kind=AgencyKind.PROVINCE_PC, name="UBND tỉnh Hậu Giang")
    for code, kind in (
        ("000.00.02.H28", AgencyKind.DEPARTMENT),
        ("000.00.03.H28", AgencyKind.DEPARTMENT),
        ("000.00.09.H28", AgencyKind.DEPARTMENT),
        ("000.00.11.H28", AgencyKind.DEPARTMENT),
        ("000.00.16.H28", AgencyKind.SERVICE_CENTRE),
    ):
        AgencyFactory(code=code, kind=kind, parent=province)
    district = AgencyFactory(
        code="000.00.17.H28", kind=AgencyKind.DISTRICT_PC, parent=province, name="UBND Thành phố Vị Thanh"
    )
    for number in range(1, 5):
        AgencyFactory(
            code=f"000.{number:02d}.17.H28",
            kind=AgencyKind.COMMUNE_PC,
            parent=district,
            name=f"Ủy ban nhân dân Phường {'I' * number}",
        )
    import_catalog(read_catalog_file(DEMO_CATALOG_PATH))
    create_demo_accounts()


# --- the whole generator ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sixty_demo_dossiers_cover_every_status_through_the_actions(tenant: None) -> None:
    report = generate_demo_dossiers(60, now=NOW)

    assert report.created == 60
    assert Dossier.objects.filter(code__isnull=False).count() == 60
    statuses = Counter(Dossier.objects.values_list("status", flat=True))
    assert set(statuses) == set(range(1, 11)), statuses
    assert report.by_status == dict(statuses)

    # Every trail is intact and in the past.
    out = io.StringIO()
    call_command("verify_dossier_chain", stdout=out)
    assert "Chuỗi sự kiện toàn vẹn." in out.getvalue()
    assert not DossierEvent.objects.filter(created_at__gt=NOW).exists()
    assert DossierEvent.objects.filter(created_at__lt=NOW.replace(year=2025, month=9)).exists()

    for dossier in Dossier.objects.select_related("procedure"):
        # The form satisfies the procedure's schema; every mandatory document is there.
        assert actions.submission_errors(dossier) == [], dossier.procedure.code
        events = list(dossier.events.order_by("sequence"))
        assert events[0].command == "submit"
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        assert dossier.status == events[-1].to_status

    # The realistic mix: supplements (once and twice), late returns, apologies confirmed and drafted.
    returned = Dossier.objects.filter(status=Status.RESULT_RETURNED)
    assert returned.filter(supplement_count=1).exists()
    assert returned.filter(supplement_count=2).exists()
    late = [d for d in returned if d.finished_at and d.due_at and d.finished_at > d.due_at]
    assert late
    assert len(late) < returned.count() / 3
    sent = ApologyLetter.objects.filter(status=ApologyStatus.SENT)
    assert sent.exists()
    for letter in sent:
        assert letter.dossier.events.filter(command="reschedule", data__apology=letter.pk).exists()
        assert letter.document is not None
    assert DossierEvent.objects.filter(command="pay").exists()
    assert (
        IssuedDocument.objects.filter(kind="receipt").count()
        == Dossier.objects.filter(received_at__isnull=False).count()
    )

    # The demo citizen has a handful of their own; the demo commune's officers have work.
    citizen = User.objects.get(personal_id=DEMO_CITIZEN_PERSONAL_ID)
    assert Dossier.objects.filter(applicant=citizen).count() >= 5
    receiver = User.objects.get(username="motcua.xa")
    demo_commune = RoleAssignment.objects.get(user=receiver).agency
    assert DossierEvent.objects.filter(actor=receiver, dossier__agency=demo_commune).exists()


@pytest.mark.django_db
def test_running_again_adds_nothing_and_a_bigger_count_tops_up(tenant: None) -> None:
    first = generate_demo_dossiers(20, now=NOW)
    assert first.created == 20
    users = User.objects.count()

    again = generate_demo_dossiers(20, now=NOW)
    assert again.created == 0
    assert again.already_there == 20
    assert Dossier.objects.count() == 20
    assert User.objects.count() == users

    more = generate_demo_dossiers(26, now=NOW)
    assert more.created == 6
    assert Dossier.objects.filter(code__isnull=False).count() == 26
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))


@pytest.mark.django_db
def test_generated_people_and_staff_cannot_sign_in(tenant: None) -> None:
    report = generate_demo_dossiers(20, now=NOW)
    assert report.citizens_created >= 12
    assert report.officials_created > 0
    generated_staff = User.objects.filter(username__startswith="lanhdao.000.")
    assert generated_staff.exists()
    assert not any(is_password_usable(user.password) for user in generated_staff)
    demo_official = User.objects.get(username="motcua.xa")
    assert is_password_usable(demo_official.password)
    # Every agency that has dossiers has someone in each processing role.
    for agency_id in set(Dossier.objects.values_list("agency_id", flat=True)):
        roles = set(RoleAssignment.objects.filter(agency_id=agency_id).values_list("role", flat=True))
        assert {"receiving_officer", "specialist", "leader"} <= roles


@pytest.mark.django_db
def test_load_demo_dossiers_command_reports_progress_and_is_idempotent(tenant: None) -> None:
    out = io.StringIO()
    call_command("load_demo_dossiers", "--count", "18", stdout=out)
    assert "18/18 hồ sơ" in out.getvalue()
    assert "18 hồ sơ mới" in out.getvalue()
    out = io.StringIO()
    call_command("load_demo_dossiers", "--count", "18", stdout=out)
    assert "Đã có 18 hồ sơ mẫu, không tạo thêm." in out.getvalue()


# --- the pieces --------------------------------------------------------------------------------------------


@given(count=st.integers(min_value=0, max_value=5000))
def test_scenario_counts_add_up_and_include_every_scenario_when_there_is_room(count: int) -> None:
    counts = scenario_counts(count)
    assert sum(counts.values()) == count
    if count >= len(SCENARIOS):
        assert set(counts) == set(Scenario)
    if count >= 1000:
        assert counts[Scenario.ON_TIME] > count / 2
        assert counts[Scenario.LATE] < count / 10


def test_scenario_mix_of_the_default_run() -> None:
    counts = scenario_counts(2000)
    assert counts[Scenario.REFUSED] == 100
    assert counts[Scenario.ONE_SUPPLEMENT] == 180
    assert counts[Scenario.ON_TIME] == 1210


def test_people_have_valid_unique_ids_and_phones_and_are_stable() -> None:
    people = make_people(2026, 300)
    assert len({p.personal_id for p in people}) == 300
    assert len({p.phone for p in people}) == 300
    for person in people:
        assert is_personal_id(person.personal_id)
        assert person.personal_id.startswith("093")
        assert person.personal_id[6:8] == "99"
        # century and sex digit agree with the birth date
        assert int(person.personal_id[3]) == (0 if person.born.year < 2000 else 2) + (person.sex == "female")
        assert person.personal_id[4:6] == f"{person.born.year % 100:02d}"
        assert normalize_phone(person.phone) == person.phone
        assert len(person.name.split()) == 3
    assert make_people(2026, 10) == people[:10]
    assert make_people(2027, 10) != people[:10]


@pytest.mark.parametrize(
    ("pattern", "check"),
    [
        (r"^\d{12}$", lambda v: len(v) == 12 and v.isdigit()),
        (r"^0\d{9}$", lambda v: len(v) == 10 and v.startswith("0") and v.isdigit()),
        (r"^\d{6,20}$", lambda v: 6 <= len(v) <= 20 and v.isdigit()),
    ],
)
def test_values_from_the_catalogue_patterns(pattern: str, check: object) -> None:
    rng = random.Random(1)
    for _ in range(50):
        assert check(value_from_pattern(pattern, rng))  # type: ignore[operator]


def test_unknown_patterns_are_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="unsupported pattern"):
        value_from_pattern(r"^[A-Z]{2}\d+$", random.Random(1))


@pytest.mark.parametrize("procedure", CATALOGUE["procedures"], ids=lambda p: p["code"])
@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10**6), delivery=st.sampled_from(["online", "counter", "postal"])
)
def test_generated_forms_satisfy_every_demo_procedure_schema(
    procedure: dict[str, object], seed: int, delivery: str
) -> None:
    rng = random.Random(seed)
    person = make_people(seed, 1)[0]
    context = FormContext(
        rng=rng,
        names=NameMaker(rng),
        applicant=person,
        address="Ấp 3, Phường I, tỉnh Hậu Giang",
        delivery=delivery,
        submitted=NOW.date(),
    )
    schema = procedure["form_schema"]
    assert isinstance(schema, dict)
    data = form_for(schema, context)
    assert form_errors(schema, data) == []
    assert set(schema.get("required", [])) <= set(data)
    if "ho_ten_nguoi_yeu_cau" in data:
        assert data["ho_ten_nguoi_yeu_cau"] == person.name
    if "so_dinh_danh_nguoi_yeu_cau" in data:
        assert data["so_dinh_danh_nguoi_yeu_cau"] == person.personal_id


def test_the_sample_pdf_passes_the_upload_check() -> None:
    checked = check_upload(io.BytesIO(SCAN_PDF), name="ban-scan.pdf")
    assert checked.content_type == "application/pdf"
    assert SCAN_PDF.rstrip().endswith(b"%%EOF")

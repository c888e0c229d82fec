"""Enrolment with consent, identification among the candidates sharing a factor, withdrawal, the head-turn
check, the rate limit and the audit — through the actions, with the real face model."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.factories import CitizenFactory
from dossiers.factories import one_stop_shop, submitted_dossier
from mekong.accounts.actions import issue_api_token
from mekong.core.errors import DomainError, NotFound
from mekong.faceid import actions, index, vault
from mekong.faceid.embedders.registry import get_embedder
from mekong.faceid.liveness import Direction
from mekong.faceid.models import (
    DuplicateEnrolment,
    FaceConsent,
    FaceEmbedding,
    FaceLookupAttempt,
    LookupOutcome,
)

from .conftest import Photos, blank_photo

pytestmark = pytest.mark.django_db

OBAMA_BIRTH = date(1961, 8, 4)
# obama/02 is turned to his right; 01 looks straight; 03 is turned to his left (nose right of the eyes).
ENROLMENT = "people/barack_obama/02.jpg"
FRONT = "people/barack_obama/01.jpg"
TURNED_LEFT = "people/barack_obama/03.jpg"


def _enrol(citizen: object, photos: Photos, name: str = ENROLMENT) -> FaceEmbedding:
    return actions.enrol(citizen, photo=photos.bytes(name), consent_given=True)  # type: ignore[arg-type]


def _lookup(
    photos: Photos,
    *,
    factor: str = "04/08/1961",
    kind: str = actions.FactorKind.BIRTH_DATE,
    front: str = FRONT,
    turned: str = TURNED_LEFT,
    direction: Direction = Direction.LEFT,
    client: str = "203.0.113.7",
) -> actions.LookupAnswer:
    return actions.identify(
        client=client,
        challenge=actions.new_challenge(direction=direction).token,
        factor_kind=kind,
        factor=factor,
        frontal=photos.bytes(front),
        turned=photos.bytes(turned),
    )


def test_enrol_then_identify_from_different_photos(photos: Photos) -> None:
    obama = CitizenFactory(birth_date=OBAMA_BIRTH, phone="0912345678")
    CitizenFactory(birth_date=OBAMA_BIRTH)  # someone else born the same day, not enrolled
    embedding = _enrol(obama, photos)

    answer = _lookup(photos)
    assert answer.citizen == obama
    assert answer.decision.candidates == 1
    assert answer.decision.best_distance is not None
    assert answer.decision.best_distance < answer.decision.threshold  # type: ignore[operator]
    # The other factor finds him too.
    assert _lookup(photos, kind=actions.FactorKind.PHONE, factor="5678").citizen == obama

    consent = FaceConsent.objects.get(citizen=obama)
    assert consent.is_active
    assert "Nghị định 13/2023/NĐ-CP" in consent.text
    assert embedding.consent == consent
    assert FaceLookupAttempt.objects.filter(outcome=LookupOutcome.FOUND, matched=obama).count() == 2


def test_a_different_person_is_not_matched(photos: Photos) -> None:
    biden = CitizenFactory(birth_date=OBAMA_BIRTH)
    _enrol(biden, photos, "people/joe_biden/02.jpg")
    with pytest.raises(NotFound):
        _lookup(photos)  # Obama's face, typed with the birth date Biden is filed under
    attempt = FaceLookupAttempt.objects.get()
    assert attempt.outcome == LookupOutcome.NOT_FOUND
    assert attempt.detail == "too_far"
    assert attempt.best_distance is not None
    assert attempt.best_distance > 0.6


def test_the_right_face_with_a_wrong_factor_is_not_matched(photos: Photos) -> None:
    _enrol(CitizenFactory(birth_date=OBAMA_BIRTH, phone="0912345678"), photos)
    with pytest.raises(NotFound):
        _lookup(photos, factor="05/08/1961")
    with pytest.raises(NotFound):
        _lookup(photos, kind=actions.FactorKind.PHONE, factor="0000")
    assert (
        FaceLookupAttempt.objects.filter(outcome=LookupOutcome.NOT_FOUND, detail="no_candidates").count() == 2
    )


def test_withdrawal_removes_the_person_at_once(photos: Photos) -> None:
    obama = CitizenFactory(birth_date=OBAMA_BIRTH)
    _enrol(obama, photos)
    _enrol(obama, photos, "people/barack_obama/05.jpg")
    assert _lookup(photos).citizen == obama

    assert actions.withdraw_consent(obama) == 2
    assert not FaceEmbedding.objects.filter(citizen=obama).exists()
    assert FaceConsent.objects.get(citizen=obama).withdrawn_at is not None
    with pytest.raises(NotFound):
        _lookup(photos)


def test_other_processes_follow_the_change_log(photos: Photos) -> None:
    embedder = get_embedder()
    obama = CitizenFactory(birth_date=OBAMA_BIRTH)
    other_process = index._load(embedder.name, embedder.dimensions)  # as another server process would
    assert len(other_process) == 0

    _enrol(obama, photos)
    index._catch_up(other_process, embedder.name)
    assert len(other_process) == 1
    owners, _vectors = other_process.bucket(vault.birth_date_key(OBAMA_BIRTH))
    assert owners.tolist() == [obama.pk]

    actions.withdraw_consent(obama)
    index._catch_up(other_process, embedder.name)
    assert len(other_process) == 0
    assert other_process.version == index.database_version()

    # This process's own gallery is updated in place, not rebuilt.
    mine = index.current_gallery(embedder.name, embedder.dimensions)
    _enrol(obama, photos)
    assert index.current_gallery(embedder.name, embedder.dimensions) is mine
    assert len(mine) == 1


@pytest.mark.parametrize(
    ("front", "turned", "direction", "code"),
    [
        (FRONT, "people/barack_obama/06.jpg", Direction.LEFT, "liveness_not_turned"),
        (FRONT, TURNED_LEFT, Direction.RIGHT, "liveness_wrong_way"),
        (TURNED_LEFT, FRONT, Direction.RIGHT, "liveness_not_frontal"),
        (FRONT, "people/rose_leslie/01.jpg", Direction.LEFT, "liveness_different_person"),
    ],
)
def test_the_head_turn_is_checked(
    photos: Photos, front: str, turned: str, direction: Direction, code: str
) -> None:
    _enrol(CitizenFactory(birth_date=OBAMA_BIRTH), photos)
    with pytest.raises(DomainError) as refused:
        _lookup(photos, front=front, turned=turned, direction=direction)
    assert refused.value.code == code
    assert refused.value.status == 422
    assert FaceLookupAttempt.objects.get().outcome == LookupOutcome.LIVENESS_FAILED


def test_unusable_photos_get_their_message(photos: Photos) -> None:
    with pytest.raises(DomainError) as no_face:
        actions.identify(
            client="203.0.113.8",
            challenge=actions.new_challenge(direction=Direction.LEFT).token,
            factor_kind=actions.FactorKind.BIRTH_DATE,
            factor="04/08/1961",
            frontal=blank_photo(),
            turned=photos.bytes(TURNED_LEFT),
        )
    assert no_face.value.code == "photo_no_face"
    assert "Không thấy khuôn mặt" in no_face.value.as_dict()["message"]
    assert no_face.value.as_dict()["errors"][0]["field"] == "frontal"

    with pytest.raises(DomainError) as several:
        _lookup(photos, front="multi/obama_and_biden.jpg")
    assert several.value.code == "photo_several_faces"
    assert "nhiều khuôn mặt" in several.value.as_dict()["message"]
    assert "several faces" in several.value.as_dict()["message_en"].lower()


def test_the_rate_limit_holds(photos: Photos, settings: object) -> None:
    settings.MEKONG_FACEID_LOOKUP_LIMIT = 2  # type: ignore[attr-defined]
    for _ in range(2):
        with pytest.raises(NotFound):
            _lookup(photos, client="198.51.100.1")
    with pytest.raises(actions.FaceLookupRateLimited) as limited:
        _lookup(photos, client="198.51.100.1")
    assert limited.value.status == 429
    # Another client is not affected.
    with pytest.raises(NotFound):
        _lookup(photos, client="198.51.100.2")
    assert FaceLookupAttempt.objects.filter(outcome=LookupOutcome.RATE_LIMITED).count() == 1


def test_a_challenge_is_used_once(photos: Photos) -> None:
    _enrol(CitizenFactory(birth_date=OBAMA_BIRTH), photos)
    token = actions.new_challenge(direction=Direction.LEFT).token
    arguments = {
        "client": "203.0.113.9",
        "challenge": token,
        "factor_kind": actions.FactorKind.BIRTH_DATE,
        "factor": "04/08/1961",
        "frontal": photos.bytes(FRONT),
        "turned": photos.bytes(TURNED_LEFT),
    }
    actions.identify(**arguments)  # type: ignore[arg-type]
    with pytest.raises(DomainError) as reused:
        actions.identify(**arguments)  # type: ignore[arg-type]
    assert reused.value.code == "challenge_used"
    with pytest.raises(DomainError) as forged:
        actions.identify(**{**arguments, "challenge": token[:-2] + "xx"})  # type: ignore[arg-type]
    assert forged.value.code == "bad_challenge"


def test_enrolment_needs_consent_and_keeps_no_photo(photos: Photos) -> None:
    citizen = CitizenFactory(birth_date=OBAMA_BIRTH)
    with pytest.raises(DomainError) as refused:
        actions.enrol(citizen, photo=photos.bytes(ENROLMENT), consent_given=False)
    assert refused.value.code == "consent_required"
    assert not FaceConsent.objects.exists()

    embedding = _enrol(citizen, photos)
    stored = bytes(embedding.vector)
    vector = vault.unseal(stored)
    assert vector.shape == (128,)
    assert vector.tobytes() not in stored  # encrypted, not the raw floats
    with pytest.raises(InvalidToken):
        Fernet(Fernet.generate_key()).decrypt(stored)
    assert not any(
        field.get_internal_type() in {"FileField", "ImageField"} for field in FaceEmbedding._meta.fields
    )


def test_enrolment_needs_a_factor(photos: Photos) -> None:
    citizen = CitizenFactory(phone="", birth_date=None)
    with pytest.raises(DomainError) as refused:
        _enrol(citizen, photos)
    assert refused.value.code == "factor_missing"
    embedding = actions.enrol(
        citizen, photo=photos.bytes(ENROLMENT), consent_given=True, birth_date=OBAMA_BIRTH
    )
    citizen.refresh_from_db()
    assert citizen.birth_date == OBAMA_BIRTH
    assert embedding.birth_date_key == vault.birth_date_key(OBAMA_BIRTH)


def test_one_face_under_two_identities_is_reported(
    photos: Photos, django_capture_on_commit_callbacks: Any
) -> None:
    first = CitizenFactory(birth_date=OBAMA_BIRTH)
    second = CitizenFactory(birth_date=date(1970, 1, 1))
    _enrol(first, photos, FRONT)
    with django_capture_on_commit_callbacks() as scheduled:
        enrolled = _enrol(second, photos, "people/barack_obama/05.jpg")
    assert len(scheduled) == 1  # the check is queued after the enrolment commits
    # What the queued task does (run here directly: the test database is not committed for a worker).
    assert len(actions.check_duplicates(enrolled.pk)) == 1
    pair = DuplicateEnrolment.objects.get()
    assert {pair.first_id, pair.second_id} == {first.pk, second.pk}
    assert pair.distance < 0.2
    assert actions.check_duplicates(enrolled.pk) == []  # reported once
    # Different people are not reported.
    other = _enrol(CitizenFactory(birth_date=OBAMA_BIRTH), photos, "people/rose_leslie/01.jpg")
    assert actions.check_duplicates(other.pk) == []
    assert DuplicateEnrolment.objects.count() == 1


# --- over HTTP --------------------------------------------------------------------------------------------


def _upload(photos: Photos, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name.rsplit("/", 1)[-1], photos.bytes(name), content_type="image/jpeg")


def _lookup_form(
    photos: Photos, direction: Direction = Direction.LEFT, frontal: SimpleUploadedFile | None = None
) -> dict[str, Any]:
    """What the lookup page or an app posts: Obama looking straight, then turned to his left."""
    return {
        "challenge": actions.new_challenge(direction=direction).token,
        "factor_kind": "birth_date",
        "factor": "04/08/1961",
        "frontal": frontal or _upload(photos, FRONT),
        "turned": _upload(photos, TURNED_LEFT),
    }


def test_api_enrol_lookup_withdraw(photos: Photos) -> None:
    obama = CitizenFactory(birth_date=OBAMA_BIRTH)
    _token, secret = issue_api_token(obama)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client = Client()

    status = client.get("/api/v1/faceid/enrolment", **auth).json()
    assert status["consented"] is False
    assert "Nghị định 13/2023" in status["consent_text"]
    refused = client.post(
        "/api/v1/faceid/enrolment/faces", {"photo": _upload(photos, ENROLMENT), "consent": "false"}, **auth
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "consent_required"
    enrolled = client.post(
        "/api/v1/faceid/enrolment/faces", {"photo": _upload(photos, ENROLMENT), "consent": "true"}, **auth
    )
    assert enrolled.status_code == 201, enrolled.content
    assert enrolled.json()["faces"] == 1

    challenge = client.get("/api/v1/faceid/challenge").json()
    assert challenge["direction"] in {"left", "right"}
    found = client.post("/api/v1/faceid/lookup", _lookup_form(photos))
    assert found.status_code == 200, found.content
    assert found.json() == {"dossiers": []}

    blank = SimpleUploadedFile("x.jpg", blank_photo(), content_type="image/jpeg")
    no_face = client.post("/api/v1/faceid/lookup", _lookup_form(photos, frontal=blank))
    assert no_face.status_code == 422
    assert no_face.json()["errors"][0]["field"] == "frontal"

    assert client.delete("/api/v1/faceid/enrolment", **auth).json() == {"deleted": 1}
    gone = client.post("/api/v1/faceid/lookup", _lookup_form(photos))
    assert gone.status_code == 404
    assert "mã hồ sơ" in gone.json()["message"]


def test_officials_cannot_enrol(photos: Photos) -> None:
    from accounts.factories import OfficialFactory

    _token, secret = issue_api_token(OfficialFactory())
    response = Client().post(
        "/api/v1/faceid/enrolment/faces",
        {"photo": _upload(photos, ENROLMENT), "consent": "true"},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 403


def test_web_pages(photos: Photos) -> None:
    shop = one_stop_shop()
    obama = shop.citizen
    obama.birth_date = None
    obama.save()
    dossier = submitted_dossier(shop)
    client = Client()
    assert client.get("/tai-khoan/khuon-mat/").status_code == 302  # sign in first
    client.force_login(obama)

    page = client.get("/tai-khoan/khuon-mat/")
    assert page.status_code == 200
    assert "Nghị định 13/2023/NĐ-CP" in page.content.decode()
    missing = client.post(
        "/tai-khoan/khuon-mat/", {"photo": _upload(photos, ENROLMENT), "birth_date": "04/08/1961"}
    )
    assert missing.status_code == 400
    assert "Cần đánh dấu đồng ý" in missing.content.decode()
    done = client.post(
        "/tai-khoan/khuon-mat/",
        {"photo": _upload(photos, ENROLMENT), "birth_date": "04/08/1961", "consent": "on"},
    )
    assert done.status_code == 302
    assert FaceEmbedding.objects.filter(citizen=obama).count() == 1

    anonymous = Client()
    lookup_page = anonymous.get("/tra-cuu/khuon-mat/").content.decode()
    assert 'name="challenge"' in lookup_page
    assert "Quay đầu sang" in lookup_page
    result = anonymous.post("/tra-cuu/khuon-mat/", _lookup_form(photos))
    assert result.status_code == 200
    shown = result.content.decode()
    assert "1 hồ sơ" in shown
    assert dossier.code in shown
    assert shop.procedure.name in shown
    assert obama.personal_id not in shown  # nothing more personal than the dossier's progress

    wrong = anonymous.post("/tra-cuu/khuon-mat/", _lookup_form(photos, Direction.RIGHT))
    assert wrong.status_code == 422
    assert "hướng khác" in wrong.content.decode()

    client.post("/tai-khoan/khuon-mat/rut-lai/")
    assert not FaceEmbedding.objects.filter(citizen=obama).exists()


def test_expired_consents_are_purged(photos: Photos) -> None:
    from datetime import timedelta

    from django.utils import timezone

    old = CitizenFactory(birth_date=OBAMA_BIRTH)
    actions.enrol(
        old, photo=photos.bytes(ENROLMENT), consent_given=True, at=timezone.now() - timedelta(days=6 * 365)
    )
    recent = CitizenFactory(birth_date=date(1970, 1, 1))
    _enrol(recent, photos, "people/joe_biden/02.jpg")
    assert actions.purge_expired() == 1
    assert not FaceEmbedding.objects.filter(citizen=old).exists()
    assert FaceEmbedding.objects.filter(citizen=recent).count() == 1
    assert FaceConsent.objects.get(citizen=old).withdrawn_at is not None


def test_keys_rotate(photos: Photos, settings: Any) -> None:
    from django.core.management import call_command

    embedding = _enrol(CitizenFactory(birth_date=OBAMA_BIRTH), photos)
    before = vault.unseal(embedding.vector)
    new_key = Fernet.generate_key().decode()
    settings.MEKONG_FACEID_KEYS = [new_key, *settings.MEKONG_FACEID_KEYS]
    call_command("faceid_reseal", stdout=io.StringIO())
    embedding.refresh_from_db()
    assert (Fernet(new_key.encode()).decrypt(bytes(embedding.vector))) == before.tobytes()
    settings.MEKONG_FACEID_KEYS = [new_key]  # the old key can go
    assert _lookup(photos).citizen == embedding.citizen

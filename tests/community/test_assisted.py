"""Assisted submission, action by action: a member files for a citizen who consents with a code texted to
them or a signature; without that consent nothing is filed. The dossier becomes the citizen's own."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.factories import CitizenFactory, OfficialFactory, RoleAssignmentFactory
from catalog.factories import SIMPLE_FORM_SCHEMA, ProcedureFactory, RequiredDocumentFactory
from dossiers.factories import pdf
from mekong.accounts import actions as account_actions
from mekong.accounts.models import User, UserKind
from mekong.accounts.roles import Role
from mekong.catalog.models import Procedure, RequiredDocument
from mekong.community import actions, figures
from mekong.community.models import (
    AssistedSubmission,
    CodePurpose,
    CommunityEvent,
    ConsentMethod,
    EventKind,
    OneTimeCode,
)
from mekong.core.errors import DomainError, PermissionDenied
from mekong.dossiers import actions as dossier_actions
from mekong.dossiers import selectors as dossier_selectors
from mekong.dossiers.models import Channel, Dossier, DossierFile
from mekong.dossiers.states import Actor, Status
from mekong.notify.models import Notification

from .factories import Towns
from .sms import last_code, sms_texts

CITIZEN = actions.CitizenInput("Trần Văn Út", "093055001234", "0919123456", "Ấp Vị Đông 1")


@dataclass
class Desk:
    towns: Towns
    procedure: Procedure
    requirement: RequiredDocument
    receiver: User


@pytest.fixture
def desk(towns: Towns) -> Desk:
    procedure = ProcedureFactory(form_schema=SIMPLE_FORM_SCHEMA)
    procedure.agencies.add(towns.a.agency)
    requirement = RequiredDocumentFactory(procedure=procedure, name="Tờ khai", mandatory=True)
    receiver = OfficialFactory()
    RoleAssignmentFactory(user=receiver, role=Role.RECEIVING_OFFICER, agency=towns.a.agency)
    return Desk(towns, procedure, requirement, receiver)


def prepared(
    desk: Desk, citizen: actions.CitizenInput = CITIZEN, *, member: User | None = None
) -> AssistedSubmission:
    """A complete draft, as the member leaves it on the last step."""
    member = member or desk.towns.member_a
    assisted = actions.start_assisted(
        member, desk.towns.team_a, procedure=desk.procedure, agency=desk.towns.a.agency, citizen=citizen
    )
    assert assisted.dossier is not None
    dossier_actions.update_draft(assisted.dossier, actor=member, form_data={"ho_ten": citizen.full_name})
    dossier_actions.attach_file(
        assisted.dossier, actor=member, stream=pdf(), name="to-khai.pdf", requirement=desk.requirement
    )
    return assisted


def signature(ink: bool = True) -> bytes:
    image = Image.new("RGB", (300, 100), "white")
    if ink:
        ImageDraw.Draw(image).line([(10, 60), (80, 20), (150, 80), (280, 30)], fill="black", width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_the_code_is_texted_and_only_its_hash_kept(desk: Desk, settings: Any) -> None:
    assisted = prepared(desk)

    sent = actions.send_consent_code(desk.towns.member_a, assisted)

    code = last_code(settings, "0919123456")
    row = OneTimeCode.objects.get(assisted=assisted)
    assert row.purpose == CodePurpose.ASSISTED_CONSENT
    assert code not in row.code_hash
    assert code not in row.salt
    assert len(row.code_hash) == 64
    assert sent.masked_phone == "0919•••456"
    assert timedelta(minutes=9) < row.expires_at - timezone.now() <= timedelta(minutes=10)
    [message] = sms_texts(settings)
    assert message["key"] == str(row.sms_key)
    assert len(message["text"]) <= settings.MEKONG_SMS_MAX_LENGTH


@pytest.mark.django_db
def test_with_the_code_the_dossier_is_filed_online_as_the_citizens_own(
    desk: Desk, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assisted = prepared(desk)
    actions.send_consent_code(desk.towns.member_a, assisted)
    code = last_code(settings, "0919123456")

    with django_capture_on_commit_callbacks(execute=True):
        dossier = actions.submit_with_code(desk.towns.member_a, assisted, code)

    citizen = User.objects.get(personal_id="093055001234")
    assert citizen.kind == UserKind.CITIZEN
    assert citizen.phone == "0919123456"
    assert citizen.full_name == "Trần Văn Út"
    assert not citizen.has_usable_password()
    assert dossier.status == Status.NEW
    assert dossier.channel == Channel.ONLINE
    assert dossier.applicant == citizen
    assert list(dossier_selectors.my_dossiers(citizen)) == [dossier]
    event = dossier.events.get(command="submit")
    assert event.actor == desk.towns.member_a
    assert event.actor_role == Actor.COMMUNITY_MEMBER
    assert event.data["assisted"] == {
        "team": desk.towns.team_a.pk,
        "team_name": desk.towns.team_a.name,
        "member": assisted.member.pk,
        "member_name": assisted.member.full_name,
        "consent": "otp",
    }
    assisted.refresh_from_db()
    assert assisted.citizen == citizen
    assert assisted.account_created
    assert assisted.consent_method == ConsentMethod.OTP
    assert "Trần Văn Út" in assisted.consent_text
    assert "0919•••456" in assisted.consent_text
    assert OneTimeCode.objects.get(assisted=assisted).used_at is not None
    # The citizen is told it was filed, and how to get into the account made for them.
    filed = sms_texts(settings)[-1]
    assert dossier.code in filed["text"]
    assert "/tai-khoan/kich-hoat/" in filed["text"]
    share = figures.assisted_share(figures.Scope(), since=timezone.localdate(), until=timezone.localdate())
    assert (share.online, share.assisted) == (1, 1)


@pytest.mark.django_db
def test_a_citizen_with_an_account_gets_the_code_on_their_own_phone(desk: Desk, settings: Any) -> None:
    citizen = CitizenFactory(personal_id="093055001234", phone="0901000999")
    assisted = prepared(desk)  # the member typed another number

    actions.send_consent_code(desk.towns.member_a, assisted)
    dossier = actions.submit_with_code(desk.towns.member_a, assisted, last_code(settings, "0901000999"))

    assert not any(message["to"] == "0919123456" for message in sms_texts(settings))
    assert dossier.applicant == citizen
    assert User.objects.filter(kind=UserKind.CITIZEN).count() == 1
    assisted.refresh_from_db()
    assert not assisted.account_created


@pytest.mark.django_db
def test_officers_then_notify_the_citizen_as_if_they_had_filed_it(
    desk: Desk, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assisted = prepared(desk)
    dossier = actions.submit_with_signature(desk.towns.member_a, assisted, signature())

    with django_capture_on_commit_callbacks(execute=True):
        dossier_actions.receive(dossier, actor=desk.receiver)

    notification = Notification.objects.get(dossier=dossier)
    assert notification.recipient == dossier.applicant
    assert notification.kind == "received"
    assert set(notification.deliveries.values_list("channel", flat=True)) == {"inapp", "sms"}
    assert any(m["to"] == "0919123456" and dossier.code in m["text"] for m in sms_texts(settings))


@pytest.mark.django_db
def test_wrong_codes_file_nothing_and_the_code_dies_after_five(desk: Desk, settings: Any) -> None:
    assisted = prepared(desk)
    actions.send_consent_code(desk.towns.member_a, assisted)
    code = last_code(settings, "0919123456")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    messages = []
    for _attempt in range(5):
        with pytest.raises(DomainError) as refused:
            actions.submit_with_code(desk.towns.member_a, assisted, wrong)
        messages.append(refused.value.as_dict()["message"])
    with pytest.raises(DomainError) as too_late:
        actions.submit_with_code(desk.towns.member_a, assisted, code)

    assert messages[0] == "Mã xác nhận không đúng. Còn 4 lần thử."
    assert messages[-1] == "Đã nhập sai mã quá số lần cho phép. Vui lòng gửi mã mới."
    assert too_late.value.code == "bad_code"
    dossier = Dossier.objects.get(pk=assisted.dossier_id)
    assert dossier.status is None
    assert dossier.code is None
    assert not dossier.events.exists()
    assert not User.objects.filter(personal_id="093055001234").exists()
    assert CommunityEvent.objects.filter(kind=EventKind.WRONG_CODE).count() == 5


@pytest.mark.django_db
def test_an_expired_code_or_a_replaced_one_is_refused(desk: Desk, settings: Any) -> None:
    assisted = prepared(desk)
    start = timezone.now()
    actions.send_consent_code(desk.towns.member_a, assisted, now=start)
    first = last_code(settings, "0919123456")

    with pytest.raises(DomainError) as expired:
        actions.submit_with_code(desk.towns.member_a, assisted, first, now=start + timedelta(minutes=11))
    actions.send_consent_code(desk.towns.member_a, assisted, now=start + timedelta(minutes=12))
    second = last_code(settings, "0919123456")
    if second != first:
        with pytest.raises(DomainError):
            actions.submit_with_code(desk.towns.member_a, assisted, first, now=start + timedelta(minutes=13))
    dossier = actions.submit_with_code(
        desk.towns.member_a, assisted, second, now=start + timedelta(minutes=13)
    )

    assert (
        expired.value.as_dict()["message"]
        == "Mã xác nhận đã hết hạn hoặc chưa được gửi. Vui lòng gửi mã mới."
    )
    assert dossier.status == Status.NEW


@pytest.mark.django_db
def test_sending_is_rate_limited(desk: Desk, settings: Any) -> None:
    assisted = prepared(desk)
    start = timezone.now()
    actions.send_consent_code(desk.towns.member_a, assisted, now=start)

    with pytest.raises(DomainError) as too_soon:
        actions.send_consent_code(desk.towns.member_a, assisted, now=start + timedelta(seconds=20))
    for minute in range(1, 5):
        actions.send_consent_code(desk.towns.member_a, assisted, now=start + timedelta(minutes=minute))
    with pytest.raises(DomainError) as too_many:
        actions.send_consent_code(desk.towns.member_a, assisted, now=start + timedelta(minutes=6))
    actions.send_consent_code(desk.towns.member_a, assisted, now=start + timedelta(minutes=61))

    assert too_soon.value.status == 429
    assert too_soon.value.code == "too_soon"
    assert too_many.value.status == 429
    assert too_many.value.code == "too_many_codes"
    assert len(sms_texts(settings)) == 6


@pytest.mark.django_db
def test_an_incomplete_draft_gets_no_code(desk: Desk, settings: Any) -> None:
    assisted = actions.start_assisted(
        desk.towns.member_a,
        desk.towns.team_a,
        procedure=desk.procedure,
        agency=desk.towns.a.agency,
        citizen=CITIZEN,
    )

    with pytest.raises(DomainError) as refused:
        actions.send_consent_code(desk.towns.member_a, assisted)

    assert refused.value.code == "incomplete"
    assert sms_texts(settings) == []


@pytest.mark.django_db
def test_a_signature_is_stored_with_its_hash(desk: Desk) -> None:
    assisted = prepared(desk)
    png = signature()

    dossier = actions.submit_with_signature(desk.towns.member_a, assisted, png)

    assisted.refresh_from_db()
    assert assisted.consent_method == ConsentMethod.SIGNATURE
    assert assisted.signature_sha256 == hashlib.sha256(png).hexdigest()
    with assisted.signature.open("rb") as stored:
        assert stored.read() == png
    assert (
        dossier.events.get(command="submit").data["assisted"]["signature_sha256"] == assisted.signature_sha256
    )


@pytest.mark.django_db
@pytest.mark.parametrize("content", [signature(ink=False), b"\x89PNG\r\n\x1a\nbroken", b"GIF89a"])
def test_a_blank_or_broken_signature_files_nothing(desk: Desk, content: bytes) -> None:
    assisted = prepared(desk)

    with pytest.raises(DomainError) as refused:
        actions.submit_with_signature(desk.towns.member_a, assisted, content)

    assert refused.value.code == "bad_signature"
    assert Dossier.objects.get(pk=assisted.dossier_id).status is None


@pytest.mark.django_db
def test_when_the_citizen_declines_nothing_is_filed_and_the_draft_is_gone(desk: Desk, settings: Any) -> None:
    assisted = prepared(desk)
    actions.send_consent_code(desk.towns.member_a, assisted)
    code = last_code(settings, "0919123456")
    draft_id = assisted.dossier_id
    files = [f.file.name for f in DossierFile.objects.filter(dossier_id=draft_id)]

    actions.decline_assisted(desk.towns.member_a, assisted)

    assisted.refresh_from_db()
    assert assisted.declined_at is not None
    assert assisted.dossier is None
    assert not Dossier.objects.filter(pk=draft_id).exists()
    assert not DossierFile.objects.filter(dossier_id=draft_id).exists()
    assert files
    assert not any(DossierFile.file.field.storage.exists(name) for name in files)
    with pytest.raises(DomainError) as late:
        actions.submit_with_code(desk.towns.member_a, assisted, code)
    assert late.value.code == "declined"
    assert not Dossier.objects.exists()
    assert not User.objects.filter(personal_id=CITIZEN.personal_id).exists()


@pytest.mark.django_db
def test_only_the_team_prepares_and_files_its_drafts(desk: Desk) -> None:
    assisted = prepared(desk)
    draft = Dossier.objects.get(pk=assisted.dossier_id)
    outsiders = [desk.towns.member_b, CitizenFactory(), OfficialFactory()]

    for outsider in outsiders:
        with pytest.raises(PermissionDenied):
            dossier_actions.update_draft(draft, actor=outsider, form_data={"ho_ten": "X"})
        with pytest.raises(PermissionDenied):
            actions.send_consent_code(outsider, assisted)
        with pytest.raises(PermissionDenied):
            actions.submit_with_signature(outsider, assisted, signature())
        with pytest.raises(PermissionDenied):
            dossier_actions.submit_on_behalf(draft, actor=outsider, applicant=CitizenFactory(), assistance={})
    with pytest.raises(PermissionDenied):
        actions.start_assisted(
            desk.towns.member_b,
            desk.towns.team_a,
            procedure=desk.procedure,
            agency=desk.towns.a.agency,
            citizen=CITIZEN,
        )
    draft.refresh_from_db()
    assert draft.form_data == {"ho_ten": CITIZEN.full_name}
    assert draft.status is None


@pytest.mark.django_db
def test_the_phone_of_another_citizen_is_refused(desk: Desk) -> None:
    CitizenFactory(phone="0919123456")

    with pytest.raises(DomainError) as refused:
        actions.start_assisted(
            desk.towns.member_a,
            desk.towns.team_a,
            procedure=desk.procedure,
            agency=desk.towns.a.agency,
            citizen=CITIZEN,
        )

    assert [error.field for error in refused.value.errors] == ["phone"]
    assert not AssistedSubmission.objects.exists()
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_bad_citizen_details_are_all_reported(desk: Desk) -> None:
    with pytest.raises(DomainError) as refused:
        actions.start_assisted(
            desk.towns.member_a,
            desk.towns.team_a,
            procedure=desk.procedure,
            agency=desk.towns.a.agency,
            citizen=actions.CitizenInput("", "1234", "0123"),
        )

    assert {error.field for error in refused.value.errors} == {"full_name", "personal_id", "phone"}


@pytest.mark.django_db
def test_a_citizen_activates_the_account_made_for_them(desk: Desk, settings: Any) -> None:
    assisted = prepared(desk)
    actions.submit_with_signature(desk.towns.member_a, assisted, signature())

    assert (
        actions.send_activation_code(CITIZEN.personal_id, "0919000000") is None
    )  # wrong phone: nothing sent
    before = len(sms_texts(settings))
    actions.send_activation_code(CITIZEN.personal_id, "+84 919 123 456")
    code = last_code(settings, "0919123456")
    with pytest.raises(DomainError):
        actions.activate_account(CITIZEN.personal_id, "0919123456", code, "123")  # too weak
    user = actions.activate_account(CITIZEN.personal_id, "0919123456", code, "Dua-hau-Nga-Bay-2025")

    assert len(sms_texts(settings)) == before + 1
    assert user.check_password("Dua-hau-Nga-Bay-2025")
    assert not account_actions.is_awaiting_activation(user)
    assert actions.send_activation_code(CITIZEN.personal_id, "0919123456") is None  # already active


@pytest.mark.django_db
def test_filing_for_someone_is_recorded_for_citizens_only(desk: Desk) -> None:
    assisted = prepared(desk)
    draft = Dossier.objects.get(pk=assisted.dossier_id)

    with pytest.raises(DomainError) as refused:
        dossier_actions.submit_on_behalf(
            draft, actor=desk.towns.member_a, applicant=OfficialFactory(), assistance={}
        )

    assert refused.value.code == "not_a_citizen"


@pytest.mark.django_db
def test_registering_again_points_to_activation(desk: Desk) -> None:
    actions.submit_with_signature(desk.towns.member_a, prepared(desk), signature())

    errors = account_actions.citizen_registration_errors(
        CITIZEN.personal_id, "0919999888", "Trần Văn Út", "Dua-hau-Nga-Bay-2025"
    )

    assert any("/tai-khoan/kich-hoat/" in error.as_dict()["message"] for error in errors)

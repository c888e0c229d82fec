"""Assisted submission over HTTP (issue 7): a community team member, signed in on a phone, files a dossier
for a citizen who consents with the code texted to them; the citizen activates the account made for them,
finds the dossier in "Hồ sơ của tôi" and is told when the commune receives it. And when the citizen does
not consent, nothing is filed."""

from __future__ import annotations

import re
from contextlib import closing
from typing import Any

import httpx
import pytest

from accounts.factories import OfficialFactory, RoleAssignmentFactory
from catalog.factories import SIMPLE_FORM_SCHEMA, ProcedureFactory, RequiredDocumentFactory
from community.factories import Towns, make_towns
from community.sms import last_code, sms_texts
from dossiers.factories import PDF_BYTES
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.models import Procedure
from mekong.community.models import AssistedSubmission, ConsentMethod
from mekong.dossiers import actions as dossier_actions
from mekong.dossiers.models import Channel, Dossier
from mekong.dossiers.states import Status

from .conftest import csrf_token, web_client

pytestmark = pytest.mark.django_db(transaction=True)

PERSONAL_ID = "093061004321"
PHONE = "0918765432"
NEW_PASSWORD = "Rau-muong-Vi-Thanh-2026"


def setup() -> tuple[Towns, Procedure, Any]:
    towns = make_towns()
    procedure = ProcedureFactory(form_schema=SIMPLE_FORM_SCHEMA, name="Cấp bản sao trích lục khai sinh")
    procedure.agencies.add(towns.a.agency)
    requirement = RequiredDocumentFactory(procedure=procedure, name="Tờ khai", mandatory=True)
    return towns, procedure, requirement


def post(client: httpx.Client, base: str, path: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(
        path,
        data={"csrfmiddlewaretoken": csrf_token(page.text), **data},
        headers={"Referer": base + path},
        **kwargs,
    )


def prepare(live: str, member: httpx.Client, towns: Towns, procedure: Procedure, requirement: Any) -> str:
    """The member's steps up to the consent page; returns its path."""
    start = member.get(f"/cong-dong/nop-ho-so/?to={towns.team_a.pk}")
    assert procedure.name in start.text
    citizen = post(
        member,
        live,
        f"/cong-dong/nop-ho-so/{procedure.code}/",
        {
            "to": towns.team_a.pk,
            "agency": towns.a.agency.pk,
            "full_name": "Đinh Thị Xuân",
            "personal_id": PERSONAL_ID,
            "phone": PHONE,
            "address": "Ấp Vị Đông 1",
        },
    )
    assert citizen.status_code == 302, citizen.text
    form_path = citizen.headers["Location"]
    documents = post(member, live, form_path, {"ho_ten": "Đinh Thị Xuân", "so_ban": "1"})
    assert documents.status_code == 302, documents.text
    documents_path = documents.headers["Location"]
    page = member.get(documents_path)
    consent = member.post(
        documents_path,
        data={"csrfmiddlewaretoken": csrf_token(page.text)},
        files={f"tep_{requirement.pk}": ("to-khai.pdf", PDF_BYTES, "application/pdf")},
        headers={"Referer": live + documents_path},
    )
    assert consent.status_code == 302, consent.text
    return str(consent.headers["Location"])


def test_a_citizen_consents_by_code_and_the_dossier_is_theirs(live: str, settings: Any) -> None:
    towns, procedure, requirement = setup()
    receiver = OfficialFactory()
    RoleAssignmentFactory(user=receiver, role=Role.RECEIVING_OFFICER, agency=towns.a.agency)
    with (
        closing(web_client(live, towns.member_a.username)) as member,
        closing(httpx.Client(base_url=live)) as phone,
    ):
        consent_path = prepare(live, member, towns, procedure, requirement)
        page = member.get(consent_path)
        assert "Đinh Thị Xuân" in page.text
        assert "0918•••432" in page.text
        assert "Gửi mã xác nhận đến 0918•••432" in page.text

        sent = post(member, live, consent_path, {"action": "gui_ma"})
        assert sent.status_code == 302
        code = last_code(settings, PHONE)
        filed = post(member, live, consent_path, {"action": "nop_bang_ma", "code": code})
        assert filed.status_code == 302, filed.text
        done = member.get(filed.headers["Location"])
        dossier = Dossier.objects.get()
        assert dossier.code in done.text
        assert "/tai-khoan/kich-hoat/" in done.text

        assert dossier.status == Status.NEW
        assert dossier.channel == Channel.ONLINE
        assisted = AssistedSubmission.objects.get()
        assert (assisted.team, assisted.member.user, assisted.consent_method) == (
            towns.team_a,
            towns.member_a,
            ConsentMethod.OTP,
        )
        citizen = User.objects.get(personal_id=PERSONAL_ID)
        assert dossier.applicant == citizen
        assert any(
            m["to"] == PHONE and dossier.code in m["text"] for m in sms_texts(settings)
        )  # "filed for you"

        # The citizen sets a password with a code sent to the same phone, and finds the dossier.
        asked = post(phone, live, "/tai-khoan/kich-hoat/", {"personal_id": PERSONAL_ID, "phone": PHONE})
        assert asked.status_code == 200
        assert "Mã kích hoạt" in asked.text
        activation = last_code(settings, PHONE)
        activated = phone.post(
            "/tai-khoan/kich-hoat/",
            data={
                "csrfmiddlewaretoken": csrf_token(asked.text),
                "personal_id": PERSONAL_ID,
                "phone": PHONE,
                "code": activation,
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
            headers={"Referer": f"{live}/tai-khoan/kich-hoat/"},
        )
        assert activated.status_code == 302
        assert activated.headers["Location"] == "/ho-so/"
        mine = phone.get("/ho-so/")
        assert dossier.code in mine.text

        # The commune receives it; the citizen is told as if they had filed it themselves.
        dossier_actions.receive(dossier, actor=receiver)
        inbox = phone.get("/thong-bao/")
        assert re.search(rf"Hồ sơ {re.escape(str(dossier.code))} đã được tiếp nhận", inbox.text), inbox.text


def test_without_the_citizens_consent_nothing_is_filed(live: str, settings: Any) -> None:
    towns, procedure, requirement = setup()
    with closing(web_client(live, towns.member_a.username)) as member:
        consent_path = prepare(live, member, towns, procedure, requirement)
        post(member, live, consent_path, {"action": "gui_ma"})
        code = last_code(settings, PHONE)
        wrong = f"{(int(code) + 7) % 1_000_000:06d}"

        answers = [
            post(member, live, consent_path, {"action": "nop_bang_ma", "code": wrong}) for _ in range(5)
        ]
        assert [answer.status_code for answer in answers] == [400] * 5
        assert "Mã xác nhận không đúng. Còn 4 lần thử." in answers[0].text
        assert "Đã nhập sai mã quá số lần cho phép" in answers[-1].text
        late = post(member, live, consent_path, {"action": "nop_bang_ma", "code": code})
        assert late.status_code == 400
        unsigned = post(member, live, consent_path, {"action": "nop_bang_chu_ky", "signature": ""})
        assert unsigned.status_code == 400
        assert "Người nộp chưa ký." in unsigned.text

        draft = Dossier.objects.get()
        assert draft.status is None
        assert draft.code is None
        assert not draft.events.exists()
        assert not User.objects.filter(personal_id=PERSONAL_ID).exists()

        declined = post(member, live, consent_path, {"action": "tu_choi"})
        assert declined.status_code == 302
        assert not Dossier.objects.exists()
        assisted = AssistedSubmission.objects.get()
        assert assisted.declined_at is not None
        assert assisted.submitted_at is None
        assert member.get(consent_path).status_code == 302  # nothing left to consent to
    assert [m for m in sms_texts(settings) if "nop thay" in m["text"].lower()] == []

"""The officer's dossier page: what it shows, which actions it offers, and every action end to end."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.factories import OfficialFactory, RoleAssignmentFactory
from backoffice.builders import processed, processing, received, submitted, waiting, with_procedure
from catalog.factories import ProcessingStepFactory, RequiredDocumentFactory
from dossiers.factories import PDF_BYTES, OneStopShop, one_stop_shop
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.dossiers.models import Dossier, DossierFile, FileKind
from mekong.dossiers.states import Status
from mekong.dossiers.workdays import VIETNAM_TZ
from portal.html_audit import assert_accessible

pytestmark = pytest.mark.django_db

MONDAY_9AM = datetime(2026, 3, 9, 9, 0, tzinfo=VIETNAM_TZ)
ALL_ACTIONS = {
    "receive",
    "refuse",
    "request_supplement",
    "assign",
    "start_processing",
    "attach_result",
    "generate_result",
    "approve",
    "send_back",
    "return_result",
    "stop",
}


def page(client: Client, user: User, dossier: Dossier) -> str:
    client.force_login(user)
    response = client.get(reverse("backoffice:dossier", args=[dossier.code]))
    assert response.status_code == 200
    return response.content.decode()


def offered(html: str) -> set[str]:
    """The actions whose forms the page shows."""
    return set(re.findall(r'<form method="post" action="/can-bo/ho-so/[^/]+/([a-z_]+)/"', html))


def post(
    client: Client, user: User, dossier: Dossier, action: str, data: dict[str, Any] | None = None
) -> Any:
    client.force_login(user)
    return client.post(reverse("backoffice:dossier_action", args=[dossier.code, action]), data or {})


def reloaded(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def flash(client: Client, response: Any) -> str:
    """The page the action redirected to, with its flash message."""
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


# --- which buttons ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        ("new", "receiver", {"receive", "refuse", "request_supplement"}),
        ("new", "specialist", {"request_supplement"}),
        ("new", "leader", set()),
        ("received", "receiver", {"request_supplement", "assign", "request_payment"}),
        ("received", "specialist", {"start_processing", "request_supplement", "request_payment", "stop"}),
        (
            "processing",
            "specialist",
            {"request_supplement", "request_payment", "attach_result", "generate_result", "stop"},
        ),
        ("processing", "leader", {"assign", "approve", "send_back", "stop"}),
        ("processed", "receiver", {"return_result"}),
        ("processed", "leader", set()),
        ("waiting", "specialist", {"stop"}),
    ],
)
def test_only_the_actions_the_official_may_take_are_offered(
    client: Client, shop: OneStopShop, status: str, role: str, expected: set[str]
) -> None:
    builders = {
        "new": lambda: submitted(shop, MONDAY_9AM),
        "received": lambda: received(shop, MONDAY_9AM),
        "processing": lambda: processing(shop, MONDAY_9AM),
        "processed": lambda: processed(shop, MONDAY_9AM),
        "waiting": lambda: waiting(shop, MONDAY_9AM),
    }
    dossier = builders[status]()

    html = page(client, getattr(shop, role), dossier)

    assert offered(html) == expected
    if not expected:
        assert "Bạn không có thao tác nào với hồ sơ ở trạng thái này." in html


def test_specialist_does_not_see_receive_and_cannot_post_it(client: Client, shop: OneStopShop) -> None:
    dossier = submitted(shop, MONDAY_9AM)
    before = (dossier.status, dossier.event_count, dossier.head_hash)

    assert "receive" not in offered(page(client, shop.specialist, dossier))
    response = post(client, shop.specialist, dossier, "receive")

    assert response.status_code == 403
    html = response.content.decode()
    assert f"Bạn không có vai trò phù hợp tại {shop.agency.name} để tiếp nhận hồ sơ." in html
    assert 'role="alert"' in html
    after = reloaded(dossier)
    assert (after.status, after.event_count, after.head_hash) == before


# --- what the page shows -------------------------------------------------------------------------------


def test_page_shows_applicant_form_answers_and_files_with_their_hash(
    client: Client, shop: OneStopShop
) -> None:
    dossier = submitted(shop, MONDAY_9AM, name="Phạm Thị Hoa")

    html = page(client, shop.receiver, dossier)

    assert "Phạm Thị Hoa" in html
    assert re.search(r"<dt>Họ, chữ đệm và tên</dt>\s*<dd>Nguyễn Văn An</dd>", html)
    assert re.search(r"<dt>Số bản sao</dt>\s*<dd>1</dd>", html)
    stored = dossier.files.get()
    assert hashlib.sha256(PDF_BYTES).hexdigest() == stored.sha256
    assert f"<code>{stored.sha256}</code>" in html
    assert "Tờ khai theo mẫu" in html
    assert reverse("backoffice:dossier_file", args=[dossier.code, stored.pk]) in html


def test_attached_file_downloads_with_its_name(client: Client, shop: OneStopShop) -> None:
    dossier = submitted(shop, MONDAY_9AM)
    stored = dossier.files.get()
    client.force_login(shop.specialist)

    response = client.get(reverse("backoffice:dossier_file", args=[dossier.code, stored.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="to-khai.pdf"' in response["Content-Disposition"]


def test_timeline_shows_who_in_which_role_when_the_note_and_missing_items(
    client: Client, shop: OneStopShop
) -> None:
    dossier = received(shop, MONDAY_9AM)
    post(
        client,
        shop.receiver,
        dossier,
        "request_supplement",
        {
            "request_supplement-missing": [str(shop.requirement.pk)],
            "request_supplement-other": "Bản sao sổ hộ khẩu",
            "request_supplement-note": "Nộp bản có chứng thực.",
        },
    )

    html = page(client, shop.receiver, dossier)

    timeline = html[html.index('<ol class="timeline">') :]
    assert [m for m in re.findall(r"<strong>([^<]+)</strong>", timeline)] == [
        "Nộp hồ sơ",
        "Tiếp nhận hồ sơ",
        "Yêu cầu bổ sung giấy tờ",
    ]
    assert f"{shop.receiver} (Cán bộ tiếp nhận (một cửa))" in timeline
    assert f"{shop.citizen} (Công dân)" in timeline
    assert "09/03/2026 09:00" in timeline
    assert "Nộp bản có chứng thực." in timeline
    assert "<li>Tờ khai theo mẫu</li><li>Bản sao sổ hộ khẩu</li>" in timeline
    assert "Được tiếp nhận → Yêu cầu bổ sung giấy tờ" in timeline
    assert "tạm dừng tính thời hạn" in html


def test_step_deadlines_follow_the_procedure_steps(client: Client, shop: OneStopShop) -> None:
    stepped = with_procedure(shop, time_limit_value=3)
    for position, (name, role, days) in enumerate(
        [
            ("Tiếp nhận hồ sơ", Role.RECEIVING_OFFICER, "0.5"),
            ("Thẩm định", Role.SPECIALIST, "2"),
            ("Ký duyệt", Role.LEADER, "0.5"),
        ]
    ):
        ProcessingStepFactory.create(
            procedure=stepped.procedure, position=position, name=name, role=role, duration_value=Decimal(days)
        )
    dossier = received(stepped, MONDAY_9AM)

    html = page(client, shop.receiver, dossier)

    rows = re.findall(
        r"<tr><td>([^<]+)</td><td>[^<]+</td><td>[^<]+</td><td class=\"nowrap\">([^<]+)</td><td class=\"nowrap\">([^<]+)</td></tr>",
        html,
    )
    assert rows == [
        ("Tiếp nhận hồ sơ", "09/03/2026 09:00", "10/03/2026 11:00"),
        ("Thẩm định", "10/03/2026 11:00", "12/03/2026 11:00"),
        ("Ký duyệt", "12/03/2026 11:00", "12/03/2026 17:00"),
    ]
    assert re.search(r"Hạn trả kết quả</dt><dd[^>]*>12/03/2026 17:00", html)


def test_official_of_another_agency_gets_404_everywhere(client: Client, shop: OneStopShop) -> None:
    dossier = submitted(shop, MONDAY_9AM)
    stored = dossier.files.get()
    stranger = one_stop_shop().receiver
    client.force_login(stranger)

    assert client.get(reverse("backoffice:dossier", args=[dossier.code])).status_code == 404
    assert client.get(reverse("backoffice:dossier_file", args=[dossier.code, stored.pk])).status_code == 404
    assert post(client, stranger, dossier, "receive").status_code == 404
    assert reloaded(dossier).status == Status.NEW


def test_citizen_gets_403_even_for_their_own_dossier(client: Client, shop: OneStopShop) -> None:
    dossier = submitted(shop, MONDAY_9AM)
    client.force_login(shop.citizen)

    assert client.get(reverse("backoffice:dossier", args=[dossier.code])).status_code == 403
    assert post(client, shop.citizen, dossier, "receive").status_code == 403
    assert reloaded(dossier).status == Status.NEW


def test_drafts_and_unknown_codes_are_not_found(client: Client, shop: OneStopShop) -> None:
    client.force_login(shop.receiver)
    assert client.get(reverse("backoffice:dossier", args=["000.00.98.H28-260309-9999"])).status_code == 404
    dossier = submitted(shop, MONDAY_9AM)
    assert post(client, shop.receiver, dossier, "teleport").status_code == 404


def test_actions_are_post_only(client: Client, shop: OneStopShop) -> None:
    dossier = submitted(shop, MONDAY_9AM)
    client.force_login(shop.receiver)
    assert client.get(reverse("backoffice:dossier_action", args=[dossier.code, "receive"])).status_code == 405
    assert reloaded(dossier).status == Status.NEW


# --- every action, end to end ---------------------------------------------------------------------------


def test_receive(client: Client, shop: OneStopShop) -> None:
    dossier = submitted(shop, MONDAY_9AM)

    response = post(client, shop.receiver, dossier, "receive", {"receive-note": "Đủ giấy tờ."})

    assert response["Location"] == reverse("backoffice:dossier", args=[dossier.code])
    assert f"Đã tiếp nhận hồ sơ {dossier.code}." in flash(client, response)
    after = reloaded(dossier)
    assert after.status == Status.RECEIVED
    assert after.due_at is not None
    assert after.events.last().note == "Đủ giấy tờ."  # type: ignore[union-attr]


def test_receiving_twice_is_refused_with_the_state_machines_message(
    client: Client, shop: OneStopShop
) -> None:
    dossier = received(shop, MONDAY_9AM)

    response = post(client, shop.receiver, dossier, "receive")

    assert response.status_code == 409
    assert (
        "Không thể tiếp nhận hồ sơ khi hồ sơ đang ở trạng thái “Được tiếp nhận”." in response.content.decode()
    )
    assert reloaded(dossier).event_count == dossier.event_count


def test_refuse_needs_a_reason(client: Client, shop: OneStopShop) -> None:
    dossier = submitted(shop, MONDAY_9AM)

    empty = post(client, shop.receiver, dossier, "refuse", {"refuse-reason": "  "})
    assert empty.status_code == 400
    html = empty.content.decode()
    assert "Vui lòng nêu lý do từ chối." in html
    assert '<details class="closing" open>' in html  # the refused form stays open with its message
    assert reloaded(dossier).status == Status.NEW

    done = post(client, shop.receiver, dossier, "refuse", {"refuse-reason": "Không thuộc thẩm quyền."})
    assert f"Đã từ chối tiếp nhận hồ sơ {dossier.code}." in flash(client, done)
    after = reloaded(dossier)
    assert after.status == Status.NOT_RECEIVED
    assert after.events.last().note == "Không thuộc thẩm quyền."  # type: ignore[union-attr]


def test_request_supplement_lists_documents_and_free_text(client: Client, shop: OneStopShop) -> None:
    extra = RequiredDocumentFactory.create(
        procedure=shop.procedure, name="Giấy xác nhận cư trú", mandatory=False
    )
    dossier = submitted(shop, MONDAY_9AM)
    html = page(client, shop.receiver, dossier)
    assert f'<input type="checkbox" name="request_supplement-missing" value="{extra.pk}"' in html
    assert "Giấy xác nhận cư trú" in html

    empty = post(client, shop.receiver, dossier, "request_supplement", {})
    assert empty.status_code == 400
    assert "Vui lòng liệt kê giấy tờ cần bổ sung." in empty.content.decode()

    done = post(
        client,
        shop.receiver,
        dossier,
        "request_supplement",
        {
            "request_supplement-missing": [str(extra.pk)],
            "request_supplement-other": "Ảnh 4x6\n\n  Bản sao CCCD  ",
        },
    )
    assert f"Đã gửi yêu cầu bổ sung hồ sơ {dossier.code}." in flash(client, done)
    after = reloaded(dossier)
    assert after.status == Status.SUPPLEMENT_REQUESTED
    assert after.events.last().data == {"missing": ["Giấy xác nhận cư trú", "Ảnh 4x6", "Bản sao CCCD"]}  # type: ignore[union-attr]


def test_assign_to_a_specialist_of_the_agency(client: Client, shop: OneStopShop) -> None:
    dossier = received(shop, MONDAY_9AM)
    outsider = one_stop_shop().specialist
    html = page(client, shop.receiver, dossier)
    assert f'<option value="{shop.specialist.pk}">{shop.specialist}</option>' in html
    assert f'value="{outsider.pk}"' not in html

    refused = post(client, shop.receiver, dossier, "assign", {"assign-specialist": str(outsider.pk)})
    assert refused.status_code == 400
    assert "Người được chọn không phải chuyên viên của cơ quan." in refused.content.decode()
    assert reloaded(dossier).assigned_to_id is None

    done = post(client, shop.receiver, dossier, "assign", {"assign-specialist": str(shop.specialist.pk)})
    assert f"Đã phân công xử lý hồ sơ {dossier.code}." in flash(client, done)
    after = reloaded(dossier)
    assert (after.status, after.assigned_to_id) == (Status.PROCESSING, shop.specialist.pk)
    assert f"<dt>Chuyên viên</dt><dd>{shop.specialist}</dd>" in page(client, shop.receiver, dossier)


def test_start_processing(client: Client, shop: OneStopShop) -> None:
    dossier = received(shop, MONDAY_9AM)

    done = post(client, shop.specialist, dossier, "start_processing")

    assert f"Đã bắt đầu xử lý hồ sơ {dossier.code}." in flash(client, done)
    after = reloaded(dossier)
    assert (after.status, after.assigned_to_id) == (Status.PROCESSING, shop.specialist.pk)


def test_generate_result_issues_a_verifiable_e_result(client: Client, shop: OneStopShop) -> None:
    dossier = processing(shop, MONDAY_9AM)
    client.force_login(shop.receiver)
    url = reverse("backoffice:dossier_action", args=[dossier.code, "generate_result"])
    refused = client.post(url, {})
    assert refused.status_code == 403
    assert not DossierFile.objects.filter(dossier=dossier, kind=FileKind.RESULT).exists()

    client.force_login(shop.specialist)
    done = client.post(url, {"generate_result-note": ""})
    assert f"Đã tạo kết quả điện tử cho hồ sơ {dossier.code}." in flash(client, done)
    result = DossierFile.objects.get(dossier=dossier, kind=FileKind.RESULT)
    assert result.content_type == "application/pdf"
    issued = dossier.documents.get(kind="result")
    assert issued.sha256 == result.sha256


def test_attach_result_checks_the_file_by_content(client: Client, shop: OneStopShop) -> None:
    dossier = processing(shop, MONDAY_9AM)
    client.force_login(shop.specialist)
    url = reverse("backoffice:dossier_action", args=[dossier.code, "attach_result"])

    fake = client.post(url, {"attach_result-file": SimpleUploadedFile("ket-qua.pdf", b"not a pdf at all")})
    assert fake.status_code == 415
    assert "Tệp “ket-qua.pdf” không phải PDF, JPEG hoặc PNG hợp lệ" in fake.content.decode()
    missing = client.post(url, {})
    assert missing.status_code == 400
    assert "Chọn tệp kết quả để đính kèm." in missing.content.decode()
    assert not DossierFile.objects.filter(dossier=dossier, kind=FileKind.RESULT).exists()

    done = client.post(
        url,
        {
            "attach_result-file": SimpleUploadedFile("ket-qua.pdf", PDF_BYTES),
            "attach_result-note": "Bản ký số",
        },
    )
    assert f"Đã đính kèm kết quả cho hồ sơ {dossier.code}." in flash(client, done)
    result = DossierFile.objects.get(dossier=dossier, kind=FileKind.RESULT)
    assert result.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert reloaded(dossier).status == Status.PROCESSING


def test_approve_needs_the_e_result_when_the_procedure_requires_it(client: Client, shop: OneStopShop) -> None:
    strict = with_procedure(shop, requires_e_result=True)
    dossier = processing(strict, MONDAY_9AM)

    refused = post(client, shop.leader, dossier, "approve")
    assert refused.status_code == 409
    assert "Thủ tục yêu cầu kết quả điện tử: chưa có kết quả đính kèm." in refused.content.decode()
    assert reloaded(dossier).status == Status.PROCESSING

    post(
        client,
        shop.specialist,
        dossier,
        "attach_result",
        {"attach_result-file": SimpleUploadedFile("kq.pdf", PDF_BYTES)},
    )
    done = post(client, shop.leader, dossier, "approve", {"approve-note": "Đồng ý."})
    assert f"Đã phê duyệt kết quả hồ sơ {dossier.code}." in flash(client, done)
    assert reloaded(dossier).status == Status.PROCESSED


def test_send_back_needs_a_note(client: Client, shop: OneStopShop) -> None:
    dossier = processing(shop, MONDAY_9AM)

    empty = post(client, shop.leader, dossier, "send_back", {"send_back-note": ""})
    assert empty.status_code == 400
    assert "Vui lòng ghi rõ nội dung cần xử lý lại." in empty.content.decode()

    done = post(client, shop.leader, dossier, "send_back", {"send_back-note": "Bổ sung căn cứ pháp lý."})
    assert f"Đã trả lại hồ sơ {dossier.code} để xử lý lại." in flash(client, done)
    last = reloaded(dossier).events.last()
    assert last is not None
    assert (last.command, last.note) == ("send_back", "Bổ sung căn cứ pháp lý.")


def test_return_result_at_the_counter(client: Client, shop: OneStopShop) -> None:
    dossier = processed(shop, MONDAY_9AM)

    done = post(client, shop.receiver, dossier, "return_result")

    assert f"Đã trả kết quả hồ sơ {dossier.code}." in flash(client, done)
    assert reloaded(dossier).status == Status.RESULT_RETURNED


def test_stop_needs_a_reason(client: Client, shop: OneStopShop) -> None:
    dossier = waiting(shop, MONDAY_9AM)

    empty = post(client, shop.specialist, dossier, "stop", {})
    assert empty.status_code == 400
    assert "Vui lòng nêu lý do dừng xử lý." in empty.content.decode()

    done = post(
        client, shop.specialist, dossier, "stop", {"stop-reason": "Công dân không bổ sung sau 30 ngày."}
    )
    assert f"Đã dừng xử lý hồ sơ {dossier.code}." in flash(client, done)
    assert reloaded(dossier).status == Status.STOPPED


# --- page quality -----------------------------------------------------------------------------------


def test_dossier_page_with_every_form_is_accessible(client: Client, shop: OneStopShop) -> None:
    # One official with all three roles sees the most forms at once.
    official = OfficialFactory.create()
    for role in (Role.RECEIVING_OFFICER, Role.SPECIALIST, Role.LEADER):
        RoleAssignmentFactory.create(user=official, agency=shop.agency, role=role)
    dossier = processing(shop, MONDAY_9AM)

    html = page(client, official, dossier)
    assert offered(html) == {
        "request_supplement",
        "request_payment",
        "assign",
        "attach_result",
        "generate_result",
        "approve",
        "send_back",
        "stop",
    }
    assert_accessible(html)

    refused = post(client, official, dossier, "send_back", {"send_back-note": ""})
    assert_accessible(refused.content.decode())
    assert 'aria-invalid="true"' in refused.content.decode()


def test_dossier_page_queries_do_not_grow_with_the_trail(
    client: Client, shop: OneStopShop, django_assert_max_num_queries: Any
) -> None:
    dossier = processing(shop, MONDAY_9AM)
    for hour in range(10, 16):
        post(
            client,
            shop.specialist,
            dossier,
            "attach_result",
            {"attach_result-file": SimpleUploadedFile(f"kq{hour}.pdf", PDF_BYTES)},
        )
    client.force_login(shop.leader)
    page(client, shop.leader, dossier)

    # 12, and 2 for the fees panel (the procedure's fee items, the dossier's payments): none per event.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("backoffice:dossier", args=[dossier.code]))
    assert response.status_code == 200
    assert response.content.decode().count("Đính kèm kết quả giải quyết") == 6

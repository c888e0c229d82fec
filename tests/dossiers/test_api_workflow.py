"""Officers and citizens moving a dossier through the one-stop-shop workflow over HTTP, the refusals
(permissions, illegal transitions, missing reasons) and bulk actions."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.factories import CitizenFactory, OfficialFactory, RoleAssignmentFactory
from catalog.factories import AgencyFactory
from mekong.accounts.roles import Role
from mekong.dossiers import actions
from mekong.dossiers.models import Dossier, DossierFile, FileKind
from mekong.dossiers.states import Status

from .api_support import Api, media_in_tmp, upload
from .factories import PDF_BYTES, PNG_BYTES, one_stop_shop, pdf, submitted_dossier

__all__ = ["media_in_tmp"]

pytestmark = pytest.mark.django_db


def snapshot(dossier: Dossier) -> tuple[Any, ...]:
    dossier.refresh_from_db()
    return (dossier.status, dossier.event_count, dossier.head_hash, dossier.due_at, dossier.assigned_to_id)


def test_full_path_over_http_ends_with_the_citizen_downloading_the_result() -> None:
    shop = one_stop_shop(requires_e_result=True)
    code = submitted_dossier(shop).code
    citizen, receiver = Api(shop.citizen), Api(shop.receiver)
    specialist, leader = Api(shop.specialist), Api(shop.leader)

    received = receiver.post(f"/{code}/receive", {"note": "Đủ thành phần"})
    assert received.status_code == 200, received.content
    assert received.json()["status"] == Status.RECEIVED
    assert received.json()["due_at"] is not None

    asked = receiver.post(
        f"/{code}/request-supplement", {"missing": ["Bản sao giấy khai sinh"], "note": "Bổ sung"}
    )
    assert asked.json()["status"] == Status.SUPPLEMENT_REQUESTED
    detail = citizen.get(f"/{code}").json()
    assert detail["timeline"][-1]["missing"] == ["Bản sao giấy khai sinh"]
    assert "supplement" in detail["actions"]

    supplemented = citizen.upload(
        f"/{code}/supplement", {"files": [upload("khai-sinh.pdf", PDF_BYTES)]}, note="Đã bổ sung"
    )
    assert supplemented.status_code == 200, supplemented.content
    assert supplemented.json()["status"] == Status.RECEIVED
    assert DossierFile.objects.filter(dossier__code=code, kind=FileKind.SUPPLEMENT).count() == 1

    assert specialist.post(f"/{code}/start").json()["status"] == Status.PROCESSING
    result = specialist.upload(f"/{code}/result", {"file": upload("ket-qua.pdf", PDF_BYTES)}, note="Kết quả")
    assert result.status_code == 201, result.content
    # Not approved yet: the citizen does not see the draft result.
    assert citizen.client.get(result.json()["download_url"], **citizen.headers).status_code == 404

    assert leader.post(f"/{code}/approve", {}).json()["status"] == Status.PROCESSED
    returned = receiver.post(f"/{code}/return", {})
    assert returned.json()["status"] == Status.RESULT_RETURNED

    detail = citizen.get(f"/{code}").json()
    assert [entry["action"] for entry in detail["timeline"]] == [
        "submit", "receive", "request_supplement", "supplement", "start_processing", "attach_result", "approve",
        "return_result",
    ]  # fmt: skip
    assert [entry["actor_role_label"] for entry in detail["timeline"]][:2] == [
        "Công dân",
        "Cán bộ tiếp nhận (một cửa)",
    ]
    assert detail["timeline"][1]["status_label"] == "Được tiếp nhận"
    assert detail["actions"] == []
    result_file = next(f for f in detail["files"] if f["kind"] == "result")
    download = citizen.client.get(result_file["download_url"], **citizen.headers)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"


def test_detail_is_for_the_owner_and_the_agency_only() -> None:
    shop = one_stop_shop()
    code = submitted_dossier(shop).code
    other = one_stop_shop()

    own = Api(shop.citizen).get(f"/{code.lower()}")
    assert own.status_code == 200
    assert own.json()["applicant"]["personal_id"] == shop.citizen.personal_id
    assert own.json()["actions"] == ["withdraw"]
    assert Api(shop.receiver).get(f"/{code}").json()["actions"] == [
        "receive",
        "refuse",
        "request_supplement",
        "withdraw",
    ]

    for stranger in (other.citizen, other.receiver, other.leader):
        response = Api(stranger).get(f"/{code}")
        assert response.status_code == 404
        assert response.json()["message"] == f"Không tìm thấy hồ sơ “{code}”."
    assert Api().get(f"/{code}").status_code == 401


def test_leader_of_the_parent_agency_reads_but_does_not_act() -> None:
    shop = one_stop_shop()
    parent = AgencyFactory()
    shop.agency.parent = parent
    shop.agency.save()
    supervisor = OfficialFactory()
    RoleAssignmentFactory(user=supervisor, role=Role.LEADER, agency=parent)
    dossier = submitted_dossier(shop)
    before = snapshot(dossier)

    api = Api(supervisor)
    assert api.get(f"/{dossier.code}").status_code == 200
    refused = api.post(f"/{dossier.code}/receive", {})
    assert refused.status_code == 403
    assert snapshot(dossier) == before


@pytest.mark.parametrize(
    ("who", "path", "body", "status"),
    [
        ("other_citizen", "/withdraw", {"reason": "Không cần"}, 404),
        ("other_receiver", "/receive", {}, 404),
        ("citizen", "/receive", {}, 403),
        ("specialist", "/receive", {}, 403),
        ("receiver", "/approve", {}, 403),
        ("leader", "/approve", {}, 409),
        ("specialist", "/start", {}, 409),
        ("anonymous", "/receive", {}, 401),
    ],
)
def test_refused_commands_change_nothing(who: str, path: str, body: dict[str, Any], status: int) -> None:
    shop = one_stop_shop()
    other = one_stop_shop()
    dossier = submitted_dossier(shop)
    before = snapshot(dossier)
    users = {
        "citizen": shop.citizen,
        "other_citizen": other.citizen,
        "receiver": shop.receiver,
        "other_receiver": other.receiver,
        "specialist": shop.specialist,
        "leader": shop.leader,
        "anonymous": None,
    }

    response = Api(users[who]).post(f"/{dossier.code}{path}", body)

    assert response.status_code == status, response.content
    assert response.json()["message"]
    assert response.json()["message_en"]
    assert snapshot(dossier) == before


def test_illegal_transition_is_409_with_both_languages() -> None:
    shop = one_stop_shop()
    dossier = submitted_dossier(shop)
    before = snapshot(dossier)

    response = Api(shop.leader).post(f"/{dossier.code}/approve", {})

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "illegal_transition"
    assert body["message"] == "Không thể phê duyệt kết quả khi hồ sơ đang ở trạng thái “Mới đăng ký”."
    assert body["message_en"]
    assert snapshot(dossier) == before


@pytest.mark.parametrize(("path", "field"), [("/refuse", "reason"), ("/withdraw", "reason")])
def test_reasons_are_required(path: str, field: str) -> None:
    shop = one_stop_shop()
    dossier = submitted_dossier(shop)
    user = shop.receiver if path == "/refuse" else shop.citizen
    before = snapshot(dossier)

    response = Api(user).post(f"/{dossier.code}{path}", {"reason": "   "})

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert snapshot(dossier) == before


def test_refuse_and_withdraw_and_stop_end_the_dossier() -> None:
    shop = one_stop_shop()
    refused = submitted_dossier(shop)
    response = Api(shop.receiver).post(f"/{refused.code}/refuse", {"reason": "Sai thẩm quyền"})
    assert response.json()["status"] == Status.NOT_RECEIVED
    assert response.json()["finished_at"] is not None

    withdrawn = submitted_dossier(shop)
    response = Api(shop.citizen).post(f"/{withdrawn.code}/withdraw", {"reason": "Nộp nhầm"})
    assert response.json()["status"] == Status.WITHDRAWN

    stopped = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    missing = Api(shop.leader).post(f"/{stopped.code}/stop", {})
    assert missing.status_code == 400
    response = Api(shop.leader).post(f"/{stopped.code}/stop", {"reason": "Công dân không bổ sung"})
    assert response.json()["status"] == Status.STOPPED


def test_assign_then_send_back() -> None:
    shop = one_stop_shop()
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    outsider = one_stop_shop().specialist

    wrong = Api(shop.receiver).post(f"/{dossier.code}/assign", {"specialist": outsider.pk})
    assert wrong.status_code == 400
    assert [error["field"] for error in wrong.json()["errors"]] == ["specialist"]
    unknown = Api(shop.receiver).post(f"/{dossier.code}/assign", {"specialist": 999_999})
    assert unknown.status_code == 400

    assigned = Api(shop.receiver).post(f"/{dossier.code}/assign", {"specialist": shop.specialist.pk})
    assert assigned.status_code == 200
    assert assigned.json()["status"] == Status.PROCESSING
    dossier.refresh_from_db()
    assert dossier.assigned_to == shop.specialist

    no_note = Api(shop.leader).post(f"/{dossier.code}/send-back", {"note": ""})
    assert no_note.status_code == 400
    sent_back = Api(shop.leader).post(f"/{dossier.code}/send-back", {"note": "Kiểm tra lại chữ ký"})
    assert sent_back.status_code == 200
    assert (
        Api(shop.specialist).get(f"/{dossier.code}").json()["timeline"][-1]["note"] == "Kiểm tra lại chữ ký"
    )


def test_supplement_refusals() -> None:
    shop = one_stop_shop()
    dossier = actions.request_supplement(submitted_dossier(shop), actor=shop.receiver, missing=["Ảnh 4x6"])
    api = Api(shop.citizen)
    before = snapshot(dossier)

    empty = api.upload(f"/{dossier.code}/supplement", {})
    assert empty.status_code == 400
    assert empty.json()["errors"][0]["field"] == "files"
    misnamed = api.upload(f"/{dossier.code}/supplement", {"files": [upload("anh.pdf", PNG_BYTES)]})
    assert misnamed.status_code == 415
    assert misnamed.json()["errors"][0]["field"] == "files"
    stranger = Api(CitizenFactory()).upload(f"/{dossier.code}/supplement", {}, note="Tôi bổ sung")
    assert stranger.status_code == 404
    assert snapshot(dossier) == before

    two = api.upload(
        f"/{dossier.code}/supplement", {"files": [upload("a.pdf", PDF_BYTES), upload("b.png", PNG_BYTES)]}
    )
    assert two.status_code == 200, two.content
    assert DossierFile.objects.filter(dossier=dossier, kind=FileKind.SUPPLEMENT).count() == 2


def test_result_upload_needs_processing_and_a_specialist() -> None:
    shop = one_stop_shop()
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    early = Api(shop.specialist).upload(f"/{dossier.code}/result", {"file": upload("kq.pdf", PDF_BYTES)})
    assert early.status_code == 409
    actions.start_processing(dossier, actor=shop.specialist)
    by_receiver = Api(shop.receiver).upload(f"/{dossier.code}/result", {"file": upload("kq.pdf", PDF_BYTES)})
    assert by_receiver.status_code == 403
    garbage = Api(shop.specialist).upload(f"/{dossier.code}/result", {"file": upload("kq.pdf", b"not a pdf")})
    assert garbage.status_code == 415
    assert not DossierFile.objects.filter(kind=FileKind.RESULT).exists()


# --- bulk ------------------------------------------------------------------------------------------------


def test_bulk_receive_reports_each_code_and_keeps_the_good_ones() -> None:
    shop = one_stop_shop()
    fresh = [submitted_dossier(shop) for _ in range(3)]
    already = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    foreign = submitted_dossier(one_stop_shop())
    codes = [fresh[0].code.lower(), already.code, fresh[1].code, "KHONG-CO-MA", foreign.code, fresh[2].code]

    response = Api(shop.receiver).post("/bulk", {"action": "receive", "codes": codes})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["succeeded"], body["failed"]) == (3, 3)
    by_code = {result["code"]: result for result in body["results"]}
    assert body["results"][0]["code"] == fresh[0].code
    for dossier in fresh:
        assert by_code[dossier.code]["ok"] is True
        assert by_code[dossier.code]["status_label"] == "Được tiếp nhận"
        dossier.refresh_from_db()
        assert dossier.status == Status.RECEIVED
    assert by_code[already.code]["error"]["code"] == "illegal_transition"
    assert by_code["KHONG-CO-MA"]["error"]["code"] == "not_found"
    assert by_code[foreign.code]["error"]["code"] == "not_found"
    foreign.refresh_from_db()
    assert foreign.status == Status.NEW


def test_bulk_assign_start_and_return() -> None:
    shop = one_stop_shop()
    dossiers = [actions.receive(submitted_dossier(shop), actor=shop.receiver) for _ in range(2)]
    codes = [d.code for d in dossiers]
    receiver = Api(shop.receiver)

    no_specialist = receiver.post("/bulk", {"action": "assign", "codes": codes})
    assert no_specialist.status_code == 400
    assert no_specialist.json()["errors"][0]["field"] == "specialist"

    assigned = receiver.post("/bulk", {"action": "assign", "codes": codes, "specialist": shop.specialist.pk})
    assert assigned.json()["succeeded"] == 2
    started = Api(shop.specialist).post("/bulk", {"action": "start", "codes": codes})
    # Assigning already moved them to processing: starting is not allowed any more, for each code.
    assert started.json()["failed"] == 2

    for dossier in dossiers:
        actions.approve(dossier, actor=shop.leader)
    returned = receiver.post("/bulk", {"action": "return", "codes": codes})
    assert returned.json()["succeeded"] == 2
    assert {Dossier.objects.get(pk=d.pk).status for d in dossiers} == {Status.RESULT_RETURNED}


def test_bulk_is_for_officials_and_validates_its_input() -> None:
    shop = one_stop_shop()
    code = submitted_dossier(shop).code
    assert Api(shop.citizen).post("/bulk", {"action": "receive", "codes": [code]}).status_code == 403
    assert Api(shop.receiver).post("/bulk", {"action": "explode", "codes": [code]}).status_code == 422
    assert Api(shop.receiver).post("/bulk", {"action": "receive", "codes": []}).status_code == 422
    assert Dossier.objects.get(code=code).status == Status.NEW


def test_counter_supplement_by_the_officer_and_pdf_helper_is_used() -> None:
    # The receiving officer may record a supplement handed in at the counter.
    shop = one_stop_shop()
    dossier = actions.request_supplement(submitted_dossier(shop), actor=shop.receiver, missing=["Bản sao"])
    response = Api(shop.receiver).upload(
        f"/{dossier.code}/supplement", {"files": [upload("ban-sao.pdf", pdf().read())]}
    )
    assert response.status_code == 200
    assert response.json()["status"] == Status.NEW

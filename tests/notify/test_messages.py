"""The text of each notification: Vietnamese by default, English when the citizen chose it; the SMS one
short line without accents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from dossiers.factories import OneStopShop, submitted_dossier
from mekong.dossiers import actions
from mekong.dossiers.apology import confirm_apology, draft_apology
from mekong.dossiers.models import Dossier, ResultDelivery
from mekong.dossiers.workdays import VIETNAM_TZ
from mekong.notify.actions import set_preferences
from mekong.notify.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def local(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment.astimezone(VIETNAM_TZ)


def latest(kind: NotificationKind) -> Notification:
    return Notification.objects.filter(kind=kind).latest("pk")


def full_journey(shop: OneStopShop) -> Dossier:
    """received → supplement requested → supplied → processing → payment due → paid → result ready →
    returned (online)."""
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    dossier = actions.request_supplement(
        dossier,
        actor=shop.receiver,
        missing=["Bản sao giấy khai sinh", "Ảnh chân dung 4x6"],
        note="Ảnh chụp trong 6 tháng gần nhất.",
    )
    dossier = actions.supplement(dossier, actor=shop.citizen, note="Đã gửi bổ sung")
    dossier = actions.start_processing(dossier, actor=shop.specialist)
    dossier = actions.request_payment(
        dossier, actor=shop.specialist, amount=1_250_000, note="Lệ phí cấp phép."
    )
    dossier = actions.pay(dossier, actor=None, data={"amount": 1_250_000})
    dossier = actions.approve(dossier, actor=shop.leader)
    return actions.return_result(dossier, note="Trả kết quả trực tuyến.")


def test_the_citizen_hears_of_every_step_that_concerns_them_in_vietnamese(shop: OneStopShop) -> None:
    dossier = full_journey(shop)
    code = dossier.code

    assert list(Notification.objects.order_by("pk").values_list("kind", flat=True)) == [
        NotificationKind.RECEIVED,
        NotificationKind.SUPPLEMENT_REQUESTED,
        NotificationKind.PAYMENT_DUE,
        NotificationKind.PAID,
        NotificationKind.RESULT_READY,
        NotificationKind.RETURNED,
    ]
    supplement = latest(NotificationKind.SUPPLEMENT_REQUESTED)
    assert supplement.subject == f"Hồ sơ {code} cần bổ sung giấy tờ"
    assert "- Bản sao giấy khai sinh\n- Ảnh chân dung 4x6\n" in supplement.body
    assert "Ghi chú của cán bộ: Ảnh chụp trong 6 tháng gần nhất." in supplement.body
    assert supplement.sms_text == (
        f"Ho so {code} can bo sung: Ban sao giay khai sinh; Anh chan dung 4x6. "
        "Vui long bo sung tren Cong dich vu cong."
    )

    payment = latest(NotificationKind.PAYMENT_DUE)
    assert payment.subject == f"Hồ sơ {code}: đề nghị nộp phí, lệ phí"
    assert "vui lòng nộp phí, lệ phí: 1.250.000 đồng." in payment.body
    assert "Ghi chú: Lệ phí cấp phép." in payment.body
    assert (
        payment.sms_text == f"Ho so {code}: vui long nop phi, le phi 1.250.000 dong de tiep tuc giai quyet."
    )

    paid = latest(NotificationKind.PAID)
    assert f"đã nhận phí, lệ phí 1.250.000 đồng của hồ sơ {code}" in paid.body

    ready = latest(NotificationKind.RESULT_READY)
    assert ready.subject == f"Hồ sơ {code} đã có kết quả"
    assert "Kết quả được trả trực tuyến: ông/bà tải về tại trang hồ sơ." in ready.body

    returned = latest(NotificationKind.RETURNED)
    assert returned.subject == f"Hồ sơ {code} đã trả kết quả"
    assert returned.sms_text == f"Ho so {code} da duoc tra ket qua. Cam on ong/ba da su dung dich vu cong."

    for notification in Notification.objects.all():
        assert notification.sms_text.isascii()
        assert len(notification.sms_text) <= 160
        assert f"Kính gửi ông/bà {shop.citizen.full_name}," in notification.email_body
        assert notification.body in notification.email_body


def test_a_result_to_collect_at_the_counter_says_where(shop: OneStopShop) -> None:
    dossier = submitted_dossier(shop)
    dossier.result_delivery = ResultDelivery.COUNTER
    dossier.save(update_fields=["result_delivery"])
    dossier = actions.receive(dossier, actor=shop.receiver)
    dossier = actions.start_processing(dossier, actor=shop.specialist)
    actions.approve(dossier, actor=shop.leader)

    ready = latest(NotificationKind.RESULT_READY)
    assert f"Mời ông/bà đến nhận kết quả tại Bộ phận một cửa của {shop.agency.name}" in ready.body
    assert ready.sms_text.endswith("Moi ong/ba den Bo phan mot cua nhan ket qua.")


def test_a_refusal_gives_the_reason(shop: OneStopShop) -> None:
    dossier = actions.refuse(
        submitted_dossier(shop), actor=shop.receiver, reason="Hồ sơ không thuộc thẩm quyền giải quyết của xã."
    )

    refused = latest(NotificationKind.REFUSED)
    assert refused.subject == f"Hồ sơ {dossier.code} không được tiếp nhận"
    assert "Lý do: Hồ sơ không thuộc thẩm quyền giải quyết của xã." in refused.body
    assert refused.sms_text == (
        f"Ho so {dossier.code} khong duoc tiep nhan. Ly do: Ho so khong thuoc tham quyen giai quyet cua xa."
    )


def test_a_confirmed_apology_letter_reaches_the_citizen_with_the_new_date(shop: OneStopShop) -> None:
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    old_due = local(dossier.due_at)
    letter = draft_apology(dossier)
    assert letter is not None
    assert not Notification.objects.filter(kind=NotificationKind.APOLOGY).exists()  # a draft tells nobody

    letter = confirm_apology(letter, actor=shop.receiver, reason="Cần xác minh thêm tại địa phương.")

    apology = latest(NotificationKind.APOLOGY)
    new_due = local(letter.new_due_at)
    assert apology.subject == f"Xin lỗi vì hồ sơ {dossier.code} chưa có kết quả đúng hẹn"
    assert f"đúng hẹn ({old_due:%H:%M} ngày {old_due:%d/%m/%Y})." in apology.body
    assert "Lý do: Cần xác minh thêm tại địa phương." in apology.body
    assert f"Ngày hẹn trả kết quả mới: {new_due:%H:%M} ngày {new_due:%d/%m/%Y}." in apology.body
    assert apology.sms_text.endswith(f"Hen lai ngay tra ket qua: {new_due:%H:%M %d/%m/%Y}.")


def test_a_reschedule_without_an_apology_letter_tells_nobody(shop: OneStopShop) -> None:
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    assert dossier.due_at is not None
    actions.reschedule(dossier, actor=shop.receiver, new_due_at=dossier.due_at, reason="Sửa lịch")

    assert not Notification.objects.filter(kind=NotificationKind.APOLOGY).exists()


def test_in_english_when_the_citizen_chose_english(shop: OneStopShop) -> None:
    set_preferences(shop.citizen, channels=["inapp", "sms"], language="en")
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    due = local(dossier.due_at)

    received = latest(NotificationKind.RECEIVED)
    assert received.language == "en"
    assert received.subject == f"Dossier {dossier.code} has been received"
    assert f"Your result is due at {due:%H:%M} on {due:%d/%m/%Y}." in received.body
    assert received.email_body.startswith(f"Dear {shop.citizen.full_name},")
    assert received.sms_text == f"Dossier {dossier.code} received, result due {due:%H:%M %d/%m/%Y}."


def test_long_texts_are_cut_to_one_sms(shop: OneStopShop, settings: Any) -> None:
    settings.MEKONG_SMS_MAX_LENGTH = 100
    actions.refuse(submitted_dossier(shop), actor=shop.receiver, reason="Thiếu giấy tờ. " * 40)

    sms = latest(NotificationKind.REFUSED).sms_text
    assert 90 < len(sms) <= 100
    assert sms.endswith("...")


def test_accents_are_kept_when_the_gateway_sends_unicode(shop: OneStopShop, settings: Any) -> None:
    settings.MEKONG_SMS_UNACCENTED = False
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver)

    assert latest(NotificationKind.RECEIVED).sms_text.startswith(f"Hồ sơ {dossier.code} đã được tiếp nhận")

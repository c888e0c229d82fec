"""The text of a notification, rendered once when it is created, in the citizen's language.

Templates live in `templates/notify/messages/<language>/`: `<kind>.txt` (first line the subject, then the
message), `<kind>.sms.txt` (one short line), and `_email.txt` (greeting and signature around the message).
They are plain text, rendered without HTML escaping. A language without its own template falls back to
Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import Context, Engine
from django.urls import reverse

from mekong.dossiers.documents.issue import public_url
from mekong.dossiers.models import Dossier, DossierEvent, ResultDelivery
from mekong.dossiers.workdays import VIETNAM_TZ
from mekong.notify import policy
from mekong.notify.models import NotificationKind
from mekong.portal.formatting import group_thousands

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "notify" / "messages"
FALLBACK_LANGUAGE = "vi"
SMS_FIELD_LENGTH = 500  # Notification.sms_text


@cache
def _engine() -> Engine:
    return Engine(dirs=[str(TEMPLATE_DIR)], autoescape=False)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    email_body: str
    sms_text: str
    link: str


def _render(names: list[str], context: dict[str, Any]) -> str:
    template = _engine().select_template(names)
    return template.render(Context(context)).strip()


def _localised(language: str, name: str) -> list[str]:
    return [f"{language}/{name}", f"{FALLBACK_LANGUAGE}/{name}"]


def moment_text(moment: datetime | str | None, language: str) -> str:
    """17:00 ngày 12/05/2026 — the way appointments are written on the receipt."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = moment.astimezone(VIETNAM_TZ)
    if language == "en":
        return f"{local:%H:%M} on {local:%d/%m/%Y}"
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def short_moment_text(moment: datetime | str | None) -> str:
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return f"{moment.astimezone(VIETNAM_TZ):%H:%M %d/%m/%Y}"


def amount_text(amount: Any, language: str) -> str:
    if amount in (None, ""):
        return ""
    value = int(amount)
    if language == "en":
        return f"{group_thousands(value, ',')} VND"
    return f"{group_thousands(value, '.')} đồng"


def message_context(
    kind: str, dossier: Dossier, event: DossierEvent, name: str, language: str
) -> dict[str, Any]:
    """Everything the templates of `kind` may use, already formatted for `language`."""
    data = event.data or {}
    link = reverse("portal:dossier", args=[dossier.code]) if dossier.code else ""
    context: dict[str, Any] = {
        "name": name,
        "code": dossier.code or "",
        "procedure": dossier.procedure.name,
        "agency": dossier.agency.name,
        "tenant": settings.MEKONG_TENANT_PROVINCE,
        "link": link,
        "url": public_url() + link,
        "note": event.note.strip(),
        "due": moment_text(dossier.due_at, language),
        "due_short": short_moment_text(dossier.due_at),
        "online": dossier.result_delivery == ResultDelivery.ONLINE,
        "postal": dossier.result_delivery == ResultDelivery.POSTAL,
    }
    if kind == NotificationKind.SUPPLEMENT_REQUESTED:
        context["missing"] = [str(item) for item in data.get("missing", [])]
    elif kind == NotificationKind.REFUSED:
        context["reason"] = event.note.strip()
    elif kind in (NotificationKind.PAYMENT_DUE, NotificationKind.PAID):
        context["amount"] = amount_text(data.get("amount"), language)
    elif kind == NotificationKind.APOLOGY:
        context["reason"] = event.note.strip()
        context["new_due"] = moment_text(data.get("new_due_at"), language)
        context["new_due_short"] = short_moment_text(data.get("new_due_at"))
        context["previous_due"] = moment_text(data.get("previous_due_at"), language)
    return context


def render_notification(
    kind: str, dossier: Dossier, event: DossierEvent, *, name: str, language: str
) -> Rendered:
    context = message_context(kind, dossier, event, name, language)
    subject, _blank, body = _render(_localised(language, f"{kind}.txt"), context).partition("\n")
    body = body.strip()
    email_body = _render(_localised(language, "_email.txt"), {**context, "message": body})
    sms = _render(_localised(language, f"{kind}.sms.txt"), context)
    return Rendered(
        subject=" ".join(subject.split())[:200],
        body=body,
        email_body=email_body,
        sms_text=policy.sms_text(
            sms,
            unaccented=settings.MEKONG_SMS_UNACCENTED,
            max_length=min(settings.MEKONG_SMS_MAX_LENGTH, SMS_FIELD_LENGTH),
        ),
        link=context["link"],
    )

"""`mekong rebuild_ioc`: what the operator sees."""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.management import call_command

from mekong.ioc.models import DossierFact


def test_the_command_rebuilds_and_reports_each_step(march: dict[str, Any]) -> None:
    DossierFact.objects.all().delete()  # lost facts, as after a bad repair: the rebuild brings them back

    out = io.StringIO()
    call_command("rebuild_ioc", "--json", stdout=out)

    report = json.loads(out.getvalue())
    assert report["dossiers"] == DossierFact.objects.count() == 11
    assert list(report["steps"])[:5] == ["empty", "facts", "procedure_days", "agency_days", "indexes"]
    assert all(seconds >= 0 for seconds in report["steps"].values())

    text = io.StringIO()
    call_command("rebuild_ioc", stdout=text)
    assert text.getvalue().startswith("Đã tính lại 11 hồ sơ: ")
    assert "facts " in text.getvalue()

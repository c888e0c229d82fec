"""The demo tenant: 600+ teams and 4,000+ members over the Hậu Giang hamlets, a year of activities, the demo
member's team and the dossiers they filed for citizens — deterministic, and idempotent."""

from __future__ import annotations

import pytest

from mekong.accounts.demo import create_demo_accounts
from mekong.accounts.models import User
from mekong.catalog.actions import import_catalog
from mekong.catalog.importer import DEMO_CATALOG_PATH, read_catalog_file
from mekong.community import figures
from mekong.community.demo import _hamlets_with_agencies, load_demo_community, plan_members, plan_teams
from mekong.community.models import Activity, AssistedSubmission, Member, MemberRole, Team
from mekong.dossiers.models import Channel
from mekong.geo.models import AdministrativeUnit, UnitLevel

pytestmark = pytest.mark.usefixtures("hau_giang")


@pytest.mark.django_db
def test_the_demo_covers_the_province_and_loads_once() -> None:
    import_catalog(read_catalog_file(DEMO_CATALOG_PATH))
    create_demo_accounts()

    first = load_demo_community(assisted=3)
    second = load_demo_community(assisted=3)

    assert Team.objects.count() >= 600
    assert Member.objects.count() >= 4000
    assert first.teams_created == Team.objects.count()
    assert first.members_created == Member.objects.count()
    assert (
        second.teams_created,
        second.members_created,
        second.activities_created,
        second.assisted_created,
    ) == (
        0,
        0,
        0,
        0,
    )
    assert Activity.objects.count() == first.activities_created > 10_000
    hamlets = AdministrativeUnit.objects.filter(level=UnitLevel.HAMLET).count()
    coverage = figures.coverage(figures.Scope())
    assert coverage.hamlets == hamlets == 600
    assert 0.98 < coverage.covered / coverage.hamlets < 1  # a few dissolved teams to follow up
    # Every active team has exactly one active leader.
    for team in Team.objects.filter(dissolved_on__isnull=True).prefetch_related("members")[:50]:
        leaders = [m for m in team.members.all() if m.role == MemberRole.LEADER and m.active_until is None]
        assert len(leaders) == 1
    demo = Member.objects.get(user__username="congdong.xa")
    assert demo.role == MemberRole.LEADER
    assert demo.full_name == "Lý Thị Oanh"
    filed = AssistedSubmission.objects.filter(member=demo, submitted_at__isnull=False)
    assert filed.count() == 3
    assert all(a.dossier is not None and a.dossier.channel == Channel.ONLINE for a in filed)
    assert all(a.citizen is not None and a.dossier.applicant_id == a.citizen.pk for a in filed)  # type: ignore[union-attr]
    assert User.objects.filter(personal_id__regex=r"^093[0-3][0-9]{2}98[0-9]{4}$").count() == 3


@pytest.mark.django_db
def test_the_plan_is_the_same_every_time() -> None:
    pairs = _hamlets_with_agencies()
    teams = plan_teams(pairs)

    assert teams == plan_teams(pairs)
    members = plan_members(teams)
    assert members == plan_members(teams)
    assert len({m.phone for m in members}) == len(members)
    assert len(members) >= 4000
    assert len(teams) >= 600

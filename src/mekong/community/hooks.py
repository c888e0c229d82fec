"""Team members prepare the drafts they file for citizens: the dossier actions ask here (through
`dossiers.hooks.draft_access`) before letting anyone but the owner edit an ownerless draft. Imported by
`CommunityConfig.ready()`."""

from __future__ import annotations

from mekong.accounts import permissions
from mekong.accounts.models import User
from mekong.community.models import AssistedSubmission
from mekong.dossiers import hooks
from mekong.dossiers.models import Dossier


@hooks.draft_access
def team_prepares_draft(dossier: Dossier, user: User) -> bool:
    """Any active member of the team preparing it (a member sees and edits their team's records)."""
    assisted = (
        AssistedSubmission.objects.filter(
            dossier_id=dossier.pk, submitted_at__isnull=True, declined_at__isnull=True
        )
        .select_related("team")
        .first()
    )
    return assisted is not None and permissions.can_act_for_team(user, assisted.team)

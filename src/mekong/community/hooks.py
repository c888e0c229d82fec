"""Connections to the rest of the platform, made by `CommunityConfig.ready()`:

* team members prepare the drafts they file for citizens: the dossier actions ask here (through
  `dossiers.hooks.draft_access`) before letting anyone but the owner edit an ownerless draft;
* at sign-in, whether the header should offer the community pages is worked out once and kept in the
  session (`templatetags.community_tags`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from mekong.accounts import permissions
from mekong.accounts.models import User
from mekong.community.models import AssistedSubmission
from mekong.community.selectors import has_community_pages
from mekong.community.templatetags.community_tags import SESSION_KEY
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


@receiver(user_logged_in, dispatch_uid="mekong.community.link")
def remember_community_link(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = has_community_pages(user)

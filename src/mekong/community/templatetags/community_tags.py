"""`{% community_link as show %}`: whether the header offers the community pages to the signed-in user
(a member of a team, or an official who reads teams or their figures)."""

from __future__ import annotations

from django import template

from mekong.accounts import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def community_link(context: template.Context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if permissions.member_team_ids(user):
        return True
    readable = permissions.team_agency_ids(user)
    figures_of = permissions.ioc_agency_ids(user)
    return readable is None or bool(readable) or figures_of is None or bool(figures_of)

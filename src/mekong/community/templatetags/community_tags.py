"""`{% community_link as show %}`: whether the header offers the community pages to the signed-in user
(a member of a team, or an official who reads teams or their figures).

Worked out at sign-in and kept in the session (`community.hooks`), so that citizens' pages cost no query
for it; a role given later shows the link from the next sign-in (the pages themselves always check)."""

from __future__ import annotations

from django import template

from mekong.community.selectors import has_community_pages

register = template.Library()

SESSION_KEY = "mekong_community_link"


@register.simple_tag(takes_context=True)
def community_link(context: template.Context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    if session is None:
        return has_community_pages(user)
    if SESSION_KEY not in session:
        session[SESSION_KEY] = has_community_pages(user)
    return bool(session[SESSION_KEY])

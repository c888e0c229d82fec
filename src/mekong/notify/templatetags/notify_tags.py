"""`{% load notify_tags %}`: the unread count in the portal header."""

from __future__ import annotations

from django import template

from mekong.accounts.models import User
from mekong.notify.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """Unread inbox messages of the signed-in citizen (0 for anyone else, without a query)."""
    user = context.get("user")
    if not isinstance(user, User) or not user.is_authenticated or not user.is_citizen:
        return 0
    return unread_count(user)

"""Sign in with a username (officials), a 12-digit personal identification number or a phone number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from mekong.accounts.identifiers import is_personal_id, normalize_phone
from mekong.accounts.models import User, UserKind


def find_user_by_identifier(identifier: str) -> User | None:
    """The account a sign-in identifier names. Order matters only in theory: official usernames may not be
    all digits, so a personal ID or a phone never matches a username of someone else."""
    identifier = identifier.strip()
    if not identifier:
        return None
    user = User.objects.filter(username__iexact=identifier).first()
    if user is None and is_personal_id(identifier):
        user = User.objects.filter(personal_id=identifier).first()
    phone = normalize_phone(identifier)
    if user is None and phone is not None:
        # Only citizens sign in by phone (an official may share the number with their own citizen account).
        user = User.objects.filter(kind=UserKind.CITIZEN, phone=phone).first()
    return user


class IdentifierBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        user = find_user_by_identifier(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle for unknown users
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

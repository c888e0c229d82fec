"""Bearer-token authentication for the API (officials and citizens alike).

Use it on any router or operation: ``from mekong.accounts.auth import bearer_token`` then
``@router.get("/...", auth=bearer_token)``. On success ``request.auth`` is the `ApiToken` and
``request.user`` its user, so permission checks read the same as in web views:
``require(can_read_agency(request.user, agency))``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from mekong.accounts.actions import record_api_token_use
from mekong.accounts.models import ApiToken
from mekong.accounts.tokens import hash_secret, looks_like_secret
from mekong.core.lookups import CompiledGet

# Compiled once (`core.lookups`): every API request looks its token up.
TOKEN_BY_HASH = CompiledGet(
    lambda key_hash: ApiToken.objects.select_related("user").filter(key_hash=key_hash), key_hash=str
)


def find_live_token(secret: str) -> ApiToken | None:
    """The token a secret belongs to, if it is neither expired nor revoked and its user is active."""
    if not looks_like_secret(secret):
        return None
    token = TOKEN_BY_HASH(key_hash=hash_secret(secret))
    if token is None or token.revoked_at is not None or token.expires_at <= timezone.now():
        return None
    return token if token.user.is_active else None


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = find_live_token(token.strip())
        if api_token is None:
            return None
        record_api_token_use(api_token)
        request.user = api_token.user
        return api_token


bearer_token = BearerToken()

"""How the API knows who is calling: `Authorization: Bearer <token>`, with the lockouts of
sign-in protection (hexa.crm.services.lockouts) applied to tokens too.

A refused token is a failed sign-in for the caller's address; once the address is locked out,
every request from it answers 429 `too_many_attempts` with Retry-After, a valid token's too,
until the lock ends or a manager lifts it.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from hexa.api.models import TOKEN_PREFIX, ApiToken
from hexa.api.parsing import refuse_unknown_query
from hexa.crm.services import lockouts
from hexa.lib.requests import AuthenticatedRequest


class TokenRefused(AuthenticationError):
    """401, saying why when the token was once good (revoked, expired)."""

    def __init__(self, message: str) -> None:
        super().__init__(401, message)


class TooManyAttempts(HttpError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(429, lockouts.api_locked_message(retry_after))
        self.retry_after = retry_after


def too_many_attempts_response(message: str, retry_after: int) -> JsonResponse:
    response = JsonResponse({"code": "too_many_attempts", "message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _shown(token: str) -> str:
    """What the logs may say of a refused token: the first characters, as `hexa token list`
    shows a real one, never the rest."""
    start = token[: len(TOKEN_PREFIX) + 4]
    return f"{start}…" if start.isprintable() and start.isascii() else "(unreadable)"


def _refusal(row: ApiToken | None) -> tuple[str, str] | None:
    """(why, message) when `row` cannot be used, None when it can."""
    if row is None or not row.user.is_active:
        return "unknown", _("Send a valid API token: Authorization: Bearer <token>.")
    if row.revoked_at is not None:
        revoked = timezone.localdate(row.revoked_at).isoformat()
        return "revoked", _("This API token was revoked on %(date)s.") % {"date": revoked}
    if row.is_expired():
        assert row.expires_on is not None
        return "expired", _("This API token expired on %(date)s; make a new one.") % {
            "date": row.expires_on.isoformat()
        }
    return None


class ApiRequest(AuthenticatedRequest):
    """What an endpoint receives: `TokenAuth` lets only a good token's user through, and
    django-ninja puts what `authenticate` returned in `request.auth`."""

    auth: User


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`, with tokens from the tokens page or
    `hexa token create USERNAME`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        row = ApiToken.objects.find(token) if token else None
        refusal = _refusal(row)
        if refusal:
            why, message = refusal
            credentials = {"username": None, lockouts.API_TOKEN: f"{why}: {_shown(token)}"}
            locked = lockouts.count_attempt(request, credentials=credentials, sign_in=True)
        else:
            # A good token is refused too while its address is locked out.
            locked = lockouts.is_locked_out(request)
        if locked:
            raise TooManyAttempts(lockouts.retry_after(request))
        if refusal:
            raise TokenRefused(message)
        assert row is not None
        request.user = row.user
        # Once the caller is known (an unknown one is told 401 first, whatever it sent).
        refuse_unknown_query(request)
        return row.user

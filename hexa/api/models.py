"""API tokens. Only a SHA-256 digest of each token is stored.

Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force that a
slow password hash would protect, and every API request can look its token up by digest.
A token works until it is revoked (by its user, `hexa token revoke`, a password change or the
user's deactivation; revoking is for good) or, when it has one, after its expiry date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hexa.lib.prepared import PreparedSelect

TOKEN_PREFIX = "hexa_"  # noqa: S105 - a prefix, not a secret


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def issue(
        self, *, user: User, name: str = "", expires_on: dt.date | None = None
    ) -> tuple[ApiToken, str]:
        """Create a token for `user`; returns the row and the token, shown this once only.
        The checks are hexa.api.tokens.create_token's."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = self.create(
            user=user,
            name=name,
            digest=token_digest(token),
            hint=token[:9],
            expires_on=expires_on,
        )
        return row, token

    def find(self, token: str) -> ApiToken | None:
        """The token's row with its user, whatever its state (see `ApiToken.refusal`), or
        None. Every API call asks: two statements compiled once (hexa.lib.prepared, which
        follows no select_related), cheaper than compiling one with its join each time."""
        rows = _token_with_digest(digest=token_digest(token))
        if not rows:
            return None
        row, users = rows[0], _user_by_id(user=rows[0].user_id)
        if not users:  # the user (and with them the token) deleted in between
            return None
        row.user = users[0]
        return row


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters, so that a user can tell their tokens apart.
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The last day it works, in the business's time zone; none: until revoked.
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.hint}… ({self.user})"

    def is_expired(self, today: dt.date | None = None) -> bool:
        return self.expires_on is not None and self.expires_on < (today or timezone.localdate())

    @property
    def state(self) -> str:
        """ "active", "expired" or "revoked"."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.is_expired() else "active"


_token_with_digest = PreparedSelect(
    lambda digest: ApiToken.objects.filter(digest=digest).order_by("pk")[:1], digest=str
)
_user_by_id = PreparedSelect(lambda user: User.objects.filter(pk=user), user=int)

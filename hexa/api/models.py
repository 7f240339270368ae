"""API tokens. Only a SHA-256 digest of each token is stored.

Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force that a
slow password hash would protect, and every API request can look its token up by digest.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "hexa_"  # noqa: S105 - a prefix, not a secret


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def issue(self, *, user: AbstractBaseUser, name: str = "") -> tuple[ApiToken, str]:
        """Create a token for `user`; returns the row and the token, shown this once only."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = self.create(user=user, name=name, digest=token_digest(token), hint=token[:9])
        return row, token

    def authenticate(self, token: str) -> ApiToken | None:
        return (
            self.select_related("user")
            .filter(digest=token_digest(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters, so that a user can tell their tokens apart.
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.hint}… ({self.user})"

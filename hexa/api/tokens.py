"""API tokens, the rules: each user creates, sees and revokes their own; they end with their
expiry date, a password change and the user's deactivation.

A password change (or a reset by email) revokes every token of the user: whoever changes a
password because it leaked expects nothing made with the old one to keep working. Django
itself ends the user's other sessions then (the session keeps a hash of the password), and
keeps the one that made the change. Deactivating a user revokes their tokens and their calendar
address for good: reactivating them brings neither back.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from hexa.api.models import ApiToken
from hexa.crm.errors import InvalidInput, NotFound
from hexa.crm.services.agenda import revoke_calendar_feed

logger = logging.getLogger("hexa.tokens")

NAME_MAX = ApiToken._meta.get_field("name").max_length or 100
# What a user's tokens page lists: their newest tokens, revoked and expired ones included.
LISTED = 100


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")[:LISTED]


def create_token(
    *, user: User, name: str = "", expires_on: dt.date | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user` (active), named, working up to and including `expires_on`
    (today or later) or until revoked; returns the row and the token, shown this once only."""
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if len(name) > NAME_MAX:
        errors["name"] = [_("A name has at most %(max)d characters.") % {"max": NAME_MAX}]
    if "\x00" in name:
        errors["name"] = [_("The name has a character that cannot be stored.")]
    if expires_on is not None and expires_on < timezone.localdate():
        errors["expires_on"] = [_("The expiry date cannot be in the past.")]
    if not user.is_active:
        errors["user"] = [_("Tokens are only for active users.")]
    if errors:
        raise InvalidInput(errors)
    row, token = ApiToken.objects.issue(user=user, name=name, expires_on=expires_on)
    logger.info("API token %s… created for %s", row.hint, user.get_username())
    return row, token


def revoke_token(*, token_id: int, by: User) -> ApiToken:
    """Revoke one of `by`'s own active tokens. Anyone else's token, or one already revoked, is
    NotFound: whether it exists is not theirs to know."""
    with transaction.atomic():
        row = (
            ApiToken.objects.select_for_update()
            .filter(pk=token_id, user=by, revoked_at__isnull=True)
            .first()
        )
        if row is None:
            raise NotFound(_("You have no active token with that number."))
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
    logger.info("API token %s… revoked by %s", row.hint, by.get_username())
    return row


def revoke_tokens(rows: QuerySet[ApiToken], *, by: User) -> int:
    """Revoke the active tokens among `rows` (an administrator's choice); how many. A token
    is never un-revoked: this only moves `revoked_at` from empty to now."""
    count = rows.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    if count:
        logger.warning("%d API token(s) revoked by %s", count, by.get_username())
    return count


def revoke_all_tokens(user: User, *, why: str) -> int:
    """Revoke every active token of `user`; how many."""
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if count:
        logger.warning("%d API token(s) of %s revoked: %s", count, user.get_username(), why)
    return count


class RevokeTokensOnPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for its `password_changed` hook: Django calls it
    when a password is set and saved (change, reset, `changepassword`, the admin), and not
    when a stored hash is merely upgraded at sign-in. It refuses no password."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            revoke_all_tokens(user, why="password changed")

    def get_help_text(self) -> str:
        return _("Changing the password revokes your API tokens.")


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def revoke_on_deactivation(
    sender: Any, instance: User, update_fields: Any = None, **_: Any
) -> None:
    """A saved inactive user keeps no token or calendar address (whatever path deactivated
    them: the admin, a shell)."""
    if instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    revoke_all_tokens(instance, why="user deactivated")
    revoke_calendar_feed(instance)

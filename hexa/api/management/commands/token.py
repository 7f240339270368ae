"""hexa token create USERNAME [--name N] [--expires D] | list [USERNAME] | revoke TOKEN-OR-HINT"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hexa.api import tokens
from hexa.api.models import ApiToken, token_digest
from hexa.crm.errors import InvalidInput
from hexa.lib.dates import parse_day

OPTIONS = {"name": "--name", "expires_on": "--expires", "user": "USERNAME"}


def _day(value: str) -> dt.date:
    try:
        return parse_day(value, today=timezone.localdate())
    except (ValueError, OverflowError) as error:
        raise argparse.ArgumentTypeError(str(error)) from None


class Command(BaseCommand):
    help = "Create, list and revoke API tokens. A token is shown once, when it is created."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="print a new token for USERNAME")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for")
        create.add_argument(
            "--expires",
            type=_day,
            dest="expires_on",
            help="the last day it works (YYYY-MM-DD, +30, +2w, ...); none: until revoked",
        )
        listing = actions.add_parser("list", help="list tokens (not their secret)")
        listing.add_argument("username", nargs="?")
        revoke = actions.add_parser(
            "revoke", help="revoke a token, given whole or by the hint `list` shows"
        )
        revoke.add_argument("token")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _create(
        self, *, username: str, name: str, expires_on: dt.date | None = None, **_: Any
    ) -> None:
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        try:
            _row, token = tokens.create_token(user=user, name=name, expires_on=expires_on)
        except InvalidInput as error:
            for field, messages in error.fields.items():
                for message in messages:
                    self.stderr.write(f"error: {OPTIONS.get(field, field)}: {message}")
            sys.exit(2)
        self.stdout.write(token)

    def _list(self, *, username: str | None, **_: Any) -> None:
        rows = ApiToken.objects.select_related("user").order_by("created_at")
        if username:
            if not get_user_model().objects.filter(username=username).exists():
                raise CommandError(f"There is no user {username!r}.")
            rows = rows.filter(user__username=username)
        for row in rows:
            created = timezone.localtime(row.created_at)
            if row.revoked_at:
                state = f"revoked {timezone.localtime(row.revoked_at):%Y-%m-%d}"
            elif row.expires_on:
                state = f"{'expired' if row.is_expired() else 'expires'} {row.expires_on}"
            else:
                state = "active"
            self.stdout.write(
                f"{row.hint}…  {row.user.get_username():<20} {created:%Y-%m-%d %H:%M}  "
                f"{state:<18} {row.name}"
            )

    def _revoke(self, *, token: str, **_: Any) -> None:
        active = ApiToken.objects.filter(revoked_at__isnull=True)
        whole = active.filter(digest=token_digest(token.strip()))
        hint = token.strip().rstrip("…. ")
        matches = whole if whole.exists() else active.filter(hint__startswith=hint)
        if not whole.exists() and (len(hint) < 9 or matches.count() != 1):
            raise CommandError(
                f"No single active token matches {hint[:12]!r}; `hexa token list` shows them."
            )
        row = matches.get()
        matches.update(revoked_at=timezone.now())
        self.stdout.write(f"Revoked {row.hint}… of {row.user.get_username()}")

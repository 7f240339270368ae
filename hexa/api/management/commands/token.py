"""hexa token create USERNAME | list [USERNAME] | revoke TOKEN-OR-HINT"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hexa.api.models import ApiToken, token_digest


class Command(BaseCommand):
    help = "Create, list and revoke API tokens. A token is shown once, when it is created."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="print a new token for USERNAME")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for")
        listing = actions.add_parser("list", help="list tokens (not their secret)")
        listing.add_argument("username", nargs="?")
        revoke = actions.add_parser(
            "revoke", help="revoke a token, given whole or by the hint `list` shows"
        )
        revoke.add_argument("token")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _create(self, *, username: str, name: str, **_: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        _row, token = ApiToken.objects.issue(user=user, name=name)
        self.stdout.write(token)

    def _list(self, *, username: str | None, **_: Any) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("created_at")
        if username:
            if not get_user_model().objects.filter(username=username).exists():
                raise CommandError(f"There is no user {username!r}.")
            tokens = tokens.filter(user__username=username)
        for row in tokens:
            created = timezone.localtime(row.created_at)
            state = (
                f"revoked {timezone.localtime(row.revoked_at):%Y-%m-%d}"
                if row.revoked_at
                else "active"
            )
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

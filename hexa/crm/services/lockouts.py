"""Sign-in protection: repeated failures lock out a user name and an address for a while.

django-axes does the counting, in the database (so a lock holds whichever app process
answers): every failed sign-in (the sign-in page, the admin's, an API token) and every password
reset request is an attempt; HEXA_SIGNIN_FAILURE_LIMIT of them for one user name (or email, for
resets) or from one address within HEXA_SIGNIN_LOCKOUT_MINUTES of each other lock that name or
address until HEXA_SIGNIN_LOCKOUT_MINUTES have passed since the last one. Trying again while
locked out counts too, so a lock lasts as long as the guessing does.

This module is what the interfaces ask: is this request locked out, for how long, which locks
are there, lift one (managers only), and it logs every failure (user name and address, never
the password).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import math
from dataclasses import dataclass
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_login_failed
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Max, Q, Sum
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hexa.crm.errors import Forbidden, InvalidInput, NotFound
from hexa.crm.services.permissions import Actor, is_manager

logger = logging.getLogger("hexa.signin")

# The key that says, in `user_login_failed`'s credentials, that an API token was refused (and
# why); such a failure has no user name, so it counts for its address only.
API_TOKEN = "api_token"  # noqa: S105 - a key, not a secret


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check before Django's own backend: a locked-out sign-in is refused, whatever the
    password. Code that authenticates without a request (the test client, a shell) has no
    address to count and is not throttled; every web and API sign-in has one."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_parameters(request: Any, credentials: dict | None) -> list[str]:
    """AXES_LOCKOUT_PARAMETERS: by user name and, separately, by address. An attempt without a
    user name (a wrong API token) counts for its address only: grouping every nameless attempt
    under "no name" would lock every API client out at once."""
    if (credentials or {}).get("username"):
        return ["username", "ip_address"]
    return ["ip_address"]


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the lockouts count it (see HEXA_PROXIES)."""
    return get_client_ip_address(request)


def _credentials(username: str | None) -> dict[str, str | None]:
    return {"username": username}


def _failed_from(address: str) -> bool:
    """Whether anything ever failed from `address`, in one statement written here (the ORM's
    compiling of it cost several times the database's answering it)."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    table = quote(AccessAttempt._meta.db_table)
    field = AccessAttempt._meta.get_field("ip_address")  # indexed by axes
    assert isinstance(field, Field) and field.column  # a concrete column
    column = quote(field.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE {column} = %s LIMIT 1",  # noqa: S608 - model names
            # As the ORM writes it, and axes stored it (lower case, no IPv6 zone).
            [field.get_db_prep_value(address, connection, prepared=False)],
        )
        return cursor.fetchone() is not None


def is_locked_out(request: HttpRequest, *, username: str | None = None) -> bool:
    """Whether this request's address (or `username`) is locked out now. Every API call
    asks, for its address alone: an address nothing ever failed from is not locked out (axes
    counts the failures from it, and Hexa lists no address as always refused), which one
    statement written once says, instead of axes' query compiled on each call."""
    if username is None and not getattr(settings, "AXES_IP_BLACKLIST", None):
        address = client_address(request)
        if address and not _failed_from(address):
            return False
    return not AxesProxyHandler.is_allowed(request, _credentials(username))


def record_password_reset(request: HttpRequest, *, email: str) -> bool:
    """Count a password reset request against its email and its address; True when they are
    locked out (by this request or before it), and no email must be sent."""
    logger.info("Password reset asked for %r from %s", email, client_address(request) or "-")
    return count_attempt(request, credentials=_credentials(email), sign_in=False)


def count_attempt(request: HttpRequest, *, credentials: dict[str, Any], sign_in: bool) -> bool:
    """Count an attempt that does not go through Django's `authenticate()` (a refused API
    token, `sign_in`; a password reset request) as axes counts sign-ins; True when its user
    name or address is locked out, by this attempt or before it: the caller then refuses it.

    An attempt made while locked out is not counted, as a sign-in is not (see
    AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so a lock ends when its message said."""
    locked = is_locked_out(request, username=credentials.get("username"))
    request.axes_locked_out = locked  # type: ignore[attr-defined]  # axes reads it: not counted
    if sign_in:  # Django's own signal: axes counts it and log_failure logs it
        user_login_failed.send(sender=count_attempt, credentials=credentials, request=request)
    else:
        AxesProxyHandler.user_login_failed(
            sender=count_attempt, credentials=credentials, request=request
        )
    locked = locked or bool(request.axes_locked_out)  # type: ignore[attr-defined]  # axes' mark
    # The caller answers the lockout itself; axes' middleware would answer it as a sign-in.
    request.axes_locked_out = False  # type: ignore[attr-defined]  # axes' mark
    return locked


def retry_after(request: HttpRequest, *, username: str | None = None) -> int:
    """Seconds until this request's lock ends at the latest (at least 1): the last failure
    that counts against its user name or address, plus the lockout time."""
    cool_off = get_cool_off(request) or dt.timedelta(0)
    since = timezone.now() - cool_off
    address = client_address(request)
    matching = Q(ip_address=address) if address else Q(pk__in=[])
    if username:
        matching |= Q(username=username)
    last = AccessAttempt.objects.filter(matching, attempt_time__gte=since).aggregate(
        last=Max("attempt_time")
    )["last"]
    if last is None:
        return 1
    return max(1, math.ceil((last + cool_off - timezone.now()).total_seconds()))


def policy() -> tuple[int, int]:
    """(failures that lock, minutes a lock lasts after the last one), as configured."""
    cool_off = get_cool_off() or dt.timedelta(0)
    return get_failure_limit(None, None), minutes(int(cool_off.total_seconds()))  # type: ignore[arg-type]  # no request: the configured limit


def minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def sign_in_locked_message(seconds: int) -> str:
    count = minutes(seconds)
    return ngettext(
        "Too many failed sign-in attempts for this user name or from this address. Try again "
        "in %(minutes)d minute, or ask a manager to lift the lock.",
        "Too many failed sign-in attempts for this user name or from this address. Try again "
        "in %(minutes)d minutes, or ask a manager to lift the lock.",
        count,
    ) % {"minutes": count}


def api_locked_message(seconds: int) -> str:
    count = minutes(seconds)
    return ngettext(
        "Too many failed attempts from this address. Try again in %(minutes)d minute.",
        "Too many failed attempts from this address. Try again in %(minutes)d minutes.",
        count,
    ) % {"minutes": count}


def reset_locked_message(seconds: int) -> str:
    count = minutes(seconds)
    return ngettext(
        "Too many attempts for this email or from this address. Try again in %(minutes)d "
        "minute, or ask a manager to lift the lock.",
        "Too many attempts for this email or from this address. Try again in %(minutes)d "
        "minutes, or ask a manager to lift the lock.",
        count,
    ) % {"minutes": count}


# --- Logging --------------------------------------------------------------------------------


def _where(request: HttpRequest | None) -> str:
    return getattr(request, "path", "") or "-"


@receiver(user_login_failed)
def log_failure(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **_: Any
) -> None:
    """Every failure, with the user name and address; the password is never in `credentials`
    (Django replaces it before sending the signal) and never logged."""
    address = client_address(request) if request is not None else None
    if API_TOKEN in credentials:
        logger.warning(
            "API token refused (%s) from %s on %s",
            credentials[API_TOKEN],
            address or "-",
            _where(request),
        )
        return
    logger.warning(
        "Sign-in failed for user name %r from %s on %s",
        credentials.get("username"),
        address or "-",
        _where(request),
    )


@receiver(user_locked_out)
def log_lockout(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **_: Any
) -> None:
    """When a failure reaches the limit (and, from axes, when one is refused while locked
    out: that one has no count)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    logger.warning(
        "Locked out after %d failures: user name %r, address %s, for %d minutes (on %s)",
        failures,
        username,
        ip_address or "-",
        minutes(int((get_cool_off(request) or dt.timedelta(0)).total_seconds())),
        _where(request),
    )


# --- Seeing and lifting locks ---------------------------------------------------------------


@dataclass(frozen=True)
class Lockout:
    """Recent failures for one user name or one address; `locked` once they reach the limit."""

    kind: str  # "username" or "address"
    value: str
    failures: int
    last_failure: dt.datetime
    until: dt.datetime
    locked: bool


def lockouts(*, limit: int = 200) -> list[Lockout]:
    """User names and addresses with failures that still count, locked ones first, then the
    most recent; at most `limit` of each kind."""
    cool_off = get_cool_off() or dt.timedelta(0)
    failure_limit, _minutes = policy()
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
    found: list[Lockout] = []
    for kind, field in (("username", "username"), ("address", "ip_address")):
        groups = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .order_by("-failures", "-last")[:limit]
        )
        found += [
            Lockout(
                kind=kind,
                value=group[field],
                failures=group["failures"],
                last_failure=group["last"],
                until=group["last"] + cool_off,
                locked=group["failures"] >= failure_limit,
            )
            for group in groups
        ]
    return sorted(found, key=lambda item: (not item.locked, -item.last_failure.timestamp()))


def lift_lockout(*, username: str = "", address: str = "", by: Actor) -> int:
    """Forget the failures of a user name or of an address (or both), which lifts their lock;
    the number of attempt records removed. Managers only."""
    if not is_manager(by):
        raise Forbidden(_("Only managers may lift sign-in lockouts."))
    username, address = username.strip(), address.strip()
    if not username and not address:
        raise InvalidInput.on("username", _("Say which user name or address to unlock."))
    if address:
        try:
            address = str(ipaddress.ip_address(address))
        except ValueError:
            raise InvalidInput.on(
                "address", _("%(value)s is not an IP address.") % {"value": address}
            ) from None
    removed = 0
    if username:
        removed += AxesProxyHandler.reset_attempts(username=username)
    if address:
        removed += AxesProxyHandler.reset_attempts(ip_address=address)
    if not removed:
        raise NotFound(
            _("No failed sign-ins are recorded for %(what)s.")
            % {"what": " / ".join(value for value in (username, address) if value)}
        )
    logger.warning(
        "Lockout lifted by %s: user name %r, address %s (%d records)",
        getattr(by, "username", by),
        username or None,
        address or "-",
        removed,
    )
    return removed


def lift_after_password_reset(user: User) -> int:
    """A password reset by email proves who asks: the failures recorded against the user's
    name and email are forgotten, so that the new password works at once."""
    removed = AxesProxyHandler.reset_attempts(username=user.get_username())
    email = getattr(user, "email", "")
    if email:
        removed += AxesProxyHandler.reset_attempts(username=email)
    if removed:
        logger.warning(
            "Lockout of user name %r lifted by a password reset by email (%d records)",
            user.get_username(),
            removed,
        )
    return removed

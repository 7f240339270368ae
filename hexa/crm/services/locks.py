"""Row locks that make a check and the write that follows it one step, and putting an
object back as it was when a change is refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from hexa.crm.errors import ClientArchived, Conflict, NotFound
from hexa.crm.models import Client, Project
from hexa.lib.prepared import PreparedSelect


def lock_client(client: Client, *, archived: str | None = None) -> Client:
    """Lock the client's row for this transaction (other writers for it wait) and return the
    client as it is now. NotFound if it is gone, ClientArchived (with the message `archived`)
    if it is archived. Call inside a transaction."""
    row = next(iter(_lock_client(client=client.pk)), None)
    if row is None:
        raise NotFound(_("There is no client with code %(code)s.") % {"code": client.code})
    client.active, client.code, client.name = row  # as they are now, not as passed in
    if not client.active:
        raise ClientArchived(
            (archived or _("Client %(code)s is archived: restore it to log activity."))
            % {"code": client.code}
        )
    return client


def lock_clients_work(client_id: int) -> None:
    """Lock the client's row, archived or not, before changing or deleting work already
    recorded for it: every writer of a client's dedications takes this lock first (the
    quick log and new work through lock_client), then the dedication, then the totals and
    the client's summary, always in that order, so that two writers never wait for each
    other in a circle (a deadlock on PostgreSQL). Call inside a transaction."""
    next(iter(_lock_client(client=client_id)), None)


def require_open(project: Project) -> None:
    """New work (tasks, dedications, reopened tasks) needs an active project of an active
    client, as they are now: the client's row is locked, so that neither can change before
    the work is written. Call inside a transaction."""
    lock_client(project.client, archived=_("Client %(code)s is archived: restore it to add work."))
    project.status = (
        Project.objects.filter(pk=project.pk).values_list("status", flat=True).first()
        or Project.Status.CLOSED
    )
    if not project.is_active:
        raise Conflict(
            _("Project %(code)s is closed: reopen it to add work.") % {"code": project.code},
            code="project_closed",
        )


def lock[M: models.Model](instance: M, *, gone: str) -> M:
    """Lock `instance`'s row for this transaction (other writers of it wait here) and reload
    its fields as they are now, so that what is checked and what a change says it was are
    not stale. NotFound with the message `gone` if the row was deleted meanwhile. Call
    inside a transaction. (On SQLite the transaction's BEGIN IMMEDIATE already made this
    writer wait for the others: FOR UPDATE is not needed there, and Django leaves it out.)"""
    manager = type(instance)._default_manager
    try:
        instance.refresh_from_db(from_queryset=manager.select_for_update(of=("self",)))
    except ObjectDoesNotExist:
        raise NotFound(gone) from None
    return instance


@contextmanager
def unchanged_on_error(instance: models.Model) -> Iterator[None]:
    """On a refusal, put the object's fields back as they were: callers keep an object that
    says what the database says, and can retry with it."""
    values = {name: value for name, value in vars(instance).items() if name != "_state"}
    cache = dict(instance._state.fields_cache)
    try:
        yield
    except BaseException:
        vars(instance).update(values)
        instance._state.fields_cache = cache
        raise


_lock_client = PreparedSelect(
    lambda client: (
        Client.objects.select_for_update().filter(pk=client).values_list("active", "code", "name")
    ),
    client=int,
)

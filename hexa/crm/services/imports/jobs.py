"""Keeping a plan as an ImportJob with one ImportRow per row, so that it can be paged through,
confirmed or cancelled; who may see which import."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hexa.crm.errors import Conflict, NotFound
from hexa.crm.models import ImportAction, ImportJob, ImportKind, ImportRow, ImportStatus, Via
from hexa.crm.services.imports.planning import BATCH, Plan
from hexa.crm.services.permissions import Actor, can_import, is_manager, require_import

# Plans and their rows are kept this long, then forgotten when a new file is uploaded.
KEEP_DAYS = 30


def _signed_in(by: Actor | None) -> User | None:
    """The user who acts, kept on the job; None when it is Hexa itself (SYSTEM)."""
    return by if isinstance(by, AbstractBaseUser) and by.is_authenticated else None


def save_plan(plan: Plan, *, by: Actor, via: str = Via.WEB) -> ImportJob:
    """Keep `plan` as an ImportJob waiting for confirmation. Imports older than KEEP_DAYS
    are forgotten meanwhile."""
    require_import(by, plan.kind)
    with transaction.atomic():
        ImportJob.objects.filter(
            created_at__lt=timezone.now() - dt.timedelta(days=KEEP_DAYS)
        ).delete()
        job = ImportJob.objects.create(
            kind=plan.kind,
            file_name=plan.file_name[:255],
            file_format=plan.file_format[:120],
            columns=[list(pair) for pair in plan.columns.headers],
            created_by=_signed_in(by),
            via=via,
            rows=len(plan.rows),
            to_create=plan.count(ImportAction.CREATE),
            to_update=plan.count(ImportAction.UPDATE),
            unchanged=plan.count(ImportAction.UNCHANGED),
            wrong=plan.count(ImportAction.ERROR),
        )
        ImportRow.objects.bulk_create(
            (
                ImportRow(
                    job=job,
                    number=row.number,
                    values=row.values,
                    action=row.action,
                    code=row.code[:40],
                    name=row.name[:200],
                    record_id=row.record_id,
                    changes=row.changes if row.action != ImportAction.ERROR else {},
                    reasons=row.reasons,
                )
                for row in plan.rows
            ),
            batch_size=BATCH,
        )
    return job


def can_see_import(user: Actor | None, job: ImportJob) -> bool:
    """An import is its uploader's; managers see them all."""
    if not can_import(user, job.kind):
        return False
    return is_manager(user) or (
        job.created_by_id is not None and job.created_by_id == getattr(user, "pk", None)
    )


def import_by_id(pk: int, *, by: Actor) -> ImportJob:
    """The import `pk` if `by` may see it; NotFound otherwise (someone else's is not shown)."""
    job = ImportJob.objects.select_related("created_by__employee").filter(pk=pk).first()
    if job is None or not can_see_import(by, job):
        raise NotFound(_("There is no import %(id)s.") % {"id": pk})
    return job


def recent_imports(
    *, by: Actor, kind: str | None = None, limit: int = 10
) -> models.QuerySet[ImportJob]:
    """The latest imports `by` may see, of one kind or both."""
    jobs = ImportJob.objects.select_related("created_by__employee").order_by("-created_at", "-id")
    if kind is not None:
        jobs = jobs.filter(kind=kind)
    if not is_manager(by):
        user = _signed_in(by)
        if user is None:
            return ImportJob.objects.none()
        jobs = jobs.filter(created_by=user, kind=ImportKind.CLIENTS)
    return jobs[:limit]


def cancel_import(job: ImportJob, *, by: Actor) -> None:
    """Forget a plan that was not confirmed. Conflict once it is being applied."""
    job = import_by_id(job.pk, by=by)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
        if locked is None:
            return
        if locked.status != ImportStatus.PLANNED:
            raise Conflict(
                _("This import has been confirmed: it can no longer be cancelled."),
                code="import_confirmed",
            )
        locked.delete()


def confirm_import(job: ImportJob, *, by: Actor) -> ImportJob:
    """Start applying the plan (apply_next_chunk does it). Confirming twice is harmless."""
    job = import_by_id(job.pk, by=by)
    require_import(by, job.kind)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status == ImportStatus.PLANNED:
            if not (job.to_create or job.to_update):
                raise Conflict(_("No row of this file can be imported."), code="nothing_to_import")
            job.status = ImportStatus.APPLYING
            job.confirmed_by = _signed_in(by)
            job.confirmed_at = timezone.now()
            job.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return job

"""Applying a confirmed import, a chunk of rows per transaction, each row planned again
against the records as they are then (they may have changed since the preview)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hexa.crm.models import ImportAction, ImportJob, ImportKind, ImportRow, ImportStatus
from hexa.crm.services.imports.planning import BATCH, IMPORTERS, RowPlan
from hexa.crm.services.permissions import Actor, require_import

# Rows applied per transaction: a chunk holds its locks for a fraction of a second, and the
# page's progress bar moves every chunk.
CHUNK_ROWS = 250


def apply_next_chunk(job: ImportJob, *, by: Actor, rows: int | None = None) -> ImportJob:
    """Apply the next `rows` rows of a confirmed plan in one transaction, and return the job
    as it then is. Each row is planned again against the records as they are now, locked:
    a row whose record appeared or went away since the preview is not applied, and says so.
    Rows found wrong in the preview are skipped. Concurrent calls for one job queue on its
    row and apply different chunks. `rows` defaults to CHUNK_ROWS."""
    require_import(by, job.kind)
    rows = rows or CHUNK_ROWS
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _apply_chunk(job.pk, rows=rows)
        except IntegrityError:
            # Someone created a record with a code (or took a tax id or login user) between
            # the check and the insert: the next attempt plans those rows again and sees it.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _apply_chunk(pk: int, *, rows: int) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=pk)
    if job.status != ImportStatus.APPLYING:
        return job
    chunk = list(job.plan_rows.filter(number__gt=job.applied_through).order_by("number")[:rows])
    todo = [row for row in chunk if row.action != ImportAction.ERROR]
    importer = IMPORTERS[job.kind]
    plans = importer.plan_rows([(row.number, row.values) for row in todo], lock=True)
    what = _("client") if job.kind == ImportKind.CLIENTS else _("employee")
    for row, plan in zip(todo, plans, strict=True):
        if plan.action != ImportAction.ERROR:
            if row.action == ImportAction.CREATE and plan.action != ImportAction.CREATE:
                plan.refuse(
                    "code",
                    _(
                        "The %(what)s %(code)s was created after the preview: import the file "
                        "again to update it."
                    )
                    % {"what": what, "code": plan.code},
                )
            elif row.action != ImportAction.CREATE and plan.record_id != row.record_id:
                plan.refuse(
                    "",
                    _(
                        "The %(what)s %(code)s of the preview is no longer the one this row "
                        "finds: import the file again."
                    )
                    % {"what": what, "code": row.code},
                )
        if plan.reasons:
            plan.record = None
    importer.write(plans)
    _record_outcomes(job, chunk, todo, plans)
    outcomes = [plan.action for plan in plans]
    job.created += outcomes.count(ImportAction.CREATE)
    job.updated += outcomes.count(ImportAction.UPDATE)
    job.kept += outcomes.count(ImportAction.UNCHANGED)
    job.failed += outcomes.count(ImportAction.ERROR)
    job.processed += len(chunk)
    if chunk:
        job.applied_through = chunk[-1].number
    if len(chunk) < rows or job.processed >= job.rows:
        job.status = ImportStatus.DONE
        job.finished_at = timezone.now()
    job.save()
    return job


def _record_outcomes(
    job: ImportJob, chunk: list[ImportRow], todo: list[ImportRow], plans: list[RowPlan]
) -> None:
    """Say what was done with each row. Most rows went as planned: one UPDATE says so for
    all of them (bulk_update builds a CASE per row and field, slow for a few hundred rows);
    the others, usually none, are saved with their reasons or their changes of now."""
    differing = []
    for row, plan in zip(todo, plans, strict=True):
        row.outcome = plan.action
        if plan.reasons:
            row.reasons = plan.reasons
        elif plan.action == ImportAction.UPDATE and plan.changes != row.changes:
            row.changes = plan.changes
        elif plan.action == row.action:
            continue
        differing.append(row)
    if not chunk:
        return
    (
        job.plan_rows.filter(number__gt=job.applied_through, number__lte=chunk[-1].number)
        .exclude(action=ImportAction.ERROR)
        .exclude(pk__in=[row.pk for row in differing])
        .update(outcome=F("action"))
    )
    ImportRow.objects.bulk_update(differing, ["outcome", "reasons", "changes"], batch_size=BATCH)


def apply_import(
    job: ImportJob,
    *,
    by: Actor,
    rows: int | None = None,
    keep_going: Callable[[ImportJob], bool] = lambda job: True,
) -> ImportJob:
    """Apply chunk after chunk until the job is done or `keep_going(job)` says stop (it is
    called after each chunk: a progress bar, a time limit)."""
    while True:
        job = apply_next_chunk(job, by=by, rows=rows)
        going = keep_going(job)  # told of the last chunk too: a progress bar reaches 100 %
        if job.status != ImportStatus.APPLYING or not going:
            return job

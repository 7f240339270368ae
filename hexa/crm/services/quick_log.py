"""The quick dedication log: DESIGN.md, "The quick dedication log", implemented once.

Every interface (web form, JSON API, `hexa log`) calls `quick_log()`; the web form also calls
`plan_quick_log()` to show, before Finish, which project and task will be used.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from hexa.crm.errors import (
    AmbiguousProject,
    IdempotencyConflict,
    InvalidInput,
)
from hexa.crm.models import (
    Client,
    Dedication,
    Employee,
    IdempotencyKey,
    Project,
    Task,
    Via,
)
from hexa.crm.services import totals
from hexa.crm.services.locks import lock_client
from hexa.crm.services.queries import pending_tasks_in
from hexa.crm.services.validation import (
    KEPT_IF_TO_COME,
    UNCHANGED,
    NextFollowUp,
    validate_dedication,
)
from hexa.lib.prepared import PreparedInsert, PreparedSelect, PreparedUpdate


@dataclass(frozen=True)
class QuickLogPlan:
    """What a quick log for a client would use if it ran now."""

    client: Client
    project: Project | None  # None: a project will be created (unless `candidates`)
    candidates: list[Project]  # several active projects, none with the client's code
    task: Task | None  # None: a task will be created
    # Every pending task and incident of the client's active projects, by project: the user
    # may follow up another one than the rules choose.
    pending: list[Task] = field(default_factory=list)
    new_project_code: str = ""  # the code of the project a log would create, if any

    @property
    def needs_choice(self) -> bool:
        return bool(self.candidates)

    def next_follow_up(self, date: dt.date) -> dt.date | None:
        """The next follow-up a form logging on `date` starts with (rule 4)."""
        return follow_up_kept(self.task.next_follow_up if self.task else None, date=date)


@dataclass(frozen=True)
class QuickLogResult:
    dedication: Dedication
    project: Project
    project_created: bool
    task: Task
    task_created: bool
    replayed: bool = False  # an idempotent retry: nothing was written this time
    # A replay's answer as the first request gave it (the dedication may have changed or
    # gone since).
    answer: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The result as the API answers it and `hexa log --json` prints it."""
        if self.answer:
            return self.answer
        dedication = self.dedication
        return {
            "dedication": {
                "id": dedication.pk,
                "client": dedication.client.code,
                "project": self.project.code,
                "task": self.task.pk,
                "employee": dedication.employee.code,
                "date": dedication.date.isoformat(),
                "minutes": dedication.minutes,
                "text": dedication.text,
            },
            "project": {"code": self.project.code, "created": self.project_created},
            "task": {
                "id": self.task.pk,
                "title": self.task.title,
                "created": self.task_created,
                "next_follow_up": (
                    self.task.next_follow_up.isoformat() if self.task.next_follow_up else None
                ),
            },
        }

    def summary(self) -> str:
        """One sentence saying what happened, in the active language."""
        parts = {
            "client": self.dedication.client.code,
            "project": self.project.code,
            "task": self.task.title,
        }
        project = (
            _("new project %(project)s") if self.project_created else _("project %(project)s")
        ) % parts
        task = (_("new task “%(task)s”") if self.task_created else _("task “%(task)s”")) % parts
        if self.task.next_follow_up:
            follow_up = _("next follow-up %(date)s") % {
                "date": formats.date_format(self.task.next_follow_up, "SHORT_DATE_FORMAT")
            }
        else:
            follow_up = _("no follow-up scheduled")
        return _("Activity logged for %(client)s on %(project)s, %(task)s; %(follow_up)s.") % {
            **parts,
            "project": project,
            "task": task,
            "follow_up": follow_up,
        }


def follow_up_task_title() -> str:
    """The title of the task a quick log creates, in the business's language (HEXA_LANGUAGE),
    never in that of whoever logs first: one agenda, one word."""
    with translation.override(settings.LANGUAGE_CODE):
        return settings.HEXA_FOLLOW_UP_TASK_TITLE or _("Follow-up")


def follow_up_kept(current: dt.date | None, *, date: dt.date) -> dt.date | None:
    """Rule 4: what is left of a task's next follow-up (`current`) after a dedication on
    `date`. A date still to come stays; one due on or before `date` is what this dedication
    did, so it goes (and the task leaves the agenda) unless the user gives a new one."""
    return current if current is not None and current > date else None


def follow_up_choices(today: dt.date) -> list[tuple[str, dt.date]]:
    """The one-tap next follow-ups a form offers (+1 day, +1 week, +2 weeks, +1 month), each
    with its date counted from `today`, so that any of them is valid for a dedication dated
    today or earlier."""
    month_later = _months_after(today, 1)
    return [
        (_("+1 day"), today + dt.timedelta(days=1)),
        (_("+1 week"), today + dt.timedelta(days=7)),
        (_("+2 weeks"), today + dt.timedelta(days=14)),
        (_("+1 month"), month_later),
    ]


def _months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan -> 28
    Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def plan_quick_log(
    *, client: Client, project: Project | None = None, task: Task | None = None
) -> QuickLogPlan:
    """Which project and task a quick log on `client` would use now; writes nothing.

    An explicitly chosen `project` (or `task`) that the quick log could not use raises
    InvalidInput on that field, as the quick log itself would.
    """
    if task is not None:
        project = _task_project(client, task)
    active = _active_projects(client)
    pending = list(pending_tasks_in(active))
    try:
        chosen = _choose_project(client, active, project)
    except AmbiguousProject as ambiguous:
        return QuickLogPlan(
            client=client, project=None, candidates=ambiguous.candidates, task=None, pending=pending
        )
    if chosen is None:
        return QuickLogPlan(
            client=client,
            project=None,
            candidates=[],
            task=None,
            new_project_code=_free_project_code(client.code),
        )
    if task is None:
        task = _latest_pending_task(chosen)
    return QuickLogPlan(client=client, project=chosen, candidates=[], task=task, pending=pending)


def _task_project(client: Client, task: Task) -> Project:
    """The project of a task named explicitly: it must be a pending task (or incident) of
    the client; its project is then checked as an explicitly named project."""
    names = {"task": task.title, "client": client.code, "project": task.project.code}
    if task.project.client_id != client.pk:
        raise InvalidInput.on("task", _("“%(task)s” is not a task of client %(client)s.") % names)
    if task.status != Task.Status.PENDING:
        raise InvalidInput.on("task", _("“%(task)s” has been marked done.") % names)
    if not task.project.is_active:
        raise InvalidInput.on(
            "task", _("“%(task)s” is on project %(project)s, which is closed.") % names
        )
    return task.project


def quick_log(
    *,
    client: Client,
    employee: Employee | None,
    text: str,
    date: dt.date | None = None,
    next_follow_up: NextFollowUp = UNCHANGED,
    minutes: int | None = None,
    project: Project | None = None,
    task: Task | None = None,
    recorded_by: User | None,
    via: Via,
    idempotency_key: str | None = None,
) -> QuickLogResult:
    """Record a dedication on `client`, finding or creating its project and task.

    - `date` defaults to today; `next_follow_up` left UNCHANGED keeps the task's date, None
      clears it, KEPT_IF_TO_COME keeps it only while it is after `date` (follow_up_kept).
    - `project` is the user's explicit choice, needed when the client has several active
      projects and none carries the client's code (AmbiguousProject otherwise).
    - `task`, a pending task or incident of the client named explicitly (the agenda's row
      being followed up), is used instead of the most recent task of its project.
    - `idempotency_key`: a retry with the same key and the same arguments returns the first
      result (`replayed=True`) and writes nothing; other arguments raise IdempotencyConflict.

    All of it happens in one transaction, after locking the client row, so that concurrent
    quick logs on a client queue and never create two projects or two tasks. Raises
    InvalidInput, NotFound, ClientArchived, AmbiguousProject or IdempotencyConflict, and then
    nothing has been written.
    """
    fingerprint = (
        _fingerprint(client, employee, text, date, next_follow_up, minutes, project, task)
        if idempotency_key
        else ""
    )
    text = text.strip() if isinstance(text, str) else ""
    date = date or timezone.localdate()
    validate_dedication(
        employee=employee, text=text, date=date, minutes=minutes, next_follow_up=next_follow_up
    )
    assert employee is not None  # validate_dedication refuses a missing employee
    scope = key_scope(recorded_by)

    with transaction.atomic():
        # Lock before checking: concurrent quick logs on this client wait here, then see
        # the project and task the first one created.
        locked = lock_client(client)
        if idempotency_key and (replay := _replay(scope, idempotency_key, fingerprint, locked)):
            return replay

        if task is not None:
            task = _fresh_task(locked, task)
            project = task.project
        chosen, project_created = client_project(locked, project)
        if task is None and not project_created:
            task = _latest_pending_task(chosen)
        task_created = task is None
        if next_follow_up is KEPT_IF_TO_COME:
            next_follow_up = follow_up_kept(
                task.next_follow_up if task is not None else None, date=date
            )
        if task is None:
            task = Task(
                project=chosen,
                title=follow_up_task_title(),
                next_follow_up=None if next_follow_up is UNCHANGED else next_follow_up,
            )
            _insert_task(task)
        elif next_follow_up is not UNCHANGED and task.next_follow_up != next_follow_up:
            task.next_follow_up = next_follow_up
            _set_next_follow_up(task.pk, next_follow_up)

        dedication = Dedication(
            client=locked,
            project=chosen,
            task=task,
            employee=employee,
            date=date,
            text=text,
            minutes=minutes,
            recorded_by=recorded_by,
            via=via,
        )
        _insert_dedication(dedication)
        totals.counted(dedication)
        if idempotency_key:
            try:
                _insert_key(
                    IdempotencyKey(
                        scope=scope,
                        key=idempotency_key,
                        fingerprint=fingerprint,
                        dedication=dedication,
                        project_created=project_created,
                        task_created=task_created,
                        answer=QuickLogResult(
                            dedication=dedication,
                            project=chosen,
                            project_created=project_created,
                            task=task,
                            task_created=task_created,
                        ).as_dict(),
                    )
                )
            except IntegrityError:
                # The same key, at the same moment, on another client: a different request.
                raise IdempotencyConflict(
                    _("This idempotency key was already used for a different quick log.")
                ) from None
    return QuickLogResult(
        dedication=dedication,
        project=chosen,
        project_created=project_created,
        task=task,
        task_created=task_created,
    )


def key_scope(recorded_by: User | None) -> str:
    """Whose idempotency keys a quick log's key is among: each user's keys are their own."""
    return f"user:{recorded_by.pk}" if recorded_by is not None else "anonymous"


def client_project(client: Client, requested: Project | None = None) -> tuple[Project, bool]:
    """The project rule (DESIGN.md, quick log step 1) for a client locked by lock_client():
    the project to use, and whether it was just created. AmbiguousProject when the user must
    choose; InvalidInput on `project` when `requested` is not an active project of the client.
    """
    chosen = _choose_project(client, _active_projects(client), requested)
    if chosen is None:
        return _create_project(client), True
    return chosen, False


# The quick log's statements, compiled to SQL once (hexa.lib.prepared): Django's compiling
# of them cost several times more than the database's running them.
_active_projects_of = PreparedSelect(
    lambda client: Project.objects.active().filter(client_id=client).order_by("code"),
    client=int,
)
_latest_pending_task_of = PreparedSelect(
    lambda project: (
        Task.objects.pending()
        .filter(project_id=project, kind=Task.Kind.TASK)
        .order_by("-created_at", "-id")[:1]
    ),
    project=int,
)
# `base` and the codes between "base-" and "base." ('.' sorts right after '-'): a range on
# the unique index, where LIKE 'base%' would scan it on SQLite.
_codes_like = PreparedSelect(
    lambda base, low, high: Project.objects.filter(
        Q(code=base) | Q(code__gt=low, code__lt=high)
    ).values_list("code"),
    base=str,
    low=str,
    high=str,
)
_task_by_id = PreparedSelect(lambda task: Task.objects.filter(pk=task), task=int)
_set_next_follow_up = PreparedUpdate(Task, "next_follow_up", sample=dt.date(1, 2, 3))
_insert_project = PreparedInsert(Project)
_insert_task = PreparedInsert(Task)
_insert_dedication = PreparedInsert(Dedication)
_insert_key = PreparedInsert(IdempotencyKey)


def _active_projects(client: Client) -> list[Project]:
    return _active_projects_of(client=client.pk)


def _choose_project(
    client: Client, active: list[Project], requested: Project | None
) -> Project | None:
    """The project rule. None means: create the client's project."""
    if requested is not None:
        for project in active:
            if project.pk == requested.pk:
                return project
        raise InvalidInput.on(
            "project",
            _("%(project)s is not an active project of client %(client)s.")
            % {"project": requested.code, "client": client.code},
        )
    if not active:
        return None
    if len(active) == 1:
        return active[0]
    for project in active:
        if project.code == client.code:
            return project
    raise AmbiguousProject(
        _("Client %(client)s has several active projects and none has its code: choose one.")
        % {"client": client.code},
        candidates=active,
    )


def _latest_pending_task(project: Project) -> Task | None:
    """The most recently created pending task of kind `task` (incidents are never used)."""
    return next(iter(_latest_pending_task_of(project=project.pk)), None)


def _free_project_code(base: str) -> str:
    """`base`, or the first of base-2, base-3, ... that no project (of any client) has."""
    taken = {code for (code,) in _codes_like(base=base, low=f"{base}-", high=f"{base}.")}
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def _create_project(client: Client) -> Project:
    # The client lock does not cover another client taking the same code at the same moment
    # (client ACME wanting ACME-2 while client ACME-2 creates ACME-2): the unique index
    # decides, and the loser tries the next free code.
    for _attempt in range(5):
        code = _free_project_code(client.code)
        try:
            project = Project(
                code=code,
                name=client.name,
                client=client,
                kind=Project.Kind.COMMERCIAL,
                status=Project.Status.ACTIVE,
            )
            with transaction.atomic():
                _insert_project(project)
            return project
        except IntegrityError:
            continue
    raise IntegrityError(f"No free project code for client {client.code} after 5 attempts")


def _fresh_task(client: Client, task: Task) -> Task:
    """The named task as it is now (read after the client's lock), checked by _task_project."""
    current = next(iter(_task_by_id(task=task.pk)), None)
    if current is None:
        raise InvalidInput.on("task", _("There is no task %(id)s.") % {"id": task.pk})
    current.project = task.project if task.project_id == current.project_id else current.project
    _task_project(client, current)
    return current


def _fingerprint(
    client: Client,
    employee: Employee | None,
    text: str,
    date: dt.date | None,
    next_follow_up: NextFollowUp,
    minutes: int | None,
    project: Project | None,
    task: Task | None,
) -> str:
    """A digest of the arguments as given (before defaults such as today's date), so that a
    retry the next day still matches its first attempt."""
    request = {
        "client": client.pk,
        "employee": employee.pk if employee else None,
        "text": text,
        "date": date.isoformat() if date else None,
        "next_follow_up": (
            "unchanged"
            if next_follow_up is UNCHANGED
            else "kept if to come"
            if next_follow_up is KEPT_IF_TO_COME
            else next_follow_up and next_follow_up.isoformat()
        ),
        "minutes": minutes,
        "project": project.pk if project else None,
        "task": task.pk if task else None,
    }
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def purge_idempotency_keys(*, days: int) -> int:
    """Forget the idempotency keys made more than `days` days ago (a retry with one of them
    then records a new dedication); how many were forgotten."""
    if days < 0:
        raise InvalidInput.on("days", _("The number of days cannot be negative."))
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _replay(scope: str, key: str, fingerprint: str, client: Client) -> QuickLogResult | None:
    record = (
        IdempotencyKey.objects.select_related(
            "dedication__client", "dedication__project", "dedication__task", "dedication__employee"
        )
        .filter(scope=scope, key=key)
        .first()
    )
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise IdempotencyConflict(
            _("This idempotency key was already used for a different quick log.")
        )
    dedication = record.dedication
    if dedication is None:  # deleted since: what the first request answered
        return _answered(record, client)
    assert dedication.task is not None  # quick logs always record a task
    return QuickLogResult(
        dedication=dedication,
        project=dedication.project,
        project_created=record.project_created,
        task=dedication.task,
        task_created=record.task_created,
        replayed=True,
        answer=record.answer or None,  # keys made before answers were kept have none
    )


def _answered(record: IdempotencyKey, client: Client) -> QuickLogResult:
    """The replay of a quick log whose dedication was deleted: its answer, and objects (not
    saved) that say what it recorded, for the pages and the command line to report."""
    answer = record.answer
    recorded, task_answer = answer["dedication"], answer["task"]
    project = Project(code=answer["project"]["code"], client=client)
    task = Task(
        pk=task_answer["id"],
        project=project,
        title=task_answer["title"],
        next_follow_up=(
            dt.date.fromisoformat(task_answer["next_follow_up"])
            if task_answer["next_follow_up"]
            else None
        ),
    )
    dedication = Dedication(
        pk=recorded["id"],
        client=client,
        project=project,
        task=task,
        date=dt.date.fromisoformat(recorded["date"]),
        minutes=recorded["minutes"],
        text=recorded["text"],
    )
    return QuickLogResult(
        dedication=dedication,
        project=project,
        project_created=record.project_created,
        task=task,
        task_created=record.task_created,
        replayed=True,
        answer=answer,
    )

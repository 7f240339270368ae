"""Hexa's records: clients, employees, projects, tasks and dedications.

Models hold fields, the constraints the database can enforce, and small properties. Every
business rule (what the quick log picks, what may change and who may change it) lives in
`hexa.crm.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q
from django.db.models.functions import Length, Upper
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CLIENT_CODE_MAX = 20
PROJECT_CODE_MAX = 30
TEXT_MAX = 10_000
MINUTES_MAX = 1440


def _canonical_code(field: str, name: str) -> models.CheckConstraint:
    """Codes are stored upper-case and never empty, so `acme` and `ACME` are one code."""
    return models.CheckConstraint(
        condition=Q(**{field: Upper(field)}) & ~Q(**{field: ""}),
        name=name,
    )


def _in_choices(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class Client(models.Model):
    code = models.CharField(_("code"), max_length=CLIENT_CODE_MAX, unique=True)
    name = models.CharField(_("name"), max_length=200)
    tax_id = models.CharField(_("tax id"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Archived clients refuse new dedications.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # What the explorer and the agenda filter and sort by, kept by the database itself
    # (triggers made by migration 0008, on every write of tasks, projects and dedications,
    # whichever way it comes): the earliest next follow-up of the client's pending tasks on
    # active projects, and the date and employee of its latest dedication (latest date, then
    # highest id). Never written by Hexa's code.
    next_follow_up = models.DateField(_("next follow-up"), null=True, editable=False)
    last_dedication = models.DateField(_("last dedication"), null=True, editable=False)
    last_worked_by = models.ForeignKey(
        "Employee",
        verbose_name=_("last worked by"),
        null=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # an employee with dedications cannot be deleted (PROTECT)
    )

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["code"]
        constraints = [
            _canonical_code("code", "crm_client_code_canonical"),
            models.UniqueConstraint(
                fields=["tax_id"], condition=~Q(tax_id=""), name="crm_client_tax_id_unique"
            ),
        ]
        # The explorer's orders (queries.EXPLORER_ORDERS) each have an index, made by
        # migration 0007 and not declared here: PostgreSQL's say where NULLs sort, which
        # SQLite cannot say.

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Employee(models.Model):
    code = models.CharField(_("code"), max_length=CLIENT_CODE_MAX, unique=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["name", "code"]
        constraints = [_canonical_code("code", "crm_employee_code_canonical")]

    def __str__(self) -> str:
        return self.name


class ProjectKind(models.TextChoices):
    PRODUCTION = "production", _("production")
    COMMERCIAL = "commercial", _("commercial")


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    CLOSED = "closed", _("closed")


class ProjectQuerySet(models.QuerySet["Project"]):
    def active(self) -> ProjectQuerySet:
        """Projects open to new work."""
        return self.filter(status=ProjectStatus.ACTIVE)

    def of(self, client: Client | int | OuterRef) -> ProjectQuerySet:
        return self.filter(client=client)


class Project(models.Model):
    Kind = ProjectKind
    Status = ProjectStatus

    code = models.CharField(_("code"), max_length=PROJECT_CODE_MAX, unique=True)
    name = models.CharField(_("name"), max_length=200)
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="projects"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMMERCIAL)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            _canonical_code("code", "crm_project_code_canonical"),
            _in_choices("kind", ProjectKind, "crm_project_kind_valid"),
            _in_choices("status", ProjectStatus, "crm_project_status_valid"),
        ]
        indexes = [models.Index(fields=["client", "status"], name="crm_project_client_status")]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class TaskKind(models.TextChoices):
    TASK = "task", _("task")
    INCIDENT = "incident", _("incident")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("done")


class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class Channel(models.TextChoices):
    """How a client reported an incident."""

    PHONE = "phone", _("phone")
    EMAIL = "email", _("email")
    VISIT = "visit", _("visit")
    WEB = "web", _("web")


class TaskQuerySet(models.QuerySet["Task"]):
    def pending(self) -> TaskQuerySet:
        """Tasks and incidents still to do."""
        return self.filter(status=TaskStatus.PENDING)

    def in_active_projects(self) -> TaskQuerySet:
        return self.filter(project__status=ProjectStatus.ACTIVE)

    def of(self, client: Client | int | OuterRef) -> TaskQuerySet:
        return self.filter(project__client=client)


class Task(models.Model):
    Kind = TaskKind
    Status = TaskStatus
    Priority = Priority
    Channel = Channel

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.TASK)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        Employee,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tasks",
    )
    # Who follows it up, kept by the database itself (triggers made by migration 0014, on
    # every write of tasks, clients, projects and employees, whichever way it comes): for a
    # pending task with a next follow-up, the employee it is assigned to while they are
    # active, else whoever worked for its client last (Client.last_worked_by), so that no
    # follow-up is left with nobody; NULL for any other task. One person's agenda reads its
    # follow-ups from an index on it. Never written by Hexa's code.
    responsible = models.ForeignKey(
        Employee,
        verbose_name=_("responsible"),
        null=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,  # the agenda's index below starts with it
        db_constraint=False,  # kept from rows whose own keys hold; no share lock on employees
    )
    # Incidents: how urgent, who at the client reported it and how, and what it is about.
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    reported_by = models.CharField(_("reported by"), max_length=200, blank=True)
    reported_via = models.CharField(
        _("reported through"), max_length=8, choices=Channel.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    # Set explicitly (not auto_now_add): "most recent task" is decided by it, and imports and
    # tests need to state it.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="crm_task_title_not_empty"),
            _in_choices("kind", TaskKind, "crm_task_kind_valid"),
            _in_choices("status", TaskStatus, "crm_task_status_valid"),
            _in_choices("priority", Priority, "crm_task_priority_valid"),
            models.CheckConstraint(
                condition=Q(reported_via="") | Q(reported_via__in=Channel.values),
                name="crm_task_reported_via_valid",
            ),
        ]
        indexes = [
            # The quick log's "most recent pending task of this project".
            models.Index(
                fields=["project", "status", "kind", "-created_at", "-id"],
                name="crm_task_quick_log_pick",
            ),
            # Everyone's agenda (agenda.follow_ups): each group's first rows in its order, by
            # day then task, read from here.
            models.Index(
                fields=["next_follow_up", "id"],
                condition=Q(status="pending"),
                name="crm_task_pending_follow_up_id",
            ),
            # The tasks list (queries.list_tasks): newest first, a page read from here.
            models.Index(fields=["-created_at", "-id"], name="crm_task_newest"),
            # One person's agenda (agenda.follow_ups): each group's first rows and its count
            # read in date order from here, whatever the number of their follow-ups.
            models.Index(
                fields=["responsible", "next_follow_up", "id"],
                condition=Q(status="pending", next_follow_up__isnull=False),
                name="crm_task_responsible_day_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Via(models.TextChoices):
    """Through which interface a dedication was recorded."""

    WEB = "web", _("web")
    API = "api", _("API")
    CLI = "cli", _("command line")
    ADMIN = "admin", _("admin")
    EMAIL = "email", _("email")


class Dedication(models.Model):
    Via = Via

    # The client is implied by the project; it is kept on the row because every report and
    # list of dedications is by client, and the quick log always knows it.
    # No index of their own: the composite indexes below start with these columns.
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="dedications",
        db_index=False,
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="dedications",
        db_index=False,
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("task"),
        on_delete=models.PROTECT,
        related_name="dedications",
        null=True,
        blank=True,
    )
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="dedications",
        db_index=False,
    )
    date = models.DateField(_("date"))
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    via = models.CharField(_("recorded through"), max_length=8, choices=Via.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # crm_dedication_updated_by below: only the rows that have one
    )
    updated_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dedication")
        verbose_name_plural = _("dedications")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__gte=0, minutes__lte=MINUTES_MAX),
                name="crm_dedication_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    GreaterThan(Length("text"), 0), LessThanOrEqual(Length("text"), TEXT_MAX)
                ),
                name="crm_dedication_text_length",
            ),
            _in_choices("via", Via, "crm_dedication_via_valid"),
        ]
        # Every index here is paid by every quick log; each is there for a query:
        # - the primary key: a dedication's page, change and delete;
        # - client_date: a client's dedications (client page, entries, API ?client=), the
        #   client's latest dedication (the trigger of Client.last_dedication), reports by
        #   client, and PROTECT when a client is deleted;
        # - project_date and employee_date: the same for a project and an employee;
        # - date: reports over a period, whoever the client;
        # - task_id (the foreign key's own): a task's page and its minutes;
        # - recorded_by_id (the foreign key's own): deleting a login (SET_NULL);
        # - updated_by: the same, partial: most rows were never changed.
        indexes = [
            models.Index(fields=["client", "-date"], name="crm_dedication_client_date"),
            models.Index(fields=["project", "-date"], name="crm_dedication_project_date"),
            models.Index(fields=["employee", "-date"], name="crm_dedication_employee_date"),
            # Reports over a period, whoever the client.
            models.Index(fields=["date"], name="crm_dedication_date"),
            models.Index(
                fields=["updated_by"],
                condition=Q(updated_by__isnull=False),
                name="crm_dedication_updated_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.client.code}: {self.text[:40]}"


class DedicationTotal(models.Model):
    """Time and number of dedications per day, client, project and employee: what reports
    sum instead of the dedications themselves (10 million dedications would take a second
    to sum). Kept by hexa.crm.services.totals in the same transaction as every write of a
    dedication, by adding to its row (an UPSERT), so that it always equals summing them;
    a row whose count falls to zero is removed."""

    date = models.DateField(_("date"))
    # No foreign key constraints in the database: every key comes from a dedication, whose
    # own constraints hold, and checking them here would take a share lock on the client's
    # row, which the quick log locks first: a change of a dedication adding to a new row
    # while a quick log on its client adds to a row the change holds would deadlock.
    client = models.ForeignKey(
        Client, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    project = models.ForeignKey(
        Project, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # One employee's day on one project: an integer holds 1.4 million full days of it (and
    # PostgreSQL sums integers into a bigint, faster than bigints into a numeric).
    minutes = models.IntegerField(_("minutes"), default=0)
    entries = models.IntegerField(_("dedications"), default=0)

    class Meta:
        verbose_name = _("dedication total")
        verbose_name_plural = _("dedication totals")
        constraints = [
            # The key the UPSERT adds to; its index also serves reports over a period.
            models.UniqueConstraint(
                fields=["date", "client", "project", "employee"], name="crm_dedication_total_key"
            ),
            # A total below zero would mean a write missed it: refuse it loudly.
            models.CheckConstraint(
                condition=Q(minutes__gte=0, entries__gte=0), name="crm_dedication_total_positive"
            ),
        ]
        indexes = [
            # Reports of a client or a project (its client is known), and of an employee.
            models.Index(fields=["client", "project", "date"], name="crm_dedication_total_client"),
            models.Index(fields=["employee", "date"], name="crm_dedication_total_employee"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.client_id}/{self.project_id}/{self.employee_id}: {self.minutes}"


class MonthTotal(models.Model):
    """Time and number of dedications per month, client and project, whoever did them: what
    reports over whole months sum when they need no employee (the report page's default, a
    year by client, project or month), a fraction of the rows per day. Kept by
    hexa.crm.services.totals with DedicationTotal, in the same transaction and the same way.
    `date` is the month's first day (the name the reports' filters use for every table)."""

    date = models.DateField(_("month"))
    # No foreign key constraints in the database, for DedicationTotal's reason.
    client = models.ForeignKey(
        Client, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    project = models.ForeignKey(
        Project, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    # A month of one project: an integer holds 4,000 years of work.
    minutes = models.IntegerField(_("minutes"), default=0)
    entries = models.IntegerField(_("dedications"), default=0)

    class Meta:
        verbose_name = _("month total")
        verbose_name_plural = _("month totals")
        constraints = [
            # The key the UPSERT adds to; its index also serves reports over months.
            models.UniqueConstraint(
                fields=["date", "client", "project"], name="crm_month_total_key"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=0, entries__gte=0), name="crm_month_total_positive"
            ),
        ]
        indexes = [
            # Reports of a client or a project (its client is known).
            models.Index(fields=["client", "project", "date"], name="crm_month_total_client"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m} {self.client_id}/{self.project_id}: {self.minutes}"


class YearTotal(models.Model):
    """Time and number of dedications per year, client and project, whoever did them: what
    reports over whole years sum when they need neither months nor an employee, nor a
    client or project filter (a year's report by client or project reads a row per project,
    not twelve). Kept by hexa.crm.services.totals with DedicationTotal, in the same
    transaction and the same way. `date` is the year's first day."""

    date = models.DateField(_("year"))
    # No foreign key constraints in the database, for DedicationTotal's reason.
    client = models.ForeignKey(
        Client, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    project = models.ForeignKey(
        Project, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    # A year of one project: an integer holds 4,000 years of one person's work.
    minutes = models.IntegerField(_("minutes"), default=0)
    entries = models.IntegerField(_("dedications"), default=0)

    class Meta:
        verbose_name = _("year total")
        verbose_name_plural = _("year totals")
        constraints = [
            # The key the UPSERT adds to; its index also serves reports over years.
            models.UniqueConstraint(
                fields=["date", "client", "project"], name="crm_year_total_key"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=0, entries__gte=0), name="crm_year_total_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y} {self.client_id}/{self.project_id}: {self.minutes}"


class EmployeeDayTotal(models.Model):
    """Time and number of dedications per day and employee, whatever the client: what
    reports sum when they need no client, project or kind (by employee, week or month, the
    report page's chart, a report's total), a few dozen rows a day whatever the number of
    clients. Kept by hexa.crm.services.totals with DedicationTotal, in the same transaction
    and the same way."""

    date = models.DateField(_("date"))
    # No foreign key constraint in the database, for DedicationTotal's reason.
    employee = models.ForeignKey(
        Employee,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # One employee's day: an integer holds it many times over.
    minutes = models.IntegerField(_("minutes"), default=0)
    entries = models.IntegerField(_("dedications"), default=0)

    class Meta:
        verbose_name = _("employee day total")
        verbose_name_plural = _("employee day totals")
        constraints = [
            # The key the UPSERT adds to; its index also serves reports over a period.
            models.UniqueConstraint(fields=["date", "employee"], name="crm_employee_day_total_key"),
            models.CheckConstraint(
                condition=Q(minutes__gte=0, entries__gte=0),
                name="crm_employee_day_total_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.employee_id}: {self.minutes}"


class IdempotencyKey(models.Model):
    """A key sent with a quick log (API header or web form token) and what it produced.

    A retry with the same key and the same request replays the result instead of recording a
    second dedication; the unique constraint makes that hold under concurrency too. The key
    and its answer outlive the dedication: a late retry after it was deleted is still a
    replay, not a new dedication. `hexa purge-keys` forgets keys after some days.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    dedication = models.OneToOneField(
        Dedication, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project_created = models.BooleanField()
    task_created = models.BooleanField()
    # What the first request answered (QuickLogResult.as_dict()), replayed as it was.
    answer = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="crm_idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="crm_idempotency_key_created")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class ChangeAction(models.TextChoices):
    CHANGED = "changed", _("changed")
    DELETED = "deleted", _("deleted")


class DedicationChange(models.Model):
    """Who changed or deleted a dedication, when, and what it said before: the trail stays
    when the dedication itself is gone."""

    Action = ChangeAction

    dedication = models.ForeignKey(
        Dedication, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    dedication_number = models.BigIntegerField(_("dedication"))
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("when"), default=timezone.now)
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("change of a dedication")
        verbose_name_plural = _("changes of dedications")
        ordering = ["-changed_at", "-id"]
        constraints = [_in_choices("action", ChangeAction, "crm_dedication_change_action_valid")]

    def __str__(self) -> str:
        return f"{self.dedication_number} {self.action} {self.changed_at:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """A user's secret iCalendar address. Only a digest of the secret is kept; a new secret
    replaces the old one, which stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar of {self.user}"


class Reminder(models.Model):
    """`hexa remind` emailed `employee` their follow-ups on `date`: at most once a day."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="reminders")
    date = models.DateField()
    follow_ups = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "date"], name="crm_reminder_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.date}"


# --- Imports ------------------------------------------------------------------------------------


class ImportKind(models.TextChoices):
    CLIENTS = "clients", _("clients")
    EMPLOYEES = "employees", _("employees")


class ImportStatus(models.TextChoices):
    PLANNED = "planned", _("waiting for confirmation")
    APPLYING = "applying", _("importing")
    DONE = "done", _("done")


class ImportAction(models.TextChoices):
    """What the plan does with a row, and (after the import) what was done."""

    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    UNCHANGED = "unchanged", _("unchanged")
    ERROR = "error", _("wrong")


class ImportJob(models.Model):
    """An uploaded file's import: its plan (one ImportRow per row of the file), then how far
    applying it has gone. Kept in the database, not in a process, so that the preview can be
    paged and the import applied in chunks by whichever app process gets the request."""

    Kind = ImportKind
    Status = ImportStatus

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    # How the file was read, shown with the preview: "UTF-8", "Windows-1252", "XLSX", ...
    file_format = models.CharField(_("format"), max_length=120, blank=True)
    # Header as in the file -> the field it fills ("" when ignored), in the file's order.
    columns = models.JSONField(_("columns"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    via = models.CharField(_("through"), max_length=8, choices=Via.choices)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PLANNED
    )
    # The plan: how many rows of each action.
    rows = models.PositiveIntegerField(_("rows"), default=0)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    wrong = models.PositiveIntegerField(default=0)
    # Applying it: the rows up to row number `applied_through` are done (`processed` rows,
    # wrong ones included, which are skipped), with these outcomes.
    applied_through = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            _in_choices("kind", ImportKind, "crm_import_job_kind_valid"),
            _in_choices("status", ImportStatus, "crm_import_job_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} {self.created_at:%Y-%m-%d %H:%M}"


class ImportRow(models.Model):
    """One row of an imported file: its values, what the plan does with it and why, and,
    once applied, what was done."""

    Action = ImportAction

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="plan_rows")
    number = models.PositiveIntegerField(_("row"))  # as a spreadsheet numbers it: header is 1
    values = models.JSONField(_("values"))  # field -> the cell's text, for the columns found
    action = models.CharField(_("plan"), max_length=9, choices=Action.choices)
    code = models.CharField(_("code"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    # The id of the client or employee it updates: applying it checks that it still matches.
    # Not a foreign key: rows of both kinds share this table.
    record_id = models.BigIntegerField(null=True, blank=True)
    # Updates: field -> [value now, value from the file]. Errors: [[field label, message]].
    changes = models.JSONField(_("changes"), default=dict)
    reasons = models.JSONField(_("reasons"), default=list)
    outcome = models.CharField(_("outcome"), max_length=9, choices=Action.choices, blank=True)

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="crm_import_row_unique"),
            _in_choices("action", ImportAction, "crm_import_row_action_valid"),
        ]
        indexes = [models.Index(fields=["job", "action", "number"], name="crm_import_row_action")]

    def __str__(self) -> str:
        return f"{self.job_id} row {self.number}: {self.action}"


# --- Log by email -------------------------------------------------------------------------------


class InboundEmailStatus(models.TextChoices):
    LOGGED = "logged", _("logged")
    UNASSIGNED = "unassigned", _("waiting for a client")
    UNKNOWN_SENDER = "unknown", _("unknown sender")
    RETRYING = "retrying", _("to be tried again")
    FAILED = "failed", _("failed")
    DISCARDED = "discarded", _("discarded")


class InboundEmail(models.Model):
    """A message read from Hexa's mailbox (`hexa mail fetch`): what it said, and what became
    of it. Its Message-ID is unique, so a message is handled once whatever happens (fetched
    twice, two fetchers at once, a crash between logging it and moving it): the row is
    written in the same transaction as its dedication."""

    Status = InboundEmailStatus

    message_id = models.CharField(_("Message-ID"), max_length=998, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The message as Hexa read it.
    sender = models.CharField(_("from"), max_length=320)  # who sent it to Hexa
    sender_name = models.CharField(_("name"), max_length=200, blank=True)
    recipients = models.TextField(_("to"), blank=True)  # To and Cc, as written
    other_party = models.CharField(_("other party"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("date"), null=True, blank=True)
    # What the dedication says (or will say, once a client is chosen).
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    date = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    attachments = models.JSONField(_("attachments"), default=list)  # [{"name", "size"}]
    # Clients the rules found when there were several (ids), for the person who chooses.
    candidates = models.JSONField(default=list)
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dedication = models.OneToOneField(
        Dedication,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="email",
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-received_at", "-id"]
        constraints = [_in_choices("status", InboundEmailStatus, "crm_inbound_email_status_valid")]
        indexes = [models.Index(fields=["status", "-received_at"], name="crm_inbound_email_status")]

    def __str__(self) -> str:
        return f"{self.message_id} {self.status}"


class RunningTimer(models.Model):
    """A user's running timer on a client (hexa.crm.services.timer): at most one per user,
    kept here so that it survives reloads and shows on every device."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)

    class Meta:
        verbose_name = _("running timer")
        verbose_name_plural = _("running timers")
        constraints = [models.UniqueConstraint(fields=["user"], name="crm_timer_one_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.client_id} {self.started_at:%Y-%m-%d %H:%M}"

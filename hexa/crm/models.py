"""Hexa's records: clients, employees, projects, tasks and dedications.

Models hold fields, the constraints the database can enforce, and small properties. Every
business rule (what the quick log picks, what may change and who may change it) lives in
`hexa.crm.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
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
            models.Index(
                fields=["next_follow_up"],
                condition=Q(status="pending"),
                name="crm_task_pending_follow_up",
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


class Dedication(models.Model):
    Via = Via

    # The client is implied by the project; it is kept on the row because every report and
    # list of dedications is by client, and the quick log always knows it.
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="dedications"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="dedications"
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
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="dedications"
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
        indexes = [
            models.Index(fields=["client", "-date"], name="crm_dedication_client_date"),
            models.Index(fields=["project", "-date"], name="crm_dedication_project_date"),
            models.Index(fields=["employee", "-date"], name="crm_dedication_employee_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.client.code}: {self.text[:40]}"


class IdempotencyKey(models.Model):
    """A key sent with a quick log (API header or web form token) and what it produced.

    A retry with the same key and the same request replays the result instead of recording a
    second dedication; the unique constraint makes that hold under concurrency too.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    dedication = models.OneToOneField(Dedication, on_delete=models.CASCADE, related_name="+")
    project_created = models.BooleanField()
    task_created = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="crm_idempotency_key_unique")
        ]

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

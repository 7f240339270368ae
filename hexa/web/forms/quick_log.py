"""The client explorer's search and the quick-log form."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hexa.crm import services
from hexa.crm.errors import InvalidInput
from hexa.crm.models import TEXT_MAX, Client, Employee, Project, Task
from hexa.crm.services.queries import EXPLORER_ORDERS, explorer_order
from hexa.lib.text import ascii_int
from hexa.web.forms.base import AsciiIntegerField, DateInput, DayField


class ExplorerForm(forms.Form):
    """The explorer's search, filters, sorting and page, all from the query string."""

    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    due = forms.BooleanField(required=False, label=_("Follow-up due"))
    unscheduled = forms.BooleanField(required=False, label=_("No follow-up scheduled"))
    archived = forms.BooleanField(required=False, label=_("Archived"))
    order = forms.ChoiceField(required=False, choices=[(key, key) for key in EXPLORER_ORDERS])
    page = AsciiIntegerField(required=False, min_value=1, max_value=2**31 - 1)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "q": data.get("q") or "",
            "due_by": timezone.localdate() if data.get("due") else None,
            "unscheduled": bool(data.get("unscheduled")),
            "archived": bool(data.get("archived")),
            "order": explorer_order(data.get("order"), due=bool(data.get("due"))),
        }

    def chosen_order(self) -> str:
        """The order the user chose ("" for the default one), to keep when filters change."""
        return (self.cleaned_data.get("order") or "") if self.is_valid() else ""


class QuickLogForm(forms.Form):
    """The quick dedication log of one client.

    - `next_follow_up` is pre-filled with the date of the task the log will use, and its
      rendered value travels back (show_hidden_initial): leaving the field alone keeps the
      task's date, clearing it clears it.
    - `project` appears only when the client has several active projects and none with its
      code; then it is required.
    - `token` makes a resubmitted form (double click, reload) record one dedication.
    """

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    text = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4, "autofocus": True, "maxlength": TEXT_MAX}),
        # The domain says what is wrong with an empty or overlong text, in one place.
        required=False,
        strip=False,
    )
    employee = forms.ModelChoiceField(
        label=_("Who"),
        queryset=Employee.objects.filter(active=True),
        required=False,
        empty_label=_("Choose…"),
    )
    date = DayField(label=_("Date"), widget=DateInput())
    next_follow_up = DayField(
        label=_("Next follow-up"),
        widget=DateInput(),
        required=False,
        show_hidden_initial=True,
    )
    minutes = forms.CharField(
        label=_("Time spent"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "1h30", "inputmode": "text"}),
        help_text=_("90, 1h30, 1:30, 1,5h or 2 hours"),
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
    )
    # The task followed up, when the form is opened from its row in the agenda.
    task = forms.ModelChoiceField(
        queryset=Task.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(
        self,
        *args: Any,
        client: Client,
        user: AbstractBaseUser,
        project: Project | None = None,
        task: Task | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.client = client
        self.plan = services.plan_quick_log(client=client)
        self.fixed_project: Project | None = None
        self.fields["task"].queryset = Task.objects.filter(
            project__client=client, status=Task.Status.PENDING
        ).select_related("project")
        self.fixed_task = task or self._bound_task()
        if self.fixed_task is not None:
            project = self.fixed_task.project
            self.initial.setdefault("task", self.fixed_task)
            self.initial.setdefault("next_follow_up", self.fixed_task.next_follow_up)
        if project is not None:
            # A project chosen among several, or given by the page it was opened from (the
            # agenda's row): pre-fill the date of the task the log will use on it.
            chosen = services.plan_quick_log(client=client, project=project)
            self.initial.setdefault("next_follow_up", chosen.next_follow_up)
            self.initial.setdefault("project", project)
        employee = Employee.objects.filter(user=user, active=True).first()
        self.initial.setdefault("token", uuid.uuid4().hex)
        self.initial.setdefault("employee", employee)
        self.initial.setdefault("date", timezone.localdate())
        self.initial.setdefault("next_follow_up", self.plan.next_follow_up)
        field = self.fields["project"]
        if self.plan.needs_choice and self.fixed_task is None:
            field.queryset = Project.objects.filter(pk__in=[p.pk for p in self.plan.candidates])
            field.required = True
            field.help_text = _(
                "%(client)s has several active projects and none has its code: choose one."
            ) % {"client": client.code}
        elif project is not None or (self.is_bound and self.data.get("project")):
            # Fixed by the page, not chosen here: carried along, shown as text.
            field.queryset = Project.objects.filter(client=client, status=Project.Status.ACTIVE)
            field.widget = forms.HiddenInput()
            self.fixed_project = (
                project
                or field.queryset.filter(pk=ascii_int(str(self.data.get("project")))).first()
            )
        else:
            del self.fields["project"]

    def _bound_task(self) -> Task | None:
        value = self.data.get("task") if self.is_bound else None
        task_id = ascii_int(str(value)) if value else None
        if task_id is None:
            return None
        return self.fields["task"].queryset.filter(pk=task_id).first()

    def clean_minutes(self) -> int | None:
        try:
            return services.minutes_from(self.cleaned_data["minutes"])
        except InvalidInput as error:
            raise forms.ValidationError(error.fields["minutes"]) from None

    def clean(self) -> dict[str, Any]:
        """Check the dedication's fields by the domain's rules now, so that every error shows
        at once, next to the field at fault (the quick log checks them again)."""
        data = super().clean()
        if "date" in data:
            try:
                services.validate_dedication(
                    employee=data.get("employee"),
                    text=(data.get("text") or "").strip(),
                    date=data["date"],
                    minutes=data.get("minutes"),
                    next_follow_up=data.get("next_follow_up") or services.UNCHANGED,
                )
            except InvalidInput as error:
                for field, messages in error.fields.items():
                    if field not in self.errors:
                        self.add_error(field, messages)
        return data

    def quick_log_arguments(self) -> dict[str, Any]:
        """The domain's arguments for this (valid) form."""
        data = self.cleaned_data
        return {
            "client": self.client,
            "employee": data["employee"],
            "text": data["text"],
            "date": data["date"],
            "next_follow_up": (
                data["next_follow_up"]
                if "next_follow_up" in self.changed_data
                else services.UNCHANGED
            ),
            "minutes": data["minutes"],
            "project": data.get("project"),
            "task": data.get("task"),
            "idempotency_key": f"form:{data['token']}",
        }

    def renew_token(self) -> None:
        """A fresh token, for a form shown again to record another dedication."""
        data = self.data.copy()
        data["token"] = uuid.uuid4().hex
        self.data = data


class ProjectChoiceForm(forms.Form):
    """The project chosen in an ambiguous quick log, and whether the user has already changed
    the next follow-up field (then it is left as they typed it)."""

    project = forms.ModelChoiceField(queryset=Project.objects.none())
    next_follow_up = DayField(required=False, show_hidden_initial=True)

    def __init__(self, *args: Any, candidates: list[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(pk__in=[p.pk for p in candidates])

    @property
    def follow_up_edited(self) -> bool:
        return "next_follow_up" in self.changed_data

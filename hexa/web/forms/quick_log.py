"""The client explorer's search and the quick-log form."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import formats, timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hexa.crm import services
from hexa.crm.errors import InvalidInput
from hexa.crm.models import TEXT_MAX, Client, Employee, Project, Task
from hexa.crm.services.queries import EXPLORER_ORDERS, explorer_order
from hexa.lib.text import ascii_int
from hexa.web.forms.base import (
    AsciiIntegerField,
    DateInput,
    DayField,
    DedicationFields,
    limited_text,
    model_choices,
)


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


class QuickLogForm(DedicationFields):
    """The quick dedication log of one client.

    - `task` says, before Finish, where the dedication goes: the task the quick log's rules
      choose (or the new one they would create), or another pending task of the client's
      active projects that the user picks instead.
    - `next_follow_up` starts as rule 4 says (services.follow_up_kept): the task's date while
      it is still to come, empty otherwise. Its rendered value travels back
      (show_hidden_initial): left alone, the quick log applies the same rule to the task it
      uses at Finish; emptied, the date is cleared; changed, it is set.
    - `project` appears only when the client has several active projects and none with its
      code (then it is required), or hidden when the page that opened the form fixed it.
    - `token` makes a resubmitted form (double click, reload) record one dedication.

    Hidden values that are stale or tampered with (a task done meanwhile, a project closed, a
    damaged token) never fail silently: the form says what and why above its fields, falls
    back to what the quick log would use now, and waits for Finish again.
    """

    data: MultiValueDict[str, Any]  # request.POST, or an empty one: never a plain dict

    token = forms.CharField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "autofocus": True,
                **limited_text(TEXT_MAX),
                # app.js keeps what is typed as a draft of this client's log until it is recorded
                "data-draft-restored": _("Your unfinished text is back."),
                "data-draft-discard": _("Discard it"),
            }
        ),
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
        error_messages={"required": _("Choose the project this activity is for.")},
    )
    # Resolved by clean_task() (a stale or foreign task gets its own message, not Django's
    # "Select a valid choice").
    task = forms.CharField(label=_("Will be logged on"), required=False, widget=forms.Select)

    def __init__(
        self,
        *args: Any,
        client: Client,
        user: User,
        project: Project | None = None,
        task: Task | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.client = client
        self.refusals: list[str] = []
        # What the rules alone choose: whether the user must choose among several projects.
        rules = services.plan_quick_log(client=client)
        self.candidates = rules.candidates
        if self.is_bound:
            project = self._usable_project()
        self.chosen_project = project
        self.plan = self._plan(project=project, task=task) or rules
        employee = services.employee_of(user, active_only=True)
        today = timezone.localdate()
        self.initial.setdefault("token", uuid.uuid4().hex)
        self.initial.setdefault("employee", employee)
        self.initial.setdefault("date", today)
        self.initial.setdefault("next_follow_up", self.plan.next_follow_up(today))
        self.initial.setdefault("task", self.plan.task.pk if self.plan.task else "")
        self.follow_up_choices = services.follow_up_choices(today)
        field = model_choices(self, "project")
        if self.candidates:
            field.queryset = Project.objects.filter(pk__in=[p.pk for p in self.candidates])
            field.required = True
            field.label = gettext(
                "%(client)s has several active projects. Which one is this activity for?"
            ) % {"client": client.name}
        elif project is not None or (self.is_bound and self.data.get("project")):
            # Fixed by the page the form was opened from (the client page of a project):
            # carried along, hidden.
            field.queryset = Project.objects.filter(pk=project.pk if project else None)  # type: ignore[misc]  # pk=None: none
            field.widget = forms.HiddenInput()
            self.initial.setdefault("project", project)
        else:
            del self.fields["project"]
        self.fields["task"].widget.choices = self.task_choices()
        # Said above the fields when the page asked for a task that cannot be used now (the
        # agenda's row, done meanwhile).
        self.notices: list[str] = []
        if task is not None and self.plan.task != task:
            self.notices.append(self._task_refusal(str(task.pk)) + " " + self._fallback_sentence())
        if self.is_bound:
            self._check_hidden_values()

    def _plan(self, *, project: Project | None, task: Task | None) -> services.QuickLogPlan | None:
        """The plan for a task or project given by the page, if the quick log can use it."""
        try:
            if task is not None:
                return services.plan_quick_log(client=self.client, task=task)
            if project is not None:
                return services.plan_quick_log(client=self.client, project=project)
        except InvalidInput:
            pass
        return None

    # --- Where the dedication goes --------------------------------------------------------

    def task_choices(self) -> list[tuple[object, str]]:
        """The pending tasks of the client's active projects; the rules' choice first. ""
        stands for what the rules would choose at Finish when that is not an existing task."""
        plan = self.plan
        new_task = gettext("a new task “%(title)s”") % {"title": services.follow_up_task_title()}
        choices: list[tuple[object, str]] = []
        if plan.needs_choice:
            choices.append(("", gettext("(depends on the project you choose)")))
        elif plan.project is None:
            new_project = gettext("a new project %(code)s") % {"code": plan.new_project_code}
            choices.append(("", f"{new_project} {ARROW} {new_task}"))
        elif plan.task is None:
            choices.append(("", f"{plan.project.code} {ARROW} {new_task}"))
        ordered = sorted(plan.pending, key=lambda task: task != plan.task)
        return choices + [(task.pk, self._task_label(task)) for task in ordered]

    @staticmethod
    def _task_label(task: Task) -> str:
        label = f"{task.project.code} {ARROW} {task.title}"
        if task.kind == Task.Kind.INCIDENT:
            label += f" ({gettext('incident')})"
        if task.next_follow_up:
            label += " · " + formats.date_format(task.next_follow_up, "SHORT_DATE_FORMAT")
        return label

    @property
    def task_is_chosen_here(self) -> bool:
        """Whether there is anything to choose (a select), or only one place to go (a text)."""
        return len(self.fields["task"].widget.choices) > 1

    @property
    def planned_place(self) -> str:
        """Where the dedication goes, as the one choice says it."""
        return str(self.fields["task"].widget.choices[0][1])

    @property
    def planned_value(self) -> object:
        return self.fields["task"].widget.choices[0][0]

    def _usable_project(self) -> Project | None:
        """The project sent, if it is an active project of the client."""
        project_id = record_id(self.data.get("project"))
        if project_id is None:
            return None
        return Project.objects.active().of(self.client).filter(pk=project_id).first()

    def _check_hidden_values(self) -> None:
        """Stale or tampered values, each refused with what and why, then replaced by what
        the quick log would use now (the user sees it and presses Finish again)."""
        data = self.data.copy()
        token = str(data.get("token") or "")
        if not _TOKEN.fullmatch(token):
            self.refusals.append(
                gettext(
                    "This form's one-time token was missing or damaged, so nothing was "
                    "recorded. It has a new one now: press Finish again."
                )
            )
            data["token"] = uuid.uuid4().hex
        if data.get("project") and self.chosen_project is None and not self.candidates:
            self.refusals.append(
                gettext(
                    "The project this form was opened for is not an active project of "
                    "%(client)s (it may have been closed meanwhile), so nothing was recorded."
                )
                % {"client": self.client.code}
                + " "
                + self._fallback_sentence()
            )
            data["project"] = ""
            del self.fields["project"]
        value = str(data.get("task") or "")
        if value:
            reason = self._task_refusal(value)
            if reason:
                untouched = not self["next_follow_up"]._has_changed()  # type: ignore[attr-defined]  # Django's
                self.plan = self._plan(
                    project=self.chosen_project, task=None
                ) or services.plan_quick_log(client=self.client)
                self.fields["task"].widget.choices = self.task_choices()
                self.refusals.append(
                    reason
                    + " "
                    + gettext("Nothing was recorded.")
                    + " "
                    + self._fallback_sentence()
                )
                data["task"] = self.plan.task.pk if self.plan.task else ""
                if untouched:
                    # The field shows what the new task starts with.
                    prefill = self.plan.next_follow_up(timezone.localdate())
                    shown = prefill.strftime(DateInput.FORMAT) if prefill else ""
                    data["next_follow_up"] = data["initial-next_follow_up"] = shown
        self.data = data

    def _fallback_sentence(self) -> str:
        if self.plan.needs_choice:
            return gettext("Choose the project below and press Finish again.")
        place = self.planned_place
        if self.plan.task is not None:
            place = self._task_label(self.plan.task)
        return gettext("It will be logged on %(place)s instead: press Finish to confirm.") % {
            "place": place
        }

    def _pending(self, task_id: int | None) -> Task | None:
        """The task, if it is among the pending tasks of the client's active projects that
        the plan read (its project loaded): usable as it is, without asking again."""
        return next((task for task in self.plan.pending if task.pk == task_id), None)

    def _task_refusal(self, value: str) -> str:
        """Why the task sent cannot be used ("" if it can)."""
        task_id = record_id(value)
        if self._pending(task_id) is not None:
            return ""
        task = (
            Task.objects.select_related("project").filter(pk=task_id).first()
            if task_id is not None
            else None
        )
        if task is None:
            return gettext("The task chosen no longer exists.")
        try:
            services.plan_quick_log(client=self.client, task=task)
        except InvalidInput as error:
            return error.message
        return ""

    # --- Checks ---------------------------------------------------------------------------

    def clean_task(self) -> Task | None:
        value = self.cleaned_data["task"]
        if not value:
            return None
        # _check_hidden_values() replaced anything unusable.
        task = self._pending(record_id(value))
        return task or Task.objects.select_related("project").get(pk=value)

    def check_destination(self, data: dict[str, Any]) -> None:
        """Stale values, and a task that is not on the project chosen. Then the dedication's
        fields are checked by the domain's rules (DedicationFields), so that every error
        shows at once, next to the field at fault (the quick log checks them again)."""
        for refusal in self.refusals:
            self.add_error(None, refusal)
        task, project = data.get("task"), data.get("project")
        if task and project and task.project_id != project.pk and self.candidates:
            self.add_error(
                "task",
                gettext("“%(task)s” is on project %(task_project)s, not on %(project)s.")
                % {"task": task.title, "task_project": task.project.code, "project": project.code},
            )
        if task and "project" in self.errors and self.candidates:
            # The task picked says which project.
            del self.errors["project"]

    def validation_options(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"next_follow_up": data.get("next_follow_up") or services.UNCHANGED}

    def quick_log_arguments(self) -> dict[str, Any]:
        """The domain's arguments for this (valid) form."""
        data = self.cleaned_data
        next_follow_up = data["next_follow_up"]
        if "next_follow_up" not in self.changed_data:
            # As pre-filled: rule 4 again, on the task and date used at Finish.
            next_follow_up = services.KEPT_IF_TO_COME
        return {
            "client": self.client,
            "employee": data["employee"],
            "text": data["text"],
            "date": data["date"],
            "next_follow_up": next_follow_up,
            "minutes": data["minutes"],
            "project": None if data.get("task") else data.get("project"),
            "task": data.get("task"),
            "idempotency_key": f"form:{data['token']}",
        }

    def renew_token(self) -> None:
        """A fresh token, for a form shown again to record another dedication."""
        data = self.data.copy()
        data["token"] = uuid.uuid4().hex
        self.data = data


# Between a project and its task, as in "ACME > Seguimiento".
ARROW = "\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def record_id(value: object) -> int | None:
    """A database id sent by a page (None if it cannot be one: "²", "1e9", too long)."""
    return ascii_int(str(value or ""))


class ProjectChoiceForm(forms.Form):
    """The project or task chosen in the quick-log form (htmx asks again for the parts that
    depend on it), and whether the user has already changed the next follow-up field (then it
    is left as they typed it)."""

    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False)
    task = forms.ModelChoiceField(queryset=Task.objects.none(), required=False)
    next_follow_up = DayField(required=False, show_hidden_initial=True, widget=DateInput)

    def __init__(self, *args: Any, plan: services.QuickLogPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        candidates = plan.candidates or ([plan.project] if plan.project else [])
        model_choices(self, "project").queryset = Project.objects.filter(
            pk__in=[p.pk for p in candidates]
        )
        model_choices(self, "task").queryset = Task.objects.filter(
            pk__in=[t.pk for t in plan.pending]
        ).select_related("project")

    @property
    def follow_up_edited(self) -> bool:
        return "next_follow_up" in self.changed_data

"""Forms of the fuller management: clients, employees, projects, tasks and incidents,
dedications on existing work, and the lists' filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hexa.crm.models import TEXT_MAX, Client, Dedication, Employee, Project, Task
from hexa.web.forms.base import (
    AsciiIntegerField,
    DateInput,
    DayField,
    DedicationFields,
    limited_text,
    model_choices,
)
from hexa.web.forms.pickers import ClientField

User = get_user_model()


class ClientForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    tax_id = forms.CharField(label=_("Tax id"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # a client's code is how everything refers to it: it stays
            del self.fields["code"]


class EmployeeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(
        label=_("Email"), required=False, help_text=_("Where `hexa remind` sends follow-ups.")
    )
    user = forms.ModelChoiceField(
        label=_("Login user"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label=_("None"),
        help_text=_("Who signs in as this employee: what they log is theirs by default."),
    )

    def __init__(self, *args: Any, editing: Employee | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Logins not linked to another employee (a login is one employee).
        model_choices(self, "user").queryset = (
            User.objects.filter(is_active=True)
            .exclude(Q(employee__isnull=False) & ~Q(employee=editing))
            .order_by("username")
        )
        if editing is not None:
            del self.fields["code"]


class ProjectForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=200)
    client = ClientField(label=_("Client"), include_archived=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Project.Kind.choices)

    def __init__(
        self, *args: Any, editing: bool = False, client: Client | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
            del self.fields["client"]
        elif client is not None:
            self.fields["client"].initial = client.code


class TaskForm(forms.Form):
    """A task or an incident. For a client, `project` lists its active projects, the one the
    quick log would use first; left empty, the quick log's rule chooses (or creates) it."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=Task.Kind.choices, widget=forms.RadioSelect, initial="task"
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    next_follow_up = DayField(label=_("Next follow-up"), required=False, widget=DateInput())
    assigned_to = forms.ModelChoiceField(
        label=_("Assigned to"),
        queryset=Employee.objects.filter(active=True),
        required=False,
        empty_label=_("Nobody"),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Task.Priority.choices, initial=Task.Priority.NORMAL
    )
    reported_by = forms.CharField(
        label=_("Reported by"),
        max_length=200,
        required=False,
        help_text=_("Who at the client reported it"),
    )
    reported_via = forms.ChoiceField(
        label=_("Reported through"),
        choices=[("", "—"), *Task.Channel.choices],
        required=False,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self,
        *args: Any,
        client: Client | None = None,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if client is not None:
            projects = Project.objects.active().of(client)
            model_choices(self, "project").queryset = projects.order_by("code")
            model_choices(self, "project").empty_label = _("As the quick log would choose")
        else:
            del self.fields["project"]
        if editing:
            model_choices(self, "assigned_to").queryset = Employee.objects.filter(
                Q(active=True) | Q(pk=self.initial.get("assigned_to"))
            )

    def task_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("project", None)
        return data


class TaskChoiceField(forms.ModelChoiceField):
    """Tasks named with their project, for lists that mix several projects' tasks."""

    def label_from_instance(self, obj: Task) -> str:
        kind = f" ({obj.get_kind_display()})" if obj.kind == Task.Kind.INCIDENT else ""
        return f"{obj.project.code} · {obj.title}{kind}"


class DedicationForm(DedicationFields):
    """A dedication on existing work: a project (and optionally one of its pending tasks or
    incidents), or a task."""

    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    task = TaskChoiceField(
        label=_("Task"), queryset=Task.objects.none(), required=False, empty_label=_("No task")
    )
    text = forms.CharField(
        label=_("What was done"),
        # The domain says what is wrong with an empty text; the page marks it required
        # (forms are not checked by the browser: novalidate).
        widget=forms.Textarea(
            attrs={"rows": 4, "autofocus": True, "required": True, **limited_text(TEXT_MAX)}
        ),
        required=False,
        strip=False,
    )
    employee = forms.ModelChoiceField(
        label=_("Who"),
        queryset=Employee.objects.filter(active=True),
        required=False,
        empty_label=_("Choose…"),
        widget=forms.Select(attrs={"required": True}),
    )
    date = DayField(label=_("Date"), widget=DateInput())
    minutes = forms.CharField(
        label=_("Time spent"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "1h30"}),
        help_text=_("90, 1h30, 1:30, 1,5h or 2 hours"),
    )

    def __init__(
        self,
        *args: Any,
        projects: Any,
        tasks: Any,
        fixed: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "project").queryset = projects
        model_choices(self, "task").queryset = tasks
        for name in fixed:  # the project (and task) the page is about
            self.fields[name].disabled = True
            self.fields[name].widget = forms.HiddenInput()


class DedicationChangeForm(DedicationFields):
    """Changing a dedication: what, who, when, how long, and which task of its project."""

    text = DedicationForm.base_fields["text"]
    employee = DedicationForm.base_fields["employee"]
    date = DedicationForm.base_fields["date"]
    minutes = DedicationForm.base_fields["minutes"]
    task = TaskChoiceField(
        label=_("Task"), queryset=Task.objects.none(), required=False, empty_label=_("No task")
    )

    def __init__(self, *args: Any, dedication: Dedication, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dedication = dedication
        model_choices(self, "task").queryset = Task.objects.filter(
            project=dedication.project
        ).select_related("project")
        # Its own employee stays selectable even after leaving the company.
        model_choices(self, "employee").queryset = Employee.objects.filter(
            Q(active=True) | Q(pk=dedication.employee_id)
        )

    def keeps_employee(self, employee: Employee | None) -> bool:
        return employee is not None and employee.pk == self.dedication.employee_id


class CloseProjectForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Close it even though it has pending tasks"), required=False
    )


class RescheduleForm(forms.Form):
    """The days or the date, parsed; the rules (one of them, not both; a day or more; not in
    the past) are the domain's, and the view puts its EitherOr in this page's words."""

    days = AsciiIntegerField(required=False, max_value=366)
    to = DayField(
        label=_("Date"), required=False, widget=DateInput(attrs={"aria-label": _("New date")})
    )


class UndoForm(forms.Form):
    """A task's status and next follow-up before a one-click action, to put them back."""

    status = forms.ChoiceField(choices=Task.Status.choices)
    next_follow_up = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(
        label=_("Assigned to"),
        queryset=Employee.objects.filter(active=True),
        required=False,
        empty_label=_("Nobody"),
    )


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    client = ClientField(label=_("Client"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Project.Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *Project.Kind.choices], required=False
    )


class TaskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Task.Status.choices],
        required=False,
        initial="pending",
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Tasks and incidents")), *Task.Kind.choices],
        required=False,
    )
    assigned_to = forms.ModelChoiceField(
        label=_("Assigned to"),
        queryset=Employee.objects.order_by("name"),
        required=False,
        empty_label=_("Anyone"),
    )


class RestoreForm(forms.Form):
    """Archive (the default) or, with restore=1, restore a client."""

    restore = forms.BooleanField(required=False)


class ActiveForm(forms.Form):
    """Deactivate (the default) or, with active=1, restore an employee."""

    active = forms.BooleanField(required=False)

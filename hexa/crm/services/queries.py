"""Read-side rules: how clients are searched and how lists are filtered, in one place for the
web pages, the API and the command line."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from hexa.crm.models import Client, Dedication, Employee, Project, Task
from hexa.crm.services.common import normalize_code


def search_clients(q: str = "", *, include_archived: bool = False) -> QuerySet[Client]:
    """Clients whose code, name or tax id contains `q` (case-insensitive)."""
    clients = Client.objects.all() if include_archived else Client.objects.filter(active=True)
    if q := q.strip():
        tax_id = "".join(ch for ch in q.upper() if ch.isalnum())
        match = Q(code__icontains=q) | Q(name__icontains=q)
        if tax_id:
            match |= Q(tax_id__icontains=tax_id)
        clients = clients.filter(match)
    return clients.order_by("code")


def list_employees(*, active: bool | None = None) -> QuerySet[Employee]:
    employees = Employee.objects.order_by("code")
    return employees if active is None else employees.filter(active=active)


def list_projects(
    *, client: str | None = None, status: str | None = None, kind: str | None = None
) -> QuerySet[Project]:
    projects = Project.objects.select_related("client").order_by("code")
    if client:
        projects = projects.filter(client__code=normalize_code(client))
    if status:
        projects = projects.filter(status=status)
    if kind:
        projects = projects.filter(kind=kind)
    return projects


def list_tasks(*, project: str | None = None, status: str | None = None) -> QuerySet[Task]:
    tasks = Task.objects.select_related("project").order_by("-created_at", "-id")
    if project:
        tasks = tasks.filter(project__code=normalize_code(project))
    if status:
        tasks = tasks.filter(status=status)
    return tasks


def list_dedications(
    *,
    client: str | None = None,
    project: str | None = None,
    task: int | None = None,
    employee: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Dedication]:
    dedications = Dedication.objects.select_related(
        "client", "project", "employee", "recorded_by"
    ).order_by("-date", "-id")
    if client:
        dedications = dedications.filter(client__code=normalize_code(client))
    if project:
        dedications = dedications.filter(project__code=normalize_code(project))
    if task is not None:
        dedications = dedications.filter(task_id=task)
    if employee:
        dedications = dedications.filter(employee__code=normalize_code(employee))
    if date_from:
        dedications = dedications.filter(date__gte=date_from)
    if date_to:
        dedications = dedications.filter(date__lte=date_to)
    return dedications

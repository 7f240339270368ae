"""Rows in any state a test needs, written straight to the database (including states the
domain would refuse to create, such as a pending task on a closed project)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from hexa.crm.models import Client, Dedication, Employee, Project, Task
from hexa.crm.services import totals

_numbers = itertools.count(1)


def user(username: str | None = None, **fields: object) -> AbstractUser:
    username = username or f"user{next(_numbers)}"
    return get_user_model().objects.create_user(username, password="pw-Secret-123", **fields)


def employee(code: str | None = None, **fields: object) -> Employee:
    code = code or f"EMP{next(_numbers)}"
    fields.setdefault("name", code.title())
    return Employee.objects.create(code=code, **fields)


def client(code: str | None = None, **fields: object) -> Client:
    code = code or f"CLI{next(_numbers)}"
    fields.setdefault("name", f"{code.title()} S.L.")
    return Client.objects.create(code=code, **fields)


def project(
    client: Client, code: str | None = None, status: str = "active", **fields: object
) -> Project:
    code = code or f"{client.code}-P{next(_numbers)}"
    fields.setdefault("name", code.title())
    return Project.objects.create(client=client, code=code, status=status, **fields)


def task(
    project: Project,
    title: str | None = None,
    *,
    kind: str = "task",
    status: str = "pending",
    created_at: dt.datetime | None = None,
    next_follow_up: dt.date | None = None,
) -> Task:
    return Task.objects.create(
        project=project,
        title=title or f"Task {next(_numbers)}",
        kind=kind,
        status=status,
        created_at=created_at or timezone.now(),
        next_follow_up=next_follow_up,
    )


def dedication(task: Task, employee: Employee, **fields: object) -> Dedication:
    fields.setdefault("date", timezone.localdate())
    fields.setdefault("text", "Did something")
    fields.setdefault("via", "web")
    created = Dedication.objects.create(
        client=task.project.client, project=task.project, task=task, employee=employee, **fields
    )
    totals.counted(created)  # as every domain function that records one does
    return created

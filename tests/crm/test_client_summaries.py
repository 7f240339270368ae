"""Each client's next follow-up and latest dedication, kept on its row by the database
(migration 0007's triggers), stay equal to computing them from its tasks and dedications,
after any mix of creates, changes and deletes, through the domain or straight to the tables."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Min

from hexa.crm import services
from hexa.crm.models import Client, Dedication, Project, Task
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


def computed(client: Client) -> tuple[dt.date | None, dt.date | None, int | None]:
    """What they are by definition."""
    follow_up = Task.objects.filter(
        project__client=client, project__status="active", status="pending"
    ).aggregate(day=Min("next_follow_up"))["day"]
    last = Dedication.objects.filter(client=client).order_by("-date", "-id").first()
    return follow_up, last and last.date, last and last.employee_id


def kept() -> dict[str, tuple[dt.date | None, dt.date | None, int | None]]:
    return {
        code: values
        for code, *values in Client.objects.values_list(
            "code", "next_follow_up", "last_dedication", "last_worked_by"
        )
    }


def assert_kept_right() -> None:
    assert kept() == {client.code: list(computed(client)) for client in Client.objects.all()}


@pytest.fixture
def luis(db):
    return factories.employee("LUIS")


def test_a_new_client_has_neither(db):
    factories.client("NEW")

    assert kept() == {"NEW": [None, None, None]}


def test_the_quick_log_sets_both(employee, client_acme):
    services.quick_log(
        client=client_acme,
        employee=employee,
        text="Call",
        date=TODAY,
        next_follow_up=TODAY + dt.timedelta(days=7),
        recorded_by=None,
        via=Dedication.Via.API,
    )

    assert kept() == {"ACME": [TODAY + dt.timedelta(days=7), TODAY, employee.pk]}


@pytest.mark.parametrize("seed", range(6))
def test_random_changes_keep_them_equal_to_the_tasks_and_dedications(employee, luis, seed):
    rng = random.Random(seed)
    clients = [factories.client(f"C{seed}X{i}") for i in range(3)]
    projects = [factories.project(rng.choice(clients)) for _ in range(4)]

    def day() -> dt.date:
        return TODAY + dt.timedelta(days=rng.randint(-20, 20))

    def some(model):
        return model.objects.order_by("?").first()

    for _step in range(40):
        action = rng.randrange(11)
        if action == 0:
            factories.task(rng.choice(projects), next_follow_up=rng.choice([None, day()]))
        elif action == 1 and (task := some(Task)):
            Task.objects.filter(pk=task.pk).update(next_follow_up=rng.choice([None, day()]))
        elif action == 2 and (task := some(Task)):
            Task.objects.filter(pk=task.pk).update(status=rng.choice(["pending", "done"]))
        elif action == 3 and (task := some(Task)):
            Task.objects.filter(pk=task.pk).update(project=rng.choice(projects))
        elif action == 4 and (task := some(Task)) and not task.dedications.exists():
            task.delete()
        elif action == 5:
            project = rng.choice(projects)
            Project.objects.filter(pk=project.pk).update(status=rng.choice(["active", "closed"]))
        elif action == 6:
            project = rng.choice(projects)
            Project.objects.filter(pk=project.pk).update(client=rng.choice(clients))
        elif action == 7 and (task := some(Task)):
            factories.dedication(task, rng.choice([employee, luis]), date=day())
        elif action == 8 and (dedication := some(Dedication)):
            Dedication.objects.filter(pk=dedication.pk).update(date=day())
        elif action == 9 and (dedication := some(Dedication)):
            Dedication.objects.filter(pk=dedication.pk).update(
                client=rng.choice(clients), employee=rng.choice([employee, luis])
            )
        elif action == 10 and (dedication := some(Dedication)):
            dedication.delete()
        assert_kept_right()


def test_a_bulk_insert_keeps_them_too(employee):
    client = factories.client("BULK")
    project = factories.project(client)
    tasks = Task.objects.bulk_create(
        Task(project=project, title=f"T{i}", next_follow_up=TODAY + dt.timedelta(days=i))
        for i in range(3, 0, -1)
    )
    Dedication.objects.bulk_create(
        Dedication(
            client=client,
            project=project,
            task=tasks[0],
            employee=employee,
            date=TODAY - dt.timedelta(days=i),
            text="x",
            via="api",
        )
        for i in range(3)
    )

    assert kept() == {"BULK": [TODAY + dt.timedelta(days=1), TODAY, employee.pk]}

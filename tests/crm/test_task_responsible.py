"""Who follows each pending follow-up up (Task.responsible), kept on its row by the database
(migration 0014's triggers), stays equal to its definition: the task's assignee while active,
else whoever worked for its client last, and nobody for a task done or without a next
follow-up; after any mix of creates, changes and deletes, through the domain or straight to
the tables."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from hexa.crm import services
from hexa.crm.models import Client, Dedication, Employee, Project, Task
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


def computed(task: Task) -> int | None:
    """Who it is by definition."""
    if task.status != Task.Status.PENDING or task.next_follow_up is None:
        return None
    if task.assigned_to is not None and task.assigned_to.active:
        return task.assigned_to_id
    last = Dedication.objects.filter(client=task.project.client).order_by("-date", "-id").first()
    return last and last.employee_id


def kept() -> dict[str, int | None]:
    return dict(Task.objects.values_list("title", "responsible"))


def assert_kept_right() -> None:
    tasks = Task.objects.select_related("assigned_to", "project__client")
    assert kept() == {task.title: computed(task) for task in tasks}


@pytest.fixture
def luis(db):
    return factories.employee("LUIS")


@pytest.fixture
def project(client_acme) -> Project:
    return factories.project(client_acme, "ACME")


def test_a_done_task_or_one_without_a_follow_up_is_nobodys(employee, project):
    done = factories.task(project, "done", next_follow_up=TODAY)
    later = factories.task(project, "later", next_follow_up=TODAY)
    factories.dedication(done, employee)
    assert kept() == {"done": employee.pk, "later": employee.pk}

    Task.objects.filter(pk=done.pk).update(status="done")
    Task.objects.filter(pk=later.pk).update(next_follow_up=None)
    assert kept() == {"done": None, "later": None}

    Task.objects.filter(pk=done.pk).update(status="pending")
    assert kept() == {"done": employee.pk, "later": None}


def test_an_assigned_task_is_its_assignees(employee, luis, project):
    factories.dedication(factories.task(project, "first", next_follow_up=TODAY), luis)
    task = factories.task(project, "assigned", next_follow_up=TODAY)
    Task.objects.filter(pk=task.pk).update(assigned_to=employee)

    assert kept() == {"first": luis.pk, "assigned": employee.pk}


def test_a_quick_log_by_someone_else_hands_the_unassigned_ones_to_them(employee, luis, project):
    task = factories.task(project, "follow up", next_follow_up=TODAY)
    factories.dedication(task, luis, date=TODAY - dt.timedelta(days=1))
    assert kept() == {"follow up": luis.pk}

    services.quick_log(
        client=project.client,
        employee=employee,
        text="Call",
        date=TODAY,
        recorded_by=None,
        via=Dedication.Via.API,
    )

    assert kept() == {"follow up": employee.pk}


def test_an_archived_assignee_hands_them_back_until_restored(employee, luis, project):
    task = factories.task(project, "assigned", next_follow_up=TODAY)
    factories.dedication(task, employee)
    Task.objects.filter(pk=task.pk).update(assigned_to=luis)
    assert kept() == {"assigned": luis.pk}

    luis.active = False
    luis.save()
    assert kept() == {"assigned": employee.pk}

    Employee.objects.filter(pk=luis.pk).update(active=True)
    assert kept() == {"assigned": luis.pk}


def test_a_change_of_a_dedications_employee_alone_moves_the_clients_follow_ups(
    employee, luis, project
):
    task = factories.task(project, "follow up", next_follow_up=TODAY)
    dedication = factories.dedication(task, employee)

    Dedication.objects.filter(pk=dedication.pk).update(employee=luis)

    assert Client.objects.get(pk=project.client_id).last_worked_by == luis
    assert kept() == {"follow up": luis.pk}


@pytest.mark.parametrize("seed", range(6))
def test_random_changes_keep_it_equal_to_its_definition(employee, luis, seed):
    rng = random.Random(seed)
    people = [employee, luis, factories.employee(f"EVA{seed}")]
    clients = [factories.client(f"C{seed}X{i}") for i in range(3)]
    projects = [factories.project(rng.choice(clients)) for _ in range(4)]
    titles = iter(range(1_000))

    def some(model):
        return model.objects.order_by("?").first()

    def follow_up() -> dt.date | None:
        return rng.choice([None, TODAY + dt.timedelta(days=rng.randint(-5, 5))])

    for _step in range(60):
        action = rng.randrange(12)
        if action == 0:
            task = factories.task(
                rng.choice(projects), f"T{next(titles)}", next_follow_up=follow_up()
            )
            if rng.random() < 0.5:
                Task.objects.filter(pk=task.pk).update(assigned_to=rng.choice(people))
        elif action == 1 and (task := some(Task)):
            Task.objects.filter(pk=task.pk).update(assigned_to=rng.choice([None, *people]))
        elif action == 2 and (task := some(Task)):
            Task.objects.filter(pk=task.pk).update(project=rng.choice(projects))
        elif action == 3 and (task := some(Task)) and not task.dedications.exists():
            task.delete()
        elif action == 4:
            project = rng.choice(projects)
            Project.objects.filter(pk=project.pk).update(client=rng.choice(clients))
        elif action == 5 and (task := some(Task)):
            day = TODAY + dt.timedelta(days=rng.randint(-20, 20))
            factories.dedication(task, rng.choice(people), date=day)
        elif action == 6 and (dedication := some(Dedication)):
            Dedication.objects.filter(pk=dedication.pk).update(employee=rng.choice(people))
        elif action == 7 and (dedication := some(Dedication)):
            Dedication.objects.filter(pk=dedication.pk).update(client=rng.choice(clients))
        elif action == 8 and (dedication := some(Dedication)):
            dedication.delete()
        elif action == 9:
            person = rng.choice(people)
            Employee.objects.filter(pk=person.pk).update(active=not person.active)
            person.refresh_from_db()
        elif action == 10 and (task := some(Task)):
            Task.objects.filter(pk=task.pk).update(next_follow_up=follow_up())
        elif action == 11 and (task := some(Task)):
            Task.objects.filter(pk=task.pk).update(status=rng.choice(["pending", "done"]))
        assert_kept_right()


def test_a_bulk_insert_keeps_it_too(employee, luis):
    client = factories.client("BULK")
    project = factories.project(client)
    factories.dedication(factories.task(project, "first", next_follow_up=TODAY), luis)
    Task.objects.bulk_create(
        [
            Task(project=project, title="mine", assigned_to=employee, next_follow_up=TODAY),
            Task(project=project, title="nobody's", next_follow_up=TODAY),
            Task(project=project, title="no follow-up", assigned_to=employee),
        ]
    )

    assert kept() == {
        "first": luis.pk,
        "mine": employee.pk,
        "nobody's": luis.pk,
        "no follow-up": None,
    }


def test_a_client_without_work_leaves_its_unassigned_follow_ups_with_nobody(project):
    factories.task(project, "new", next_follow_up=TODAY)

    assert kept() == {"new": None}
    assert Client.objects.get().last_worked_by is None

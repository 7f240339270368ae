"""Closing and reopening projects, archiving and restoring clients, deactivating, restoring and
linking employees, and what each does to the quick log, the explorer and the agenda."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hexa.crm import services
from hexa.crm.errors import AmbiguousProject, ClientArchived, Conflict, InvalidInput
from hexa.crm.models import Client, Dedication, Employee, Project, Task
from hexa.crm.services import agenda as agenda_service
from hexa.crm.services import queries
from tests import factories
from tests.conftest import every_row

pytestmark = pytest.mark.django_db


def rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def updates(queries_context) -> list[str]:
    return [q["sql"] for q in queries_context if q["sql"].upper().startswith("UPDATE")]


@pytest.fixture
def project(client_acme) -> Project:
    return factories.project(client_acme, "ACME")


def fresh_project(project: Project) -> Project:
    return services.project_by_code(project.code)


def log(client: Client, employee: Employee, **kwargs) -> services.QuickLogResult:
    kwargs.setdefault("text", "Call")
    kwargs.setdefault("recorded_by", None)
    kwargs.setdefault("via", Dedication.Via.API)
    return services.quick_log(client=client, employee=employee, **kwargs)


# --- Closing a project --------------------------------------------------------------------------


def test_closing_a_project_without_pending_tasks_closes_it(project):
    factories.task(project, status="done")

    services.update_project(fresh_project(project), status="closed")

    assert Project.objects.get().status == "closed"


@pytest.mark.parametrize("kinds", [["task"], ["incident"], ["task", "incident", "task"]])
def test_closing_a_project_with_pending_tasks_asks_to_confirm_and_writes_nothing(project, kinds):
    for kind in kinds:
        factories.task(project, kind=kind)
    factories.task(project, status="done")  # not counted
    before = every_row()

    with pytest.raises(Conflict) as raised:
        services.update_project(fresh_project(project), status="closed", name="Renamed")

    assert raised.value.code == "pending_tasks"
    assert raised.value.details == {"pending": len(kinds)}
    assert "ACME" in raised.value.message
    assert str(len(kinds)) in raised.value.message
    assert every_row() == before


def test_confirmed_close_closes_it_and_leaves_its_tasks_as_they_were(project):
    task = factories.task(project, next_follow_up=dt.date(2030, 1, 1))

    services.update_project(fresh_project(project), status="closed", confirm=True)

    assert Project.objects.get().status == "closed"
    task.refresh_from_db()
    assert (task.status, task.next_follow_up) == ("pending", dt.date(2030, 1, 1))


def test_confirming_after_the_refusal_closes_the_project(project):
    factories.task(project)
    with pytest.raises(Conflict):
        services.update_project(fresh_project(project), status="closed")

    services.update_project(fresh_project(project), status="closed", confirm=True)

    assert Project.objects.get().status == "closed"


def test_confirming_with_the_same_object_closes_the_project(project):
    factories.task(project)
    same = fresh_project(project)
    with pytest.raises(Conflict):
        services.update_project(same, status="closed")

    services.update_project(same, status="closed", confirm=True)

    assert Project.objects.get().status == "closed"


def test_closing_a_closed_project_again_changes_nothing_and_asks_nothing(client_acme):
    closed = factories.project(client_acme, "OLD", status="closed")
    factories.task(closed)  # pending: it would have asked the first time
    before = every_row()

    with CaptureQueriesContext(connection) as captured:
        services.update_project(fresh_project(closed), status="closed")

    assert not updates(captured)
    assert every_row() == before


def test_a_project_of_an_archived_client_may_be_closed(project, client_acme):
    services.update_client(client_acme, active=False)

    services.update_project(fresh_project(project), status="closed")

    assert Project.objects.get().status == "closed"


def test_tasks_of_a_closed_project_leave_the_agenda(project, today):
    factories.task(project, next_follow_up=today)

    services.update_project(fresh_project(project), status="closed", confirm=True)

    assert list(agenda_service.follow_ups()) == []


def test_tasks_of_a_closed_project_are_never_used_by_the_quick_log(project, client_acme, employee):
    old_task = factories.task(project, "Old follow-up")
    services.update_project(fresh_project(project), status="closed", confirm=True)

    result = log(client_acme, employee)

    assert result.project_created and result.task_created
    assert result.project.code == "ACME-2"
    assert result.task != old_task
    assert not Dedication.objects.filter(task=old_task).exists()


def test_after_closing_one_of_two_projects_the_quick_log_uses_the_other(client_acme, employee):
    factories.project(client_acme, "WEB")
    shop = factories.project(client_acme, "SHOP")
    with pytest.raises(AmbiguousProject):
        log(client_acme, employee)

    services.update_project(services.project_by_code("WEB"), status="closed")

    assert log(client_acme, employee).project == shop


def test_no_new_work_goes_to_a_closed_project(project, employee):
    services.update_project(fresh_project(project), status="closed")
    closed = fresh_project(project)

    with pytest.raises(Conflict):
        services.create_task(project=closed, title="New")
    with pytest.raises(Conflict):
        services.record_dedication(
            project=closed, employee=employee, text="Work", recorded_by=None, via="web"
        )
    assert not Task.objects.exists()
    assert not Dedication.objects.exists()


# --- Reopening a project ------------------------------------------------------------------------


def test_reopening_a_project_brings_its_tasks_back(project, client_acme, employee, today):
    task = factories.task(project, next_follow_up=today)
    services.update_project(fresh_project(project), status="closed", confirm=True)

    services.update_project(fresh_project(project), status="active")

    assert Project.objects.get().status == "active"
    assert list(agenda_service.follow_ups()) == [task]
    assert log(client_acme, employee).task == task


def test_reopening_an_active_project_changes_nothing(project):
    before = every_row()

    services.update_project(fresh_project(project), status="active")

    assert every_row() == before


def test_reopening_a_project_of_an_archived_client_is_refused_and_writes_nothing(client_acme):
    closed = factories.project(client_acme, "OLD", status="closed")
    services.update_client(client_acme, active=False)
    before = every_row()

    with pytest.raises(ClientArchived) as raised:
        services.update_project(fresh_project(closed), status="active")

    assert raised.value.code == "client_archived"
    assert every_row() == before


# --- Editing a project: bad input ---------------------------------------------------------------


def test_edit_name_and_kind(project):
    services.update_project(fresh_project(project), name="  Web shop ", kind="production")

    row = Project.objects.get()
    assert (row.name, row.kind) == ("Web shop", "production")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"kind": "charity"}, "kind"),
        ({"status": "archived"}, "status"),
        ({"code": "NEW"}, "code"),
        ({"client": None}, "client"),
        ({"created_at": None}, "created_at"),
    ],
)
def test_bad_project_changes_are_refused_and_write_nothing(project, changes, field):
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.update_project(fresh_project(project), **changes)

    assert list(raised.value.fields) == [field]
    assert every_row() == before


def test_a_project_cannot_move_to_another_client(project):
    other = factories.client("OTHER")
    before = every_row()

    with pytest.raises(InvalidInput):
        services.update_project(fresh_project(project), client=other)

    assert every_row() == before


# --- Archiving and restoring clients ------------------------------------------------------------


def test_archive_and_restore_a_client(client_acme):
    services.update_client(client_acme, active=False)
    assert not Client.objects.get().active

    services.update_client(Client.objects.get(), active=True)
    assert Client.objects.get().active


def test_archived_clients_leave_the_explorer(client_acme):
    factories.client("BETA")

    services.update_client(client_acme, active=False)

    assert [c.code for c in queries.explore_clients()] == ["BETA"]
    assert [c.code for c in queries.search_clients("acme")] == []
    assert [c.code for c in queries.explore_clients(include_archived=True)] == ["ACME", "BETA"]


def test_restored_clients_come_back_to_the_explorer(client_acme):
    services.update_client(client_acme, active=False)

    services.update_client(Client.objects.get(), active=True)

    assert [c.code for c in queries.explore_clients()] == ["ACME"]


def test_archived_clients_refuse_quick_logs_and_new_work(client_acme, project, employee, today):
    task = factories.task(project, status="done")
    services.update_client(client_acme, active=False)
    archived = Client.objects.get()
    before = every_row()

    with pytest.raises(ClientArchived):
        log(archived, employee)
    with pytest.raises(ClientArchived):
        services.create_client_task(client=archived, title="New")
    with pytest.raises(ClientArchived):
        services.create_task(project=fresh_project(project), title="New")
    with pytest.raises(ClientArchived):
        services.create_project(code="NEW", name="New", client=archived)
    with pytest.raises(ClientArchived):
        services.record_dedication(
            project=fresh_project(project), employee=employee, text="W", recorded_by=None, via="web"
        )
    with pytest.raises(ClientArchived):
        services.reopen_task(services.task_by_id(task.pk))

    assert every_row() == before


def test_tasks_of_archived_clients_leave_the_agenda_and_come_back_on_restore(
    client_acme, project, today
):
    task = factories.task(project, next_follow_up=today)

    services.update_client(client_acme, active=False)
    assert list(agenda_service.follow_ups()) == []

    services.update_client(Client.objects.get(), active=True)
    assert list(agenda_service.follow_ups()) == [task]


def test_restored_client_takes_quick_logs_again(client_acme, project, employee):
    services.update_client(client_acme, active=False)
    services.update_client(Client.objects.get(), active=True)

    result = log(Client.objects.get(), employee)

    assert result.project == project
    assert Dedication.objects.count() == 1


def test_archiving_keeps_projects_tasks_and_dedications(client_acme, project, employee):
    task = factories.task(project)
    factories.dedication(task, employee)
    before = (rows(Project), rows(Task), rows(Dedication))

    services.update_client(client_acme, active=False)

    assert (rows(Project), rows(Task), rows(Dedication)) == before


@pytest.mark.parametrize("field", ["code", "created_at", "colour"])
def test_client_changes_to_unknown_fields_are_refused(client_acme, field):
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.update_client(client_acme, **{field: "X"})

    assert list(raised.value.fields) == [field]
    assert every_row() == before


# --- Employees: deactivate, restore, link -------------------------------------------------------


def test_deactivated_employee_takes_no_new_work_but_keeps_the_old(
    employee, manager, client_acme, project
):
    old = factories.dedication(factories.task(project), employee)

    services.update_employee(employee, active=False, by=manager)
    gone = Employee.objects.get()

    assert not gone.active
    assert Dedication.objects.get() == old
    with pytest.raises(InvalidInput):
        log(client_acme, gone)
    with pytest.raises(InvalidInput):
        services.record_dedication(
            project=project, employee=gone, text="W", recorded_by=None, via="web"
        )
    with pytest.raises(InvalidInput):
        services.create_task(project=project, title="T", assigned_to=gone)
    assert Dedication.objects.count() == 1


def test_restored_employee_works_again(employee, manager, client_acme):
    services.update_employee(employee, active=False, by=manager)

    services.update_employee(Employee.objects.get(), active=True, by=manager)

    assert log(client_acme, Employee.objects.get()).dedication.employee == employee


def test_link_an_employee_to_a_login_user_and_unlink_it(employee, manager, user):
    services.update_employee(employee, user=user, by=manager)
    assert Employee.objects.get().user == user

    services.update_employee(Employee.objects.get(), user=None, by=manager)
    assert Employee.objects.get().user is None


def test_relinking_the_same_user_changes_nothing(employee, manager, user):
    services.update_employee(employee, user=user, by=manager)
    before = every_row()

    services.update_employee(Employee.objects.get(), user=user, by=manager)

    assert every_row() == before


def test_a_login_user_is_linked_to_one_employee_at_most(employee, manager, user):
    services.update_employee(employee, user=user, by=manager)
    luis = factories.employee("LUIS")
    before = every_row()

    with pytest.raises(Conflict) as raised:
        services.update_employee(luis, user=user, by=manager)

    assert raised.value.code == "already_exists"
    assert raised.value.details == {"field": "user"}
    assert "Ana" in raised.value.message
    assert every_row() == before


def test_a_new_employee_with_a_user_already_linked_is_refused_on_the_user(employee, manager, user):
    services.update_employee(employee, user=user, by=manager)
    before = every_row()

    with pytest.raises(Conflict) as raised:
        services.create_employee(code="LUIS", name="Luis", user=user, by=manager)

    assert raised.value.details == {"field": "user"}
    assert every_row() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "NEW"}, "code"),
        ({"name": ""}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_employee_changes_are_refused_and_write_nothing(employee, manager, changes, field):
    before = every_row()

    with pytest.raises(InvalidInput) as raised:
        services.update_employee(employee, by=manager, **changes)

    assert list(raised.value.fields) == [field]
    assert every_row() == before


def test_new_employee_code_taken_is_a_conflict_on_the_code(employee, manager):
    before = every_row()

    with pytest.raises(Conflict) as raised:
        services.create_employee(code="ana", name="Another Ana", by=manager)

    assert raised.value.details == {"field": "code"}
    assert every_row() == before

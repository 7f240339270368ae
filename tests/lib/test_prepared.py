"""Statements compiled once (hexa.lib.prepared) give what the ORM gives, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hexa.crm.models import Client, Dedication, Project, Task
from hexa.lib.prepared import PreparedInsert, PreparedSelect, PreparedUpdate
from tests import factories

pytestmark = pytest.mark.django_db

pending_of = PreparedSelect(
    lambda project: Task.objects.filter(project_id=project, status="pending").order_by("id"),
    project=int,
)
codes_between = PreparedSelect(
    lambda low, high: (
        Project.objects.filter(code__gt=low, code__lt=high)
        .order_by("code")
        .values_list("code", "status")
    ),
    low=str,
    high=str,
)


def as_dict(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.mark.usefixtures("sql_modes")
def test_select_returns_what_the_orm_returns(employee):
    project = factories.project(factories.client("ACME"), "ACME")
    tasks = [
        factories.task(project, "One", next_follow_up=dt.date(2030, 1, 2)),
        factories.task(project, "Two"),
        factories.task(project, "Done", status="done"),
    ]

    prepared = pending_of(project=project.pk)

    assert [as_dict(t) for t in prepared] == [
        as_dict(t) for t in Task.objects.filter(pk__in=[tasks[0].pk, tasks[1].pk]).order_by("id")
    ]
    assert prepared[0].created_at.tzinfo is not None  # converted as the ORM converts
    assert prepared[0].next_follow_up == dt.date(2030, 1, 2)
    assert prepared[0]._state.adding is False


@pytest.mark.usefixtures("sql_modes")
def test_values_list_rows_and_text_parameters():
    client = factories.client("ACME")
    for code in ("ACME", "ACME-2", "ACME-10", "ACMEX", "ACM"):
        factories.project(client, code)

    assert codes_between(low="ACME-", high="ACME.") == [("ACME-10", "active"), ("ACME-2", "active")]
    assert codes_between(low="B", high="C") == []


@pytest.mark.usefixtures("sql_modes")
def test_booleans_are_converted():
    factories.client("ON")
    factories.client("OFF", active=False)
    active = PreparedSelect(
        lambda pk: Client.objects.filter(pk__gte=pk).order_by("code").values_list("active"),
        pk=int,
    )

    assert active(pk=0) == [(False,), (True,)]


@pytest.mark.usefixtures("sql_modes")
def test_parameters_must_have_their_type():
    with pytest.raises(TypeError):
        pending_of(project="1")


@pytest.mark.usefixtures("sql_modes")
def test_a_parameter_on_a_32_bit_column():
    """auth_user's id is an `integer` on PostgreSQL: a stand-in value out of its range would
    compile into a query that matches nothing (the API's token lookup did, once)."""
    user_by_id = PreparedSelect(lambda user: User.objects.filter(pk=user), user=int)
    ana = factories.user("ana")
    assert user_by_id(user=ana.pk) == [ana]
    assert user_by_id(user=ana.pk + 1) == []


def test_a_parameter_the_query_does_not_use_is_an_error():
    unused = PreparedSelect(lambda project: Task.objects.all(), project=int)
    with pytest.raises(ValueError, match="project"):
        unused(project=1)


def test_select_related_is_refused():
    related = PreparedSelect(
        lambda pk: Task.objects.select_related("project").filter(pk=pk), pk=int
    )
    with pytest.raises(ValueError, match="select_related"):
        related(pk=1)


@pytest.mark.usefixtures("sql_modes")
@pytest.mark.django_db(transaction=True)
def test_locking_select_needs_a_transaction():
    client = factories.client("ACME")
    lock = PreparedSelect(lambda pk: Client.objects.select_for_update().filter(pk=pk), pk=int)

    with transaction.atomic():
        assert lock(pk=client.pk)[0] == client
    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            lock(pk=client.pk)


def test_statements_are_seen_by_query_capture():
    project = factories.project(factories.client("ACME"), "ACME")
    pending_of(project=project.pk)

    with CaptureQueriesContext(connection) as captured:
        pending_of(project=project.pk)

    assert len(captured) == 1
    assert "crm_task" in captured[0]["sql"]


@pytest.mark.usefixtures("sql_modes")
def test_insert_stores_what_save_stores_and_sets_the_key(employee):
    task = factories.task(factories.project(factories.client("ACME"), "ACME"))
    moment = timezone.now().replace(microsecond=123456)
    fields = {
        "client": task.project.client,
        "project": task.project,
        "task": task,
        "employee": employee,
        "date": dt.date(2026, 1, 31),
        "text": "Ñandú 🦤",
        "minutes": 90,
        "recorded_at": moment,
        "via": "api",
    }
    inserted = Dedication(**fields)
    saved = Dedication.objects.create(**fields)

    PreparedInsert(Dedication)(inserted)

    assert inserted.pk and inserted.pk != saved.pk
    assert inserted._state.adding is False
    stored = Dedication.objects.get(pk=inserted.pk)
    assert {**as_dict(stored), "id": None} == {**as_dict(saved), "id": None}
    assert stored.recorded_at == moment


@pytest.mark.usefixtures("sql_modes")
def test_update_sets_and_clears_one_field():
    task = factories.task(factories.project(factories.client("ACME"), "ACME"))
    other = factories.task(task.project, next_follow_up=dt.date(2030, 5, 5))
    update = PreparedUpdate(Task, "next_follow_up", sample=dt.date(1, 2, 3))

    assert update(task.pk, dt.date(2031, 1, 1)) == 1
    task.refresh_from_db()
    assert task.next_follow_up == dt.date(2031, 1, 1)
    assert update(task.pk, None) == 1
    task.refresh_from_db()
    assert task.next_follow_up is None
    other.refresh_from_db()
    assert other.next_follow_up == dt.date(2030, 5, 5)
    assert update(999_999_999, None) == 0


def test_without_compiling_every_statement_goes_through_the_orm(settings, employee):
    settings.HEXA_PREPARED_SQL = False
    project = factories.project(factories.client("ACME"), "ACME")
    select = PreparedSelect(lambda project: Task.objects.filter(project_id=project), project=int)
    insert = PreparedInsert(Task)
    update = PreparedUpdate(Task, "next_follow_up", sample=dt.date(1, 2, 3))

    task = Task(project=project, title="Nueva", created_at=timezone.now())
    insert(task)
    assert update(task.pk, dt.date(2031, 1, 1)) == 1
    assert select(project=project.pk) == [task]

    # Nothing was compiled: a Django upgrade that breaks hexa.lib.prepared has a way out.
    assert select._compiled == {} and insert._compiled == {} and update._compiled == {}
    assert Task.objects.get(pk=task.pk).next_follow_up == dt.date(2031, 1, 1)

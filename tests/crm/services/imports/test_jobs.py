"""Importing (hexa/crm/services/imports/jobs.py): a plan kept as a job, confirmed, cancelled
and forgotten, and who may import."""

from __future__ import annotations

import pytest

from hexa.crm.errors import Conflict, Forbidden, NotFound
from hexa.crm.models import Client, Employee, ImportJob, ImportRow
from hexa.crm.services import imports
from hexa.crm.services.imports import jobs, plan_import
from hexa.crm.services.permissions import SYSTEM
from tests import factories
from tests.crm.services.imports.conftest import MIXED, imported, plan_clients
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db


def test_planning_and_keeping_a_plan_write_no_client(acme):
    before = list(Client.objects.values_list("code", "name", "email").order_by("code"))

    plan = plan_clients(MIXED)
    job = imports.save_plan(plan, by=SYSTEM)

    assert list(Client.objects.values_list("code", "name", "email").order_by("code")) == before
    assert (job.status, job.rows, job.to_create, job.to_update, job.unchanged, job.wrong) == (
        "planned",
        4,
        1,
        1,
        0,
        2,
    )
    rows = {row.number: row for row in ImportRow.objects.filter(job=job)}
    assert rows[4].reasons == [["email", "Enter a valid email address."]]
    assert rows[5].reasons == [["name", "This field cannot be blank."]]


def test_a_plan_is_not_applied_before_it_is_confirmed(acme):
    job = imports.save_plan(plan_clients(MIXED), by=SYSTEM)

    job = imports.apply_next_chunk(job, by=SYSTEM)

    assert job.status == "planned"
    assert not Client.objects.filter(code="NEW").exists()


def test_confirming_twice_is_harmless_and_a_confirmed_plan_cannot_be_cancelled(acme):
    job = imports.save_plan(plan_clients(MIXED), by=SYSTEM)

    imports.confirm_import(job, by=SYSTEM)
    imports.confirm_import(job, by=SYSTEM)

    with pytest.raises(Conflict):
        imports.cancel_import(job, by=SYSTEM)
    assert ImportJob.objects.get(pk=job.pk).status == "applying"


def test_cancelling_a_plan_forgets_it(acme):
    job = imports.save_plan(plan_clients(MIXED), by=SYSTEM)

    imports.cancel_import(job, by=SYSTEM)

    assert not ImportJob.objects.exists()
    assert not ImportRow.objects.exists()


def test_old_imports_are_forgotten_when_a_new_one_is_kept(acme):
    import datetime as dt

    from django.utils import timezone

    old = imports.save_plan(plan_clients(MIXED), by=SYSTEM)
    ImportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=jobs.KEEP_DAYS + 1)
    )

    new = imports.save_plan(plan_clients(MIXED), by=SYSTEM)

    assert list(ImportJob.objects.values_list("pk", flat=True)) == [new.pk]
    assert set(ImportRow.objects.values_list("job", flat=True)) == {new.pk}


# --- Who may import -----------------------------------------------------------------------------


def test_everyone_signed_in_imports_clients_and_sees_only_their_imports(manager):
    ana, bea = factories.user("ana"), factories.user("bea")
    job = imported(csv_bytes([["Código", "Nombre"], ["UNO", "Uno"]]), by=ana)

    assert imports.import_by_id(job.pk, by=ana) == job
    assert imports.import_by_id(job.pk, by=manager) == job
    with pytest.raises(NotFound):
        imports.import_by_id(job.pk, by=bea)
    assert list(imports.recent_imports(by=bea)) == []
    assert job.created_by == ana
    assert Client.objects.filter(code="UNO").exists()


def test_only_managers_import_employees():
    ana = factories.user("ana")

    with pytest.raises(Forbidden):
        plan_import(csv_bytes([["Código", "Nombre"], ["X", "X"]]), kind="employees", by=ana)
    assert not Employee.objects.exists()


@pytest.mark.parametrize("who", [None, "inactive"])
def test_nobody_and_inactive_users_import_nothing(who):
    user = factories.user("gone", is_active=False) if who else None

    with pytest.raises(Forbidden):
        plan_import(csv_bytes([["Código", "Nombre"], ["X", "X"]]), kind="clients", by=user)


def test_an_employees_import_confirmed_by_someone_no_longer_a_manager_stops(manager):
    job = imports.save_plan(
        plan_import(csv_bytes([["Código", "Nombre"], ["X", "X"]]), kind="employees", by=manager),
        by=manager,
    )
    imports.confirm_import(job, by=manager)
    manager.groups.clear()
    manager = type(manager).objects.get(pk=manager.pk)  # forget the cached answer

    with pytest.raises(Forbidden):
        imports.apply_next_chunk(job, by=manager)
    assert not Employee.objects.exists()

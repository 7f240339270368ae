"""The demo data shows every quick-log rule, with follow-ups overdue, today and coming."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from hexa.crm import services
from hexa.crm.demo import load_demo
from hexa.crm.models import Client, Employee, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, today):
    load_demo(today=today)


def plan(code: str) -> services.QuickLogPlan:
    return services.plan_quick_log(client=Client.objects.get(code=code))


def test_demo_clients_show_each_project_rule(demo):
    assert plan("PANRIVERA").project is None  # none: one will be created
    assert plan("CLINICASOL").project.code == "WEB-CLINICASOL"  # the only one
    assert plan("HOTELMAR").project.code == "HOTELMAR"  # several, one with its code
    assert plan("BODEGAS").needs_choice  # several, none with its code
    assert plan("TALLERGIL").project is None  # its code is taken by a closed project
    assert plan("REFORMAS").project is None  # its code is another client's project


def test_demo_tasks_show_each_task_rule(demo):
    assert plan("PRIETO").task.title == "Visita a obra"  # the most recent of three
    assert plan("FLORES").task is None  # only an incident and a done task


def test_demo_has_follow_ups_overdue_today_and_coming(demo, today):
    dates = set(
        Task.objects.filter(status="pending", next_follow_up__isnull=False).values_list(
            "next_follow_up", flat=True
        )
    )
    assert min(dates) < today and today in dates and max(dates) > today + dt.timedelta(days=7)


def test_demo_login_is_linked_to_an_employee_and_some_are_archived(demo):
    user = authenticate(username="demo", password="demo")
    assert user is not None and user.employee.code == "LAURA"
    assert not Client.objects.get(code="INFORMAT").active
    assert not Employee.objects.get(code="PABLO").active


def test_demo_command_loads_once(db, capsys):
    call_command("demo")
    counts = Client.objects.count(), Task.objects.count()
    call_command("demo")

    assert (Client.objects.count(), Task.objects.count()) == counts
    assert "already has" in capsys.readouterr().out

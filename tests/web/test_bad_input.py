# ruff: noqa: RUF001  (digits of other scripts are the bad input under test)
"""Bad input on the web pages: a clear message on the field at fault, never a server error,
and nothing written. Dates outside Hexa's range, digits of other scripts, bodies over the
size limit, far follow-ups already stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from hexa.crm.models import Dedication
from hexa.crm.services import agenda
from hexa.crm.services.validation import EARLIEST_DAY, latest_follow_up
from tests import factories
from tests.conftest import every_row
from tests.web.conftest import form_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(ana):
    acme = factories.client("ACME", name="Acme Industrial")
    task = factories.task(factories.project(acme, "ACME"), "Seguimiento")
    factories.dedication(task, ana.employee, minutes=30)
    return task


def log_form(web, **changes) -> dict[str, str]:
    page = web.get(reverse("web:quick-log", args=["ACME"]))
    return {**form_of(page), "text": "Called", "minutes": "", **changes}


def field_errors(response, field: str) -> list[str]:
    form = response.context["form"]
    return form.errors.get(field, [])


@pytest.mark.parametrize("value", ["²", "٣", "３", "99999999999999999999999", "-1", "1e3"])
def test_the_quick_log_page_takes_any_task_in_its_address(web, task, value):
    response = web.get(reverse("web:quick-log", args=["ACME"]), {"task": value})

    # Not a task id: the form opens on what the quick log would use, as without `task`.
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["task"] == task.pk
    assert form.notices == []


def far(label: str) -> str:
    today = timezone.localdate()
    return {
        "9999": "31/12/9999",
        "0001": "01/01/0001",
        "before": (EARLIEST_DAY - dt.timedelta(days=1)).strftime("%d/%m/%Y"),
        "after": (latest_follow_up(today) + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
        "arabic": "٠١/٠١/٢٠٢٦",
        "wide": "２０２６-０１-０１",
    }[label]


@pytest.mark.parametrize("label", ["9999", "0001", "before", "after", "arabic", "wide"])
def test_quick_log_follow_ups_outside_the_range_are_refused_on_the_field(web, task, label):
    data = log_form(web, next_follow_up=far(label))
    before = every_row()

    response = web.post(reverse("web:quick-log", args=["ACME"]), data)

    assert response.status_code == 200
    assert field_errors(response, "next_follow_up"), response.context["form"].errors
    assert every_row() == before


@pytest.mark.parametrize("label", ["0001", "before", "arabic", "wide"])
def test_quick_log_dates_outside_the_range_are_refused_on_the_field(web, task, label):
    data = log_form(web, date=far(label), next_follow_up="")
    before = every_row()

    response = web.post(reverse("web:quick-log", args=["ACME"]), data)

    assert response.status_code == 200
    assert field_errors(response, "date"), response.context["form"].errors
    assert every_row() == before


@pytest.mark.parametrize("minutes", ["٣٠", "３０", "²", "1h٣٠"])
def test_quick_log_minutes_in_other_digits_are_refused(web, task, minutes):
    data = log_form(web, minutes=minutes)
    before = every_row()

    response = web.post(reverse("web:quick-log", args=["ACME"]), data)

    assert response.status_code == 200
    assert field_errors(response, "minutes")
    assert every_row() == before


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [("0,5", 30), ("2 horas", 120), ("2 hours", 120), ("30 min", 30), ("1,5h", 90)],
)
def test_quick_log_takes_time_as_people_write_it(web, task, minutes, expected):
    response = web.post(reverse("web:quick-log", args=["ACME"]), log_form(web, minutes=minutes))

    assert response.status_code in (200, 302)
    assert Dedication.objects.latest("pk").minutes == expected


@pytest.mark.parametrize("label", ["9999", "0001", "before", "after", "arabic"])
def test_task_edit_refuses_follow_ups_outside_the_range(web, task, label):
    url = reverse("web:task-edit", args=[task.pk])
    data = {"kind": "task", "title": "Seguimiento", "priority": "normal"}
    before = every_row()

    response = web.post(url, {**data, "next_follow_up": far(label)})

    assert response.status_code == 200
    assert field_errors(response, "next_follow_up"), response.context["form"].errors
    assert every_row() == before


@pytest.mark.parametrize(
    "data",
    [{"to": "31/12/9999"}, {"to": "01/01/0001"}, {"days": "٣"}, {"days": "99999999999"}],
)
def test_reschedule_refuses_far_dates_and_other_digits(web, task, data):
    before = every_row()

    response = web.post(reverse("web:task-reschedule", args=[task.pk]), data)

    assert response.status_code < 500
    assert every_row() == before


@pytest.mark.parametrize("label", ["0001", "before", "wide"])
def test_dedication_change_refuses_dates_outside_the_range(web, task, label):
    dedication = Dedication.objects.get()
    data = {"text": "Changed", "employee": dedication.employee_id, "minutes": "30"}
    before = every_row()

    response = web.post(
        reverse("web:dedication-edit", args=[dedication.pk]), {**data, "date": far(label)}
    )

    assert response.status_code == 200
    assert field_errors(response, "date"), response.context["form"].errors
    assert every_row() == before


def test_a_far_follow_up_already_stored_keeps_the_calendar_and_reschedule_working(web, task, ana):
    task.assigned_to = ana.employee
    task.next_follow_up = dt.date.max
    task.save()
    secret = agenda.new_calendar_feed(ana)

    feed = web.get(f"/calendar/{secret}.ics")
    put_off = web.post(reverse("web:task-reschedule", args=[task.pk]), {"days": "1"})
    agenda_page = web.get(reverse("web:agenda"))

    assert feed.status_code == 200
    assert b"DTSTART;VALUE=DATE:99991231" in feed.content
    assert put_off.status_code < 500
    assert agenda_page.status_code == 200
    task.refresh_from_db()
    assert task.next_follow_up == dt.date.max


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_form_over_the_size_limit_is_a_413(web, task):
    data = log_form(web, text="x" * 2000)
    before = every_row()

    response = web.post(reverse("web:quick-log", args=["ACME"]), data)

    assert response.status_code == 413
    assert b"too large" in response.content
    assert every_row() == before

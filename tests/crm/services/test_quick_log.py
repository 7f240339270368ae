"""The quick-log rules of DESIGN.md, one by one, through the domain function."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone, translation

from hexa.crm import services
from hexa.crm.errors import (
    AmbiguousProject,
    ClientArchived,
    IdempotencyConflict,
    InvalidInput,
    NotFound,
)
from hexa.crm.models import Client, Dedication, Employee, IdempotencyKey, Project, Task
from hexa.crm.services import totals
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sql_modes")]


def log(client: Client, employee, **kwargs) -> services.QuickLogResult:
    kwargs.setdefault("text", "Called about the invoice")
    kwargs.setdefault("recorded_by", None)
    kwargs.setdefault("via", Dedication.Via.API)
    return services.quick_log(client=client, employee=employee, **kwargs)


def written() -> tuple[int, int, int]:
    return Project.objects.count(), Task.objects.count(), Dedication.objects.count()


# --- 1. Project ---------------------------------------------------------------------------------


def test_no_active_project_creates_one_with_the_client_code(client_acme, employee):
    result = log(client_acme, employee)

    project = Project.objects.get()
    assert result.project_created
    assert (project.code, project.name, project.client, project.kind, project.status) == (
        "ACME",
        "Acme S.L.",
        client_acme,
        "commercial",
        "active",
    )


def test_code_taken_by_a_closed_project_uses_the_next_free_suffix(client_acme, employee):
    factories.project(client_acme, "ACME", status="closed")
    factories.project(client_acme, "ACME-2", status="closed")

    result = log(client_acme, employee)

    assert result.project_created
    assert result.project.code == "ACME-3"


def test_code_taken_by_another_clients_project_uses_a_suffix(client_acme, employee):
    other = factories.client("OTHER")
    factories.project(other, "ACME")

    result = log(client_acme, employee)

    assert result.project.code == "ACME-2"
    assert result.project.client == client_acme


def test_suffix_fills_the_first_gap(client_acme, employee):
    factories.project(client_acme, "ACME", status="closed")
    factories.project(factories.client("X"), "ACME-3")

    assert log(client_acme, employee).project.code == "ACME-2"


def test_closed_projects_are_never_used(client_acme, employee):
    closed = factories.project(client_acme, "OLD", status="closed")
    factories.task(closed)

    result = log(client_acme, employee)

    assert result.project_created
    assert result.project != closed


def test_single_active_project_is_used_whatever_its_code(client_acme, employee):
    only = factories.project(client_acme, "WEB")

    result = log(client_acme, employee)

    assert result.project == only
    assert not result.project_created
    assert Project.objects.count() == 1


def test_several_active_projects_use_the_one_with_the_client_code(client_acme, employee):
    factories.project(client_acme, "A-WEB")
    own = factories.project(client_acme, "ACME")
    factories.project(client_acme, "Z-SHOP")

    assert log(client_acme, employee).project == own


def test_several_active_projects_without_the_client_code_are_ambiguous(client_acme, employee):
    web = factories.project(client_acme, "WEB")
    shop = factories.project(client_acme, "SHOP")
    before = written()

    with pytest.raises(AmbiguousProject) as raised:
        log(client_acme, employee)

    assert {p.code for p in raised.value.candidates} == {web.code, shop.code}
    assert raised.value.code == "ambiguous_project"
    assert written() == before


def test_ambiguous_case_is_resolved_by_an_explicit_choice(client_acme, employee):
    factories.project(client_acme, "WEB")
    shop = factories.project(client_acme, "SHOP")

    result = log(client_acme, employee, project=shop)

    assert result.project == shop
    assert result.dedication.project == shop


def test_explicit_project_wins_over_the_one_with_the_client_code(client_acme, employee):
    factories.project(client_acme, "ACME")
    web = factories.project(client_acme, "WEB")

    assert log(client_acme, employee, project=web).project == web


@pytest.mark.parametrize("state", ["closed", "other client"])
def test_explicit_project_that_is_not_an_active_project_of_the_client_is_refused(
    client_acme, employee, state
):
    factories.project(client_acme, "ACME")
    if state == "closed":
        named = factories.project(client_acme, "OLD", status="closed")
    else:
        named = factories.project(factories.client("OTHER"), "THEIRS")
    before = written()

    with pytest.raises(InvalidInput) as raised:
        log(client_acme, employee, project=named)

    assert list(raised.value.fields) == ["project"]
    assert named.code in raised.value.fields["project"][0]
    assert written() == before


def test_explicit_project_on_a_client_without_projects_is_refused(client_acme, employee):
    theirs = factories.project(factories.client("OTHER"), "THEIRS")

    with pytest.raises(InvalidInput):
        log(client_acme, employee, project=theirs)
    assert not Project.objects.filter(client=client_acme).exists()


# --- 2. Task ------------------------------------------------------------------------------------


def test_project_without_pending_tasks_gets_a_follow_up_task(client_acme, employee):
    project = factories.project(client_acme, "ACME")
    factories.task(project, "Finished", status="done")

    result = log(client_acme, employee)

    assert result.task_created
    assert result.task.project == project
    assert result.task.kind == "task"
    assert result.task.status == "pending"


@pytest.mark.parametrize(("business", "title"), [("es", "Seguimiento"), ("en-gb", "Follow-up")])
def test_created_task_title_is_in_the_business_language_whoever_logs(
    client_acme, employee, settings, business, title
):
    settings.LANGUAGE_CODE = business
    other = factories.client("BETA")
    with translation.override("en-gb"):
        english = log(client_acme, employee).task.title
    with translation.override("es"):
        spanish = log(other, employee).task.title

    assert english == spanish == title


@override_settings(HEXA_FOLLOW_UP_TASK_TITLE="Gestión comercial")
def test_created_task_title_comes_from_the_setting(client_acme, employee):
    assert log(client_acme, employee).task.title == "Gestión comercial"


def test_incidents_are_never_used_as_the_task(client_acme, employee):
    project = factories.project(client_acme, "ACME")
    incident = factories.task(project, "Printer broken", kind="incident")

    result = log(client_acme, employee)

    assert result.task_created
    assert result.task != incident
    assert result.dedication.task != incident


def test_most_recent_pending_task_is_the_latest_created(client_acme, employee):
    project = factories.project(client_acme, "ACME")
    now = timezone.now()
    factories.task(project, "Old", created_at=now - dt.timedelta(days=3))
    newest = factories.task(project, "New", created_at=now - dt.timedelta(days=1))
    factories.task(project, "Older", created_at=now - dt.timedelta(days=9))
    factories.task(project, "Newer but done", status="done", created_at=now)
    factories.task(project, "Newer incident", kind="incident", created_at=now)

    result = log(client_acme, employee)

    assert result.task == newest
    assert not result.task_created


def test_same_creation_time_is_broken_by_the_highest_id(client_acme, employee):
    project = factories.project(client_acme, "ACME")
    moment = timezone.now() - dt.timedelta(hours=1)
    factories.task(project, "First", created_at=moment)
    second = factories.task(project, "Second", created_at=moment)

    assert log(client_acme, employee).task == second


def test_creation_time_beats_id(client_acme, employee):
    project = factories.project(client_acme, "ACME")
    now = timezone.now()
    later = factories.task(project, "Created later, lower id", created_at=now)
    factories.task(project, "Created earlier, higher id", created_at=now - dt.timedelta(days=1))

    assert log(client_acme, employee).task == later


def test_tasks_of_other_projects_are_not_used(client_acme, employee):
    own = factories.project(client_acme, "ACME")
    web = factories.project(client_acme, "WEB")
    factories.task(web, "On the other project")

    result = log(client_acme, employee)

    assert result.project == own
    assert result.task_created


# --- 3. Dedication ------------------------------------------------------------------------------


def test_dedication_is_recorded_on_client_project_and_task(client_acme, employee, user, today):
    result = log(
        client_acme,
        employee,
        text="  Visit to the warehouse  ",
        minutes=90,
        date=today - dt.timedelta(days=2),
        recorded_by=user,
        via=Dedication.Via.WEB,
    )

    row = Dedication.objects.get()
    assert row == result.dedication
    assert (row.client, row.project, row.task, row.employee) == (
        client_acme,
        result.project,
        result.task,
        employee,
    )
    assert row.text == "Visit to the warehouse"
    assert row.minutes == 90
    assert row.date == today - dt.timedelta(days=2)
    assert row.recorded_by == user
    assert row.via == "web"


def test_date_defaults_to_today(client_acme, employee, today):
    assert log(client_acme, employee).dedication.date == today


def test_minutes_are_optional(client_acme, employee):
    assert log(client_acme, employee).dedication.minutes is None


# --- 4. Next follow-up --------------------------------------------------------------------------


def test_next_follow_up_is_set_on_a_new_task(client_acme, employee, today):
    result = log(client_acme, employee, next_follow_up=today + dt.timedelta(days=7))

    assert Task.objects.get().next_follow_up == today + dt.timedelta(days=7)
    assert result.task.next_follow_up == today + dt.timedelta(days=7)


def test_next_follow_up_replaces_the_tasks_date(client_acme, employee, today):
    task = factories.task(
        factories.project(client_acme, "ACME"), next_follow_up=today + dt.timedelta(days=1)
    )

    log(client_acme, employee, next_follow_up=today + dt.timedelta(days=30))

    task.refresh_from_db()
    assert task.next_follow_up == today + dt.timedelta(days=30)


def test_absent_next_follow_up_leaves_the_tasks_date(client_acme, employee, today):
    task = factories.task(
        factories.project(client_acme, "ACME"), next_follow_up=today + dt.timedelta(days=4)
    )

    result = log(client_acme, employee)

    task.refresh_from_db()
    assert task.next_follow_up == today + dt.timedelta(days=4)
    assert result.task.next_follow_up == today + dt.timedelta(days=4)


def test_none_next_follow_up_clears_the_tasks_date(client_acme, employee, today):
    task = factories.task(
        factories.project(client_acme, "ACME"), next_follow_up=today + dt.timedelta(days=4)
    )

    log(client_acme, employee, next_follow_up=None)

    task.refresh_from_db()
    assert task.next_follow_up is None


def test_next_follow_up_on_the_same_day_as_the_date_is_accepted(client_acme, employee, today):
    assert log(client_acme, employee, next_follow_up=today).task.next_follow_up == today


def test_past_next_follow_up_after_a_past_date_is_accepted(client_acme, employee, today):
    result = log(
        client_acme,
        employee,
        date=today - dt.timedelta(days=10),
        next_follow_up=today - dt.timedelta(days=5),
    )
    assert result.task.next_follow_up == today - dt.timedelta(days=5)


@pytest.mark.parametrize(
    ("due_in", "kept"), [(-3, False), (0, False), (1, True), (30, True)], ids=str
)
def test_a_follow_up_is_kept_only_while_still_to_come(today, due_in, kept):
    due = today + dt.timedelta(days=due_in)
    assert services.follow_up_kept(due, date=today) == (due if kept else None)
    assert services.follow_up_kept(None, date=today) is None


@pytest.mark.parametrize(("due_in", "left"), [(-3, None), (0, None), (2, 2)], ids=str)
def test_follow_up_left_as_prefilled_keeps_a_date_to_come_and_clears_one_done(
    client_acme, employee, today, due_in, left
):
    task = factories.task(
        factories.project(client_acme, "ACME"), next_follow_up=today + dt.timedelta(days=due_in)
    )

    result = log(client_acme, employee, next_follow_up=services.KEPT_IF_TO_COME)

    task.refresh_from_db()
    expected = None if left is None else today + dt.timedelta(days=left)
    assert task.next_follow_up == result.task.next_follow_up == expected


def test_follow_up_left_as_prefilled_counts_from_the_dedications_date(client_acme, employee, today):
    # Logged for three days ago: yesterday's follow-up was still to come then.
    task = factories.task(
        factories.project(client_acme, "ACME"), next_follow_up=today - dt.timedelta(days=1)
    )

    log(
        client_acme,
        employee,
        date=today - dt.timedelta(days=3),
        next_follow_up=services.KEPT_IF_TO_COME,
    )

    task.refresh_from_db()
    assert task.next_follow_up == today - dt.timedelta(days=1)


def test_follow_up_left_as_prefilled_on_a_new_task_is_empty(client_acme, employee):
    assert (
        log(client_acme, employee, next_follow_up=services.KEPT_IF_TO_COME).task.next_follow_up
        is None
    )


def test_plan_prefills_only_a_follow_up_still_to_come(client_acme, today):
    task = factories.task(factories.project(client_acme, "ACME"), next_follow_up=today)
    due_today = services.plan_quick_log(client=client_acme)
    Task.objects.filter(pk=task.pk).update(next_follow_up=today + dt.timedelta(days=5))
    to_come = services.plan_quick_log(client=client_acme)

    assert due_today.next_follow_up(today) is None
    assert due_today.next_follow_up(today - dt.timedelta(days=1)) == today
    assert to_come.next_follow_up(today) == today + dt.timedelta(days=5)


def test_one_tap_follow_ups_count_from_today():
    choices = services.follow_up_choices(dt.date(2027, 1, 31))
    assert [day for _label, day in choices] == [
        dt.date(2027, 2, 1),
        dt.date(2027, 2, 7),
        dt.date(2027, 2, 14),
        dt.date(2027, 2, 28),  # a month later, on a shorter month: its last day
    ]
    assert services.follow_up_choices(dt.date(2027, 12, 15))[-1][1] == dt.date(2028, 1, 15)
    with translation.override("es"):
        labels = [label for label, _day in services.follow_up_choices(dt.date(2027, 1, 1))]
    assert labels == ["+1 día", "+1 semana", "+2 semanas", "+1 mes"]


# --- 5. Result ----------------------------------------------------------------------------------


def test_result_says_what_was_used_and_created(client_acme, employee, today, settings):
    settings.LANGUAGE_CODE = "en-gb"  # the business's language names the task
    with translation.override("en"):
        result = log(client_acme, employee, next_follow_up=dt.date(2030, 1, 15))
        summary = result.summary()

    assert "new project ACME" in summary
    assert "new task “Follow-up”" in summary
    assert "15" in summary and "2030" in summary
    assert result.as_dict() == {
        "dedication": {
            "id": result.dedication.pk,
            "client": "ACME",
            "project": "ACME",
            "task": result.task.pk,
            "employee": "ANA",
            "date": today.isoformat(),
            "minutes": None,
            "text": "Called about the invoice",
        },
        "project": {"code": "ACME", "created": True},
        "task": {
            "id": result.task.pk,
            "title": "Follow-up",
            "created": True,
            "next_follow_up": "2030-01-15",
        },
    }


def test_result_of_a_second_log_says_existing_project_and_task_were_used(client_acme, employee):
    log(client_acme, employee)
    with translation.override("en"):
        second = log(client_acme, employee)
        summary = second.summary()

    assert not second.project_created and not second.task_created
    assert "project ACME" in summary and "new project" not in summary
    assert "no follow-up scheduled" in summary


# --- Bad input: clear errors, nothing written ---------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   \n\t "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"date": timezone.localdate() + dt.timedelta(days=1)}, "date"),
        (
            {
                "date": timezone.localdate() - dt.timedelta(days=1),
                "next_follow_up": timezone.localdate() - dt.timedelta(days=2),
            },
            "next_follow_up",
        ),
        ({"minutes": -1}, "minutes"),
        ({"minutes": 1441}, "minutes"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_writes_nothing(client_acme, employee, kwargs, field):
    before = written()

    with pytest.raises(InvalidInput) as raised:
        log(client_acme, employee, **kwargs)

    assert list(raised.value.fields) == [field]
    assert written() == before


def test_text_of_exactly_ten_thousand_characters_is_accepted(client_acme, employee):
    assert len(log(client_acme, employee, text="x" * 10_000).dedication.text) == 10_000


@pytest.mark.parametrize("minutes", [0, 1440])
def test_minutes_at_the_limits_are_accepted(client_acme, employee, minutes):
    assert log(client_acme, employee, minutes=minutes).dedication.minutes == minutes


def test_every_bad_field_is_reported_at_once(client_acme, employee, today):
    employee.active = False
    employee.save()

    with pytest.raises(InvalidInput) as raised:
        log(client_acme, employee, text="", date=today + dt.timedelta(days=3), minutes=5000)

    assert set(raised.value.fields) == {"text", "employee", "date", "minutes"}


def test_missing_employee_is_refused(client_acme):
    with pytest.raises(InvalidInput) as raised:
        log(client_acme, None)
    assert list(raised.value.fields) == ["employee"]


def test_inactive_employee_is_refused(client_acme, employee):
    employee.active = False
    employee.save()

    with pytest.raises(InvalidInput) as raised:
        log(client_acme, employee)

    assert "ANA" in raised.value.fields["employee"][0]
    assert written() == (0, 0, 0)


def test_archived_client_is_refused(client_acme, employee):
    Client.objects.filter(pk=client_acme.pk).update(active=False)

    with pytest.raises(ClientArchived) as raised:
        log(client_acme, employee)  # the stale object says active: the locked row decides

    assert raised.value.code == "client_archived"
    assert written() == (0, 0, 0)


def test_deleted_client_is_not_found(employee):
    gone = factories.client("GONE")
    Client.objects.filter(pk=gone.pk).delete()

    with pytest.raises(NotFound):
        log(gone, employee)


def test_unknown_client_code_is_not_found():
    with pytest.raises(NotFound):
        services.client_by_code("NOPE")


def test_client_codes_are_looked_up_case_insensitively(client_acme):
    assert services.client_by_code(" acme ") == client_acme


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_writing_rolls_everything_back():
    """The employee's row disappears meanwhile: the database refuses the dedication after the
    project and task were written, and the quick log leaves nothing behind."""
    client = factories.client("ACME")
    gone = factories.employee("GONE")
    Employee.objects.filter(pk=gone.pk).delete()

    with pytest.raises(IntegrityError):
        log(client, gone)

    assert written() == (0, 0, 0)


# --- Idempotency --------------------------------------------------------------------------------


def test_same_key_and_request_records_one_dedication(client_acme, employee, user):
    first = log(client_acme, employee, recorded_by=user, idempotency_key="k-1")
    again = log(client_acme, employee, recorded_by=user, idempotency_key="k-1")

    assert Dedication.objects.count() == 1
    assert again.replayed and not first.replayed
    assert again.as_dict() == first.as_dict()


def test_same_key_with_another_request_is_a_conflict(client_acme, employee, user):
    log(client_acme, employee, recorded_by=user, idempotency_key="k-1")

    with pytest.raises(IdempotencyConflict):
        log(client_acme, employee, recorded_by=user, idempotency_key="k-1", text="Other")

    assert Dedication.objects.count() == 1


def test_same_key_on_another_client_is_a_conflict(client_acme, employee, user):
    log(client_acme, employee, recorded_by=user, idempotency_key="k-1")

    with pytest.raises(IdempotencyConflict):
        log(factories.client("OTHER"), employee, recorded_by=user, idempotency_key="k-1")


def test_keys_belong_to_their_user(client_acme, employee, user):
    log(client_acme, employee, recorded_by=user, idempotency_key="k-1")
    log(client_acme, employee, recorded_by=factories.user(), idempotency_key="k-1")

    assert Dedication.objects.count() == 2
    assert IdempotencyKey.objects.count() == 2


def test_replay_keeps_the_created_flags_of_the_first_result(client_acme, employee, user):
    first = log(client_acme, employee, recorded_by=user, idempotency_key="k-1")
    again = log(client_acme, employee, recorded_by=user, idempotency_key="k-1")

    assert first.project_created and again.project_created
    assert again.task_created


def test_omitted_date_still_matches_its_retry_on_another_day(
    client_acme, employee, user, monkeypatch
):
    log(client_acme, employee, recorded_by=user, idempotency_key="k-1")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)

    again = log(client_acme, employee, recorded_by=user, idempotency_key="k-1")

    assert again.replayed


def test_failed_log_does_not_use_up_its_key(client_acme, employee, user):
    with pytest.raises(InvalidInput):
        log(client_acme, employee, recorded_by=user, idempotency_key="k-1", text="")

    assert not log(client_acme, employee, recorded_by=user, idempotency_key="k-1").replayed


# --- Plan (what the web form shows before Finish) -----------------------------------------------


def test_plan_shows_the_project_and_task_that_would_be_used(client_acme, today):
    project = factories.project(client_acme, "ACME")
    task = factories.task(project, next_follow_up=today)

    plan = services.plan_quick_log(client=client_acme)

    assert (plan.project, plan.task, plan.pending, plan.needs_choice) == (
        project,
        task,
        [task],
        False,
    )


def test_plan_for_an_ambiguous_client_lists_the_candidates(client_acme):
    factories.project(client_acme, "WEB")
    factories.project(client_acme, "SHOP")

    plan = services.plan_quick_log(client=client_acme)

    assert plan.needs_choice
    assert [p.code for p in plan.candidates] == ["SHOP", "WEB"]
    assert plan.task is None


def test_plan_for_a_new_client_creates_both(client_acme):
    factories.project(client_acme, "ACME", status="closed")
    plan = services.plan_quick_log(client=client_acme)
    assert (plan.project, plan.task, plan.needs_choice) == (None, None, False)
    assert plan.new_project_code == "ACME-2"


def test_plan_lists_every_pending_task_of_the_active_projects(client_acme, today):
    web = factories.project(client_acme, "ACME")
    shop = factories.project(client_acme, "SHOP")
    older = factories.task(web, "Older", created_at=timezone.now() - dt.timedelta(days=9))
    newer = factories.task(web, "Newer")
    incident = factories.task(shop, "Broken", kind="incident")
    factories.task(web, "Finished", status="done")
    factories.task(factories.project(client_acme, "OLD", status="closed"), "Closed")
    factories.task(factories.project(factories.client("OTHER"), "OTHER"), "Theirs")

    plan = services.plan_quick_log(client=client_acme)

    assert plan.task == newer
    assert plan.pending == [newer, older, incident]


# --- Cost ---------------------------------------------------------------------------------------


def _queries_of_a_log(client: Client, employee) -> int:
    with CaptureQueriesContext(connection) as queries:
        log(client, employee, next_follow_up=timezone.localdate(), idempotency_key=None)
    return len(queries)


def test_query_count_does_not_grow_with_the_data(employee):
    small = factories.client("SMALL")
    factories.task(factories.project(small, "SMALL"))
    big = factories.client("BIG")
    own = factories.project(big, "BIG")
    for n in range(30):
        factories.project(big, f"BIG-OLD{n}", status="closed")
        factories.task(own, f"Task {n}", status="done" if n % 2 else "pending")
    for _ in range(50):
        factories.dedication(Task.objects.filter(project=own).first(), employee)
    _queries_of_a_log(small, employee)  # warm caches (content types, ...)
    _queries_of_a_log(big, employee)

    assert _queries_of_a_log(small, employee) == _queries_of_a_log(big, employee)
    assert _queries_of_a_log(big, employee) <= 8 + _more_totals_statements()


def test_query_count_of_a_first_log_is_bounded(employee):
    for n in range(40):
        factories.project(factories.client(f"C{n}"), f"NEW{n}")
    client = factories.client("NEW")

    with CaptureQueriesContext(connection) as queries:
        log(client, employee, idempotency_key="k")

    # (savepoint) lock, key, projects, free codes, savepoint+insert+release, task, dedication,
    # its totals (one statement on PostgreSQL, one a table on SQLite), key (release): the
    # test's own transaction turns BEGIN/COMMIT into a savepoint pair.
    assert len(queries) <= 13 + _more_totals_statements()


def _more_totals_statements() -> int:
    """The statements that counting a dedication in its totals takes beyond one: one for
    each table of totals on SQLite, one in all on PostgreSQL (totals.counted)."""
    return 0 if connection.vendor == "postgresql" else len(totals.ROLLUPS)


# --- A task named explicitly (the agenda's row) -------------------------------------------------


def test_a_named_older_task_or_incident_is_used_instead_of_the_latest(client_acme, employee, today):
    project = factories.project(client_acme, "ACME")
    older = factories.task(
        project, "Older", created_at=timezone.now() - dt.timedelta(days=9), next_follow_up=today
    )
    factories.task(project, "Newer")
    incident = factories.task(project, "Broken", kind="incident", next_follow_up=today)

    first = log(client_acme, employee, task=older, next_follow_up=today + dt.timedelta(days=3))
    second = log(client_acme, employee, task=incident)

    assert first.task == older and not first.task_created
    assert Task.objects.get(pk=older.pk).next_follow_up == today + dt.timedelta(days=3)
    assert second.task == incident and second.dedication.task == incident
    assert services.plan_quick_log(client=client_acme, task=older).task == older


@pytest.mark.parametrize("state", ["other client", "done", "closed project"])
def test_a_named_task_the_quick_log_cannot_use_is_refused(client_acme, employee, state):
    project = factories.project(client_acme, "ACME")
    if state == "other client":
        named = factories.task(factories.project(factories.client("OTHER"), "OTHER"))
    elif state == "done":
        named = factories.task(project, status="done")
    else:
        named = factories.task(factories.project(client_acme, "OLD", status="closed"))
    before = written()

    with pytest.raises(InvalidInput) as raised:
        log(client_acme, employee, task=named)

    assert list(raised.value.fields) in (["task"], ["project"])
    assert written() == before

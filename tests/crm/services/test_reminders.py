"""`hexa remind`: each active employee with an email gets their follow-ups due today and
overdue, once a day; an email that could not be sent is tried again on the next run."""

from __future__ import annotations

import datetime as dt
import io
import socket
import subprocess
from smtplib import SMTPRecipientsRefused

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.utils import timezone, translation

from hexa.crm.models import Employee, Reminder, Task
from hexa.crm.services.reminders import send_reminders
from tests import factories
from tests.conftest import HEXA, live_database, live_query, run_hexa

pytestmark = pytest.mark.django_db

UTC = dt.UTC
DAY = dt.timedelta(days=1)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class RefusingBackend(LocmemBackend):
    """A mail server that refuses some recipients (and delivers to the others)."""

    refused: frozenset[str] = frozenset({"ana@example.com"})

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & self.refused:
                raise SMTPRecipientsRefused({message.to[0]: (550, b"mailbox unavailable")})
        return super().send_messages(messages)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_mail_server(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 5},
        }
    }


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def ana_employee(db) -> Employee:
    return factories.employee("ANA", name="Ana García", email="ana@example.com")


@pytest.fixture
def luis(db) -> Employee:
    return factories.employee("LUIS", name="Luis Pérez", email="luis@example.com")


@pytest.fixture
def acme_project(client_acme):
    return factories.project(client_acme, "ACME")


def follow_up(project, title: str, day: dt.date, assigned_to: Employee | None = None) -> Task:
    task = factories.task(project, title, next_follow_up=day)
    if assigned_to:
        Task.objects.filter(pk=task.pk).update(assigned_to=assigned_to)
    return task


def sent_to() -> list[list[str]]:
    return [message.to for message in mail.outbox]


def reminders() -> list[tuple[str, dt.date, int]]:
    return list(
        Reminder.objects.order_by("employee__code", "date").values_list(
            "employee__code", "date", "follow_ups"
        )
    )


# --- Who gets what ------------------------------------------------------------------------------


def test_each_employee_gets_their_due_and_overdue_follow_ups(
    ana_employee, luis, acme_project, today, english
):
    follow_up(acme_project, "Overdue call", today - 3 * DAY, ana_employee)
    follow_up(acme_project, "Today's quote", today, ana_employee)
    follow_up(acme_project, "Tomorrow's visit", today + DAY, ana_employee)
    beta = factories.project(factories.client("BETA", name="Beta Hnos."), "BETA")
    task = follow_up(beta, "Unassigned follow-up", today)
    factories.dedication(task, luis)  # Luis worked for Beta last: it is his

    results = send_reminders(today=today, link="https://hexa.example/agenda")

    assert sent_to() == [["ana@example.com"], ["luis@example.com"]]
    to_ana, to_luis = mail.outbox
    assert to_ana.subject == "Hexa: 2 follow-ups due"
    assert to_luis.subject == "Hexa: 1 follow-up due"
    assert "Hello Ana García," in to_ana.body
    assert "ACME · Acme S.L. — Overdue call" in to_ana.body
    assert "ACME · Acme S.L. — Today's quote" in to_ana.body
    assert "Tomorrow's visit" not in to_ana.body
    assert "Beta" not in to_ana.body
    assert to_ana.body.index("Overdue call") < to_ana.body.index("Today:")
    assert to_ana.body.index("Today:") < to_ana.body.index("Today's quote")
    assert "https://hexa.example/agenda" in to_ana.body
    assert "BETA · Beta Hnos. — Unassigned follow-up" in to_luis.body
    assert "Overdue" not in to_luis.body
    assert [(r.employee, r.follow_ups, r.sent) for r in results] == [
        (ana_employee, 2, True),
        (luis, 1, True),
    ]
    assert reminders() == [("ANA", today, 2), ("LUIS", today, 1)]


def test_the_email_comes_from_the_configured_address(ana_employee, acme_project, today, settings):
    settings.DEFAULT_FROM_EMAIL = "agenda@hexa.example"
    follow_up(acme_project, "Call", today, ana_employee)

    send_reminders(today=today)

    assert mail.outbox[0].from_email == "agenda@hexa.example"


def test_without_a_link_the_email_has_none(ana_employee, acme_project, today, english):
    follow_up(acme_project, "Call", today, ana_employee)

    send_reminders(today=today)

    assert "Your agenda" not in mail.outbox[0].body


def test_nothing_due_sends_nothing_and_keeps_nothing(ana_employee, acme_project, today):
    follow_up(acme_project, "Tomorrow", today + DAY, ana_employee)
    follow_up(acme_project, "Next week", today + 7 * DAY, ana_employee)

    assert send_reminders(today=today) == []
    assert mail.outbox == []
    assert reminders() == []


def test_employees_without_email_or_inactive_get_nothing(acme_project, today):
    follow_up(acme_project, "No email", today, factories.employee("NOMAIL"))
    follow_up(
        acme_project,
        "Has left",
        today,
        factories.employee("GONE", email="gone@example.com", active=False),
    )

    assert send_reminders(today=today) == []
    assert mail.outbox == []
    assert reminders() == []


def test_done_closed_archived_and_unscheduled_follow_ups_are_not_reminded(
    ana_employee, client_acme, acme_project, today
):
    follow_up(acme_project, "Wanted", today, ana_employee)
    done = follow_up(acme_project, "Done", today, ana_employee)
    Task.objects.filter(pk=done.pk).update(status="done")
    closed = factories.project(client_acme, "OLD", status="closed")
    follow_up(closed, "Closed project", today, ana_employee)
    gone = factories.project(factories.client("GONE", active=False), "GONE")
    follow_up(gone, "Archived client", today, ana_employee)
    no_date = factories.task(acme_project, "No date")
    Task.objects.filter(pk=no_date.pk).update(assigned_to=ana_employee)

    send_reminders(today=today)

    body = mail.outbox[0].body
    assert "Wanted" in body
    for title in ("Done", "Closed project", "Archived client", "No date"):
        assert title not in body
    assert reminders() == [("ANA", today, 1)]


def test_unassigned_follow_ups_of_a_client_nobody_worked_for_remind_nobody(
    ana_employee, acme_project, today
):
    follow_up(acme_project, "Nobody's", today)

    assert send_reminders(today=today) == []
    assert mail.outbox == []


# --- Once a day ---------------------------------------------------------------------------------


def test_running_twice_in_a_day_sends_nothing_more(ana_employee, luis, acme_project, today):
    follow_up(acme_project, "Call", today, ana_employee)
    follow_up(acme_project, "Visit", today, luis)
    send_reminders(today=today)

    again = send_reminders(today=today)

    assert again == []
    assert len(mail.outbox) == 2
    assert reminders() == [("ANA", today, 1), ("LUIS", today, 1)]


def test_follow_ups_added_after_todays_reminder_wait_for_tomorrows(
    ana_employee, acme_project, today
):
    follow_up(acme_project, "First", today, ana_employee)
    send_reminders(today=today)
    follow_up(acme_project, "Added later", today, ana_employee)

    send_reminders(today=today)

    assert len(mail.outbox) == 1
    assert reminders() == [("ANA", today, 1)]


def test_the_next_day_reminds_again(ana_employee, acme_project, today):
    follow_up(acme_project, "Still pending", today, ana_employee)
    send_reminders(today=today)

    send_reminders(today=today + DAY)

    assert len(mail.outbox) == 2
    assert reminders() == [("ANA", today, 1), ("ANA", today + DAY, 1)]


# --- Failures -----------------------------------------------------------------------------------


def test_a_failure_to_send_keeps_no_reminder_and_the_next_run_retries(
    ana_employee, acme_project, today, unreachable_mail_server, settings
):
    follow_up(acme_project, "Call", today, ana_employee)

    failed = send_reminders(today=today)

    assert [(r.employee, r.follow_ups, r.sent) for r in failed] == [(ana_employee, 1, False)]
    assert reminders() == []

    settings.MAILERS = {"default": {"BACKEND": LOCMEM}}
    retried = send_reminders(today=today)

    assert [r.sent for r in retried] == [True]
    assert sent_to() == [["ana@example.com"]]
    assert reminders() == [("ANA", today, 1)]


def test_one_failure_does_not_stop_the_others(ana_employee, luis, acme_project, today, settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    follow_up(acme_project, "Call", today, ana_employee)
    follow_up(acme_project, "Visit", today, luis)

    results = send_reminders(today=today)

    assert [(r.employee.code, r.sent) for r in results] == [("ANA", False), ("LUIS", True)]
    assert sent_to() == [["luis@example.com"]]
    assert reminders() == [("LUIS", today, 1)]


# --- The command --------------------------------------------------------------------------------


def remind(*args: str) -> str:
    out = io.StringIO()
    call_command("remind", *args, stdout=out)
    return out.getvalue()


def test_command_sends_and_says_what_it_sent(ana_employee, luis, acme_project, today):
    follow_up(acme_project, "Call", today, ana_employee)
    follow_up(acme_project, "Late", today - DAY, ana_employee)
    follow_up(acme_project, "Visit", today, luis)

    output = remind("--link", "https://hexa.example/agenda")

    assert output.splitlines() == [
        "ANA: 2 follow-ups, sent",
        "LUIS: 1 follow-up, sent",
        "2 reminders sent.",
    ]
    assert sent_to() == [["ana@example.com"], ["luis@example.com"]]
    assert "https://hexa.example/agenda" in mail.outbox[0].body
    assert reminders() == [("ANA", today, 2), ("LUIS", today, 1)]


def test_command_run_twice_in_a_day_sends_once(ana_employee, acme_project, today):
    follow_up(acme_project, "Call", today, ana_employee)
    remind()

    assert remind().splitlines() == ["0 reminders sent."]
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 1


def test_command_that_could_not_send_exits_with_1_and_keeps_nothing(
    ana_employee, acme_project, today, unreachable_mail_server
):
    follow_up(acme_project, "Call", today, ana_employee)
    out = io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("remind", stdout=out)

    assert exited.value.code == 1
    assert out.getvalue().splitlines() == [
        "ANA: 1 follow-up, NOT SENT (will be tried again)",
        "0 reminders sent.",
    ]
    assert reminders() == []


def test_command_takes_todays_date_in_madrid_at_half_past_eleven_utc(
    ana_employee, acme_project, monkeypatch
):
    # 23:30 UTC on 10 March is 00:30 on 11 March in Madrid.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    follow_up(acme_project, "Due on the 11th", dt.date(2026, 3, 11), ana_employee)
    follow_up(acme_project, "Due on the 12th", dt.date(2026, 3, 12), ana_employee)

    remind()

    assert reminders() == [("ANA", dt.date(2026, 3, 11), 1)]
    assert "Due on the 11th" in mail.outbox[0].body
    assert "Due on the 12th" not in mail.outbox[0].body


# --- As a real process --------------------------------------------------------------------------

SETUP = """
import datetime as dt
from django.utils import timezone
from hexa.crm.models import Client, Employee, Project, Task
today = timezone.localdate()
ana = Employee.objects.create(code="ANA", name="Ana García", email="ana@example.com")
Employee.objects.create(code="LUIS", name="Luis", email="luis@example.com")
acme = Client.objects.create(code="ACME", name="Acme Española S.L.")
project = Project.objects.create(code="ACME", name="Acme", client=acme)
Task.objects.create(project=project, title="Llamar — presupuesto", next_follow_up=today,
                    assigned_to=ana)
Task.objects.create(project=project, title="Visita mañana",
                    next_follow_up=today + dt.timedelta(days=1), assigned_to=ana)
"""


@pytest.fixture
def live(tmp_path):
    with live_database(tmp_path) as env:
        env["HEXA_LANGUAGE"] = "en"
        env["HEXA_EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
        run_hexa(env, "shell", "-v0", "-c", SETUP)
        yield env


def live_reminders(env) -> list[tuple]:
    return live_query(
        env,
        "SELECT e.code, r.follow_ups FROM crm_reminder r "
        "JOIN crm_employee e ON e.id = r.employee_id ORDER BY e.code",
    )


def test_hexa_remind_as_a_real_process_emails_once_a_day(live):
    first = run_hexa(live, "remind", "--link", "https://hexa.example/agenda")

    assert first.stdout.count("Subject: ") == 1
    assert "Subject: Hexa: 1 follow-up due" in first.stdout
    assert "To: ana@example.com" in first.stdout
    assert "ACME · Acme Española S.L. — Llamar — presupuesto" in first.stdout
    assert "Visita mañana" not in first.stdout
    assert "https://hexa.example/agenda" in first.stdout
    assert first.stdout.rstrip().endswith("ANA: 1 follow-up, sent\n1 reminder sent.")
    assert live_reminders(live) == [("ANA", 1)]

    second = run_hexa(live, "remind")

    assert second.stdout == "0 reminders sent.\n"
    assert live_reminders(live) == [("ANA", 1)]


def test_two_simultaneous_runs_email_once(live):
    runs = [
        subprocess.Popen(
            [str(HEXA), "remind"],
            env=live,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0]
    assert sum(stdout.count("To: ana@example.com") for stdout, _err in outputs) == 1
    assert live_reminders(live) == [("ANA", 1)]

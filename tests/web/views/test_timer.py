"""The timer's pages through Django's test client, without JavaScript: start, the question
when another runs, the navigation, stop into the quick log, discard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hexa.crm.models import Dedication, RunningTimer
from hexa.crm.services import timer as timers
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(db):
    return factories.client("ACME", name="Acme Industrial")


def as_sent(response, **changes) -> dict:
    """The form of a page as a browser would send it, with `changes` typed in."""
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["initial-next_follow_up"] = data["next_follow_up"]
    data = {name: "" if value is None else value for name, value in data.items()}
    for name in ("date", "next_follow_up", "initial-next_follow_up"):
        if isinstance(data[name], dt.date):
            data[name] = data[name].strftime("%d/%m/%Y")
    return {**data, **changes}


def test_start_without_javascript_redirects_back_and_the_nav_shows_it(web, acme, ana):
    response = web.post("/clients/ACME/timer/start/", {"next": "/clients/ACME/"})

    assert response.status_code == 302
    assert response["Location"] == "/clients/ACME/"
    page = web.get("/agenda/").content.decode()
    assert 'id="timer-nav"' in page
    assert "data-timer-since=" in page
    assert timers.timer_of(ana).client.code == "ACME"


def test_start_buttons_are_on_the_explorer_the_client_page_and_the_agenda(web, acme):
    task = factories.task(factories.project(acme, "ACME"), "Call back")
    task.next_follow_up = timezone.localdate()
    task.save()
    for url in ("/", "/clients/ACME/", "/agenda/?who=all"):
        assert 'action="/clients/ACME/timer/start/"' in web.get(url).content.decode(), url


def test_a_second_start_asks_to_stop_the_first(web, acme, ana):
    factories.client("BETA", name="Beta")
    web.post("/clients/ACME/timer/start/")

    asked = web.post("/clients/BETA/timer/start/", HTTP_HX_REQUEST="true")

    html = asked.content.decode()
    assert "A timer is running" in html
    assert "Stop and log ACME" in html
    assert 'href="/clients/ACME/log/timer/' in html
    assert timers.timer_of(ana).client.code == "ACME"
    web.post("/clients/BETA/timer/start/", {"replace": "1"})
    assert timers.timer_of(ana).client.code == "BETA"


def test_stop_opens_the_quick_log_with_the_minutes_and_logs_them(web, acme, ana):
    timers.start_timer(user=ana, client=acme, started_at=timezone.now() - dt.timedelta(minutes=95))

    form = web.get("/clients/ACME/log/timer/")
    assert form.context["form"]["minutes"].value() == "1h35"

    done = web.post("/clients/ACME/log/timer/", as_sent(form, text="Site visit", next="/"))

    assert done.status_code == 302
    dedication = Dedication.objects.get()
    assert (dedication.client.code, dedication.minutes) == ("ACME", 95)
    assert dedication.text == "Site visit"
    assert not RunningTimer.objects.exists()


def test_stop_sent_twice_records_one_dedication(web, acme, ana):
    timers.start_timer(user=ana, client=acme)
    form = web.get("/clients/ACME/log/timer/")
    data = as_sent(form, text="Call", next="/")

    web.post("/clients/ACME/log/timer/", data)
    web.post("/clients/ACME/log/timer/", data)

    assert Dedication.objects.count() == 1


def test_past_the_limit_the_form_asks_to_confirm_or_correct(web, acme, ana, settings):
    settings.HEXA_TIMER_LIMIT_HOURS = 10
    timers.start_timer(user=ana, client=acme, started_at=timezone.now() - dt.timedelta(hours=13))

    form = web.get("/clients/ACME/log/timer/")

    assert "past the limit of 10 hours" in form.content.decode()
    web.post("/clients/ACME/log/timer/", as_sent(form, text="Forgot", minutes="2h", next="/"))
    assert Dedication.objects.get().minutes == 120


def test_a_refused_log_keeps_the_timer(web, acme, ana):
    timers.start_timer(user=ana, client=acme)
    form = web.get("/clients/ACME/log/timer/")

    refused = web.post("/clients/ACME/log/timer/", as_sent(form, text="", next="/"))

    assert refused.status_code == 200
    assert RunningTimer.objects.exists()
    assert not Dedication.objects.exists()


def test_discard_drops_it(web, acme, ana):
    timers.start_timer(user=ana, client=acme)

    response = web.post("/timer/discard/", {"next": "/"})

    assert response.status_code == 302
    assert not RunningTimer.objects.exists()
    assert "data-timer-since" not in web.get("/").content.decode()


JSON = {"HTTP_ACCEPT": "application/json"}


def test_a_device_telling_an_offline_start_gets_json_and_a_409_when_another_runs(web, acme, ana):
    """timer.js sends what was pressed offline with fetch: a start refused because another
    timer runs must be a conflict it can show, not a page it would take for a success."""
    factories.client("BETA", name="Beta")
    pressed = timezone.now() - dt.timedelta(minutes=20)
    started = web.post("/clients/ACME/timer/start/", {"started_at": pressed.isoformat()}, **JSON)
    assert (started.status_code, started.json()) == (201, {"client": "ACME"})
    assert timers.timer_of(ana).started_at == pressed

    refused = web.post("/clients/BETA/timer/start/", {"started_at": pressed.isoformat()}, **JSON)
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["client"]) == ("timer_running", "ACME")
    assert timers.timer_of(ana).client.code == "ACME"

    # The question it then shows keeps the moment the offline start was pressed.
    asked = web.post(
        "/clients/BETA/timer/start/", {"started_at": pressed.isoformat()}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "You started a timer on BETA at" in asked
    assert 'name="started_at"' in asked
    web.post("/clients/BETA/timer/start/", {"replace": "1", "started_at": pressed.isoformat()})
    assert (timers.timer_of(ana).client.code, timers.timer_of(ana).started_at) == ("BETA", pressed)

    factories.client("OLD", active=False)
    archived = web.post("/clients/OLD/timer/start/", **JSON)
    assert archived.status_code == 409
    assert "archived" in archived.json()["message"]


def test_a_discard_told_later_drops_only_the_timer_it_was_pressed_on(web, acme, ana):
    factories.client("BETA", name="Beta")
    timers.start_timer(user=ana, client=acme)

    kept = web.post("/timer/discard/", {"client": "BETA"}, **JSON)
    assert kept.status_code == 404
    assert "the one on ACME keeps running" in kept.json()["message"]
    assert timers.timer_of(ana).client.code == "ACME"

    dropped = web.post("/timer/discard/", {"client": "acme"}, **JSON)
    assert (dropped.status_code, dropped.json()) == (200, {"client": "ACME"})
    assert not RunningTimer.objects.exists()


def test_archived_client_is_refused_with_a_message(web, ana):
    factories.client("OLD", active=False)

    response = web.post("/clients/OLD/timer/start/", follow=True)

    assert "archived" in response.content.decode()
    assert not RunningTimer.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, acme):
    for answer in (
        client.post("/clients/ACME/timer/start/"),
        client.post("/timer/discard/"),
        client.get("/timer/"),
    ):
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    assert not RunningTimer.objects.exists()

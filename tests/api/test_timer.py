"""The timer's endpoints: /api/v1/timer, as a client program uses them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hexa.crm.models import Dedication, RunningTimer
from tests import factories
from tests.api.conftest import assert_json_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(db):
    return factories.client("ACME", name="Acme S.L.")


def ago(minutes: int) -> str:
    return (timezone.now() - dt.timedelta(minutes=minutes)).isoformat()


def test_start_then_status_shows_the_client_and_the_minutes(api, acme):
    started = api.post("/timer", {"client": "acme", "started_at": ago(25)})
    assert started.status_code == 201, started.json()

    status = api.get("/timer")

    assert status.status_code == 200
    body = status.json()
    assert (body["client"], body["client_name"], body["minutes"]) == ("ACME", "Acme S.L.", 25)
    assert body["limit_hours"] == 10


def test_no_timer_is_a_404_with_its_code(api):
    answers = api.get("/timer"), api.post("/timer/stop", {}), api.request("delete", "/timer")
    for response in answers:
        assert response.status_code == 404
        assert response.json()["code"] == "no_timer"


def test_a_second_client_is_a_409_naming_the_running_one_unless_replace(api, acme):
    factories.client("BETA")
    api.post("/timer", {"client": "ACME"})

    refused = api.post("/timer", {"client": "BETA"})

    assert refused.status_code == 409
    assert refused.json()["code"] == "timer_running"
    assert refused.json()["client"] == "ACME"
    replaced = api.post("/timer", {"client": "BETA", "replace": True})
    assert replaced.status_code == 201
    assert api.get("/timer").json()["client"] == "BETA"


def test_unknown_client_is_a_404(api):
    response = api.post("/timer", {"client": "NOPE"})
    assert response.status_code == 404
    assert not RunningTimer.objects.exists()


def test_stop_answers_the_minutes(api, acme):
    api.post("/timer", {"client": "ACME", "started_at": ago(40)})

    stopped = api.post("/timer/stop", {})

    assert stopped.status_code == 200
    assert stopped.json()["minutes"] == 40
    assert stopped.json()["logged"] is None
    assert api.get("/timer").status_code == 404


def test_stop_with_text_logs_through_the_quick_log(api, acme):
    api.post("/timer", {"client": "ACME", "started_at": ago(75)})

    stopped = api.post("/timer/stop", {"text": "Visita", "next_follow_up": None})

    assert stopped.status_code == 200, stopped.json()
    logged = stopped.json()["logged"]
    assert logged["dedication"]["minutes"] == 75
    assert logged["dedication"]["employee"] == "ANA"
    assert logged["project"] == {"code": "ACME", "created": True}
    dedication = Dedication.objects.get()
    assert (dedication.minutes, dedication.via) == (75, Dedication.Via.API)


def test_a_refused_log_keeps_the_timer(api, acme):
    api.post("/timer", {"client": "ACME"})

    refused = api.post("/timer/stop", {"text": "   "})

    assert refused.status_code == 422
    assert "text" in refused.json()["fields"]
    assert api.get("/timer").status_code == 200


def test_past_the_limit_stop_is_a_409_until_confirmed_or_corrected(api, acme, settings):
    settings.HEXA_TIMER_LIMIT_HOURS = 2
    api.post("/timer", {"client": "ACME", "started_at": ago(180)})

    refused = api.post("/timer/stop", {"text": "Forgot it"})

    assert refused.status_code == 409
    assert refused.json()["code"] == "timer_over_limit"
    assert (refused.json()["minutes"], refused.json()["limit_hours"]) == (180, 2)
    assert not Dedication.objects.exists()
    corrected = api.post("/timer/stop", {"text": "Forgot it", "minutes": "1h30"})
    assert corrected.status_code == 200
    assert Dedication.objects.get().minutes == 90

    api.post("/timer", {"client": "ACME", "started_at": ago(180)})
    assert api.post("/timer/stop", {"confirm": True}).json()["minutes"] == 180


def test_discard_drops_it(api, acme):
    api.post("/timer", {"client": "ACME"})

    assert api.request("delete", "/timer").status_code == 204
    assert not RunningTimer.objects.exists()


def test_bad_bodies_are_422_on_the_field(api, acme):
    assert api.post("/timer", {}).json()["fields"].keys() == {"client"}
    assert api.post("/timer", {"client": "ACME", "replace": "yes"}).status_code == 422
    assert api.post("/timer", {"client": "ACME", "started_at": "soon"}).status_code == 422
    api.post("/timer", {"client": "ACME"})
    assert api.post("/timer/stop", {"minutes": "lots"}).status_code == 422
    assert api.post("/timer/stop", {"confirm": 1}).status_code == 422
    assert api.get("/timer").status_code == 200


def test_anonymous_is_refused(anonymous, acme):
    for answer in (anonymous.get("/timer"), anonymous.post("/timer", {"client": "ACME"})):
        assert_json_error(answer, 401, "unauthorized")
    assert not RunningTimer.objects.exists()


def test_a_stop_sent_again_with_its_key_is_a_replay_not_a_second_dedication(api, acme):
    api.post("/timer", {"client": "ACME", "started_at": ago(50)})
    key = {"Idempotency-Key": "phone-stop-1"}

    first = api.post("/timer/stop", {"text": "Visita"}, headers=key)
    again = api.post("/timer/stop", {"text": "Visita"}, headers=key)

    assert first.status_code == again.status_code == 200
    assert again.json()["logged"] == first.json()["logged"]
    assert again.json()["minutes"] == 50
    assert Dedication.objects.count() == 1
    other = api.post("/timer/stop", {"text": "Otra cosa"}, headers=key)
    assert other.json()["code"] == "idempotency_conflict"
    assert api.post("/timer/stop", {"text": "Visita"}).json()["code"] == "no_timer"

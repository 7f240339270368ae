"""The timer's rules (hexa.crm.services.timer), through the domain functions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from hexa.crm.errors import ClientArchived, InvalidInput
from hexa.crm.models import Dedication, RunningTimer
from hexa.crm.services import timer as timers
from tests import factories

pytestmark = pytest.mark.django_db


def ago(minutes: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def test_start_keeps_one_timer_for_the_user_on_the_client(user, client_acme):
    timers.start_timer(user=user, client=client_acme, started_at=ago(30))

    timer = timers.timer_of(user)
    assert timer is not None
    assert timer.client.code == "ACME"
    assert timers.elapsed_minutes(timer) == 30


def test_starting_the_same_client_again_keeps_the_first_start(user, client_acme):
    first = timers.start_timer(user=user, client=client_acme, started_at=ago(30))
    again = timers.start_timer(user=user, client=client_acme)

    assert again.pk == first.pk
    assert RunningTimer.objects.get().started_at == first.started_at


def test_a_second_client_is_refused_naming_the_first_and_nothing_changes(user, client_acme):
    timers.start_timer(user=user, client=client_acme)
    other = factories.client("BETA")

    with pytest.raises(timers.TimerRunning) as refused:
        timers.start_timer(user=user, client=other)

    assert refused.value.details["client"] == "ACME"
    assert RunningTimer.objects.get().client.code == "ACME"


def test_replace_discards_the_first_and_starts_the_second(user, client_acme):
    timers.start_timer(user=user, client=client_acme)

    timers.start_timer(user=user, client=factories.client("BETA"), replace=True)

    assert [t.client.code for t in RunningTimer.objects.select_related("client")] == ["BETA"]


def test_each_user_has_their_own_timer(user, client_acme):
    other = factories.user("luis")
    timers.start_timer(user=user, client=client_acme)
    timers.start_timer(user=other, client=factories.client("BETA"))

    assert RunningTimer.objects.count() == 2
    assert timers.timer_of(other).client.code == "BETA"


def test_the_database_refuses_a_second_timer_for_a_user(user, client_acme):
    RunningTimer.objects.create(user=user, client=client_acme)

    with pytest.raises(IntegrityError), transaction.atomic():
        RunningTimer.objects.create(user=user, client=factories.client("BETA"))


def test_archived_client_cannot_be_timed(user):
    archived = factories.client("OLD", active=False)

    with pytest.raises(ClientArchived):
        timers.start_timer(user=user, client=archived)
    assert not RunningTimer.objects.exists()


def test_a_start_in_the_future_is_refused(user, client_acme):
    with pytest.raises(InvalidInput) as refused:
        timers.start_timer(user=user, client=client_acme, started_at=ago(-60))
    assert "started_at" in refused.value.fields


def test_stop_answers_the_minutes_and_forgets_the_timer(user, client_acme):
    timers.start_timer(user=user, client=client_acme, started_at=ago(45))

    stopped = timers.stop_timer(user=user)

    assert stopped.minutes == 45
    assert stopped.client.code == "ACME"
    assert stopped.logged is None
    assert timers.timer_of(user) is None
    assert not Dedication.objects.exists()


def test_stop_at_an_earlier_moment_counts_to_it(user, client_acme):
    timers.start_timer(user=user, client=client_acme, started_at=ago(60))

    assert timers.stop_timer(user=user, stopped_at=ago(20)).minutes == 40


def test_stop_with_the_quick_logs_fields_logs_the_minutes(user, client_acme, employee):
    timers.start_timer(user=user, client=client_acme, started_at=ago(90))

    stopped = timers.stop_timer(
        user=user,
        log={"employee": employee, "text": "Visit", "recorded_by": user, "via": Dedication.Via.API},
    )

    dedication = Dedication.objects.get()
    assert (dedication.client.code, dedication.minutes, dedication.text) == ("ACME", 90, "Visit")
    assert stopped.logged is not None and stopped.logged.dedication.pk == dedication.pk
    assert not RunningTimer.objects.exists()


def test_a_refused_quick_log_keeps_the_timer_running(user, client_acme, employee):
    timers.start_timer(user=user, client=client_acme, started_at=ago(20))

    with pytest.raises(InvalidInput):
        timers.stop_timer(
            user=user,
            log={"employee": employee, "text": "", "recorded_by": user, "via": Dedication.Via.API},
        )

    assert RunningTimer.objects.exists()
    assert not Dedication.objects.exists()


def test_past_the_limit_stopping_asks_to_confirm(user, client_acme, settings):
    settings.HEXA_TIMER_LIMIT_HOURS = 10
    timers.start_timer(user=user, client=client_acme, started_at=ago(11 * 60))

    with pytest.raises(timers.TimerOverLimit) as refused:
        timers.stop_timer(user=user)

    assert refused.value.details == {"minutes": 660, "limit_hours": 10}
    assert RunningTimer.objects.exists()


def test_past_the_limit_a_confirmation_or_a_correction_stops_it(user, client_acme, employee):
    timers.start_timer(user=user, client=client_acme, started_at=ago(11 * 60))
    assert timers.stop_timer(user=user, confirmed=True).minutes == 660

    timers.start_timer(user=user, client=client_acme, started_at=ago(11 * 60))
    timers.stop_timer(
        user=user,
        minutes=120,
        log={"employee": employee, "text": "Site", "recorded_by": user, "via": Dedication.Via.WEB},
    )
    assert Dedication.objects.get().minutes == 120


def test_corrected_minutes_outside_a_day_are_refused(user, client_acme):
    timers.start_timer(user=user, client=client_acme)

    with pytest.raises(InvalidInput) as refused:
        timers.stop_timer(user=user, minutes=2000)

    assert "minutes" in refused.value.fields
    assert RunningTimer.objects.exists()


def test_stop_or_discard_without_a_timer_says_so(user):
    with pytest.raises(timers.NoTimer):
        timers.stop_timer(user=user)
    with pytest.raises(timers.NoTimer):
        timers.discard_timer(user=user)


def test_discard_drops_the_timer_without_logging(user, client_acme):
    timers.start_timer(user=user, client=client_acme)

    assert timers.discard_timer(user=user).code == "ACME"
    assert not RunningTimer.objects.exists()
    assert not Dedication.objects.exists()

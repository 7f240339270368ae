"""Shapes the API declares for its OpenAPI schema that the models and the domain also hold:
the enumerations (written again as `Literal`s, which type checkers can read), the quick
log's answer (QuickLogResult.as_dict, which `hexa log --json` prints too) and the timer's
(timer_answer and TimerStop.as_dict, which `hexa timer --json` prints too). These fail when
the two drift apart."""

import datetime as dt
from typing import get_args

import pytest

from hexa.api import schemas
from hexa.api.timer import TimerOut, TimerStopOut
from hexa.crm import services
from hexa.crm.models import Dedication, Project, Task
from hexa.crm.services import timer as timers
from hexa.crm.services.agenda import GROUPS
from hexa.crm.services.reports import GroupBy, Period


@pytest.mark.parametrize(
    ("literal", "choices"),
    [
        (schemas.ProjectKind, Project.Kind),
        (schemas.ProjectStatus, Project.Status),
        (schemas.TaskKind, Task.Kind),
        (schemas.TaskStatus, Task.Status),
        (schemas.Priority, Task.Priority),
        (schemas.Channel, Task.Channel),
        (schemas.ReportGroup, GroupBy),
        (schemas.ReportPeriod, Period),
    ],
)
def test_api_literals_are_the_model_choices(literal, choices):
    assert list(get_args(literal)) == list(choices.values)


def test_api_agenda_groups_are_the_domain_groups():
    assert list(get_args(schemas.AgendaGroup)) == list(GROUPS)


@pytest.mark.django_db
@pytest.mark.parametrize("follow_up", [None, dt.date(2030, 1, 15)])
def test_the_quick_log_answer_is_what_its_schema_says(client_acme, employee, follow_up):
    result = services.quick_log(
        client=client_acme,
        employee=employee,
        text="Called about the invoice",
        minutes=30,
        next_follow_up=follow_up,
        recorded_by=None,
        via=Dedication.Via.API,
    )
    answer = result.as_dict()

    # Every field the schema declares, none it does not, each of the declared type.
    assert schemas.QuickLogOut.model_validate(answer).model_dump(mode="json") == answer


@pytest.mark.django_db
def test_the_running_timers_answer_is_what_its_schema_says(client_acme, user):
    timers.start_timer(user=user, client=client_acme)
    answer = timers.timer_answer(timers.running_timer(user))

    assert TimerOut.model_validate(answer).model_dump() == answer


@pytest.mark.django_db
@pytest.mark.parametrize("logs", [False, True])
def test_the_stopped_timers_answer_is_what_its_schema_says(client_acme, employee, user, logs):
    timers.start_timer(user=user, client=client_acme)
    log = {"employee": employee, "text": "Visit", "recorded_by": user, "via": Dedication.Via.API}
    answer = timers.stop_timer(user=user, log=log if logs else None).as_dict()

    stopped = TimerStopOut.model_validate(answer)
    # The timer's own fields as they are; the quick log's in JSON, as QuickLogResult.as_dict.
    dumped = stopped.model_dump(exclude={"logged"})
    assert dumped == {key: value for key, value in answer.items() if key != "logged"}
    logged = stopped.logged.model_dump(mode="json") if stopped.logged else None
    assert logged == answer["logged"]
    assert (logged is not None) == logs

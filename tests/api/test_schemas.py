"""Shapes the API declares for its OpenAPI schema that the models and the domain also hold:
the enumerations (written again as `Literal`s, which type checkers can read) and the quick
log's answer (QuickLogResult.as_dict, which `hexa log --json` prints too). These fail when
the two drift apart."""

import datetime as dt
from typing import get_args

import pytest

from hexa.api import schemas
from hexa.crm import services
from hexa.crm.models import Dedication, Project, Task
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

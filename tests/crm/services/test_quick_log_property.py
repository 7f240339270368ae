"""The quick log against a small, independent model of its rules, on random client states."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hexa.crm import services
from hexa.crm.errors import AmbiguousProject, InvalidInput
from hexa.crm.models import Dedication, Project, Task
from tests import factories

CLIENT = "ACME"
TODAY = timezone.localdate()


@dataclass(frozen=True)
class TaskState:
    kind: str
    status: str
    age: int  # hours before now; equal ages share a creation time


@dataclass(frozen=True)
class ProjectState:
    code: str
    own: bool  # this client's, or another client's
    active: bool
    tasks: tuple[TaskState, ...]


tasks = st.builds(
    TaskState,
    kind=st.sampled_from(["task", "task", "incident"]),
    status=st.sampled_from(["pending", "pending", "done"]),
    age=st.integers(0, 3),
)
projects = st.builds(
    ProjectState,
    code=st.sampled_from([CLIENT, f"{CLIENT}-2", f"{CLIENT}-3", "WEB", "SHOP", "ACMEX"]),
    own=st.booleans(),
    active=st.booleans(),
    tasks=st.lists(tasks, max_size=4).map(tuple),
)
states = st.lists(projects, max_size=5, unique_by=lambda p: p.code)
follow_ups = st.sampled_from(["unchanged", "none", "date"])


def expected_outcome(state: list[ProjectState], choice: int | None):
    """The rules of DESIGN.md, restated over plain data. Returns (kind, detail)."""
    active = [p for p in state if p.own and p.active]
    if choice is not None:
        named = state[choice]
        if not (named.own and named.active):
            return ("invalid_project", None)
        project = named
    elif not active:
        taken = {p.code for p in state}
        code = CLIENT
        n = 2
        while code in taken:
            code = f"{CLIENT}-{n}"
            n += 1
        return ("created", code)
    elif len(active) == 1:
        project = active[0]
    elif own_code := [p for p in active if p.code == CLIENT]:
        project = own_code[0]
    else:
        return ("ambiguous", sorted(p.code for p in active))
    candidates = [
        (-t.age, index)
        for index, t in enumerate(project.tasks)
        if t.kind == "task" and t.status == "pending"
    ]
    task_index = max(candidates)[1] if candidates else None
    return ("used", (project.code, task_index))


@pytest.mark.django_db
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(state=states, choice=st.integers(0, 4) | st.none(), follow_up=follow_ups)
def test_quick_log_agrees_with_the_model(state, choice, follow_up):
    if choice is not None and choice >= len(state):
        choice = None
    expected = expected_outcome(state, choice)

    with transaction.atomic():
        employee = factories.employee("ANA")
        client = factories.client(CLIENT)
        other = factories.client("OTHER")
        now = timezone.now()
        rows: dict[str, Project] = {}
        task_rows: dict[tuple[str, int], Task] = {}
        for p in state:
            rows[p.code] = factories.project(
                client if p.own else other, p.code, status="active" if p.active else "closed"
            )
            for index, t in enumerate(p.tasks):
                task_rows[(p.code, index)] = factories.task(
                    rows[p.code],
                    kind=t.kind,
                    status=t.status,
                    created_at=now - dt.timedelta(hours=t.age),
                    next_follow_up=TODAY + dt.timedelta(days=30),
                )
        before = (Project.objects.count(), Task.objects.count(), Dedication.objects.count())
        next_follow_up = {
            "unchanged": services.UNCHANGED,
            "none": None,
            "date": TODAY + dt.timedelta(days=3),
        }[follow_up]

        try:
            result = services.quick_log(
                client=client,
                employee=employee,
                text="Called",
                next_follow_up=next_follow_up,
                project=rows[state[choice].code] if choice is not None else None,
                recorded_by=None,
                via=Dedication.Via.API,
            )
        except AmbiguousProject as error:
            assert expected == ("ambiguous", sorted(p.code for p in error.candidates))
            outcome = None
        except InvalidInput as error:
            assert expected == ("invalid_project", None)
            assert list(error.fields) == ["project"]
            outcome = None
        else:
            outcome = result

        after = (Project.objects.count(), Task.objects.count(), Dedication.objects.count())
        if outcome is None:
            assert after == before  # a refused log writes nothing
        else:
            kind, detail = expected
            if kind == "created":
                assert outcome.project_created and outcome.project.code == detail
                assert outcome.task_created
                assert after == (before[0] + 1, before[1] + 1, before[2] + 1)
            else:
                code, task_index = detail
                assert not outcome.project_created and outcome.project.code == code
                if task_index is None:
                    assert outcome.task_created
                    assert after == (before[0], before[1] + 1, before[2] + 1)
                else:
                    # Equal creation times: the later insert (higher id) wins, as in the model.
                    assert outcome.task == task_rows[(code, task_index)]
                    assert after == (before[0], before[1], before[2] + 1)
            task = Task.objects.get(pk=outcome.task.pk)
            if follow_up == "unchanged":
                expected_date = None if outcome.task_created else TODAY + dt.timedelta(days=30)
            else:
                expected_date = next_follow_up
            assert task.next_follow_up == expected_date
            assert task.kind == "task" and task.status == "pending"
            assert outcome.dedication.task == task and outcome.dedication.client == client
        transaction.set_rollback(True)

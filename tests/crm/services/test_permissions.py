"""Who may do what: managers (the "managers" group, or superusers) change or delete anyone's
dedications and manage employees; other users change or delete only the dedications they
recorded or whose employee is linked to them; anyone may record for anyone. Hexa itself
(permissions.SYSTEM) may do everything."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from hexa.crm import services
from hexa.crm.errors import Forbidden
from hexa.crm.models import Dedication, DedicationChange, Employee
from hexa.crm.services.permissions import managers_group
from tests import factories
from tests.conftest import every_row

pytestmark = pytest.mark.django_db

MAY_CHANGE = ["manager", "superuser", "recorder", "linked", "system"]
MAY_NOT_CHANGE = [
    "other",
    "staff",
    "other group",
    "inactive manager",
    "inactive superuser",
    "nobody",
    "anonymous",
]
MANAGERS = ["manager", "superuser", "system"]
NOT_MANAGERS = [
    "recorder",
    "linked",
    "other",
    "staff",
    "other group",
    "inactive manager",
    "inactive superuser",
    "nobody",
    "anonymous",
]


@pytest.fixture
def people(db):
    """Every kind of actor, by role. The dedication below is ANA's (linked to `ana`) and was
    recorded by `rec`."""
    manager = factories.user("boss")
    manager.groups.add(managers_group())
    inactive_manager = factories.user("exboss", is_active=False)
    inactive_manager.groups.add(managers_group())
    other_group = factories.user("seller")
    other_group.groups.add(Group.objects.create(name="sales"))
    return {
        "manager": manager,
        "superuser": factories.user("root", is_superuser=True, is_staff=True),
        "recorder": factories.user("rec"),
        "linked": factories.user("ana"),
        "other": factories.user("pepe"),
        "staff": factories.user("admin", is_staff=True),
        "other group": other_group,
        "inactive manager": inactive_manager,
        "inactive superuser": factories.user("exroot", is_superuser=True, is_active=False),
        "system": services.SYSTEM,
        "nobody": None,
        "anonymous": AnonymousUser(),
    }


def actor(people, role: str):
    """A fresh copy of the role's user: is_manager() remembers its answer on the object."""
    person = people[role]
    if hasattr(person, "refresh_from_db"):
        return type(person).objects.get(pk=person.pk)
    return person


@pytest.fixture
def ana_employee(people):
    return factories.employee("ANA", name="Ana", user=people["linked"])


@pytest.fixture
def dedication(people, ana_employee, client_acme) -> Dedication:
    task = factories.task(factories.project(client_acme, "ACME"))
    return factories.dedication(task, ana_employee, text="Called", recorded_by=people["recorder"])


def loaded(dedication: Dedication) -> Dedication:
    return Dedication.objects.select_related("employee", "recorded_by").get(pk=dedication.pk)


# --- Managers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(role, True) for role in MANAGERS] + [(role, False) for role in NOT_MANAGERS],
)
def test_who_is_a_manager(people, role, expected):
    assert services.is_manager(actor(people, role)) is expected


def test_joining_the_managers_group_makes_a_manager(people):
    pepe = actor(people, "other")
    pepe.groups.add(managers_group())

    assert services.is_manager(actor(people, "other"))


# --- Changing and deleting dedications ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(role, True) for role in MAY_CHANGE] + [(role, False) for role in MAY_NOT_CHANGE],
)
def test_who_may_change_a_dedication(people, dedication, role, expected):
    assert services.can_change_dedication(actor(people, role), loaded(dedication)) is expected


@pytest.mark.parametrize("role", MAY_CHANGE)
def test_allowed_roles_change_it_and_are_named_as_who_changed_it(people, dedication, role):
    who = actor(people, role)

    services.change_dedication(loaded(dedication), by=who, text="Corrected", minutes=15)

    row = Dedication.objects.get()
    assert (row.text, row.minutes) == ("Corrected", 15)
    expected = None if role == "system" else people[role]
    assert row.updated_by == expected
    assert DedicationChange.objects.get().changed_by == expected


@pytest.mark.parametrize("role", MAY_NOT_CHANGE)
def test_other_roles_may_not_change_it_and_nothing_is_written(people, dedication, role):
    before = every_row()

    with pytest.raises(Forbidden) as raised:
        services.change_dedication(loaded(dedication), by=actor(people, role), text="Hacked")

    assert raised.value.code == "forbidden"
    assert every_row() == before


@pytest.mark.parametrize("role", MAY_CHANGE)
def test_allowed_roles_delete_it(people, dedication, role):
    services.delete_dedication(loaded(dedication), by=actor(people, role))

    assert not Dedication.objects.exists()
    change = DedicationChange.objects.get()
    assert change.action == "deleted"
    assert change.changed_by == (None if role == "system" else people[role])


@pytest.mark.parametrize("role", MAY_NOT_CHANGE)
def test_other_roles_may_not_delete_it_and_nothing_is_written(people, dedication, role):
    before = every_row()

    with pytest.raises(Forbidden):
        services.delete_dedication(loaded(dedication), by=actor(people, role))

    assert every_row() == before


def test_permission_is_checked_before_the_input(people, dedication):
    """Someone who may not change it learns nothing about which fields exist or are valid."""
    before = every_row()

    with pytest.raises(Forbidden):
        services.change_dedication(loaded(dedication), by=actor(people, "other"), project=None)

    assert every_row() == before


def test_linked_user_who_was_unlinked_loses_the_right(people, dedication, ana_employee):
    services.update_employee(ana_employee, user=None, by=services.SYSTEM)

    assert not services.can_change_dedication(actor(people, "linked"), loaded(dedication))


def test_user_linked_later_gains_the_right(people, dedication, ana_employee):
    services.update_employee(ana_employee, user=people["other"], by=services.SYSTEM)

    assert services.can_change_dedication(actor(people, "other"), loaded(dedication))
    assert not services.can_change_dedication(actor(people, "linked"), loaded(dedication))


def test_changing_the_employee_away_keeps_the_recorders_right_only(people, dedication):
    luis = factories.employee("LUIS")

    services.change_dedication(loaded(dedication), by=actor(people, "linked"), employee=luis)

    assert not services.can_change_dedication(actor(people, "linked"), loaded(dedication))
    assert services.can_change_dedication(actor(people, "recorder"), loaded(dedication))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("manager", True),
        ("system", True),
        ("other", False),
        ("nobody", False),
        pytest.param(
            "anonymous",
            False,
        ),
    ],
)
def test_dedication_recorded_by_nobody_is_for_managers_only(people, client_acme, role, expected):
    unlinked = factories.employee("LUIS")
    logged = factories.dedication(
        factories.task(factories.project(client_acme, "ACME")), unlinked, recorded_by=None
    )

    assert services.can_change_dedication(actor(people, role), loaded(logged)) is expected


# --- Recording for another employee -------------------------------------------------------------


def test_anyone_may_record_for_another_employee_and_it_shows_who_did(people, client_acme):
    luis_user = factories.user("luis")
    luis = factories.employee("LUIS", user=luis_user)
    project = factories.project(client_acme, "ACME")
    pepe = actor(people, "other")

    recorded = services.record_dedication(
        project=project, employee=luis, text="Visit", recorded_by=pepe, via="web"
    )
    logged = services.quick_log(
        client=client_acme, employee=luis, text="Call", recorded_by=pepe, via="api"
    )

    assert [(d.employee, d.recorded_by) for d in Dedication.objects.order_by("id")] == [
        (luis, pepe),
        (luis, pepe),
    ]
    for dedication in (recorded, logged.dedication):
        assert services.can_change_dedication(pepe, loaded(dedication))  # recorded it
        assert services.can_change_dedication(luis_user, loaded(dedication))  # it is his
        assert not services.can_change_dedication(actor(people, "recorder"), loaded(dedication))


# --- Managing employees -------------------------------------------------------------------------


@pytest.mark.parametrize("role", MANAGERS)
def test_managers_create_employees(people, role):
    login = factories.user("newbie")

    services.create_employee(
        code=" eva ", name=" Eva Gil ", email="eva@example.com", user=login, by=actor(people, role)
    )

    eva = Employee.objects.get(code="EVA")
    assert (eva.name, eva.email, eva.user, eva.active) == (
        "Eva Gil",
        "eva@example.com",
        login,
        True,
    )


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_others_may_not_create_employees(people, role):
    before = every_row()

    with pytest.raises(Forbidden) as raised:
        services.create_employee(code="EVA", name="Eva", by=actor(people, role))

    assert raised.value.code == "forbidden"
    assert every_row() == before


@pytest.mark.parametrize("role", MANAGERS)
def test_managers_deactivate_restore_and_link_employees(people, ana_employee, role):
    login = factories.user("newlogin")

    services.update_employee(ana_employee, active=False, by=actor(people, role))
    assert not Employee.objects.get(pk=ana_employee.pk).active

    services.update_employee(ana_employee, active=True, user=login, by=actor(people, role))
    restored = Employee.objects.get(pk=ana_employee.pk)
    assert (restored.active, restored.user) == (True, login)


@pytest.mark.parametrize("role", NOT_MANAGERS)
@pytest.mark.parametrize(
    "changes", [{"active": False}, {"name": "Renamed"}, {"user": None}], ids=str
)
def test_others_may_not_change_employees(people, ana_employee, role, changes):
    before = every_row()

    with pytest.raises(Forbidden):
        services.update_employee(ana_employee, by=actor(people, role), **changes)

    assert every_row() == before


def test_a_user_may_not_link_themselves_to_an_employee(people):
    luis = factories.employee("LUIS")
    pepe = actor(people, "other")

    with pytest.raises(Forbidden):
        services.update_employee(luis, user=pepe, by=pepe)

    assert Employee.objects.get(pk=luis.pk).user is None

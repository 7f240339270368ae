"""Importing (hexa/crm/services/imports/planning.py): planning each row, what is wrong and
why, matching existing clients, and employees' rows."""

from __future__ import annotations

import pytest

from hexa.crm.models import Employee, ImportAction
from hexa.crm.services.imports import plan_import
from hexa.crm.services.permissions import SYSTEM
from tests import factories
from tests.crm.services.imports.conftest import (
    CREATE,
    ERROR,
    UNCHANGED,
    UPDATE,
    actions,
    imported,
    plan_clients,
    reasons,
)
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db


# --- Rows: what is wrong and why ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (["", "Sin código", "", "a@b.es"], "code", "A row needs a code or a tax id."),
        (["", "Sin código", "B99999999", ""], "code", "A new client needs a code."),
        (["MAL CODIGO", "Espacios", "", ""], "code", "letters A-Z"),
        (["X" * 21, "Larguísimo", "", ""], "code", "at most 20"),
        (["NEW", "", "", ""], "name", "cannot be blank"),
        (["NEW", "Nueva", "", "no es un email"], "email", "valid email"),
        (["NEW", "Nueva", "B" + "1" * 20, ""], "tax_id", "at most 20"),
        (["NEW", "Nueva", "B11111111", ""], "tax_id", "B11111111 is client ACME's."),
        (["ACME", "", "", "mal@"], "email", "valid email"),
    ],
)
def test_wrong_rows_say_which_field_and_why(acme, row, field, message):
    plan = plan_clients([["Código", "Nombre", "NIF", "Email"], row])

    assert actions(plan) == [ERROR]
    assert any(f == field and message in m for f, m in plan.rows[0].reasons), plan.rows[0].reasons


def test_every_problem_of_a_row_is_told_at_once():
    plan = plan_clients([["Código", "Nombre", "Email"], ["MAL CODIGO", "", "no"]])

    assert {field for field, _message in plan.rows[0].reasons} == {"code", "name", "email"}


def test_a_code_and_a_tax_id_of_two_different_clients_is_wrong(acme):
    factories.client("OTRO", tax_id="B22222222")

    plan = plan_clients([["Código", "NIF"], ["ACME", "B22222222"]])

    assert actions(plan) == [ERROR]
    assert plan.rows[0].reasons == [["tax_id", "B22222222 is client OTRO's."]]


def test_duplicate_codes_in_the_file_make_every_such_row_wrong(acme):
    plan = plan_clients(
        [["Código", "Nombre"], ["NEW", "Uno"], ["OK", "Bien"], ["new", "Dos"], ["NEW", "Tres"]]
    )

    assert actions(plan) == [ERROR, CREATE, ERROR, ERROR]
    assert plan.rows[0].reasons == [["code", "NEW is also on rows 4, 5."]]
    assert plan.rows[2].reasons == [["code", "NEW is also on rows 2, 5."]]


def test_duplicate_tax_ids_in_the_file_make_both_rows_wrong():
    plan = plan_clients([["Código", "Nombre", "NIF"], ["UNO", "Uno", "B1"], ["DOS", "Dos", "b-1"]])

    assert actions(plan) == [ERROR, ERROR]
    assert plan.rows[1].reasons == [["tax_id", "B1 is also on row 2."]]


def test_two_rows_finding_one_client_by_code_and_by_tax_id_are_both_wrong(acme):
    plan = plan_clients([["Código", "NIF", "Email"], ["ACME", "", "a@a.es"], ["", "B11111111", ""]])

    assert actions(plan) == [ERROR, ERROR]
    assert reasons(plan.rows[0]) == ["The client ACME is also found by row 3."]


def test_a_row_with_more_than_five_duplicates_lists_five():
    plan = plan_clients([["Código", "Nombre"]] + [["SAME", f"N{n}"] for n in range(8)])

    assert reasons(plan.rows[0]) == ["SAME is also on rows 3, 4, 5, 6, 7, …."]


@pytest.mark.parametrize(
    ("cell", "active"), [("sí", False), ("No", True), ("yes", False), ("0", True), ("", None)]
)
def test_an_active_column_archives_and_restores(acme, cell, active):
    if active is False:
        acme.active = False
        acme.save()

    plan = plan_clients([["Código", "Activo"], ["ACME", cell]])

    if active is None:
        assert actions(plan) == [UNCHANGED]
    else:
        assert plan.rows[0].changes == {"active": [active, not active]}


def test_an_active_cell_that_is_not_yes_or_no_is_wrong(acme):
    plan = plan_clients([["Código", "Activo"], ["ACME", "quizá"]])

    assert actions(plan) == [ERROR]
    assert plan.rows[0].reasons == [["active", "Write yes or no (sí/no)."]]


# --- Matching existing clients ------------------------------------------------------------------


def test_rows_find_clients_by_code_whatever_its_case_and_change_only_what_differs(acme):
    plan = plan_clients(
        [
            ["Código", "Nombre", "NIF", "Email", "Teléfono"],
            [" acme ", "Acme Industrial", "", "nuevo@acme.es", ""],
        ]
    )

    assert actions(plan) == [UPDATE]
    assert plan.rows[0].changes == {"email": ["info@acme.es", "nuevo@acme.es"]}
    assert plan.rows[0].record_id == acme.pk


def test_empty_cells_keep_what_the_client_has(acme):
    plan = plan_clients(
        [["Código", "Nombre", "NIF", "Email", "Teléfono"], ["ACME", "", "", "", ""]]
    )

    assert actions(plan) == [UNCHANGED]


@pytest.mark.parametrize("cell", ["-", "--", "?"])
def test_a_tax_id_cell_that_is_no_tax_id_is_wrong_and_clears_nothing(acme, cell):
    plan = plan_clients([["Código", "NIF"], ["ACME", cell]])

    assert actions(plan) == [ImportAction.ERROR]
    assert plan.rows[0].reasons == [["tax_id", f"“{cell}” is not a tax id."]]


def test_rows_find_clients_by_tax_id_written_any_way(acme):
    plan = plan_clients([["Código", "NIF", "Teléfono"], ["", "b-1111 1111", "600 100 200"]])

    assert actions(plan) == [UPDATE]
    assert (plan.rows[0].code, plan.rows[0].changes) == (
        "ACME",
        {"phone": ["958 000", "600 100 200"]},
    )


def test_a_client_matched_by_code_may_get_a_new_tax_id(acme):
    plan = plan_clients([["Código", "NIF"], ["ACME", "B33333333"]])

    assert plan.rows[0].changes == {"tax_id": ["B11111111", "B33333333"]}


def test_the_same_values_are_unchanged(acme):
    plan = plan_clients(
        [
            ["Código", "Nombre", "NIF", "Email"],
            ["ACME", " Acme Industrial ", "B-11111111", "info@acme.es"],
        ]
    )

    assert actions(plan) == [UNCHANGED]


def test_archived_clients_are_found_and_updated(acme):
    acme.active = False
    acme.save()

    plan = plan_clients([["Código", "Email"], ["ACME", "x@acme.es"]])

    assert actions(plan) == [UPDATE]


# --- Employees ----------------------------------------------------------------------------------


def plan_employees(rows, by=SYSTEM):
    return plan_import(csv_bytes(rows), kind="employees", by=by)


def test_employees_are_created_and_updated_and_linked_to_login_users(manager):
    ana_user = factories.user("ana")
    factories.employee("LUIS", name="Luis", email="luis@old.es")
    data = csv_bytes(
        [
            ["Código", "Nombre completo", "Correo", "Usuario", "Activo"],
            ["ANA", "Ana García", "ana@hexa.es", "ana", "sí"],
            ["LUIS", "", "luis@hexa.es", "", "no"],
        ]
    )

    job = imported(data, kind="employees", by=manager)

    assert (job.created, job.updated, job.failed) == (1, 1, 0)
    ana = Employee.objects.get(code="ANA")
    assert (ana.name, ana.email, ana.user, ana.active) == (
        "Ana García",
        "ana@hexa.es",
        ana_user,
        True,
    )
    luis = Employee.objects.get(code="LUIS")
    assert (luis.name, luis.email, luis.active) == ("Luis", "luis@hexa.es", False)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["ANA", "Ana", "nadie"]], [["user", "There is no user nadie."]]),
        ([["ANA", "Ana", "luis"]], [["user", "That login user is already linked to Luis."]]),
        ([["", "Ana", ""]], [["code", "A row needs a code."]]),
        ([["ANA", "", ""]], [["name", "This field cannot be blank."]]),
    ],
)
def test_wrong_employee_rows_say_why(rows, expected):
    factories.employee("LUIS", name="Luis", user=factories.user("luis"))

    plan = plan_employees([["Código", "Nombre", "Usuario"], *rows])

    assert plan.rows[0].reasons == expected


def test_one_login_user_on_two_rows_makes_both_wrong():
    factories.user("ana")

    plan = plan_employees([["Código", "Nombre", "Usuario"], ["A", "A", "ana"], ["B", "B", "ana"]])

    assert actions(plan) == [ERROR, ERROR]
    assert plan.rows[0].reasons == [["user", "ana is also on row 3."]]


def test_an_employee_keeps_their_own_login_user():
    factories.employee("LUIS", name="Luis", user=factories.user("luis"))

    plan = plan_employees([["Código", "Usuario"], ["LUIS", "luis"]])

    assert actions(plan) == [UNCHANGED]

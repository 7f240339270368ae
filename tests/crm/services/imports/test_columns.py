"""Importing (hexa/crm/services/imports/columns.py): finding the columns of a file by their
headers, in Spanish or English, and refusing a file without the ones it needs."""

from __future__ import annotations

import pytest

from tests.crm.services.imports.conftest import CREATE, UPDATE, actions, file_error, plan_clients
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db


# --- Columns ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        ["Código", "Nombre", "NIF", "Email", "Teléfono", "Notas"],
        ["Code", "Name", "Tax id", "E-mail", "Phone", "Notes"],
        ["  CODIGO ", "razón social", "NIF/CIF", "Correo electrónico", "Móvil", "Observaciones"],
        ["code", "NAME", "vat number", "EMAIL", "telefono", "comments"],
        ["Cód.", "Nombre fiscal", "C.I.F.", "correo", "Tel.", "nota"],
    ],
)
def test_headers_are_found_in_spanish_and_english_whatever_the_case_accents_and_spacing(headers):
    plan = plan_clients([headers, ["NEW", "Nueva S.L.", "B22222222", "a@b.es", "600", "Hola"]])

    assert plan.columns.index == {
        "code": 0,
        "name": 1,
        "tax_id": 2,
        "email": 3,
        "phone": 4,
        "notes": 5,
    }
    assert actions(plan) == [CREATE]
    assert plan.rows[0].changes == {
        "tax_id": [None, "B22222222"],
        "email": [None, "a@b.es"],
        "phone": [None, "600"],
        "notes": [None, "Hola"],
    }


def test_unknown_columns_are_ignored_and_listed():
    plan = plan_clients([["Código", "Nombre", "Provincia", ""], ["NEW", "Nueva", "Granada", ""]])

    assert plan.columns.ignored == ["Provincia"]
    assert plan.rows[0].values == {"code": "NEW", "name": "Nueva"}


def test_two_columns_for_one_field_are_refused():
    message = file_error(csv_bytes([["Código", "NIF", "CIF"], ["A", "B1", "B2"]]))

    assert "“NIF”, “CIF”" in message
    assert "Tax id" in message


def test_a_file_without_code_or_tax_id_column_is_refused_naming_its_columns():
    message = file_error(csv_bytes([["Nombre", "Email"], ["Nueva", "a@b.es"]]))

    assert "no column for the code or the tax id" in message
    assert "“Nombre”, “Email”" in message


def test_an_employees_file_without_code_column_is_refused():
    message = file_error(csv_bytes([["Nombre", "NIF"], ["Ana", "1"]]), kind="employees")

    assert "no column for the code" in message


def test_a_file_with_only_a_tax_id_column_finds_clients_by_it(acme):
    plan = plan_clients([["NIF", "Email"], ["b-1111 1111", "nuevo@acme.es"]])

    assert actions(plan) == [UPDATE]
    assert plan.rows[0].code == "ACME"
    assert plan.rows[0].changes == {"email": ["info@acme.es", "nuevo@acme.es"]}


def test_a_title_and_blank_rows_above_the_header_are_skipped_and_rows_keep_their_numbers():
    plan = plan_clients(
        [
            ["Listado de clientes a 28/11/2026"],
            [],
            ["Código", "Nombre"],
            ["UNO", "Uno"],
            [],
            ["DOS", "Dos"],
        ]
    )

    assert [(row.number, row.code) for row in plan.rows] == [(4, "UNO"), (6, "DOS")]

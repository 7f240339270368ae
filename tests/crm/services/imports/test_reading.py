"""Importing (hexa/crm/services/imports/reading.py): reading files, their encodings and
separators, and XLSX workbooks, without the ORM."""

from __future__ import annotations

import pytest

from hexa.crm.services.imports import plan_import, reading
from hexa.crm.services.permissions import SYSTEM
from tests.crm.services.imports.conftest import (
    CREATE,
    ERROR,
    UPDATE,
    actions,
    file_error,
    plan_clients,
    reasons,
)
from tests.spreadsheets import csv_bytes, many_clients, xlsx_bytes

pytestmark = pytest.mark.django_db


# --- Files: encodings, separators, XLSX ---------------------------------------------------------


SPANISH = [["Código", "Nombre", "Notas"], ["ÑANDÚ", "Ñandú Peñalver, S.L.", "Cuesta 5 €"]]


@pytest.mark.parametrize(
    ("encoding", "bom", "described"),
    [
        ("utf-8", False, "UTF-8"),
        ("utf-8", True, "UTF-8 with BOM"),
        ("cp1252", False, "Windows-1252"),
    ],
)
def test_utf8_with_or_without_bom_and_windows_1252_read_the_same(encoding, bom, described):
    plan = plan_clients(
        [["Código", "Nombre", "Notas"], ["NANDU", "Ñandú Peñalver", "5 €"]],
        encoding=encoding,
        bom=bom,
    )

    assert plan.columns.index == {"code": 0, "name": 1, "notes": 2}
    assert (plan.rows[0].name, plan.rows[0].changes["notes"]) == ("Ñandú Peñalver", [None, "5 €"])
    assert described in plan.file_format


def test_accented_codes_are_wrong_whatever_the_encoding():
    plan = plan_clients(SPANISH, encoding="cp1252")

    assert actions(plan) == [ERROR]
    assert plan.rows[0].reasons[0][0] == "code"


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_semicolon_comma_and_tab_separators(separator):
    rows = [["Código", "Nombre", "Email"], ["UNO", "Uno, S.L.", "uno@uno.es"], ["DOS", "Dos", ""]]

    plan = plan_clients(rows, separator=separator)

    assert [(row.code, row.name) for row in plan.rows] == [("UNO", "Uno, S.L."), ("DOS", "Dos")]
    assert actions(plan) == [CREATE, CREATE]


def test_a_one_column_file_is_read():
    plan = plan_clients([["Código"], ["UNO"]])

    assert plan.rows[0].values == {"code": "UNO"}


def test_a_value_with_the_separator_and_no_quotes_is_a_wrong_row():
    data = b"Codigo,Nombre,Email\r\nUNO,Uno, S.L.,uno@uno.es\r\nDOS,Dos,dos@dos.es\r\n"

    plan = plan_import(data, kind="clients", by=SYSTEM)

    assert actions(plan) == [ERROR, CREATE]
    assert "needs quotes" in reasons(plan.rows[0])[0]


def test_a_file_neither_utf8_nor_windows_1252_is_refused():
    # 0x81 and 0x8d mean nothing in Windows-1252, and are not UTF-8 either.
    message = file_error(b"Codigo;Nombre\r\nUNO;Caf\x81\x8d\r\n")

    assert "UTF-8" in message


def test_utf16_without_bom_is_refused_and_with_bom_is_read():
    text = "Código;Nombre\r\nUNO;Uno\r\n"

    assert "not text" in file_error(text.encode("utf-16-le"))
    plan = plan_import(text.encode("utf-16"), kind="clients", by=SYSTEM)
    assert actions(plan) == [CREATE]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\r\n\r\n", "empty"),
        (b"Codigo;Nombre\r\n", "no rows"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel"),
        (b"PK\x03\x04 not really a workbook", "Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text"),
    ],
)
def test_files_that_cannot_be_imported_say_why(data, message):
    assert message in file_error(data)


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_BYTES", 100)

    assert "larger than" in file_error(csv_bytes(many_clients(10)))


def test_a_workbook_too_large_once_unpacked_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 1000)

    assert "too large once unpacked" in file_error(xlsx_bytes(many_clients(5)))


def test_a_file_over_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 5)

    assert "more than 5 rows" in file_error(csv_bytes(many_clients(6)))


def workbook(cells: dict[str, object]) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    for at, value in cells.items():
        book.active[at] = value
        book.active[at].font = Font(bold=True)
    book.active["XFD3"].font = Font(bold=True)  # styled but empty, as far right as can be
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_is_read_as_far_as_its_cells_not_its_claimed_size():
    data = workbook({"A1": "Código", "B1": "Nombre", "A2": "UNO", "B2": "Uno"})

    plan = plan_import(data, kind="clients", by=SYSTEM, file_name="c.xlsx")

    assert [(row.code, row.name) for row in plan.rows] == [("UNO", "Uno")]


@pytest.mark.parametrize(
    ("stray", "said"),
    [
        ("XFD2", "Row 2 has more than 100 columns: Hexa reads up to 100."),
        ("A200000", "The file has more than 50,000 rows: split it."),
    ],
)
def test_a_stray_cell_far_away_is_refused_at_once(stray, said):
    cells = {"A1": "Código", "B1": "Nombre", "A2": "UNO", "B2": "Uno", stray: "x"}

    assert file_error(workbook(cells)) == said


def test_xlsx_numbers_dates_and_booleans_read_as_they_show(acme):
    import datetime as dt

    data = xlsx_bytes(
        [
            ["Clientes de la feria"],
            ["Código", "Nombre", "Teléfono", "Notas", "Activo"],
            [1001, "Mil Uno", 958221430, dt.datetime(2026, 11, 3), True],
            ["ACME", None, None, None, False],
        ]
    )

    plan = plan_import(data, kind="clients", by=SYSTEM, file_name="clientes.xlsx")

    assert "Clientes" in plan.file_format
    assert actions(plan) == [CREATE, UPDATE]
    assert plan.rows[0].code == "1001"
    assert plan.rows[0].changes == {"phone": [None, "958221430"], "notes": [None, "2026-11-03"]}
    assert plan.rows[1].changes == {"active": [True, False]}

"""Importing clients and employees: reading files, finding columns, planning each row, and
applying the plan in chunks, checked again against the data of the moment."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from hexa.crm.errors import Conflict, Forbidden, InvalidInput, NotFound
from hexa.crm.models import Client, Employee, ImportAction, ImportJob, ImportRow
from hexa.crm.services import imports
from hexa.crm.services.imports import jobs, plan_import, planning, reading
from hexa.crm.services.permissions import SYSTEM
from tests import factories
from tests.spreadsheets import csv_bytes, many_clients, xlsx_bytes

pytestmark = pytest.mark.django_db

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def acme(db):
    return factories.client(
        "ACME", name="Acme Industrial", tax_id="B11111111", email="info@acme.es", phone="958 000"
    )


def plan_clients(rows, **options):
    return plan_import(csv_bytes(rows, **options), kind="clients", by=SYSTEM, file_name="c.csv")


def actions(plan) -> list[str]:
    return [row.action for row in plan.rows]


def reasons(row) -> list[str]:
    return [message for _field, message in row.reasons]


def file_error(data: bytes, kind: str = "clients") -> str:
    with pytest.raises(InvalidInput) as caught:
        plan_import(data, kind=kind, by=SYSTEM)
    assert list(caught.value.fields) == ["file"]
    return caught.value.message


def imported(data: bytes, *, kind: str = "clients", by=SYSTEM, rows: int = 250) -> ImportJob:
    """Plan, keep, confirm and apply `data`, as the web page and the command do."""
    job = imports.save_plan(plan_import(data, kind=kind, by=by, file_name="f.csv"), by=by)
    imports.confirm_import(job, by=by)
    return imports.apply_import(job, by=by, rows=rows)


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


# --- Dry run and apply --------------------------------------------------------------------------

MIXED = [
    ["Código", "Nombre", "NIF", "Email"],
    ["NEW", "Nueva S.L.", "B44444444", "hola@nueva.es"],
    ["ACME", "", "", "nuevo@acme.es"],
    ["BAD", "Mala", "", "no-email"],
    ["ACME2", "", "", ""],
]


def test_planning_and_keeping_a_plan_write_no_client(acme):
    before = list(Client.objects.values_list("code", "name", "email").order_by("code"))

    plan = plan_clients(MIXED)
    job = imports.save_plan(plan, by=SYSTEM)

    assert list(Client.objects.values_list("code", "name", "email").order_by("code")) == before
    assert (job.status, job.rows, job.to_create, job.to_update, job.unchanged, job.wrong) == (
        "planned",
        4,
        1,
        1,
        0,
        2,
    )
    rows = {row.number: row for row in ImportRow.objects.filter(job=job)}
    assert rows[4].reasons == [["email", "Enter a valid email address."]]
    assert rows[5].reasons == [["name", "This field cannot be blank."]]


def test_a_plan_is_not_applied_before_it_is_confirmed(acme):
    job = imports.save_plan(plan_clients(MIXED), by=SYSTEM)

    job = imports.apply_next_chunk(job, by=SYSTEM)

    assert job.status == "planned"
    assert not Client.objects.filter(code="NEW").exists()


def test_apply_creates_and_updates_and_skips_wrong_rows(acme):
    job = imported(csv_bytes(MIXED))

    assert (job.status, job.created, job.updated, job.kept, job.failed, job.processed) == (
        "done",
        1,
        1,
        0,
        0,
        4,
    )
    new = Client.objects.get(code="NEW")
    assert (new.name, new.tax_id, new.email, new.active) == (
        "Nueva S.L.",
        "B44444444",
        "hola@nueva.es",
        True,
    )
    acme.refresh_from_db()
    assert (acme.name, acme.email, acme.phone) == ("Acme Industrial", "nuevo@acme.es", "958 000")
    assert not Client.objects.filter(code__in=["BAD", "ACME2"]).exists()
    outcomes = dict(ImportRow.objects.filter(job=job).values_list("number", "outcome"))
    assert outcomes == {2: "create", 3: "update", 4: "", 5: ""}


def test_importing_the_same_file_again_changes_nothing(acme):
    data = csv_bytes(MIXED)
    imported(data)
    snapshot = list(Client.objects.values().order_by("code"))

    again = imports.save_plan(plan_import(data, kind="clients", by=SYSTEM), by=SYSTEM)

    assert (again.to_create, again.to_update, again.unchanged, again.wrong) == (0, 0, 2, 2)
    with pytest.raises(Conflict) as refused:
        imports.confirm_import(again, by=SYSTEM)
    assert refused.value.code == "nothing_to_import"
    assert list(Client.objects.values().order_by("code")) == snapshot


def test_a_new_client_archived_by_the_file_is_created_archived():
    imported(csv_bytes([["Código", "Nombre", "Activo"], ["OLD", "Antigua", "no"]]))

    assert Client.objects.get(code="OLD").active is False


def test_a_client_created_after_the_preview_is_not_overwritten(acme):
    job = imports.save_plan(plan_clients(MIXED), by=SYSTEM)
    factories.client("NEW", name="Creada mientras tanto")

    imports.confirm_import(job, by=SYSTEM)
    job = imports.apply_import(job, by=SYSTEM)

    assert (job.created, job.updated, job.failed) == (0, 1, 1)
    assert Client.objects.get(code="NEW").name == "Creada mientras tanto"
    row = ImportRow.objects.get(job=job, number=2)
    assert row.outcome == "error"
    assert "created after the preview" in row.reasons[0][1]


def test_a_tax_id_taken_after_the_preview_fails_that_row_only(acme):
    job = imports.save_plan(plan_clients(MIXED), by=SYSTEM)
    factories.client("OTRA", tax_id="B44444444")

    imports.confirm_import(job, by=SYSTEM)
    job = imports.apply_import(job, by=SYSTEM)

    assert (job.created, job.updated, job.failed) == (0, 1, 1)
    assert ImportRow.objects.get(job=job, number=2).reasons == [
        ["tax_id", "B44444444 is client OTRA's."]
    ]


def test_a_change_made_after_the_preview_is_overwritten_with_the_files_value(acme):
    job = imports.save_plan(plan_clients(MIXED), by=SYSTEM)
    Client.objects.filter(code="ACME").update(email="otro@acme.es", phone="111")

    imports.confirm_import(job, by=SYSTEM)
    imports.apply_import(job, by=SYSTEM)

    acme.refresh_from_db()
    assert (acme.email, acme.phone) == ("nuevo@acme.es", "111")
    assert ImportRow.objects.get(job=job, number=3).changes == {
        "email": ["otro@acme.es", "nuevo@acme.es"]
    }


def test_an_unchanged_row_changed_meanwhile_is_put_back(acme):
    rows = [["Código", "Nombre", "Email"], ["ACME", "", "info@acme.es"], ["NEW", "Nueva", ""]]
    job = imports.save_plan(plan_clients(rows), by=SYSTEM)
    Client.objects.filter(code="ACME").update(email="otro@acme.es")

    job = imports.apply_import(imports.confirm_import(job, by=SYSTEM), by=SYSTEM)

    assert (job.updated, job.kept) == (1, 0)
    assert Client.objects.get(code="ACME").email == "info@acme.es"


def test_chunks_advance_through_the_plan_and_finish(acme):
    job = imports.save_plan(plan_clients(many_clients(7)), by=SYSTEM)
    imports.confirm_import(job, by=SYSTEM)

    first = imports.apply_next_chunk(job, by=SYSTEM, rows=3)
    second = imports.apply_next_chunk(job, by=SYSTEM, rows=3)
    third = imports.apply_next_chunk(job, by=SYSTEM, rows=3)
    after = imports.apply_next_chunk(job, by=SYSTEM, rows=3)

    assert [j.processed for j in (first, second, third, after)] == [3, 6, 7, 7]
    assert [j.status for j in (first, second, third)] == ["applying", "applying", "done"]
    assert Client.objects.filter(code__startswith="C0").count() == 7


def test_confirming_twice_is_harmless_and_a_confirmed_plan_cannot_be_cancelled(acme):
    job = imports.save_plan(plan_clients(MIXED), by=SYSTEM)

    imports.confirm_import(job, by=SYSTEM)
    imports.confirm_import(job, by=SYSTEM)

    with pytest.raises(Conflict):
        imports.cancel_import(job, by=SYSTEM)
    assert ImportJob.objects.get(pk=job.pk).status == "applying"


def test_cancelling_a_plan_forgets_it(acme):
    job = imports.save_plan(plan_clients(MIXED), by=SYSTEM)

    imports.cancel_import(job, by=SYSTEM)

    assert not ImportJob.objects.exists()
    assert not ImportRow.objects.exists()


def test_old_imports_are_forgotten_when_a_new_one_is_kept(acme):
    import datetime as dt

    from django.utils import timezone

    old = imports.save_plan(plan_clients(MIXED), by=SYSTEM)
    ImportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=jobs.KEEP_DAYS + 1)
    )

    new = imports.save_plan(plan_clients(MIXED), by=SYSTEM)

    assert list(ImportJob.objects.values_list("pk", flat=True)) == [new.pk]
    assert set(ImportRow.objects.values_list("job", flat=True)) == {new.pk}


# --- Who may import -----------------------------------------------------------------------------


def test_everyone_signed_in_imports_clients_and_sees_only_their_imports(manager):
    ana, bea = factories.user("ana"), factories.user("bea")
    job = imported(csv_bytes([["Código", "Nombre"], ["UNO", "Uno"]]), by=ana)

    assert imports.import_by_id(job.pk, by=ana) == job
    assert imports.import_by_id(job.pk, by=manager) == job
    with pytest.raises(NotFound):
        imports.import_by_id(job.pk, by=bea)
    assert list(imports.recent_imports(by=bea)) == []
    assert job.created_by == ana
    assert Client.objects.filter(code="UNO").exists()


def test_only_managers_import_employees():
    ana = factories.user("ana")

    with pytest.raises(Forbidden):
        plan_import(csv_bytes([["Código", "Nombre"], ["X", "X"]]), kind="employees", by=ana)
    assert not Employee.objects.exists()


@pytest.mark.parametrize("who", [None, "inactive"])
def test_nobody_and_inactive_users_import_nothing(who):
    user = factories.user("gone", is_active=False) if who else None

    with pytest.raises(Forbidden):
        plan_import(csv_bytes([["Código", "Nombre"], ["X", "X"]]), kind="clients", by=user)


def test_an_employees_import_confirmed_by_someone_no_longer_a_manager_stops(manager):
    job = imports.save_plan(
        plan_import(csv_bytes([["Código", "Nombre"], ["X", "X"]]), kind="employees", by=manager),
        by=manager,
    )
    imports.confirm_import(job, by=manager)
    manager.groups.clear()
    manager = type(manager).objects.get(pk=manager.pk)  # forget the cached answer

    with pytest.raises(Forbidden):
        imports.apply_next_chunk(job, by=manager)
    assert not Employee.objects.exists()


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


# --- 10,000 rows --------------------------------------------------------------------------------


def test_ten_thousand_rows_are_planned_and_applied_with_queries_per_chunk_not_per_row(acme):
    rows = many_clients(10_000)
    rows[5000][0] = "ACME"  # one update among the creations
    data = csv_bytes(rows)

    with CaptureQueriesContext(connection) as planning:
        plan = plan_import(data, kind="clients", by=SYSTEM)
        job = imports.save_plan(plan, by=SYSTEM)
    imports.confirm_import(job, by=SYSTEM)
    chunks = []
    while job.status != "done":
        with CaptureQueriesContext(connection) as chunk:
            job = imports.apply_next_chunk(job, by=SYSTEM, rows=1000)
        chunks.append(len(chunk))

    assert (job.to_create, job.to_update, job.wrong) == (9_999, 1, 0)
    # Lookups and inserts go by 900 (planning.BATCH): 12 batches of codes, of tax ids and of
    # plan rows, and a few more; a chunk of 1,000 rows takes two of each.
    assert len(planning) <= 45, len(planning)
    assert len(chunks) == 10
    assert max(chunks) <= 14, chunks
    assert (job.created, job.updated) == (9_999, 1)
    assert Client.objects.count() == 10_000
    assert Client.objects.get(code="ACME").email == "cliente5000@ejemplo.es"


def test_a_chunk_costs_the_same_queries_for_ten_rows_and_for_five_hundred(acme):
    counts = []
    for size in (10, 500):
        job = imports.save_plan(plan_clients(many_clients(size, start=size * 1000)), by=SYSTEM)
        imports.confirm_import(job, by=SYSTEM)
        with CaptureQueriesContext(connection) as chunk:
            imports.apply_next_chunk(job, by=SYSTEM, rows=size)
        counts.append(len(chunk))

    assert counts[0] == counts[1]


def test_a_code_taken_between_the_check_and_the_insert_fails_that_row_on_the_retry(
    acme, monkeypatch
):
    job = imports.save_plan(plan_clients([["Código", "Nombre"], ["NEW", "Nueva"]]), by=SYSTEM)
    imports.confirm_import(job, by=SYSTEM)
    factories.client("NEW", name="Creada entre la comprobación y el alta")
    importer = planning.IMPORTERS["clients"]
    real_known = importer.known
    calls = []

    def blind_first(plans, *, lock):
        # The first attempt does not see NEW, as if it were created right after the check.
        calls.append(lock)
        known = real_known(plans, lock=lock)
        if len(calls) == 1:
            known.by_code.clear()
        return known

    monkeypatch.setattr(importer, "known", blind_first)

    job = imports.apply_next_chunk(job, by=SYSTEM)

    assert calls == [True, True]
    assert (job.status, job.created, job.failed) == ("done", 0, 1)
    assert Client.objects.get(code="NEW").name == "Creada entre la comprobación y el alta"


APPLY_UNTIL_DONE = """
from hexa.crm.models import ImportJob
from hexa.crm.services import imports
from hexa.crm.services.permissions import SYSTEM
job = ImportJob.objects.get(pk={pk})
chunks = 0
while job.status != "done":
    job = imports.apply_next_chunk(job, by=SYSTEM, rows=50)
    chunks += 1
print(chunks)
"""


def test_simultaneous_processes_applying_one_import_apply_each_row_once(tmp_path):
    """Two app processes get requests for the next chunk of one import at once (two tabs, a
    retry): they queue on the import's row and apply different chunks, on a real database
    file or server, not the test's in-memory one."""
    import subprocess

    from tests.conftest import HEXA, live_database, live_query

    path = tmp_path / "many.csv"
    path.write_bytes(csv_bytes(many_clients(1_000)))
    plan = (
        "from hexa.crm.services import imports\n"
        "from hexa.crm.services.permissions import SYSTEM\n"
        f"data = open({str(path)!r}, 'rb').read()\n"
        "plan = imports.plan_import(data, kind='clients', by=SYSTEM)\n"
        "job = imports.confirm_import(imports.save_plan(plan, by=SYSTEM), by=SYSTEM)\n"
        "print(job.pk)\n"
    )
    with live_database(tmp_path / "live") as env:
        made = subprocess.run(
            [str(HEXA), "shell", "--no-imports", "-c", plan],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        pk = int(made.stdout.strip())
        workers = [
            subprocess.Popen(
                [str(HEXA), "shell", "--no-imports", "-c", APPLY_UNTIL_DONE.format(pk=pk)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        results = [worker.communicate(timeout=120) for worker in workers]

        assert [worker.returncode for worker in workers] == [0, 0, 0], results
        chunks = [int(out.strip()) for out, _err in results]
        assert sum(chunks) >= 20  # 1,000 rows by 50, shared among them (and a last look each)
        assert live_query(
            env, "SELECT status, processed, created FROM crm_importjob WHERE id = %s", pk
        ) == [("done", 1_000, 1_000)]
        assert live_query(env, "SELECT COUNT(*) FROM crm_client")[0][0] == 1_000

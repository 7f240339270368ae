"""The import pages through Django's test client: access, upload, preview, confirm (with and
without htmx), cancel, bad files, and query counts that do not grow with the file."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hexa.crm.models import Client, Employee, ImportJob
from hexa.crm.services import imports
from hexa.crm.services.imports import applying
from hexa.web.views import importing
from tests import factories
from tests.spreadsheets import csv_bytes, many_clients, xlsx_bytes
from tests.web.conftest import signed_in_client

pytestmark = pytest.mark.django_db

MIXED = [
    ["Código", "Nombre", "NIF", "Email", "Provincia"],
    ["NUEVA", "Nueva Distribución S.L.", "B44444444", "hola@nueva.es", "Sevilla"],
    ["ACME", "", "", "compras@acme.es", ""],
    ["MALA", "Mala", "", "no-es-email", ""],
    ["", "Sin código", "", "", ""],
]


@pytest.fixture
def acme(db):
    factories.client("ZETA", name="Zeta")
    return factories.client("ACME", name="Acme Industrial", email="info@acme.es")


def upload(web, rows=MIXED, *, kind="clients", name="clientes.csv", data=None):
    file = SimpleUploadedFile(name, data if data is not None else csv_bytes(rows))
    return web.post(f"/imports/{kind}/", {"file": file})


def uploaded(web, rows=MIXED, **options) -> ImportJob:
    response = upload(web, rows, **options)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.latest("id")
    assert response["Location"] == f"/imports/{job.pk}/"
    return job


def htmx(web, path, **headers):
    return web.post(path, HTTP_HX_REQUEST="true", **headers)


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/imports/clients/"),
        ("get", "/imports/employees/"),
        ("post", "/imports/clients/"),
        ("get", "/imports/{job}/"),
        ("post", "/imports/{job}/apply/"),
        ("post", "/imports/{job}/cancel/"),
    ],
)
def test_every_import_page_needs_a_signed_in_user(client, ana, acme, method, path):
    job = uploaded(signed_in_client(client, ana))
    client.logout()

    response = getattr(client, method)(path.format(job=job.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert ImportJob.objects.get(pk=job.pk).status == "planned"


def test_employees_import_is_refused_to_non_managers(web):
    assert web.get("/imports/employees/").status_code == 403
    response = upload(web, [["Código", "Nombre"], ["X", "X"]], kind="employees")

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_managers_import_employees(client, manager):
    web = signed_in_client(client, manager)

    job = uploaded(
        web, [["Código", "Nombre", "Email"], ["ANA", "Ana", "ana@hexa.es"]], kind="employees"
    )
    response = web.post(f"/imports/{job.pk}/apply/")

    assert response.status_code == 302
    assert Employee.objects.get(code="ANA").email == "ana@hexa.es"


def test_someone_elses_import_is_not_found_but_managers_see_it(client, ana, manager, acme):
    job = uploaded(signed_in_client(client, ana))
    bea = signed_in_client(client, factories.user("bea"))

    for method, path in [("get", ""), ("post", "apply/"), ("post", "cancel/")]:
        assert getattr(bea, method)(f"/imports/{job.pk}/{path}").status_code == 404
    assert ImportJob.objects.get(pk=job.pk).status == "planned"
    seen = signed_in_client(client, manager).get(f"/imports/{job.pk}/")
    assert seen.status_code == 200
    assert seen.context["job"] == job


def test_an_unknown_import_is_not_found(web):
    response = web.get("/imports/999/")

    assert response.status_code == 404
    assert "There is nothing at this address" in response.content.decode()


# --- Upload and preview -------------------------------------------------------------------------


def test_the_upload_page_says_which_columns_it_understands(web):
    response = web.get("/imports/clients/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert "NIF, CIF, tax id" in html
    assert "Windows-1252" in html


def test_uploading_a_file_shows_its_plan_and_writes_no_client(web, ana, acme):
    job = uploaded(web)

    assert (job.kind, job.file_name, job.created_by, job.via) == (
        "clients",
        "clientes.csv",
        ana,
        "web",
    )
    assert (job.to_create, job.to_update, job.unchanged, job.wrong) == (1, 1, 0, 2)
    assert not Client.objects.filter(code="NUEVA").exists()
    assert Client.objects.get(code="ACME").email == "info@acme.es"
    page = web.get(f"/imports/{job.pk}/").content.decode()
    assert "CSV, UTF-8, separated by “;”" in page
    assert "Import 2 rows" in page
    assert "Provincia" in page  # among the columns, ignored
    assert "<del>info@acme.es</del> → <ins>compras@acme.es</ins>" in page
    assert "Enter a valid email address." in page
    assert "A row needs a code or a tax id." in page


def test_the_preview_shows_one_kind_of_row_at_a_time(web, acme):
    job = uploaded(web)

    wrong = web.get(f"/imports/{job.pk}/?show=error").content.decode()

    assert 'id="import-row-4"' in wrong and 'id="import-row-5"' in wrong
    assert 'id="import-row-2"' not in wrong
    bogus = web.get(f"/imports/{job.pk}/?show=bogus")
    assert 'id="import-row-2"' in bogus.content.decode()


def test_the_preview_is_paged(web):
    job = uploaded(web, many_clients(120))

    second = web.get(f"/imports/{job.pk}/?page=2").content.decode()

    assert 'id="import-row-52"' in second and 'id="import-row-101"' in second
    assert 'id="import-row-51"' not in second
    assert "Page 2 of 3" in second


def test_htmx_asks_for_the_rows_alone(web, acme):
    job = uploaded(web)

    response = web.get(
        f"/imports/{job.pk}/?show=create", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-rows"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="import-rows"')
    assert "<html" not in html


def test_an_xlsx_file_is_read(web):
    data = xlsx_bytes([["Code", "Name", "Phone"], ["UNO", "Uno", 958221430]])

    job = uploaded(web, name="clients.xlsx", data=data)

    assert job.to_create == 1
    assert "Excel workbook" in job.file_format


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Codigo;Nombre\r\nUNO;Caf\x81\x8d\r\n", "not text in UTF-8 or Windows-1252"),
        (
            csv_bytes([["Nombre", "Email"], ["Uno", "a@b.es"]]),
            "no column for the code or the tax id",
        ),
        (csv_bytes([["NIF", "CIF"], ["B1", "B2"]]), "keep one of them"),
        (b"Codigo;Nombre\r\n", "no rows below it"),
        (b"", "The submitted file is empty."),
        (b"PK\x03\x04 broken", "cannot be read as an Excel workbook"),
    ],
)
def test_a_file_that_cannot_be_imported_says_why_on_the_form(web, data, message):
    response = upload(web, data=data)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_file_error"' in html
    assert message in html
    assert not ImportJob.objects.exists()


def test_no_file_is_a_form_error(web):
    response = web.post("/imports/clients/", {})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(web, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 10)

    response = upload(web)

    assert "larger than" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_preview_does_not_query_more_for_a_bigger_file(web):
    counts = []
    for size in (5, 300):
        job = uploaded(web, many_clients(size, start=size * 1000))
        with CaptureQueriesContext(connection) as queries:
            assert web.get(f"/imports/{job.pk}/").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1], counts


# --- Confirm and apply --------------------------------------------------------------------------


def test_confirming_without_javascript_imports_and_shows_the_result(web, acme):
    job = uploaded(web)

    response = web.post(f"/imports/{job.pk}/apply/")

    assert response.status_code == 302
    assert response["Location"] == f"/imports/{job.pk}/"
    assert Client.objects.get(code="NUEVA").email == "hola@nueva.es"
    assert Client.objects.get(code="ACME").email == "compras@acme.es"
    assert not Client.objects.filter(code="MALA").exists()
    page = web.get(response["Location"]).content.decode()
    assert "Import finished." in page
    assert "100 % · 4 of 4 rows" in page
    assert ">created<" in page and ">skipped<" in page


def test_without_javascript_a_long_import_stops_after_a_while_and_continues(web, monkeypatch):
    monkeypatch.setattr(applying, "CHUNK_ROWS", 10)
    monkeypatch.setattr(importing, "NO_SCRIPT_SECONDS", 0)
    job = uploaded(web, many_clients(25))

    web.post(f"/imports/{job.pk}/apply/")

    job.refresh_from_db()
    assert (job.status, job.processed) == ("applying", 10)
    page = web.get(f"/imports/{job.pk}/").content.decode()
    assert "<noscript>" in page and "Continue" in page
    assert 'hx-trigger="load"' in page  # with JavaScript, it goes on by itself
    web.post(f"/imports/{job.pk}/apply/")
    web.post(f"/imports/{job.pk}/apply/")
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 25)


def test_htmx_applies_chunks_for_a_moment_and_says_when_it_is_done(web, monkeypatch):
    monkeypatch.setattr(applying, "CHUNK_ROWS", 10)
    monkeypatch.setattr(importing, "PROGRESS_SECONDS", 0)  # one chunk per request
    job = uploaded(web, many_clients(15))

    first = htmx(web, f"/imports/{job.pk}/apply/")

    html = first.content.decode()
    assert html.lstrip().startswith('<section id="import-status" class="import-status applying"')
    assert '<progress id="import-progress" value="10" max="15">' in html
    assert 'hx-trigger="load"' in html
    assert "HX-Trigger" not in first
    last = htmx(web, f"/imports/{job.pk}/apply/")
    assert "100 % · 15 of 15 rows" in last.content.decode()
    assert last["HX-Trigger"] == "hexa:import-done"
    assert Client.objects.filter(code__startswith="C").count() == 15


def test_applying_again_after_the_end_changes_nothing(web, acme):
    job = uploaded(web)
    web.post(f"/imports/{job.pk}/apply/")
    snapshot = list(Client.objects.values().order_by("code"))

    response = web.post(f"/imports/{job.pk}/apply/")

    assert response.status_code == 302
    assert list(Client.objects.values().order_by("code")) == snapshot


def test_a_file_with_nothing_to_import_offers_no_confirmation(web, acme):
    job = uploaded(web, [["Código", "Email"], ["ACME", "info@acme.es"], ["MALA", "x"]])

    page = web.get(f"/imports/{job.pk}/").content.decode()
    response = web.post(f"/imports/{job.pk}/apply/", follow=True)

    assert "Nothing to import" in page
    assert "import-confirm" not in page
    assert "No row of this file can be imported." in response.content.decode()
    assert ImportJob.objects.get(pk=job.pk).status == "planned"


def test_apply_only_answers_post(web, acme):
    job = uploaded(web)

    assert web.get(f"/imports/{job.pk}/apply/").status_code == 405
    assert ImportJob.objects.get(pk=job.pk).status == "planned"


def test_cancelling_forgets_the_plan(web, acme):
    job = uploaded(web)

    response = web.post(f"/imports/{job.pk}/cancel/", follow=True)

    assert response.redirect_chain[-1][0] == "/imports/clients/"
    assert "cancelled: nothing was written" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not Client.objects.filter(code="NUEVA").exists()


def test_a_confirmed_import_cannot_be_cancelled(web, acme):
    job = uploaded(web)
    web.post(f"/imports/{job.pk}/apply/")

    response = web.post(f"/imports/{job.pk}/cancel/", follow=True)

    assert "can no longer be cancelled" in response.content.decode()
    assert ImportJob.objects.get(pk=job.pk).status == "done"


def test_recent_imports_are_listed_on_the_upload_page(web, acme):
    job = uploaded(web)
    web.post(f"/imports/{job.pk}/apply/")

    page = web.get("/imports/clients/").content.decode()

    assert f'href="/imports/{job.pk}/"' in page
    assert "1 created, 1 updated" in page


def test_htmx_confirming_a_file_with_nothing_to_import_reloads_the_page(web, acme):
    job = uploaded(web, [["Código", "Email"], ["ACME", "info@acme.es"]])

    response = htmx(web, f"/imports/{job.pk}/apply/")

    assert response["HX-Redirect"] == f"/imports/{job.pk}/"
    assert "No row of this file can be imported." in web.get(f"/imports/{job.pk}/").content.decode()

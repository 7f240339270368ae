"""Importing clients in headless Chromium: upload, the preview with its reasons, confirm,
the progress bar, and the clients in the explorer; with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from hexa.crm.models import Client, ImportJob
from hexa.crm.services.imports import applying
from hexa.web.views import importing
from tests import factories
from tests.spreadsheets import csv_bytes
from tests.web.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("short_waits")]
WAIT_MS = 10_000  # short_waits: an import takes longer


@pytest.fixture
def acme(transactional_db):
    return factories.client("ACME", name="Acme Industrial", tax_id="B11111111", email="a@acme.es")


@pytest.fixture
def mixed_file(tmp_path):
    """A Windows-1252 file (as Excel saves it in Spain) with a new client, a change, two wrong
    rows, and 200 more new clients so that the import takes several chunks."""
    rows = [
        ["Código", "Razón social", "NIF/CIF", "Correo electrónico", "Provincia"],
        ["NUEVA", "Nueva Distribución S.L.", "B44444444", "hola@nueva.es", "Sevilla"],
        ["ACME", "", "", "compras@acme.es", "Granada"],
        ["MALA", "Peña Mala", "", "no-es-email", "Jaén"],
        ["OTRA", "Otra", "B11111111", "", ""],
    ]
    rows += [[f"LOTE{n:03d}", f"Cliente del lote {n}", "", "", ""] for n in range(1, 201)]
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes(rows, encoding="cp1252"))
    return path


def row(page: Page, number: int):
    return page.locator(f"#import-row-{number}")


def upload(page: Page, live_server, path) -> None:
    page.goto(f"{live_server.url}/imports/clients/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_role("heading", name=re.compile("Import of clients"))).to_be_visible()


def expect_preview(page: Page) -> None:
    counts = page.locator("#import-status .import-counts")
    expect(counts).to_contain_text("201 to create")
    expect(counts).to_contain_text("1 to update")
    expect(counts).to_contain_text("2 wrong")
    expect(row(page, 2)).to_contain_text("new")
    expect(row(page, 3)).to_contain_text("update")
    expect(row(page, 3)).to_contain_text("a@acme.es → compras@acme.es")
    expect(row(page, 4)).to_contain_text("wrong")
    expect(row(page, 4)).to_contain_text("Email: Enter a valid email address.")
    expect(row(page, 4)).to_contain_text("Peña Mala")  # Windows-1252 read as such
    expect(row(page, 5)).to_contain_text("Tax id: B11111111 is client ACME's.")


def test_upload_preview_confirm_and_watch_the_progress(
    signed_in, live_server, acme, mixed_file, monkeypatch
):
    monkeypatch.setattr(applying, "CHUNK_ROWS", 40)  # six chunks, one per request: the bar moves
    monkeypatch.setattr(importing, "PROGRESS_SECONDS", 0)
    page = signed_in

    upload(page, live_server, mixed_file)

    expect_preview(page)
    assert not Client.objects.filter(code="NUEVA").exists()
    page.get_by_role("link", name=re.compile("Wrong")).click()
    expect(page.locator("table.import-rows tbody tr")).to_have_count(2)
    page.get_by_role("link", name=re.compile("All")).click()

    # Every value the bar shows, as htmx swaps it in.
    page.evaluate(
        """() => { window.seen = [];
        document.body.addEventListener("htmx:afterSwap", () => {
            const bar = document.getElementById("import-progress");
            if (bar) window.seen.push(bar.value); }); }"""
    )
    page.get_by_role("button", name="Import 202 rows").click()

    status = page.locator("#import-status")
    expect(status.locator("progress")).to_have_attribute("max", "204")
    expect(status).to_contain_text("100 % · 204 of 204 rows")
    assert list(dict.fromkeys(page.evaluate("window.seen"))) == [40, 80, 120, 160, 200, 204]
    expect(status).to_contain_text("201 created")
    expect(status).to_contain_text("1 updated")
    expect(status).to_contain_text("2 skipped")
    expect(row(page, 2)).to_contain_text("created")  # the rows below refreshed themselves
    expect(row(page, 4)).to_contain_text("skipped")
    job = ImportJob.objects.get()
    assert (job.status, job.created, job.updated) == ("done", 201, 1)

    page.get_by_role("button", name="See the clients").click()
    page.locator("#id_q").fill("nueva")
    expect(page.locator("#client-row-NUEVA")).to_contain_text("Nueva Distribución S.L.")
    assert Client.objects.get(code="ACME").email == "compras@acme.es"


def test_a_file_that_cannot_be_imported_says_why_on_the_form(signed_in, live_server, tmp_path):
    path = tmp_path / "sin-codigo.csv"
    path.write_bytes(csv_bytes([["Nombre", "Email"], ["Uno", "a@b.es"]]))
    page = signed_in

    page.goto(f"{live_server.url}/imports/clients/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Read the file").click()

    expect(page.locator("#id_file_error")).to_contain_text("no column for the code or the tax id")
    expect(page.locator("#id_file")).to_have_attribute("aria-invalid", "true")
    assert not ImportJob.objects.exists()


def test_cancelling_the_preview_writes_nothing(signed_in, live_server, acme, mixed_file):
    page = signed_in
    upload(page, live_server, mixed_file)

    page.get_by_role("button", name="Cancel").click()

    expect(page.locator("#messages")).to_contain_text("cancelled: nothing was written")
    assert not ImportJob.objects.exists()
    assert Client.objects.count() == 1


def test_without_javascript_the_import_goes_by_pages_and_continue_buttons(
    browser, live_server, ana, acme, mixed_file, monkeypatch
):
    monkeypatch.setattr(applying, "CHUNK_ROWS", 100)
    monkeypatch.setattr(importing, "NO_SCRIPT_SECONDS", 0)  # one chunk per request
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    sign_in(context, live_server, ana)
    page = context.new_page()

    upload(page, live_server, mixed_file)
    expect_preview(page)
    page.get_by_role("button", name="Import 202 rows").click()

    status = page.locator("#import-status")
    expect(status).to_contain_text("49 % · 100 of 204 rows")
    page.get_by_role("button", name="Continue").click()
    expect(status).to_contain_text("98 % · 200 of 204 rows")
    page.get_by_role("button", name="Continue").click()
    expect(status).to_contain_text("100 % · 204 of 204 rows")
    expect(status).to_contain_text("201 created")
    expect(row(page, 2)).to_contain_text("created")
    assert Client.objects.filter(code__startswith="LOTE").count() == 200
    context.close()


def test_on_a_phone_the_preview_reads_as_cards(browser, live_server, ana, acme, mixed_file):
    context = browser.new_context(viewport={"width": 360, "height": 760}, locale="en-GB")
    sign_in(context, live_server, ana)
    page = context.new_page()

    upload(page, live_server, mixed_file)

    expect_preview(page)
    box = row(page, 4).bounding_box()
    assert box is not None and box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()

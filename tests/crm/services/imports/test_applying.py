"""Importing (hexa/crm/services/imports/applying.py): applying a confirmed plan in chunks,
checked again against the data of the moment, at 10,000 rows and from simultaneous
processes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hexa.crm.errors import Conflict
from hexa.crm.models import Client, ImportRow
from hexa.crm.services import imports
from hexa.crm.services.imports import plan_import, planning
from hexa.crm.services.permissions import SYSTEM
from tests import factories
from tests.crm.services.imports.conftest import MIXED, imported, plan_clients
from tests.spreadsheets import csv_bytes, many_clients

pytestmark = pytest.mark.django_db


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

"""Spanish as a Spaniard writes it, on the pages that got it wrong: the empty choice of a
list, a former employee, "no task", import counts, breadcrumbs, and people's names where a
person is meant (not their login)."""

from __future__ import annotations

import re

import pytest

from hexa.crm.models import Dedication, Task
from hexa.crm.services import imports
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ana_is_manager")]


@pytest.fixture
def acme_task(ana):
    acme_task = factories.client("ACME", name="Acme Industrial")
    task = factories.task(factories.project(acme_task, "ACME"), "Seguimiento")
    factories.project(acme_task, "ACME-WEB")
    return task


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_empty_choice_of_a_list_is_spanish(spanish_web, acme_task):
    page = spanish_web.get("/clients/ACME/dedications/new/").content.decode()

    assert "Select an option" not in page
    assert '<option value="">Elige…</option>' in page or "Elige…" in page


def test_a_former_employee_in_the_report_filters(spanish_web, acme_task):
    factories.employee("LUIS", name="Luis Peña", active=False)

    page = spanish_web.get("/reports/").content.decode()

    assert ">Luis Peña (ya no está)</option>" in page
    assert "(left)" not in page


def test_a_dedication_on_no_task_reads_sin_tarea(spanish_web, acme_task):
    page = spanish_web.get("/projects/ACME/dedications/new/").content.decode()

    assert ">Sin tarea</option>" in page
    assert "Ninguno" not in page


@pytest.mark.parametrize(
    ("path", "crumb"),
    [
        ("/clients/ACME/tasks/new/?kind=incident", "Nueva incidencia"),
        ("/clients/ACME/tasks/new/", "Nueva tarea"),
        ("/projects/ACME/tasks/new/", "Nueva tarea"),
        ("/projects/new/", "Nuevo proyecto"),
        ("/clients/new/", "Nuevo cliente"),
    ],
)
def test_breadcrumbs_name_the_new_thing(spanish_web, acme_task, path, crumb):
    nav = re.search(
        r'<nav aria-label="breadcrumb">(.*?)</nav>', spanish_web.get(path).content.decode()
    )

    assert nav and re.sub(r"<[^>]+>", "|", nav.group(1)).strip("|").split("|")[-1] == crumb


def test_import_counts_agree_with_their_number(spanish_web, ana):
    csv = "código;nombre\nUNO;Uno\nDOS;Dos\nTRES;Tres\n;Sin código\n"
    plan = imports.plan_import(csv.encode(), kind="clients", by=ana, file_name="c.csv")
    job = imports.confirm_import(imports.save_plan(plan, by=ana), by=ana)
    imports.apply_import(job, by=ana)

    shown = text(spanish_web.get(f"/imports/{job.pk}/"))

    counts = shown.split("Importación terminada")[0]
    assert "3 creados" in counts
    assert "1 omitida" in counts


def test_who_recorded_an_activity_is_named_as_a_person(spanish_web, acme_task, ana):
    helper = factories.user("recepcion", first_name="Marta", last_name="Ruiz")
    factories.employee("MARTA", name="Marta Ruiz Gil", user=helper)
    nobody = factories.user("robot")
    factories.dedication(acme_task, ana.employee, text="Llamada")
    factories.dedication(acme_task, ana.employee, text="Visita")
    Dedication.objects.filter(text="Llamada").update(recorded_by=helper)
    Dedication.objects.filter(text="Visita").update(recorded_by=nobody)

    shown = text(spanish_web.get(f"/tasks/{acme_task.pk}/"))

    assert "registrada por Marta Ruiz Gil" in shown  # the employee's name
    assert "registrada por robot" in shown  # a login that is no one: its name is all there is
    assert "registrada por recepcion" not in shown


def test_the_header_names_the_signed_in_person(spanish_web, acme_task):
    page = spanish_web.get("/").content.decode()
    who = re.search(r'<li class="who"><a [^>]*>([^<]*)</a></li>', page)
    assert who is not None and who[1] == "Ana García"


def test_the_task_of_a_quick_log_opened_on_it_is_named_naturally(spanish_web, acme_task):
    page = text(spanish_web.get(f"/clients/ACME/log/?task={Task.objects.get().pk}"))

    assert (
        "Se registrará en ACME \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} Seguimiento" in page
    )
    assert "Seguimiento de «Seguimiento»" not in page

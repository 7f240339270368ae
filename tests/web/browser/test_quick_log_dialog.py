"""The quick-log dialog in headless Chromium, in Spanish, as a business following up its
clients lives it: a follow-up due (overdue or today) is done by the dedication and leaves the
agenda at the first try, one tap sets the next one, the dialog says where the activity goes and
lets the user pick another pending task, and a client with several projects is asked in plain
words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from hexa.crm.models import Dedication, Task
from hexa.web.forms.quick_log import ARROW
from tests import factories

pytestmark = pytest.mark.browser


def due_task(days: int) -> Task:
    """ACME's follow-up task, due `days` from today (negative: overdue)."""
    acme = factories.client("ACME", name="Acme Industrial")
    return factories.task(
        factories.project(acme, "ACME"),
        "Seguimiento",
        next_follow_up=timezone.localdate() + dt.timedelta(days=days),
    )


def open_dialog(page: Page, live_server, where: str, task: Task) -> None:
    if where == "explorer":
        page.goto(live_server.url)
        page.locator("#client-row-ACME a.log").click()
    else:
        page.goto(f"{live_server.url}/agenda/?who=all")
        page.locator(f"#agenda-task-{task.pk} a.log").click()
    expect(page.locator("dialog textarea")).to_be_focused()


@pytest.mark.parametrize("where", ["explorer", "agenda"])
@pytest.mark.parametrize("days", [-6, 0], ids=["overdue", "due today"])
def test_logging_a_due_follow_up_succeeds_first_time_and_clears_it(
    spanish_page, live_server, where, days
):
    task = due_task(days)
    page = spanish_page
    open_dialog(page, live_server, where, task)
    # Nothing pre-filled that Finish would refuse ("no puede ser anterior a la fecha").
    expect(page.locator("#id_next_follow_up")).to_have_value("")

    page.keyboard.type("Llamada de seguimiento")
    page.get_by_role("button", name="Finalizar").click()

    expect(page.locator("dialog#dialog")).to_be_hidden()
    if where == "explorer":
        expect(page.locator("#client-row-ACME td.follow-up")).to_have_text("—")
    else:
        expect(page.locator(f"#agenda-task-{task.pk}")).to_have_count(0)
        group = ".agenda-overdue" if days < 0 else ".agenda-today"
        expect(page.locator(f"{group} .count")).to_have_text("0")
    assert Dedication.objects.get().task == task
    task.refresh_from_db()
    assert task.next_follow_up is None


def test_one_tap_sets_the_next_follow_up_from_the_keyboard(spanish_page, live_server, today):
    task = due_task(-2)
    page = spanish_page
    open_dialog(page, live_server, "agenda", task)
    page.keyboard.type("Visita")
    week = page.locator("dialog").get_by_role("button", name="+1 semana")

    week.focus()
    page.keyboard.press("Enter")

    in_a_week = today + dt.timedelta(days=7)
    expect(page.locator("#id_next_follow_up")).to_have_value(f"{in_a_week:%d/%m/%Y}")
    page.keyboard.press("Control+Enter")
    expect(page.locator("dialog#dialog")).to_be_hidden()
    # Moved from "Vencidas" to "Próximos 7 días".
    expect(page.locator(f".agenda-week #agenda-task-{task.pk}")).to_be_visible()
    task.refresh_from_db()
    assert task.next_follow_up == in_a_week


def test_the_dialog_says_where_and_picks_another_pending_task(
    spanish_page, live_server, today, prieto
):
    overdue, latest = prieto
    page = spanish_page
    page.goto(live_server.url)
    page.locator("#client-row-PRIETO a.log").click()
    picker = page.get_by_label("Se registrará en")
    expect(picker.locator("option:checked")).to_contain_text(f"PRIETO {ARROW} Visita a obra")
    expect(page.locator("#id_next_follow_up")).to_have_value(
        f"{today + dt.timedelta(days=2):%d/%m/%Y}"
    )

    picker.select_option(
        label=f"PRIETO {ARROW} Presupuesto nave · {today - dt.timedelta(days=3):%d/%m/%Y}"
    )
    # The overdue task's follow-up is what this dedication does: the field empties.
    expect(page.locator("#id_next_follow_up")).to_have_value("")
    page.locator("dialog textarea").fill("Presupuesto revisado con el cliente")
    page.get_by_role("button", name="Finalizar").click()

    expect(page.locator("dialog#dialog")).to_be_hidden()
    expect(page.locator("#client-row-PRIETO td.follow-up time")).to_have_attribute(
        "datetime", (today + dt.timedelta(days=2)).isoformat()
    )
    assert Dedication.objects.get().task == overdue
    overdue.refresh_from_db()
    latest.refresh_from_db()
    assert (overdue.next_follow_up, latest.next_follow_up) == (None, today + dt.timedelta(days=2))


def test_a_new_task_is_announced_before_finish(spanish_page, live_server):
    factories.project(factories.client("ACME", name="Acme Industrial"), "ACME")
    page = spanish_page
    page.goto(live_server.url)
    page.locator("#client-row-ACME a.log").click()

    expect(page.locator("dialog .quick-log-place")).to_have_text(
        f"Se registrará en ACME {ARROW} una tarea nueva «Seguimiento»"
    )


def test_a_client_with_several_projects_is_asked_in_plain_words(spanish_page, live_server, today):
    bodegas = factories.client("BODEGAS", name="Bodegas Valdehierro")
    factories.project(bodegas, "BOD-EXPORT", name="Exportación")
    shop = factories.project(bodegas, "BOD-TIENDA", name="Tienda online")
    photos = factories.task(shop, "Fotos", next_follow_up=today + dt.timedelta(days=4))
    page = spanish_page
    page.goto(live_server.url)
    page.locator("#client-row-BODEGAS a.log").click()

    expect(page.locator("dialog legend")).to_have_text(
        "Bodegas Valdehierro tiene varios proyectos activos. ¿En cuál se registra esta dedicación?*"
    )
    expect(page.locator("dialog")).not_to_contain_text("código")
    expect(page.get_by_label("Se registrará en").locator("option:checked")).to_have_text(
        "(según el proyecto que elijas)"
    )
    page.get_by_label("BOD-TIENDA").check()

    # The picker and the next follow-up follow the project chosen.
    expect(page.locator("dialog .quick-log-place")).to_contain_text(
        f"Se registrará en BOD-TIENDA {ARROW} Fotos"
    )
    expect(page.locator("#id_next_follow_up")).to_have_value(
        f"{today + dt.timedelta(days=4):%d/%m/%Y}"
    )
    page.locator("dialog textarea").fill("Fotos enviadas")
    page.get_by_role("button", name="Finalizar").click()

    expect(page.locator("dialog#dialog")).to_be_hidden()
    assert Dedication.objects.get().task == photos

"""Long notes in lists: a 10,000-character dedication shows its start and "see more", which
opens the rest without JavaScript (a <details>); short ones show whole."""

from __future__ import annotations

import re

import pytest

from hexa.web.templatetags.hexa import NOTE_START_CHARS, note_start
from tests import factories

pytestmark = pytest.mark.django_db

URL = "https://intranet.example.com/" + "a" * 271
LONG = "Llamada con la gerente sobre el presupuesto de la nave. " * 172 + URL


@pytest.fixture
def noted(ana):
    acme = factories.client("ACME", name="Acme Industrial", notes=LONG)
    project = factories.project(acme, "ACME")
    task = factories.task(project, "Seguimiento")
    factories.dedication(task, ana.employee, text=LONG, recorded_by=ana)
    factories.dedication(task, ana.employee, text="Llamada corta.", recorded_by=ana)
    return task


def summaries(html: str) -> list[str]:
    """The visible start of each shortened note: its <summary> without the tags."""
    found = re.findall(r'<details class="note"><summary>(.*?)</summary>', html, re.S)
    return [re.sub(r"<[^>]+>", "", summary) for summary in found]


@pytest.mark.parametrize(
    "address",
    ["/clients/ACME/", "/projects/ACME/", "task", "/reports/entries/?period=this_year"],
)
def test_long_dedication_in_a_list_shows_its_start_and_see_more(spanish_web, noted, address):
    address = f"/tasks/{noted.pk}/" if address == "task" else address
    html = spanish_web.get(address).content.decode()
    starts = [summary for summary in summaries(html) if summary.startswith("Llamada")]
    assert starts, html
    start = starts[-1]
    assert start.endswith("… ver másver menos")
    assert len(start) < NOTE_START_CHARS + 30
    # The whole text is there, to open; the short one shows whole, with nothing to open.
    assert URL in html
    assert "Llamada corta." in html and "Llamada corta.…" not in html


def test_client_notes_show_their_start_on_the_client_page(spanish_web, noted):
    html = spanish_web.get("/clients/ACME/").content.decode()
    assert '<div class="client-notes"><details class="note">' in html


def test_note_start_cuts_a_long_text_at_a_space():
    start = note_start("palabra " * 100)
    assert NOTE_START_CHARS * 2 // 3 < len(start) <= NOTE_START_CHARS
    assert start.endswith("palabra")


def test_note_start_cuts_a_url_without_spaces_at_the_limit():
    assert note_start(URL) == URL[:NOTE_START_CHARS]


def test_note_start_keeps_the_first_lines_of_a_tall_note():
    assert note_start("uno\ndos\ntres\ncuatro\ncinco\nseis") == "uno\ndos\ntres\ncuatro"


def test_note_start_is_empty_for_a_note_short_enough_to_show_whole():
    assert note_start("Llamada corta.\nTodo bien.") == ""
    assert note_start("x" * NOTE_START_CHARS) == ""

"""The Log page's server side (issue 12): the endpoint the device's outbox sends to (a key
sent twice is one dedication), the clients a device keeps, the manifest and the service
worker."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone

from hexa.crm.models import Client, Dedication
from hexa.crm.services.device_clients import device_clients
from tests import factories

pytestmark = pytest.mark.django_db

SEND = "/log/entries/"


@pytest.fixture
def phone(ana) -> DjangoClient:
    """Ana's phone: the Log page's client, CSRF checked as a browser's is."""
    client = DjangoClient(enforce_csrf_checks=True)
    client.force_login(ana)
    client.get("/log/")  # the CSRF cookie, as the page sets it
    return client


def send(phone, ana, body, *, key="k-1", user=None, language="en"):
    return phone.post(
        SEND,
        json.dumps(body),
        content_type="application/json",
        headers={
            "Idempotency-Key": key,
            "X-Hexa-User": str(user or ana.pk),
            "X-CSRFToken": phone.cookies["csrftoken"].value,
            "Accept-Language": language,
        },
    )


def entry(**fields):
    return {"client": "ACME", "text": "Visita", "date": timezone.localdate().isoformat(), **fields}


def test_an_entry_sent_twice_with_its_key_is_one_dedication_and_the_same_answer(phone, ana):
    factories.client("ACME", name="Acme Industrial")
    first = send(phone, ana, entry(minutes="1h30"))
    again = send(phone, ana, entry(minutes="1h30"))
    assert first.status_code == again.status_code == 201
    assert Dedication.objects.count() == 1
    answer = first.json()
    assert answer["dedication"] == again.json()["dedication"]
    assert answer["project"] == {"code": "ACME", "created": True}
    assert answer["task"]["created"] is True
    assert (again.json()["replayed"], answer["replayed"]) == (True, False)
    dedication = Dedication.objects.get()
    assert (dedication.minutes, dedication.recorded_by, dedication.employee.code) == (
        90,
        ana,
        "ANA",
    )


def test_another_key_is_another_dedication(phone, ana):
    factories.client("ACME")
    send(phone, ana, entry(), key="k-1")
    send(phone, ana, entry(), key="k-2")
    assert Dedication.objects.count() == 2


def test_refusals_say_why_in_the_users_language(phone, ana):
    factories.client("OLD", active=False)
    acme = factories.client("ACME")
    factories.project(acme, "ACME-OBRA", name="Obra")
    factories.project(acme, "ACME-WEB", name="Web")

    archived = send(phone, ana, entry(client="OLD"), language="es")
    assert archived.status_code == 409
    assert archived.json()["code"] == "client_archived"
    assert "archivado" in archived.json()["message"]

    ambiguous = send(phone, ana, entry(), key="k-2")
    assert ambiguous.status_code == 409
    assert ambiguous.json()["projects"] == [
        {"code": "ACME-OBRA", "name": "Obra"},
        {"code": "ACME-WEB", "name": "Web"},
    ]
    chosen = send(
        phone, ana, entry(project="ACME-WEB"), key="k-2"
    )  # the same key: nothing was written
    assert chosen.status_code == 201
    assert Dedication.objects.get().project.code == "ACME-WEB"

    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    bad_date = send(phone, ana, entry(date=future, project="ACME-WEB"), key="k-3")
    assert bad_date.status_code == 422
    assert "date" in bad_date.json()["fields"]

    unreadable = send(phone, ana, entry(date="31/02/2026"), key="k-4")
    assert unreadable.status_code == 422
    assert "date" in unreadable.json()["fields"]
    assert Dedication.objects.count() == 1


def test_dates_are_read_as_the_quick_logs_form_reads_them(phone, ana):
    """The Log page types dates as every Hexa form does (dd/mm/yyyy, DateInput), and the
    endpoint reads them the same way; ISO dates (from pages kept by older versions) too."""
    factories.client("ACME")
    day = timezone.localdate() - dt.timedelta(days=2)
    typed = send(phone, ana, entry(date=day.strftime("%d/%m/%Y")), key="k-1")
    assert typed.status_code == 201, typed.json()
    short = send(phone, ana, entry(date=day.strftime("%d-%m-%y"), text="Otra"), key="k-2")
    assert short.status_code == 201
    assert [d.date for d in Dedication.objects.order_by("pk")] == [day, day]

    follow_up = timezone.localdate() + dt.timedelta(days=7)
    typed = send(
        phone, ana, entry(text="Y otra", next_follow_up=follow_up.strftime("%d/%m/%Y")), key="k-3"
    )
    assert typed.status_code == 201
    assert typed.json()["task"]["next_follow_up"] == follow_up.isoformat()

    wrong = send(phone, ana, entry(next_follow_up="29/02/2027"), key="k-4", language="es")
    assert wrong.status_code == 422
    assert wrong.json()["fields"] == {"next_follow_up": ["Introduzca una fecha válida."]}
    assert Dedication.objects.count() == 3


def test_an_entry_whose_answer_was_lost_can_be_asked_for(phone, ana):
    """The Log page asks before editing an entry that may have reached Hexa (web/log.js)."""
    factories.client("ACME")
    first = send(phone, ana, entry(), key="lost-1").json()

    asked = phone.get("/log/entries/lost-1/")
    assert asked.status_code == 200
    answer = asked.json()
    assert answer["recorded"] is True
    assert {k: answer[k] for k in ("dedication", "project", "task")} == {
        k: first[k] for k in ("dedication", "project", "task")
    }
    assert phone.get("/log/entries/never-sent/").status_code == 404

    luis = factories.user("luis")  # another user's keys are not Ana's
    phone.force_login(luis)
    assert phone.get("/log/entries/lost-1/").status_code == 404
    phone.logout()
    assert phone.get("/log/entries/lost-1/").status_code == 302  # to sign in


def test_signed_out_or_another_user_sends_nothing(phone, ana):
    factories.client("ACME")
    other = factories.user("luis")
    assert send(phone, ana, entry(), user=other.pk).json()["code"] == "other_user"
    token = phone.cookies["csrftoken"].value
    phone.logout()  # as a session that expired
    phone.cookies["csrftoken"] = token
    signed_out = send(phone, ana, entry())
    assert (signed_out.status_code, signed_out.json()["code"]) == (401, "signed_out")
    assert Dedication.objects.count() == 0


def test_an_entry_without_a_key_is_refused(phone, ana):
    factories.client("ACME")
    refused = send(phone, ana, entry(), key="")
    assert (refused.status_code, refused.json()["code"]) == (400, "bad_request")
    too_long = send(phone, ana, entry(), key="k" * 201)
    assert (too_long.status_code, too_long.json()["code"]) == (400, "bad_request")
    assert Dedication.objects.count() == 0


@pytest.mark.parametrize("key", ["%00", "lost%00", "k" * 201, "%ED%A0%80", "%C3%A9"])
def test_asking_for_a_key_no_device_makes_is_a_404(phone, ana, key):
    """A NUL (which PostgreSQL refuses in a query), a key longer than a device's, a broken or
    accented one: no entry has it."""
    asked = phone.get(f"/log/entries/{key}/")

    assert (asked.status_code, asked.json()["code"]) == (404, "not_found")


def test_the_device_keeps_agenda_clients_then_recent_ones_then_the_rest(ana):
    employee = ana.employee
    for code in ("AAA", "BBB", "CCC", "DDD"):
        factories.client(code)
    factories.client("ARCH", active=False)
    today = timezone.localdate()
    # DDD's follow-up is Ana's agenda (she logged for it last); she logged for CCC today.
    follow_up = factories.task(
        factories.project(Client.objects.get(code="DDD")), next_follow_up=today
    )
    factories.dedication(follow_up, employee, date=today - dt.timedelta(days=5))
    factories.dedication(
        factories.task(factories.project(Client.objects.get(code="CCC"))), employee
    )

    codes = [c.code for c in device_clients(user=ana, employee=employee)]
    assert codes == ["DDD", "CCC", "AAA", "BBB"]
    assert [c.code for c in device_clients(user=ana, employee=employee, limit=3)] == [
        "DDD",
        "CCC",
        "AAA",
    ]


def test_the_clients_endpoint_lists_them(phone):
    factories.client("ACME", name="Acme", tax_id="B12345678")
    assert phone.get("/log/clients/").json() == {
        "clients": [{"code": "ACME", "name": "Acme", "tax_id": "B12345678"}]
    }


def test_the_log_page_in_spanish(phone, ana):
    page = phone.get("/log/", headers={"Accept-Language": "es"})
    html = page.content.decode()
    assert "Finalizar" in html
    assert 'data-send="/log/entries/"' in html
    # Dates typed as in every Hexa form (dd/mm/yyyy, with the calendar), not the browser's own.
    assert 'type="date"' not in html
    assert html.count('placeholder="dd/mm/aaaa"') == 2
    assert html.count("data-date-toggle") == 2
    # Whose page it is: the service worker keeps it for that user only.
    assert page["X-Hexa-User"] == str(ana.pk)


def test_manifest_opens_the_log_page_in_the_users_language(client):
    response = client.get("/manifest.webmanifest", headers={"Accept-Language": "es"})
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert (manifest["start_url"], manifest["display"]) == ("/log/", "standalone")
    assert manifest["lang"] == "es"
    assert manifest["short_name"] == "Hexa registro"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_service_worker_covers_the_site_and_lists_files_that_exist(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    precached = json.loads(script.split("const PRECACHED = ")[1].split(";\n")[0])
    assert "/static/web/log.js" in precached
    for url in precached:
        assert client.get(url).status_code == 200, url

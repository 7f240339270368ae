"""Every page in Spanish, as a manager of the demo business sees it in an en-US browser after
choosing ES: no English word left in what the page shows (its text, placeholders, labels for
screen readers, the options of its lists, the calendar of its date fields), and no message of
the catalog left in English. In English, one word for a dedication: an activity."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from pprint import pformat

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, expect

import hexa
from hexa.crm import demo, services
from hexa.crm.models import Client, Dedication, Employee, ImportJob, Project, Task
from tests import factories
from tests.web.browser.conftest import sign_in

pytestmark = pytest.mark.browser

# English words and phrases that a Spanish page must not show. Words that are the same in
# Spanish (Total, Email, No, Hexa, CSV...) are not here; the catalog check below catches any
# whole message left in English.
ENGLISH = [
    "Select an option", "Choose", "None", "Nobody", "left", "New", "Save", "Cancel",
    "Delete", "Edit", "Search", "Client", "Clients", "Project", "Projects", "Task", "Tasks",
    "Date", "Today", "Tomorrow", "Previous", "Next", "Log", "activity", "activities",
    "dedication", "dedications", "created", "updated", "skipped", "failed", "recorded by",
    "Sign out", "Sign in", "Please", "field", "required", "Monday", "January", "February",
    "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Week", "Month", "Year", "Period", "From", "To", "Reports", "Employees",
    "Agenda items", "Who", "What", "Time", "Hours", "Minutes", "pending", "done", "overdue",
    "archived", "closed", "active", "Suggestions", "results", "selected", "Follow-up",
    "Download", "Show", "Import", "rows", "Page", "of", "by", "the", "and", "with", "for",
]  # fmt: skip
ENGLISH_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w-])")

CATALOG = Path(hexa.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "django.po"


def catalog() -> list[tuple[str, str]]:
    """(msgid, Spanish) of every message, plural forms as their own."""
    pairs = []
    for block in CATALOG.read_text().split("\n\n"):
        entry: dict[str, str] = {}
        keyword = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if line.startswith('"') and keyword:
                entry[keyword] += ast.literal_eval(line)
                continue
            keyword, _, quoted = line.partition(" ")
            entry[keyword] = ast.literal_eval(quoted)
        if entry.get("msgid"):
            pairs.append((entry["msgid"], entry.get("msgstr") or entry.get("msgstr[1]", "")))
            if "msgid_plural" in entry:
                pairs.append((entry["msgid_plural"], entry.get("msgstr[1]", "")))
    return pairs


def untranslated_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """A pattern for each English message that reads differently in Spanish, its
    placeholders matching anything; short ones (a word or two) are left to ENGLISH."""
    patterns = []
    for msgid, spanish_context in catalog():
        plain = re.sub(r"<[^>]+>", "", msgid)
        if plain == spanish_context or len(plain) < 12 or " " not in plain.strip():
            continue
        parts = re.split(r"%\(\w+\)[sd]|%[sd]|\{\{[^}]*\}\}", plain)
        regex = r".{1,80}?".join(re.escape(part) for part in parts)
        patterns.append((msgid, re.compile(rf"(?<!\w){regex}(?!\w)")))
    return patterns


# What a person perceives of a page: its text, placeholders, labels read by screen readers,
# tooltips, the values of buttons and the options of lists. Not what the page marks as not
# to be translated (translate="no": the English column names an import accepts).
PERCEIVED = """() => {
  const kept = [...document.querySelectorAll("[translate=no]")].filter((e) => !e.hidden);
  for (const element of kept) element.hidden = true;
  const seen = [document.body.innerText, document.title];
  for (const element of kept) element.hidden = false;
  for (const element of document.querySelectorAll("*")) {
    for (const name of ["placeholder", "aria-label", "title", "alt"]) {
      const value = element.getAttribute(name);
      if (value) seen.push(value);
    }
    if (element.matches("input[type=submit], input[type=button]")) seen.push(element.value);
  }
  for (const option of document.querySelectorAll("option")) seen.push(option.textContent);
  return seen.join("\\n");
}"""


@pytest.fixture
def business(transactional_db, today) -> dict:
    """The demo business, with what makes the remaining pages say something: a former
    employee, an activity recorded by a login that is no one's employee, a finished import."""
    demo.load_demo(today=today)
    user = get_user_model().objects.get(username=demo.DEMO_USERNAME)
    gone = Employee.objects.order_by("code").exclude(user=user).first()
    services.update_employee(gone, active=False, by=demo.SYSTEM)
    task = Task.objects.filter(status=Task.Status.PENDING).order_by("id").first()
    helper = factories.user("recepcion", first_name="Recepción")
    factories.dedication(task, Employee.objects.get(user=user), date=today, text="Llamada")
    Dedication.objects.filter(text="Llamada").update(recorded_by=helper)
    csv = "código;nombre;nif\nNUEVO1;Nuevo Uno;\nNUEVO2;Nuevo Dos;\nNUEVO3;Nuevo Tres;\n;;x\n"
    from hexa.crm.services import imports

    with translation.override("es"):  # an import keeps its rows' reasons in its language
        plan = imports.plan_import(csv.encode(), kind="clients", by=user, file_name="c.csv")
    job = imports.save_plan(plan, by=user)
    job = imports.confirm_import(job, by=user)
    imports.apply_import(job, by=user)
    dedication = Dedication.objects.order_by("id").first()
    return {
        "client": task.project.client,
        "project": task.project,
        "task": task,
        "dedication": dedication,
        "job": ImportJob.objects.get(),
        "user": user,
        "other": get_user_model().objects.get(username=demo.OTHER_USERNAME),
    }


def pages(business: dict) -> list[str]:
    client: Client = business["client"]
    project: Project = business["project"]
    task: Task = business["task"]
    return [
        "/",
        "/?due=on",
        "/?archived=on",
        "/clients/new/",
        f"/clients/{client.code}/",
        f"/clients/{client.code}/edit/",
        f"/clients/{client.code}/log/",
        f"/clients/{client.code}/tasks/new/",
        f"/clients/{client.code}/tasks/new/?kind=incident",
        f"/clients/{client.code}/dedications/new/",
        "/agenda/",
        "/agenda/?who=all",
        "/projects/",
        "/projects/new/",
        f"/projects/new/?client={client.code}",
        f"/projects/{project.code}/",
        f"/projects/{project.code}/edit/",
        f"/projects/{project.code}/close/",
        f"/projects/{project.code}/tasks/new/",
        f"/projects/{project.code}/dedications/new/",
        "/tasks/",
        "/tasks/?status=done",
        f"/tasks/{task.pk}/",
        f"/tasks/{task.pk}/edit/",
        f"/tasks/{task.pk}/dedications/new/",
        f"/dedications/{business['dedication'].pk}/edit/",
        f"/dedications/{business['dedication'].pk}/delete/",
        "/employees/",
        "/employees/new/",
        "/reports/",
        "/reports/?period=last_3_months&group_by=week&stack=employee",
        "/reports/?period=this_year&group_by=project&client=hotel",
        "/reports/entries/?period=last_3_months",
        "/reports/statement/",
        f"/reports/statement/?client={client.code}&period=last_3_months",
        "/imports/clients/",
        f"/imports/{business['job'].pk}/",
        "/clients/NO-SUCH-CLIENT/",
    ]


@pytest.fixture
def spanish_context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    """A browser in American English (dates mm/dd/yyyy, bubbles in English) where the user
    chose Spanish in Hexa."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    context.set_default_timeout(15_000)
    yield context
    context.close()


def english_in(page: Page) -> tuple[list[str], list[str]]:
    """The English words, and the English messages of the catalog, that the page shows."""
    shown = page.evaluate(PERCEIVED)
    words = sorted({match.group(0) for match in ENGLISH_RE.finditer(shown)})
    messages = [msgid for msgid, pattern in untranslated_patterns() if pattern.search(shown)]
    return words, messages


def test_every_page_in_spanish_shows_no_english(spanish_context, live_server, business):
    sign_in(spanish_context, live_server, business["user"])
    page = spanish_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    found = {}
    for path in pages(business):
        page.goto(live_server.url + path)
        # The calendar of the first date field, and the suggestions of the first picker.
        if page.locator("[data-date-toggle]:visible").count():
            page.locator("[data-date-toggle]:visible").first.click()
            expect(page.locator(".date-picker:popover-open")).to_be_visible()
        words, messages = english_in(page)
        if page.locator("input[data-picker-input]:visible").count():
            page.keyboard.press("Escape")
            field = page.locator("input[data-picker-input]:visible").first
            field.fill("")
            field.press_sequentially("a")
            expect(page.locator("[role=listbox]:visible li").first).to_be_visible()
            more_words, more_messages = english_in(page)
            words, messages = words + more_words, messages + more_messages
        if words or messages:
            found[path] = (sorted(set(words)), sorted(set(messages)))
    # Signed out, someone else's forbidden page, and the errors of an empty form.
    page.goto(live_server.url + "/clients/new/")
    page.get_by_role("button", name="Crear cliente").click()
    expect(page.locator(".field-error").first).to_be_visible()
    found_form = english_in(page)
    assert found == {}, pformat(found)
    assert found_form == ([], []), found_form
    assert errors == []


def test_the_sign_in_and_forbidden_pages_in_spanish(spanish_context, live_server, business):
    page = spanish_context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.locator("form:has(#id_username) button[type=submit]").click()
    expect(page.locator(".field-error, .form-error").first).to_be_visible()
    signed_out = english_in(page)
    sign_in(spanish_context, live_server, business["other"])  # not a manager
    page.goto(live_server.url + "/employees/new/")
    forbidden = english_in(page)

    assert signed_out == ([], [])
    assert forbidden == ([], [])
    assert "403" in page.title() or page.locator("h1").count()


def test_english_pages_say_activity_not_dedication(browser, live_server, business):
    """One word in the English UI for what the code calls a dedication."""
    context = browser.new_context(locale="en-GB")
    context.add_cookies([{"name": "django_language", "value": "en-gb", "url": live_server.url}])
    sign_in(context, live_server, business["user"])
    page = context.new_page()
    said = {}
    for path in pages(business):
        page.goto(live_server.url + path)
        shown = page.evaluate(PERCEIVED)
        if hits := sorted(set(re.findall(r"[Dd]edications?", shown))):
            said[path] = hits
    context.close()

    assert said == {}


def test_the_word_lists_find_english(spanish_context, live_server, business):
    """The checks above can fail: an English page shows words of both lists."""
    context = spanish_context
    context.clear_cookies()
    context.add_cookies([{"name": "django_language", "value": "en-gb", "url": live_server.url}])
    sign_in(context, live_server, business["user"])
    page = context.new_page()
    page.goto(live_server.url + "/reports/")
    words, messages = english_in(page)

    assert {"Clients", "Reports", "Period"} <= set(words)
    assert "Time and activities by client, project, employee, week or month." in messages

"""Bad input on every endpoint of clients, employees, projects, tasks and dedications (create,
list, get, patch), and edges that once reached the database. Every error must be JSON with
`code` and `message` (plus `fields` for 422) and must leave the database exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.api.conftest import assert_json_error
from tests.conftest import every_row

pytestmark = pytest.mark.django_db


# --- Bad input, on every endpoint ---------------------------------------------------------------


class Ref:
    """A task id known only once the records exists (in bodies; paths use `{web_task}`)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Ref({self.name})"


def fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, Ref):
        return ids[value.name]
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, str):
        return value.format(**ids) if "{" in value and "}" in value else value
    return value


def case(case_id: str, method: str, path: str, body: Any, expect: str, *, marks=()):
    """`expect`: "422 field", "422" (no particular field), "404 not_found",
    "409 already_exists code", "409 project_closed", "400 bad_request"."""
    status, *rest = expect.split()
    if status == "422":
        code, field = "validation_error", (rest[0] if rest else None)
    else:
        code, field = rest[0], (rest[1] if len(rest) > 1 else None)
    return pytest.param(method, path, body, int(status), code, field, id=case_id, marks=marks)


LONG_NAME = "x" * 201
FUTURE = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
EMPLOYEE = {"code": "BOB", "name": "Bob"}
CLIENT = {"code": "NEWCO", "name": "New Co"}
PROJECT = {"code": "NEWP", "name": "New project", "client": "ACME"}
TASK = {"project": "WEB", "title": "New task"}
DEDICATION = {"project": "WEB", "text": "Worked"}
REQUIRED = {
    "employees": ("code", "name"),
    "clients": ("code", "name"),
    "projects": ("code", "name", "client"),
    "tasks": ("project", "title"),
    "dedications": ("project", "text"),
}


def shapes(what: str, full: dict[str, Any]) -> list:
    """POST /<what>: each required field left out, each field as a JSON type it cannot be,
    and bodies that are not a JSON object."""
    path = f"/{what}"
    cases = [
        case(f"{what}-no-{name}", "post", path, _without(full, name), f"422 {name}")
        for name in REQUIRED[what]
    ]
    cases += [
        case(
            f"{what}-{name}-as-{type(wrong).__name__}",
            "post",
            path,
            {**full, name: wrong},
            f"422 {name}",
        )
        for name in full
        for wrong in (12, ["x"], {"x": 1})
    ]
    return [
        *cases,
        case(f"{what}-empty-object", "post", path, {}, f"422 {REQUIRED[what][0]}"),
        case(f"{what}-array-body", "post", path, "[]", "400 bad_request"),
        case(f"{what}-string-body", "post", path, '"text"', "400 bad_request"),
        case(f"{what}-malformed-json", "post", path, "{", "400 bad_request"),
        case(f"{what}-empty-body", "post", path, "", "422 body"),
    ]


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in body.items() if name != key}


def bad_codes(what: str, valid: dict[str, Any], max_length: int) -> list:
    """POST /<what> with codes Hexa cannot store (lowercase is fine: it is normalized)."""
    return [
        case(f"{what}-code-{label}", "post", f"/{what}", {**valid, "code": code}, "422 code")
        for label, code in (
            ("empty", ""),
            ("blank", "   "),
            ("inner-space", "NEW CO"),
            ("symbol", "NEW!"),
            ("slash", "NEW/CO"),
            ("leading-dash", "-NEW"),
            ("accent", "ÑANDÚ"),
            ("too-long", "X" * (max_length + 1)),
            ("far-too-long", "X" * 40),
        )
    ]


def bad_names(what: str, method: str, path: str, valid: dict[str, Any], field: str) -> list:
    prefix = f"{what}-{method}-{field}"
    return [
        case(f"{prefix}-empty", method, path, {**valid, field: ""}, f"422 {field}"),
        case(f"{prefix}-blank", method, path, {**valid, field: "  \t "}, f"422 {field}"),
        case(f"{prefix}-null", method, path, {**valid, field: None}, f"422 {field}"),
        case(f"{prefix}-too-long", method, path, {**valid, field: LONG_NAME}, f"422 {field}"),
    ]


BAD_DATES = (
    ("day-first", "06/05/2024"),
    ("not-padded", "2024-5-6"),
    ("impossible-day", "2024-02-30"),
    ("month-13", "2024-13-01"),
    ("words", "tomorrow"),
    ("timestamp", 1700000000),
    ("datetime", "2024-05-06T10:00:00"),
    ("empty", ""),
)


def bad_dates(what: str, method: str, path: str, valid: dict[str, Any], field: str) -> list:
    return [
        case(
            f"{what}-{method}-{field}-{label}",
            method,
            path,
            {**valid, field: value},
            f"422 {field}",
        )
        for label, value in BAD_DATES
    ]


def bad_pages(what: str, marks=()) -> list:
    return [
        case(f"{what}-list-{label}", "get", f"/{what}?{query}", None, f"422 {field}", marks=marks)
        for label, query, field in (
            ("limit-zero", "limit=0", "limit"),
            ("limit-over-max", "limit=501", "limit"),
            ("limit-negative", "limit=-1", "limit"),
            ("limit-word", "limit=ten", "limit"),
            ("offset-negative", "offset=-1", "offset"),
            ("offset-word", "offset=first", "offset"),
        )
    ]


def list_filters(what: str, filters: dict[str, str], marks=()) -> list:
    return [
        case(
            f"{what}-list-{name}-{value}",
            "get",
            f"/{what}?{name}={value}",
            None,
            f"422 {name}",
            marks=marks,
        )
        for name, value in filters.items()
    ]


def non_object_bodies(what: str, path: str) -> list:
    return [
        case(f"{what}-patch-{label}-body", "patch", path, raw, "400 bad_request")
        for label, raw in (("array", "[]"), ("null", "null"), ("string", '"x"'), ("number", "5"))
    ]


BAD_REQUESTS = [
    # --- Employees: POST /employees, GET /employees
    *shapes("employees", {**EMPLOYEE, "email": "bob@example.com"}),
    *bad_codes("employees", EMPLOYEE, 20),
    *bad_names("employees", "post", "/employees", EMPLOYEE, "name"),
    case(
        "employees-email-invalid", "post", "/employees", {**EMPLOYEE, "email": "bob"}, "422 email"
    ),
    case(
        "employees-code-taken",
        "post",
        "/employees",
        {"code": "ana", "name": "Ana 2"},
        "409 already_exists code",
    ),
    case(
        "employees-code-of-inactive-taken",
        "post",
        "/employees",
        {"code": "GONE", "name": "G"},
        "409 already_exists code",
    ),
    *list_filters("employees", {"active": "maybe"}),
    *bad_pages("employees"),
    # --- Clients: POST /clients, GET /clients, GET and PATCH /clients/{code}
    *shapes("clients", {**CLIENT, "tax_id": "B1", "email": "a@b.test", "phone": "1", "notes": "n"}),
    *bad_codes("clients", CLIENT, 20),
    *bad_names("clients", "post", "/clients", CLIENT, "name"),
    case(
        "clients-email-invalid",
        "post",
        "/clients",
        {**CLIENT, "email": "not-an-email"},
        "422 email",
    ),
    case("clients-phone-too-long", "post", "/clients", {**CLIENT, "phone": "6" * 41}, "422 phone"),
    case(
        "clients-tax-id-too-long", "post", "/clients", {**CLIENT, "tax_id": "B" * 21}, "422 tax_id"
    ),
    case(
        "clients-code-taken",
        "post",
        "/clients",
        {"code": "acme", "name": "A"},
        "409 already_exists code",
    ),
    case(
        "clients-code-of-archived-taken",
        "post",
        "/clients",
        {"code": "OLD", "name": "O"},
        "409 already_exists code",
    ),
    case(
        "clients-tax-id-taken",
        "post",
        "/clients",
        {**CLIENT, "tax_id": "b-1234-5678"},
        "409 already_exists tax_id",
    ),
    case(
        "clients-tax-id-of-archived-taken",
        "post",
        "/clients",
        {**CLIENT, "tax_id": "A87654321"},
        "409 already_exists tax_id",
    ),
    *list_filters("clients", {"include_archived": "perhaps"}),
    *bad_pages("clients"),
    case("clients-get-unknown", "get", "/clients/NOPE", None, "404 not_found"),
    case("clients-patch-unknown", "patch", "/clients/NOPE", {"name": "Nope"}, "404 not_found"),
    *bad_names("clients", "patch", "/clients/ACME", {}, "name"),
    case("clients-patch-name-number", "patch", "/clients/ACME", {"name": 5}, "422 name"),
    case("clients-patch-email-invalid", "patch", "/clients/ACME", {"email": "nope"}, "422 email"),
    case(
        "clients-patch-phone-too-long", "patch", "/clients/ACME", {"phone": "6" * 41}, "422 phone"
    ),
    case(
        "clients-patch-tax-id-too-long",
        "patch",
        "/clients/ACME",
        {"tax_id": "B" * 21},
        "422 tax_id",
    ),
    case("clients-patch-active-word", "patch", "/clients/ACME", {"active": "maybe"}, "422 active"),
    case("clients-patch-active-null", "patch", "/clients/ACME", {"active": None}, "422 active"),
    case(
        "clients-patch-tax-id-taken",
        "patch",
        "/clients/ACME",
        {"tax_id": "a-8765-4321"},
        "409 already_exists tax_id",
    ),
    *non_object_bodies("clients", "/clients/ACME"),
    case("clients-patch-malformed-json", "patch", "/clients/ACME", "{", "400 bad_request"),
    # --- Projects: POST /projects, GET /projects, GET and PATCH /projects/{code}
    *shapes("projects", {**PROJECT, "kind": "production", "status": "active"}),
    *bad_codes("projects", PROJECT, 30),
    *bad_names("projects", "post", "/projects", PROJECT, "name"),
    case("projects-kind-unknown", "post", "/projects", {**PROJECT, "kind": "retail"}, "422 kind"),
    case(
        "projects-kind-capitalized",
        "post",
        "/projects",
        {**PROJECT, "kind": "Production"},
        "422 kind",
    ),
    case(
        "projects-status-unknown", "post", "/projects", {**PROJECT, "status": "open"}, "422 status"
    ),
    case(
        "projects-client-unknown", "post", "/projects", {**PROJECT, "client": "NOPE"}, "422 client"
    ),
    case("projects-client-empty", "post", "/projects", {**PROJECT, "client": ""}, "422 client"),
    case(
        "projects-client-too-long",
        "post",
        "/projects",
        {**PROJECT, "client": "C" * 31},
        "422 client",
    ),
    case(
        "projects-client-archived",
        "post",
        "/projects",
        {**PROJECT, "client": "old"},
        "409 client_archived",
    ),
    case(
        "projects-code-taken",
        "post",
        "/projects",
        {**PROJECT, "code": "web"},
        "409 already_exists code",
    ),
    case(
        "projects-code-of-other-client-taken",
        "post",
        "/projects",
        {**PROJECT, "code": "LEGACY"},
        "409 already_exists code",
    ),
    *list_filters("projects", {"status": "open", "kind": "retail"}),
    *bad_pages("projects"),
    case("projects-get-unknown", "get", "/projects/NOPE", None, "404 not_found"),
    case("projects-patch-unknown", "patch", "/projects/NOPE", {"name": "x"}, "404 not_found"),
    *bad_names("projects", "patch", "/projects/WEB", {}, "name"),
    case("projects-patch-kind-unknown", "patch", "/projects/WEB", {"kind": "retail"}, "422 kind"),
    case("projects-patch-kind-null", "patch", "/projects/WEB", {"kind": None}, "422 kind"),
    case(
        "projects-patch-status-unknown", "patch", "/projects/WEB", {"status": "open"}, "422 status"
    ),
    case("projects-patch-status-null", "patch", "/projects/WEB", {"status": None}, "422 status"),
    case("projects-patch-status-number", "patch", "/projects/WEB", {"status": 1}, "422 status"),
    case(
        "projects-patch-reopen-on-archived-client",
        "patch",
        "/projects/OLDSHUT",
        {"status": "active"},
        "409 client_archived",
    ),
    *non_object_bodies("projects", "/projects/WEB"),
    # --- Tasks: POST /tasks, GET /tasks, GET and PATCH /tasks/{task_id}
    *shapes("tasks", {**TASK, "kind": "task", "status": "pending", "next_follow_up": "2035-01-01"}),
    *bad_names("tasks", "post", "/tasks", TASK, "title"),
    case("tasks-kind-unknown", "post", "/tasks", {**TASK, "kind": "bug"}, "422 kind"),
    case("tasks-status-unknown", "post", "/tasks", {**TASK, "status": "open"}, "422 status"),
    *bad_dates("tasks", "post", "/tasks", TASK, "next_follow_up"),
    case("tasks-project-unknown", "post", "/tasks", {**TASK, "project": "NOPE"}, "422 project"),
    case("tasks-project-empty", "post", "/tasks", {**TASK, "project": ""}, "422 project"),
    case("tasks-project-too-long", "post", "/tasks", {**TASK, "project": "P" * 31}, "422 project"),
    case(
        "tasks-project-closed", "post", "/tasks", {**TASK, "project": "shut"}, "409 project_closed"
    ),
    case(
        "tasks-client-archived",
        "post",
        "/tasks",
        {**TASK, "project": "LEGACY"},
        "409 client_archived",
    ),
    case(
        "tasks-closed-project-of-archived-client",
        "post",
        "/tasks",
        {**TASK, "project": "OLDSHUT"},
        "409 client_archived",
    ),
    *list_filters("tasks", {"status": "open"}),
    *bad_pages("tasks"),
    case("tasks-get-unknown", "get", "/tasks/999999999", None, "404 not_found"),
    case("tasks-get-id-word", "get", "/tasks/abc", None, "422 task_id"),
    case("tasks-get-id-decimal", "get", "/tasks/1.5", None, "422 task_id"),
    case("tasks-patch-unknown", "patch", "/tasks/999999999", {"title": "x"}, "404 not_found"),
    case("tasks-patch-id-word", "patch", "/tasks/abc", {"title": "x"}, "422 task_id"),
    *bad_names("tasks", "patch", "/tasks/{web_task}", {}, "title"),
    case("tasks-patch-kind-unknown", "patch", "/tasks/{web_task}", {"kind": "bug"}, "422 kind"),
    case(
        "tasks-patch-status-unknown", "patch", "/tasks/{web_task}", {"status": "open"}, "422 status"
    ),
    case("tasks-patch-status-null", "patch", "/tasks/{web_task}", {"status": None}, "422 status"),
    *bad_dates("tasks", "patch", "/tasks/{web_task}", {}, "next_follow_up"),
    *non_object_bodies("tasks", "/tasks/{web_task}"),
    # --- Dedications: POST /dedications, GET /dedications
    *shapes("dedications", {**DEDICATION, "employee": "ANA", "date": "2024-05-06"}),
    case(
        "dedications-project-unknown",
        "post",
        "/dedications",
        {**DEDICATION, "project": "NOPE"},
        "422 project",
    ),
    case(
        "dedications-project-empty",
        "post",
        "/dedications",
        {**DEDICATION, "project": ""},
        "422 project",
    ),
    case(
        "dedications-task-unknown",
        "post",
        "/dedications",
        {**DEDICATION, "task": 999999999},
        "422 task",
    ),
    case(
        "dedications-task-of-another-project",
        "post",
        "/dedications",
        {**DEDICATION, "task": Ref("shop_task")},
        "422 task",
    ),
    case(
        "dedications-task-of-another-client",
        "post",
        "/dedications",
        {**DEDICATION, "task": Ref("legacy_task")},
        "422 task",
    ),
    case(
        "dedications-task-as-text", "post", "/dedications", {**DEDICATION, "task": "1"}, "422 task"
    ),
    case(
        "dedications-task-decimal", "post", "/dedications", {**DEDICATION, "task": 1.5}, "422 task"
    ),
    case(
        "dedications-task-boolean", "post", "/dedications", {**DEDICATION, "task": True}, "422 task"
    ),
    case(
        "dedications-employee-unknown",
        "post",
        "/dedications",
        {**DEDICATION, "employee": "NOBODY"},
        "422 employee",
    ),
    case(
        "dedications-employee-inactive",
        "post",
        "/dedications",
        {**DEDICATION, "employee": "gone"},
        "422 employee",
    ),
    case(
        "dedications-employee-empty",
        "post",
        "/dedications",
        {**DEDICATION, "employee": ""},
        "422 employee",
    ),
    case("dedications-text-empty", "post", "/dedications", {**DEDICATION, "text": ""}, "422 text"),
    case(
        "dedications-text-blank", "post", "/dedications", {**DEDICATION, "text": " \n "}, "422 text"
    ),
    case(
        "dedications-text-too-long",
        "post",
        "/dedications",
        {**DEDICATION, "text": "x" * 10_001},
        "422 text",
    ),
    case("dedications-text-null", "post", "/dedications", {**DEDICATION, "text": None}, "422 text"),
    case(
        "dedications-date-future",
        "post",
        "/dedications",
        {**DEDICATION, "date": FUTURE},
        "422 date",
    ),
    *bad_dates("dedications", "post", "/dedications", DEDICATION, "date"),
    *[
        case(
            f"dedications-minutes-{label}",
            "post",
            "/dedications",
            {**DEDICATION, "minutes": value},
            "422 minutes",
        )
        for label, value in (
            ("negative", -1),
            ("over-a-day", 1441),
            ("word", "lots"),
            ("decimal-number", 1.5),
            ("boolean", True),
            ("hours-over-a-day", "25h"),
            ("too-long-text", "1" * 21),
        )
    ],
    case(
        "dedications-project-closed",
        "post",
        "/dedications",
        {**DEDICATION, "project": "SHUT"},
        "409 project_closed",
    ),
    case(
        "dedications-task-on-closed-project",
        "post",
        "/dedications",
        {**DEDICATION, "project": "SHUT", "task": Ref("shut_task")},
        "409 project_closed",
    ),
    case(
        "dedications-client-archived",
        "post",
        "/dedications",
        {**DEDICATION, "project": "LEGACY"},
        "409 client_archived",
    ),
    *list_filters(
        "dedications",
        {"date_from": "06/05/2024", "date_to": "2024-02-30", "task": "abc"},
    ),
    *list_filters("dedications", {"date_from": "yesterday", "date_to": "2024-5-6"}),
    *bad_pages("dedications"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "code", "field"), BAD_REQUESTS)
def test_bad_request_answers_a_json_error_and_writes_nothing(
    api, records, method, path, body, status, code, field
):
    ids = records.ids()
    before = every_row()

    if method == "get":
        response = api.get(fill(path, ids))
    else:
        response = getattr(api, method)(fill(path, ids), fill(body, ids))

    assert_json_error(response, status, code, field)
    assert every_row() == before


def test_not_found_names_the_missing_object(api, records):
    for path in ("/clients/NOPE", "/projects/NOPE", "/tasks/987654321"):
        body = assert_json_error(api.get(path), 404, "not_found")
        assert path.rsplit("/", 1)[1] in body["message"]
        assert "fields" not in body


def test_taken_code_conflict_names_the_code(api, records):
    body = assert_json_error(
        api.post("/clients", {"code": "acme", "name": "Again"}), 409, "already_exists", "code"
    )

    assert "ACME" in body["message"]


def test_several_bad_fields_are_reported_together(api, records):
    body = assert_json_error(
        api.post(
            "/dedications", {"project": "WEB", "text": "", "employee": "GONE", "minutes": 5000}
        ),
        422,
        "validation_error",
    )

    assert {"text", "employee", "minutes"} <= set(body["fields"])


def test_error_messages_follow_the_requested_language(api, records):
    english = api.get("/clients/NOPE", headers={"Accept-Language": "en"})
    spanish = api.get("/clients/NOPE", headers={"Accept-Language": "es"})

    assert english.json()["code"] == spanish.json()["code"] == "not_found"
    assert english.json()["message"] != spanish.json()["message"]


def test_patch_cannot_change_a_code(api, records):
    before = every_row()

    response = api.patch("/clients/ACME", {"code": "OTHER"})

    # Unknown fields are ignored today; refusing them (422) would be as good.
    assert response.status_code in (200, 422), response.content
    assert every_row() == before


# --- Edges that once reached the database ------------------------------------------------


@pytest.mark.parametrize("field", ["email", "phone", "notes"])
def test_patch_client_null_text_field_clears_it_or_is_refused(api, records, field):
    setattr(records.acme, field, "x@example.com" if field == "email" else "something")
    records.acme.save()
    before = every_row()

    response = api.patch("/clients/ACME", {field: None})

    assert response.status_code in (200, 422), response.content
    if response.status_code == 422:
        assert_json_error(response, 422, "validation_error", field)
        assert every_row() == before
    else:
        assert response.json()[field] == ""
        records.acme.refresh_from_db()
        assert getattr(records.acme, field) == ""


@pytest.mark.parametrize("what", ["employees", "clients", "projects", "tasks", "dedications"])
def test_offset_beyond_64_bits_is_refused_or_an_empty_page(api, records, what):
    response = api.get(f"/{what}", offset=2**63)

    assert response.status_code in (200, 422), response.content
    if response.status_code == 422:
        assert_json_error(response, 422, "validation_error", "offset")
    else:
        assert response.json()["items"] == []


@pytest.mark.parametrize("task", [2**63, -(2**63) - 1, 10**30])
def test_dedications_of_a_task_id_beyond_64_bits_is_refused_or_empty(api, records, task):
    response = api.get("/dedications", task=task)

    assert response.status_code in (200, 422), response.content
    if response.status_code == 422:
        assert_json_error(response, 422, "validation_error", "task")
    else:
        assert response.json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        pytest.param("post", "/employees", {**EMPLOYEE, "name": "B\x00b"}, "name", id="employee"),
        pytest.param("post", "/clients", {**CLIENT, "name": "New\x00Co"}, "name", id="client"),
        pytest.param("post", "/clients", {**CLIENT, "notes": "\x00"}, "notes", id="client-notes"),
        pytest.param("patch", "/clients/ACME", {"notes": "a\x00b"}, "notes", id="patch-client"),
        pytest.param("post", "/projects", {**PROJECT, "name": "P\x00"}, "name", id="project"),
        pytest.param("patch", "/projects/WEB", {"name": "P\x00"}, "name", id="patch-project"),
        pytest.param("post", "/tasks", {**TASK, "title": "T\x00"}, "title", id="task"),
        pytest.param("patch", "/tasks/{web_task}", {"title": "T\x00"}, "title", id="patch-task"),
        pytest.param(
            "post", "/dedications", {**DEDICATION, "text": "a\x00b"}, "text", id="dedication"
        ),
    ],
)
def test_nul_character_in_a_text_field_is_a_field_error(api, records, method, path, body, field):
    before = every_row()

    response = getattr(api, method)(fill(path, records.ids()), body)

    assert_json_error(response, 422, "validation_error", field)
    assert every_row() == before


@pytest.mark.parametrize(
    ("method", "path", "body", "expect"),
    [
        pytest.param("get", "/clients/AC%00ME", None, "404 not_found", id="client-path"),
        pytest.param("patch", "/projects/W%00", {"name": "x"}, "404 not_found", id="project-path"),
        pytest.param(
            "post", "/tasks", {**TASK, "project": "W\x00"}, "422 project", id="task-project"
        ),
        pytest.param(
            "post", "/projects", {**PROJECT, "client": "A\x00"}, "422 client", id="project-client"
        ),
        pytest.param(
            "post",
            "/dedications",
            {**DEDICATION, "employee": "A\x00"},
            "422 employee",
            id="employee",
        ),
        pytest.param("get", "/clients?q=ac%00me", None, "200", id="client-search"),
    ],
)
def test_nul_character_in_a_code_or_search_is_not_a_server_error(
    api, records, method, path, body, expect
):
    before = every_row()

    response = api.get(path) if method == "get" else getattr(api, method)(path, body)

    status, *rest = expect.split()
    if status == "200":
        assert response.status_code in (200, 422), response.content
        assert "items" in response.json() or "q" in response.json()["fields"]
    elif status == "404":
        assert_json_error(response, 404, rest[0])
    else:
        assert_json_error(response, 422, "validation_error", rest[0])
    assert every_row() == before

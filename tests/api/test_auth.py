"""Who may use the API: every endpoint wants a valid bearer token; the schema and the docs want a
signed-in user or a token; tokens are stored hashed and managed with `hexa token`."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from hexa.api.api import api as ninja_api
from hexa.api.models import ApiToken
from hexa.crm.models import Dedication, Employee
from hexa.crm.services.permissions import managers_group
from tests import factories
from tests.api.conftest import assert_json_error
from tests.conftest import every_row

# --- Every operation, from the OpenAPI schema ---------------------------------------------------


def _root() -> str:
    return ninja_api.get_root_path({}).rstrip("/")


def operations_in_schema() -> set[tuple[str, str]]:
    """(METHOD, path) of every operation the OpenAPI schema documents."""
    schema = ninja_api.get_openapi_schema()
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item}


def operations_routed() -> set[tuple[str, str]]:
    """(METHOD, path) of every operation django-ninja routes, documented or not."""
    found = set()
    for prefix, router in ninja_api._routers:
        for path, path_view in router.path_operations.items():
            full = "/".join(part.strip("/") for part in (_root(), prefix, path) if part.strip("/"))
            for operation in path_view.operations:
                found.update((method, f"/{full}") for method in operation.methods)
    return found


# The schema is the list (test_every_route_is_in_the_openapi_schema checks it is complete).
OPERATIONS = sorted(operations_in_schema())


def _op_id(operation: tuple[str, str]) -> str:
    return f"{operation[0]} {operation[1].removeprefix(_root())}"


def test_every_route_is_in_the_openapi_schema():
    schema = ninja_api.get_openapi_schema()

    documented = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    assert documented == operations_routed()
    assert all(item.get("security") for ops in schema["paths"].values() for item in ops.values())


def test_the_api_has_the_expected_endpoints():
    # A guard on the enumeration itself: if it came back short, the tests below would be hollow.
    assert {
        ("POST", "/api/v1/employees"),
        ("GET", "/api/v1/clients/{code}"),
        ("PATCH", "/api/v1/tasks/{task_id}"),
        ("POST", "/api/v1/clients/{code}/quick-log"),
        ("GET", "/api/v1/dedications"),
        ("POST", "/api/v1/clients/{code}/tasks"),
        ("POST", "/api/v1/tasks/{task_id}/reschedule"),
        ("PATCH", "/api/v1/dedications/{dedication_id}"),
        ("DELETE", "/api/v1/dedications/{dedication_id}"),
        ("GET", "/api/v1/agenda"),
        ("GET", "/api/v1/reports/dedications"),
        ("GET", "/api/v1/reports/dedications.csv"),
    } <= set(OPERATIONS)
    assert len(OPERATIONS) >= 26


@pytest.fixture
def http(_handler) -> HttpClient:
    client = HttpClient()
    client.handler = _handler
    return client


@pytest.fixture
def world(db):
    """What the valid requests below refer to; the token user is `ana`, employee ANA, a
    manager (so that every endpoint, employees' included, accepts her)."""
    user = factories.user("ana")
    user.groups.add(managers_group())
    factories.employee("ANA", name="Ana", user=user)
    acme = factories.client("ACME")
    web = factories.project(acme, "WEB")
    task = factories.task(web, "Call back")
    dedication = factories.dedication(task, Employee.objects.get(code="ANA"))
    return {"user": user, "task": task.pk, "dedication": dedication.pk}


def valid_request(method: str, path: str, world: dict[str, Any]) -> tuple[str, Any, int]:
    """A request that succeeds with a valid token: (path, JSON body, status). An operation this
    table does not know yet gets its path parameters as "1", an empty body, and status 0 (any
    answer but 401)."""
    root = _root()
    task = world["task"]
    dedication = world["dedication"]
    known = {
        ("POST", "/employees"): ("/employees", {"code": "BOB", "name": "Bob"}, 201),
        ("GET", "/employees"): ("/employees", None, 200),
        ("GET", "/employees/{code}"): ("/employees/ANA", None, 200),
        ("PATCH", "/employees/{code}"): ("/employees/ANA", {"name": "Ana G."}, 200),
        ("POST", "/clients"): ("/clients", {"code": "NEWCO", "name": "New Co"}, 201),
        ("GET", "/clients"): ("/clients", None, 200),
        ("GET", "/clients/{code}"): ("/clients/ACME", None, 200),
        ("PATCH", "/clients/{code}"): ("/clients/ACME", {"notes": "VIP"}, 200),
        ("POST", "/clients/{code}/quick-log"): ("/clients/ACME/quick-log", {"text": "Hi"}, 201),
        ("POST", "/clients/{code}/tasks"): ("/clients/ACME/tasks", {"title": "Call"}, 201),
        ("POST", "/projects"): ("/projects", {"code": "NEWP", "name": "N", "client": "ACME"}, 201),
        ("GET", "/projects"): ("/projects", None, 200),
        ("GET", "/projects/{code}"): ("/projects/WEB", None, 200),
        ("PATCH", "/projects/{code}"): ("/projects/WEB", {"name": "Website"}, 200),
        ("POST", "/tasks"): ("/tasks", {"project": "WEB", "title": "More"}, 201),
        ("GET", "/tasks"): ("/tasks", None, 200),
        ("GET", "/tasks/{task_id}"): (f"/tasks/{task}", None, 200),
        ("PATCH", "/tasks/{task_id}"): (f"/tasks/{task}", {"status": "done"}, 200),
        ("POST", "/tasks/{task_id}/reschedule"): (f"/tasks/{task}/reschedule", {"days": 1}, 200),
        ("POST", "/dedications"): ("/dedications", {"project": "WEB", "text": "Worked"}, 201),
        ("GET", "/dedications"): ("/dedications", None, 200),
        ("GET", "/dedications/{dedication_id}"): (f"/dedications/{dedication}", None, 200),
        ("PATCH", "/dedications/{dedication_id}"): (
            f"/dedications/{dedication}",
            {"text": "Changed"},
            200,
        ),
        ("DELETE", "/dedications/{dedication_id}"): (f"/dedications/{dedication}", None, 204),
        ("GET", "/agenda"): ("/agenda", None, 200),
        ("GET", "/reports/dedications"): ("/reports/dedications?group_by=week", None, 200),
        ("GET", "/reports/dedications.csv"): ("/reports/dedications.csv?client=ACME", None, 200),
    }
    relative = path.removeprefix(root)
    if (method, relative) in known:
        target, body, status = known[(method, relative)]
        return root + target, body, status
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return root + re.sub(r"\{[^}]+\}", "1", relative), body, 0


def send(http: HttpClient, method: str, path: str, body: Any, authorization: str | None):
    headers = {"Authorization": authorization} if authorization is not None else {}
    if body is None:
        return getattr(http, method.lower())(path, headers=headers)
    return getattr(http, method.lower())(
        path, data=body, content_type="application/json", headers=headers
    )


def _credentials(kind: str, world: dict[str, Any]) -> str | None:
    user = world["user"]
    if kind == "none":
        return None
    if kind == "empty":
        return "Bearer "
    if kind == "wrong":
        return "Bearer hexa_" + "x" * 43
    if kind == "wrong-scheme":
        return "Token " + ApiToken.objects.issue(user=user)[1]
    if kind == "basic":
        return "Basic YW5hOnB3LVNlY3JldC0xMjM="  # ana:pw-Secret-123
    if kind == "revoked":
        row, token = ApiToken.objects.issue(user=user)
        row.revoked_at = timezone.now()
        row.save()
        return f"Bearer {token}"
    if kind == "inactive-user":
        token = ApiToken.objects.issue(user=user)[1]
        user.is_active = False
        user.save()
        return f"Bearer {token}"
    if kind == "hint-only":
        # The first characters of a live token, as `hexa token list` shows them.
        row, _token = ApiToken.objects.issue(user=user)
        return f"Bearer {row.hint}"
    raise AssertionError(kind)


CREDENTIALS = [
    "none",
    "empty",
    "wrong",
    "wrong-scheme",
    "basic",
    "revoked",
    "inactive-user",
    "hint-only",
]


@pytest.mark.parametrize("credentials", CREDENTIALS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=_op_id)
def test_every_endpoint_refuses_a_request_without_a_valid_token(
    http, world, operation, credentials
):
    method, path = operation
    target, body, _status = valid_request(method, path, world)
    authorization = _credentials(credentials, world)
    before = every_row()

    response = send(http, method, target, body, authorization)

    assert set(assert_json_error(response, 401, "unauthorized")) == {"code", "message"}
    assert response["WWW-Authenticate"] == "Bearer"
    assert every_row() == before


def _valid_token_params():
    for operation in OPERATIONS:
        yield pytest.param(operation, id=_op_id(operation))


@pytest.mark.parametrize("operation", list(_valid_token_params()))
def test_every_endpoint_answers_a_valid_token(http, world, operation):
    method, path = operation
    target, body, status = valid_request(method, path, world)
    token = ApiToken.objects.issue(user=world["user"])[1]

    response = send(http, method, target, body, f"Bearer {token}")

    if status:
        assert response.status_code == status, response.content
    else:
        assert response.status_code != 401, response.content
    # Every answer is JSON but the CSV export's.
    expected = "text/csv" if path.endswith(".csv") else "application/json"
    assert response["Content-Type"].startswith(expected)


def test_a_signed_in_session_is_not_an_api_token(http, world):
    # The API takes tokens only, so a browser session cannot be used for cross-site requests.
    http.force_login(world["user"])
    before = every_row()

    response = send(http, "POST", "/api/v1/clients", {"code": "NEWCO", "name": "N"}, None)

    assert set(assert_json_error(response, 401, "unauthorized")) == {"code", "message"}
    assert every_row() == before


def test_token_with_surrounding_spaces_is_accepted(http, world):
    token = ApiToken.objects.issue(user=world["user"])[1]

    response = send(http, "GET", "/api/v1/clients/ACME", None, f"Bearer   {token}  ")

    assert response.status_code == 200, response.content
    assert response.json()["code"] == "ACME"


def test_bearer_scheme_is_case_insensitive(http, world):
    token = ApiToken.objects.issue(user=world["user"])[1]

    response = send(http, "GET", "/api/v1/clients/ACME", None, f"bearer {token}")

    assert response.status_code == 200, response.content
    assert response.json()["code"] == "ACME"


def test_token_stops_working_once_revoked(http, world):
    row, token = ApiToken.objects.issue(user=world["user"])
    assert send(http, "GET", "/api/v1/clients", None, f"Bearer {token}").status_code == 200

    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())

    response = send(http, "GET", "/api/v1/clients", None, f"Bearer {token}")
    assert set(assert_json_error(response, 401, "unauthorized")) == {"code", "message"}


def test_requests_are_recorded_as_the_tokens_user(http, world):
    other = factories.user("luis")
    factories.employee("LUIS", user=other)
    token = ApiToken.objects.issue(user=other)[1]

    response = send(
        http, "POST", "/api/v1/dedications", {"project": "WEB", "text": "x"}, f"Bearer {token}"
    )

    assert response.status_code == 201, response.content
    assert (response.json()["employee"], response.json()["recorded_by"]) == ("LUIS", "luis")
    assert Dedication.objects.get(pk=response.json()["id"]).recorded_by == other


# --- Tokens are stored hashed -------------------------------------------------------------------


def test_tokens_are_stored_as_a_sha256_digest_only(world):
    row, token = ApiToken.objects.issue(user=world["user"], name="laptop")

    assert token.startswith("hexa_")
    assert len(token) >= 40
    row.refresh_from_db()
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(row.hint)
    assert len(row.hint) < len(token) // 3
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        stored = cursor.fetchall()
    assert len(stored) == 1
    assert all(token not in str(value) for value in stored[0])
    assert token[len(row.hint) :] not in repr(stored)


def test_each_token_is_different(world):
    tokens = {ApiToken.objects.issue(user=world["user"])[1] for _ in range(5)}

    assert len(tokens) == 5
    assert ApiToken.objects.values("digest").distinct().count() == 5


# --- The OpenAPI schema and the docs ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
@pytest.mark.parametrize("credentials", ["none", "wrong", "revoked", "inactive-user"])
def test_schema_and_docs_refuse_anonymous_requests(http, world, path, credentials):
    response = send(http, "GET", path, None, _credentials(credentials, world))

    assert response.status_code == 401, response.content
    assert response.json()["code"] == "unauthorized"
    assert response.json()["message"].strip()


def test_docs_answer_a_signed_in_user(http, world):
    http.force_login(world["user"])

    response = http.get("/api/v1/docs")

    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/html")
    assert b"/api/v1/openapi.json" in response.content


def test_docs_answer_a_valid_token(http, world):
    token = ApiToken.objects.issue(user=world["user"])[1]

    response = send(http, "GET", "/api/v1/docs", None, f"Bearer {token}")

    assert response.status_code == 200, response.content
    assert b"/api/v1/openapi.json" in response.content


def test_docs_refuse_a_signed_in_but_deactivated_user(http, world):
    http.force_login(world["user"])
    world["user"].is_active = False
    world["user"].save()

    response = http.get("/api/v1/docs")

    assert response.status_code == 401, response.content
    assert b"/api/v1/openapi.json" not in response.content  # no docs page behind the 401


def test_openapi_schema_answers_a_signed_in_user(http, world):
    http.force_login(world["user"])

    response = http.get("/api/v1/openapi.json")

    assert response.status_code == 200, response.content
    schema = response.json()
    assert schema["info"]["title"] == "Hexa API"
    assert "/api/v1/clients/{code}/quick-log" in schema["paths"]


def test_openapi_schema_answers_a_valid_token(http, world):
    token = ApiToken.objects.issue(user=world["user"])[1]

    response = send(http, "GET", "/api/v1/openapi.json", None, f"Bearer {token}")

    assert response.status_code == 200, response.content
    schema = response.json()
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }

"""The API against its own OpenAPI schema: schemathesis generates requests from the schema
(valid and invalid ones) for every operation, as a manager and as a user who is not one, and
runs all its checks on every answer: no server error, every answer documented and of the
documented shape, valid data accepted and invalid data refused, authentication not ignored,
and the rest (schemathesis.checks.CHECKS).

Sign-in protection is switched off for these tests: the `ignored_auth` check sends requests
with no token and with made-up ones, and after five of them django-axes would lock the test
client's address out (429) for every later request.

The requests go in-process to Django's WSGI application, which then shares the test's database
connection and transaction: it sees the test's rows and its writes are rolled back at the end.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS
from schemathesis.generation.meta import GenerationMode, ParameterLocation

from hexa.api.api import api as ninja_api
from hexa.api.models import ApiToken
from hexa.crm.services.permissions import managers_group
from tests import factories

# Loaded at import: schemathesis' from_fixture loader does not work with pytest 9.
schema = schemathesis.openapi.from_dict(ninja_api.get_openapi_schema())
# Where checks that send requests of their own (ignored_auth, ...) address them; they go to
# the app in-process all the same.
schema.config.update(base_url="http://localhost")
# The checks that resend a request (ignored_auth, use_after_free, ...) take the transport from
# the schema: Django's WSGI application, in-process, as the `app` fixture below.
schema.app = get_wsgi_application()
# A schema-valid request the domain refuses for what no schema can say (a code that names no
# row or is taken already, a date in the future or a follow-up before the date, a period
# given with dates) is a 422 naming the field: valid as far as the schema goes, refused as
# the API documents. Every other check runs as schemathesis ships it.
schema.config.checks.positive_data_acceptance.expected_statuses = [
    *schema.config.checks.positive_data_acceptance.expected_statuses,
    "422",
]


@pytest.fixture
def app(db):
    """Django's WSGI application, sharing the test's connection and transaction.

    Django closes "old" connections when a request starts and finishes; inside the test's
    transaction that would break it, so this does what django.test.Client does for its own
    requests: the closing is switched off while the test runs.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(params=["manager", "not a manager"])
def auth(request, db, settings) -> dict[str, str]:
    """A valid token of a manager or of a user who is not one, and a few rows for the
    generated requests to find."""
    settings.AXES_ENABLED = False  # see the module's docstring
    user = factories.user("ana")
    if request.param == "manager":
        user.groups.add(managers_group())
    ana = factories.employee("ANA", name="Ana", user=user)
    acme = factories.client("ACME", tax_id="B12345678")
    task = factories.task(factories.project(acme, "ACME"), "Follow-up")
    factories.dedication(task, ana, minutes=30)
    _row, token = ApiToken.objects.issue(user=user)
    return {"Authorization": f"Bearer {token}"}


CASES: list[str] = []  # every generated request, for the count printed at the end (-s)


@pytest.fixture(scope="module", autouse=True)
def count_cases():
    yield
    if CASES:
        print(f"\nschemathesis: {len(CASES)} generated cases over {len(set(CASES))} operations")


@schema.parametrize()
@settings(
    # 15 per operation and user, besides the cases of the coverage phase: about 4,000 requests,
    # a few minutes per database. The same cases on every run (derandomize), so that a run
    # passes or fails for what the code does, not for the draw; `--hypothesis-seed=N` with
    # derandomize off explores others.
    max_examples=15,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_conforms_to_its_own_schema(case, app, auth):
    CASES.append(case.operation.label)
    case.call_and_validate(
        app=app,
        headers=_headers(case, auth),
        checks=CHECKS.get_all(),
    )


def _headers(case, auth: dict[str, str]) -> dict[str, str]:
    """The user's token, unless the case was made to send headers the schema refuses (no
    Authorization, say): adding the token back would make it a valid request, and its 200
    would count as invalid data accepted."""
    header = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    if header is not None and header.mode == GenerationMode.NEGATIVE:
        return {}
    return auth


def test_served_schema_loads_in_schemathesis_with_every_operation(app, auth):
    served = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=auth)

    labels = {result.ok().label for result in served.get_all_operations()}
    documented = {
        f"{method.upper()} {path}"
        for path, item in ninja_api.get_openapi_schema()["paths"].items()
        for method in item
    }
    assert labels == documented
    assert "POST /api/v1/clients/{code}/quick-log" in labels

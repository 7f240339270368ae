"""The API against its own OpenAPI schema: schemathesis generates requests from the schema
(valid and invalid ones) for every operation and checks that no answer is a server error and
that every documented answer has the documented shape.

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
from schemathesis.checks import not_a_server_error, response_schema_conformance

from hexa.api.api import api as ninja_api
from hexa.api.models import ApiToken
from tests import factories

# Loaded at import: schemathesis' from_fixture loader does not work with pytest 9.
schema = schemathesis.openapi.from_dict(ninja_api.get_openapi_schema())


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


@pytest.fixture
def auth(db) -> dict[str, str]:
    """A valid token, and a few rows for the generated requests to find."""
    user = factories.user("ana")
    factories.employee("ANA", name="Ana", user=user)
    acme = factories.client("ACME", tax_id="B12345678")
    factories.task(factories.project(acme, "ACME"), "Follow-up")
    _row, token = ApiToken.objects.issue(user=user)
    return {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_conforms_to_its_own_schema(case, app, auth):
    case.call_and_validate(
        app=app,
        headers=auth,
        checks=[not_a_server_error, response_schema_conformance],
    )


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

"""What the import tests share: the client ACME they match against, a mixed file, and
planning, keeping and applying as the web page and the command do."""

from __future__ import annotations

import pytest
from django.utils import translation

from hexa.crm.errors import InvalidInput
from hexa.crm.models import ImportJob
from hexa.crm.services import imports
from hexa.crm.services.imports import plan_import
from hexa.crm.services.permissions import SYSTEM
from tests import factories
from tests.spreadsheets import csv_bytes

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def acme(db):
    return factories.client(
        "ACME", name="Acme Industrial", tax_id="B11111111", email="info@acme.es", phone="958 000"
    )


def plan_clients(rows, **options):
    return plan_import(csv_bytes(rows, **options), kind="clients", by=SYSTEM, file_name="c.csv")


def actions(plan) -> list[str]:
    return [row.action for row in plan.rows]


def reasons(row) -> list[str]:
    return [message for _field, message in row.reasons]


def file_error(data: bytes, kind: str = "clients") -> str:
    with pytest.raises(InvalidInput) as caught:
        plan_import(data, kind=kind, by=SYSTEM)
    assert list(caught.value.fields) == ["file"]
    return caught.value.message


def imported(data: bytes, *, kind: str = "clients", by=SYSTEM, rows: int = 250) -> ImportJob:
    """Plan, keep, confirm and apply `data`, as the web page and the command do."""
    job = imports.save_plan(plan_import(data, kind=kind, by=by, file_name="f.csv"), by=by)
    imports.confirm_import(job, by=by)
    return imports.apply_import(job, by=by, rows=rows)


# --- Dry run and apply --------------------------------------------------------------------------


MIXED = [
    ["Código", "Nombre", "NIF", "Email"],
    ["NEW", "Nueva S.L.", "B44444444", "hola@nueva.es"],
    ["ACME", "", "", "nuevo@acme.es"],
    ["BAD", "Mala", "", "no-email"],
    ["ACME2", "", "", ""],
]

"""The employee pages (hexa/web/views/employees.py): managers create, link, deactivate and
restore employees; nobody else may."""

from __future__ import annotations

import pytest

from hexa.crm.models import (
    Employee,
)
from tests import factories
from tests.web.conftest import signed_in_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ana_is_manager")]


# --- Employees ----------------------------------------------------------------------------------


def test_a_manager_creates_links_deactivates_and_restores_an_employee(web):
    login = factories.user("eva")

    web.post("/employees/new/", {"code": "eva", "name": "Eva", "email": "eva@x.es"})
    web.post("/employees/EVA/edit/", {"name": "Eva Ruiz", "email": "eva@x.es", "user": login.pk})
    eva = Employee.objects.get(code="EVA")
    assert (eva.name, eva.user) == ("Eva Ruiz", login)

    web.post("/employees/EVA/active/")
    assert not Employee.objects.get(code="EVA").active
    web.post("/employees/EVA/active/", {"active": "1"})
    assert Employee.objects.get(code="EVA").active


def test_linking_a_user_already_linked_is_refused(web, bea):
    factories.employee("EVA", name="Eva")

    response = web.post("/employees/EVA/edit/", {"name": "Eva", "user": bea.pk})

    assert "user" in response.context["form"].errors
    assert Employee.objects.get(code="EVA").user is None


def test_other_users_cannot_manage_employees(client, bea):
    web = signed_in_client(client, bea)

    assert web.get("/employees/").status_code == 200
    assert "/employees/new/" not in web.get("/employees/").content.decode()
    assert web.get("/employees/new/").status_code == 403
    assert web.post("/employees/new/", {"code": "X", "name": "X"}).status_code == 403
    assert web.post("/employees/BEA/edit/", {"name": "Me"}).status_code == 403
    assert web.post("/employees/BEA/active/").status_code == 403
    assert Employee.objects.get(code="BEA").active
    assert not Employee.objects.filter(code="X").exists()

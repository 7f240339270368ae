"""Finding a client or a project from what a person typed where one is chosen (the pickers
without JavaScript, the reports' filters): a code, or a name or tax id that names one."""

from __future__ import annotations

import pytest
from django.utils import translation

from hexa.crm.errors import InvalidInput
from hexa.crm.services import queries
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def hotels(db):
    sol = factories.client("HOTELSOL", name="Hotel Sol", tax_id="B11111111")
    mar = factories.client("HOTELMAR", name="Hotel Mar Azul", tax_id="A41526374")
    playa = factories.client("PLAYA", name="Hotel Sol Playa", tax_id="B22222222")
    old = factories.client("VIEJO", name="Hostal Viejo", active=False)
    factories.project(sol, "SOL-WEB", name="Web del Sol")
    factories.project(mar, "MAR-OBRA", name="Obra", status="closed")
    return {"sol": sol, "mar": mar, "playa": playa, "old": old}


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("HOTELSOL", "HOTELSOL"),
        (" hotelmar ", "HOTELMAR"),  # a code, in any case
        ("mar azul", "HOTELMAR"),  # the one name that holds it
        ("A-41526374", "HOTELMAR"),  # a tax id, with a dash
        ("hotel sol", "HOTELSOL"),  # two hold it, one is called exactly that
        ("hostal", "VIEJO"),  # reports look back: archived clients too
    ],
)
def test_a_client_is_found_by_code_name_or_tax_id(hotels, typed, code):
    assert queries.find_client(typed).code == code


def test_several_clients_say_which_and_what_to_do(hotels):
    with pytest.raises(InvalidInput) as raised:
        queries.find_client("Hotel")

    (message,) = raised.value.fields["client"]
    assert "HOTELMAR (Hotel Mar Azul)" in message and "HOTELSOL (Hotel Sol)" in message
    assert "Type more of it, or choose one." in message


def test_no_client_says_so_on_the_field_given(hotels):
    with pytest.raises(InvalidInput) as raised:
        queries.find_client("Zapatería", field="customer")

    assert raised.value.fields == {
        "customer": [
            "No client matches “Zapatería”: type its code, part of its name or its tax id."
        ]
    }


def test_archived_clients_are_left_out_where_they_cannot_be_chosen(hotels):
    with pytest.raises(InvalidInput):
        queries.find_client("VIEJO", include_archived=False)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("sol-web", "SOL-WEB"),
        ("web del", "SOL-WEB"),
        ("obra", "MAR-OBRA"),
        ("mar azul", "MAR-OBRA"),
    ],
)
def test_a_project_is_found_by_its_code_or_name_or_its_clients(hotels, typed, code):
    assert queries.find_project(typed).code == code


def test_closed_projects_are_left_out_where_they_cannot_be_chosen(hotels):
    with pytest.raises(InvalidInput) as raised:
        queries.find_project("obra", include_closed=False)

    assert "No project matches “obra”" in raised.value.fields["project"][0]


def test_the_explorer_and_the_pickers_search_alike(hotels):
    # One search: the explorer's list and the picker's suggestions for the same words.
    explored = [c.code for c in queries.explore_clients(q="b1111")]
    suggested = [c.code for c in queries.search_clients("b1111")]

    assert explored == suggested == ["HOTELSOL"]


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("pena", ["PENA"]),  # without its tilde
        ("PEÑA", ["PENA"]),  # in capitals, with it
        ("jose", ["JOSE", "PENA"]),  # "José" in one name, "Josefa" in the other
        ("JOSÉ", ["JOSE", "PENA"]),
        ("b-9876", ["JOSE"]),  # part of a tax id, dashes ignored
        ("se", ["JOSE", "PENA"]),  # a code's substring (jOSE) or a name's (JoSEfa)
    ],
)
def test_the_search_ignores_accents_and_case(db, typed, codes):
    factories.client("JOSE", name="Bar José", tax_id="B98765432")
    factories.client("PENA", name="Josefa Peña")
    factories.client("OTRO", name="Otro")

    assert list(queries.search_clients(typed).values_list("code", flat=True)) == codes


@pytest.mark.parametrize(
    ("offset", "limit", "found", "count"),
    [
        (0, 25, 3, 3),  # one page, not full: the rows end on it
        (0, 25, 0, 0),  # nothing at all
        (50, 25, 7, 57),  # the last page of three
        (0, 25, 25, None),  # a full page: there may be more
        (50, 25, 0, None),  # past the end: only a count says where it is
    ],
)
def test_a_list_is_counted_only_when_its_page_cannot_say(offset, limit, found, count):
    assert queries.count_from_page(offset=offset, limit=limit, found=found) == count

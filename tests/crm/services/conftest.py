"""What the domain's tests share."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hexa.crm.services.permissions import managers_group
from tests import factories


@pytest.fixture
def manager(db):
    """A user in the managers group, with no employee."""
    user = factories.user("boss")
    user.groups.add(managers_group())
    return user


def set_now(monkeypatch, moment: dt.datetime) -> None:
    """Make `moment` the time it is now, for the rest of the test."""
    monkeypatch.setattr(timezone, "now", lambda: moment)

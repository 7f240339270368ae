"""What the domain's tests share."""

from __future__ import annotations

import pytest

from hexa.crm.services.permissions import managers_group
from tests import factories


@pytest.fixture
def manager(db):
    """A user in the managers group, with no employee."""
    user = factories.user("boss")
    user.groups.add(managers_group())
    return user

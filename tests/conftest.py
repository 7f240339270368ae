from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from tests import factories


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    # Real hashing costs a quarter of a second per user; these tests are not about it.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The manifest storage needs `collectstatic`; tests serve files straight from the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def employee(db):
    return factories.employee("ANA", name="Ana García")


@pytest.fixture
def client_acme(db):
    return factories.client("ACME", name="Acme S.L.")


@pytest.fixture
def user(db):
    return factories.user("ana")


def database_vendor() -> str:
    url = os.environ.get("HEXA_DATABASE_URL", "")
    return "postgresql" if url.startswith(("postgres", "postgresql")) else "sqlite"

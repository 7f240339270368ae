"""GET /healthz and GET /readyz, for load balancers: no sign-in, tiny JSON, never cached.
(With the database taken away: tests/server/test_faults.py.)"""

from __future__ import annotations

import pytest
from django.db.migrations.recorder import MigrationRecorder


@pytest.mark.django_db
def test_health_and_readiness_answer_without_signing_in(client):
    alive = client.get("/healthz")
    ready = client.get("/readyz")

    assert alive.status_code == 200
    assert alive.json() == {"status": "alive"}
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}
    for answer in (alive, ready):
        assert "no-store" in answer["Cache-Control"]
        assert len(answer.content) < 100


@pytest.mark.django_db
def test_a_database_without_the_latest_migration_is_not_ready(client):
    latest = MigrationRecorder.Migration.objects.filter(app="crm").latest("id")
    latest.delete()

    answer = client.get("/readyz", headers={"Accept-Language": "en"})

    assert answer.status_code == 503
    assert answer.json() == {
        "status": "unavailable",
        "reason": "The database lacks migrations: run hexa migrate.",
    }
    assert int(answer["Retry-After"]) > 0
    assert "no-store" in answer["Cache-Control"]

"""The worker's hourly housekeeping: expired trash, idempotency answers, login failures,
and SQLite's planner statistics."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from amity.core import services as core_services
from amity.core.models import IdempotencyRecord, LoginFailure
from amity.core.tasks import refresh_statistics, run_maintenance
from amity.customers import services
from amity.customers.models import Person
from tests.conftest import World


def test_it_purges_only_what_has_expired(world: World) -> None:
    alice = world.member(world.alice)
    old = services.create_person(alice, {"last_name": "Old"})
    recent = services.create_person(alice, {"last_name": "Recent"})
    for person in (old, recent):
        services.trash(alice, person)
    Person.objects.filter(workspace=world.acme, pk=old.pk).update(
        deleted_at=timezone.now() - timedelta(days=31)
    )
    IdempotencyRecord.objects.create(
        workspace=world.acme,
        user=world.alice,
        key="old",
        method="POST",
        path="/",
        request_hash="x",
        created_at=timezone.now() - timedelta(hours=25),
    )
    IdempotencyRecord.objects.create(
        workspace=world.acme, user=world.alice, key="new", method="POST", path="/", request_hash="x"
    )
    core_services.record_login_failure("x@example.test", "127.0.0.1", reason="test")
    LoginFailure.objects.create(email="y@example.test", at=timezone.now() - timedelta(days=2))

    result = run_maintenance.call()

    assert set(result.values()) != {-1}
    assert list(
        Person.objects.filter(workspace=world.acme, deleted_at__isnull=False).values_list(
            "last_name", flat=True
        )
    ) == ["Recent"]
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert list(LoginFailure.objects.values_list("email", flat=True)) == ["x@example.test"]


def test_it_keeps_sqlites_planner_statistics(world: World) -> None:
    alice = world.member(world.alice)
    for n in range(3):
        services.create_person(alice, {"last_name": f"Stat {n}"})

    done = refresh_statistics()

    if connection.vendor != "sqlite":
        assert done == 0  # PostgreSQL's autovacuum keeps them
        return
    assert done == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'customers_person'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert "person_ws_owner_created" in indexes
    assert "amity.core.tasks.refresh_statistics" in settings.AMITY_MAINTENANCE

from __future__ import annotations

import itertools

import pytest
from django.db import connection

from amity.core import audit
from amity.core.models import AuditEvent
from amity.customers import services as customers
from tests.conftest import World, tenant_guard_off


def test_it_chains_events_per_workspace(world: World) -> None:
    alice = world.member(world.alice)
    customers.create_company(alice, {"name": "Initech"})
    assert audit.verify() == []
    events = list(AuditEvent.objects.filter(chain=f"ws:{world.acme.pk}").order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))


def test_orm_refuses_to_change_events(world: World) -> None:
    event = AuditEvent.objects.filter(workspace=world.acme).first()
    assert event is not None
    event.reason = "edited"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def _raw(sql: str, params: list[object]) -> None:
    with tenant_guard_off(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")
        else:
            # A superuser bypassing the trigger, as an attacker with DBA rights could.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def test_verify_finds_an_edited_event(world: World) -> None:
    alice = world.member(world.alice)
    company = customers.create_company(alice, {"name": "Initech"})
    event = AuditEvent.objects.get(workspace=world.acme, object_id=str(company.pk), action="create")
    _raw("UPDATE core_auditevent SET actor_label = %s WHERE id = %s", ["someone-else", event.pk])
    problems = audit.verify()
    assert [(p.chain, p.seq) for p in problems] == [(event.chain, event.seq)]


def test_verify_finds_a_deleted_event(world: World) -> None:
    alice = world.member(world.alice)
    customers.create_company(alice, {"name": "Initech"})
    customers.create_company(alice, {"name": "Hooli"})
    last = AuditEvent.objects.filter(chain=f"ws:{world.acme.pk}").order_by("-seq").first()
    middle = AuditEvent.objects.filter(chain=f"ws:{world.acme.pk}").order_by("-seq")[1]
    assert last is not None
    _raw("DELETE FROM core_auditevent WHERE id = %s", [middle.pk])
    assert any("broken" in p.problem or "missing" in p.problem for p in audit.verify())


def test_database_refuses_updates_and_deletes(world: World) -> None:
    from django.db import DatabaseError, transaction

    event = AuditEvent.objects.filter(workspace=world.acme).first()
    assert event is not None
    for sql in (
        "UPDATE core_auditevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])

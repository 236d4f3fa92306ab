"""Editing and deleting a logged call or meeting: locking, audit, and the timeline follows."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.activities import interactions
from amity.activities.models import Interaction
from amity.core.models import AuditEvent, User
from amity.customers import services as customers
from amity.customers.models import Person, TimelineEvent
from tests.conftest import World, tenant_guard_off


def _logged(world: World, by: User) -> tuple[Person, Interaction]:
    ann = customers.create_person(world.member(world.alice), {"last_name": "Ann"})
    data = {"kind": "call", "direction": "outbound", "outcome": "busy", "notes": "First try"}
    return ann, interactions.log(world.member(by), ann, data)


def _entries(person: Person) -> list[str]:
    with tenant_guard_off():
        return list(
            TimelineEvent.objects.filter(person=person, kind="call").values_list(
                "summary", flat=True
            )
        )


def _form(**extra: str) -> dict[str, str]:
    return {
        "direction": "outbound",
        "outcome": "connected",
        "duration_minutes": "15",
        "occurred_at": "2026-01-05T10:00",
        "notes": "Reached her",
        **extra,
    }


def test_it_edits_and_the_timeline_follows(world: World, as_user: Callable[[User], Client]) -> None:
    ann, call = _logged(world, world.bob)
    client = as_user(world.bob)
    assert (
        f'href="/interactions/{call.pk}/edit/"'.encode() in client.get(f"/people/{ann.pk}/").content
    )
    assert client.get(f"/interactions/{call.pk}/edit/").status_code == 200
    response = client.post(f"/interactions/{call.pk}/edit/", _form(version="1"))
    assert response.status_code == 302
    assert _entries(ann) == ["Outbound call, connected, 15 min: Reached her"]
    with tenant_guard_off():
        assert Interaction.objects.get().version == 2
        changes = AuditEvent.objects.get(object_type="interaction", action="update").changes
    assert changes["outcome"] == ["busy", "connected"]


def test_a_stale_edit_changes_nothing(world: World, as_user: Callable[[User], Client]) -> None:
    ann, call = _logged(world, world.bob)
    client = as_user(world.bob)
    client.post(f"/interactions/{call.pk}/edit/", _form(version="1"))
    response = client.post(f"/interactions/{call.pk}/edit/", _form(version="1", notes="Stale"))
    assert response.status_code == 400
    assert b"changed this entry meanwhile" in response.content
    assert _entries(ann) == ["Outbound call, connected, 15 min: Reached her"]


def test_deleting_takes_it_off_the_timeline(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann, call = _logged(world, world.bob)
    response = as_user(world.bob).post(f"/interactions/{call.pk}/delete/", {"version": "1"})
    assert response.status_code == 302
    assert _entries(ann) == []
    with tenant_guard_off():
        assert Interaction.objects.get().deleted_at is not None
        assert AuditEvent.objects.filter(object_type="interaction", action="delete").count() == 1


def test_it_requires_write_access(world: World, as_user: Callable[[User], Client]) -> None:
    ann, call = _logged(world, world.alice)
    response = as_user(world.dave).post(f"/interactions/{call.pk}/delete/", {"version": "1"})
    assert response.status_code == 403
    assert _entries(ann) == ["Outbound call, busy: First try"]


def test_it_checks_ownership(world: World, as_user: Callable[[User], Client]) -> None:
    """Bob may not edit alice's call on a person he does not own."""
    ann, call = _logged(world, world.alice)
    response = as_user(world.bob).post(f"/interactions/{call.pk}/edit/", _form(version="1"))
    assert response.status_code == 403
    assert _entries(ann) == ["Outbound call, busy: First try"]


def test_it_rejects_get(world: World, as_user: Callable[[User], Client]) -> None:
    _, call = _logged(world, world.bob)
    assert as_user(world.bob).get(f"/interactions/{call.pk}/delete/").status_code == 405

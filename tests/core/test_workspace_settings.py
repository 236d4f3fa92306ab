"""The workspace settings: name and required two-factor (admins only, audited as security)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from amity.core.models import AuditEvent, Workspace
from tests.conftest import World, tenant_guard_off


def test_it_shows_the_settings(
    client: Client,
    as_user: Callable[..., Client],
    world: World,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    as_user(world.alice)
    with django_assert_num_queries(8):
        response = client.get("/workspace/")
    assert response.status_code == 200
    assert response.context["form"].initial == {
        "name": "Acme",
        "require_2fa": False,
        "time_zone": "UTC",
        "email_tracking": False,
    }


def test_it_saves_and_audits(client: Client, as_user: Callable[..., Client], world: World) -> None:
    as_user(world.alice)
    response = client.post("/workspace/", {"name": "Acme Ltd", "require_2fa": "on"})
    assert response.status_code == 302
    world.acme.refresh_from_db()
    assert (world.acme.name, world.acme.require_2fa) == ("Acme Ltd", True)
    with tenant_guard_off():
        event = AuditEvent.objects.get(action="security")
    assert event.changes == {"name": ["Acme", "Acme Ltd"], "require_2fa": [False, True]}
    assert (event.workspace_id, event.actor_id, event.object_type) == (
        world.acme.pk,
        world.alice.pk,
        "workspace",
    )
    # Alice herself must now set up two-factor before anything else.
    assert client.get("/workspace/")["Location"] == "/account/2fa/"


def test_it_does_not_audit_an_unchanged_save(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    client.post("/workspace/", {"name": "Acme"})
    with tenant_guard_off():
        assert not AuditEvent.objects.filter(action="security").exists()


def test_it_needs_a_name(client: Client, as_user: Callable[..., Client], world: World) -> None:
    as_user(world.alice)
    assert client.post("/workspace/", {"name": ""}).status_code == 400
    assert Workspace.objects.get(pk=world.acme.pk).name == "Acme"


@pytest.mark.parametrize("name", ["erin", "bob", "frank"])
def test_it_is_for_admins_only(
    client: Client, as_user: Callable[..., Client], world: World, name: str
) -> None:
    as_user(getattr(world, name))
    assert client.get("/workspace/").status_code == 403
    assert client.post("/workspace/", {"name": "Hacked", "require_2fa": "on"}).status_code == 403
    world.acme.refresh_from_db()
    assert (world.acme.name, world.acme.require_2fa) == ("Acme", False)


def test_it_changes_only_the_admins_own_workspace(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.mallory)
    client.post("/workspace/", {"name": "Globex Corp"})
    world.acme.refresh_from_db()
    world.globex.refresh_from_db()
    assert (world.acme.name, world.globex.name) == ("Acme", "Globex Corp")


def test_it_needs_a_login(client: Client, world: World) -> None:
    assert client.post("/workspace/", {"name": "X"})["Location"] == "/login/?next=/workspace/"
    assert Workspace.objects.get(pk=world.acme.pk).name == "Acme"


def test_it_sets_the_time_zone_and_refuses_an_unknown_one(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    response = client.post("/workspace/", {"name": "Acme", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert (
        client.post("/workspace/", {"name": "Acme", "time_zone": "Pacific/Kiritimati"})["Location"]
        == "/workspace/"
    )
    world.acme.refresh_from_db()
    assert world.acme.time_zone == "Pacific/Kiritimati"
    with tenant_guard_off():
        event = AuditEvent.objects.get(action="security")
    assert event.changes == {"time_zone": ["UTC", "Pacific/Kiritimati"]}
    # A form without the field keeps the zone.
    client.post("/workspace/", {"name": "Acme"})
    world.acme.refresh_from_db()
    assert world.acme.time_zone == "Pacific/Kiritimati"


def test_email_tracking_is_off_until_an_admin_turns_it_on_audited(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    assert world.acme.email_tracking is False
    as_user(world.alice)
    response = client.post("/workspace/", {"name": "Acme", "email_tracking": "on"})
    assert response.status_code == 302
    world.acme.refresh_from_db()
    assert world.acme.email_tracking is True
    with tenant_guard_off():
        event = AuditEvent.objects.get(action="security")
    assert event.changes == {"email_tracking": [False, True]}
    client.post("/workspace/", {"name": "Acme"})
    world.acme.refresh_from_db()
    assert world.acme.email_tracking is False


@pytest.mark.parametrize("name", ["erin", "bob"])
def test_only_admins_turn_email_tracking_on(
    client: Client, as_user: Callable[..., Client], world: World, name: str
) -> None:
    as_user(getattr(world, name))
    response = client.post("/workspace/", {"name": "Acme", "email_tracking": "on"})
    assert response.status_code == 403
    world.acme.refresh_from_db()
    assert world.acme.email_tracking is False

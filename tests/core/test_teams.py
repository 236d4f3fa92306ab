"""Teams on the members screen: create and rename (admins only)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from amity.core.models import AuditEvent, Team
from tests.conftest import World, tenant_guard_off


def test_it_creates_a_team(client: Client, as_user: Callable[..., Client], world: World) -> None:
    as_user(world.alice)
    response = client.post("/teams/", {"name": "West"})
    assert response.status_code == 302
    team = Team.objects.get(workspace=world.acme, name="West")
    with tenant_guard_off():
        event = AuditEvent.objects.get(object_type="team")
    assert (event.changes, event.object_id) == ({"name": [None, "West"]}, str(team.pk))


def test_it_renames_a_team(client: Client, as_user: Callable[..., Client], world: World) -> None:
    as_user(world.alice)
    assert client.post(f"/teams/{world.east.pk}/", {"name": "East Coast"}).status_code == 302
    world.east.refresh_from_db()
    assert world.east.name == "East Coast"


def test_it_refuses_a_taken_or_empty_name(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    assert client.post("/teams/", {"name": "East"}).status_code == 400
    assert client.post("/teams/", {"name": "  "}).status_code == 400
    Team.objects.create(workspace=world.acme, name="West")
    assert client.post(f"/teams/{world.east.pk}/", {"name": "West"}).status_code == 400
    assert sorted(Team.objects.filter(workspace=world.acme).values_list("name", flat=True)) == [
        "East",
        "West",
    ]


@pytest.mark.parametrize("name", ["erin", "bob"])
def test_it_is_for_admins_only(
    client: Client, as_user: Callable[..., Client], world: World, name: str
) -> None:
    as_user(getattr(world, name))
    assert client.post("/teams/", {"name": "West"}).status_code == 403
    assert client.post(f"/teams/{world.east.pk}/", {"name": "Mine"}).status_code == 403
    assert list(Team.objects.filter(workspace=world.acme).values_list("name", flat=True)) == [
        "East"
    ]


def test_it_hides_other_workspaces_teams(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.mallory)
    assert client.post(f"/teams/{world.east.pk}/", {"name": "Mine"}).status_code == 404
    world.east.refresh_from_db()
    assert world.east.name == "East"


def test_it_needs_a_login(client: Client, world: World) -> None:
    assert client.post("/teams/", {"name": "West"})["Location"] == "/login/?next=/teams/"
    assert not Team.objects.filter(workspace=world.acme, name="West").exists()

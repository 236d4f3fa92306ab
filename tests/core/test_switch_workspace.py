"""Switching workspace: only to one where the user is an active member."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core import services
from amity.core.models import Membership
from tests.conftest import World, login


def test_it_switches_to_another_own_workspace(client: Client, world: World) -> None:
    services.add_member(world.globex, world.bob, "readonly")
    login(client, world.bob)
    assert client.session["workspace_id"] == world.acme.pk
    response = client.get("/workspaces/switch/")
    assert [m.workspace.name for m in response.context["memberships"]] == ["Acme", "Globex"]
    response = client.post("/workspaces/switch/", {"workspace": world.globex.pk})
    assert response.status_code == 302
    assert client.session["workspace_id"] == world.globex.pk
    response = client.get("/account/")
    assert response.context["membership"].workspace_id == world.globex.pk


def test_it_refuses_a_workspace_of_someone_else(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.bob)
    for value in (world.globex.pk, "", "abc", "999999"):
        response = client.post("/workspaces/switch/", {"workspace": value})
        assert response.status_code == 400
        assert b"Choose one of your workspaces" in response.content
        assert client.session["workspace_id"] == world.acme.pk


def test_it_refuses_a_workspace_left_behind(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    services.add_member(world.globex, world.bob, "readonly")
    Membership.objects.filter(user=world.bob, workspace=world.globex).update(is_active=False)
    as_user(world.bob)
    assert client.post("/workspaces/switch/", {"workspace": world.globex.pk}).status_code == 400
    assert client.session["workspace_id"] == world.acme.pk


def test_it_needs_a_login(client: Client, world: World) -> None:
    response = client.post("/workspaces/switch/", {"workspace": world.acme.pk})
    assert response["Location"] == "/login/?next=/workspaces/switch/"

"""Logging out: POST only, audited, and the old cookie is worthless afterwards."""

from __future__ import annotations

from django.test import Client

from amity.core.models import AuditEvent
from tests.conftest import World, login, tenant_guard_off


def test_it_logs_out(client: Client, world: World) -> None:
    login(client, world.bob)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    with tenant_guard_off():
        event = AuditEvent.objects.get(action="logout")
    assert (event.actor_id, event.workspace_id) == (world.bob.pk, world.acme.pk)


def test_it_rejects_get(client: Client, world: World) -> None:
    login(client, world.bob)
    assert client.get("/logout/").status_code == 405
    assert client.session["_auth_user_id"] == str(world.bob.pk)


def test_it_makes_the_old_cookie_useless(client: Client, world: World) -> None:
    login(client, world.bob)
    old_cookie = client.cookies["amity_session"].value
    client.post("/logout/")
    thief = Client()
    thief.cookies["amity_session"] = old_cookie
    response = thief.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/account/"


def test_it_is_harmless_when_anonymous(client: Client, db: None) -> None:
    response = client.post("/logout/")
    assert response.status_code == 302
    with tenant_guard_off():
        assert not AuditEvent.objects.filter(action="logout").exists()

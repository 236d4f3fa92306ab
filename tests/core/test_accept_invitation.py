"""Accepting an invitation: the email over real SMTP, new accounts, and existing ones."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from amity.core import services
from amity.core.models import Invitation, Membership, OutboxMessage, Role, User
from tests.conftest import PASSWORD, SmtpServer, World, login, tenant_guard_off

NEW_PASSWORD = "nina's own long pass phrase"
LINK = re.compile(r"http://127\.0\.0\.1:8000(/invitations/([\w-]+)/)")


def invite(world: World, email: str, key: str = "support") -> str:
    """Invite someone as alice; return the link path from the queued email."""
    role = Role.objects.get(workspace=world.acme, key=key)
    services.invite(world.member(world.alice), email, role, world.east)
    body = OutboxMessage.objects.latest("pk").payload["body"]
    found = LINK.search(body)
    assert found
    return found.group(1)


def test_it_emails_the_link_over_smtp_and_the_invitee_joins(
    client: Client,
    world: World,
    smtp_server: SmtpServer,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    admin = Client()
    login(admin, world.alice)
    role = Role.objects.get(workspace=world.acme, key="sales")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/members/invite/", {"email": "nina@new.test", "role": role.pk, "team": world.east.pk}
        )
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "nina@new.test"
    assert "Acme" in message["Subject"]
    body = message.get_payload(decode=True).decode()
    found = LINK.search(body)
    assert found, body
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT

    response = client.get(found.group(1))
    assert response.status_code == 200
    response = client.post(
        found.group(1),
        {"full_name": "Nina N", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    nina = User.objects.get(email="nina@new.test")
    membership = Membership.objects.get(user=nina, workspace=world.acme)
    assert (membership.role.key, membership.team_id, membership.is_active) == (
        "sales",
        world.east.pk,
        True,
    )
    assert client.session["_auth_user_id"] == str(nina.pk)

    client.post("/logout/")
    response = client.post("/login/", {"email": "nina@new.test", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200


def test_it_works_once(client: Client, world: World) -> None:
    path = invite(world, "nina@new.test")
    data = {"full_name": "Nina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert client.post(path, data).status_code == 302
    assert Client().get(path).status_code == 404
    assert Client().post(path, data).status_code == 404
    assert User.objects.filter(email="nina@new.test").count() == 1


def test_it_refuses_an_unknown_or_expired_link(client: Client, world: World) -> None:
    path = invite(world, "nina@new.test")
    assert client.get("/invitations/not-a-real-token/").status_code == 404
    with tenant_guard_off():
        Invitation.objects.update(expires_at=Invitation.objects.get().created_at)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("password1", "password2"),
    [("short", "short"), (NEW_PASSWORD, NEW_PASSWORD + "x"), ("nina@new.test", "nina@new.test")],
)
def test_it_checks_the_new_password(
    client: Client, world: World, password1: str, password2: str
) -> None:
    path = invite(world, "nina@new.test")
    response = client.post(
        path, {"full_name": "Nina", "password1": password1, "password2": password2}
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="nina@new.test").exists()


def test_it_asks_an_existing_user_to_log_in(client: Client, world: World) -> None:
    """Holding the link alone never adds an existing account to a workspace."""
    path = invite(world, world.mallory.email, "readonly")
    response = client.get(path)
    assert response.status_code == 200
    assert f'href="/login/?next={path}"'.encode() in response.content
    client.post(path, {"full_name": "X", "password1": "x", "password2": "x"})
    assert not Membership.objects.filter(user=world.mallory, workspace=world.acme).exists()
    world.mallory.refresh_from_db()
    assert world.mallory.check_password(PASSWORD)


def test_it_lets_the_existing_user_join(client: Client, world: World) -> None:
    path = invite(world, world.mallory.email, "readonly")
    login(client, world.mallory)
    response = client.post(path)
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.mallory, workspace=world.acme)
    assert membership.role.key == "readonly"
    assert client.session["workspace_id"] == world.acme.pk
    assert world.member(world.mallory, world.globex).role.key == "admin"


def test_it_refuses_someone_else_logged_in(client: Client, world: World) -> None:
    path = invite(world, world.mallory.email, "readonly")
    login(client, world.bob)
    response = client.post(path)
    assert response.status_code == 200
    assert b"This invitation is for" in response.content
    assert not Membership.objects.filter(user=world.mallory, workspace=world.acme).exists()

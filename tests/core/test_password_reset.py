"""Password reset by email: through the outbox, single use, and never a way around 2FA."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from amity.core.models import AuditEvent, LoginFailure, OutboxMessage
from tests.conftest import PASSWORD, World, tenant_guard_off
from tests.core.twofactor import enable_two_factor

NEW_PASSWORD = "a brand new pass phrase"
Capture = Callable[..., Any]


def ask_for_link(client: Client, email: str, capture: Capture) -> str:
    """Ask for a reset and return the link from the delivered email."""
    with capture(execute=True):
        response = client.post("/password-reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    found = re.search(r"http://127\.0\.0\.1:8000(/password-reset/\S+/)", mail.outbox[0].body)
    assert found, mail.outbox[0].body
    return found.group(1)


def set_new_password(client: Client, link: str) -> None:
    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url.endswith("/set-password/")
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/done/"


def test_it_queues_the_email_in_the_outbox(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    link = ask_for_link(client, world.bob.email, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get()
    assert message.payload["to"] == [world.bob.email]
    assert message.status == OutboxMessage.Status.SENT
    assert link in mail.outbox[0].body
    assert mail.outbox[0].subject == "Reset your Amity password"
    # Delivered: the one-time link is not kept in the database.
    assert message.payload["body"] == ""


def test_it_answers_the_same_for_an_unknown_address(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/password-reset/", {"email": "nobody@acme.test"})
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []
    assert not OutboxMessage.objects.exists()


def test_it_sets_a_new_password_and_ends_sessions(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    victim = Client()
    victim.post("/login/", {"email": world.bob.email, "password": PASSWORD})
    link = ask_for_link(client, world.bob.email, django_capture_on_commit_callbacks)
    set_new_password(client, link)
    assert "_auth_user_id" not in client.session
    assert victim.get("/account/").status_code == 302
    response = client.post("/login/", {"email": world.bob.email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    with tenant_guard_off():
        event = AuditEvent.objects.get(action="security")
    assert event.changes == {"password": ["reset", "***"]}
    assert event.actor_id == world.bob.pk


def test_it_works_once(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    link = ask_for_link(client, world.bob.email, django_capture_on_commit_callbacks)
    set_new_password(client, link)
    again = Client()
    response = again.get(link, follow=True)
    assert response.status_code == 200
    assert b"does not work" in response.content


def test_it_lifts_a_lockout(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    """S5: an attacker can lock the account, but the owner gets back in by email."""
    for i in range(5):
        client.post("/login/", {"email": world.erin.email, "password": f"guess {i}"})
    assert LoginFailure.objects.filter(email=world.erin.email).count() == 5
    link = ask_for_link(client, world.erin.email, django_capture_on_commit_callbacks)
    set_new_password(client, link)
    assert LoginFailure.objects.filter(email=world.erin.email).count() == 0
    response = client.post("/login/", {"email": world.erin.email, "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_it_still_asks_for_the_code_afterwards(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    """S6: a reset never bypasses two-factor authentication."""
    enable_two_factor(world.alice)
    link = ask_for_link(client, world.alice.email, django_capture_on_commit_callbacks)
    set_new_password(client, link)
    response = client.post("/login/", {"email": world.alice.email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/login/verify/"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("password", ["short", "password123"])
def test_it_refuses_weak_passwords(
    client: Client,
    world: World,
    django_capture_on_commit_callbacks: Capture,
    password: str,
) -> None:
    link = ask_for_link(client, world.bob.email, django_capture_on_commit_callbacks)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    world.bob.refresh_from_db()
    assert world.bob.check_password(PASSWORD)


def test_it_accepts_a_long_pass_phrase(
    client: Client, world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    link = ask_for_link(client, world.bob.email, django_capture_on_commit_callbacks)
    form_url = client.get(link)["Location"]
    phrase = "correct horse battery staple " * 4
    client.post(form_url, {"new_password1": phrase, "new_password2": phrase})
    world.bob.refresh_from_db()
    assert len(phrase) > 64
    assert world.bob.check_password(phrase)

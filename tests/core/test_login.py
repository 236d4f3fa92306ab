"""The login form: password check, session rotation, safe redirects and auditing."""

from __future__ import annotations

from django.test import Client

from amity.core.models import AuditEvent, LoginFailure
from tests.conftest import PASSWORD, World, tenant_guard_off


def test_it_logs_in_on_a_new_session_id(client: Client, world: World) -> None:
    """S7: the session id changes at login, so a planted id is worthless."""
    client.get("/login/")
    session = client.session
    session["planted"] = True
    session.save()
    before = client.session.session_key
    response = client.post("/login/", {"email": world.alice.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    after = client.cookies["amity_session"].value
    assert before and after and before != after
    assert client.session["_auth_user_id"] == str(world.alice.pk)
    assert client.session["workspace_id"] == world.acme.pk
    assert client.session["epoch"] == world.alice.session_epoch


def test_it_records_the_login(client: Client, world: World) -> None:
    client.post("/login/", {"email": world.bob.email, "password": PASSWORD})
    with tenant_guard_off():
        event = AuditEvent.objects.filter(action="login").get()
    assert (event.actor_id, event.workspace_id, event.ip) == (
        world.bob.pk,
        world.acme.pk,
        "127.0.0.1",
    )


def test_it_accepts_the_email_in_any_case(client: Client, world: World) -> None:
    response = client.post("/login/", {"email": "ALICE@acme.TEST", "password": PASSWORD})
    assert response.status_code == 302


def test_it_refuses_a_wrong_password(client: Client, world: World) -> None:
    response = client.post("/login/", {"email": world.alice.email, "password": "wrong one"})
    assert response.status_code == 401
    assert b"do not match" in response.content
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(email=world.alice.email).count() == 1
    with tenant_guard_off():
        event = AuditEvent.objects.get(action="login_failed")
    assert (event.actor_id, event.reason) == (world.alice.pk, "bad credentials")


def test_it_audits_a_failure_for_an_unknown_address(client: Client, world: World) -> None:
    response = client.post("/login/", {"email": "nobody@acme.test", "password": PASSWORD})
    assert response.status_code == 401
    with tenant_guard_off():
        event = AuditEvent.objects.get(action="login_failed")
    assert (event.chain, event.actor_id, event.actor_label) == ("global", None, "nobody@acme.test")


def test_it_refuses_an_inactive_user(client: Client, world: World) -> None:
    world.dave.is_active = False
    world.dave.save(update_fields=["is_active"])
    response = client.post("/login/", {"email": world.dave.email, "password": PASSWORD})
    assert response.status_code == 401


def test_it_clears_earlier_failures_after_a_success(client: Client, world: World) -> None:
    for _ in range(3):
        client.post("/login/", {"email": world.carol.email, "password": "nope nope"})
    client.post("/login/", {"email": world.carol.email, "password": PASSWORD})
    assert LoginFailure.objects.filter(email=world.carol.email).count() == 0


def test_it_follows_a_local_next(client: Client, world: World) -> None:
    response = client.post(
        "/login/", {"email": world.alice.email, "password": PASSWORD, "next": "/members/"}
    )
    assert response["Location"] == "/members/"


def test_it_ignores_a_foreign_next(client: Client, world: World) -> None:
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        client.logout()
        response = client.post(
            "/login/", {"email": world.alice.email, "password": PASSWORD, "next": target}
        )
        assert response["Location"] == "/"


def test_it_shows_the_form_with_a_reset_link(client: Client, db: None) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert b'href="/password-reset/"' in response.content
    assert b'autocomplete="current-password"' in response.content


def test_it_rejects_other_methods(client: Client, db: None) -> None:
    assert client.put("/login/").status_code == 405

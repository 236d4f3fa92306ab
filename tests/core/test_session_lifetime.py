"""S7: idle and absolute timeouts, and sessions ended by deactivation or by the user."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amity.core import services
from tests.conftest import World, login


def test_it_expires_after_thirty_idle_minutes() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.AMITY_SESSION_REFRESH_SECONDS == 60
    assert settings.AMITY_SESSION_ABSOLUTE_SECONDS == 12 * 3600


def test_it_refreshes_the_idle_timer_once_a_minute(client: Client, world: World) -> None:
    login(client, world.bob)
    session = client.session
    session["seen_at"] = int(time.time()) - 61
    session.save()
    first = client.session.get_expiry_date()
    time.sleep(0.01)
    client.get("/account/")
    assert client.session.get_expiry_date() > first


def test_it_does_not_write_the_session_on_every_request(client: Client, world: World) -> None:
    login(client, world.bob)
    client.get("/account/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/account/")
    writes = [
        q["sql"] for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]
    ]
    assert writes == []


def test_it_ends_a_session_idle_too_long(client: Client, world: World) -> None:
    login(client, world.bob)
    session = client.session
    session.set_expiry(-1)
    session.save()
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_ends_a_session_after_twelve_hours(client: Client, world: World) -> None:
    login(client, world.bob)
    session = client.session
    session["started_at"] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/account/"
    assert "_auth_user_id" not in client.session


def test_it_keeps_a_session_younger_than_twelve_hours(client: Client, world: World) -> None:
    login(client, world.bob)
    session = client.session
    session["started_at"] = time.time() - 11 * 3600
    session.save()
    assert client.get("/account/").status_code == 200


def test_it_ends_a_deactivated_members_session_at_the_next_request(
    client: Client, world: World
) -> None:
    login(client, world.bob)
    assert client.get("/account/").status_code == 200
    admin = Client()
    login(admin, world.alice)
    response = admin.post(f"/members/{world.member(world.bob).pk}/deactivate/")
    assert response.status_code == 302
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/account/"
    assert "_auth_user_id" not in client.session


def test_it_ends_the_session_of_a_disabled_user(client: Client, world: World) -> None:
    login(client, world.carol)
    world.carol.is_active = False
    world.carol.save(update_fields=["is_active"])
    assert client.get("/account/").status_code == 302


def test_it_ends_every_session_when_asked(client: Client, world: World) -> None:
    login(client, world.carol)
    services.end_sessions(world.carol)
    assert client.get("/account/").status_code == 302


def test_it_ends_the_users_other_sessions_but_keeps_this_one(client: Client, world: World) -> None:
    laptop, phone = Client(), Client()
    login(laptop, world.erin)
    login(phone, world.erin)
    response = laptop.post("/account/sessions/end/")
    assert response.status_code == 302
    assert laptop.get("/account/").status_code == 200
    assert phone.get("/account/").status_code == 302


def test_it_needs_a_login_to_end_sessions(client: Client, world: World) -> None:
    response = client.post("/account/sessions/end/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_sets_safe_cookie_flags(client: Client, world: World) -> None:
    login(client, world.bob)
    cookie = client.cookies["amity_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"

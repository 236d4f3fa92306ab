"""The account page: preferences, and email or password changes that need the password."""

from __future__ import annotations

from django.test import Client
from pytest_django import DjangoAssertNumQueries
from pytest_django.asserts import assertContains

from amity.core.models import AuditEvent, User
from tests.conftest import PASSWORD, World, login, tenant_guard_off

NEW_PASSWORD = "another long pass phrase"


def test_it_shows_the_page(
    client: Client, world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    login(client, world.dave)
    with django_assert_num_queries(10):
        response = client.get("/account/")
    assert response.status_code == 200
    assertContains(response, "dave@acme.test")
    assertContains(response, 'value="Europe/Oslo"')
    assert response["Cache-Control"] == "no-store"


def test_it_needs_a_login(client: Client, db: None) -> None:
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/account/"


def test_it_saves_preferences(client: Client, world: World) -> None:
    login(client, world.dave)
    response = client.post(
        "/account/", {"full_name": "Dave D.", "language": "nb", "time_zone": "Europe/Oslo"}
    )
    assert response.status_code == 302
    world.dave.refresh_from_db()
    assert (world.dave.full_name, world.dave.language, world.dave.time_zone) == (
        "Dave D.",
        "nb",
        "Europe/Oslo",
    )
    assert response.cookies["django_language"].value == "nb"


def test_it_rejects_an_unknown_time_zone_or_language(client: Client, world: World) -> None:
    login(client, world.dave)
    for data in (
        {"full_name": "X", "language": "", "time_zone": "Mars/Olympus"},
        {"full_name": "X", "language": "xx", "time_zone": "UTC"},
    ):
        assert client.post("/account/", data).status_code == 400
    world.dave.refresh_from_db()
    assert (world.dave.full_name, world.dave.time_zone) == ("Dave", "UTC")


def test_it_changes_the_email_with_the_password(client: Client, world: World) -> None:
    login(client, world.carol)
    other = Client()
    login(other, world.carol)
    response = client.post(
        "/account/email/", {"email": "Carol.New@acme.test", "current_password": PASSWORD}
    )
    assert response.status_code == 302
    world.carol.refresh_from_db()
    assert world.carol.email == "carol.new@acme.test"
    assert client.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302
    with tenant_guard_off():
        event = AuditEvent.objects.get(action="security")
    assert event.changes == {"email": ["carol@acme.test", "carol.new@acme.test"]}


def test_it_refuses_an_email_change_without_the_password(client: Client, world: World) -> None:
    login(client, world.carol)
    response = client.post(
        "/account/email/", {"email": "carol.new@acme.test", "current_password": "wrong"}
    )
    assert response.status_code == 400
    assertContains(response, "not your current password", status_code=400)
    world.carol.refresh_from_db()
    assert world.carol.email == "carol@acme.test"


def test_it_refuses_an_address_taken_by_another_account(client: Client, world: World) -> None:
    login(client, world.carol)
    response = client.post(
        "/account/email/", {"email": world.bob.email, "current_password": PASSWORD}
    )
    assert response.status_code == 400
    assert User.objects.filter(email=world.bob.email).count() == 1


def test_it_changes_the_password_and_ends_other_sessions(client: Client, world: World) -> None:
    login(client, world.frank)
    other = Client()
    login(other, world.frank)
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302
    world.frank.refresh_from_db()
    assert world.frank.check_password(NEW_PASSWORD)
    with tenant_guard_off():
        event = AuditEvent.objects.get(action="security")
    assert event.changes == {"password": ["changed", "***"]}


def test_it_refuses_a_password_change_without_the_old_one(client: Client, world: World) -> None:
    login(client, world.frank)
    response = client.post(
        "/account/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    world.frank.refresh_from_db()
    assert world.frank.check_password(PASSWORD)


def test_it_rejects_get_on_mutations(client: Client, world: World) -> None:
    login(client, world.frank)
    for url in ("/account/email/", "/account/password/", "/account/sessions/end/"):
        assert client.get(url).status_code == 405


def test_it_shows_times_in_the_chosen_zone(client: Client, world: World) -> None:
    login(client, world.alice)
    client.post("/account/", {"full_name": "Alice", "language": "", "time_zone": "Asia/Tokyo"})
    response = client.get("/audit/")
    assert b'datetime="' in response.content
    assert b"+09:00" in response.content

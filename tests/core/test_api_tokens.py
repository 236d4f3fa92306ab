"""API tokens on the account page: created with the secret shown once, revoked by their owner."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from amity.core import services
from amity.core.models import ApiToken, AuditEvent
from tests.conftest import World, tenant_guard_off


def test_it_creates_a_token_and_shows_the_secret_once(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.bob)
    response = client.post("/account/tokens/", {"name": "Laptop script"})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["new_secret"]
    assert secret.startswith("amity_")
    assertContains(response, secret)
    assert (token.user_id, token.workspace_id, token.name) == (
        world.bob.pk,
        world.acme.pk,
        "Laptop script",
    )
    assert token.token_hash == services.hash_token(secret)
    assert services.membership_for_token(secret).user_id == world.bob.pk
    assertNotContains(client.get("/account/"), secret)
    with tenant_guard_off():
        assert AuditEvent.objects.filter(action="security", object_type="api_token").count() == 1


def test_it_lists_only_own_tokens_of_this_workspace(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    services.create_token(world.member(world.bob), "Bob's")
    services.create_token(world.member(world.sam), "Sam's")
    services.create_token(world.member(world.mallory, world.globex), "Mallory's")
    as_user(world.bob)
    response = client.get("/account/")
    assertContains(response, "Bob&#x27;s")
    assertNotContains(response, "Sam&#x27;s")
    assertNotContains(response, "Mallory&#x27;s")


def test_it_revokes_a_token(client: Client, as_user: Callable[..., Client], world: World) -> None:
    token, secret = services.create_token(world.member(world.bob), "Old")
    as_user(world.bob)
    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.membership_for_token(secret) is None


def test_it_hides_other_peoples_tokens(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    """Another member's or another workspace's token is a 404 and stays valid."""
    sams, _ = services.create_token(world.member(world.sam), "Sam's")
    mallorys, _ = services.create_token(world.member(world.mallory, world.globex), "Mallory's")
    as_user(world.alice)
    for token in (sams, mallorys):
        assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 2


def test_it_refuses_a_revoked_token_twice(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    token, _ = services.create_token(world.member(world.bob), "Old")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    as_user(world.bob)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404


def test_it_needs_a_name(client: Client, as_user: Callable[..., Client], world: World) -> None:
    as_user(world.bob)
    assert client.post("/account/tokens/", {"name": ""}).status_code == 400
    assert not ApiToken.objects.exists()


def test_it_needs_a_login(client: Client, world: World) -> None:
    response = client.post("/account/tokens/", {"name": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not ApiToken.objects.exists()


def test_it_rejects_get(client: Client, as_user: Callable[..., Client], world: World) -> None:
    as_user(world.bob)
    assert client.get("/account/tokens/").status_code == 405

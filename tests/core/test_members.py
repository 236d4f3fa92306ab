"""The members screen: list, invite, change role or team, deactivate (admins only)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from pytest_django.asserts import assertContains, assertNotContains

from amity.core import services
from amity.core.models import AuditEvent, Invitation, Membership, OutboxMessage, Role
from tests.conftest import World, login, tenant_guard_off
from tests.core.twofactor import enable_two_factor


def role(world: World, key: str, workspace: object = None) -> Role:
    return Role.objects.get(workspace=workspace or world.acme, key=key)


def test_it_lists_members_with_role_team_and_two_factor(
    client: Client,
    as_user: Callable[..., Client],
    world: World,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    enable_two_factor(world.bob)
    as_user(world.alice)
    with django_assert_num_queries(15):
        response = client.get("/members/")
    assert response.status_code == 200
    members = response.context["members"]
    assert [m.user.email for m in members][:2] == ["alice@acme.test", "bob@acme.test"]
    assert [m.two_factor for m in members[:2]] == [False, True]
    assertContains(response, "East")
    assertNotContains(response, "mallory@globex.test")


@pytest.mark.parametrize("name", ["bob", "erin", "dave"])
def test_it_is_for_admins_only(
    client: Client, as_user: Callable[..., Client], world: World, name: str
) -> None:
    as_user(getattr(world, name))
    assert client.get("/members/").status_code == 403


def test_it_needs_a_login(client: Client, world: World) -> None:
    assert client.get("/members/")["Location"] == "/login/?next=/members/"


def test_it_invites_by_email(
    client: Client, as_user: Callable[..., Client], world: World, django_capture_on_commit_callbacks
) -> None:
    as_user(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/members/invite/",
            {"email": "Nina@New.test", "role": role(world, "support").pk, "team": world.east.pk},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role.key, invitation.team_id) == (
        "nina@new.test",
        "support",
        world.east.pk,
    )
    message = OutboxMessage.objects.get()
    assert message.payload["to"] == ["nina@new.test"]
    assert message.status == OutboxMessage.Status.SENT
    # Delivered: the one-time link is not kept in the database.
    assert message.payload["body"] == ""


def test_it_refuses_to_invite_a_member(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    response = client.post(
        "/members/invite/", {"email": world.bob.email, "role": role(world, "sales").pk}
    )
    assert response.status_code == 400
    assertContains(response, "already a member", status_code=400)
    assert not Invitation.objects.exists()


def test_it_refuses_another_workspaces_role_or_team(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.mallory)
    response = client.post(
        "/members/invite/", {"email": "x@globex.test", "role": role(world, "admin").pk}
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_it_refuses_an_invitation_from_a_non_admin(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.erin)
    response = client.post(
        "/members/invite/", {"email": "x@new.test", "role": role(world, "admin").pk}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_it_changes_role_and_team(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    dave = world.member(world.dave)
    response = client.post(
        f"/members/{dave.pk}/", {"role": role(world, "sales").pk, "team": world.east.pk}
    )
    assert response.status_code == 302
    dave.refresh_from_db()
    assert (dave.role.key, dave.team_id) == ("sales", world.east.pk)
    with tenant_guard_off():
        event = AuditEvent.objects.filter(action="permission").latest("seq")
    assert event.changes == {"role": ["readonly", "sales"], "team": [None, "East"]}
    assert (event.actor_id, event.object_id) == (world.alice.pk, str(world.dave.pk))


def test_it_keeps_an_admin_from_demoting_themselves(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    alice = world.member(world.alice)
    response = client.post(f"/members/{alice.pk}/", {"role": role(world, "sales").pk})
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.role.key == "admin"


def test_it_hides_other_workspaces_members(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    mallory = world.member(world.mallory, world.globex)
    for url in (f"/members/{mallory.pk}/", f"/members/{mallory.pk}/deactivate/"):
        assert client.post(url, {"role": role(world, "readonly").pk}).status_code == 404
    mallory.refresh_from_db()
    assert (mallory.role.key, mallory.is_active) == ("admin", True)


def test_it_refuses_role_changes_from_non_admins(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.erin)
    dave = world.member(world.dave)
    response = client.post(f"/members/{dave.pk}/", {"role": role(world, "admin").pk})
    assert response.status_code == 403
    dave.refresh_from_db()
    assert dave.role.key == "readonly"


def test_it_deactivates_and_reactivates(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    bob = world.member(world.bob)
    assert client.post(f"/members/{bob.pk}/deactivate/").status_code == 302
    bob.refresh_from_db()
    world.bob.refresh_from_db()
    assert bob.is_active is False
    assert world.bob.session_epoch == 1
    assert client.post(f"/members/{bob.pk}/reactivate/").status_code == 302
    bob.refresh_from_db()
    assert bob.is_active is True


def test_it_keeps_admins_from_deactivating_themselves(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    alice = world.member(world.alice)
    assert client.post(f"/members/{alice.pk}/deactivate/").status_code == 400
    assert Membership.objects.get(pk=alice.pk).is_active is True


def test_it_refuses_deactivation_by_non_admins(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.bob)
    sam = world.member(world.sam)
    assert client.post(f"/members/{sam.pk}/deactivate/").status_code == 403
    assert Membership.objects.get(pk=sam.pk).is_active is True


def test_it_withdraws_an_invitation(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    client.post("/members/invite/", {"email": "n@new.test", "role": role(world, "support").pk})
    invitation = Invitation.objects.get()
    raw = OutboxMessage.objects.get().payload["body"].split("/invitations/")[1].split("/")[0]
    assert services.find_invitation(raw) == invitation
    mallory = Client()
    login(mallory, world.mallory)
    assert mallory.post(f"/members/invitations/{invitation.pk}/revoke/").status_code == 404
    assert services.find_invitation(raw) == invitation
    assert client.post(f"/members/invitations/{invitation.pk}/revoke/").status_code == 302
    assert services.find_invitation(raw) is None
    assert client.get(f"/invitations/{raw}/").status_code == 404


def test_it_rejects_get_on_mutations(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    bob = world.member(world.bob)
    for url in ("/members/invite/", f"/members/{bob.pk}/", f"/members/{bob.pk}/deactivate/"):
        assert client.get(url).status_code == 405


def test_it_logs_a_member_out_everywhere(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    laptop = Client()
    login(laptop, world.carol)
    as_user(world.alice)
    carol = world.member(world.carol)
    assert client.post(f"/members/{carol.pk}/sessions/end/").status_code == 302
    assert laptop.get("/account/").status_code == 302
    assert Membership.objects.get(pk=carol.pk).is_active is True
    with tenant_guard_off():
        event = AuditEvent.objects.get(action="security")
    assert (event.actor_id, event.object_id) == (world.alice.pk, str(world.carol.pk))


def test_it_lets_only_admins_end_sessions_of_their_members(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.erin)
    carol = world.member(world.carol)
    assert client.post(f"/members/{carol.pk}/sessions/end/").status_code == 403
    as_user(world.mallory)
    assert client.post(f"/members/{carol.pk}/sessions/end/").status_code == 404
    world.carol.refresh_from_db()
    assert world.carol.session_epoch == 0

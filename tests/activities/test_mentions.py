"""@mentions in notes notify exactly the colleagues who may see the record, by bell and email."""

from __future__ import annotations

from typing import Any

from amity.activities import services
from amity.core import services as core_services
from amity.core.models import Membership, Notification, OutboxMessage
from tests.conftest import SmtpServer, World, tenant_guard_off
from tests.customers import helpers


def _notified() -> list[tuple[str, str, str]]:
    with tenant_guard_off():
        return [
            (n.recipient.email, n.text, n.url)
            for n in Notification.objects.select_related("recipient").order_by("recipient__email")
        ]


def _unread(world: World, user: Any) -> int:
    return Membership.objects.get(user=user, workspace=world.acme).unread_notifications


def test_it_notifies_the_mentioned_colleagues(world: World) -> None:
    ann = helpers.person(world, first_name="Ann", last_name="Lee")
    services.create_note(
        world.member(world.alice), ann, "Ask @bob and @Carol, not @mallory or @nobody. Me: @alice"
    )
    url = f"/people/{ann.pk}/"
    assert _notified() == [
        ("bob@acme.test", "Alice mentioned you in a note on Ann Lee", url),
        ("carol@acme.test", "Alice mentioned you in a note on Ann Lee", url),
    ]
    assert (_unread(world, world.bob), _unread(world, world.carol), _unread(world, world.dave)) == (
        1,
        1,
        0,
    )


def test_it_understands_the_autocomplete_token(world: World) -> None:
    ann = helpers.person(world)
    services.create_note(world.member(world.alice), ann, f"@[Erin](user:{world.erin.pk}) see this")
    assert [r for r, _, _ in _notified()] == ["erin@acme.test"]


def test_it_never_tells_someone_outside_the_workspace(world: World) -> None:
    ann = helpers.person(world)
    services.create_note(world.member(world.alice), ann, f"@mallory @[M](user:{world.mallory.pk})")
    assert _notified() == []


def test_it_skips_colleagues_who_cannot_see_the_record(world: World) -> None:
    from amity.core.models import Role

    readonly = Role.objects.get(workspace=world.acme, key="readonly")
    readonly.grants = {"person": {"view": "own"}}
    readonly.save()
    ann = helpers.person(world)  # owned by alice, so dave may no longer see it
    services.create_note(world.member(world.alice), ann, "@dave @frank")
    assert [r for r, _, _ in _notified()] == ["frank@acme.test"]


def test_it_skips_deactivated_members(world: World) -> None:
    core_services.deactivate_member(world.member(world.alice), world.member(world.bob))
    ann = helpers.person(world)
    services.create_note(world.member(world.alice), ann, "@bob")
    assert _notified() == []


def test_an_edit_notifies_only_new_mentions(world: World) -> None:
    ann = helpers.person(world)
    member = world.member(world.alice)
    note = services.create_note(member, ann, "@bob")
    note = services.get_note(member, note.pk, "change")
    services.update_note(member, note, "@bob and @carol", expected_version=1)
    assert [r for r, _, _ in _notified()] == ["bob@acme.test", "carol@acme.test"]


def test_the_mention_email_reaches_a_real_smtp_server(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    ann = helpers.person(world, first_name="Ann", last_name="Lee")
    with django_capture_on_commit_callbacks(execute=True):
        services.create_note(world.member(world.alice), ann, "@bob please call her")
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "bob@acme.test"
    assert message["Subject"] == "Alice mentioned you in a note on Ann Lee"
    body = message.get_payload()
    assert "@bob please call her" in body
    assert f"/people/{ann.pk}/" in body


def test_no_email_when_the_preference_is_off(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    world.bob.email_on_mention = False
    world.bob.save()
    ann = helpers.person(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_note(world.member(world.alice), ann, "@bob")
    assert smtp_server.messages == []
    assert OutboxMessage.objects.count() == 0
    assert [r for r, _, _ in _notified()] == ["bob@acme.test"]

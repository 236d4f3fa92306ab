"""Scheduled emails: written now, sent at their time once, on the timeline; consent and erasure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from amity.activities import scheduled_emails
from amity.activities.models import ScheduledEmail
from amity.core import tasks
from amity.core.exceptions import VersionConflict
from amity.core.models import OutboxMessage, User
from amity.customers import privacy
from amity.customers import services as customers
from amity.customers.models import Person, TimelineEvent
from tests.conftest import World, tenant_guard_off


def _person(world: World, *, consent: bool = True, email: str = "ann@example.test") -> Person:
    person = customers.create_person(world.member(world.alice), {"last_name": "Ann"})
    Person.objects.filter(pk=person.pk, workspace_id=person.workspace_id).update(
        email=email, email_consent=consent
    )
    person.email, person.email_consent = email, consent
    return person


def _form(**extra: Any) -> dict[str, Any]:
    later = timezone.localtime(timezone.now() + timedelta(days=2))
    return {
        "subject": "Our offer",
        "body": "Hello Ann",
        "send_at": later.strftime("%Y-%m-%dT%H:%M"),
        **extra,
    }


def _rows() -> list[tuple[str, str, str]]:
    with tenant_guard_off():
        return list(ScheduledEmail.objects.order_by("id").values_list("subject", "status", "to"))


def _make_due() -> None:
    with tenant_guard_off():
        ScheduledEmail.objects.update(send_at=timezone.now() - timedelta(seconds=5))


def test_it_schedules_an_email_from_the_person_page(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = _person(world)
    client = as_user(world.bob)
    assert (
        f'action="/people/{ann.pk}/scheduled-emails/"'.encode()
        in client.get(f"/people/{ann.pk}/").content
    )
    response = client.post(f"/people/{ann.pk}/scheduled-emails/", _form())
    assert response.status_code == 302
    assert _rows() == [("Our offer", "pending", "")]
    assert b"Our offer" in client.get(f"/people/{ann.pk}/").content


def test_it_refuses_a_person_without_consent_with_a_field_error(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = _person(world, consent=False)
    response = as_user(world.bob).post(f"/people/{ann.pk}/scheduled-emails/", _form())
    assert response.status_code == 400
    assert b"has not consented to email" in response.content
    assert _rows() == []


def test_it_sends_a_due_email_once_and_puts_it_on_the_timeline(world: World) -> None:
    ann = _person(world)
    item = scheduled_emails.schedule(world.member(world.bob), ann, _data())
    _make_due()
    assert tasks.run_sweeps() == 1
    assert scheduled_emails.send_due() == 0
    with tenant_guard_off():
        message = OutboxMessage.objects.get()
        item.refresh_from_db()
        entries = list(
            TimelineEvent.objects.filter(person=ann).values_list("kind", "summary", "actor_id")
        )
    assert (message.payload["to"], message.payload["subject"]) == (
        ["ann@example.test"],
        "Our offer",
    )
    assert message.payload["reply_to"] == [world.bob.email]
    assert (item.status, item.outbox_message_id, item.to) == ("sent", message.pk, ann.email)
    assert ("email", "Email sent: Our offer", world.bob.pk) in entries


def _data() -> dict[str, Any]:
    return {"subject": "Our offer", "body": "Hello", "send_at": timezone.now() + timedelta(hours=1)}


def test_a_consent_withdrawn_before_sending_cancels_it(world: World) -> None:
    ann = _person(world)
    scheduled_emails.schedule(world.member(world.bob), ann, _data())
    Person.objects.filter(pk=ann.pk, workspace_id=ann.workspace_id).update(email_consent=False)
    _make_due()
    assert scheduled_emails.send_due() == 1
    with tenant_guard_off():
        assert OutboxMessage.objects.count() == 0
        assert ScheduledEmail.objects.values_list("status", "cancel_reason").get() == (
            "cancelled",
            "consent",
        )


def test_it_can_be_edited_and_cancelled_before_it_goes(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = _person(world)
    item = scheduled_emails.schedule(world.member(world.bob), ann, _data())
    client = as_user(world.bob)
    assert client.get(f"/scheduled-emails/{item.pk}/").status_code == 200
    response = client.post(f"/scheduled-emails/{item.pk}/", _form(subject="New offer", version=1))
    assert response.status_code == 302
    stale = client.post(f"/scheduled-emails/{item.pk}/", _form(subject="Stale", version=1))
    assert stale.status_code == 400
    assert client.post(f"/scheduled-emails/{item.pk}/cancel/", {"version": "2"}).status_code == 302
    assert _rows() == [("New offer", "cancelled", "")]
    _make_due()
    assert scheduled_emails.send_due() == 0


def test_a_sent_email_can_no_longer_be_changed(world: World) -> None:
    ann = _person(world)
    item = scheduled_emails.schedule(world.member(world.bob), ann, _data())
    _make_due()
    scheduled_emails.send_due()
    with pytest.raises(VersionConflict):
        scheduled_emails.cancel(world.member(world.bob), item, expected_version=1)


def test_only_the_author_or_a_record_editor_changes_it(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = _person(world)  # owned by alice
    item = scheduled_emails.schedule(world.member(world.alice), ann, _data())
    response = as_user(world.bob).post(f"/scheduled-emails/{item.pk}/cancel/", {"version": "1"})
    assert response.status_code == 403
    assert _rows() == [("Our offer", "pending", "")]


def test_erasing_the_person_removes_their_scheduled_emails(world: World) -> None:
    ann = _person(world)
    scheduled_emails.schedule(world.member(world.bob), ann, _data())
    assert scheduled_emails.export(ann)[0]["subject"] == "Our offer"
    assert "scheduled_emails" in [s.name for s in privacy.sections()]
    assert scheduled_emails.erase(ann, None) == 1
    assert _rows() == []


def test_purging_the_person_removes_their_scheduled_emails(world: World) -> None:
    ann = _person(world)
    scheduled_emails.schedule(world.member(world.bob), ann, _data())
    customers.trash(world.member(world.alice), ann)
    customers.purge_expired_trash(world.acme.pk, now=timezone.now() + timedelta(days=31))
    assert _rows() == []

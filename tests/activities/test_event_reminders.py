"""Reminders on events: offsets on the local calendar, moved with the event, delivered once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from amity.activities import events, reminders
from amity.activities.models import Event, Reminder
from amity.core.models import Notification, OutboxMessage, User
from tests.conftest import World, tenant_guard_off


def _event(world: World, user: User, starts: datetime, title: str = "Demo") -> Event:
    member = world.member(user)
    data = {"title": title, "starts_at": starts, "ends_at": starts + timedelta(hours=1)}
    return events.create_event(member, data)


def _pending(event: Event) -> list[tuple[int, int, datetime]]:
    with tenant_guard_off():
        rows = Reminder.objects.filter(event=event, status="pending").order_by("due_at")
        return list(rows.values_list("recipient_id", "minutes_before", "due_at"))


@pytest.fixture
def oslo_bob(world: World) -> User:
    User.objects.filter(pk=world.bob.pk).update(time_zone="Europe/Oslo")
    world.bob.refresh_from_db()
    return world.bob


def test_one_day_before_keeps_the_local_time_across_the_spring_change(
    world: World, oslo_bob: User
) -> None:
    """09:00 Oslo on Sunday 29 March 2026 (CEST, UTC+2): the day before is 09:00 CET (UTC+1)."""
    starts = datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    event = _event(world, oslo_bob, starts)
    reminders.set_for_event(event, [10, 60, 1440])
    assert _pending(event) == [
        (oslo_bob.pk, 1440, datetime(2026, 3, 28, 8, 0, tzinfo=UTC)),  # 23 hours, not 24
        (oslo_bob.pk, 60, datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),
        (oslo_bob.pk, 10, datetime(2026, 3, 29, 6, 50, tzinfo=UTC)),
    ]


def test_one_day_before_keeps_the_local_time_across_the_autumn_change(
    world: World, oslo_bob: User
) -> None:
    """09:00 Oslo on Sunday 25 October 2026 (CET, UTC+1): the day before is 09:00 CEST."""
    event = _event(world, oslo_bob, datetime(2026, 10, 25, 8, 0, tzinfo=UTC))
    reminders.set_for_event(event, [1440])
    assert _pending(event) == [(oslo_bob.pk, 1440, datetime(2026, 10, 24, 7, 0, tzinfo=UTC))]


def test_moving_the_event_moves_its_pending_reminders(world: World, oslo_bob: User) -> None:
    event = _event(world, oslo_bob, datetime(2030, 6, 3, 7, 0, tzinfo=UTC))
    reminders.set_for_event(event, [15, 1440])
    events.move_event(
        world.member(oslo_bob),
        event,
        datetime(2030, 6, 5, 12, 0, tzinfo=UTC),
        expected_version=event.version,
    )
    assert _pending(event) == [
        (oslo_bob.pk, 1440, datetime(2030, 6, 4, 12, 0, tzinfo=UTC)),
        (oslo_bob.pk, 15, datetime(2030, 6, 5, 11, 45, tzinfo=UTC)),
    ]


def test_deleting_the_event_cancels_its_reminders(world: World) -> None:
    event = _event(world, world.bob, datetime(2030, 6, 3, 7, 0, tzinfo=UTC))
    reminders.set_for_event(event, [15])
    event.deleted_at = timezone.now()
    Event.objects.filter(pk=event.pk, workspace_id=event.workspace_id).update(
        deleted_at=event.deleted_at
    )
    assert reminders.follow_event(event) == 1
    assert _pending(event) == []


def _due_now(event: Event) -> None:
    with tenant_guard_off():
        Reminder.objects.filter(event=event).update(due_at=timezone.now() - timedelta(seconds=5))


def test_it_tells_the_organizer_once_with_a_link_to_the_event(world: World) -> None:
    event = _event(world, world.bob, datetime(2030, 6, 3, 7, 0, tzinfo=UTC), title="Kick-off")
    reminders.set_for_event(event, [10], email=True)
    _due_now(event)
    assert reminders.deliver_due() == 1
    assert reminders.deliver_due() == 0
    with tenant_guard_off():
        told = list(Notification.objects.values_list("recipient_id", "kind", "text", "url"))
        mails = [m.payload["to"] for m in OutboxMessage.objects.all()]
    assert told == [
        (
            world.bob.pk,
            "reminder",
            "Reminder: Kick-off starts 2030-06-03 07:00",
            f"/calendar/events/{event.pk}/",
        )
    ]
    assert mails == [[world.bob.email]]


def test_an_email_only_reminder_stays_out_of_the_bell(world: World) -> None:
    event = _event(world, world.bob, datetime(2030, 6, 3, 7, 0, tzinfo=UTC))
    reminders.set_for_event(event, [0], email=True, in_app=False)
    _due_now(event)
    assert reminders.deliver_due() == 1
    with tenant_guard_off():
        assert Notification.objects.count() == 0
        assert OutboxMessage.objects.count() == 1


@pytest.fixture
def attendees() -> Iterator[list[int]]:
    users: list[int] = []

    def fn(event: Event) -> list[int]:
        return users

    reminders.register_event_recipients(fn)
    yield users
    reminders.EVENT_RECIPIENTS.remove(fn)


def test_registered_attendees_get_the_reminders_too(world: World, attendees: list[int]) -> None:
    attendees.append(world.sam.pk)
    event = _event(world, world.bob, datetime(2030, 6, 3, 7, 0, tzinfo=UTC))
    reminders.set_for_event(event, [30])
    assert [r[0] for r in _pending(event)] == [world.bob.pk, world.sam.pk]


def test_the_organizer_chooses_offsets_on_the_event_page(
    world: World, as_user: Callable[[User], Client]
) -> None:
    event = _event(world, world.bob, datetime(2030, 6, 3, 7, 0, tzinfo=UTC))
    url = f"/calendar/events/{event.pk}/reminders/"
    response = as_user(world.bob).post(url, {"offsets": ["10", "1440"], "email": "on"})
    assert response.status_code == 302
    assert [(m, due) for _, m, due in _pending(event)] == [
        (1440, datetime(2030, 6, 2, 7, 0, tzinfo=UTC)),
        (10, datetime(2030, 6, 3, 6, 50, tzinfo=UTC)),
    ]
    page = as_user(world.bob).get(url)
    assert b'value="10" checked' in page.content.replace(b'id="id_offsets_1" ', b"")


def test_it_refuses_a_reminder_going_nowhere(
    world: World, as_user: Callable[[User], Client]
) -> None:
    event = _event(world, world.bob, datetime(2030, 6, 3, 7, 0, tzinfo=UTC))
    response = as_user(world.bob).post(f"/calendar/events/{event.pk}/reminders/", {"offsets": "10"})
    assert response.status_code == 400
    assert _pending(event) == []


def test_it_checks_the_event_is_theirs(world: World, as_user: Callable[[User], Client]) -> None:
    event = _event(world, world.alice, datetime(2030, 6, 3, 7, 0, tzinfo=UTC))
    response = as_user(world.bob).post(
        f"/calendar/events/{event.pk}/reminders/", {"offsets": "10", "in_app": "on"}
    )
    assert response.status_code == 404
    assert _pending(event) == []

""" "Remind me" on a customer record: presets in the user's zone, the bell, a link back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from amity.activities import reminder_services, reminders
from amity.activities.models import Reminder
from amity.core.models import AuditEvent, Notification, OutboxMessage, User
from amity.customers import services as customers
from amity.customers.models import Person
from tests.conftest import World, tenant_guard_off

OSLO = "Europe/Oslo"
# Wednesday 2 December 2026, 14:40 in Oslo (CET, UTC+1).
NOW = datetime(2026, 12, 2, 13, 40, tzinfo=UTC)


@pytest.mark.parametrize(
    ("preset", "moment"),
    [
        ("hour", datetime(2026, 12, 2, 14, 40, tzinfo=UTC)),
        ("tomorrow", datetime(2026, 12, 3, 8, 0, tzinfo=UTC)),  # 09:00 in Oslo
        ("monday", datetime(2026, 12, 7, 8, 0, tzinfo=UTC)),
    ],
)
def test_presets_mean_the_users_own_clock(preset: str, moment: datetime) -> None:
    assert reminder_services.preset_moment(preset, OSLO, now=NOW) == moment


def test_next_monday_on_a_monday_is_a_week_later() -> None:
    monday = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    found = reminder_services.preset_moment("monday", OSLO, now=monday)
    assert found == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)


def test_tomorrow_nine_crosses_a_dst_change_on_the_local_clock() -> None:
    """Saturday 28 March 2026 in Oslo: tomorrow 09:00 is already summer time (UTC+2)."""
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    found = reminder_services.preset_moment("tomorrow", OSLO, now=saturday)
    assert found == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_a_custom_time_without_a_zone_is_read_in_the_users_zone() -> None:
    found = reminder_services.preset_moment("custom", OSLO, custom=datetime(2027, 1, 5, 10, 30))  # noqa: DTZ001
    assert found == datetime(2027, 1, 5, 9, 30, tzinfo=UTC)


def test_custom_without_a_time_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        reminder_services.preset_moment("custom", OSLO)
    assert list(caught.value.message_dict) == ["remind_at"]


def _person(world: World, name: str = "Ann") -> Person:
    return customers.create_person(world.member(world.alice), {"last_name": name})


def _reminders() -> list[tuple[int, int | None, str, bool, bool]]:
    with tenant_guard_off():
        return list(
            Reminder.objects.order_by("id").values_list(
                "recipient_id", "person_id", "note", "in_app", "email"
            )
        )


def test_it_sets_a_reminder_from_the_record_page(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = _person(world)
    client = as_user(world.dave)  # read-only members may remind themselves too
    page = client.get(f"/people/{ann.pk}/")
    assert f'action="/people/{ann.pk}/remind/"'.encode() in page.content
    response = client.post(
        f"/people/{ann.pk}/remind/", {"preset": "tomorrow", "note": "Call back", "in_app": "on"}
    )
    assert response.status_code == 302
    assert _reminders() == [(world.dave.pk, ann.pk, "Call back", True, False)]
    page = client.get(f"/people/{ann.pk}/")
    assert b"Call back" in page.content and b"Cancel reminder" in page.content


def test_a_custom_time_in_the_past_is_refused_on_its_field(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = _person(world)
    response = as_user(world.bob).post(
        f"/people/{ann.pk}/remind/",
        {"preset": "custom", "custom": "2020-01-01T09:00", "in_app": "on"},
    )
    assert response.status_code == 400
    assert b"Choose a moment in the future." in response.content
    assert _reminders() == []


def test_it_delivers_in_the_bell_and_by_email_with_a_link_back(world: World) -> None:
    ann = _person(world)
    member = world.member(world.bob)
    reminder_services.create(
        member,
        "person",
        ann.pk,
        remind_at=timezone.now() + timedelta(minutes=5),
        note="Ask about the renewal",
        email=True,
    )
    with tenant_guard_off():
        Reminder.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    assert reminders.deliver_due() == 1
    assert reminders.deliver_due() == 0
    with tenant_guard_off():
        told = list(Notification.objects.values_list("recipient_id", "text", "url"))
        mail = OutboxMessage.objects.get().payload
    text = "Reminder about Ann: Ask about the renewal"
    assert told == [(world.bob.pk, text, f"/people/{ann.pk}/")]
    assert (mail["to"], mail["subject"]) == ([world.bob.email], text)
    assert mail["body"].endswith(f"/people/{ann.pk}/\n")


def test_a_record_in_the_trash_settles_its_reminder_silently(world: World) -> None:
    ann = _person(world)
    reminder_services.create(
        world.member(world.bob), "person", ann.pk, remind_at=timezone.now() + timedelta(hours=1)
    )
    customers.trash(world.member(world.alice), ann)
    with tenant_guard_off():
        Reminder.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    assert reminders.deliver_due() == 1
    with tenant_guard_off():
        assert Notification.objects.count() == 0
        assert Reminder.objects.get().status == "sent"


def test_only_the_recipient_cancels_it(world: World, as_user: Callable[[User], Client]) -> None:
    ann = _person(world)
    reminder = reminder_services.create(
        world.member(world.bob), "person", ann.pk, remind_at=timezone.now() + timedelta(hours=1)
    )
    url = f"/reminders/{reminder.pk}/cancel/"
    assert as_user(world.alice).post(url, {"version": "1"}).status_code == 404
    assert as_user(world.bob).post(url, {"version": "1"}).status_code == 302
    with tenant_guard_off():
        assert Reminder.objects.get().status == "cancelled"
        actions = list(
            AuditEvent.objects.filter(object_type="reminder")
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == ["create", "delete"]


def test_purging_the_record_removes_its_reminders(world: World) -> None:
    ann = _person(world)
    reminder_services.create(
        world.member(world.bob), "person", ann.pk, remind_at=timezone.now() + timedelta(hours=1)
    )
    customers.trash(world.member(world.alice), ann)
    customers.purge_expired_trash(world.acme.pk, now=timezone.now() + timedelta(days=31))
    assert _reminders() == []


def test_it_checks_the_record_is_visible(world: World, as_user: Callable[[User], Client]) -> None:
    theirs = customers.create_person(world.member(world.mallory, world.globex), {"last_name": "X"})
    response = as_user(world.bob).post(f"/people/{theirs.pk}/remind/", {"preset": "hour"})
    assert response.status_code == 404
    assert _reminders() == []

"""Task notification settings: per kind in the bell and by email, and the daily digest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

from django.test import Client

from amity.activities import alerts, reminders
from amity.core.models import Notification, OutboxMessage, User
from tests.activities import helpers
from tests.conftest import World, tenant_guard_off


def _bell() -> list[tuple[int, str]]:
    with tenant_guard_off():
        return list(Notification.objects.values_list("recipient_id", "kind"))


def _mail() -> list[tuple[list[str], str]]:
    with tenant_guard_off():
        return [
            (m.payload["to"], m.payload["subject"]) for m in OutboxMessage.objects.order_by("id")
        ]


def test_it_shows_and_saves_the_settings(world: World, as_user: Callable[[User], Client]) -> None:
    client = as_user(world.sam)
    page = client.get("/tasks/settings/")
    assert page.status_code == 200
    assert page.content.count(b"checked") == 2  # both "in the bell" by default
    response = client.post("/tasks/settings/", {"task_assigned_email": "on", "digest": "on"})
    assert response.status_code == 302
    pref = alerts.preferences(world.member(world.sam))
    assert (pref.task_assigned_app, pref.task_assigned_email, pref.reminder_app, pref.digest) == (
        False,
        True,
        False,
        True,
    )


def test_it_emails_an_assignment_instead_of_ringing_the_bell(world: World) -> None:
    alerts.save_preferences(world.member(world.sam), {"task_assigned_email": True})
    helpers.task(world, world.bob, title="For Sam", owner=world.sam.pk)
    assert _bell() == []
    assert _mail() == [(["sam@acme.test"], "Bob assigned you a task: For Sam")]


def test_it_follows_the_reminder_preferences(world: World) -> None:
    alerts.save_preferences(world.member(world.bob), {"reminder_email": True})
    task = helpers.task(world, world.bob, title="Due", due=date(2026, 1, 5), at=time(9, 0))
    reminders.set_for_task(task, 0)
    assert reminders.deliver_due() == 1
    assert _bell() == []
    assert _mail() == [(["bob@acme.test"], "Reminder: Due is due 2026-01-05 09:00")]


def test_it_sends_one_digest_a_day_from_seven_local_time(world: World) -> None:
    User.objects.filter(pk=world.bob.pk).update(time_zone="Europe/Oslo")
    alerts.save_preferences(world.member(world.bob), {"digest": True, "reminder_app": True})
    helpers.task(world, world.bob, title="Late one", due=date(2026, 3, 1))
    helpers.task(world, world.bob, title="Today's", due=date(2026, 3, 10))
    helpers.task(world, world.sam, title="Not Bob's", due=date(2026, 3, 10))
    early = datetime(2026, 3, 10, 5, 30, tzinfo=UTC)  # 06:30 in Oslo
    assert alerts.send_digests(early) == 0
    at_seven = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    assert alerts.send_digests(at_seven) == 1
    assert alerts.send_digests(at_seven) == 0
    with tenant_guard_off():
        body = OutboxMessage.objects.get().payload["body"]
    assert _mail() == [(["bob@acme.test"], "Your tasks for 2026-03-10")]
    assert "- Late one (2026-03-01)" in body and "- Today's (2026-03-10)" in body
    assert "Not Bob's" not in body


def test_it_rejects_other_methods(world: World, as_user: Callable[[User], Client]) -> None:
    assert as_user(world.bob).put("/tasks/settings/").status_code == 405

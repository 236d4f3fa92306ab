"""The calendar week: events placed on half-hour slots, added by clicking, edited, moved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.test import Client

from amity.activities import calendar_layout as layout
from amity.activities import events
from amity.activities.models import Event
from amity.activities.recurrence import zone
from amity.core.models import User
from tests.conftest import World, tenant_guard_off


def _event(
    world: World, user: User, day: date, start: time, end: time, title: str = "Demo"
) -> Event:
    member = world.member(user)
    return events.create_event(
        member,
        {
            "title": title,
            "starts_at": events.local_moment(member, day, start),
            "ends_at": events.local_moment(member, day, end),
        },
    )


def _events() -> list[tuple[str, datetime, datetime, int]]:
    with tenant_guard_off():
        return list(
            Event.objects.order_by("id").values_list("title", "starts_at", "ends_at", "version")
        )


def test_it_places_the_weeks_events_on_quarter_hours_in_the_viewers_zone(world: World) -> None:
    User.objects.filter(pk=world.bob.pk).update(time_zone="Europe/Oslo")
    world.bob.refresh_from_db()
    _event(world, world.bob, date(2026, 12, 2), time(9, 30), time(11, 0), "Workshop")
    _event(world, world.bob, date(2026, 12, 9), time(9, 0), time(10, 0), "Next week")
    _event(world, world.sam, date(2026, 12, 2), time(9, 0), time(10, 0), "Sam's")
    member = world.member(world.bob)
    cal = layout.Calendars(member, zone("Europe/Oslo"), [world.bob])
    days = [date(2026, 11, 30) + timedelta(days=n) for n in range(7)]
    items = layout.fetch(cal, days[0], days[-1])
    columns = layout.time_columns(cal, days, layout.hours_of(member), items)
    placed = [(c.date.day, i.title, i.row, i.span) for c in columns for i in c.items]
    assert placed == [(2, "Workshop", 38, 6)]  # 09:30 local is quarter 38; 90 minutes
    assert columns[2].slots[19] == ("2026-12-02T09:30", True)
    assert items[0].event.starts_at == datetime(2026, 12, 2, 8, 30, tzinfo=UTC)


def test_it_shows_the_week_with_a_pinned_query_count(
    world: World, as_user: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    for n in range(5):
        _event(world, world.bob, date(2026, 12, 1 + n), time(9), time(10), f"Call {n}")
    client = as_user(world.bob)
    client.get("/calendar/?date=2026-12-02")
    with django_assert_num_queries(9):
        page = client.get("/calendar/?date=2026-12-02")
    assert page.content.count(b'data-testid="event"') == 5
    assert b'href="/calendar/new/?start=2026-12-02T09:30"' in page.content


def test_it_adds_an_event_from_a_clicked_slot(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.bob)
    form = client.get("/calendar/new/?start=2026-12-02T14:30")
    assert b'value="2026-12-02"' in form.content and b'value="14:30"' in form.content
    response = client.post(
        "/calendar/new/",
        {
            "title": "Kick-off",
            "kind": "meeting",
            "date": "2026-12-02",
            "start": "14:30",
            "end": "15:30",
            "location": "https://meet.example/abc",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/calendar/?date=2026-12-02"
    assert _events() == [
        (
            "Kick-off",
            datetime(2026, 12, 2, 14, 30, tzinfo=UTC),
            datetime(2026, 12, 2, 15, 30, tzinfo=UTC),
            1,
        )
    ]


def test_it_refuses_an_end_before_the_start(
    world: World, as_user: Callable[[User], Client]
) -> None:
    response = as_user(world.bob).post(
        "/calendar/new/",
        {"title": "Odd", "kind": "meeting", "date": "2026-12-02", "start": "14:30", "end": "14:00"},
    )
    assert response.status_code == 400 and _events() == []


def test_it_moves_an_event_keeping_its_length(
    world: World, as_user: Callable[[User], Client]
) -> None:
    event = _event(world, world.bob, date(2026, 12, 2), time(9), time(10, 30))
    response = as_user(world.bob).post(
        f"/calendar/events/{event.pk}/move/", {"start": "2026-12-04T13:00", "version": "1"}
    )
    assert response.status_code == 302
    assert _events() == [
        (
            "Demo",
            datetime(2026, 12, 4, 13, 0, tzinfo=UTC),
            datetime(2026, 12, 4, 14, 30, tzinfo=UTC),
            2,
        )
    ]
    stale = as_user(world.bob).post(
        f"/calendar/events/{event.pk}/move/", {"start": "2026-12-05T13:00", "version": "1"}
    )
    assert stale.status_code == 409 and _events()[0][3] == 2


def test_it_edits_with_a_form(world: World, as_user: Callable[[User], Client]) -> None:
    event = _event(world, world.bob, date(2026, 12, 2), time(9), time(10))
    client = as_user(world.bob)
    assert b'value="09:00"' in client.get(f"/calendar/events/{event.pk}/").content
    response = client.post(
        f"/calendar/events/{event.pk}/",
        {
            "title": "Moved",
            "kind": "call",
            "date": "2026-12-03",
            "start": "08:00",
            "end": "08:15",
            "version": "1",
        },
    )
    assert response.status_code == 302
    assert _events()[0][:2] == ("Moved", datetime(2026, 12, 3, 8, 0, tzinfo=UTC))


def test_it_rejects_get(world: World, as_user: Callable[[User], Client]) -> None:
    event = _event(world, world.bob, date(2026, 12, 2), time(9), time(10))
    assert as_user(world.bob).get(f"/calendar/events/{event.pk}/move/").status_code == 405


def test_it_checks_ownership(world: World, as_user: Callable[[User], Client]) -> None:
    event = _event(world, world.alice, date(2026, 12, 2), time(9), time(10))
    response = as_user(world.frank).post(
        f"/calendar/events/{event.pk}/move/", {"start": "2026-12-04T13:00", "version": "1"}
    )
    assert response.status_code == 404 and _events()[0][3] == 1


def test_it_requires_write_access(world: World, as_user: Callable[[User], Client]) -> None:
    event = _event(world, world.bob, date(2026, 12, 2), time(9), time(10))
    response = as_user(world.dave).post(
        f"/calendar/events/{event.pk}/move/", {"start": "2026-12-04T13:00", "version": "1"}
    )
    assert response.status_code == 403 and _events()[0][3] == 1
    assert as_user(world.dave).get("/calendar/new/").status_code == 403

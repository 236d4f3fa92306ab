"""The private calendar feed: parsed back with icalendar, secret URLs, isolation, DST."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import icalendar
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amity.activities import attendees, events, feed
from amity.activities.models import CalendarFeed, Event, Task
from amity.core.models import AuditEvent, Membership, User
from tests.activities import helpers
from tests.conftest import World, tenant_guard_off


def _oslo(*users: User) -> None:
    User.objects.filter(pk__in=[u.pk for u in users]).update(time_zone="Europe/Oslo")
    for user in users:
        user.refresh_from_db()


def _event(world: World, user: User, day: date, start: time, end: time, **extra: Any) -> Event:
    member = world.member(user)
    data = {
        "title": extra.pop("title", "Demo"),
        "starts_at": events.local_moment(member, day, start),
        "ends_at": events.local_moment(member, day, end),
        **extra,
    }
    return events.create_event(member, data)


def _url(world: World, user: User, workspace: Any = None) -> str:
    _, secret = feed.reset(world.member(user, workspace))
    return f"/calendar/feed/{secret}.ics"


def _parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def _by_summary(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(c["summary"]): c for c in calendar.walk("VEVENT")}


def test_the_feed_parses_back_with_events_tasks_and_all_day_dates(world: World) -> None:
    _oslo(world.bob)
    soon = timezone.now().date() + timedelta(days=3)
    meeting = _event(world, world.bob, soon, time(9), time(10), title="Demo", location="Room 1")
    member = world.member(world.bob)
    events.create_event(
        member,
        {
            "title": "Offsite",
            "all_day": True,
            "starts_at": events.local_moment(member, soon, time(0)),
            "ends_at": events.local_moment(member, soon + timedelta(days=2), time(0)),
        },
    )
    helpers.task(world, world.bob, title="Send the quote", due=2)
    done = helpers.task(world, world.bob, title="Done already", due=2)
    Task.objects.filter(pk=done.pk, workspace=world.acme).update(status="done")

    answer = Client().get(_url(world, world.bob))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = _parse(answer.content)
    assert str(calendar["x-wr-calname"]) == "Amity: Acme"
    assert str(calendar["version"]) == "2.0"
    found = _by_summary(calendar)
    assert set(found) == {"Demo", "Offsite", "Task due: Send the quote"}
    demo = found["Demo"]
    assert str(demo["uid"]) == f"{meeting.uid}@amity"
    assert demo["sequence"] == 0
    assert demo.decoded("dtstart") == events.local_moment(world.member(world.bob), soon, time(9))
    assert demo.decoded("dtstart").utcoffset() == timedelta(0)  # written as UTC ("Z")
    assert b"DTSTART:" in answer.content and b"Z\r\n" in answer.content
    assert str(demo["location"]) == "Room 1"
    assert demo.decoded("dtstamp") == meeting.updated_at.replace(microsecond=0)
    offsite = found["Offsite"]
    assert offsite.decoded("dtstart") == soon  # VALUE=DATE, a date not a datetime
    assert offsite.decoded("dtend") == soon + timedelta(days=2)
    assert "DTSTART;VALUE=DATE:" in offsite.to_ical().decode()
    task = found["Task due: Send the quote"]
    assert str(task["uid"]).startswith("task-") and str(task["uid"]).endswith("@amity")
    assert task.decoded("dtstart") == helpers.today(world.bob) + timedelta(days=2)
    assert str(task["transp"]) == "TRANSPARENT"


def test_the_feed_has_only_the_users_events_in_that_workspace(world: World) -> None:
    soon = timezone.now().date() + timedelta(days=1)
    _event(world, world.bob, soon, time(9), time(10), title="Bob organizes")
    invited = _event(world, world.sam, soon, time(11), time(12), title="Sam invites Bob")
    attendees.update_event(
        world.member(world.sam),
        invited,
        {"title": invited.title, "starts_at": invited.starts_at, "ends_at": invited.ends_at},
        attendees.Wanted(users=[world.bob.pk]),
        expected_version=invited.version,
        send=False,
    )
    _event(world, world.sam, soon, time(13), time(14), title="Sam alone")
    _event(world, world.bob, soon - timedelta(days=60), time(9), time(10), title="Long ago")
    events.create_event(
        world.member(world.mallory, world.globex),
        {
            "title": "Globex",
            "starts_at": timezone.now() + timedelta(days=1),
            "ends_at": timezone.now() + timedelta(days=1, hours=1),
        },
    )

    found = _by_summary(_parse(Client().get(_url(world, world.bob)).content))

    assert set(found) == {"Bob organizes", "Sam invites Bob"}


def test_a_reset_invalidates_the_old_url_and_a_wrong_token_is_404(world: World) -> None:
    client = Client()
    old = _url(world, world.bob)
    assert client.get(old).status_code == 200
    new = _url(world, world.bob)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get("/calendar/feed/cal_not-a-real-secret.ics").status_code == 404
    assert client.get(new.replace("cal_", "xyz")).status_code == 404
    with tenant_guard_off():
        stored = CalendarFeed.objects.get()
        assert stored.token_hash not in new and stored.prefix in new
        assert AuditEvent.objects.filter(object_type="calendar_feed").count() == 2


def test_a_deactivated_member_has_no_feed(world: World) -> None:
    url = _url(world, world.bob)
    Membership.objects.filter(user=world.bob, workspace=world.acme).update(is_active=False)
    assert Client().get(url).status_code == 404


def test_an_event_at_nine_in_oslo_is_right_in_utc_in_summer_and_winter(world: World) -> None:
    _oslo(world.bob)
    year = timezone.now().year + 1
    summer = _event(world, world.bob, date(year, 6, 15), time(9), time(10), title="Summer")
    winter = _event(world, world.bob, date(year, 1, 15), time(9), time(10), title="Winter")
    assert summer and winter
    member = world.member(world.bob)
    built = feed.build(member, now=datetime(year, 1, 1, tzinfo=UTC))
    found = _by_summary(_parse(built.body))
    assert found["Winter"].decoded("dtstart") == datetime(year, 1, 15, 8, 0, tzinfo=UTC)
    assert found["Summer"].decoded("dtstart") == datetime(year, 6, 15, 7, 0, tzinfo=UTC)
    assert f"DTSTART:{year}0615T070000Z" in built.body.decode()


def test_an_unchanged_feed_answers_304_to_its_etag(world: World) -> None:
    _event(world, world.bob, timezone.now().date() + timedelta(days=1), time(9), time(10))
    url = _url(world, world.bob)
    client = Client()
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    _event(world, world.bob, timezone.now().date() + timedelta(days=2), time(9), time(10))
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 200


def test_the_settings_page_shows_the_url_once(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.bob)
    assert client.get("/calendar/settings/").status_code == 200
    made = client.post("/calendar/settings/feed/")
    shown = re.search(rb'data-testid="feed-url">([^<]+)<', made.content)
    assert shown is not None
    url = shown.group(1).decode()
    assert url.startswith("http") and "/calendar/feed/cal_" in url
    again = client.get("/calendar/settings/")
    assert url.encode() not in again.content
    assert Client().get(urlsplit(url).path).status_code == 200


def test_the_feed_takes_the_same_queries_for_more_events(
    world: World, django_assert_max_num_queries: Any
) -> None:
    url = _url(world, world.bob)
    soon = timezone.now().date() + timedelta(days=1)
    client = Client()
    client.get(url)  # the first read stamps last_used_at

    def count_for(n: int) -> int:
        for i in range(n):
            _event(world, world.bob, soon + timedelta(days=i), time(9), time(10), title=f"E{i}")
            helpers.task(world, world.bob, title=f"T{i}", due=i + 1)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few, many = count_for(1), count_for(6)
    assert few == many
    with django_assert_max_num_queries(5):
        client.get(url)

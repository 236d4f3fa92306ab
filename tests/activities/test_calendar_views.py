"""The calendar's day, week, month and agenda views; all-day events; resizing; team
calendars; working hours; time zones; query counts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amity.activities import calendar_layout as layout
from amity.activities import events
from amity.activities.models import CalendarSettings, Event
from amity.activities.recurrence import zone
from amity.core.models import User
from tests.conftest import World, tenant_guard_off


def _zone(user: User, name: str) -> None:
    User.objects.filter(pk=user.pk).update(time_zone=name)
    user.refresh_from_db()


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


def _all_day(world: World, user: User, first: date, last: date, title: str) -> Event:
    member = world.member(user)
    starts, ends = events.all_day_bounds(member, first, last)
    return events.create_event(
        member, {"title": title, "all_day": True, "starts_at": starts, "ends_at": ends}
    )


def _reload(event: Event) -> Event:
    with tenant_guard_off():
        return Event.objects.get(pk=event.pk)


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined, no-any-return]


def _events_html(html: str) -> list[str]:
    """The visible text of each event block, whitespace folded."""
    found = re.findall(r'data-testid="event"[^>]*>(.*?)</a>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found]


# Day, week, month, agenda.


def test_the_day_view_shows_that_days_events_at_their_local_hour(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _zone(world.bob, "Europe/Oslo")
    _event(world, world.bob, date(2026, 12, 2), time(9, 30), time(11), "Workshop")
    _event(world, world.bob, date(2026, 12, 3), time(9), time(10), "Tomorrow")
    page = as_user(world.bob).get("/calendar/?view=day&date=2026-12-02")
    html = _text(page)
    assert page.status_code == 200 and 'data-testid="day"' in html
    assert _events_html(html) == ["09:30–11:00 Workshop"]
    assert "cal-at-38 cal-len-6" in html  # 09:30 is quarter 38; an hour and a half is 6
    assert 'href="?view=week&amp;date=2026-12-02"' in html  # the view switcher keeps the day
    assert 'href="?view=day&amp;date=2026-12-03" rel="next"' in html


def test_the_month_view_is_six_weeks_with_more_links(
    world: World, as_user: Callable[[User], Client]
) -> None:
    for n in range(5):
        _event(world, world.bob, date(2026, 12, 9), time(8 + n), time(9 + n), f"Call {n}")
    _event(world, world.bob, date(2026, 12, 24), time(12), time(13), "Lunch")
    html = _text(as_user(world.bob).get("/calendar/?view=month&date=2026-12-15"))
    days = re.findall(r'data-date="([\d-]+)" data-testid="month-day"', html)
    assert len(days) == 42 and days[0] == "2026-11-30" and days[-1] == "2027-01-10"
    assert _events_html(html) == ["08:00 Call 0", "09:00 Call 1", "10:00 Call 2", "12:00 Lunch"]
    assert 'href="?view=day&amp;date=2026-12-09" data-testid="more">+2 more<' in html
    assert 'href="?view=month&amp;date=2026-11-01" rel="prev"' in html
    assert 'href="?view=month&amp;date=2027-01-01" rel="next"' in html


def test_the_agenda_lists_the_next_thirty_days_by_day(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _event(world, world.bob, date(2026, 12, 1), time(9), time(10), "Before")
    _event(world, world.bob, date(2026, 12, 2), time(9), time(10), "First")
    _event(world, world.bob, date(2026, 12, 2), time(7), time(8), "Earlier")
    _event(world, world.bob, date(2026, 12, 31), time(9), time(10), "Last")
    _event(world, world.bob, date(2027, 1, 1), time(9), time(10), "Too late")
    _all_day(world, world.bob, date(2026, 12, 20), date(2026, 12, 21), "Offsite")
    html = _text(as_user(world.bob).get("/calendar/?view=agenda&date=2026-12-02"))
    days = re.findall(r'<section aria-labelledby="ag-([\d-]+)"', html)
    assert days == ["2026-12-02", "2026-12-20", "2026-12-21", "2026-12-31"]
    titles = re.findall(r'class="kind-meeting">([^<]+)<', html)
    assert titles == ["Earlier", "First", "Offsite", "Offsite", "Last"]
    assert 'href="?view=agenda&amp;date=2027-01-01" rel="next"' in html


def test_the_agenda_is_bounded(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout, "AGENDA_LIMIT", 3)
    for n in range(5):
        _event(world, world.bob, date(2026, 12, 2 + n), time(9), time(10), f"E{n}")
    _event(world, world.bob, date(2026, 12, 4), time(11), time(12), "Second on the 4th")
    cal = layout.Calendars(world.member(world.bob), zone("UTC"), [world.bob])
    agenda = layout.agenda(cal, date(2026, 12, 2))
    # The 4th did not fit whole: the page ends on the 3rd and "later" starts at the 4th.
    assert agenda.truncated and agenda.last == date(2026, 12, 3)
    assert [d.date.day for d in agenda.days] == [2, 3]


@pytest.mark.parametrize("team", [False, True])
@pytest.mark.parametrize("view", ["day", "week", "month", "agenda"])
def test_each_view_costs_the_same_queries_whatever_the_events(
    world: World, as_user: Callable[[User], Client], view: str, team: bool
) -> None:
    client = as_user(world.bob)
    url = f"/calendar/?view={view}&date=2026-12-02"
    if team:
        url += f"&team={world.east.pk}"

    def count() -> int:
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _event(world, world.bob, date(2026, 12, 2), time(9), time(10))
    one = count()
    for n in range(12):
        who = world.sam if n % 2 else world.bob
        _event(world, who, date(2026, 12, 2), time(10 + n % 8), time(11 + n % 8))
        _all_day(world, who, date(2026, 12, 2), date(2026, 12, 3), f"All {n}")
    assert count() == one <= 15


# Time zones.


def test_each_user_sees_an_event_at_their_own_local_hour(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _zone(world.bob, "Europe/Oslo")
    _zone(world.erin, "America/New_York")
    event = _event(world, world.bob, date(2026, 12, 2), time(15), time(16), "Review")
    assert event.starts_at == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    oslo = _text(as_user(world.bob).get("/calendar/?view=day&date=2026-12-02"))
    assert _events_html(oslo) == ["15:00–16:00 Review"] and "cal-at-60 " in oslo
    new_york = _text(
        as_user(world.erin).get(f"/calendar/?view=day&date=2026-12-02&member={world.bob.pk}")
    )
    assert _events_html(new_york) == ["09:00–10:00 Review"] and "cal-at-36 " in new_york


def test_a_daylight_saving_week_keeps_the_wall_clock(
    world: World, as_user: Callable[[User], Client]
) -> None:
    """Oslo leaves summer time on Sunday 25 October 2026: 09:00 stays on the 09:00 row."""
    _zone(world.bob, "Europe/Oslo")
    _event(world, world.bob, date(2026, 10, 24), time(9), time(10), "Saturday")
    _event(world, world.bob, date(2026, 10, 25), time(9), time(10), "Sunday")
    _event(world, world.bob, date(2026, 10, 25), time(1, 30), time(3, 30), "Night")
    html = _text(as_user(world.bob).get("/calendar/?date=2026-10-21"))
    assert _events_html(html) == ["09:00–10:00 Saturday", "01:30–03:30 Night", "09:00–10:00 Sunday"]
    sunday = html.split('data-date="2026-10-25"', 1)[1]
    assert (
        sunday.count('href="/calendar/new/?start=2026-10-25T') == 48
    )  # one slot per wall-clock half hour
    assert sunday.count("cal-at-36 cal-len-4") == 1 and "cal-at-6 cal-len-8" in sunday
    saturday = html.split('data-date="2026-10-24"', 1)[1].split("</section>", 1)[0]
    assert "cal-at-36 cal-len-4" in saturday


# All-day events.


def test_an_all_day_event_is_added_with_dates(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _zone(world.bob, "Europe/Oslo")
    client = as_user(world.bob)
    response = client.post(
        "/calendar/new/",
        {
            "title": "Trade fair",
            "kind": "meeting",
            "all_day": "on",
            "date": "2026-12-02",
            "end_date": "2026-12-04",
        },
    )
    assert response.status_code == 302
    with tenant_guard_off():
        event = Event.objects.get()
    assert event.all_day
    assert event.starts_at == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # Oslo midnight
    assert event.ends_at == datetime(2026, 12, 4, 23, 0, tzinfo=UTC)
    form = _text(client.get(f"/calendar/events/{event.pk}/"))
    assert 'value="2026-12-02"' in form and 'value="2026-12-04"' in form and "checked" in form


def test_an_event_becomes_all_day_and_back_in_its_form(
    world: World, as_user: Callable[[User], Client]
) -> None:
    event = _event(world, world.bob, date(2026, 12, 2), time(9), time(10), "Offsite")
    client = as_user(world.bob)
    data = {"title": "Offsite", "kind": "meeting", "date": "2026-12-02", "version": "1"}
    response = client.post(
        f"/calendar/events/{event.pk}/", {**data, "all_day": "on", "end_date": "2026-12-03"}
    )
    assert response.status_code == 302
    event = _reload(event)
    assert event.all_day and event.ends_at - event.starts_at == timedelta(days=2)
    back = client.post(
        f"/calendar/events/{event.pk}/",
        {**data, "version": "2", "start": "13:00", "end": "14:00"},
    )
    assert back.status_code == 302
    event = _reload(event)
    assert not event.all_day and event.starts_at == datetime(2026, 12, 2, 13, tzinfo=UTC)


def test_an_all_day_event_cannot_end_before_it_starts(
    world: World, as_user: Callable[[User], Client]
) -> None:
    response = as_user(world.bob).post(
        "/calendar/new/",
        {
            "title": "Backwards",
            "kind": "meeting",
            "all_day": "on",
            "date": "2026-12-04",
            "end_date": "2026-12-02",
        },
    )
    html = _text(response)
    assert response.status_code == 400
    field = html.split('id="id_end_date"', 1)[1].split("</div>", 1)[0]
    assert "End on or after the first day." in field
    with tenant_guard_off():
        assert not Event.objects.exists()


def test_a_timed_event_needs_its_times(world: World, as_user: Callable[[User], Client]) -> None:
    response = as_user(world.bob).post(
        "/calendar/new/", {"title": "No time", "kind": "call", "date": "2026-12-04"}
    )
    assert response.status_code == 400 and "Enter a time, or tick" in _text(response)


def test_an_all_day_event_spans_chips_across_a_month_boundary(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _zone(world.bob, "Europe/Oslo")
    _all_day(world, world.bob, date(2026, 11, 28), date(2026, 12, 2), "Conference")
    cal = layout.Calendars(world.member(world.bob), zone("Europe/Oslo"), [world.bob])
    november = layout.month(cal, date(2026, 11, 1))
    spans = [(w.days[0].date, c.col, c.width) for w in november for c in w.chips]
    assert spans == [(date(2026, 11, 23), 6, 2), (date(2026, 11, 30), 1, 3)]
    december = layout.month(cal, date(2026, 12, 1))
    assert [(c.col, c.width) for w in december for c in w.chips] == [(1, 3)]
    html = _text(as_user(world.bob).get("/calendar/?view=month&date=2026-12-01"))
    assert html.count('data-testid="all-day"') == 1 and "cal-col-1 cal-span-3 cal-mlane-0" in html
    week = _text(as_user(world.bob).get("/calendar/?view=week&date=2026-11-28"))
    assert "cal-col-6 cal-span-2" in week and "Conference" in week


def test_an_all_day_event_keeps_its_days_for_a_viewer_in_another_zone(world: World) -> None:
    _zone(world.bob, "Europe/Oslo")
    _all_day(world, world.bob, date(2026, 12, 2), date(2026, 12, 2), "Holiday")
    cal = layout.Calendars(world.member(world.erin), zone("America/New_York"), [world.bob])
    items = layout.fetch(cal, date(2026, 12, 1), date(2026, 12, 3))
    assert [layout.days_of(i) for i in items] == [(date(2026, 12, 2), date(2026, 12, 2))]


# Resizing (the endpoint the browser uses for dragging and the keyboard).


def test_resizing_snaps_the_end_to_a_quarter_hour(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _zone(world.bob, "Europe/Oslo")
    event = _event(world, world.bob, date(2026, 12, 2), time(9), time(10))
    client = as_user(world.bob)
    response = client.post(
        f"/calendar/events/{event.pk}/resize/", {"end": "2026-12-02T10:38", "version": "1"}
    )
    assert response.status_code == 302
    event = _reload(event)
    assert (event.ends_at, event.version) == (datetime(2026, 12, 2, 9, 45, tzinfo=UTC), 2)
    stale = client.post(
        f"/calendar/events/{event.pk}/resize/", {"end": "2026-12-02T12:00", "version": "1"}
    )
    assert stale.status_code == 409 and "Someone changed this event" in _text(stale)
    assert _reload(event).version == 2
    before = client.post(
        f"/calendar/events/{event.pk}/resize/", {"end": "2026-12-02T08:00", "version": "2"}
    )
    assert before.status_code == 422 and "End it after it starts." in _text(before)


def test_an_all_day_event_is_not_resized_by_the_hour(
    world: World, as_user: Callable[[User], Client]
) -> None:
    event = _all_day(world, world.bob, date(2026, 12, 2), date(2026, 12, 2), "Day off")
    response = as_user(world.bob).post(
        f"/calendar/events/{event.pk}/resize/", {"end": "2026-12-02T12:00", "version": "1"}
    )
    assert response.status_code == 422 and _reload(event).version == 1


def test_moving_an_all_day_event_a_day_keeps_it_all_day(
    world: World, as_user: Callable[[User], Client]
) -> None:
    event = _all_day(world, world.bob, date(2026, 12, 2), date(2026, 12, 3), "Trip")
    response = as_user(world.bob).post(
        f"/calendar/events/{event.pk}/move/", {"start": "2026-12-03T00:00", "version": "1"}
    )
    assert response.status_code == 302
    event = _reload(event)
    assert event.all_day and event.starts_at == datetime(2026, 12, 3, tzinfo=UTC)


# Team calendars.


def test_an_own_scope_role_sees_others_events_as_busy(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _event(world, world.bob, date(2026, 12, 2), time(9), time(10), "Secret pitch")
    _event(world, world.frank, date(2026, 12, 2), time(11), time(12), "Invoices")
    url = f"/calendar/?view=day&date=2026-12-02&member={world.bob.pk}&member={world.frank.pk}"
    html = _text(as_user(world.frank).get(url))
    assert "Secret pitch" not in html and html.count('data-testid="busy"') == 1
    assert _events_html(html) == ["11:00–12:00 Invoices"]
    assert html.count('class="cal-day') == 2  # a column per member
    for view in ("week", "month", "agenda"):
        other = _text(as_user(world.frank).get(url.replace("view=day", f"view={view}")))
        assert "Secret pitch" not in other and 'data-testid="busy"' in other


def test_a_team_scope_role_sees_the_teams_events(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _event(world, world.sam, date(2026, 12, 2), time(9), time(10), "Sam's demo")
    _event(world, world.carol, date(2026, 12, 2), time(9), time(10), "Not in the team")
    html = _text(as_user(world.bob).get(f"/calendar/?date=2026-12-02&team={world.east.pk}"))
    assert "Sam&#x27;s demo" in html and "Not in the team" not in html
    assert 'class="cal-legend"' in html and html.count("cal-swatch who-") >= 2
    assert "draggable" not in html  # a team calendar is for looking


def test_a_team_calendar_shows_no_one_from_another_workspace(
    world: World, as_user: Callable[[User], Client]
) -> None:
    globex = world.member(world.mallory, world.globex)
    events.create_event(
        globex,
        {
            "title": "Globex only",
            "starts_at": datetime(2026, 12, 2, 9, tzinfo=UTC),
            "ends_at": datetime(2026, 12, 2, 10, tzinfo=UTC),
        },
    )
    html = _text(as_user(world.alice).get(f"/calendar/?date=2026-12-02&member={world.mallory.pk}"))
    assert "Globex only" not in html and 'data-testid="busy"' not in html


# Working hours.


def test_working_hours_shade_the_grid_and_set_where_it_opens(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.bob)
    bad = client.post(
        "/calendar/working-hours/", {"day_starts": "17:00", "day_ends": "09:00", "weekdays": ["0"]}
    )
    assert bad.status_code == 400 and "End the working day after it starts." in _text(bad)
    response = client.post(
        "/calendar/working-hours/",
        {"day_starts": "09:30", "day_ends": "15:00", "weekdays": ["1", "2", "3"]},
    )
    assert response.status_code == 302
    with tenant_guard_off():
        saved = CalendarSettings.objects.get()
    assert (saved.day_starts, saved.day_ends, saved.weekdays) == (time(9, 30), time(15), "123")
    html = _text(client.get("/calendar/?date=2026-12-02"))
    assert 'data-scroll-to="09:30"' in html
    assert 'class="cal-slot cal-working" href="/calendar/new/?start=2026-12-02T09:30"' in html
    assert 'class="cal-slot" href="/calendar/new/?start=2026-12-02T09:00"' in html
    assert 'class="cal-slot" href="/calendar/new/?start=2026-11-30T10:00"' in html  # Monday
    assert 'class="cal-slot" href="/calendar/new/?start=2026-12-02T15:00"' in html


def test_odd_parameters_fall_back_to_the_members_week(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.bob)
    page = client.get("/calendar/?view=year&date=2026-13-45&team=%C2%B2&member=x&member=99999")
    assert page.status_code == 200 and 'data-testid="week"' in _text(page)
    event = _event(world, world.bob, date(2026, 12, 2), time(9), time(10))
    odd = client.post(
        f"/calendar/events/{event.pk}/resize/", {"end": "2026-12-02T11:00", "version": "²"}
    )
    assert odd.status_code == 400 and _reload(event).version == 1
    bad_day = client.post(
        f"/calendar/events/{event.pk}/move/", {"start": "2026-13-45T11:00", "version": "1"}
    )
    assert bad_day.status_code == 400 and _reload(event).version == 1
    assert client.get("/calendar/new/?start=2026-02-30T10:00").status_code == 200

"""Importing an .ics file: time zones, all-day, a bad event reported, re-imports, repeats."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from amity.activities import ics_import
from amity.activities.models import Event
from amity.core.models import User
from tests.conftest import World, tenant_guard_off

SAMPLE = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Example//Test//EN\r
BEGIN:VTIMEZONE\r
TZID:Europe/Oslo\r
BEGIN:STANDARD\r
DTSTART:19701025T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:19700329T020000\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:summer-1@example.test\r
DTSTAMP:20310101T000000Z\r
SUMMARY:Summer meeting\r
LOCATION:Oslo office\r
DTSTART;TZID=Europe/Oslo:20310610T090000\r
DTEND;TZID=Europe/Oslo:20310610T100000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:winter-1@example.test\r
DTSTAMP:20310101T000000Z\r
SUMMARY:Winter meeting\r
DTSTART;TZID=Europe/Oslo:20311210T090000\r
DURATION:PT45M\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:holiday-1@example.test\r
DTSTAMP:20310101T000000Z\r
SUMMARY:Holiday\r
DTSTART;VALUE=DATE:20310701\r
DTEND;VALUE=DATE:20310703\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:weekly-1@example.test\r
DTSTAMP:20310101T000000Z\r
SUMMARY:Weekly sync\r
DTSTART:20310106T080000Z\r
DTEND:20310106T083000Z\r
RRULE:FREQ=WEEKLY;COUNT=10\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:broken-1@example.test\r
DTSTAMP:20310101T000000Z\r
SUMMARY:Broken start\r
DTSTART:not-a-date\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:backwards-1@example.test\r
DTSTAMP:20310101T000000Z\r
SUMMARY:Backwards\r
DTSTART:20310106T100000Z\r
DTEND:20310106T090000Z\r
END:VEVENT\r
END:VCALENDAR\r
"""


def _events() -> dict[str, tuple[datetime, datetime, bool, str]]:
    with tenant_guard_off():
        return {
            e.title: (e.starts_at, e.ends_at, e.all_day, e.location)
            for e in Event.objects.filter(deleted_at=None)
        }


def test_it_imports_good_events_and_reports_bad_ones(world: World) -> None:
    User.objects.filter(pk=world.bob.pk).update(time_zone="Europe/Oslo")
    member = world.member(world.bob)

    report = ics_import.import_file(member, SAMPLE)

    assert (report.created, report.updated, report.skipped) == (4, 0, 0)
    assert sorted((p.title, p.reason) for p in report.problems) == [
        ("Backwards", "End it after it starts."),
        ("Broken start", "Its start (DTSTART) cannot be read."),
    ]
    assert [n.title for n in report.notes] == ["Weekly sync"]
    found = _events()
    assert found["Summer meeting"][:2] == (
        datetime(2031, 6, 10, 7, 0, tzinfo=UTC),
        datetime(2031, 6, 10, 8, 0, tzinfo=UTC),
    )
    assert found["Summer meeting"][3] == "Oslo office"
    assert found["Winter meeting"][:2] == (
        datetime(2031, 12, 10, 8, 0, tzinfo=UTC),
        datetime(2031, 12, 10, 8, 45, tzinfo=UTC),
    )
    # All day: local midnights in the importer's zone (Oslo is +2 in July).
    assert found["Holiday"][:3] == (
        datetime(2031, 6, 30, 22, 0, tzinfo=UTC),
        datetime(2031, 7, 2, 22, 0, tzinfo=UTC),
        True,
    )
    assert found["Weekly sync"][0] == datetime(2031, 1, 6, 8, 0, tzinfo=UTC)


def test_a_reimport_skips_known_uids_and_updates_a_higher_sequence(world: World) -> None:
    member = world.member(world.bob)
    ics_import.import_file(member, SAMPLE)

    again = ics_import.import_file(member, SAMPLE)
    assert (again.created, again.updated, again.skipped) == (0, 0, 4)

    newer = SAMPLE.replace(
        b"SUMMARY:Summer meeting\r\n", b"SUMMARY:Summer meeting moved\r\nSEQUENCE:2\r\n"
    ).replace(b"20310610T", b"20310611T")
    third = ics_import.import_file(member, newer)
    assert (third.created, third.updated, third.skipped) == (0, 1, 3)
    found = _events()
    assert "Summer meeting moved" in found and "Summer meeting" not in found
    assert len(found) == 4


def test_a_file_that_is_not_icalendar_imports_nothing(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.bob)
    answer = client.post(
        "/calendar/import/",
        {"file": SimpleUploadedFile("x.ics", b"hello, not a calendar", "text/calendar")},
    )
    assert answer.status_code == 400
    assert b"nothing was imported" in answer.content
    assert _events() == {}


def test_the_import_page_reports_counts_and_problems(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.bob)
    answer = client.post(
        "/calendar/import/", {"file": SimpleUploadedFile("cal.ics", SAMPLE, "text/calendar")}
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "4 events imported." in text
    assert "Broken start" in text and "Backwards" in text
    assert "only its first occurrence is imported" in text


def test_too_large_a_file_is_refused(world: World, as_user: Callable[[User], Client]) -> None:
    big = SAMPLE + b" " * (ics_import.MAX_BYTES + 1)
    answer = as_user(world.bob).post(
        "/calendar/import/", {"file": SimpleUploadedFile("big.ics", big, "text/calendar")}
    )
    assert answer.status_code == 400
    assert _events() == {}


def test_the_feed_of_amity_imported_back_is_recognised(world: World) -> None:
    from amity.activities import events, feed

    member = world.member(world.bob)
    events.create_event(
        member,
        {
            "title": "Ours",
            "starts_at": datetime(2031, 1, 1, 9, tzinfo=UTC),
            "ends_at": datetime(2031, 1, 1, 10, tzinfo=UTC),
        },
    )
    body = feed.build(member, now=datetime(2030, 12, 1, tzinfo=UTC)).body
    report = ics_import.import_file(member, body)
    assert (report.created, report.skipped) == (0, 1)

"""Repeating tasks: the next date of each rule, month ends, and due moments across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from amity.activities.recurrence import due_moment, local_today, next_date, zone


def _series(start: date, repeat: str, n: int, **kw: object) -> list[date]:
    dates = [start]
    for _ in range(n):
        dates.append(next_date(dates[-1], repeat, **kw))  # type: ignore[arg-type]
    return dates


def test_it_repeats_daily_every_n_days() -> None:
    assert _series(date(2026, 2, 27), "daily", 2, every=2) == [
        date(2026, 2, 27),
        date(2026, 3, 1),
        date(2026, 3, 3),
    ]


def test_it_repeats_weekly_on_chosen_weekdays() -> None:
    # Monday, Wednesday, Friday; starting on a Wednesday.
    assert _series(date(2026, 12, 2), "weekly", 4, weekdays="024") == [
        date(2026, 12, 2),
        date(2026, 12, 4),
        date(2026, 12, 7),
        date(2026, 12, 9),
        date(2026, 12, 11),
    ]


def test_it_skips_weeks_when_repeating_every_other_week() -> None:
    # Tuesdays and Thursdays every 2 weeks, from Thursday 3 Dec 2026.
    assert _series(date(2026, 12, 3), "weekly", 3, weekdays="13", every=2) == [
        date(2026, 12, 3),
        date(2026, 12, 15),
        date(2026, 12, 17),
        date(2026, 12, 29),
    ]


def test_it_repeats_weekly_on_the_same_weekday_without_a_choice() -> None:
    assert next_date(date(2026, 12, 2), "weekly") == date(2026, 12, 9)


def test_it_clamps_monthly_repeats_to_the_month_end_and_returns_to_the_31st() -> None:
    assert _series(date(2027, 1, 31), "monthly", 4, day=31) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
    ]


def test_it_clamps_to_the_29th_of_february_in_a_leap_year() -> None:
    assert next_date(date(2028, 1, 30), "monthly", day=30) == date(2028, 2, 29)
    assert next_date(date(2027, 11, 30), "monthly", every=3, day=30) == date(2028, 2, 29)


def test_it_repeats_yearly_from_a_leap_day() -> None:
    assert _series(date(2028, 2, 29), "yearly", 4, day=29) == [
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
    ]


def test_it_refuses_an_unknown_rule() -> None:
    with pytest.raises(ValueError):
        next_date(date(2026, 1, 1), "hourly")


@pytest.mark.parametrize(
    ("tz", "before", "after", "utc_before", "utc_after"),
    [
        # Europe/Oslo springs forward on 29 March 2026 (CET +1 -> CEST +2).
        ("Europe/Oslo", date(2026, 3, 28), date(2026, 3, 29), 8, 7),
        # and falls back on 25 October 2026.
        ("Europe/Oslo", date(2026, 10, 24), date(2026, 10, 25), 7, 8),
        # America/New_York springs forward on 8 March 2026 (EST -5 -> EDT -4).
        ("America/New_York", date(2026, 3, 7), date(2026, 3, 8), 14, 13),
        # and falls back on 1 November 2026.
        ("America/New_York", date(2026, 10, 31), date(2026, 11, 1), 13, 14),
    ],
)
def test_it_keeps_the_wall_clock_time_across_dst_changes(
    tz: str, before: date, after: date, utc_before: int, utc_after: int
) -> None:
    wall = time(9, 0)
    assert next_date(before, "daily") == after
    first, second = due_moment(before, wall, tz), due_moment(after, wall, tz)
    assert first.astimezone(zone(tz)).time() == second.astimezone(zone(tz)).time() == time(9, 0)
    assert (first.hour, second.hour) == (utc_before, utc_after)
    assert first.tzinfo == UTC


def test_it_resolves_a_time_skipped_by_the_spring_change_an_hour_later() -> None:
    moment = due_moment(date(2026, 3, 29), time(2, 30), "Europe/Oslo")
    assert moment == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert moment.astimezone(zone("Europe/Oslo")).time() == time(3, 30)


def test_it_makes_a_date_only_task_due_at_the_end_of_its_local_day() -> None:
    assert due_moment(date(2026, 7, 1), None, "America/New_York") == datetime(
        2026, 7, 2, 4, 0, tzinfo=UTC
    )
    assert due_moment(date(2026, 7, 1), None, "Europe/Oslo") == datetime(
        2026, 7, 1, 22, 0, tzinfo=UTC
    )


def test_it_knows_today_in_the_users_zone() -> None:
    late = datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    assert local_today("Europe/Oslo", late) == date(2026, 12, 3)
    assert local_today("America/New_York", late) == date(2026, 12, 2)
    assert local_today("Not/AZone", late) == date(2026, 12, 2)

"""Dates of repeating tasks, and due moments in a person's own time zone.

Repeats work on the calendar day in the assignee's zone and keep the wall-clock
time, so a 09:00 daily task stays at 09:00 across daylight-saving changes.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

DAILY, WEEKLY, MONTHLY, YEARLY = "daily", "weekly", "monthly", "yearly"


def zone(name: str) -> ZoneInfo:
    """Return the named time zone, or UTC for an unknown or empty name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_today(time_zone: str, now: datetime | None = None) -> date:
    """Return today's date in the zone."""
    return (now or timezone.now()).astimezone(zone(time_zone)).date()


def due_moment(due_date: date, due_time: time | None, time_zone: str) -> datetime:
    """Return when a task falls due, in UTC: its time that day, or the end of the day.

    A wall-clock time skipped by a daylight-saving jump (02:30 on the spring
    change) resolves as zoneinfo does with fold=0: the offset before the jump,
    which lands one hour later on the new clock (03:30).
    """
    tz = zone(time_zone)
    if due_time is None:
        local = datetime.combine(due_date + timedelta(days=1), time(0), tzinfo=tz)
    else:
        local = datetime.combine(due_date, due_time.replace(tzinfo=None), tzinfo=tz)
    return local.astimezone(UTC)


def parse_weekdays(value: str) -> list[int]:
    """Return the weekday numbers (Monday 0) in a string like "024", sorted and unique."""
    return sorted({int(c) for c in value if c.isdigit() and int(c) < 7})


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def next_date(
    current: date,
    repeat: str,
    *,
    every: int = 1,
    weekdays: str = "",
    day: int | None = None,
) -> date:
    """Return the occurrence after `current`.

    Monthly and yearly repeats keep `day` (the series' first day of month) and
    clamp it to short months: 31 Jan, 28 Feb, 31 Mar; 29 Feb 2028, 28 Feb 2029.
    """
    every = max(1, every)
    if repeat == DAILY:
        return current + timedelta(days=every)
    if repeat == WEEKLY:
        days = parse_weekdays(weekdays) or [current.weekday()]
        later = [d for d in days if d > current.weekday()]
        if later:
            return current + timedelta(days=later[0] - current.weekday())
        week_start = current - timedelta(days=current.weekday())
        return week_start + timedelta(weeks=every, days=days[0])
    anchor = day or current.day
    if repeat == MONTHLY:
        index = current.year * 12 + current.month - 1 + every
        return _clamped(index // 12, index % 12 + 1, anchor)
    if repeat == YEARLY:
        return _clamped(current.year + every, current.month, anchor)
    raise ValueError(f"Unknown repeat {repeat!r}")

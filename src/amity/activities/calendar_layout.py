"""What the calendar screens show: a day, a week, a month or the coming weeks of events,
laid out in the viewer's time zone, for the viewer or for several members side by side.

Each screen costs a fixed number of queries: the viewer's working hours, the events
of the range (with their owners) and, for other members' calendars, the ids the viewer
may see; an event the viewer may not see shows as "busy", with its time only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from amity.activities.models import CalendarSettings, Event
from amity.activities.recurrence import zone
from amity.core import access
from amity.core.models import Membership, User

QUARTERS = 96  # quarter hours in a day: the grid events snap to
SLOT_MINUTES = 30  # what one click on the grid adds
MONTH_ITEMS = 3  # events a month cell shows before "+k more"
MONTH_LANES = 2  # rows of spanning all-day chips a month week shows
AGENDA_DAYS = 30
AGENDA_LIMIT = 300
MAX_LANES = 4  # overlapping events share a column up to this many side by side
COLOURS = 8  # member colours on a team calendar


@dataclass
class Hours:
    """The viewer's working hours."""

    starts: time
    ends: time
    weekdays: str

    def working(self, day: date, at: time) -> bool:
        return str(day.weekday()) in self.weekdays and self.starts <= at < self.ends

    @property
    def scroll_to(self) -> str:
        """The half hour the day and week open at (the working day's start)."""
        return f"{self.starts.hour:02d}:{30 if self.starts.minute >= 30 else 0:02d}"


def hours_of(member: Membership) -> Hours:
    found = (
        CalendarSettings.objects.filter(workspace_id=member.workspace_id, user_id=member.user_id)
        .values_list("day_starts", "day_ends", "weekdays")
        .first()
    )
    if found is None:
        return Hours(time(8), time(17), "01234")
    return Hours(*found)


@dataclass
class Item:
    """One event as the viewer sees it on a screen (maybe one day's part of it)."""

    event: Event
    busy: bool  # outside the viewer's reach: its time shows, not its title
    who: int  # the owner's colour on a team calendar
    starts: datetime  # in the viewer's zone
    ends: datetime
    row: int = 0  # time grids: the quarter hour it starts in
    span: int = 1  # how many quarter hours it covers
    lane: int = 0  # side by side with events it overlaps
    lanes: int = 1
    col: int = 1  # chips: the first column it covers (1-based)
    width: int = 1  # and how many columns

    @property
    def title(self) -> str:
        return "" if self.busy else self.event.title

    @property
    def local_start(self) -> str:
        return self.starts.strftime("%Y-%m-%dT%H:%M")

    @property
    def local_end(self) -> str:
        return self.ends.strftime("%Y-%m-%dT%H:%M")


@dataclass
class Column:
    """A column of a time grid: one day of one calendar (or of several, coloured)."""

    date: date
    label: str
    # Each half hour's wall-clock start ("2026-12-02T09:30"), and whether it is working time.
    slots: list[tuple[str, bool]]
    items: list[Item] = field(default_factory=list)
    owner_id: int | None = None  # a member's column on a team day


@dataclass
class Calendars:
    """Whose events a screen shows, and which of them the viewer may see in full."""

    viewer: Membership
    tz: ZoneInfo
    owners: list[User]

    @property
    def is_own(self) -> bool:
        return [u.pk for u in self.owners] == [self.viewer.user_id]

    def colour(self, owner_id: int | None) -> int:
        ids = [u.pk for u in self.owners]
        return ids.index(owner_id) % COLOURS if owner_id in ids else 0


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def fetch(cal: Calendars, first: date, last: date, limit: int | None = None) -> list[Item]:
    """Return the owners' events touching the days `first`..`last`, in start order.

    The range is read a day wider on each side: an all-day event covers its days in its
    organizer's zone, which may sit hours away from the viewer's.
    """
    start = _midnight(first, cal.tz) - timedelta(days=1)
    end = _midnight(last + timedelta(days=2), cal.tz)
    member = cal.viewer
    owner_ids = [u.pk for u in cal.owners]
    in_range = {"owner_id__in": owner_ids, "starts_at__lt": end, "ends_at__gt": start}
    if cal.is_own:
        qs = access.visible(member, Event).filter(**in_range)
        seen = None
    else:
        qs = Event.objects.filter(workspace_id=member.workspace_id, deleted_at=None, **in_range)
        seen = set(access.visible(member, Event).filter(**in_range).values_list("id", flat=True))
    qs = qs.select_related("owner").order_by("starts_at", "id")
    rows = list(qs[:limit] if limit else qs)
    items = []
    for event in rows:
        starts, ends = event.starts_at.astimezone(cal.tz), event.ends_at.astimezone(cal.tz)
        busy = seen is not None and event.pk not in seen
        items.append(Item(event, busy, cal.colour(event.owner_id), starts, ends))
    return [i for i in items if days_of(i)[1] >= first and days_of(i)[0] <= last]


def days_of(item: Item) -> tuple[date, date]:
    """Return the first and last local day an event covers (all-day: its organizer's days)."""
    event = item.event
    if event.all_day:
        tz = zone(event.owner.time_zone if event.owner else "")
        return (
            event.starts_at.astimezone(tz).date(),
            (event.ends_at.astimezone(tz) - timedelta(microseconds=1)).date(),
        )
    return item.starts.date(), (item.ends - timedelta(microseconds=1)).date()


def _quarter(at: datetime) -> int:
    return (at.hour * 60 + at.minute) // 15


def _place(item: Item, day: date) -> Item:
    """Return the part of a timed event that falls on `day`, on the quarter-hour grid."""
    first, last = days_of(item)
    row = _quarter(item.starts) if first == day else 0
    if last == day and item.ends.date() == day:
        end = -(-(item.ends.hour * 60 + item.ends.minute) // 15)
    else:
        end = QUARTERS
    return Item(item.event, item.busy, item.who, item.starts, item.ends, row, max(1, end - row))


def _share_lanes(items: list[Item]) -> None:
    """Put overlapping events side by side, each cluster of overlaps sharing its width."""
    items.sort(key=lambda i: (i.row, -i.span, i.event.pk))
    cluster: list[Item] = []
    lane_ends: list[int] = []
    for item in [*items, None]:
        if item is None or (cluster and item.row >= max(lane_ends)):
            for member in cluster:
                member.lanes = min(len(lane_ends), MAX_LANES)
            cluster, lane_ends = [], []
        if item is None:
            break
        free = next((n for n, end in enumerate(lane_ends) if end <= item.row), None)
        if free is None:
            lane_ends.append(item.row + item.span)
            free = len(lane_ends) - 1
        else:
            lane_ends[free] = item.row + item.span
        item.lane = min(free, MAX_LANES - 1)
        cluster.append(item)


def time_columns(
    cal: Calendars, days: list[date], hours: Hours, items: list[Item], by_member: bool = False
) -> list[Column]:
    """Lay timed events on columns: one per day, or one per member of a single day."""
    columns: list[Column] = []
    keys: list[tuple[date, int | None]] = (
        [(days[0], u.pk) for u in cal.owners] if by_member else [(d, None) for d in days]
    )
    names = {u.pk: u.full_name or u.email for u in cal.owners}
    for day, owner_id in keys:
        slots = []
        for n in range(QUARTERS // 2):
            at = time(n // 2, 30 * (n % 2))
            slots.append((f"{day.isoformat()}T{at:%H:%M}", hours.working(day, at)))
        label = names[owner_id] if owner_id is not None else ""
        placed = [
            _place(i, day)
            for i in items
            if not i.event.all_day
            and (owner_id is None or i.event.owner_id == owner_id)
            and days_of(i)[0] <= day <= days_of(i)[1]
        ]
        _share_lanes(placed)
        columns.append(Column(day, label, slots, placed, owner_id))
    return columns


def all_day_chips(columns: list[Column], items: list[Item]) -> list[Item]:
    """Return the all-day events over the columns, each spanning the days it covers."""
    chips = []
    for item in items:
        if not item.event.all_day:
            continue
        first, last = days_of(item)
        covered = [
            n
            for n, c in enumerate(columns, start=1)
            if first <= c.date <= last and c.owner_id in (None, item.event.owner_id)
        ]
        if covered:
            chips.append(
                Item(
                    item.event,
                    item.busy,
                    item.who,
                    item.starts,
                    item.ends,
                    col=covered[0],
                    width=covered[-1] - covered[0] + 1,
                )
            )
    return chips


@dataclass
class MonthDay:
    date: date
    in_month: bool
    items: list[Item]  # timed events shown in the cell
    more: int  # events not shown ("+k more")


@dataclass
class MonthWeek:
    days: list[MonthDay]
    chips: list[Item]  # all-day events: col/width in the week, lane = row of chips


def month(cal: Calendars, first_of_month: date) -> list[MonthWeek]:
    """Return the six weeks (Monday first) around a month, with chips and "+k more"."""
    start = first_of_month - timedelta(days=first_of_month.weekday())
    days = [start + timedelta(days=n) for n in range(42)]
    items = fetch(cal, days[0], days[-1])
    weeks = []
    for w in range(6):
        week_days = days[7 * w : 7 * w + 7]
        lane_ends: list[date] = []
        chips: list[Item] = []
        hidden = dict.fromkeys(week_days, 0)
        shown = dict.fromkeys(week_days, 0)
        long_first = sorted(
            (i for i in items if i.event.all_day),
            key=lambda i: (days_of(i)[0], -(days_of(i)[1] - days_of(i)[0]).days, i.event.pk),
        )
        for item in long_first:
            first, last = days_of(item)
            first, last = max(first, week_days[0]), min(last, week_days[-1])
            if first > last:
                continue
            lane = next((n for n, end in enumerate(lane_ends) if end < first), len(lane_ends))
            if lane == len(lane_ends):
                lane_ends.append(last)
            else:
                lane_ends[lane] = last
            covered = [d for d in week_days if first <= d <= last]
            for d in covered:
                if lane < MONTH_LANES:
                    shown[d] += 1
                else:
                    hidden[d] += 1
            if lane < MONTH_LANES:
                chip = Item(item.event, item.busy, item.who, item.starts, item.ends)
                chip.lane, chip.col, chip.width = (
                    lane,
                    (first - week_days[0]).days + 1,
                    len(covered),
                )
                chips.append(chip)
        cells = []
        for d in week_days:
            timed = [
                i for i in items if not i.event.all_day and days_of(i)[0] <= d <= days_of(i)[1]
            ]
            room = max(0, MONTH_ITEMS - shown[d])
            cells.append(
                MonthDay(
                    d,
                    d.month == first_of_month.month,
                    timed[:room],
                    hidden[d] + max(0, len(timed) - room),
                )
            )
        weeks.append(MonthWeek(cells, chips))
    return weeks


@dataclass
class AgendaDay:
    date: date
    items: list[Item]


@dataclass
class Agenda:
    days: list[AgendaDay]
    last: date  # the last day the agenda covers
    truncated: bool  # more events than AGENDA_LIMIT: "later" continues after `last`


def agenda(cal: Calendars, first: date) -> Agenda:
    """Return the events of the next AGENDA_DAYS days, by day (at most AGENDA_LIMIT)."""
    last = first + timedelta(days=AGENDA_DAYS - 1)
    items = fetch(cal, first, last, limit=AGENDA_LIMIT + 1)
    truncated = len(items) > AGENDA_LIMIT
    if truncated:
        # Show whole days only: up to the day before the first event left out, so
        # "later" (from the day after `last`) misses nothing.
        cut = days_of(items[AGENDA_LIMIT])[0]
        last = max(first, cut - timedelta(days=1))
        items = [i for i in items[:AGENDA_LIMIT] if days_of(i)[0] <= last]
    by_day: dict[date, list[Item]] = {}
    for item in items:
        start, end = days_of(item)
        day = max(start, first)
        while day <= min(end, last):
            by_day.setdefault(day, []).append(item)
            day += timedelta(days=1)
    for day_items in by_day.values():
        day_items.sort(key=lambda i: (not i.event.all_day, i.starts, i.event.pk))
    return Agenda([AgendaDay(d, by_day[d]) for d in sorted(by_day)], last, truncated)

"""Read queries for tasks, shared by the HTML views and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from amity.activities import recurrence
from amity.activities.models import Task
from amity.activities.task_services import visible
from amity.core.models import Membership
from amity.core.paging import Page, paginate

UPCOMING_DAYS = 14
MY_DAY_CAP = 200
SORTS = {
    "due": ["due_at", "id"],
    "-due": ["-due_at", "-id"],
    "priority": ["-priority", "due_at", "id"],
    "created": ["-created_at", "-id"],
}


@dataclass
class MyDay:
    today: date
    overdue: list[Task] = field(default_factory=list)
    due_today: list[Task] = field(default_factory=list)
    upcoming: list[Task] = field(default_factory=list)


def _mine(member: Membership) -> Q:
    """Tasks assigned to the member, or to their team with nobody named yet."""
    mine = Q(owner_id=member.user_id)
    if member.team_id is not None:
        mine |= Q(owner__isnull=True, team_id=member.team_id)
    return mine


def _team(member: Membership, team_id: int) -> Q:
    """Tasks of a team: given to the team itself, or to one of its members."""
    members = Membership.objects.filter(
        workspace_id=member.workspace_id, team_id=team_id, is_active=True
    ).values("user_id")
    return Q(team_id=team_id) | Q(owner_id__in=members)


def my_day(member: Membership, now: datetime | None = None) -> MyDay:
    """Return the member's open tasks: overdue, due today and the next two weeks (one query)."""
    now = now or timezone.now()
    today = recurrence.local_today(member.user.time_zone, now)
    rows = (
        visible(member)
        .filter(
            _mine(member), status=Task.Status.OPEN, due_date__lte=today + timedelta(UPCOMING_DAYS)
        )
        .select_related("person", "company", "team")
        .order_by("due_at", "id")[:MY_DAY_CAP]
    )
    day = MyDay(today)
    for task in rows:
        if task.due_at < now:
            day.overdue.append(task)
        elif task.due_date <= today:
            day.due_today.append(task)
        else:
            day.upcoming.append(task)
    return day


@dataclass(frozen=True)
class ListParams:
    status: str = "open"  # open, done, cancelled or "" for any
    assignee: str = ""  # "me", "team", "none", a user id, or "" for anyone
    due: str = ""  # overdue, today, week, or "" for any
    priority: int | None = None
    q: str = ""
    person: int | None = None
    company: int | None = None
    sort: str = "due"
    after: str | None = None
    before: str | None = None
    size: int = 50


def tasks_query(
    member: Membership, params: ListParams, now: datetime | None = None
) -> QuerySet[Task]:
    """Return the filtered tasks the member may see (unordered)."""
    qs = visible(member).select_related("owner", "team", "person", "company")
    if params.status in Task.Status.values:
        qs = qs.filter(status=params.status)
    if params.assignee == "me":
        qs = qs.filter(_mine(member))
    elif params.assignee == "team":
        qs = qs.filter(_team(member, member.team_id or 0))
    elif params.assignee == "none":
        qs = qs.filter(owner__isnull=True)
    elif params.assignee.isdigit() and len(params.assignee) < 19:
        qs = qs.filter(owner_id=int(params.assignee))
    now = now or timezone.now()
    today = recurrence.local_today(member.user.time_zone, now)
    if params.due == "overdue":
        qs = qs.filter(status=Task.Status.OPEN, due_at__lt=now)
    elif params.due == "today":
        qs = qs.filter(due_date=today)
    elif params.due == "week":
        qs = qs.filter(due_date__gte=today, due_date__lt=today + timedelta(days=7))
    if params.priority in Task.Priority.values:
        qs = qs.filter(priority=params.priority)
    q = params.q.strip()
    if q:
        qs = qs.filter(title__icontains=q)
    if params.person:
        qs = qs.filter(person_id=params.person)
    if params.company:
        qs = qs.filter(company_id=params.company)
    return qs


def tasks(member: Membership, params: ListParams) -> Page[Task]:
    ordering = SORTS.get(params.sort, SORTS["due"])
    return paginate(
        tasks_query(member, params),
        ordering,
        after=params.after,
        before=params.before,
        size=params.size,
    )


def team_tasks(member: Membership, team_id: int | None) -> list[Task]:
    """Return the open tasks of a team (its members' and its own), by assignee then due."""
    if team_id is None:
        return []
    return list(
        visible(member)
        .filter(_team(member, team_id), status=Task.Status.OPEN)
        .select_related("owner", "person", "company")
        .order_by("owner__full_name", "owner_id", "due_at", "id")[:MY_DAY_CAP]
    )


def for_record(
    member: Membership, *, person: int | None = None, company: int | None = None
) -> list[Task]:
    """Return the open tasks about one record, soonest first."""
    qs = visible(member).filter(status=Task.Status.OPEN).select_related("owner", "team")
    qs = qs.filter(person_id=person) if person else qs.filter(company_id=company or 0)
    return list(qs.order_by("due_at", "id")[:20])

"""JSON API for customer timelines: newest first, keyset-paged, filtered by kind."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from amity.core.api import errors, member_of, refuse_other_methods
from amity.customers import timeline
from amity.customers.api import Id
from amity.customers.models import Company, Person, TimelineEvent

router = Router(tags=["timeline"])


class TimelineQuery(Schema):
    kinds: str = Field(
        "",
        max_length=200,
        pattern=r"^[a-z,]*$",
        description="Comma-separated kinds, e.g. note,change.",
    )
    before: str | None = Field(
        None, max_length=200, pattern=r"^[A-Za-z0-9_-]+$", description="The `next` of a page."
    )
    limit: int = Field(timeline.PAGE_SIZE, ge=1, le=100)


class EventOut(Schema):
    id: int | None = Field(
        description="None for the creation of a record an import created, read from the record."
    )
    kind: str
    occurred_at: datetime
    actor: int | None = Field(description="The acting user's id.")
    person: int | None
    company: int | None
    summary: str
    data: dict[str, Any]


class TimelineOut(Schema):
    items: list[EventOut]
    next: str | None = Field(description="Cursor for `before=` to get older entries.")


def _out(page: timeline.TimelinePage) -> TimelineOut:
    def one(e: TimelineEvent) -> EventOut:
        return EventOut(
            id=e.pk,
            kind=e.kind,
            occurred_at=e.occurred_at,
            actor=e.actor_id,
            person=e.person_id,
            company=e.company_id,
            summary=e.summary,
            data=e.data,
        )

    return TimelineOut(items=[one(e) for e in page.items], next=page.next_cursor)


def _page(request: HttpRequest, subject: Company | Person, q: TimelineQuery) -> TimelineOut:
    kinds = timeline.parse_kinds([q.kinds])
    return _out(timeline.page(member_of(request), subject, kinds, q.before, q.limit))


@router.get(
    "/people/{id}/timeline",
    response={200: TimelineOut, **errors(401, 404, 422)},
    operation_id="people_timeline",
)
def person_timeline(request: HttpRequest, id: Id, q: Query[TimelineQuery]) -> TimelineOut:
    """Return a person's timeline, newest first."""
    return _page(request, timeline.get_subject(member_of(request), Person, id), q)


@router.get(
    "/companies/{id}/timeline",
    response={200: TimelineOut, **errors(401, 404, 422)},
    operation_id="companies_timeline",
)
def company_timeline(request: HttpRequest, id: Id, q: Query[TimelineQuery]) -> TimelineOut:
    """Return a company's timeline with its people's entries, newest first."""
    return _page(request, timeline.get_subject(member_of(request), Company, id), q)


refuse_other_methods(router)

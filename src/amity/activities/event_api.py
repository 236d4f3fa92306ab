"""JSON API for calendar events with their attendees, and the private feed URL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime, field_validator, model_validator

from amity.activities import attendees, events, feed
from amity.activities.models import Event, EventAttendee
from amity.activities.recurrence import zone
from amity.core import access, idempotency
from amity.core.api import (
    MAX_ID,
    documents_headers,
    errors,
    expected_version,
    json_only,
    json_response,
    member_of,
    record_response,
    refuse_other_methods,
)
from amity.core.models import Membership
from amity.customers.api import Id, IdempotencyKey, IfMatch, In
from amity.customers.models import Company, Person

router = Router(tags=["events"])
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
MAX_WINDOW = timedelta(days=366)
MAX_ITEMS = 500


def _in_range(value: datetime | None) -> datetime | None:
    if value is not None and not 1900 <= value.year <= 2999:
        raise ValueError("Use a year between 1900 and 2999.")
    return value


class AttendeeIn(In):
    """Exactly one of: a member's user id, a person's id (their primary email), an email."""

    user: RefId | None = None
    person: RefId | None = None
    email: str | None = Field(None, min_length=3, max_length=254, description="An email address.")

    @model_validator(mode="after")
    def _one(self) -> AttendeeIn:
        if sum(v is not None for v in (self.user, self.person, self.email)) != 1:
            raise ValueError("Give exactly one of user, person or email.")
        return self


class EventFields(In):
    kind: Literal["meeting", "call"] = "meeting"
    all_day: bool = Field(
        False,
        description="Whole days in your time zone: the dates of starts_at and ends_at "
        "(ends_at's day not included, at least one day).",
    )
    location: str = Field("", max_length=300, description="A place or a video link.")
    person: RefId | None = Field(None, description="The related customer person.")
    company: RefId | None = Field(None, description="The related company.")
    attendees: list[AttendeeIn] = Field(default_factory=list, max_length=attendees.MAX_ATTENDEES)
    send_invitations: bool = Field(
        True,
        description="Email external attendees an .ics invitation (or update); "
        "members always get a notification.",
    )


class EventCreate(EventFields):
    title: Title
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    _range = field_validator("starts_at", "ends_at", mode="after")(_in_range)


class EventPatch(In):
    title: Title | None = None
    kind: Literal["meeting", "call"] | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    all_day: bool | None = None
    location: str | None = Field(None, max_length=300)
    person: RefId | None = None
    company: RefId | None = None
    attendees: list[AttendeeIn] | None = Field(None, max_length=attendees.MAX_ATTENDEES)
    send_invitations: bool = True

    _range = field_validator("starts_at", "ends_at", mode="after")(_in_range)


class AttendeeOut(Schema):
    user: int | None
    person: int | None
    email: str
    name: str
    response: Literal["needs-action", "accepted", "declined", "tentative"]


class CalendarEventOut(Schema):
    id: int
    uid: str = Field(description="The iCalendar UID.")
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    location: str
    organizer: int | None
    person: int | None
    company: int | None
    attendees: list[AttendeeOut]
    sequence: int = Field(description="The iCalendar SEQUENCE (grows when attendees are told).")
    version: int
    created_at: datetime
    updated_at: datetime


class EventList(Schema):
    items: list[CalendarEventOut]
    truncated: bool = Field(description=f"True when more than {MAX_ITEMS} events matched.")


class EventQuery(Schema):
    start: AwareDatetime | None = Field(
        None, alias="from", description="Events ending after this (default: now)."
    )
    to: AwareDatetime | None = Field(
        None, description="Events starting before this (default and most: a year after `from`)."
    )
    owner: RefId | None = Field(None, description="The organizer's user id.")
    person: RefId | None = None
    company: RefId | None = None

    _range = field_validator("start", "to", mode="after")(_in_range)


class FeedOut(Schema):
    url: str = Field(description="The private iCalendar URL; shown only now.")
    prefix: str
    created_at: datetime


def _out(event: Event, rows: list[EventAttendee]) -> CalendarEventOut:
    return CalendarEventOut(
        id=event.pk,
        uid=f"{event.uid}@amity",
        kind=event.kind,
        title=event.title,
        starts_at=event.starts_at.astimezone(UTC),
        ends_at=event.ends_at.astimezone(UTC),
        all_day=event.all_day,
        location=event.location,
        organizer=event.owner_id,
        person=event.person_id,
        company=event.company_id,
        attendees=[
            AttendeeOut(
                user=a.user_id,
                person=a.person_id,
                email=a.email,
                name=a.name,
                response=a.response,  # type: ignore[arg-type]
            )
            for a in rows
        ],
        sequence=event.sequence,
        version=event.version,
        created_at=event.created_at,
        updated_at=event.updated_at,
    )


def _respond(request: HttpRequest, status: int, event: Event) -> HttpResponse:
    return record_response(request, status, event, _out(event, attendees.attendees_of(event)))


def _wanted(rows: list[AttendeeIn]) -> attendees.Wanted:
    return attendees.Wanted(
        users=[a.user for a in rows if a.user is not None],
        people=[a.person for a in rows if a.person is not None],
        emails=[str(a.email) for a in rows if a.email is not None],
    )


def _span(member: Membership, values: dict[str, Any]) -> dict[str, Any]:
    """Turn an all-day event's times into local midnights, at least one day apart."""
    if not values.get("all_day"):
        return values
    tz = zone(member.user.time_zone)
    first = values["starts_at"].astimezone(tz).date()
    after = max(values["ends_at"].astimezone(tz).date(), first + timedelta(days=1))
    values["starts_at"] = datetime.combine(first, time(0), tzinfo=tz)
    values["ends_at"] = datetime.combine(after, time(0), tzinfo=tz)
    return values


def _check_related(member: Membership, person: int | None, company: int | None) -> None:
    problems = {}
    if person is not None and not access.visible(member, Person).filter(pk=person).exists():
        problems["person"] = "Choose a person you may see."
    if company is not None and not access.visible(member, Company).filter(pk=company).exists():
        problems["company"] = "Choose a company you may see."
    if problems:
        raise ValidationError(problems)


def _relate(member: Membership, event: Event, person: int | None, company: int | None) -> None:
    if (event.person_id, event.company_id) == (person, company):
        return
    Event.objects.filter(pk=event.pk, workspace_id=member.workspace_id).update(
        person_id=person, company_id=company
    )
    event.person_id, event.company_id = person, company


@router.get(
    "/events",
    response={200: EventList, **errors(400, 401, 422)},
    operation_id="events_list",
)
def list_events(request: HttpRequest, filters: Query[EventQuery]) -> HttpResponse:
    """List the events you may see that overlap a window of at most a year, by start."""
    member = member_of(request)
    start = filters.start or datetime.now(tz=UTC)
    end = filters.to or start + MAX_WINDOW
    if end <= start or end - start > MAX_WINDOW:
        raise ValidationError({"to": "Choose `to` after `from`, at most a year later."})
    rows = access.visible(member, Event).filter(starts_at__lt=end, ends_at__gt=start)
    for name in ("owner", "person", "company"):
        if getattr(filters, name) is not None:
            rows = rows.filter(**{f"{name}_id": getattr(filters, name)})
    found = list(rows.order_by("starts_at", "id")[: MAX_ITEMS + 1])
    page = found[:MAX_ITEMS]
    by_event: dict[int, list[EventAttendee]] = {e.pk: [] for e in page}
    for row in EventAttendee.objects.filter(
        workspace_id=member.workspace_id, event_id__in=list(by_event)
    ).order_by("id"):
        by_event[row.event_id].append(row)
    body = EventList(
        items=[_out(e, by_event[e.pk]) for e in page], truncated=len(found) > MAX_ITEMS
    )
    return json_response(request, 200, body)


@router.post(
    "/events",
    response={201: CalendarEventOut, **errors(400, 401, 403, 409, 415, 422)},
    operation_id="events_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_event(
    request: HttpRequest, payload: EventCreate, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Add an event you organize; external attendees get an .ics invitation by email."""
    member = member_of(request)

    def produce() -> HttpResponse:
        _check_related(member, payload.person, payload.company)
        data = _span(member, payload.model_dump(exclude={"attendees", "send_invitations"}))
        event = attendees.create_event(
            member, data, _wanted(payload.attendees), send=payload.send_invitations
        )
        _relate(member, event, payload.person, payload.company)
        return _respond(request, 201, event)

    return idempotency.respond(request, member, idempotency_key, produce)


@router.get(
    "/events/{id}",
    response={200: CalendarEventOut, **errors(401, 404, 422)},
    operation_id="events_get",
    openapi_extra=documents_headers(200),
)
def get_event(request: HttpRequest, id: Id) -> HttpResponse:
    """Return one event with its attendees and ETag."""
    return _respond(request, 200, events.get_event(member_of(request), id))


@router.patch(
    "/events/{id}",
    response={200: CalendarEventOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="events_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_event(
    request: HttpRequest, id: Id, payload: EventPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change an event (and maybe its attendees), if it is still at the version you read."""
    member = member_of(request)
    event = events.get_event(member, id, "edit")
    version = expected_version(event, if_match)
    changes = payload.model_dump(exclude_unset=True, exclude={"attendees", "send_invitations"})
    data = {
        "title": event.title,
        "kind": event.kind,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "all_day": event.all_day,
        "location": event.location,
        "person": event.person_id,
        "company": event.company_id,
        **{k: v for k, v in changes.items() if v is not None or k in {"person", "company"}},
    }
    _check_related(member, data["person"], data["company"])
    wanted = _wanted(payload.attendees) if payload.attendees is not None else None
    if {"starts_at", "ends_at", "all_day"} & set(changes):
        data = _span(member, data)
    event = attendees.update_event(
        member, event, data, wanted, expected_version=version, send=payload.send_invitations
    )
    _relate(member, event, data["person"], data["company"])
    return _respond(request, 200, event)


@router.delete(
    "/events/{id}",
    response={204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="events_delete",
)
def delete_event(
    request: HttpRequest, id: Id, if_match: IfMatch = None, send_invitations: bool = True
) -> HttpResponse:
    """Cancel an event: external attendees get a METHOD:CANCEL email unless told not to."""
    member = member_of(request)
    event = events.get_event(member, id, "delete")
    attendees.cancel_event(
        member, event, expected_version=expected_version(event, if_match), send=send_invitations
    )
    return HttpResponse(status=204)


@router.post(
    "/calendar/feed",
    response={201: FeedOut, **errors(401, 422)},
    operation_id="calendar_feed_reset",
)
def reset_feed(request: HttpRequest) -> HttpResponse:
    """Make a new private calendar feed URL (the previous one stops working); shown once."""
    member = member_of(request)
    made, secret = feed.reset(member)
    out = FeedOut(url=feed.url_for(secret), prefix=made.prefix, created_at=made.created_at)
    return json_response(request, 201, out, {"Cache-Control": "no-store"})


refuse_other_methods(router)

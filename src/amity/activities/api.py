"""JSON API for notes: thin operations over activities.services."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from amity.activities import services
from amity.activities.models import Note
from amity.core import markup
from amity.core.api import (
    MAX_ID,
    documents_headers,
    errors,
    expected_version,
    json_only,
    member_of,
    record_response,
    refuse_other_methods,
)
from amity.customers.api import Id, IfMatch, In

router = Router(tags=["notes"])
Body = Annotated[str, Field(min_length=1, max_length=services.MAX_BODY)]


class NoteCreate(In):
    subject_type: Literal["person", "company"]
    subject_id: int = Field(ge=1, le=MAX_ID)
    body: Body = Field(description="Markdown; `@alice` notifies that colleague.")


class NotePatch(In):
    body: Body


class NoteOut(Schema):
    id: int
    subject_type: str
    subject_id: int
    author: int | None = Field(description="The author's user id.")
    body: str
    html: str = Field(description="The body rendered and sanitised.")
    version: int
    created_at: datetime
    updated_at: datetime


def _out(request: HttpRequest, status: int, note: Note) -> HttpResponse:
    out = NoteOut(
        id=note.pk,
        subject_type=note.subject_type,
        subject_id=note.subject_id,
        author=note.author_id,
        body=note.body,
        html=str(markup.render(note.body)),
        version=note.version,
        created_at=note.created_at,
        updated_at=note.updated_at,
    )
    return record_response(request, status, note, out)


@router.post(
    "/notes",
    response={201: NoteOut, **errors(400, 401, 403, 404, 415, 422)},
    operation_id="notes_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_note(request: HttpRequest, payload: NoteCreate) -> HttpResponse:
    """Add a note to a person or company you may see."""
    member = member_of(request)
    subject = services.subject_for(member, payload.subject_type, payload.subject_id)
    return _out(request, 201, services.create_note(member, subject, payload.body))


@router.get(
    "/notes/{id}",
    response={200: NoteOut, **errors(401, 404, 422)},
    operation_id="notes_get",
    openapi_extra=documents_headers(200),
)
def get_note(request: HttpRequest, id: Id) -> HttpResponse:
    """Return one note with its ETag."""
    return _out(request, 200, services.get_note(member_of(request), id))


@router.patch(
    "/notes/{id}",
    response={200: NoteOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="notes_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_note(
    request: HttpRequest, id: Id, payload: NotePatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change a note, if it is still at the version you read."""
    member = member_of(request)
    note = services.get_note(member, id, "change")
    version = expected_version(note, if_match)
    note = services.update_note(member, note, payload.body, expected_version=version)
    return _out(request, 200, note)


@router.delete(
    "/notes/{id}",
    response={204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="notes_delete",
)
def delete_note(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Delete a note and take it off the timeline."""
    member = member_of(request)
    note = services.get_note(member, id, "change")
    services.delete_note(member, note, expected_version=expected_version(note, if_match))
    return HttpResponse(status=204)


refuse_other_methods(router)

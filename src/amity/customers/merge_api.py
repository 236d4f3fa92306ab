"""JSON API for duplicates and merges: thin operations over customers.duplicates and merge."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema
from pydantic import ConfigDict

from amity.core import access
from amity.core.api import MAX_ID, ApiError, errors, json_only, member_of
from amity.customers import duplicates, merge
from amity.customers.models import Company, MergeRecord, Person

router = Router(tags=["duplicates"])

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="The id.")]
Side = Literal["survivor", "loser"]


class RecordRef(Schema):
    id: int
    type: str = Field(description='"person" or "company".')
    name: str


class Candidate(RecordRef):
    score: int = Field(description="100 same email, 90 same domain, 80 same phone, 60 same name…")
    reasons: list[str] = Field(description="email, domain, phone, name, fuzzy.")


class PairOut(Schema):
    id: int
    type: str
    score: int
    reasons: list[str]
    first: RecordRef
    second: RecordRef


class PairPage(Schema):
    items: list[PairOut]
    next: str | None
    prev: str | None
    total: int
    total_is_capped: bool


class PairQuery(Schema):
    type: Literal["person", "company"] = "person"
    after: str | None = Field(None, max_length=1000, pattern=r"^[A-Za-z0-9_-]+$")
    before: str | None = Field(None, max_length=1000, pattern=r"^[A-Za-z0-9_-]+$")


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    loser: int = Field(ge=1, le=MAX_ID, description="The id of the record merged away.")
    survivor_version: int = Field(ge=0, le=MAX_ID, description="The version you saw.")
    loser_version: int = Field(ge=0, le=MAX_ID, description="The loser's version you saw.")
    fields: dict[Annotated[str, Field(max_length=100)], Side] = Field(
        default_factory=dict,
        max_length=200,
        description="Which value to keep per field (a sensitive custom field as "
        "\"custom.<key>\"); omitted fields keep the survivor's (or the loser's where the "
        "survivor has none).",
    )


class MergeOut(Schema):
    id: int
    type: str
    survivor: int
    loser: int
    by: int | None
    created_at: datetime
    expires_at: datetime = Field(description="Undo is possible until then.")
    undone_at: datetime | None
    fields: dict[str, str] = Field(description="The value kept per field: survivor or loser.")
    moved: dict[str, int] = Field(description="Related rows moved, per relation.")


def candidate_out(c: duplicates.Candidate) -> Candidate:
    return Candidate(
        id=c.record.pk,
        type=c.record.ACCESS_TYPE,
        name=str(c.record),
        score=c.score,
        reasons=c.reasons,
    )


def conflict_response(request: HttpRequest, found: list[duplicates.Candidate]) -> HttpResponse:
    from amity.core.api import json_response

    body = {
        "error": {
            "code": "duplicate",
            "message": "This looks like a record that exists already; "
            "repeat with ?allow_duplicate=true to create it anyway.",
            "fields": {},
        },
        "candidates": [candidate_out(c).model_dump() for c in found],
    }
    return json_response(request, 409, body)


def merge_out(record: MergeRecord) -> MergeOut:
    return MergeOut(
        id=record.pk,
        type=record.object_type,
        survivor=record.survivor_id,
        loser=record.loser_id,
        by=record.by_id,
        created_at=record.created_at,
        expires_at=record.expires_at,
        undone_at=record.undone_at,
        fields={str(k): str(v) for k, v in record.choices.items()},
        moved={label: len(ids) for label, ids in record.moved.items()},
    )


def _ref(obj: Any) -> RecordRef:
    return RecordRef(id=obj.pk, type=obj.ACCESS_TYPE, name=str(obj))


@router.get(
    "/duplicates",
    response={200: PairPage, **errors(400, 401, 422)},
    operation_id="duplicates_list",
)
def list_duplicates(request: HttpRequest, filters: Query[PairQuery]) -> PairPage:
    """List likely duplicate pairs of records you may see, best score first."""
    page, rows = duplicates.pairs(
        member_of(request), filters.type, after=filters.after, before=filters.before
    )
    return PairPage(
        items=[
            PairOut(
                id=row.pair.pk,
                type=row.pair.object_type,
                score=row.pair.score,
                reasons=list(row.pair.reasons),
                first=_ref(row.first),
                second=_ref(row.second),
            )
            for row in rows
        ],
        next=page.next_cursor,
        prev=page.prev_cursor,
        total=page.total,
        total_is_capped=page.total_is_capped,
    )


class DismissedOut(Schema):
    id: int
    type: str
    first: int
    second: int
    dismissed_at: datetime
    dismissed_by: int | None


@router.post(
    "/duplicates/{id}/dismiss",
    response={200: DismissedOut, **errors(401, 404, 422)},
    operation_id="duplicates_dismiss",
)
def dismiss_duplicate(request: HttpRequest, id: Id) -> DismissedOut:
    """Mark a pair as not duplicates: it leaves the list and stays out when pairs are recomputed.

    Any member who sees both records may; 404 otherwise. Dismissing twice keeps the first time.
    """
    member = member_of(request)
    pair = duplicates.dismiss(member, duplicates.get_pair(member, id))
    assert pair.dismissed_at is not None
    return DismissedOut(
        id=pair.pk,
        type=pair.object_type,
        first=pair.first_id,
        second=pair.second_id,
        dismissed_at=pair.dismissed_at,
        dismissed_by=pair.dismissed_by_id,
    )


def _merge(
    request: HttpRequest, model: type[Company] | type[Person], id: int, payload: MergeIn
) -> MergeOut:
    member = member_of(request)
    survivor = access.get_for_user(member, model, id, "edit")
    loser = access.get_for_user(member, model, payload.loser, "delete")
    choices = {**merge.default_choices(survivor, loser, member), **payload.fields}
    record = merge.merge(
        member,
        survivor,
        loser,
        choices,
        survivor_version=payload.survivor_version,
        loser_version=payload.loser_version,
    )
    return merge_out(record)


@router.post(
    "/people/{id}/merge",
    response={200: MergeOut, **errors(400, 401, 403, 404, 412, 415, 422)},
    operation_id="people_merge",
)
@json_only
def merge_people(request: HttpRequest, id: Id, payload: MergeIn) -> MergeOut:
    """Merge another person (`loser`) into this one; needs edit here and delete there.

    Both versions must be the ones you saw (else 412). Undo with POST /merges/{id}/undo
    for 30 days.
    """
    return _merge(request, Person, id, payload)


@router.post(
    "/companies/{id}/merge",
    response={200: MergeOut, **errors(400, 401, 403, 404, 412, 415, 422)},
    operation_id="companies_merge",
)
@json_only
def merge_companies(request: HttpRequest, id: Id, payload: MergeIn) -> MergeOut:
    """Merge another company (`loser`) into this one; its people and timeline move here."""
    return _merge(request, Company, id, payload)


@router.get(
    "/merges/{id}",
    response={200: MergeOut, **errors(401, 404, 422)},
    operation_id="merges_get",
)
def get_merge(request: HttpRequest, id: Id) -> MergeOut:
    """Return one merge of records you may see."""
    return merge_out(merge.get_merge(member_of(request), id))


@router.post(
    "/merges/{id}/undo",
    response={200: MergeOut, **errors(401, 403, 404, 409, 422)},
    operation_id="merges_undo",
)
def undo_merge(request: HttpRequest, id: Id) -> MergeOut:
    """Undo a merge (for 30 days); 409 when the records changed since so undo is unsafe."""
    member = member_of(request)
    record = merge.get_merge(member, id)
    try:
        merge.undo(member, record)
    except merge.MergeRefused as exc:
        raise ApiError(409, "cannot_undo", str(exc)) from exc
    return merge_out(merge.get_merge(member, id))

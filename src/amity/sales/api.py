"""JSON API for pipelines and deals: thin operations over sales.services and selectors."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema

from amity.core import access, idempotency
from amity.core.api import (
    MAX_ID,
    RequestBody,
    documents_headers,
    error_body,
    errors,
    etag_for,
    expected_version,
    json_only,
    json_response,
    member_of,
    not_modified,
    record_response,
    refuse_other_methods,
)
from amity.core.models import Membership
from amity.core.paging import paginate
from amity.customers.api import IdempotencyKey, IfMatch, IfNoneMatch
from amity.sales import leads, selectors, services
from amity.sales.models import Deal, IncomeBracket, Lead, Pipeline

router = Router(tags=["sales"])

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="The record's id.")]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217, e.g. EUR.")]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("999999999999.99"), decimal_places=2)]


In = RequestBody


class DealCreate(In):
    pipeline: RefId
    stage: RefId | None = Field(None, description="The pipeline's first stage when omitted.")
    name: str = Field(min_length=1, max_length=200)
    amount: Amount = Decimal("0")
    currency: Currency | None = Field(None, description="The base currency when omitted.")
    expected_close: date | None = None
    company: RefId | None = None
    owner: RefId | None = Field(None, description="A member's user id; you when omitted.")


class DealPatch(In):
    """Send only what changes; null clears a field."""

    name: str | None = Field(None, min_length=1, max_length=200)
    amount: Amount | None = None
    currency: Currency | None = None
    expected_close: date | None = None
    company: RefId | None = None
    owner: RefId | None = None


class MoveIn(In):
    stage: RefId
    lost_reason: RefId | None = Field(None, description="Why, when moving to a lost stage.")


class DealQuery(Schema):
    pipeline: RefId | None = None
    stage: RefId | None = None
    owner: str = Field("", pattern=r"^(|me|[0-9]{1,18})$", description='A user id or "me".')
    status: Literal["", "open", "won", "lost"] = ""
    close_from: date | None = None
    close_to: date | None = None
    sort: Literal["created", "-created", "close", "-close"] = "-created"
    after: str | None = Field(None, max_length=1000, pattern=r"^[A-Za-z0-9_-]+$")
    before: str | None = Field(None, max_length=1000, pattern=r"^[A-Za-z0-9_-]+$")
    limit: int = Field(50, ge=1, le=200)

    def filters(self) -> selectors.DealFilters:
        return selectors.DealFilters(
            owner=self.owner,
            close_from=self.close_from,
            close_to=self.close_to,
            stage=self.stage,
            status=self.status,
        )


class BoardQuery(Schema):
    owner: str = Field("", pattern=r"^(|me|[0-9]{1,18})$", description='A user id or "me".')
    close_from: date | None = None
    close_to: date | None = None
    cards: int = Field(selectors.CARDS_PER_COLUMN, ge=0, le=100, description="Cards per column.")


class StageOut(Schema):
    id: int
    name: str
    position: int
    probability: int
    rotting_days: int | None
    is_won: bool
    is_lost: bool


class PipelineOut(Schema):
    id: int
    name: str
    stages: list[StageOut]


class DealOut(Schema):
    id: int
    name: str
    amount: str = Field(description="A decimal string with two places, e.g. 1234.50.")
    currency: str
    expected_close: date | None
    company: int | None
    owner: int | None
    pipeline: int
    stage: int
    status: Literal["open", "won", "lost"]
    lost_reason: int | None
    stage_entered_at: datetime
    closed_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class DealPage(Schema):
    items: list[DealOut]
    next: str | None
    prev: str | None
    total: int
    total_is_capped: bool


class ColumnOut(Schema):
    stage: StageOut
    count: int
    totals: dict[str, str] = Field(description="Sum of amounts per currency.")
    total_base: str | None = Field(
        description="All converted to the base currency; null without a rate."
    )
    cards: list[DealOut]


class BoardOut(Schema):
    pipeline: int
    base_currency: str
    missing_rates: list[str]
    columns: list[ColumnOut]


class StageChangeOut(Schema):
    from_stage: int | None
    to_stage: int
    changed_at: datetime
    changed_by: int | None
    seconds_in_from: int | None


def _stage(s: Any) -> StageOut:
    return StageOut(
        id=s.pk,
        name=s.name,
        position=s.position,
        probability=s.probability,
        rotting_days=s.rotting_days,
        is_won=s.is_won,
        is_lost=s.is_lost,
    )


def deal_out(deal: Deal) -> DealOut:
    return DealOut(
        id=deal.pk,
        name=deal.name,
        amount=f"{deal.amount:.2f}",
        currency=deal.currency,
        expected_close=deal.expected_close,
        company=deal.company_id,
        owner=deal.owner_id,
        pipeline=deal.pipeline_id,
        stage=deal.stage_id,
        status=deal.status,  # type: ignore[arg-type]
        lost_reason=deal.lost_reason_id,
        stage_entered_at=deal.stage_entered_at,
        closed_at=deal.closed_at,
        version=deal.version,
        created_at=deal.created_at,
        updated_at=deal.updated_at,
    )


def _with_etag(request: HttpRequest, status: int, deal: Deal) -> HttpResponse:
    return record_response(request, status, deal, deal_out(deal))


@router.get(
    "/pipelines",
    response={200: list[PipelineOut], **errors(401, 422)},
    operation_id="pipelines_list",
)
def list_pipelines(request: HttpRequest) -> list[PipelineOut]:
    """List the workspace's pipelines with their stages in order."""
    member = member_of(request)
    return [
        PipelineOut(id=p.pk, name=p.name, stages=[_stage(s) for s in selectors.stages(member, p)])
        for p in selectors.pipelines(member)
    ]


@router.get(
    "/pipelines/{id}/board",
    response={200: BoardOut, **errors(401, 403, 404, 422)},
    operation_id="pipelines_board",
)
def get_board(request: HttpRequest, id: Id, filters: Query[BoardQuery]) -> BoardOut:
    """Return a pipeline's columns: counts, totals and the newest cards of each stage."""
    member = member_of(request)
    access.require(member, "deal", "view")
    pipeline = access.get_for_user(member, Pipeline, id)
    data = selectors.board(
        member,
        pipeline,
        selectors.DealFilters(
            owner=filters.owner, close_from=filters.close_from, close_to=filters.close_to
        ),
        size=filters.cards,
    )
    return BoardOut(
        pipeline=pipeline.pk,
        base_currency=data.base_currency,
        missing_rates=data.missing_rates,
        columns=[
            ColumnOut(
                stage=_stage(c.stage),
                count=c.count,
                totals={k: f"{v:.2f}" for k, v in c.totals.items()},
                total_base=f"{c.total_base:.2f}" if c.total_base is not None else None,
                cards=[deal_out(d) for d in c.cards],
            )
            for c in data.columns
        ],
    )


@router.get("/deals", response={200: DealPage, **errors(400, 401, 422)}, operation_id="deals_list")
def list_deals(request: HttpRequest, filters: Query[DealQuery]) -> DealPage:
    """List the deals you may see, a page at a time."""
    member = member_of(request)
    pipeline = None
    if filters.pipeline is not None:
        pipeline = access.visible(member, Pipeline).filter(pk=filters.pipeline).first()
        if pipeline is None:
            return DealPage(items=[], next=None, prev=None, total=0, total_is_capped=False)
    page = selectors.deals(
        member,
        filters.filters(),
        pipeline=pipeline,
        sort=filters.sort,
        after=filters.after,
        before=filters.before,
        size=filters.limit,
    )
    return DealPage(
        items=[deal_out(d) for d in page.items],
        next=page.next_cursor,
        prev=page.prev_cursor,
        total=page.total,
        total_is_capped=page.total_is_capped,
    )


@router.post(
    "/deals",
    response={201: DealOut, **errors(400, 401, 403, 404, 409, 415, 422)},
    operation_id="deals_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_deal(
    request: HttpRequest, payload: DealCreate, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Create a deal on a pipeline; you own it unless you name another member."""
    member = member_of(request)

    def produce() -> HttpResponse:
        access.require(member, "deal", "create")
        pipeline = access.get_for_user(member, Pipeline, payload.pipeline)
        data = payload.model_dump(exclude_unset=True, exclude={"pipeline", "stage"})
        deal = services.create_deal(member, pipeline, data, stage_id=payload.stage)
        return _with_etag(request, 201, deal)

    return idempotency.respond(request, member, idempotency_key, produce)


@router.get(
    "/deals/{id}",
    response={200: DealOut, 304: None, **errors(401, 404, 422)},
    operation_id="deals_get",
    openapi_extra=documents_headers(200, 304),
)
def get_deal(request: HttpRequest, id: Id, if_none_match: IfNoneMatch = None) -> HttpResponse:
    """Return one deal with its ETag."""
    deal = access.get_for_user(member_of(request), Deal, id)
    if not_modified(deal, if_none_match):
        response = HttpResponse(status=304)
        response["ETag"] = etag_for(deal)
        return response
    return _with_etag(request, 200, deal)


@router.patch(
    "/deals/{id}",
    response={200: DealOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="deals_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_deal(
    request: HttpRequest, id: Id, payload: DealPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change some fields of a deal, if it is still at the version you read."""
    member = member_of(request)
    deal = access.get_for_user(member, Deal, id, "edit")
    version = expected_version(deal, if_match)
    data = payload.model_dump(exclude_unset=True)
    for required in ("name", "amount", "currency"):
        if required in data and data[required] is None:
            data.pop(required)
    deal = services.update_deal(member, deal, data, expected_version=version)
    return _with_etag(request, 200, deal)


@router.post(
    "/deals/{id}/move",
    response={200: DealOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="deals_move",
    openapi_extra=documents_headers(200),
)
@json_only
def move_deal(
    request: HttpRequest, id: Id, payload: MoveIn, if_match: IfMatch = None
) -> HttpResponse:
    """Move a deal to another stage of its pipeline, if it is still at the version you read."""
    member = member_of(request)
    deal = access.get_for_user(member, Deal, id, "edit")
    version = expected_version(deal, if_match)
    deal = services.move_deal(
        member, deal, payload.stage, expected_version=version, lost_reason=payload.lost_reason
    )
    return _with_etag(request, 200, deal)


@router.get(
    "/deals/{id}/history",
    response={200: list[StageChangeOut], **errors(401, 404, 422)},
    operation_id="deals_history",
)
def deal_history(request: HttpRequest, id: Id) -> list[StageChangeOut]:
    """List a deal's stage changes, oldest first."""
    member = member_of(request)
    deal = access.get_for_user(member, Deal, id)
    return [
        StageChangeOut(
            from_stage=c.from_stage_id,
            to_stage=c.to_stage_id,
            changed_at=c.changed_at,
            changed_by=c.changed_by_id,
            seconds_in_from=c.seconds_in_from,
        )
        for c in deal.stage_changes.filter(workspace_id=member.workspace_id).order_by(
            "changed_at", "id"
        )[:500]
    ]


@router.delete(
    "/deals/{id}",
    response={204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="deals_delete",
)
def delete_deal(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Move a deal to the trash."""
    member = member_of(request)
    deal = access.get_for_user(member, Deal, id, "delete")
    services.trash_deal(member, deal, expected_version=expected_version(deal, if_match))
    return HttpResponse(status=204)


# Leads ------------------------------------------------------------------------

IncomeBracketName = Literal["", "<25k", "25-50k", "50-100k", "100-250k", ">250k"]
assert set(IncomeBracketName.__args__) - {""} == set(IncomeBracket.values)  # type: ignore[attr-defined]


class LeadCreate(In):
    first_name: str = Field("", max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    company_name: str = Field("", max_length=200)
    country: str = Field("", pattern=r"^([A-Za-z]{2})?$")
    message: str = Field("", max_length=5000)
    source: str = Field("api", max_length=40)
    owner: RefId | None = Field(
        None, description="A member's user id; the assignment rules choose when omitted."
    )
    job_title: str = Field("", max_length=120)
    industry: str = Field("", max_length=100)
    company_size: Literal[
        "", "1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+"
    ] = ""
    income_bracket: IncomeBracketName = ""


class ScoreReason(Schema):
    rule: int
    label: str
    points: int


class LeadOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    company_name: str
    country: str
    source: str
    message: str
    status: Literal["new", "converted"]
    owner: int | None
    person: int | None
    company: int | None
    deal: int | None
    score: int
    version: int
    created_at: datetime
    job_title: str
    industry: str
    company_size: str
    income_bracket: str
    segment: str
    priority: str
    score_reasons: list[ScoreReason]


class LeadPage(Schema):
    items: list[LeadOut]
    next: str | None
    prev: str | None
    total: int
    total_is_capped: bool


class LeadQuery(Schema):
    owner: str = Field("", pattern=r"^(|me)$", description='"me" for your own.')
    segment: str = Field("", max_length=60, pattern=r"^[^\x00]*$")
    priority: Literal["", "high", "normal", "low"] = ""
    min_score: int | None = Field(None, ge=-1000000, le=1000000)
    sort: Literal["-created", "-score"] = "-created"
    after: str | None = Field(None, max_length=1000, pattern=r"^[A-Za-z0-9_-]+$")
    before: str | None = Field(None, max_length=1000, pattern=r"^[A-Za-z0-9_-]+$")
    limit: int = Field(50, ge=1, le=200)


def lead_out(lead: Lead) -> LeadOut:
    return LeadOut(
        id=lead.pk,
        first_name=lead.first_name,
        last_name=lead.last_name,
        email=lead.email,
        phone=lead.phone,
        company_name=lead.company_name,
        country=lead.country,
        source=lead.source,
        message=lead.message,
        status=lead.status,  # type: ignore[arg-type]
        owner=lead.owner_id,
        person=lead.person_id,
        company=lead.company_id,
        deal=lead.deal_id,
        score=lead.score,
        version=lead.version,
        created_at=lead.created_at,
        job_title=lead.job_title,
        industry=lead.industry,
        company_size=lead.company_size,
        income_bracket=lead.income_bracket,
        segment=lead.segment,
        priority=lead.priority,
        score_reasons=[ScoreReason(**r) for r in lead.score_reasons],
    )


def _lead_response(request: HttpRequest, status: int, lead: Lead) -> HttpResponse:
    return record_response(request, status, lead, lead_out(lead))


@router.get("/leads", response={200: LeadPage, **errors(400, 401, 422)}, operation_id="leads_list")
def list_leads(request: HttpRequest, filters: Query[LeadQuery]) -> LeadPage:
    """List the new leads you may see, newest first."""
    member = member_of(request)
    qs = access.visible(member, Lead).filter(status=Lead.Status.NEW)
    if filters.owner == "me":
        qs = qs.filter(owner_id=member.user_id)
    if filters.segment.strip():
        qs = qs.filter(segment__iexact=filters.segment.strip())
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.min_score is not None:
        qs = qs.filter(score__gte=filters.min_score)
    ordering = ["-score", "-id"] if filters.sort == "-score" else ["-created_at", "-id"]
    page = paginate(qs, ordering, after=filters.after, before=filters.before, size=filters.limit)
    return LeadPage(
        items=[lead_out(lead) for lead in page.items],
        next=page.next_cursor,
        prev=page.prev_cursor,
        total=page.total,
        total_is_capped=page.total_is_capped,
    )


@router.post(
    "/leads",
    response={201: LeadOut, **errors(400, 401, 403, 409, 415, 422)},
    operation_id="leads_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_lead(
    request: HttpRequest, payload: LeadCreate, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Create a lead; it goes to the least busy seller unless you name an owner."""
    member = member_of(request)

    def produce() -> HttpResponse:
        data = payload.model_dump(exclude={"source"})
        if data.get("owner") is not None and not (
            Membership.objects.filter(
                workspace_id=member.workspace_id, user_id=data["owner"], is_active=True
            ).exists()
        ):
            raise ValidationError({"owner": "Choose a member of this workspace."})
        lead = leads.create_lead(member, data, source=payload.source or "api")
        return _lead_response(request, 201, lead)

    return idempotency.respond(request, member, idempotency_key, produce)


# Registered before /leads/{id}, whose path would otherwise take "import" as an id.
MAX_IMPORT_ROWS = 1000


class LeadImportRow(In):
    """One lead to import; the values are checked like a new lead's, row by row."""

    first_name: str = Field("", max_length=5000)
    last_name: str = Field("", max_length=5000)
    email: str = Field("", max_length=5000)
    phone: str = Field("", max_length=5000)
    company_name: str = Field("", max_length=5000)
    country: str = Field("", max_length=5000)
    source: str = Field("", max_length=40)
    message: str = Field("", max_length=5000)
    job_title: str = Field("", max_length=5000)
    industry: str = Field("", max_length=5000)
    company_size: str = Field("", max_length=5000)
    income_bracket: str = Field("", max_length=5000)


class LeadImport(In):
    rows: list[LeadImportRow] = Field(min_length=1, max_length=MAX_IMPORT_ROWS)


class LeadImportResult(Schema):
    created: int
    ids: list[int]


# A 422 answer keeps the one error shape; `error.rows` adds each bad row's problem.
ROWS_DOC = (
    "Some rows are not valid and nothing was imported. Besides `fields` "
    '(`rows.<index>.<field>`), `error.rows` lists each bad row as `{"row": n, '
    '"field": name, "message": reason}`, with n counted from 1.'
)


@router.post(
    "/leads/import",
    response={201: LeadImportResult, **errors(400, 401, 403, 415, 422)},
    operation_id="leads_import",
    openapi_extra={"responses": {422: {"description": ROWS_DOC}}},
)
@json_only
def import_leads(request: HttpRequest, payload: LeadImport) -> HttpResponse:
    """Import up to 1,000 leads at once: all of them or, when any row is bad, none (422
    with each bad row's number, field and reason). Each is assigned, classified and scored."""
    member = member_of(request)
    access.require(member, "lead", "create")
    rows = [row.model_dump() for row in payload.rows]
    problems = leads.row_problems(rows)
    if problems:
        body = error_body(
            "invalid",
            "Some rows are not valid; nothing was imported.",
            {f"rows.{p.row - 1}.{p.field}": [p.message] for p in problems},
        )
        body["error"]["rows"] = [
            {"row": p.row, "field": p.field, "message": p.message} for p in problems
        ]
        return json_response(request, 422, body)
    created = leads.import_leads(member, rows, source="api", origin="api")
    return json_response(
        request, 201, LeadImportResult(created=len(created), ids=[lead.pk for lead in created])
    )


@router.get(
    "/leads/{id}",
    response={200: LeadOut, **errors(401, 404, 422)},
    operation_id="leads_get",
    openapi_extra=documents_headers(200),
)
def get_lead(request: HttpRequest, id: Id) -> HttpResponse:
    """Return one lead with its ETag."""
    lead = access.get_for_user(member_of(request), Lead, id)
    return _lead_response(request, 200, lead)


@router.post(
    "/leads/{id}/convert",
    response={200: LeadOut, **errors(400, 401, 403, 404, 412, 422, 428)},
    operation_id="leads_convert",
    openapi_extra=documents_headers(200),
)
def convert_lead(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Convert a lead into a company (when named), a person and a deal."""
    member = member_of(request)
    lead = access.get_for_user(member, Lead, id, "edit")
    version = expected_version(lead, if_match)
    lead = leads.convert(member, lead, expected_version=version)
    return _lead_response(request, 200, lead)


class LeadPatch(In):
    """Send only what changes; segment and priority follow from the classification rules."""

    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    company_name: str | None = Field(None, max_length=200)
    country: str | None = Field(None, pattern=r"^([A-Za-z]{2})?$")
    message: str | None = Field(None, max_length=5000)
    source: str | None = Field(None, max_length=40)
    job_title: str | None = Field(None, max_length=120)
    industry: str | None = Field(None, max_length=100)
    company_size: (
        Literal["", "1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+"] | None
    ) = None
    income_bracket: IncomeBracketName | None = None


@router.patch(
    "/leads/{id}",
    response={200: LeadOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="leads_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_lead(
    request: HttpRequest, id: Id, payload: LeadPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change a new lead, if it is still at the version you read; it is classified again."""
    member = member_of(request)
    lead = access.get_for_user(member, Lead, id, "edit")
    version = expected_version(lead, if_match)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    lead = leads.update_lead(member, lead, data, expected_version=version)
    return _lead_response(request, 200, lead)


refuse_other_methods(router)

"""JSON API for the lead rules (assignment, classification, scoring; admins) and the
people on a deal with their roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from amity.core import access, idempotency
from amity.core.api import (
    documents_headers,
    errors,
    etag_for,
    expected_version,
    json_only,
    json_response,
    member_of,
    record_response,
    refuse_other_methods,
)
from amity.customers.api import IdempotencyKey, IfMatch
from amity.customers.models import Size
from amity.sales import deal_people, rules
from amity.sales.api import Id, In, RefId
from amity.sales.models import (
    AssignmentRule,
    ClassificationRule,
    Deal,
    DealPerson,
    LeadPriority,
    ScoringRule,
)

router = Router(tags=["sales"])

CountryCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]
Strategy = Literal["user", "round_robin", "least_busy"]
SizeName = Literal["", "1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+"]
PriorityName = Literal["", "high", "normal", "low"]
AttributeName = Literal[
    "country",
    "email_domain",
    "source",
    "company",
    "form_submitted",
    "inactive_days",
    "industry",
    "company_size",
    "job_title",
    "meeting_held",
    "income_bracket",
    "email_opened",
    "link_clicked",
]
assert set(SizeName.__args__) - {""} == set(Size.values)  # type: ignore[attr-defined]
assert set(PriorityName.__args__) - {""} == set(LeadPriority.values)  # type: ignore[attr-defined]
assert set(AttributeName.__args__) == set(ScoringRule.Attribute.values)  # type: ignore[attr-defined]


class _Conditions(In):
    source: str = Field("", max_length=40, description="Empty for any source.")
    countries: list[CountryCode] = Field(
        default_factory=list,
        max_length=50,
        description='Two-letter codes, e.g. ["NO", "SE"]; empty for any country.',
    )


class AssignmentRuleIn(_Conditions):
    name: str = Field(min_length=1, max_length=100)
    position: int = Field(0, ge=0, le=100000)
    strategy: Strategy
    user: RefId | None = Field(None, description='The member, for the "user" strategy.')
    team: RefId | None = Field(None, description="The team, for the other strategies.")
    active: bool = True


class AssignmentRulePatch(In):
    """Send only what changes."""

    name: str | None = Field(None, min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=100000)
    source: str | None = Field(None, max_length=40)
    countries: list[CountryCode] | None = Field(None, max_length=50)
    strategy: Strategy | None = None
    user: RefId | None = None
    team: RefId | None = None
    active: bool | None = None


class AssignmentRuleOut(Schema):
    id: int
    name: str
    position: int
    source: str
    countries: list[str]
    strategy: Strategy
    user: int | None
    team: int | None
    active: bool
    version: int


class ClassificationRuleIn(_Conditions):
    name: str = Field(min_length=1, max_length=100)
    position: int = Field(0, ge=0, le=100000)
    company_size: SizeName = ""
    email_domain: str = Field("", max_length=100)
    segment: str = Field("", max_length=60, description="The segment to set; empty to leave.")
    priority: PriorityName = Field("", description="The priority to set; empty to leave.")
    active: bool = True


class ClassificationRulePatch(In):
    """Send only what changes."""

    name: str | None = Field(None, min_length=1, max_length=100)
    position: int | None = Field(None, ge=0, le=100000)
    source: str | None = Field(None, max_length=40)
    countries: list[CountryCode] | None = Field(None, max_length=50)
    company_size: SizeName | None = None
    email_domain: str | None = Field(None, max_length=100)
    segment: str | None = Field(None, max_length=60)
    priority: PriorityName | None = None
    active: bool | None = None


class ClassificationRuleOut(Schema):
    id: int
    name: str
    position: int
    source: str
    countries: list[str]
    company_size: str
    email_domain: str
    segment: str
    priority: str
    active: bool
    version: int


class ScoringRuleIn(In):
    attribute: AttributeName
    value: str = Field("", max_length=100)
    points: int = Field(ge=-1000, le=1000)
    active: bool = True


class ScoringRulePatch(In):
    """Send only what changes."""

    attribute: AttributeName | None = None
    value: str | None = Field(None, max_length=100)
    points: int | None = Field(None, ge=-1000, le=1000)
    active: bool | None = None


class ScoringRuleOut(Schema):
    id: int
    attribute: str
    value: str
    points: int
    active: bool
    version: int


def _assignment_out(rule: AssignmentRule) -> AssignmentRuleOut:
    return AssignmentRuleOut(
        id=rule.pk,
        name=rule.name,
        position=rule.position,
        source=rule.source,
        countries=rule.country_list(),
        strategy=rule.strategy,  # type: ignore[arg-type]
        user=rule.user_id,
        team=rule.team_id,
        active=rule.active,
        version=rule.version,
    )


def _classification_out(rule: ClassificationRule) -> ClassificationRuleOut:
    return ClassificationRuleOut(
        id=rule.pk,
        name=rule.name,
        position=rule.position,
        source=rule.source,
        countries=rule.country_list(),
        company_size=rule.company_size,
        email_domain=rule.email_domain,
        segment=rule.segment,
        priority=rule.priority,
        active=rule.active,
        version=rule.version,
    )


def _scoring_out(rule: ScoringRule) -> ScoringRuleOut:
    return ScoringRuleOut(
        id=rule.pk,
        attribute=rule.attribute,
        value=rule.value,
        points=rule.points,
        active=rule.active,
        version=rule.version,
    )


def _data(payload: Schema, *, partial: bool) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=partial)
    if isinstance(data.get("countries"), list):
        data["countries"] = ",".join(data["countries"])
    # A null in a PATCH means "leave as is" for fields that cannot be empty.
    return {k: v for k, v in data.items() if v is not None or k in ("user", "team")}


def _respond(
    request: HttpRequest, status: int, rule: Any, out: Callable[[Any], Schema]
) -> HttpResponse:
    return record_response(request, status, rule, out(rule))


@dataclass(frozen=True)
class RuleKind:
    """One kind of lead rule as the API serves it: list, create, change, delete (admins)."""

    path: str  # "assignment-rules"
    model: type[Any]  # AssignmentRule, ClassificationRule or ScoringRule
    out: Callable[[Any], Schema]
    out_schema: type[Schema]
    create_schema: type[Schema]
    patch_schema: type[Schema]
    noun: str  # "an assignment rule"
    listed: str  # docstring of the list operation
    created: str  # docstring of the create operation

    @property
    def operation(self) -> str:
        return self.path.replace("-", "_")


def serve(kind: RuleKind) -> None:
    """Register the four operations of one rule kind on the router."""

    def list_rules(request: HttpRequest) -> list[Schema]:
        member = member_of(request)
        rules.require_admin(member)
        return [kind.out(r) for r in rules.ordered(member, kind.model)]

    def create_rule(
        request: HttpRequest, payload: Schema, idempotency_key: str | None = None
    ) -> HttpResponse:
        member = member_of(request)

        def produce() -> HttpResponse:
            rule = rules.create_rule(member, kind.model, _data(payload, partial=False))
            return record_response(request, 201, rule, kind.out(rule))

        return idempotency.respond(request, member, idempotency_key, produce)

    def update_rule(
        request: HttpRequest, id: int, payload: Schema, if_match: str | None = None
    ) -> HttpResponse:
        member = member_of(request)
        rule = rules.get_rule(member, kind.model, id)
        version = expected_version(rule, if_match)
        rule = rules.update_rule(
            member, rule, _data(payload, partial=True), expected_version=version
        )
        return record_response(request, 200, rule, kind.out(rule))

    def delete_rule(request: HttpRequest, id: int, if_match: str | None = None) -> HttpResponse:
        member = member_of(request)
        rule = rules.get_rule(member, kind.model, id)
        rules.delete_rule(member, rule, expected_version=expected_version(rule, if_match))
        return HttpResponse(status=204)

    # Ninja reads the body and header parameters from the annotations: give each
    # handler the kind's own schemas (the names above only satisfy the type checker).
    many: Any = list[kind.out_schema]  # type: ignore[name-defined]  # a runtime type
    list_rules.__annotations__ = {"request": HttpRequest, "return": many}
    create_rule.__annotations__ = {
        "request": HttpRequest,
        "payload": kind.create_schema,
        "idempotency_key": IdempotencyKey,
        "return": HttpResponse,
    }
    update_rule.__annotations__ = {
        "request": HttpRequest,
        "id": Id,
        "payload": kind.patch_schema,
        "if_match": IfMatch,
        "return": HttpResponse,
    }
    delete_rule.__annotations__ = {
        "request": HttpRequest,
        "id": Id,
        "if_match": IfMatch,
        "return": HttpResponse,
    }
    list_rules.__doc__ = kind.listed
    create_rule.__doc__ = kind.created
    update_rule.__doc__ = f"Change {kind.noun}, if it is still at the version you read (admins)."
    delete_rule.__doc__ = f"Delete {kind.noun} (admins)."

    collection, item = f"/{kind.path}", f"/{kind.path}/{{id}}"
    title = kind.path.removesuffix("s").replace("-", " ").title()  # "Assignment Rule"
    router.get(
        collection,
        response={200: many, **errors(401, 403, 422)},
        operation_id=f"{kind.operation}_list",
        summary=f"List {title}s",
    )(list_rules)
    router.post(
        collection,
        response={201: kind.out_schema, **errors(400, 401, 403, 409, 415, 422)},
        operation_id=f"{kind.operation}_create",
        summary=f"Create {title}",
        openapi_extra=documents_headers(201, location=True),
    )(json_only(create_rule))
    router.patch(
        item,
        response={200: kind.out_schema, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
        operation_id=f"{kind.operation}_update",
        summary=f"Update {title}",
        openapi_extra=documents_headers(200),
    )(json_only(update_rule))
    router.delete(
        item,
        response={204: None, **errors(401, 403, 404, 412, 422, 428)},
        operation_id=f"{kind.operation}_delete",
        summary=f"Delete {title}",
    )(delete_rule)


for _kind in (
    RuleKind(
        "assignment-rules",
        AssignmentRule,
        _assignment_out,
        AssignmentRuleOut,
        AssignmentRuleIn,
        AssignmentRulePatch,
        "an assignment rule",
        listed="List the assignment rules in the order they apply (admins).",
        created="Add an assignment rule (admins).",
    ),
    RuleKind(
        "classification-rules",
        ClassificationRule,
        _classification_out,
        ClassificationRuleOut,
        ClassificationRuleIn,
        ClassificationRulePatch,
        "a classification rule",
        listed="List the classification rules in the order they apply (admins).",
        created="Add a classification rule (admins).",
    ),
    RuleKind(
        "scoring-rules",
        ScoringRule,
        _scoring_out,
        ScoringRuleOut,
        ScoringRuleIn,
        ScoringRulePatch,
        "a scoring rule",
        listed="List the scoring rules (admins).",
        created="Add a scoring rule (admins); scores are recomputed in the background.",
    ),
):
    serve(_kind)


# People on a deal ----------------------------------------------------------------


class DealPersonIn(In):
    person: RefId
    role: str = Field(
        "", max_length=60, description="decision maker, champion, influencer, user, other, or any."
    )


class DealPersonPatch(In):
    role: str = Field(max_length=60)


class DealPersonOut(Schema):
    id: int
    deal: int
    person: int
    role: str
    version: int


def _link_out(link: DealPerson) -> DealPersonOut:
    return DealPersonOut(
        id=link.pk, deal=link.deal_id, person=link.person_id, role=link.role, version=link.version
    )


@router.get(
    "/deals/{id}/people",
    response={200: list[DealPersonOut], **errors(401, 404, 422)},
    operation_id="deals_people_list",
)
def list_deal_people(request: HttpRequest, id: Id) -> list[DealPersonOut]:
    """List the people on a deal with their roles."""
    member = member_of(request)
    deal = access.get_for_user(member, Deal, id)
    return [_link_out(link) for link in deal_people.on_deal(member, deal)[:500]]


@router.post(
    "/deals/{id}/people",
    response={201: DealPersonOut, **errors(400, 401, 403, 404, 409, 415, 422)},
    operation_id="deals_people_add",
    openapi_extra=documents_headers(201),
)
@json_only
def add_deal_person(
    request: HttpRequest, id: Id, payload: DealPersonIn, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Put a person on a deal with a role."""
    member = member_of(request)

    def produce() -> HttpResponse:
        deal = access.get_for_user(member, Deal, id, "edit")
        link = deal_people.add(member, deal, payload.person, payload.role)
        return json_response(request, 201, _link_out(link), {"ETag": etag_for(link)})

    return idempotency.respond(request, member, idempotency_key, produce)


@router.patch(
    "/deal-people/{id}",
    response={200: DealPersonOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="deal_people_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_deal_person(
    request: HttpRequest, id: Id, payload: DealPersonPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change a person's role on a deal, if it is still at the version you read."""
    member = member_of(request)
    link = deal_people.get_link(member, id, "edit")
    version = expected_version(link, if_match)
    link = deal_people.change_role(member, link, payload.role, expected_version=version)
    return json_response(request, 200, _link_out(link), {"ETag": etag_for(link)})


@router.delete(
    "/deal-people/{id}",
    response={204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="deal_people_delete",
)
def delete_deal_person(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Take a person off a deal."""
    member = member_of(request)
    link = deal_people.get_link(member, id, "edit")
    deal_people.remove(member, link, expected_version=expected_version(link, if_match))
    return HttpResponse(status=204)


refuse_other_methods(router)

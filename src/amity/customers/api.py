"""JSON API for companies and people: thin operations over customers.services."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from ninja import Field, Header, Path, Query, Router, Schema
from pydantic import field_validator

from amity.core import access, idempotency
from amity.core.api import (
    MAX_ID,
    RequestBody,
    documents_headers,
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
from amity.customers import custom_fields, fields, selectors, services
from amity.customers.merge_api import conflict_response
from amity.customers.models import (
    ADDRESS_FIELDS,
    Company,
    CompanyTag,
    CustomerRecord,
    CustomField,
    Person,
    PersonTag,
)
from amity.customers.validators import validate_iban

router = Router(tags=["customers"])

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="The record's id.")]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=1000,
        description="Required: the ETag you read. Missing → 428, stale → 412.",
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(alias="If-None-Match", max_length=1000, description="Answer 304 if still current."),
]
AllowDuplicate = Annotated[
    bool,
    Query(
        description="Create even when the record looks like an existing one "
        "(otherwise 409 with the likely duplicates)."
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=idempotency.HEADER,
        min_length=1,
        max_length=idempotency.KEY_MAX_LENGTH,
        pattern=r"^[ -~]+$",
        description="Repeat the request with the same key to get the first answer again.",
    ),
]


def _text(max_length: int, *, required: bool = False) -> Any:
    if required:
        return Field(min_length=1, max_length=max_length)
    return Field("", max_length=max_length)


# Input ----------------------------------------------------------------------


class In(RequestBody):
    """Customer request bodies: country codes are kept upper-case."""

    @field_validator("billing_country", "shipping_country", mode="after", check_fields=False)
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return value.upper() if value else value


Country = Annotated[str, Field(max_length=2, pattern=r"^([A-Za-z]{2})?$")]


class AddressIn(In):
    billing_street: str = _text(200)
    billing_city: str = _text(100)
    billing_postal_code: str = _text(20)
    billing_region: str = _text(100)
    billing_country: Country = ""
    shipping_street: str = _text(200)
    shipping_city: str = _text(100)
    shipping_postal_code: str = _text(20)
    shipping_region: str = _text(100)
    shipping_country: Country = ""
    other_street: str = _text(200)
    other_city: str = _text(100)
    other_postal_code: str = _text(20)
    other_region: str = _text(100)
    other_country: Country = ""


ContactTypeName = Literal["work", "home", "mobile", "other"]
SizeName = Literal["", "1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+"]
StageName = Literal["", "lead", "prospect", "customer", "former"]
TagName = Annotated[str, Field(min_length=1, max_length=50)]
CUSTOM_DOC = (
    "Custom field values keyed by field key (see GET /custom-fields for keys and types); "
    "keys you leave out keep their value, null clears one."
)


class ContactIn(In):
    value: str = Field(min_length=1, max_length=254)
    type: ContactTypeName = "work"
    primary: bool = False


class ExtrasIn(In):
    tags: list[TagName] | None = Field(
        None, max_length=20, description="The record's tags by name (replaces them all)."
    )
    custom: dict[str, Any] | None = Field(None, description=CUSTOM_DOC)


class CompanyCreate(AddressIn, ExtrasIn):
    name: str = _text(200, required=True)
    domain: str = _text(200)
    industry: str = _text(100)
    website: str = _text(300)
    phone: str = _text(40)
    email: str = _text(254)
    size: SizeName = Field("", description="Employee-count bracket.")
    lifecycle_stage: StageName = ""
    owner: RefId | None = Field(None, description="A member's user id; you when omitted.")


class SensitiveIn(In):
    national_id: str | None = Field(
        None, max_length=64, description="Stored encrypted; empty clears it."
    )
    bank_account: str | None = Field(
        None, max_length=64, description="An IBAN, stored encrypted; empty clears it."
    )

    @field_validator("bank_account", mode="after")
    @classmethod
    def _iban(cls, value: str | None) -> str | None:
        if not value:
            return value
        try:
            return validate_iban(value)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from exc


PHONE_DOC = "Stored as E.164; local numbers need a country in an address."
EMAILS_DOC = "All email addresses with their types; one may be primary (else the first is)."
PHONES_DOC = "All phone numbers with their types (stored as E.164); one may be primary."


class PersonFieldsIn(In):
    email_type: ContactTypeName | None = None
    phone_type: ContactTypeName | None = None
    source: str | None = Field(None, max_length=100, description="Where the person came from.")
    email_consent: bool | None = Field(None, description="Its time is recorded on change.")
    messaging_consent: bool | None = Field(None, description="Its time is recorded on change.")
    emails: list[ContactIn] | None = Field(None, max_length=11, description=EMAILS_DOC)
    phones: list[ContactIn] | None = Field(None, max_length=11, description=PHONES_DOC)


# These may be sent as null, which means "leave as it is" (on create: the default).
NULL_MEANS_UNSET = ("email_type", "phone_type", "source", "email_consent", "messaging_consent")


def _person_data(payload: Schema) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True, exclude=set(services.SENSITIVE_FIELDS))
    return {k: v for k, v in data.items() if not (k in NULL_MEANS_UNSET and v is None)}


class PersonCreate(AddressIn, SensitiveIn, ExtrasIn, PersonFieldsIn):
    first_name: str = _text(100)
    last_name: str = _text(100, required=True)
    title: str = _text(120)
    company: RefId | None = None
    email: str = _text(254)
    alt_email: str = _text(254)
    phone: str = Field("", max_length=40, description=PHONE_DOC)
    mobile: str = Field("", max_length=40, description=PHONE_DOC)
    owner: RefId | None = Field(None, description="A member's user id; you when omitted.")


def _optional(max_length: int, *, required: bool = False) -> Any:
    if required:
        return Field(None, min_length=1, max_length=max_length)
    return Field(None, max_length=max_length)


class AddressPatch(In):
    billing_street: str | None = _optional(200)
    billing_city: str | None = _optional(100)
    billing_postal_code: str | None = _optional(20)
    billing_region: str | None = _optional(100)
    billing_country: Country | None = None
    shipping_street: str | None = _optional(200)
    shipping_city: str | None = _optional(100)
    shipping_postal_code: str | None = _optional(20)
    shipping_region: str | None = _optional(100)
    shipping_country: Country | None = None
    other_street: str | None = _optional(200)
    other_city: str | None = _optional(100)
    other_postal_code: str | None = _optional(20)
    other_region: str | None = _optional(100)
    other_country: Country | None = None


class CompanyPatch(AddressPatch, ExtrasIn):
    """Send only what changes; null clears a field."""

    name: str | None = _optional(200, required=True)
    domain: str | None = _optional(200)
    industry: str | None = _optional(100)
    website: str | None = _optional(300)
    phone: str | None = _optional(40)
    email: str | None = _optional(254)
    size: SizeName | None = None
    lifecycle_stage: StageName | None = None
    owner: RefId | None = None


class PersonPatch(AddressPatch, SensitiveIn, ExtrasIn, PersonFieldsIn):
    """Send only what changes; null clears a field."""

    first_name: str | None = _optional(100)
    last_name: str | None = _optional(100, required=True)
    title: str | None = _optional(120)
    company: RefId | None = None
    email: str | None = _optional(254)
    alt_email: str | None = _optional(254)
    phone: str | None = _optional(40)
    mobile: str | None = _optional(40)
    owner: RefId | None = None


class RevealIn(In):
    fields: list[
        Annotated[str, Field(pattern=r"^(national_id|bank_account|custom\.[a-z][a-z0-9_]{0,39})$")]
    ] = Field(
        min_length=1,
        max_length=20,
        description="national_id, bank_account or custom.<key> of a sensitive custom field.",
    )
    reason: str = Field(min_length=3, max_length=500, description="Why you need the value.")


class ListQuery(Schema):
    q: str = Field("", max_length=200, description="Name or email starts with.")
    owner: str = Field(
        "", pattern=r"^(|me|none|[0-9]{1,18})$", description='A user id, "me" or "none".'
    )
    country: str = Field("", pattern=r"^([A-Za-z]{2})?$")
    sort: Literal["name", "-name", "created", "-created"] = "name"
    after: str | None = Field(None, max_length=1000, pattern=r"^[A-Za-z0-9_-]+$")
    before: str | None = Field(None, max_length=1000, pattern=r"^[A-Za-z0-9_-]+$")
    limit: int = Field(50, ge=1, le=200)
    tag: str = Field("", max_length=50, description="Only records with this tag.")
    tags: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list,
        max_length=20,
        description="Several tags (repeat the parameter); see tag_mode.",
    )
    tag_mode: Literal["", "any", "all"] = Field(
        "", description="Records with any of the tags (default) or with all of them."
    )

    @field_validator("q", "tag", mode="after")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("Remove the NUL character.")
        return value

    @field_validator("tags", mode="after")
    @classmethod
    def _no_nul_in_tags(cls, value: list[str]) -> list[str]:
        if any("\x00" in v for v in value):
            raise ValueError("Remove the NUL character.")
        return value

    def params(
        self, company: int | None = None, request: HttpRequest | None = None
    ) -> selectors.ListParams:
        """Return the list parameters; custom field filters come as cf_<key> query parameters."""
        custom: tuple[tuple[str, str], ...] = ()
        if request is not None:
            found = selectors.filters_in(request.GET)
            custom = tuple((k, v) for k, v in found.items() if k.startswith("cf_"))
        return selectors.ListParams(
            tags=tuple(t.strip() for t in self.tags if t.strip()),
            tag_mode="all" if self.tag_mode == "all" else "",
            custom=custom,
            q=self.q,
            owner=self.owner,
            company=company,
            country=self.country,
            sort=self.sort,
            after=self.after,
            before=self.before,
            size=self.limit,
            tag=self.tag.strip(),
            stage=getattr(self, "stage", ""),
        )


class CompanyListQuery(ListQuery):
    stage: StageName = Field("", description="Only companies at this lifecycle stage.")


class PersonListQuery(ListQuery):
    company: RefId | None = None


# Output ---------------------------------------------------------------------


class RecordOut(Schema):
    id: int
    owner: int | None = Field(description="The owner's user id.")
    version: int = Field(description="Grows with every change; the ETag carries it.")
    created_at: datetime
    updated_at: datetime
    billing_street: str
    billing_city: str
    billing_postal_code: str
    billing_region: str
    billing_country: str
    shipping_street: str
    shipping_city: str
    shipping_postal_code: str
    shipping_region: str
    shipping_country: str
    other_street: str
    other_city: str
    other_postal_code: str
    other_region: str
    other_country: str
    tags: list[str]
    custom: dict[str, Any] = Field(
        description="Custom field values by key; sensitive ones masked, and only for roles "
        "that may reveal them."
    )


class CompanyOut(RecordOut):
    name: str
    domain: str
    industry: str
    website: str
    phone: str
    email: str
    size: str
    lifecycle_stage: str


class ContactOut(Schema):
    value: str
    type: str
    primary: bool


class PersonOut(RecordOut):
    first_name: str
    last_name: str
    full_name: str
    title: str
    company: int | None = Field(description="The company's id.")
    email: str
    alt_email: str
    phone: str
    mobile: str
    email_type: str
    phone_type: str
    emails: list[ContactOut]
    phones: list[ContactOut]
    source: str
    email_consent: bool
    email_consent_at: datetime | None
    messaging_consent: bool
    messaging_consent_at: datetime | None
    national_id: str = Field(description="Masked (`•••• 4821`); reveal it with /reveal.")
    bank_account: str = Field(description="Masked (`•••• 4821`); reveal it with /reveal.")


class PageOut(Schema):
    next: str | None = Field(description="Cursor for `after=` to get the next page.")
    prev: str | None = Field(description="Cursor for `before=` to get the previous page.")
    total: int
    total_is_capped: bool = Field(description="True when there are more than `total`.")


class CompanyPage(PageOut):
    items: list[CompanyOut]


class CompanyRevealIn(In):
    fields: list[Annotated[str, Field(pattern=r"^custom\.[a-z][a-z0-9_]{0,39}$")]] = Field(
        min_length=1,
        max_length=20,
        description="custom.<key> of a sensitive custom field of companies.",
    )
    reason: str = Field(min_length=3, max_length=500, description="Why you need the value.")


class PersonPage(PageOut):
    items: list[PersonOut]


class RevealOut(Schema):
    values: dict[str, str] = Field(description="The plaintext of each field asked for.")


def _custom_out(obj: CustomerRecord, sensitive: dict[str, str] | None) -> dict[str, Any]:
    """Return the live custom values; sensitive ones only when given (masked)."""
    definitions = getattr(obj, "_custom_definitions", None)
    if definitions is None:
        definitions = custom_fields.definitions(obj.workspace_id, obj.ACCESS_TYPE)
    values = obj.custom or {}
    out: dict[str, Any] = {}
    for d in definitions:
        if d.type == CustomField.Type.SENSITIVE:
            if sensitive is not None and sensitive.get(d.key):
                out[d.key] = sensitive[d.key]
        elif d.key in values:
            out[d.key] = values[d.key]
    return out


def _record(obj: CustomerRecord, sensitive: dict[str, str] | None) -> dict[str, Any]:
    if not hasattr(obj, "_custom_definitions"):
        obj._custom_definitions = custom_fields.definitions(  # type: ignore[attr-defined]
            obj.workspace_id, obj.ACCESS_TYPE
        )
    return {
        "id": obj.pk,
        "owner": obj.owner_id,
        "version": obj.version,
        "created_at": obj.created_at,
        "updated_at": obj.updated_at,
        **{name: getattr(obj, name) for name in ADDRESS_FIELDS},
        "tags": fields.tag_names(obj),
        "custom": _custom_out(obj, sensitive),
    }


def _masked_custom(member: Membership | None, obj: CustomerRecord) -> dict[str, str] | None:
    """Return masked sensitive values for members who may reveal them, else None."""
    if member is None or not access.can(member, obj.ACCESS_TYPE, "reveal", obj):
        return None
    definitions = custom_fields.definitions(obj.workspace_id, obj.ACCESS_TYPE)
    obj._custom_definitions = definitions  # type: ignore[attr-defined]
    if not any(d.type == CustomField.Type.SENSITIVE for d in definitions):
        return {}
    return custom_fields.masked_secrets(obj)


def company_out(company: Company, member: Membership | None = None) -> CompanyOut:
    data = _record(company, _masked_custom(member, company))
    for name in ("name", "domain", "industry", "website", "phone", "email"):
        data[name] = getattr(company, name)
    data.update(size=company.size, lifecycle_stage=company.lifecycle_stage)
    return CompanyOut(**data)


def person_out(person: Person, member: Membership | None = None) -> PersonOut:
    data = _record(person, _masked_custom(member, person))
    for name in ("first_name", "last_name", "full_name", "title", "email", "alt_email"):
        data[name] = getattr(person, name)
    data.update(phone=person.phone, mobile=person.mobile, company=person.company_id)
    for name in (
        "email_type",
        "phone_type",
        "source",
        "email_consent",
        "email_consent_at",
        "messaging_consent",
        "messaging_consent_at",
    ):
        data[name] = getattr(person, name)
    data["emails"] = fields.contacts_of(person, "emails")
    data["phones"] = fields.contacts_of(person, "phones")
    for name in services.SENSITIVE_FIELDS:
        data[name] = services.masked(person, name)
    return PersonOut(**data)


# Helpers --------------------------------------------------------------------


def _with_etag(request: HttpRequest, status: int, out: Schema, obj: CustomerRecord) -> HttpResponse:
    return record_response(request, status, obj, out)


NULL_MEANS: dict[str, Any] = {"tags": [], "custom": {}, "emails": [], "phones": []}


def _patch_data(payload: In, nullable: set[str]) -> dict[str, Any]:
    """Return the changed fields; null clears text fields and unsets references."""
    data = payload.model_dump(exclude_unset=True, exclude=set(services.SENSITIVE_FIELDS))
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None and key in ("email_consent", "messaging_consent"):
            value = False
        elif value is None and key in ("email_type", "phone_type"):
            value = "work"
        elif value is None and key in NULL_MEANS:
            value = NULL_MEANS[key]
        elif value is None and key not in nullable:
            value = ""
        out[key] = value
    return out


def _with_tags(member: Membership, items: list[Any], kind: str) -> list[Any]:
    """Load the page's tags and the custom field definitions in one query each."""
    link = PersonTag if kind == "person" else CompanyTag
    prefetch_related_objects(
        items,
        Prefetch(
            "tag_links",
            queryset=link.objects.filter(workspace_id=member.workspace_id).select_related("tag"),
        ),
    )
    definitions = custom_fields.definitions(member.workspace_id, kind)
    for item in items:
        item._custom_definitions = definitions
    return items


def _sensitive(payload: In) -> dict[str, str | None]:
    data = payload.model_dump(exclude_unset=True, include=set(services.SENSITIVE_FIELDS))
    return {k: ("" if v is None else v) for k, v in data.items()}


def _get(
    request: HttpRequest, obj: CustomerRecord, out: Schema, if_none_match: str | None
) -> HttpResponse:
    services.record_view(member_of(request), obj)
    if not_modified(obj, if_none_match):
        response = HttpResponse(status=304)
        response["ETag"] = etag_for(obj)
        return response
    return _with_etag(request, 200, out, obj)


# Companies ------------------------------------------------------------------


@router.get(
    "/companies",
    response={200: CompanyPage, **errors(400, 401, 422)},
    operation_id="companies_list",
)
def list_companies(request: HttpRequest, filters: Query[CompanyListQuery]) -> HttpResponse:
    """List the companies you may see, a page at a time."""
    member = member_of(request)
    page = selectors.companies(member, filters.params(request=request))
    body = CompanyPage(
        items=[company_out(c) for c in _with_tags(member, page.items, "company")],
        next=page.next_cursor,
        prev=page.prev_cursor,
        total=page.total,
        total_is_capped=page.total_is_capped,
    )
    # Rendered as validated: the router's check of the answer would read every field again.
    return json_response(request, 200, body)


@router.post(
    "/companies",
    response={201: CompanyOut, **errors(400, 401, 403, 409, 415, 422)},
    operation_id="companies_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_company(
    request: HttpRequest,
    payload: CompanyCreate,
    idempotency_key: IdempotencyKey = None,
    allow_duplicate: AllowDuplicate = False,
) -> HttpResponse:
    """Create a company; you own it unless you name another member.

    A company like an existing one (same email, domain, phone or name) answers 409
    (code `duplicate`) with a `candidates` list beside `error` — each `{id, type, name,
    score, reasons}` — unless `?allow_duplicate=true`.
    """
    member = member_of(request)

    def produce() -> HttpResponse:
        try:
            company = services.create_company(
                member, payload.model_dump(exclude_unset=True), allow_duplicate=allow_duplicate
            )
        except services.DuplicatesFound as exc:
            return conflict_response(request, exc.candidates)
        return _with_etag(request, 201, company_out(company, member), company)

    return idempotency.respond(request, member, idempotency_key, produce)


@router.get(
    "/companies/{id}",
    response={200: CompanyOut, 304: None, **errors(401, 404, 422)},
    operation_id="companies_get",
    openapi_extra=documents_headers(200, 304),
)
def get_company(request: HttpRequest, id: Id, if_none_match: IfNoneMatch = None) -> HttpResponse:
    """Return one company with its ETag."""
    member = member_of(request)
    company = access.get_for_user(member, Company, id)
    return _get(request, company, company_out(company, member), if_none_match)


@router.patch(
    "/companies/{id}",
    response={200: CompanyOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="companies_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_company(
    request: HttpRequest, id: Id, payload: CompanyPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change some fields of a company, if it is still at the version you read."""
    member = member_of(request)
    company = access.get_for_user(member, Company, id, "edit")
    version = expected_version(company, if_match)
    data = _patch_data(payload, {"owner"})
    company = services.update_company(member, company, data, expected_version=version)
    return _with_etag(request, 200, company_out(company, member), company)


@router.delete(
    "/companies/{id}",
    response={204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="companies_delete",
)
def delete_company(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Move a company to the trash (restorable for 30 days)."""
    member = member_of(request)
    company = access.get_for_user(member, Company, id, "delete")
    services.trash(member, company, expected_version=expected_version(company, if_match))
    return HttpResponse(status=204)


@router.post(
    "/companies/{id}/restore",
    response={200: CompanyOut, **errors(401, 403, 404, 422)},
    operation_id="companies_restore",
    openapi_extra=documents_headers(200),
)
def restore_company(request: HttpRequest, id: Id) -> HttpResponse:
    """Bring a company back from the trash."""
    member = member_of(request)
    company = access.get_for_user(member, Company, id, "delete", deleted=True)
    services.restore(member, company)
    company = access.get_for_user(member, Company, id)
    return _with_etag(request, 200, company_out(company, member), company)


@router.post(
    "/companies/{id}/reveal",
    response={200: RevealOut, **errors(400, 401, 403, 404, 415, 422)},
    operation_id="companies_reveal",
)
@json_only
def reveal_company(request: HttpRequest, id: Id, payload: CompanyRevealIn) -> RevealOut:
    """Return the plaintext of sensitive custom values; each one revealed is written to the
    audit log with your reason."""
    member = member_of(request)
    company = access.get_for_user(member, Company, id, "reveal")
    values = custom_fields.reveal(member, company, list(payload.fields), payload.reason)
    return RevealOut(values=values)


# People ---------------------------------------------------------------------


@router.get(
    "/people",
    response={200: PersonPage, **errors(400, 401, 422)},
    operation_id="people_list",
)
def list_people(request: HttpRequest, filters: Query[PersonListQuery]) -> HttpResponse:
    """List the people you may see, a page at a time; sensitive fields come masked."""
    member = member_of(request)
    page = selectors.people(member, filters.params(company=filters.company, request=request))
    body = PersonPage(
        items=[person_out(p) for p in _with_tags(member, page.items, "person")],
        next=page.next_cursor,
        prev=page.prev_cursor,
        total=page.total,
        total_is_capped=page.total_is_capped,
    )
    # Rendered as validated: the router's check of the answer would read every field again.
    return json_response(request, 200, body)


@router.post(
    "/people",
    response={201: PersonOut, **errors(400, 401, 403, 409, 415, 422)},
    operation_id="people_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_person(
    request: HttpRequest,
    payload: PersonCreate,
    idempotency_key: IdempotencyKey = None,
    allow_duplicate: AllowDuplicate = False,
) -> HttpResponse:
    """Create a person; you own them unless you name another member.

    A person like an existing one (same email, phone, or name at the same company)
    answers 409 (code `duplicate`) with a `candidates` list beside `error` — each `{id,
    type, name, score, reasons}` — unless `?allow_duplicate=true`.
    """
    member = member_of(request)

    def produce() -> HttpResponse:
        data = _person_data(payload)
        try:
            person = services.create_person(
                member, data, _sensitive(payload), allow_duplicate=allow_duplicate
            )
        except services.DuplicatesFound as exc:
            return conflict_response(request, exc.candidates)
        return _with_etag(request, 201, person_out(person, member), person)

    return idempotency.respond(request, member, idempotency_key, produce)


@router.get(
    "/people/{id}",
    response={200: PersonOut, 304: None, **errors(401, 404, 422)},
    operation_id="people_get",
    openapi_extra=documents_headers(200, 304),
)
def get_person(request: HttpRequest, id: Id, if_none_match: IfNoneMatch = None) -> HttpResponse:
    """Return one person with its ETag; sensitive fields come masked."""
    member = member_of(request)
    person = access.get_for_user(member, Person, id)
    return _get(request, person, person_out(person, member), if_none_match)


@router.patch(
    "/people/{id}",
    response={200: PersonOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="people_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_person(
    request: HttpRequest, id: Id, payload: PersonPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change some fields of a person, if they are still at the version you read."""
    member = member_of(request)
    person = access.get_for_user(member, Person, id, "edit")
    version = expected_version(person, if_match)
    person = services.update_person(
        member,
        person,
        _patch_data(payload, {"owner", "company"}),
        expected_version=version,
        sensitive=_sensitive(payload),
    )
    return _with_etag(request, 200, person_out(person, member), person)


@router.delete(
    "/people/{id}",
    response={204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="people_delete",
)
def delete_person(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Move a person to the trash (restorable for 30 days)."""
    member = member_of(request)
    person = access.get_for_user(member, Person, id, "delete")
    services.trash(member, person, expected_version=expected_version(person, if_match))
    return HttpResponse(status=204)


@router.post(
    "/people/{id}/restore",
    response={200: PersonOut, **errors(401, 403, 404, 422)},
    operation_id="people_restore",
    openapi_extra=documents_headers(200),
)
def restore_person(request: HttpRequest, id: Id) -> HttpResponse:
    """Bring a person back from the trash."""
    member = member_of(request)
    person = access.get_for_user(member, Person, id, "delete", deleted=True)
    services.restore(member, person)
    person = access.get_for_user(member, Person, id)
    return _with_etag(request, 200, person_out(person, member), person)


@router.post(
    "/people/{id}/reveal",
    response={200: RevealOut, **errors(400, 401, 403, 404, 415, 422)},
    operation_id="people_reveal",
)
@json_only
def reveal_person(request: HttpRequest, id: Id, payload: RevealIn) -> RevealOut:
    """Return the plaintext of sensitive fields; each one revealed is written to the audit log."""
    member = member_of(request)
    person = access.get_for_user(member, Person, id, "reveal")
    return RevealOut(values=services.reveal(member, person, list(payload.fields), payload.reason))


refuse_other_methods(router)

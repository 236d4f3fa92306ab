"""JSON API for custom field definitions and records' field history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema

from amity.core import access, idempotency
from amity.core.api import (
    MAX_ID,
    documents_headers,
    errors,
    expected_version,
    json_only,
    member_of,
    record_response,
)
from amity.customers import custom_fields, selectors
from amity.customers.api import IdempotencyKey, IfMatch, In
from amity.customers.models import Company, CustomField, Person

router = Router(tags=["custom fields"])

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="The definition's id.")]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="The record's id.")]
TypeName = Literal[
    "text",
    "long_text",
    "number",
    "money",
    "date",
    "select",
    "multi_select",
    "checkbox",
    "url",
    "email",
    "sensitive",
]
Target = Literal["company", "person"]
Option = Annotated[str, Field(min_length=1, max_length=100)]


class CustomFieldOut(Schema):
    id: int
    target: Target
    key: str
    label: str
    type: TypeName = Field(
        description="Values: text/long_text/url/email/sensitive strings, number a number, "
        'money {"amount": "12.50", "currency": "EUR"}, date "YYYY-MM-DD", select one option, '
        "multi_select a list of options, checkbox true/false."
    )
    options: list[str]
    required: bool
    help_text: str
    position: int
    archived: bool
    version: int


class CustomFieldList(Schema):
    items: list[CustomFieldOut]


class CustomFieldCreate(In):
    target: Target
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="Fixed once created.")
    label: str = Field(min_length=1, max_length=100)
    type: TypeName
    options: list[Option] = Field(default_factory=list, max_length=100)
    required: bool = False
    help_text: str = Field("", max_length=200)
    position: int = Field(0, ge=0, le=10_000)
    archived: bool = False


class CustomFieldPatch(In):
    label: str | None = Field(None, min_length=1, max_length=100)
    options: list[Option] | None = Field(None, max_length=100)
    required: bool | None = None
    help_text: str | None = Field(None, max_length=200)
    position: int | None = Field(None, ge=0, le=10_000)
    archived: bool | None = Field(None, description="Hidden from forms and lists; kept.")


class CustomFieldQuery(Schema):
    target: Target | None = None
    archived: bool = Field(False, description="Include archived fields.")


class ChangeOut(Schema):
    at: datetime
    actor: str
    action: Literal["create", "update"]
    field: str = Field(description="A field name, `tags`, or `custom.<key>`.")
    old: Any = Field(description="Sensitive values are never shown, only that they changed.")
    new: Any


class ChangeList(Schema):
    items: list[ChangeOut]


class ChangeQuery(Schema):
    field: str = Field("", max_length=60, pattern=r"^[a-z0-9_.]*$")


def field_out(field: CustomField) -> CustomFieldOut:
    return CustomFieldOut(
        id=field.pk,
        target=field.target,  # type: ignore[arg-type]
        key=field.key,
        label=field.label,
        type=field.type,  # type: ignore[arg-type]
        options=list(field.options or []),
        required=field.required,
        help_text=field.help_text,
        position=field.position,
        archived=field.archived,
        version=field.version,
    )


def _respond(request: HttpRequest, status: int, field: CustomField) -> HttpResponse:
    return record_response(request, status, field, field_out(field))


def _definition(request: HttpRequest, id: int, action: str) -> CustomField:
    member = member_of(request)
    access.require(member, "custom_field", action)
    return access.get_for_user(member, CustomField, id)


@router.get(
    "/custom-fields",
    response={200: CustomFieldList, **errors(400, 401, 422)},
    operation_id="custom_fields_list",
)
def list_fields(request: HttpRequest, filters: Query[CustomFieldQuery]) -> CustomFieldList:
    """List the workspace's custom fields, so clients know their keys and types."""
    member = member_of(request)
    items = []
    for target in [filters.target] if filters.target else ["company", "person"]:
        defs = custom_fields.definitions(member.workspace_id, target, archived=filters.archived)
        items += [field_out(d) for d in defs]
    return CustomFieldList(items=items)


@router.post(
    "/custom-fields",
    response={201: CustomFieldOut, **errors(400, 401, 403, 409, 415, 422)},
    operation_id="custom_fields_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_field(
    request: HttpRequest, payload: CustomFieldCreate, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Add a custom field to companies or people (workspace admins)."""
    member = member_of(request)
    access.require(member, "custom_field", "create")

    def produce() -> HttpResponse:
        field = custom_fields.create_definition(member, payload.model_dump())
        return _respond(request, 201, field)

    return idempotency.respond(request, member, idempotency_key, produce)


@router.patch(
    "/custom-fields/{id}",
    response={200: CustomFieldOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="custom_fields_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_field(
    request: HttpRequest, id: Id, payload: CustomFieldPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change a custom field's label, options, help, order, or archive it (values stay)."""
    field = _definition(request, id, "edit")
    version = expected_version(field, if_match)
    # null resets a setting; a label cannot be removed.
    defaults: dict[str, Any] = {"options": [], "required": False, "help_text": ""}
    defaults.update(position=0, archived=False)
    data = {
        k: (defaults[k] if v is None else v)
        for k, v in payload.model_dump(exclude_unset=True).items()
        if v is not None or k in defaults
    }
    field = custom_fields.update_definition(
        member_of(request), field, data, expected_version=version
    )
    return _respond(request, 200, field)


@router.delete(
    "/custom-fields/{id}",
    response={204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="custom_fields_delete",
)
def delete_field(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Remove a custom field's definition; values stay in the records, hidden."""
    field = _definition(request, id, "delete")
    expected_version(field, if_match)
    custom_fields.delete_definition(member_of(request), field)
    return HttpResponse(status=204)


def _changes(request: HttpRequest, model: Any, id: int, field: str) -> ChangeList:
    member = member_of(request)
    record = access.get_for_user(member, model, id)
    rows = selectors.field_history(member, record, field)
    return ChangeList(items=[ChangeOut(**row.__dict__) for row in rows])


@router.get(
    "/people/{id}/changes",
    response={200: ChangeList, **errors(400, 401, 404, 422)},
    operation_id="people_changes",
)
def person_changes(request: HttpRequest, id: RecordId, filters: Query[ChangeQuery]) -> ChangeList:
    """Return every change to a person's fields (old → new, who, when), newest first."""
    return _changes(request, Person, id, filters.field)


@router.get(
    "/companies/{id}/changes",
    response={200: ChangeList, **errors(400, 401, 404, 422)},
    operation_id="companies_changes",
)
def company_changes(request: HttpRequest, id: RecordId, filters: Query[ChangeQuery]) -> ChangeList:
    """Return every change to a company's fields (old → new, who, when), newest first."""
    return _changes(request, Company, id, filters.field)

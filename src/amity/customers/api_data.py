"""JSON API for data leaving Amity: list exports, vCards and data-subject rights."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from amity.core import access
from amity.core.api import ApiError, errors, json_only, member_of, refuse_other_methods
from amity.customers import exports, privacy
from amity.customers.api import Id, In, ListQuery, PersonListQuery
from amity.customers.models import Person

router = Router(tags=["exports and privacy"])

FILE = {
    "description": "The file, CSV or XLSX as asked.",
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        exports.FORMATS["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
    },
}


COLS = Field(
    "",
    max_length=300,
    pattern=r"^[a-z0-9_,]*$",
    description="The list's columns, comma-separated (as its `cols`): the file then holds "
    "the name and exactly these, in this order. Empty: every field.",
)


class ExportQuery(PersonListQuery):
    format: Literal["csv", "xlsx"] = "csv"
    cols: str = COLS


class CompanyExportQuery(ListQuery):
    format: Literal["csv", "xlsx"] = "csv"
    cols: str = COLS


class EraseIn(In):
    confirm: str = Field(min_length=1, max_length=250, description="The person's full name.")
    reason: str = Field("", max_length=200, description="Kept in the ledger; no personal data.")


class EraseOut(Schema):
    erased: bool = Field(description="False when the person had been erased already.")


def _export(request: HttpRequest, kind: str, filters: ListQuery, fmt: str) -> HttpResponse:
    member = member_of(request)
    access.require(member, kind, "export")
    company = getattr(filters, "company", None)
    params = filters.params(company=company, request=request)
    params = replace(params, after=None, before=None)
    chosen = exports.chosen_columns(kind, member.workspace_id, getattr(filters, "cols", ""))
    if exports.is_large(member, kind, params):
        raise ApiError(
            413,
            "too_large",
            f"More than {exports.SYNC_LIMIT} rows: narrow the filters, or export from "
            "the web screen, which prepares large files in the background.",
        )
    data, _ = exports.export_now(member, kind, fmt, params, chosen)
    return exports.attachment(data, exports.FORMATS[fmt], exports.file_name(kind, fmt))


@router.get(
    "/people/export",
    response={200: None, **errors(401, 403, 413, 422)},
    operation_id="people_export",
    openapi_extra={"responses": {200: FILE}},
)
def export_people(request: HttpRequest, filters: Query[ExportQuery]) -> HttpResponse:
    """Download the people matching the list filters (within your export scope) as CSV/XLSX."""
    return _export(request, "person", filters, filters.format)


@router.get(
    "/companies/export",
    response={200: None, **errors(401, 403, 413, 422)},
    operation_id="companies_export",
    openapi_extra={"responses": {200: FILE}},
)
def export_companies(request: HttpRequest, filters: Query[CompanyExportQuery]) -> HttpResponse:
    """Download the companies matching the list filters (within your export scope)."""
    return _export(request, "company", filters, filters.format)


@router.get(
    "/people/{id}/vcard",
    response={200: None, **errors(401, 404, 422)},
    operation_id="people_vcard",
    openapi_extra={"responses": {200: {"description": "vCard 4.0", "content": {"text/vcard": {}}}}},
)
def person_vcard(request: HttpRequest, id: Id) -> HttpResponse:
    """Return the person as a vCard 4.0 (audited as an export)."""
    member = member_of(request)
    person = access.get_for_user(
        member, Person, id, queryset=access.visible(member, Person).select_related("company")
    )
    exports.record_vcard(member, person)
    return exports.attachment(
        exports.vcard(person), "text/vcard; charset=utf-8", f"person-{person.pk}.vcf"
    )


@router.get(
    "/people/{id}/privacy-export",
    response={200: None, **errors(401, 403, 404, 422)},
    operation_id="people_privacy_export",
    openapi_extra={"responses": {200: {"description": "ZIP", "content": {"application/zip": {}}}}},
)
def person_privacy_export(request: HttpRequest, id: Id) -> HttpResponse:
    """Return everything about the person as a ZIP (JSON + CSV); needs `privacy` and `reveal`."""
    member = member_of(request)
    person = access.get_for_user(
        member,
        Person,
        id,
        "privacy",
        queryset=access.visible(member, Person).select_related("company", "owner"),
    )
    return exports.attachment(
        privacy.export_person(member, person), "application/zip", f"person-{person.pk}-data.zip"
    )


@router.post(
    "/people/{id}/erase",
    response={200: EraseOut, **errors(400, 401, 403, 404, 415, 422)},
    operation_id="people_erase",
)
@json_only
def erase_person(request: HttpRequest, id: Id, payload: EraseIn) -> EraseOut:
    """Anonymise the person for good; `confirm` must repeat their full name."""
    member = member_of(request)
    person = access.get_for_user(member, Person, id, "privacy")
    return EraseOut(erased=privacy.erase_person(member, person, payload.confirm, payload.reason))


refuse_other_methods(router)

"""JSON API for saved list views and bulk actions: thin operations over their services."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from amity.core.api import (
    MAX_ID,
    ApiError,
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
from amity.core.models import Membership
from amity.customers import bulk, saved_views, selectors, tags
from amity.customers.api import Id, IfMatch, In
from amity.customers.models import BulkJob, SavedView, Tag

router = Router(tags=["lists"])
TagName = Annotated[str, Field(min_length=1, max_length=50)]
CustomValue = (
    Annotated[str, Field(max_length=100)]
    | Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=20)]
)
Kind = Literal["person", "company"]
Name = Annotated[str, Field(min_length=1, max_length=80)]


class BulkFilters(In):
    """The filters of a people or companies list."""

    q: str = Field("", max_length=100)
    owner: str = Field("", max_length=20, description='A user id, "me" or "none".')
    company: str = Field("", max_length=19, pattern=r"^\d*$")
    country: str = Field("", max_length=2, pattern=r"^([A-Za-z]{2})?$")
    tag: str = Field("", max_length=50)
    tags: list[TagName] = Field(
        default_factory=list, max_length=selectors.MAX_VALUES, description="Several tags."
    )
    tag_mode: Literal["", "any", "all"] = Field(
        "", description="With several tags: records with any of them (default) or all of them."
    )
    stage: str = Field("", max_length=20, description="Companies' lifecycle stage.")
    custom: dict[Annotated[str, Field(max_length=45)], CustomValue] = Field(
        default_factory=dict,
        description="Custom field filters, as the list's cf_ keys; a multi-select takes a list "
        "of options (any of them, or all with cf_<key>_mode: all).",
    )


class ViewParams(BulkFilters):
    """A list's parameters, as its page reads them from the address."""

    sort: str = Field("", max_length=20)
    cols: str = Field("", max_length=300, description="Column keys, comma-separated.")


def _flat(filters: BulkFilters) -> dict[str, Any]:
    """Return the filters as the list reads them from its address (custom ones as cf_<key>)."""
    raw = filters.model_dump()
    custom = raw.pop("custom", {})
    tags = [raw.pop("tag"), *raw.pop("tags")]
    return {
        **raw,
        "tag": selectors.SEP.join(t for t in tags if t),
        **{f"cf_{k.removeprefix('cf_')}": v for k, v in custom.items()},
    }


class SavedViewCreate(In):
    kind: Kind
    name: Name
    shared: bool = False
    params: ViewParams = Field(default_factory=ViewParams)  # type: ignore[arg-type]


class SavedViewPatch(In):
    name: Name | None = None
    shared: bool | None = None
    params: ViewParams | None = None


class SavedViewOut(Schema):
    id: int
    kind: str
    name: str
    shared: bool
    owner: int = Field(description="The user id of the member who saved it.")
    params: dict[str, str]
    version: int
    created_at: datetime
    updated_at: datetime


class SavedViewList(Schema):
    items: list[SavedViewOut]


def _view_out(view: SavedView) -> SavedViewOut:
    return SavedViewOut(
        id=view.pk,
        kind=view.kind,
        name=view.name,
        shared=view.shared,
        owner=view.owner_id,
        params=view.params,
        version=view.version,
        created_at=view.created_at,
        updated_at=view.updated_at,
    )


def _respond(request: HttpRequest, status: int, view: SavedView) -> HttpResponse:
    return record_response(request, status, view, _view_out(view))


@router.get(
    "/saved-views",
    response={200: SavedViewList, **errors(401, 422)},
    operation_id="saved_views_list",
)
def list_views(request: HttpRequest, kind: Query[Kind] = "person") -> HttpResponse:
    """List the views of a list you may use: your own and the shared ones."""
    views = saved_views.for_member(member_of(request), kind)
    return json_response(request, 200, SavedViewList(items=[_view_out(v) for v in views]))


@router.post(
    "/saved-views",
    response={201: SavedViewOut, **errors(400, 401, 403, 404, 415, 422)},
    operation_id="saved_views_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_view(request: HttpRequest, payload: SavedViewCreate) -> HttpResponse:
    """Save a list view; saving under a name you already use replaces that view."""
    view = saved_views.save(
        member_of(request),
        payload.kind,
        payload.name,
        _flat(payload.params),
        shared=payload.shared,
    )
    return _respond(request, 201, view)


@router.get(
    "/saved-views/{id}",
    response={200: SavedViewOut, **errors(401, 404, 422)},
    operation_id="saved_views_get",
    openapi_extra=documents_headers(200),
)
def get_view(request: HttpRequest, id: Id) -> HttpResponse:
    """Return one view you may use, with its ETag."""
    return _respond(request, 200, saved_views.get(member_of(request), id))


@router.patch(
    "/saved-views/{id}",
    response={200: SavedViewOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="saved_views_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_view(
    request: HttpRequest, id: Id, payload: SavedViewPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Rename, share or unshare a view, or give it new parameters (its owner or an admin)."""
    member = member_of(request)
    view = saved_views.get(member, id)
    version = expected_version(view, if_match)
    view = saved_views.update(
        member,
        view,
        name=payload.name,
        shared=payload.shared,
        params=_flat(payload.params) if payload.params is not None else None,
        expected_version=version,
    )
    return _respond(request, 200, view)


@router.delete(
    "/saved-views/{id}",
    response={204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="saved_views_delete",
)
def delete_view(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Delete a view (its owner, or an admin)."""
    member = member_of(request)
    view = saved_views.get(member, id)
    saved_views.delete(member, view, expected_version=expected_version(view, if_match))
    return HttpResponse(status=204)


# Bulk actions -----------------------------------------------------------------


class BulkIn(In):
    action: Literal["assign", "delete", "tag_add", "tag_remove"]
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        None, max_length=bulk.MAX_IDS, description="The records to act on…"
    )
    filters: BulkFilters | None = Field(
        None, description="…or every record these list filters match (give one of the two)."
    )
    owner: Annotated[int, Field(ge=1, le=MAX_ID)] | None = Field(
        None, description="For assign: the new owner's user id; null leaves records unowned."
    )
    tag: str | None = Field(
        None, max_length=50, description="For tag_add and tag_remove: the tag's name."
    )


class BulkOut(Schema):
    status: Literal["queued", "running", "done", "failed"]
    job: int | None = Field(None, description="The job to follow when run in the background.")
    total: int = Field(description="Records targeted that you may see.")
    changed: int
    skipped: int = Field(description="Records left as they were (not yours to change).")


def _bulk(request: HttpRequest, kind: str, payload: BulkIn) -> HttpResponse:
    member = member_of(request)
    if (payload.ids is None) == (payload.filters is None):
        raise ApiError(
            422,
            "invalid",
            "Give either ids or filters.",
            {"ids": ["Give either ids or filters."]},
        )
    filters = _flat(payload.filters) if payload.filters is not None else None
    target = bulk.target_from([str(i) for i in payload.ids or ()], filters)
    args = {"owner": payload.owner, "tag": payload.tag}
    plan = bulk.plan(member, kind, payload.action, target, args)
    if plan.in_background:
        job = bulk.start_job(member, plan)
        return json_response(
            request, 202, _job_out(job), {"Location": f"/api/v1/bulk-jobs/{job.pk}"}
        )
    result = bulk.run_now(member, plan)
    out = BulkOut(
        status="done", job=None, total=result.total, changed=result.changed, skipped=result.skipped
    )
    return json_response(request, 200, out)


@router.post(
    "/people/bulk",
    response={200: BulkOut, 202: BulkOut, **errors(400, 401, 403, 404, 415, 422)},
    operation_id="people_bulk",
)
@json_only
def people_bulk(request: HttpRequest, payload: BulkIn) -> HttpResponse:
    """Assign an owner to, tag, untag or trash many people at once.

    Large sets run in the background.
    """
    return _bulk(request, "person", payload)


@router.post(
    "/companies/bulk",
    response={200: BulkOut, 202: BulkOut, **errors(400, 401, 403, 404, 415, 422)},
    operation_id="companies_bulk",
)
@json_only
def companies_bulk(request: HttpRequest, payload: BulkIn) -> HttpResponse:
    """Assign an owner to, tag, untag or trash many companies at once.

    Large sets run in the background.
    """
    return _bulk(request, "company", payload)


def _job_out(job: BulkJob) -> BulkOut:
    return BulkOut(
        status=job.status,  # type: ignore[arg-type]
        job=job.pk,
        total=job.total + job.skipped,
        changed=job.changed,
        skipped=job.skipped,
    )


@router.get(
    "/bulk-jobs/{id}",
    response={200: BulkOut, **errors(401, 404, 422)},
    operation_id="bulk_jobs_get",
)
def get_bulk_job(request: HttpRequest, id: Id) -> HttpResponse:
    """Follow a bulk action you started."""
    return json_response(request, 200, _job_out(bulk.own_job(member_of(request), id)))


# Tags -------------------------------------------------------------------------


class TagOut(Schema):
    id: int
    name: str
    people: int = Field(description="People (not in the trash) with this tag.")
    companies: int = Field(description="Companies (not in the trash) with this tag.")
    version: int
    job: int | None = Field(
        None, description="When many records carry it, the job updating them (/bulk-jobs/{id})."
    )


class TagList(Schema):
    items: list[TagOut]


class TagPatch(In):
    name: TagName


class TagJobOut(Schema):
    job: int = Field(description="The job updating the records (/bulk-jobs/{id}).")


def _tag_out(tag: Tag, job: BulkJob | None = None) -> TagOut:
    return TagOut(
        id=tag.pk,
        name=tag.name,
        people=getattr(tag, "people", 0),
        companies=getattr(tag, "companies", 0),
        version=tag.version,
        job=job.pk if job is not None else None,
    )


def _tag_with_usage(member: Membership, pk: int) -> Tag:
    tags.require_manage(member)
    tag = tags.usage(member).filter(pk=pk).first()
    if tag is None:
        raise Http404
    return tag


@router.get(
    "/tags",
    response={200: TagList, **errors(401, 403, 422)},
    operation_id="tags_list",
)
def list_tags(request: HttpRequest) -> HttpResponse:
    """List the workspace's tags with how many people and companies carry each (managers)."""
    member = member_of(request)
    tags.require_manage(member)
    items = [_tag_out(t) for t in tags.usage(member)]
    return json_response(request, 200, TagList(items=items))


@router.patch(
    "/tags/{id}",
    response={200: TagOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="tags_update",
    openapi_extra=documents_headers(200),
)
@json_only
def rename_tag(
    request: HttpRequest, id: Id, payload: TagPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Rename a tag on every record; a name another tag has is refused (merge instead)."""
    member = member_of(request)
    tag = _tag_with_usage(member, id)
    job = tags.rename(member, tag, payload.name, expected_version=expected_version(tag, if_match))
    return json_response(request, 200, _tag_out(tag, job), {"ETag": etag_for(tag)})


@router.delete(
    "/tags/{id}",
    response={202: TagJobOut, 204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="tags_delete",
)
def delete_tag(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Take a tag off every record and delete it; 202 when the records are updated later."""
    member = member_of(request)
    tag = _tag_with_usage(member, id)
    job = tags.delete(member, tag, expected_version=expected_version(tag, if_match))
    if job is not None:
        return json_response(
            request, 202, TagJobOut(job=job.pk), {"Location": f"/api/v1/bulk-jobs/{job.pk}"}
        )
    return HttpResponse(status=204)


refuse_other_methods(router)

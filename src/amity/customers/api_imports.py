"""JSON API for imports: upload a file (or dry-run it), follow the job, fetch its errors."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Field, Router, Schema

from amity.core import access
from amity.core.api import ApiError, errors, json_response, member_of, refuse_other_methods
from amity.customers.api import Id
from amity.customers.imports import jobs, mapping, parse, plan
from amity.customers.models import ImportJob

router = Router(tags=["imports"])


class ProgressOut(Schema):
    phase: str = Field(description="mapping, queued, checking, writing, done, failed or cancelled.")
    done: int
    total: int
    percent: int = Field(ge=0, le=100)
    stale: bool = Field(description="No progress for two minutes: the job may be run again.")


class CountsOut(Schema):
    create: int
    update: int
    unchanged: int
    skip: int
    error: int


class ImportOut(Schema):
    id: int
    kind: str
    status: str = Field(description="queued, running, done, failed or cancelled.")
    file_name: str
    rows: int
    mapping: dict[str, str] = Field(description="Column header → field it fills.")
    match_on: str
    on_match: str
    progress: ProgressOut
    counts: CountsOut
    created_at: datetime
    finished_at: datetime | None


class RowErrorOut(Schema):
    row: int = Field(description="As a spreadsheet numbers it: the header is row 1.")
    column: str
    value: str
    reason: str


class DryRunOut(Schema):
    rows: int
    mapping: dict[str, str]
    counts: CountsOut
    new_companies: int
    errors: list[RowErrorOut] = Field(description="The first rows with errors.")


FORM_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "kind": {"type": "string", "enum": ["person", "company"], "default": "person"},
                    "mapping": {
                        "type": "string",
                        "description": (
                            'JSON object {"column header": "field"}; guessed from the '
                            "headers when left out."
                        ),
                    },
                    "match_on": {"type": "string", "enum": ImportJob.Match.values},
                    "on_match": {"type": "string", "enum": ImportJob.OnMatch.values},
                    "dry_run": {"type": "boolean", "default": False},
                },
            }
        }
    },
}


def _out(job: ImportJob) -> ImportOut:
    header = list(job.header)
    return ImportOut(
        id=job.pk,
        kind=job.kind,
        status=job.status,
        file_name=job.original_name,
        rows=job.total,
        mapping={
            header[int(i)] if int(i) < len(header) else i: key for i, key in job.mapping.items()
        },
        match_on=job.match_on,
        on_match=job.on_match,
        progress=ProgressOut(**jobs.progress(job)),
        counts=CountsOut(
            create=job.created,
            update=job.updated,
            unchanged=job.unchanged,
            skip=job.skipped,
            error=job.failed,
        ),
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def _mapping(raw: str, header: list[str]) -> dict[int, str] | None:
    if not raw:
        return None
    try:
        given = json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, "bad_request", "mapping must be a JSON object.") from exc
    if not isinstance(given, dict):
        raise ApiError(400, "bad_request", "mapping must be a JSON object.")
    chosen: dict[int, str] = {}
    for column, key in given.items():
        if not isinstance(key, str):
            raise ApiError(400, "bad_request", "Each mapping value must be a field name.")
        if column in header:
            chosen[header.index(column)] = key
        elif isinstance(column, str) and column.isdigit() and int(column) < len(header):
            chosen[int(column)] = key
        else:
            raise ApiError(400, "bad_request", "The mapping names a column the file does not have.")
    return chosen


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@router.post(
    "/imports",
    response={200: DryRunOut, 201: ImportOut, **errors(400, 401, 403, 413, 422)},
    operation_id="imports_create",
    openapi_extra={"requestBody": FORM_BODY},
)
def create_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV, XLSX or vCard file of people or companies and import it in the background.

    With `dry_run`, nothing is stored: the answer says what the import would do.
    Needs the `create` permission for the kind; updates only touch records you may edit.
    """
    member = member_of(request)
    kind = request.POST.get("kind", "person") if request.method == "POST" else "person"
    if kind not in jobs.KINDS:
        raise ApiError(400, "bad_request", "kind must be person or company.")
    access.require(member, kind, "create")
    if not (request.content_type or "").startswith("multipart/form-data"):
        raise ApiError(400, "bad_request", "Send the file as multipart/form-data.")
    upload = request.FILES.get("file")
    if upload is None:
        raise ApiError(400, "bad_request", "Send the file in the `file` field.")
    if upload.size is not None and upload.size > parse.MAX_BYTES:
        raise ApiError(413, "too_large", "The file is larger than 25 MB.")
    match_on = request.POST.get("match_on", ImportJob.Match.EMAIL)
    on_match = request.POST.get("on_match", ImportJob.OnMatch.SKIP)
    if match_on not in ImportJob.Match.values or on_match not in ImportJob.OnMatch.values:
        raise ApiError(400, "bad_request", "match_on or on_match is not one of the choices.")
    data = upload.read()
    name = upload.name or "upload.csv"
    if _flag(request.POST.get("dry_run", "")):
        return json_response(
            request,
            200,
            _dry_run(member, kind, name, data, request.POST.get("mapping", ""), match_on, on_match),
        )
    try:
        job = jobs.upload(member, kind, name, data)
    except ValidationError as exc:
        raise ApiError(400, "bad_request", " ".join(exc.messages)) from exc
    try:
        chosen = _mapping(request.POST.get("mapping", ""), list(job.header))
        if chosen is None:
            chosen = {int(i): k for i, k in job.mapping.items()}
        jobs.configure(member, job, chosen, match_on, on_match)
        jobs.start(member, job)
    except (ValidationError, ApiError) as exc:
        jobs.cancel(member, job)  # drops the stored file
        if isinstance(exc, ApiError):
            raise
        raise ApiError(400, "bad_request", " ".join(exc.messages)) from exc
    return json_response(
        request, 201, _out(jobs.reload(job)), {"Location": f"/api/v1/imports/{job.pk}"}
    )


def _dry_run(
    member: Any, kind: str, name: str, data: bytes, raw_mapping: str, match_on: str, on_match: str
) -> DryRunOut:
    fmt = parse.format_of(name)
    if fmt is None:
        raise ApiError(400, "bad_request", "Upload a .csv, .xlsx or .vcf file.")
    try:
        table = parse.read(data, fmt)
    except parse.ParseError as exc:
        raise ApiError(400, "bad_request", str(exc)) from exc
    may_reveal = jobs.may_reveal(member, kind)
    chosen = _mapping(raw_mapping, table.header)
    if chosen is None:
        chosen = mapping.guess(
            table.header, kind, may_reveal=may_reveal, workspace_id=member.workspace_id
        )
    try:
        clean = mapping.check_mapping(
            chosen,
            kind,
            len(table.header),
            may_reveal=may_reveal,
            workspace_id=member.workspace_id,
        )
    except ValueError as exc:
        raise ApiError(400, "bad_request", str(exc)) from exc
    # An unsaved job: a dry run stores nothing, not even the file.
    job = ImportJob(
        workspace_id=member.workspace_id,
        user_id=member.user_id,
        kind=kind,
        header=table.header,
        mapping={str(i): k for i, k in clean.items()},
        match_on=match_on,
        on_match=on_match,
    )
    result = plan.build(member, job, table.rows)
    counts = result.counts()
    return DryRunOut(
        rows=len(table.rows),
        mapping={table.header[i]: k for i, k in clean.items()},
        counts=CountsOut(**{k: v for k, v in counts.items() if k != "new_companies"}),
        new_companies=counts["new_companies"],
        errors=[
            RowErrorOut(
                row=e.row,
                column=e.column,
                value=e.value,
                reason=mapping.reason_text(e.code, e.params),
            )
            for e in result.errors[: jobs.FIRST_ERRORS]
        ],
    )


@router.get(
    "/imports/{id}",
    response={200: ImportOut, **errors(401, 404, 422)},
    operation_id="imports_get",
)
def get_import(request: HttpRequest, id: Id) -> ImportOut:
    """Return an import's status, progress and counts (only the member who started it)."""
    return _out(jobs.own_job(member_of(request), id))


@router.get(
    "/imports/{id}/errors",
    response={200: None, **errors(401, 404, 422)},
    operation_id="imports_errors",
    openapi_extra={
        "responses": {
            200: {
                "description": "Row, Column, Value, Reason: one line per refused cell.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def import_errors(request: HttpRequest, id: Id) -> HttpResponse:
    """Download the rows that were not imported and why, as formula-safe CSV."""
    job = jobs.own_job(member_of(request), id)
    response = StreamingHttpResponse(jobs.error_report(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a streaming answer


@router.post(
    "/imports/{id}/cancel",
    response={200: ImportOut, **errors(401, 404, 422)},
    operation_id="imports_cancel",
)
def cancel_import(request: HttpRequest, id: Id) -> ImportOut:
    """Cancel an import that has not finished: nothing of it is kept."""
    member = member_of(request)
    return _out(jobs.cancel(member, jobs.own_job(member, id)))


refuse_other_methods(router)

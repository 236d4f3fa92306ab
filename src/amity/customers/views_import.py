"""Screens for importing people and companies: upload, mapping, dry run, progress, report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.core import access
from amity.core.models import Membership
from amity.customers.imports import jobs, mapping
from amity.customers.imports.forms import MappingForm, UploadForm
from amity.customers.models import ImportJob
from amity.customers.views import _render, member_view


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _upload(request: HttpRequest, member: Membership, kind: str) -> HttpResponse:
    access.require(member, kind, "create")
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = jobs.upload(member, kind, upload.name, upload.read())
            except ValidationError as exc:
                form.add_error("file", _messages(exc))
            else:
                return redirect("customers:import_mapping", pk=job.pk)
        status = 400
    context = {"form": form, "kind": kind}
    return render(request, "customers/import_upload.html", context, status=status)


@require_http_methods(["GET", "POST"])
@member_view
def person_import(request: HttpRequest, member: Membership) -> HttpResponse:
    """Upload a file of people to import."""
    return _upload(request, member, "person")


@require_http_methods(["GET", "POST"])
@member_view
def company_import(request: HttpRequest, member: Membership) -> HttpResponse:
    """Upload a file of companies to import."""
    return _upload(request, member, "company")


@require_GET
@member_view
def import_list(request: HttpRequest, member: Membership) -> HttpResponse:
    """List the member's own recent imports."""
    context = {
        "jobs": jobs.recent(member),
        "can_person": access.can(member, "person", "create"),
        "can_company": access.can(member, "company", "create"),
    }
    return render(request, "customers/import_list.html", context)


@require_http_methods(["GET", "POST"])
@member_view
def import_mapping(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Choose what each column becomes and the duplicate rule, then see a dry run."""
    job = jobs.own_job(member, pk)
    if job.status != ImportJob.Status.MAPPING:
        return redirect("customers:import_job", pk=job.pk)
    try:
        samples = jobs.preview(job, 3)
    except ValidationError:
        samples = []
    form = MappingForm(
        request.POST or None,
        job=job,
        may_reveal=jobs.may_reveal(member, job.kind),
        samples=samples,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                jobs.configure(
                    member,
                    job,
                    form.chosen(),
                    form.cleaned_data["match_on"],
                    form.cleaned_data["on_match"],
                )
                jobs.dry_run(member, job)
            except ValidationError as exc:
                form.add_error(None, _messages(exc))
            else:
                return redirect("customers:import_job", pk=job.pk)
        status = 400
    context = {"job": job, "form": form}
    return render(request, "customers/import_mapping.html", context, status=status)


def _job_context(job: ImportJob) -> dict[str, object]:
    dry = job.dry_run or {}
    return {
        "job": job,
        "progress": jobs.progress(job),
        "dry_counts": dry.get("counts"),
        "dry_errors": [
            {**e, "reason": mapping.reason_text(e["code"], e.get("params"))}
            for e in dry.get("errors", [])
        ],
        "errors": jobs.first_errors(job) if job.status == ImportJob.Status.DONE else [],
    }


@require_GET
@member_view
def import_job(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show a dry run's result, then the import's progress (htmx polls it), then its counts."""
    job = jobs.own_job(member, pk)
    if job.status == ImportJob.Status.MAPPING and not job.dry_run:
        return redirect("customers:import_mapping", pk=job.pk)
    context = _job_context(job)
    for error in context["errors"]:  # type: ignore[attr-defined]
        error.reason = mapping.reason_text(error.code, error.params)
    return _render(request, "customers/import_job.html", context, "status")


@require_POST
@member_view
def import_start(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Queue the import after its dry run."""
    job = jobs.own_job(member, pk)
    try:
        jobs.start(member, job)
    except ValidationError as exc:
        messages.error(request, " ".join(_messages(exc)))
    return redirect("customers:import_job", pk=job.pk)


@require_POST
@member_view
def import_cancel(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Cancel an import that has not finished; nothing of it stays."""
    job = jobs.cancel(member, jobs.own_job(member, pk))
    if job.status == ImportJob.Status.CANCELLED:
        messages.success(request, _("The import was cancelled. Nothing was imported."))
    elif job.status != ImportJob.Status.DONE:
        messages.info(request, _("The import stops before it writes anything."))
    return redirect("customers:import_job", pk=job.pk)


@require_POST
@member_view
def import_retry(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Run a failed or interrupted import again from its file."""
    job = jobs.own_job(member, pk)
    try:
        jobs.retry(member, job)
    except ValidationError as exc:
        messages.error(request, " ".join(_messages(exc)))
    return redirect("customers:import_job", pk=job.pk)


@require_GET
@member_view
def import_errors(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Download the rows that were not imported and why, as formula-safe CSV."""
    job = jobs.own_job(member, pk)
    response = StreamingHttpResponse(jobs.error_report(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a streaming answer

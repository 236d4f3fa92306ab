"""Screens for data leaving Amity: list exports, export jobs, vCards and data-subject rights."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from amity.core import access
from amity.core.models import Membership
from amity.customers import exports, privacy, selectors
from amity.customers.models import ExportJob, Person
from amity.customers.views import _list_params, _person_qs, member_view


def _export(request: HttpRequest, member: Membership, kind: str) -> HttpResponse:
    access.require(member, kind, "export")
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        fmt = "csv"
    sorts = selectors.PERSON_SORTS if kind == "person" else selectors.COMPANY_SORTS
    params = _list_params(request, sorts)
    cols = ",".join(request.GET.getlist("cols"))[:300]
    chosen = exports.chosen_columns(kind, member.workspace_id, cols)
    if exports.is_large(member, kind, params):
        job = exports.start_job(member, kind, fmt, params, chosen)
        return redirect("customers:export_job", pk=job.pk)
    data, _count = exports.export_now(member, kind, fmt, params, chosen)
    return exports.attachment(data, exports.FORMATS[fmt], exports.file_name(kind, fmt))


@require_GET
@member_view
def person_export(request: HttpRequest, member: Membership) -> HttpResponse:
    """Download the people list with its filters (and chosen columns) as CSV or XLSX (audited)."""
    return _export(request, member, "person")


@require_GET
@member_view
def company_export(request: HttpRequest, member: Membership) -> HttpResponse:
    """Download the companies list with its filters and chosen columns as CSV or XLSX."""
    return _export(request, member, "company")


def _own_job(member: Membership, pk: int) -> ExportJob:
    """Return the member's own export job; anyone else's is a 404."""
    job = ExportJob.objects.filter(
        pk=pk, workspace_id=member.workspace_id, user_id=member.user_id
    ).first()
    if job is None:
        raise Http404
    return job


@require_GET
@member_view
def export_job(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show a large export's progress (htmx polls it) and its download when done."""
    job = _own_job(member, pk)
    template = "customers/_export_status.html" if request.htmx else "customers/export_job.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@require_GET
@member_view
def export_download(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Send a finished export's file to the member who asked for it (audited)."""
    job = _own_job(member, pk)
    path = exports.job_path(job)
    if path is None:
        raise Http404
    exports.record_download(member, job)
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=path.name.split("-", 2)[-1],
        content_type=exports.FORMATS.get(job.format, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a streaming answer


@require_GET
@member_view
def person_vcard(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Download one person as a vCard 4.0 (audited as an export)."""
    person = access.get_for_user(member, Person, pk, queryset=_person_qs(member))
    exports.record_vcard(member, person)
    return exports.attachment(
        exports.vcard(person), "text/vcard; charset=utf-8", f"person-{person.pk}.vcf"
    )


@require_GET
@member_view
def person_privacy_export(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Download everything about a person as a ZIP (data-subject access request)."""
    person = access.get_for_user(member, Person, pk, "privacy", queryset=_person_qs(member))
    data = privacy.export_person(member, person)
    return exports.attachment(data, "application/zip", f"person-{person.pk}-data.zip")


@require_http_methods(["GET", "POST"])
@member_view
def person_erase(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Ask for the person's name, then anonymise them for good (right to erasure)."""
    person = access.get_for_user(member, Person, pk, "privacy", queryset=_person_qs(member))
    error = ""
    status = 200
    if request.method == "POST":
        try:
            privacy.erase_person(
                member,
                person,
                request.POST.get("confirm", "")[:250],
                request.POST.get("reason", "")[:200],
            )
        except ValidationError:
            error = _("Type the person's full name exactly to confirm.")
            status = 400
        else:
            messages.success(request, _("The person was erased."))
            return redirect("customers:person_detail", pk=person.pk)
    context = {"person": person, "error": error, "reason": request.POST.get("reason", "")}
    return render(request, "customers/person_erase.html", context, status=status)

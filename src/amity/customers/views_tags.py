"""Settings → Tags: every tag of the workspace with its use; rename, merge or delete one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers import tags
from amity.customers.models import BulkJob
from amity.customers.views import member_view


@require_GET
@member_view
def tag_list(request: HttpRequest, member: Membership) -> HttpResponse:
    """List the workspace's tags with how many people and companies carry each."""
    tags.require_manage(member)
    rows = list(tags.usage(member))
    return render(request, "customers/tags.html", {"tags": rows})


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _done(request: HttpRequest, job: BulkJob | None, message: str) -> HttpResponse:
    if job is not None:
        return redirect("customers:bulk_job", pk=job.pk)
    messages.success(request, message)
    return redirect("customers:tags")


def _refused(request: HttpRequest, exc: ValidationError | VersionConflict) -> HttpResponse:
    if isinstance(exc, VersionConflict):
        messages.error(request, _("Someone changed this tag meanwhile; check it first."))
    else:
        for error in exc.messages:
            messages.error(request, error)
    return redirect("customers:tags")


@require_POST
@member_view
def tag_rename(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Rename a tag on every record that carries it."""
    tag = tags.get(member, pk)
    old = tag.name
    try:
        job = tags.rename(
            member, tag, request.POST.get("name", "")[:100], expected_version=_version(request)
        )
    except (ValidationError, VersionConflict) as exc:
        return _refused(request, exc)
    return _done(request, job, _("Renamed “%(old)s” to “%(new)s”.") % {"old": old, "new": tag.name})


@require_POST
@member_view
def tag_merge(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Merge a tag into another: records keep the other one, and this one is deleted."""
    source = tags.get(member, pk)
    name = " ".join(request.POST.get("into", "")[:100].split())
    target = tags.find(member, name) if name else None
    try:
        if target is None:
            raise ValidationError({"into": _("Choose the tag to merge into.")})
        job = tags.merge(member, source, target)
    except ValidationError as exc:
        return _refused(request, exc)
    message = _("Merged “%(old)s” into “%(new)s”.") % {"old": source.name, "new": target.name}
    return _done(request, job, message)


@require_POST
@member_view
def tag_delete(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Delete a tag, taking it off every record."""
    tag = tags.get(member, pk)
    try:
        job = tags.delete(member, tag, expected_version=_version(request))
    except VersionConflict as exc:
        return _refused(request, exc)
    return _done(request, job, _("Deleted the tag “%(name)s”.") % {"name": tag.name})

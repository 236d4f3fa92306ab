"""Screens for notes: add one to a record, edit or delete it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amity.activities import interactions, services
from amity.activities.forms import NoteForm
from amity.activities.task_forms import InteractionForm
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers.views import member_view


def _create(request: HttpRequest, member: Membership, subject_type: str, pk: int) -> HttpResponse:
    subject = services.subject_for(member, subject_type, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.create_note(member, subject, form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error("body", exc.message_dict.get("body", exc.messages))
        else:
            messages.success(request, _("Your note is added."))
            return redirect(subject.get_absolute_url())
    response = render(
        request, "activities/note_form.html", {"form": form, "note": None, "subject": subject}
    )
    response.status_code = 400
    return response


@require_POST
@member_view
def person_note_create(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Add a note to a person."""
    return _create(request, member, "person", pk)


@require_POST
@member_view
def company_note_create(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Add a note to a company."""
    return _create(request, member, "company", pk)


@require_http_methods(["GET", "POST"])
@member_view
def note_edit(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Edit a note (its author, or someone who may edit the record)."""
    note = services.get_note(member, pk, "change")
    subject = note.subject  # type: ignore[attr-defined]
    if request.method != "POST":
        form = NoteForm(initial={"body": note.body, "version": note.version})
        return render(
            request, "activities/note_form.html", {"form": form, "note": note, "subject": subject}
        )
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.update_note(
                member,
                note,
                form.cleaned_data["body"],
                expected_version=form.cleaned_data["version"] or 0,
            )
        except VersionConflict:
            form.add_error(None, _("Someone changed this note meanwhile. Reload and try again."))
        except ValidationError as exc:
            form.add_error("body", exc.message_dict.get("body", exc.messages))
        else:
            messages.success(request, _("Your note is saved."))
            return redirect(subject.get_absolute_url())
    response = render(
        request, "activities/note_form.html", {"form": form, "note": note, "subject": subject}
    )
    response.status_code = 400
    return response


@require_POST
@member_view
def note_delete(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Delete a note and take it off the timeline."""
    note = services.get_note(member, pk, "change")
    subject_url = note.subject.get_absolute_url()  # type: ignore[attr-defined]
    version = request.POST.get("version", "")
    try:
        # A post without the version the note was shown at is treated as stale.
        services.delete_note(
            member, note, expected_version=int(version) if version.isdigit() else 0
        )
    except VersionConflict:
        messages.error(request, _("Someone changed this note meanwhile. Reload and try again."))
        return redirect(subject_url)
    messages.success(request, _("The note is deleted."))
    return redirect(subject_url)


def _log(request: HttpRequest, member: Membership, subject_type: str, pk: int) -> HttpResponse:
    subject = services.subject_for(member, subject_type, pk)
    form = InteractionForm(request.POST)
    if form.is_valid():
        try:
            item = interactions.log(member, subject, form.cleaned_data)
        except ValidationError as exc:
            for name, problems in exc.message_dict.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        else:
            messages.success(request, _("Logged: %(what)s.") % {"what": interactions.summary(item)})
            return redirect(subject.get_absolute_url())
    response = render(
        request, "activities/interaction_form.html", {"form": form, "subject": subject}
    )
    response.status_code = 400
    return response


@require_POST
@member_view
def person_log(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Log a call or a meeting with a person."""
    return _log(request, member, "person", pk)


@require_POST
@member_view
def company_log(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Log a call or a meeting with a company."""
    return _log(request, member, "company", pk)

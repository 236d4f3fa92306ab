"""Screens for reminders, scheduled emails, the task trash and editing logged calls."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.activities import (
    events,
    interactions,
    reminder_services,
    reminders,
    scheduled_emails,
    services,
    task_services,
)
from amity.activities.reminder_forms import (
    EventRemindersForm,
    InteractionEditForm,
    RemindMeForm,
    ScheduledEmailForm,
)
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers.models import Person
from amity.customers.views import member_view


def _int(value: str | None) -> int | None:
    if value and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _add_errors(form: Form, exc: ValidationError) -> None:
    for name, problems in exc.message_dict.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)


def _invalid(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    response = render(request, template, context)
    response.status_code = 400
    return response


# "Remind me" on a record ------------------------------------------------------


def _remind(request: HttpRequest, member: Membership, subject_type: str, pk: int) -> HttpResponse:
    subject = services.subject_for(member, subject_type, pk)
    form = RemindMeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            moment = reminder_services.preset_moment(
                data["preset"], member.user.time_zone, custom=data["custom"]
            )
            reminder_services.create(
                member,
                subject_type,
                subject.pk,
                remind_at=moment,
                note=data["note"],
                email=data["email"],
                in_app=data["in_app"],
            )
        except ValidationError as exc:
            if "remind_at" in exc.message_dict:
                form.add_error("custom", exc.message_dict.pop("remind_at"))
            _add_errors(form, ValidationError(exc.message_dict) if exc.message_dict else exc)
        else:
            messages.success(request, _("You will be reminded."))
            return redirect(subject.get_absolute_url())
    return _invalid(request, "activities/remind_me_form.html", {"form": form, "subject": subject})


@require_POST
@member_view
def person_remind(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Set a reminder about a person for the member."""
    return _remind(request, member, "person", pk)


@require_POST
@member_view
def company_remind(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Set a reminder about a company for the member."""
    return _remind(request, member, "company", pk)


@require_GET
@member_view
def my_reminders(request: HttpRequest, member: Membership) -> HttpResponse:
    """List the member's pending reminders."""
    items = list(reminder_services.mine(member)[:200])
    return render(request, "activities/reminders.html", {"reminders": items})


@require_POST
@member_view
def reminder_cancel(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Cancel one of the member's reminders."""
    reminder = reminder_services.get_mine(member, pk)
    version = _int(request.POST.get("version")) or 0
    try:
        reminder_services.cancel(member, reminder, expected_version=version)
    except VersionConflict:
        messages.error(request, _("This reminder changed meanwhile. Reload and try again."))
    else:
        messages.success(request, _("The reminder is cancelled."))
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/reminders/")


# Event reminders ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_view
def event_reminders(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Choose an event's reminders (its organizer): offsets, in the bell and/or by email."""
    event = events.get_event(member, pk, "edit")
    if request.method != "POST":
        pending = reminders.event_offsets(event)
        form = EventRemindersForm(initial={"offsets": pending, "in_app": True})
        return render(request, "activities/event_reminders.html", {"form": form, "event": event})
    form = EventRemindersForm(request.POST)
    if not form.is_valid() or not (form.cleaned_data["in_app"] or form.cleaned_data["email"]):
        if form.is_valid():
            form.add_error("in_app", _("Choose the bell, email or both."))
        return _invalid(request, "activities/event_reminders.html", {"form": form, "event": event})
    data = form.cleaned_data
    reminders.set_for_event(event, data["offsets"], email=data["email"], in_app=data["in_app"])
    messages.success(request, _("The event's reminders are saved."))
    return redirect(event.get_absolute_url())


# Scheduled emails ---------------------------------------------------------------


@require_POST
@member_view
def person_schedule_email(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Write an email to a person, to be sent later."""
    person = services.subject_for(member, "person", pk)
    form = ScheduledEmailForm(request.POST)
    if form.is_valid():
        try:
            scheduled_emails.schedule(member, person, form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The email is scheduled."))
            return redirect(person.get_absolute_url())
    context = {"form": form, "person": person, "item": None}
    return _invalid(request, "activities/scheduled_email_form.html", context)


@require_http_methods(["GET", "POST"])
@member_view
def scheduled_email_edit(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Change a pending scheduled email (its author, or someone who may edit the person)."""
    item = scheduled_emails.get_for_member(member, pk, "change")
    context: dict[str, Any] = {"item": item, "person": item.person}
    if request.method != "POST":
        initial = {
            "subject": item.subject,
            "body": item.body,
            "send_at": item.send_at,
            "version": item.version,
        }
        context["form"] = ScheduledEmailForm(initial=initial)
        return render(request, "activities/scheduled_email_form.html", context)
    form = context["form"] = ScheduledEmailForm(request.POST)
    if form.is_valid():
        try:
            scheduled_emails.update(
                member, item, form.cleaned_data, expected_version=form.cleaned_data["version"] or 0
            )
        except VersionConflict:
            form.add_error(None, _("This email changed or went meanwhile. Reload and try again."))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The email is saved."))
            return redirect(item.person.get_absolute_url())
    return _invalid(request, "activities/scheduled_email_form.html", context)


@require_POST
@member_view
def scheduled_email_cancel(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Cancel a scheduled email before it goes."""
    item = scheduled_emails.get_for_member(member, pk, "change")
    try:
        scheduled_emails.cancel(
            member, item, expected_version=_int(request.POST.get("version")) or 0
        )
    except VersionConflict:
        messages.error(request, _("This email changed or went meanwhile. Reload and try again."))
    else:
        messages.success(request, _("The email is cancelled."))
    return redirect(item.person.get_absolute_url())


# Task trash ---------------------------------------------------------------------


@require_GET
@member_view
def task_trash(request: HttpRequest, member: Membership) -> HttpResponse:
    """List the tasks the member may restore from the trash (last 30 days)."""
    items = list(task_services.trashed(member)[:200])
    context = {"tasks": items, "days": task_services.TRASH_DAYS}
    return render(request, "activities/task_trash.html", context)


@require_POST
@member_view
def task_restore(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Take a task out of the trash."""
    task = task_services.get_trashed(member, pk)
    task_services.restore_task(member, task)
    messages.success(request, _("Restored: %(title)s.") % {"title": task.title})
    return redirect("activities:task_trash")


# Editing logged calls and meetings ------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_view
def interaction_edit(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Edit a logged call or meeting (its author, or someone who may edit the record)."""
    item = interactions.get_interaction(member, pk, "change")
    subject = item.subject  # type: ignore[attr-defined]
    context: dict[str, Any] = {"item": item, "subject": subject}
    if request.method != "POST":
        initial = {
            "direction": item.direction or "outbound",
            "outcome": item.outcome,
            "duration_minutes": item.duration_minutes,
            "occurred_at": item.occurred_at,
            "notes": item.notes,
            "version": item.version,
        }
        context["form"] = InteractionEditForm(initial=initial)
        return render(request, "activities/interaction_edit.html", context)
    form = context["form"] = InteractionEditForm(request.POST)
    if form.is_valid():
        try:
            interactions.update(
                member, item, form.cleaned_data, expected_version=form.cleaned_data["version"] or 0
            )
        except VersionConflict:
            form.add_error(None, _("Someone changed this entry meanwhile. Reload and try again."))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved: %(what)s.") % {"what": interactions.summary(item)})
            return redirect(subject.get_absolute_url())
    return _invalid(request, "activities/interaction_edit.html", context)


@require_POST
@member_view
def interaction_delete(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Delete a logged call or meeting and take it off the timeline."""
    item = interactions.get_interaction(member, pk, "change")
    subject_url = item.subject.get_absolute_url()  # type: ignore[attr-defined]
    try:
        interactions.delete(member, item, expected_version=_int(request.POST.get("version")) or 0)
    except VersionConflict:
        messages.error(request, _("Someone changed this entry meanwhile. Reload and try again."))
    else:
        messages.success(request, _("The entry is deleted."))
    return redirect(subject_url)


# Panels on the record page ------------------------------------------------------


def remind_panel(member: Membership, record: Any) -> dict[str, Any]:
    return {
        "reminders": reminder_services.for_record(member, record),
        "form": RemindMeForm(auto_id="remind-%s"),
    }


def scheduled_panel(member: Membership, record: Any) -> dict[str, Any]:
    assert isinstance(record, Person)
    items = list(scheduled_emails.for_person(member, record).exclude(status="cancelled")[:10])
    return {
        "items": items,
        "form": ScheduledEmailForm(auto_id="schedule-%s"),
        "may_write": scheduled_emails.may_write(member),
        "consent": bool(record.email and record.email_consent),
    }

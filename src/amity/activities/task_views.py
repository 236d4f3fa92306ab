"""Screens for tasks: My day, the team's tasks, the list, add, edit, complete, reassign."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.activities import alerts, reminders
from amity.activities import task_selectors as selectors
from amity.activities import task_services as services
from amity.activities.models import Task
from amity.activities.task_forms import AlertPreferenceForm, ReassignForm, TaskForm
from amity.core import access
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership, Team
from amity.customers.forms import member_users
from amity.customers.views import member_view


def _id(value: str | None) -> int | None:
    if value and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and (
        target.startswith("/")
    ):
        return target
    return default


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], partial: str
) -> HttpResponse:
    name = f"{template}#{partial}" if request.htmx else template  # type: ignore[attr-defined]
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@member_view
def my_day(request: HttpRequest, member: Membership) -> HttpResponse:
    """Show the member's overdue tasks, today's, and the next two weeks'."""
    day = selectors.my_day(member)
    services.mark_changeable(member, day.overdue + day.due_today + day.upcoming)
    return render(
        request,
        "activities/my_day.html",
        {"day": day, "may_create": access.can(member, "task", "create")},
    )


@require_GET
@member_view
def team_tasks(request: HttpRequest, member: Membership) -> HttpResponse:
    """Show the open tasks of a team (the member's own team first)."""
    teams = list(Team.objects.filter(workspace_id=member.workspace_id).order_by("name"))
    wanted = _id(request.GET.get("team"))
    team = next((t for t in teams if t.pk == wanted), None) or next(
        (t for t in teams if t.pk == member.team_id), None
    )
    rows = services.mark_changeable(member, selectors.team_tasks(member, team.pk if team else None))
    return render(
        request, "activities/team_tasks.html", {"teams": teams, "team": team, "tasks": rows}
    )


def _params(request: HttpRequest) -> selectors.ListParams:
    get = request.GET
    priority = _id(get.get("priority"))
    return selectors.ListParams(
        status=get.get("status", "open")[:10],
        assignee=get.get("assignee", "")[:20],
        due=get.get("due", "")[:10],
        priority=priority,
        q=get.get("q", "")[:100].replace("\x00", ""),
        person=_id(get.get("person")),
        company=_id(get.get("company")),
        sort=get.get("sort", "due")[:10],
        after=get.get("after") or None,
        before=get.get("before") or None,
    )


@require_GET
@member_view
def task_list(request: HttpRequest, member: Membership) -> HttpResponse:
    """List the tasks the member may see, filtered; htmx gets only the results."""
    params = _params(request)
    page = selectors.tasks(member, params)
    context = {
        "page": page,
        "params": params,
        "statuses": Task.Status.choices,
        "priorities": Task.Priority.choices,
        "members": member_users(member),
        "may_reassign": access.can(member, "task", "edit"),
    }
    return _render(request, "activities/task_list.html", context, "results")


def _form_page(
    request: HttpRequest, form: TaskForm, task: Task | None, status: int = 200, **extra: Any
) -> HttpResponse:
    response = render(
        request,
        "activities/task_form.html",
        {"form": form, "task": task, "next": _next(request, ""), **extra},
    )
    response.status_code = status
    return response


def _add_errors(form: TaskForm, exc: ValidationError) -> None:
    for name, problems in exc.message_dict.items():
        field = name if name in form.fields else "related_id" if name == "related" else None
        for problem in problems:
            form.add_error(field, problem)


@require_http_methods(["GET", "POST"])
@member_view
def task_create(request: HttpRequest, member: Membership) -> HttpResponse:
    """Add a task (the full form, or the quick form of My day, a record page or the top bar)."""
    if not access.can(member, "task", "create"):
        raise PermissionDenied(_("Your role may not add tasks."))
    if request.method != "POST":
        initial: dict[str, Any] = {"owner": member.user_id, "priority": 2, "repeat_every": 1}
        for kind in ("person", "company"):
            if (pk := _id(request.GET.get(kind))) is not None:
                initial.update(related_type=kind, related_id=pk)
        return _form_page(request, TaskForm(member, initial=initial), None)
    form = TaskForm(member, request.POST)
    if form.is_valid():
        try:
            task = services.create_task(member, form.service_data(member))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The task “%(title)s” is added.") % {"title": task.title})
            return redirect(_next(request, "activities:my_day"))
    return _form_page(request, form, None, 400)


@require_http_methods(["GET", "POST"])
@member_view
def task_edit(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show a task and edit it; a stale form is refused with a conflict message."""
    task = services.get_task(member, pk)
    may_edit = services.may(member, "edit", task)
    extra = {
        "may_edit": may_edit,
        "may_delete": services.may(member, "delete", task),
        "conflict": False,
    }
    if request.method != "POST":
        initial = TaskForm.initial_from(task)
        if (reminder := reminders.pending_for(task)) is not None:
            initial.update(remind=reminder.minutes_before, remind_email=reminder.email)
        form = TaskForm(member, initial=initial)
        return _form_page(request, form, task, **extra)
    if not may_edit:
        raise PermissionDenied(_("Your role may not change this task."))
    form = TaskForm(member, request.POST)
    if form.is_valid():
        try:
            services.update_task(
                member,
                task,
                form.service_data(member),
                expected_version=form.cleaned_data["version"] or 0,
            )
        except VersionConflict:
            extra["conflict"] = True
            form.add_error(
                None,
                _("Someone changed this task meanwhile. Reload it and make your changes again."),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The task is saved."))
            return redirect(_next(request, "activities:my_day"))
    return _form_page(request, form, task, 409 if extra["conflict"] else 400, **extra)


def _after_change(request: HttpRequest, task: Task, message: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        task.may_change = True  # type: ignore[attr-defined]
        response = render(request, "activities/_task_row.html", {"task": task, "flash": message})
        patch_vary_headers(response, ["HX-Request"])
        return response
    messages.success(request, message)
    return redirect(_next(request, "activities:my_day"))


def _version(request: HttpRequest) -> int | None:
    return _id(request.POST.get("version"))


def _conflict(request: HttpRequest, task: Task) -> HttpResponse:
    message = _("Someone changed this task meanwhile. Reload and try again.")
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return redirect(_next(request, task.get_absolute_url()))


@require_POST
@member_view
def task_complete(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Mark a task done (and schedule its next occurrence when it repeats)."""
    task = services.get_task(member, pk, "edit")
    try:
        nxt = services.complete_task(member, task, expected_version=_version(request))
    except VersionConflict:
        return _conflict(request, task)
    message = _("Done: %(title)s.") % {"title": task.title}
    if nxt is not None:
        message += " " + _("Next due %(date)s.") % {"date": nxt.due_date.isoformat()}
    return _after_change(request, task, message)


@require_POST
@member_view
def task_reopen(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Open a done or cancelled task again."""
    task = services.get_task(member, pk, "edit")
    try:
        services.reopen_task(member, task, expected_version=_version(request))
    except VersionConflict:
        return _conflict(request, task)
    return _after_change(request, task, _("Reopened: %(title)s.") % {"title": task.title})


@require_POST
@member_view
def task_cancel(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Cancel an open task."""
    task = services.get_task(member, pk, "edit")
    try:
        services.cancel_task(member, task, expected_version=_version(request))
    except VersionConflict:
        return _conflict(request, task)
    return _after_change(request, task, _("Cancelled: %(title)s.") % {"title": task.title})


@require_POST
@member_view
def task_delete(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Move a task to the trash."""
    task = services.get_task(member, pk, "delete")
    try:
        services.trash_task(member, task, expected_version=_version(request))
    except VersionConflict:
        return _conflict(request, task)
    messages.success(request, _("The task is deleted."))
    return redirect("activities:task_list")


@require_POST
@member_view
def task_reassign(request: HttpRequest, member: Membership) -> HttpResponse:
    """Give the chosen tasks to another assignee (those the member may edit)."""
    if not access.can(member, "task", "edit"):
        raise PermissionDenied(_("Your role may not change tasks."))
    form = ReassignForm(member, request.POST)
    if not form.is_valid() or not form.task_ids():
        messages.error(request, _("Choose tasks and a new assignee."))
        return redirect(_next(request, "activities:task_list"))
    moved = services.reassign(member, form.task_ids(), form.cleaned_data["owner"])
    messages.success(
        request,
        ngettext("%(n)d task reassigned.", "%(n)d tasks reassigned.", moved) % {"n": moved},
    )
    return redirect(_next(request, "activities:task_list"))


@require_http_methods(["GET", "POST"])
@member_view
def alert_settings(request: HttpRequest, member: Membership) -> HttpResponse:
    """Choose how to hear about assigned tasks and reminders, and the daily digest."""
    pref = alerts.preferences(member)
    if request.method == "POST":
        form = AlertPreferenceForm(request.POST)
        if form.is_valid():
            alerts.save_preferences(member, form.cleaned_data)
            messages.success(request, _("Your notification settings are saved."))
            return redirect("activities:alert_settings")
    else:
        form = AlertPreferenceForm(
            initial={name: getattr(pref, name) for name in AlertPreferenceForm.base_fields}
        )
    return render(request, "activities/alert_settings.html", {"form": form})

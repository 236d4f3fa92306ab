"""Verbs on tasks. Views and the API both call these.

Who may do what (core.roles grants on "task"): the assignee is the task's
`owner`, so "own" means tasks assigned to you and "team" tasks assigned to
someone in your team. A task assigned to a whole team (no person yet) is
treated as owned by everyone in that team.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.activities import alerts, recurrence, reminders
from amity.activities.models import Reminder, Task
from amity.core import access, audit, notifications
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership, Team, User
from amity.customers import timeline
from amity.customers.models import Company, Person

# The record kinds a task can be about; deals, tickets and orders add theirs later.
RELATED_MODELS: dict[str, type[Company] | type[Person]] = {"person": Person, "company": Company}
FIELDS = [
    "title",
    "description",
    "due_date",
    "due_time",
    "priority",
    "owner",
    "team",
    "person",
    "company",
    "repeat",
    "repeat_every",
    "repeat_weekdays",
]
BULK_LIMIT = 200


def visible(member: Membership, action: str = "view") -> QuerySet[Task]:
    """Return the live tasks the member may see (or act on), in their workspace."""
    qs = access.visible(member, Task, action=action)
    if member.team_id is not None and access.scope_for(member, "task", action) is not None:
        qs = qs | Task.objects.filter(
            workspace_id=member.workspace_id,
            deleted_at__isnull=True,
            owner__isnull=True,
            team_id=member.team_id,
        )
    return qs


def may(member: Membership, action: str, task: Task) -> bool:
    """Return whether the member may do `action` on the task."""
    if access.can(member, "task", action, task):
        return True
    return (
        task.owner_id is None
        and task.team_id is not None
        and task.team_id == member.team_id
        and access.scope_for(member, "task", action) is not None
    )


def get_task(member: Membership, pk: Any, action: str = "view") -> Task:
    """Return a task the member may see; 404 otherwise, 403 when `action` is not allowed."""
    try:
        task = (
            visible(member)
            .select_related("owner", "team", "person", "company", "completed_by")
            .get(pk=int(pk))
        )
    except (Task.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    if action != "view" and not may(member, action, task):
        raise PermissionDenied(_("Your role may not change this task."))
    return task


def _assignee(member: Membership, user_id: Any) -> User | None:
    if user_id in (None, ""):
        return None
    found = (
        User.objects.filter(
            pk=int(user_id),
            is_active=True,
            memberships__workspace_id=member.workspace_id,
            memberships__is_active=True,
        )
        .only("id", "email", "full_name", "time_zone", "language", "email_on_mention")
        .first()
    )
    if found is None:
        raise ValidationError({"owner": _("Choose a member of this workspace.")})
    return found


def _team(member: Membership, team_id: Any) -> Team | None:
    if team_id in (None, ""):
        return None
    found = Team.objects.filter(pk=int(team_id), workspace_id=member.workspace_id).first()
    if found is None:
        raise ValidationError({"team": _("Choose a team of this workspace.")})
    return found


def related_record(
    member: Membership, related_type: str, related_id: Any
) -> Company | Person | None:
    """Return the record a task is about, if the member may see it; None for none."""
    if not related_type and related_id in (None, ""):
        return None
    model = RELATED_MODELS.get(related_type)
    if model is None:
        raise ValidationError({"related": _("Choose a person or a company.")})
    try:
        record: Company | Person = access.get_for_user(member, model, related_id)
    except Http404 as exc:
        raise ValidationError({"related": _("That record does not exist.")}) from exc
    return record


def _clean(member: Membership, data: dict[str, Any], task: Task | None) -> dict[str, Any]:
    """Check and complete the task's values; raise ValidationError naming the fields."""
    errors: dict[str, str] = {}
    title = " ".join(str(data.get("title") or "").split())
    if not title:
        errors["title"] = _("Give the task a title.")
    elif len(title) > 200:
        errors["title"] = _("Use at most %(n)d characters.") % {"n": 200}
    description = str(data.get("description") or "").strip()
    if len(description) > 5000 or "\x00" in description + title:
        errors["description"] = _("Use at most %(n)d characters.") % {"n": 5000}
    due_date = data.get("due_date")
    if not isinstance(due_date, date):
        errors["due_date"] = _("Enter a due date.")
    if isinstance(due_date, date) and not 1900 <= due_date.year <= 2999:
        errors["due_date"] = _("Enter a date between the years 1900 and 2999.")
    due_time = data.get("due_time")
    if due_time is not None and not isinstance(due_time, time):
        errors["due_time"] = _("Enter a valid time.")
    elif due_time is not None:
        # The wall-clock time is in the assignee's zone; an offset sent along is dropped.
        due_time = due_time.replace(tzinfo=None, microsecond=0)
    repeat = data.get("repeat") or ""
    if repeat not in Task.Repeat.values:
        errors["repeat"] = _("Choose how the task repeats.")
    every = data.get("repeat_every") or 1
    if not isinstance(every, int) or not 1 <= every <= 999:
        errors["repeat_every"] = _("Enter a number from 1 to 999.")
    weekdays = "".join(
        str(d) for d in recurrence.parse_weekdays(str(data.get("repeat_weekdays") or ""))
    )
    priority = data.get("priority") or Task.Priority.NORMAL
    if priority not in Task.Priority.values:
        errors["priority"] = _("Choose a priority.")
    if errors:
        raise ValidationError(errors)
    owner = _assignee(member, data.get("owner"))
    team = _team(member, data.get("team"))
    if owner is None and team is None:
        raise ValidationError({"owner": _("Assign the task to a person or a team.")})
    related = related_record(member, str(data.get("related_type") or ""), data.get("related_id"))
    # A repeat keeps the first occurrence's day of month (see recurrence.next_date).
    repeat_day = task.repeat_day if task and task.due_date == due_date else due_date.day  # type: ignore[union-attr]
    zone_name = owner.time_zone if owner is not None else member.user.time_zone
    return {
        "title": title,
        "description": description,
        "due_date": due_date,
        "due_time": due_time,
        "time_zone": recurrence.zone(zone_name).key,
        "due_at": recurrence.due_moment(due_date, due_time, zone_name),  # type: ignore[arg-type]
        "priority": priority,
        "owner": owner,
        "team": team,
        "person": related if isinstance(related, Person) else None,
        "company": related if isinstance(related, Company) else None,
        "repeat": repeat,
        "repeat_every": every,
        "repeat_weekdays": weekdays if repeat == Task.Repeat.WEEKLY else "",
        "repeat_day": repeat_day if repeat in (Task.Repeat.MONTHLY, Task.Repeat.YEARLY) else None,
    }


def _notify_assigned(member: Membership, task: Task) -> None:
    """Tell the assignee about a task someone else gave them."""
    if task.owner_id is None or task.owner_id == member.user_id:
        return
    assignee = (
        Membership.objects.filter(
            workspace_id=member.workspace_id, user_id=task.owner_id, is_active=True
        )
        .select_related("user")
        .first()
    )
    if assignee is None:
        return
    with notifications.in_language_of(assignee.user):
        text = _("%(who)s assigned you a task: %(title)s") % {
            "who": member.user.display_name,
            "title": task.title,
        }
    alerts.tell(
        assignee, kind="task_assigned", text=text, url=task.get_absolute_url(), actor=member.user
    )


def _audit_values(task: Task) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in FIELDS:
        field = Task._meta.get_field(name)
        value = getattr(task, getattr(field, "attname", name))
        values[name] = str(value) if value is not None else None
    return values


@transaction.atomic
def create_task(member: Membership, data: dict[str, Any]) -> Task:
    """Create a task; tell its assignee when that is someone else."""
    if not access.can(member, "task", "create"):
        raise PermissionDenied(_("Your role may not add tasks."))
    values = _clean(member, data, None)
    task = Task.objects.create(
        workspace_id=member.workspace_id, created_by_id=member.user_id, **values
    )
    if task.repeat:
        task.series = task.uid
        Task.objects.filter(pk=task.pk, workspace_id=member.workspace_id).update(series=task.uid)
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=task,
        changes={k: [None, v] for k, v in _audit_values(task).items() if v not in (None, "")},
    )
    if data.get("remind") is not None:
        reminders.set_for_task(task, data["remind"], email=bool(data.get("remind_email")))
    _notify_assigned(member, task)
    return task


@transaction.atomic
def update_task(
    member: Membership, task: Task, data: dict[str, Any], *, expected_version: int
) -> Task:
    """Change a task if it is still at `expected_version`."""
    if not may(member, "edit", task):
        raise PermissionDenied(_("Your role may not change this task."))
    before = _audit_values(task)
    old_owner = task.owner_id
    values = _clean(member, data, task)
    now = timezone.now()
    updated = Task.objects.filter(
        pk=task.pk, workspace_id=member.workspace_id, version=expected_version, deleted_at=None
    ).update(**values, version=F("version") + 1, updated_at=now)
    if updated == 0:
        raise VersionConflict(
            Task.objects.filter(pk=task.pk, workspace_id=member.workspace_id).first()
        )
    for name, value in values.items():
        setattr(task, name, value)
    task.version, task.updated_at = expected_version + 1, now
    changes = audit.diff(before, _audit_values(task))
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=task,
        changes=changes,
    )
    if "remind" in data:
        reminders.set_for_task(task, data["remind"], email=bool(data.get("remind_email")))
    else:
        reminders.follow_task(task)
    if task.owner_id != old_owner:
        _notify_assigned(member, task)
    if task.status == Task.Status.DONE:
        _rewrite_timeline(member, task)
    return task


def _timeline_entry(task: Task) -> dict[str, Any]:
    return {
        "task_id": task.pk,
        "title": task.title,
        "url": task.get_absolute_url(),
        "status": task.status,
    }


def _source(task: Task) -> timeline.Source:
    return timeline.Source("activities", "task", task.pk)


def _rewrite_timeline(member: Membership, task: Task) -> None:
    timeline.update_source(
        member.workspace_id,
        _source(task),
        summary=_("Completed task: %(title)s") % {"title": task.title},
        data=_timeline_entry(task),
    )


def _transition(
    member: Membership, task: Task, *, src: str, dst: str, expected_version: int | None
) -> None:
    if not may(member, "edit", task):
        raise PermissionDenied(_("Your role may not change this task."))
    now = timezone.now()
    qs = Task.objects.filter(
        pk=task.pk, workspace_id=member.workspace_id, status=src, deleted_at=None
    )
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    done = dst == Task.Status.DONE
    changed = qs.update(
        status=dst,
        completed_at=now if done else None,
        completed_by_id=member.user_id if done else None,
        version=F("version") + 1,
        updated_at=now,
    )
    if changed == 0:
        raise VersionConflict(
            Task.objects.filter(pk=task.pk, workspace_id=member.workspace_id).first()
        )
    task.status, task.updated_at = dst, now
    task.completed_at = now if done else None
    task.completed_by_id = member.user_id if done else None
    task.version = (expected_version or task.version) + 1
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=task,
        changes={"status": [src, dst]},
    )
    reminders.follow_task(task)


@transaction.atomic
def complete_task(
    member: Membership, task: Task, *, expected_version: int | None = None
) -> Task | None:
    """Mark an open task done, put it on its record's timeline; return the next occurrence."""
    previous = reminders.pending_for(task)
    _transition(
        member, task, src=Task.Status.OPEN, dst=Task.Status.DONE, expected_version=expected_version
    )
    subject = task.related
    if subject is not None and subject.deleted_at is None:
        timeline.add(
            member,
            subject,
            timeline.Kind.TASK,
            _("Completed task: %(title)s") % {"title": task.title},
            _timeline_entry(task),
            occurred_at=task.completed_at,
            source=_source(task),
        )
    if not task.repeat:
        return None
    nxt = _next_occurrence(member, task)
    if previous is not None:
        reminders.set_for_task(nxt, previous.minutes_before, email=previous.email)
    return nxt


def _next_occurrence(member: Membership, task: Task) -> Task:
    following = recurrence.next_date(
        task.due_date,
        task.repeat,
        every=task.repeat_every,
        weekdays=task.repeat_weekdays,
        day=task.repeat_day,
    )
    nxt = Task.objects.create(
        workspace_id=task.workspace_id,
        title=task.title,
        description=task.description,
        due_date=following,
        due_time=task.due_time,
        time_zone=task.time_zone,
        due_at=recurrence.due_moment(following, task.due_time, task.time_zone),
        priority=task.priority,
        owner_id=task.owner_id,
        team_id=task.team_id,
        person_id=task.person_id,
        company_id=task.company_id,
        repeat=task.repeat,
        repeat_every=task.repeat_every,
        repeat_weekdays=task.repeat_weekdays,
        repeat_day=task.repeat_day,
        series=task.series or task.uid,
        created_by_id=member.user_id,
    )
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=nxt,
        changes={"due_date": [None, str(following)], "series": [None, str(nxt.series)]},
    )
    return nxt


@transaction.atomic
def reopen_task(member: Membership, task: Task, *, expected_version: int | None = None) -> None:
    """Open a done or cancelled task again and take it off the timeline."""
    src = task.status if task.status != Task.Status.OPEN else Task.Status.DONE
    _transition(member, task, src=src, dst=Task.Status.OPEN, expected_version=expected_version)
    timeline.remove_source(member.workspace_id, _source(task))


@transaction.atomic
def cancel_task(member: Membership, task: Task, *, expected_version: int | None = None) -> None:
    """Cancel an open task (a repeating one stops repeating with it)."""
    _transition(
        member,
        task,
        src=Task.Status.OPEN,
        dst=Task.Status.CANCELLED,
        expected_version=expected_version,
    )


@transaction.atomic
def trash_task(member: Membership, task: Task, *, expected_version: int | None = None) -> None:
    """Move a task to the trash (restorable for 30 days) and off the timeline."""
    if not may(member, "delete", task):
        raise PermissionDenied(_("Your role may not delete this task."))
    now = timezone.now()
    qs = Task.objects.filter(pk=task.pk, workspace_id=member.workspace_id, deleted_at=None)
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    if qs.update(deleted_at=now, version=F("version") + 1) == 0:
        raise VersionConflict(
            Task.objects.filter(pk=task.pk, workspace_id=member.workspace_id).first()
        )
    task.deleted_at = now
    task.version += 1
    reminders.follow_task(task)
    timeline.remove_source(member.workspace_id, _source(task))
    audit.record(audit.Action.DELETE, workspace=member.workspace_id, actor=member.user, obj=task)


@transaction.atomic
def reassign(member: Membership, ids: list[int], assignee_id: Any) -> int:
    """Give the chosen tasks the member may edit to another assignee; return how many."""
    owner = _assignee(member, assignee_id)
    if owner is None:
        raise ValidationError({"owner": _("Choose a member of this workspace.")})
    tasks = list(
        visible(member, "edit")
        .filter(pk__in=ids[:BULK_LIMIT])
        .exclude(owner_id=owner.pk)
        .select_related("owner")
        .order_by("pk")
    )
    moved = 0
    for task in tasks:
        if not may(member, "edit", task):
            continue
        old = task.owner_id
        now = timezone.now()
        due_at = recurrence.due_moment(task.due_date, task.due_time, owner.time_zone)
        values = {
            "owner_id": owner.pk,
            "time_zone": recurrence.zone(owner.time_zone).key,
            "due_at": due_at,
        }
        if not Task.objects.filter(
            pk=task.pk, workspace_id=member.workspace_id, version=task.version
        ).update(**values, version=F("version") + 1, updated_at=now):
            continue
        task.owner_id = owner.pk
        task.version += 1
        task.due_at = due_at
        reminders.follow_task(task)
        moved += 1
        audit.record(
            audit.Action.UPDATE,
            workspace=member.workspace_id,
            actor=member.user,
            obj=task,
            changes={"owner": [str(old) if old else None, str(owner.pk)]},
        )
        _notify_assigned(member, task)
    return moved


def forget(workspace_id: int, subject_type: str, ids: list[int]) -> None:
    """Unlink tasks from records about to be deleted for good (the tasks stay)."""
    field = "person_id__in" if subject_type == "person" else "company_id__in"
    column = "person" if subject_type == "person" else "company"
    Task.objects.filter(Q(**{field: ids}), workspace_id=workspace_id).update(**{column: None})


def mark_changeable(member: Membership, tasks: list[Task]) -> list[Task]:
    """Set `may_change` on each task (whether the member may edit it), in at most one query."""
    scope = access.scope_for(member, "task", "edit")
    team_users: set[int] = set()
    if scope == "team" and member.team_id is not None:
        team_users = set(
            Membership.objects.filter(
                workspace_id=member.workspace_id, team_id=member.team_id, is_active=True
            ).values_list("user_id", flat=True)
        )
    for task in tasks:
        ok = scope == "all" or (scope is not None and task.owner_id == member.user_id)
        ok = ok or (scope == "team" and task.owner_id in team_users)
        ok = ok or (
            scope is not None
            and task.owner_id is None
            and task.team_id is not None
            and task.team_id == member.team_id
        )
        task.may_change = ok  # type: ignore[attr-defined]
    return tasks


TRASH_DAYS = 30


def trashed(member: Membership) -> QuerySet[Task]:
    """Return the member's deletable tasks in the trash (the last 30 days), newest first."""
    cutoff = timezone.now() - timedelta(days=TRASH_DAYS)
    qs = access.visible(member, Task, action="delete", deleted=True)
    return qs.filter(deleted_at__gte=cutoff).select_related("owner").order_by("-deleted_at", "-id")


def get_trashed(member: Membership, pk: Any) -> Task:
    """Return a trashed task the member may see; 404 otherwise, 403 if they may not restore it."""
    cutoff = timezone.now() - timedelta(days=TRASH_DAYS)
    qs = access.visible(member, Task, deleted=True).filter(deleted_at__gte=cutoff)
    try:
        task: Task = qs.get(pk=int(pk))
    except (Task.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    if not may(member, "delete", task):
        raise PermissionDenied(_("Your role may not restore this task."))
    return task


@transaction.atomic
def restore_task(member: Membership, task: Task) -> Task:
    """Take a task out of the trash; its reminders stay cancelled."""
    if not may(member, "delete", task):
        raise PermissionDenied(_("Your role may not restore this task."))
    now = timezone.now()
    if not Task.objects.filter(
        pk=task.pk, workspace_id=member.workspace_id, deleted_at__isnull=False
    ).update(deleted_at=None, version=F("version") + 1, updated_at=now):
        return task  # restored meanwhile by someone else
    task.deleted_at, task.updated_at = None, now
    task.version += 1
    audit.record(audit.Action.RESTORE, workspace=member.workspace_id, actor=member.user, obj=task)
    subject = task.related
    if task.status == Task.Status.DONE and subject is not None and subject.deleted_at is None:
        timeline.add(
            member,
            subject,
            timeline.Kind.TASK,
            _("Completed task: %(title)s") % {"title": task.title},
            _timeline_entry(task),
            occurred_at=task.completed_at,
            source=_source(task),
        )
    return task


def purge_expired_trash(*, now: Any = None) -> int:
    """Delete for good the tasks trashed more than 30 days ago (the worker runs this hourly)."""
    from amity.core.models import Workspace

    cutoff = (now or timezone.now()) - timedelta(days=TRASH_DAYS)
    removed = 0
    for workspace_id in Workspace.objects.values_list("pk", flat=True):
        with transaction.atomic():
            expired = Task.objects.filter(workspace_id=workspace_id, deleted_at__lt=cutoff)
            Reminder.objects.filter(
                workspace_id=workspace_id, task_id__in=expired.values("pk")
            ).delete()
            # Its reminders gone, one DELETE within the workspace (a plain delete() would
            # collect the rows first and delete them by id alone).
            removed += expired._raw_delete(expired.db)
    return removed

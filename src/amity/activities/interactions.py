"""Logging calls and meetings on a customer's timeline.

Whoever may add notes to a record (`note.create`) may log a call or a meeting
with it; the entry lands on the record's timeline as kind CALL or MEETING.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.activities.models import Interaction
from amity.core import access, audit
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers import timeline
from amity.customers.models import Company, Person, TimelineEvent

MAX_MINUTES = 24 * 60
CALL_OUTCOMES = {"connected", "no_answer", "voicemail", "busy"}
MEETING_OUTCOMES = {"held", "no_show", "rescheduled"}


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if kind not in Interaction.Kind.values:
        raise ValidationError({"kind": _("Choose a call or a meeting.")})
    outcome = data.get("outcome") or ("connected" if kind == "call" else "held")
    if outcome not in (CALL_OUTCOMES if kind == "call" else MEETING_OUTCOMES):
        errors["outcome"] = _("Choose an outcome that fits.")
    direction = data.get("direction") or ""
    if kind == "meeting":
        direction = ""
    elif direction not in ("inbound", "outbound"):
        errors["direction"] = _("Choose inbound or outbound.")
    minutes = data.get("duration_minutes")
    if minutes is not None and (not isinstance(minutes, int) or not 0 <= minutes <= MAX_MINUTES):
        errors["duration_minutes"] = _("Enter minutes from 0 to 1440.")
    notes = str(data.get("notes") or "").strip()
    if len(notes) > 5000 or "\x00" in notes:
        errors["notes"] = _("Use at most %(n)d characters.") % {"n": 5000}
    when = data.get("occurred_at") or timezone.now()
    if not isinstance(when, datetime) or when > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = _("Log what already happened: choose a time not in the future.")
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "outcome": outcome,
        "direction": direction,
        "duration_minutes": minutes,
        "notes": notes,
        "occurred_at": when,
    }


def summary(item: Interaction) -> str:
    """Return the one line the timeline shows, e.g. "Outbound call, connected, 15 min"."""
    if item.kind == Interaction.Kind.CALL:
        head = (
            _("Inbound call")
            if item.direction == Interaction.Direction.INBOUND
            else _("Outbound call")
        )
    else:
        head = _("Meeting")
    parts = [head, str(item.get_outcome_display())]
    if item.duration_minutes:
        parts.append(_("%(n)d min") % {"n": item.duration_minutes})
    text = ", ".join(parts)
    return f"{text}: {item.notes}" if item.notes else text


@transaction.atomic
def log(member: Membership, subject: Company | Person, data: dict[str, Any]) -> Interaction:
    """Record a call or a meeting with a customer and put it on their timeline."""
    if not access.can(member, "note", "create"):
        raise PermissionDenied(_("Your role may not log calls or meetings."))
    if subject.workspace_id != member.workspace_id or subject.deleted_at is not None:
        raise Http404
    values = _clean(data)
    item = Interaction.objects.create(
        workspace_id=member.workspace_id,
        person=subject if isinstance(subject, Person) else None,
        company=subject if isinstance(subject, Company) else None,
        author_id=member.user_id,
        **values,
    )
    timeline.add(
        member,
        subject,
        timeline.Kind.CALL if item.kind == Interaction.Kind.CALL else timeline.Kind.MEETING,
        summary(item),
        _entry_data(item),
        occurred_at=item.occurred_at,
        source=timeline.Source("activities", "interaction", item.pk),
    )
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=item,
        object_type="interaction",
        changes={"kind": [None, item.kind], "outcome": [None, item.outcome]},
    )
    return item


def forget(workspace_id: int, subject_type: str, ids: list[int]) -> None:
    """Delete the calls and meetings of records about to be deleted for good."""
    field = "person_id__in" if subject_type == "person" else "company_id__in"
    Interaction.objects.filter(workspace_id=workspace_id, **{field: ids}).delete()


def get_interaction(member: Membership, pk: Any, action: str = "view") -> Interaction:
    """Return a call or meeting on a record the member may see; 404 otherwise.

    `action` "change" raises PermissionDenied unless the member may edit or delete it:
    its author, or someone who may edit the record.
    """
    try:
        item = Interaction.objects.filter(
            workspace_id=member.workspace_id, deleted_at__isnull=True
        ).get(pk=int(pk))
    except (Interaction.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    subject: Company | Person
    if item.person_id is not None:
        subject = access.get_for_user(member, Person, item.person_id)
    else:
        subject = access.get_for_user(member, Company, item.company_id)
    item.subject = subject  # type: ignore[attr-defined]
    if action == "change" and not may_change(member, item, subject):
        raise PermissionDenied(_("Only the author or someone who may edit the record can."))
    return item


def may_change(member: Membership, item: Interaction, subject: Company | Person) -> bool:
    if item.author_id == member.user_id and access.can(member, "note", "create"):
        return True
    return access.can(member, subject.ACCESS_TYPE, "edit", subject)


def _source(item: Interaction) -> timeline.Source:
    return timeline.Source("activities", "interaction", item.pk)


def _entry_data(item: Interaction) -> dict[str, Any]:
    return {
        "interaction_id": item.pk,
        "url": reverse("activities:interaction_edit", args=[item.pk]),
        "direction": item.direction,
        "outcome": item.outcome,
        "duration_minutes": item.duration_minutes,
        "notes": item.notes,
    }


@transaction.atomic
def update(
    member: Membership, item: Interaction, data: dict[str, Any], *, expected_version: int
) -> Interaction:
    """Change a logged call or meeting if it is still at `expected_version`; rewrite its entry."""
    subject = getattr(item, "subject", None) or (item.person or item.company)
    assert subject is not None
    if not may_change(member, item, subject):
        raise PermissionDenied(_("Only the author or someone who may edit the record can."))
    values = _clean({**data, "kind": item.kind})
    if not Interaction.objects.filter(
        pk=item.pk, workspace_id=member.workspace_id, version=expected_version, deleted_at=None
    ).update(**values, version=F("version") + 1):
        raise VersionConflict(
            Interaction.objects.filter(pk=item.pk, workspace_id=member.workspace_id).first()
        )
    changes = {
        k: [str(getattr(item, k)), str(v)] for k, v in values.items() if getattr(item, k) != v
    }
    for name, value in values.items():
        setattr(item, name, value)
    item.version = expected_version + 1
    timeline.update_source(
        member.workspace_id, _source(item), summary=summary(item), data=_entry_data(item)
    )
    TimelineEvent.objects.filter(
        workspace_id=member.workspace_id,
        source_app="activities",
        source_model="interaction",
        source_id=str(item.pk),
    ).update(occurred_at=item.occurred_at)
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=item,
        object_type="interaction",
        changes=changes,
    )
    return item


@transaction.atomic
def delete(member: Membership, item: Interaction, *, expected_version: int) -> None:
    """Delete a logged call or meeting and take it off the timeline."""
    subject = getattr(item, "subject", None) or (item.person or item.company)
    assert subject is not None
    if not may_change(member, item, subject):
        raise PermissionDenied(_("Only the author or someone who may edit the record can."))
    if not Interaction.objects.filter(
        pk=item.pk, workspace_id=member.workspace_id, version=expected_version, deleted_at=None
    ).update(deleted_at=timezone.now(), version=F("version") + 1):
        raise VersionConflict(
            Interaction.objects.filter(pk=item.pk, workspace_id=member.workspace_id).first()
        )
    timeline.remove_source(member.workspace_id, _source(item))
    audit.record(
        audit.Action.DELETE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=item,
        object_type="interaction",
    )

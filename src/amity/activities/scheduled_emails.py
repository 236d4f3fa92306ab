"""Emails to a customer written now and sent later: `amity worker` hands each to the outbox.

Exactly once: the sweep claims a due email by a conditional update (pending ->
sent) in the same transaction that writes its outbox row and its timeline
entry. A worker killed mid-batch rolls back the one it was on, and the next
sweep sends it; a committed one is never picked again. Consent and an email
address are checked when it is written and again when it goes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.activities.models import ScheduledEmail
from amity.core import access, audit, outbox
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership, User
from amity.customers import email_tracking, timeline
from amity.customers.models import Person

logger = logging.getLogger("amity.worker")
BATCH = 100
MAX_SUBJECT = 200
MAX_BODY = 20_000
MAX_AHEAD = timedelta(days=366)


def may_write(member: Membership) -> bool:
    return access.can(member, "note", "create")


def may_change(member: Membership, item: ScheduledEmail, person: Person) -> bool:
    """Return whether the member may edit or cancel the email: its author, or a record editor."""
    if item.author_id == member.user_id and may_write(member):
        return True
    return access.can(member, "person", "edit", person)


def for_person(member: Membership, person: Person) -> QuerySet[ScheduledEmail]:
    """Return the scheduled emails of a person the member may see, soonest first."""
    return ScheduledEmail.objects.filter(
        workspace_id=member.workspace_id, person_id=person.pk
    ).order_by("send_at", "id")


def get_for_member(member: Membership, pk: Any, action: str = "view") -> ScheduledEmail:
    """Return a scheduled email to a person the member may see; 404 otherwise.

    `action` "change" raises PermissionDenied unless the member may edit or cancel it.
    """
    try:
        item = ScheduledEmail.objects.filter(workspace_id=member.workspace_id).get(pk=int(pk))
    except (ScheduledEmail.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    person: Person = access.get_for_user(member, Person, item.person_id)
    item.person = person
    if action == "change" and not may_change(member, item, person):
        raise PermissionDenied(_("Only the author or someone who may edit the person can."))
    return item


def _refuse_without_consent(person: Person) -> None:
    if not person.email:
        raise ValidationError({"person": _("This person has no email address.")})
    if not person.email_consent:
        raise ValidationError(
            {"person": _("This person has not consented to email; record their consent first.")}
        )


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    subject = " ".join(str(data.get("subject") or "").split())
    if not subject or len(subject) > MAX_SUBJECT or "\x00" in subject:
        errors["subject"] = _("Write a subject of at most %(n)d characters.") % {"n": MAX_SUBJECT}
    body = str(data.get("body") or "").strip()
    if not body or len(body) > MAX_BODY or "\x00" in body:
        errors["body"] = _("Write a message of at most %(n)d characters.") % {"n": MAX_BODY}
    send_at = data.get("send_at")
    now = timezone.now()
    if not isinstance(send_at, datetime) or timezone.is_naive(send_at):
        errors["send_at"] = _("Choose when to send it.")
    elif send_at < now - timedelta(minutes=1):
        errors["send_at"] = _("Choose a moment in the future.")
    elif send_at > now + MAX_AHEAD:
        errors["send_at"] = _("Choose a moment within a year.")
    if errors:
        raise ValidationError(errors)
    return {"subject": subject, "body": body, "send_at": send_at}


@transaction.atomic
def schedule(member: Membership, person: Person, data: dict[str, Any]) -> ScheduledEmail:
    """Write an email to the person's primary address, to be sent at `send_at`."""
    if not may_write(member):
        raise PermissionDenied(_("Your role may not email customers."))
    if person.workspace_id != member.workspace_id or person.deleted_at is not None:
        raise Http404
    values = _clean(data)
    _refuse_without_consent(person)
    item = ScheduledEmail.objects.create(
        workspace_id=member.workspace_id, person=person, author_id=member.user_id, **values
    )
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=item,
        object_type="scheduled_email",
        changes={"send_at": [None, str(item.send_at)], "subject": [None, item.subject]},
    )
    return item


@transaction.atomic
def update(
    member: Membership, item: ScheduledEmail, data: dict[str, Any], *, expected_version: int
) -> ScheduledEmail:
    """Change a pending email if it is still at `expected_version` and has not gone."""
    if not may_change(member, item, item.person):
        raise PermissionDenied(_("Only the author or someone who may edit the person can."))
    values = _clean(data)
    _refuse_without_consent(item.person)
    now = timezone.now()
    if not ScheduledEmail.objects.filter(
        pk=item.pk,
        workspace_id=member.workspace_id,
        version=expected_version,
        status=ScheduledEmail.Status.PENDING,
    ).update(**values, version=F("version") + 1, updated_at=now):
        raise VersionConflict(_current(member, item))
    changes = {
        k: [str(getattr(item, k)), str(v)] for k, v in values.items() if getattr(item, k) != v
    }
    for name, value in values.items():
        setattr(item, name, value)
    item.version, item.updated_at = expected_version + 1, now
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=item,
        object_type="scheduled_email",
        changes=changes,
    )
    return item


def _current(member: Membership, item: ScheduledEmail) -> ScheduledEmail | None:
    return ScheduledEmail.objects.filter(pk=item.pk, workspace_id=member.workspace_id).first()


@transaction.atomic
def cancel(member: Membership, item: ScheduledEmail, *, expected_version: int | None) -> None:
    """Cancel a pending email before it goes (If-Match optional in the HTML form)."""
    if not may_change(member, item, item.person):
        raise PermissionDenied(_("Only the author or someone who may edit the person can."))
    qs = ScheduledEmail.objects.filter(
        pk=item.pk, workspace_id=member.workspace_id, status=ScheduledEmail.Status.PENDING
    )
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    now = timezone.now()
    if not qs.update(
        status=ScheduledEmail.Status.CANCELLED, version=F("version") + 1, updated_at=now
    ):
        raise VersionConflict(_current(member, item))
    item.status = ScheduledEmail.Status.CANCELLED
    item.version = (expected_version or item.version) + 1
    audit.record(
        audit.Action.DELETE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=item,
        object_type="scheduled_email",
    )


# The worker's sweep -------------------------------------------------------------


def due_ids(limit: int = BATCH) -> list[int]:
    """Return pending emails whose moment has come, oldest first (across workspaces)."""
    return list(
        ScheduledEmail.objects.filter(
            status=ScheduledEmail.Status.PENDING, send_at__lte=timezone.now()
        )
        .order_by("send_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def _give_up(item: ScheduledEmail, reason: str) -> None:
    ScheduledEmail.objects.filter(pk=item.pk, workspace_id=item.workspace_id).update(
        status=ScheduledEmail.Status.CANCELLED, cancel_reason=reason
    )


def send(item_id: int) -> bool:
    """Hand one due email to the outbox if still pending; return whether this call did."""
    now = timezone.now()
    with transaction.atomic():
        claimed = ScheduledEmail.objects.filter(
            pk=item_id, status=ScheduledEmail.Status.PENDING, send_at__lte=now
        ).update(status=ScheduledEmail.Status.SENT, sent_at=now)
        if not claimed:
            return False
        item = ScheduledEmail.objects.select_related("person", "author").get(pk=item_id)
        person = item.person
        if person.deleted_at is not None:
            _give_up(item, "deleted")
            return True
        if not person.email:
            _give_up(item, "no_email")
            return True
        if not person.email_consent:
            _give_up(item, "consent")
            return True
        reply_to = [item.author.email] if item.author and item.author.email else None
        message = outbox.queue_email(
            to=[person.email],
            subject=item.subject,
            body=item.body,
            workspace_id=item.workspace_id,
            html=email_tracking.tracked_html(item.workspace_id, person, item.subject, item.body),
            reply_to=reply_to,
        )
        ScheduledEmail.objects.filter(pk=item.pk, workspace_id=item.workspace_id).update(
            outbox_message=message, to=person.email
        )
        timeline.add(
            item.workspace_id,
            person,
            timeline.Kind.EMAIL,
            _("Email sent: %(subject)s") % {"subject": item.subject},
            {"scheduled_email_id": item.pk, "subject": item.subject, "to": person.email},
            actor=item.author_id,
            occurred_at=now,
            source=timeline.Source("activities", "scheduled_email", item.pk),
        )
    return True


def send_due(limit: int = BATCH) -> int:
    """Send one batch of due emails; return how many this call handed to the outbox."""
    done = 0
    for item_id in due_ids(limit):
        try:
            done += send(item_id)
        except Exception:  # one broken email must not stop the rest
            logger.exception("Scheduled email %s failed", item_id)
    return done


# Purge and erasure --------------------------------------------------------------


def forget(workspace_id: int, subject_type: str, ids: list[int]) -> None:
    """Delete the scheduled emails of people about to be deleted for good."""
    if subject_type == "person":
        ScheduledEmail.objects.filter(workspace_id=workspace_id, person_id__in=ids).delete()


def export(person: Person) -> list[dict[str, Any]]:
    """Return the emails written to the person for later."""
    rows = ScheduledEmail.objects.filter(
        workspace_id=person.workspace_id, person_id=person.pk
    ).order_by("send_at", "id")
    return [
        {
            "id": e.pk,
            "subject": e.subject,
            "body": e.body,
            "send_at": e.send_at.isoformat(),
            "status": e.status,
            "to": e.to,
        }
        for e in rows
    ]


def erase(person: Person, by: User | None) -> int:
    """Delete every email written to the person, pending ones cancelled with them (idempotent)."""
    count, _ = ScheduledEmail.objects.filter(
        workspace_id=person.workspace_id, person_id=person.pk
    ).delete()
    return count

"""Verbs on notes. Views and the API both call these.

Who may do what: anyone who can see a record and whose role grants
`note.create` (every shipped role but read-only) adds notes to it. A note is
edited or deleted by its author (while they may still write notes) or by
anyone who may edit the record it is on.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.activities.models import Note
from amity.core import access, audit, markup, notifications
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers import timeline
from amity.customers.models import Company, Person

SUBJECT_MODELS: dict[str, type[Company] | type[Person]] = {"person": Person, "company": Company}
MAX_BODY = 20_000
MAX_MENTIONS = 20
SUMMARY_LENGTH = 200
# `@alice` names the member whose email starts with "alice@".
MENTION = re.compile(r"(?<![\w.+-])@([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})")

Subject = Company | Person


def subject_for(member: Membership, subject_type: str, subject_id: Any) -> Subject:
    """Return the record a note is on, if the member may see it; else raise Http404."""
    model = SUBJECT_MODELS.get(subject_type)
    if model is None:
        raise Http404
    subject: Subject = access.get_for_user(member, model, subject_id)
    return subject


def may_write(member: Membership) -> bool:
    return access.can(member, "note", "create")


def may_change(member: Membership, note: Note, subject: Subject) -> bool:
    """Return whether the member may edit or delete the note."""
    if note.author_id == member.user_id and may_write(member):
        return True
    return access.can(member, subject.ACCESS_TYPE, "edit", subject)


def get_note(member: Membership, pk: Any, action: str = "view") -> Note:
    """Return a note on a record the member may see (`note.subject` set); 404 otherwise.

    `action` "change" raises PermissionDenied unless the member may edit or delete it.
    """
    try:
        note = (
            Note.objects.filter(workspace_id=member.workspace_id, deleted_at__isnull=True)
            .select_related("author")
            .get(pk=int(pk))
        )
    except (Note.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc
    subject = subject_for(member, note.subject_type, note.subject_id)
    note.subject = subject  # type: ignore[attr-defined]
    if action == "change" and not may_change(member, note, subject):
        raise PermissionDenied(_("Only the author or someone who may edit the record can."))
    return note


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something.")})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": _("Use at most %(n)d characters.") % {"n": MAX_BODY}})
    if "\x00" in body:
        raise ValidationError({"body": _("Remove the NUL character.")})
    return body


def _summary(body: str) -> str:
    text = " ".join(markup.plain(body).split())
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


def _entry(note: Note) -> dict[str, Any]:
    return {
        "note_id": note.pk,
        "body": note.body,
        "author_id": note.author_id,
        "url": reverse("activities:note_edit", args=[note.pk]),
    }


def _source(note: Note) -> timeline.Source:
    return timeline.Source("activities", "note", note.pk)


def mentioned(member: Membership, subject: Subject, body: str) -> list[Membership]:
    """Return the active colleagues the body mentions who may see the subject (not the author)."""
    ids = {int(m.group(2)) for m in markup.MENTION_TOKEN.finditer(body)}
    rest = markup.MENTION_TOKEN.sub(" ", body)
    names = {m.group(1).rstrip(".").lower() for m in MENTION.finditer(rest)}
    ids, names = set(list(ids)[:MAX_MENTIONS]), set(list(names)[:MAX_MENTIONS])
    if not ids and not names:
        return []
    match = Q(user_id__in=ids)
    for name in names:
        match |= Q(user__email__istartswith=f"{name}@")
    candidates = (
        Membership.objects.filter(match, workspace_id=member.workspace_id, is_active=True)
        .filter(user__is_active=True)
        .exclude(user_id=member.user_id)
        .select_related("user", "role")
        .order_by("user_id")
    )
    return [m for m in candidates if access.can(m, subject.ACCESS_TYPE, "view", subject)]


def _notify_mentions(
    member: Membership, subject: Subject, note: Note, already: set[int] | None = None
) -> list[Membership]:
    """Notify each newly mentioned colleague once; return whom."""
    told = []
    who = member.user.display_name
    for colleague in mentioned(member, subject, note.body):
        if already and colleague.user_id in already:
            continue
        with notifications.in_language_of(colleague.user):
            text = _("%(who)s mentioned you in a note on %(record)s") % {
                "who": who,
                "record": str(subject),
            }
            body = _("%(who)s mentioned you in a note on %(record)s:") % {
                "who": who,
                "record": str(subject),
            }
        notifications.notify(
            colleague,
            kind="mention",
            text=text,
            url=subject.get_absolute_url(),
            actor=member.user,
            email_subject=text,
            email_body=f"{body}\n\n{markup.plain(note.body)}",
        )
        told.append(colleague)
    return told


@transaction.atomic
def create_note(member: Membership, subject: Subject, body: str) -> Note:
    """Add a note to a record the member may see; notify the colleagues it mentions."""
    if not may_write(member):
        raise PermissionDenied(_("Your role may not add notes."))
    if subject.workspace_id != member.workspace_id or subject.deleted_at is not None:
        raise Http404
    body = _clean_body(body)
    note = Note.objects.create(
        workspace_id=member.workspace_id,
        person=subject if isinstance(subject, Person) else None,
        company=subject if isinstance(subject, Company) else None,
        author_id=member.user_id,
        body=body,
    )
    note.subject = subject  # type: ignore[attr-defined]
    timeline.add(
        member,
        subject,
        timeline.Kind.NOTE,
        _summary(body),
        _entry(note),
        occurred_at=note.created_at,
        source=_source(note),
    )
    audit.record(audit.Action.CREATE, workspace=member.workspace_id, actor=member.user, obj=note)
    _notify_mentions(member, subject, note)
    return note


@transaction.atomic
def update_note(member: Membership, note: Note, body: str, *, expected_version: int) -> Note:
    """Change a note if it is still at `expected_version`; notify only newly mentioned people."""
    subject: Subject = note.subject  # type: ignore[attr-defined]
    if not may_change(member, note, subject):
        raise PermissionDenied(_("Only the author or someone who may edit the record can."))
    body = _clean_body(body)
    before = {m.user_id for m in mentioned(member, subject, note.body)}
    now = timezone.now()
    updated = Note.objects.filter(
        pk=note.pk,
        workspace_id=member.workspace_id,
        version=expected_version,
        deleted_at__isnull=True,
    ).update(body=body, version=F("version") + 1, updated_at=now)
    if updated == 0:
        raise VersionConflict(
            Note.objects.filter(pk=note.pk, workspace_id=member.workspace_id).first()
        )
    note.body, note.version, note.updated_at = body, expected_version + 1, now
    timeline.update_source(
        member.workspace_id, _source(note), summary=_summary(body), data=_entry(note)
    )
    audit.record(audit.Action.UPDATE, workspace=member.workspace_id, actor=member.user, obj=note)
    _notify_mentions(member, subject, note, already=before)
    return note


@transaction.atomic
def delete_note(member: Membership, note: Note, *, expected_version: int | None = None) -> None:
    """Delete a note and take it off the timeline."""
    subject: Subject = note.subject  # type: ignore[attr-defined]
    if not may_change(member, note, subject):
        raise PermissionDenied(_("Only the author or someone who may edit the record can."))
    qs = Note.objects.filter(pk=note.pk, workspace_id=member.workspace_id, deleted_at__isnull=True)
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    now = timezone.now()
    if qs.update(deleted_at=now, version=F("version") + 1) == 0:
        raise VersionConflict(
            Note.objects.filter(pk=note.pk, workspace_id=member.workspace_id).first()
        )
    note.deleted_at = now
    timeline.remove_source(member.workspace_id, _source(note))
    audit.record(audit.Action.DELETE, workspace=member.workspace_id, actor=member.user, obj=note)

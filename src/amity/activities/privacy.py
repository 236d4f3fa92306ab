"""What notes and timelines hold about a person, for data-subject exports and erasures."""

from __future__ import annotations

from typing import Any

from amity.activities.models import Note
from amity.core.models import User
from amity.customers.models import Person, TimelineEvent


def export_notes(person: Person) -> list[dict[str, Any]]:
    """Return the notes on the person."""
    notes = Note.objects.filter(
        workspace_id=person.workspace_id, person_id=person.pk, deleted_at__isnull=True
    ).order_by("created_at", "id")
    return [
        {
            "id": n.pk,
            "author": n.author_id,
            "created_at": n.created_at.isoformat(),
            "updated_at": n.updated_at.isoformat(),
            "body": n.body,
        }
        for n in notes
    ]


def erase_notes(person: Person, by: User | None) -> int:
    """Delete every note on the person, deleted ones included (idempotent)."""
    count, _ = Note.objects.filter(workspace_id=person.workspace_id, person_id=person.pk).delete()
    return count


def export_timeline(person: Person) -> list[dict[str, Any]]:
    """Return the person's timeline entries, oldest first."""
    events = TimelineEvent.objects.filter(
        workspace_id=person.workspace_id, person_id=person.pk
    ).order_by("occurred_at", "id")
    return [
        {
            "kind": e.kind,
            "occurred_at": e.occurred_at.isoformat(),
            "actor": e.actor_id,
            "summary": e.summary,
            "data": e.data,
        }
        for e in events
    ]


def erase_timeline(person: Person, by: User | None) -> int:
    """Delete the person's timeline entries: they hold old field values (idempotent)."""
    count, _ = TimelineEvent.objects.filter(
        workspace_id=person.workspace_id, person_id=person.pk
    ).delete()
    return count


def forget(workspace_id: int, subject_type: str, ids: list[int]) -> None:
    """Delete the notes on records about to be deleted for good."""
    field = "person_id__in" if subject_type == "person" else "company_id__in"
    Note.objects.filter(workspace_id=workspace_id, **{field: ids}).delete()

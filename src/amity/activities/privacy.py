"""What activities (notes, calls, meetings, tasks, timelines) hold about a person, for DSRs."""

from __future__ import annotations

from typing import Any

from amity.activities.models import Interaction, Note, Task
from amity.core.models import User
from amity.customers import timeline
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
    events = list(
        TimelineEvent.objects.filter(
            workspace_id=person.workspace_id, person_id=person.pk
        ).order_by("occurred_at", "id")
    )
    if person.import_job_id is not None:  # an imported record's creation is read from it
        events.insert(0, timeline.import_creation(person))
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


def export_interactions(person: Person) -> list[dict[str, Any]]:
    """Return the calls and meetings logged with the person."""
    rows = Interaction.objects.filter(
        workspace_id=person.workspace_id, person_id=person.pk, deleted_at__isnull=True
    ).order_by("occurred_at", "id")
    return [
        {
            "id": i.pk,
            "kind": i.kind,
            "direction": i.direction,
            "outcome": i.outcome,
            "duration_minutes": i.duration_minutes,
            "occurred_at": i.occurred_at.isoformat(),
            "notes": i.notes,
            "author": i.author_id,
        }
        for i in rows
    ]


def erase_interactions(person: Person, by: User | None) -> int:
    """Delete every call and meeting logged with the person (idempotent)."""
    count, _ = Interaction.objects.filter(
        workspace_id=person.workspace_id, person_id=person.pk
    ).delete()
    return count


def export_tasks(person: Person) -> list[dict[str, Any]]:
    """Return the tasks about the person."""
    rows = Task.objects.filter(
        workspace_id=person.workspace_id, person_id=person.pk, deleted_at__isnull=True
    ).order_by("due_at", "id")
    return [
        {
            "id": t.pk,
            "title": t.title,
            "description": t.description,
            "due_date": t.due_date.isoformat(),
            "status": t.status,
            "assignee": t.owner_id,
        }
        for t in rows
    ]


def erase_tasks(person: Person, by: User | None) -> int:
    """Delete the tasks about the person: their titles and descriptions describe them."""
    count, _ = Task.objects.filter(workspace_id=person.workspace_id, person_id=person.pk).delete()
    return count

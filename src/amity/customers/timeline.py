"""A customer's timeline: what happened to a person or company, newest first.

Every module writes here through `add` (and `update_source` / `remove_source`
for entries it owns); screens and the API read it with `page`, keyset-paged. A
record an import created has no stored creation entry: `page` reads it from the
record (`import_job`, `created_at`, `created_by`) as the oldest entry.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from amity.core import access
from amity.core.models import Membership, User, Workspace
from amity.customers.models import Company, Person, TimelineEvent

Kind = TimelineEvent.Kind
PAGE_SIZE = 20
# Templates other modules add to a record's timeline (a note form, a call log form…).
COMPOSERS: list[str] = []


@dataclass(frozen=True)
class Source:
    """The row an entry stands for, so its module can find the entry again."""

    app: str
    model: str
    id: Any


@dataclass(frozen=True)
class TimelinePage:
    items: list[TimelineEvent]
    next_cursor: str | None


def register_composer(template: str) -> None:
    """Show `template` above every timeline (called from a module's AppConfig.ready)."""
    if template not in COMPOSERS:
        COMPOSERS.append(template)


def _subject_fields(subject: Company | Person) -> dict[str, Any]:
    if isinstance(subject, Person):
        return {"person_id": subject.pk, "company_id": subject.company_id}
    return {"person_id": None, "company_id": subject.pk}


def add(
    workspace: Membership | Workspace | int,
    subject: Company | Person,
    kind: str,
    summary: str,
    data: dict[str, Any] | None = None,
    *,
    actor: User | int | None = None,
    source: Source | None = None,
    occurred_at: datetime | None = None,
) -> TimelineEvent:
    """Write one entry on the subject's timeline (and, for a person, their company's)."""
    if isinstance(workspace, Membership):
        workspace_id = workspace.workspace_id
        if actor is None:
            actor = workspace.user_id
    elif isinstance(workspace, Workspace):
        workspace_id = workspace.pk
    else:
        workspace_id = workspace
    if subject.workspace_id != workspace_id:
        raise ValueError("The subject belongs to another workspace.")
    return TimelineEvent.objects.create(
        workspace_id=workspace_id,
        kind=kind,
        summary=summary[:300],
        data=data or {},
        actor_id=actor.pk if isinstance(actor, User) else actor,
        occurred_at=occurred_at or timezone.now(),
        source_app=source.app if source else "",
        source_model=source.model if source else "",
        source_id=str(source.id) if source else "",
        **_subject_fields(subject),
    )


def _by_source(workspace_id: int, source: Source) -> Any:
    return TimelineEvent.objects.filter(
        workspace_id=workspace_id,
        source_app=source.app,
        source_model=source.model,
        source_id=str(source.id),
    )


def update_source(
    workspace_id: int, source: Source, *, summary: str, data: dict[str, Any] | None = None
) -> int:
    """Rewrite the entries a module's row stands for; return how many."""
    changes: dict[str, Any] = {"summary": summary[:300]}
    if data is not None:
        changes["data"] = data
    count: int = _by_source(workspace_id, source).update(**changes)
    return count


def remove_source(workspace_id: int, source: Source) -> int:
    """Remove the entries a module's row stands for; return how many."""
    count: int = _by_source(workspace_id, source).delete()[0]
    return count


ForgetHook = Callable[[int, str, list[int]], Any]
_forget_hooks: list[ForgetHook] = []


def register_forget(hook: ForgetHook) -> None:
    """Call `hook(workspace_id, subject_type, ids)` before records are deleted for good."""
    if hook not in _forget_hooks:
        _forget_hooks.append(hook)


def forget(workspace_id: int, subject_type: str, ids: list[int]) -> None:
    """Remove what every module holds about records about to be deleted for good.

    A company's own entries go; its people's entries stay, without the company.
    """
    if not ids:
        return
    for hook in _forget_hooks:
        hook(workspace_id, subject_type, ids)
    qs = TimelineEvent.objects.filter(workspace_id=workspace_id)
    if subject_type == "person":
        qs.filter(person_id__in=ids).delete()
    else:
        qs.filter(company_id__in=ids, person__isnull=True).delete()
        qs.filter(company_id__in=ids).update(company=None)


def encode_cursor(event: TimelineEvent) -> str:
    raw = json.dumps([event.occurred_at.isoformat(), event.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """Return (occurred_at, id) from a cursor, or None for a forged or broken one."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        when, pk = raw
        moment = parse_datetime(when) if isinstance(when, str) else None
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if moment is None or type(pk) is not int or not 0 < pk < 2**63:
        return None
    return moment, pk


def get_subject(member: Membership, model: type[Company] | type[Person], pk: int) -> Any:
    """Return the record whose timeline is asked for, or raise 404; with its creator, whom
    an imported record's creation entry names (`import_creation`)."""
    return access.get_for_user(
        member, model, pk, queryset=access.visible(member, model).select_related("created_by")
    )


def entries(member: Membership, subject: Company | Person) -> Any:
    """Return the entries of a subject the member may see (unordered queryset)."""
    qs = TimelineEvent.objects.filter(workspace_id=member.workspace_id)
    if isinstance(subject, Person):
        return qs.filter(person_id=subject.pk)
    return qs.filter(company_id=subject.pk).filter(
        Q(person__isnull=True) | Q(person_id__in=access.visible(member, Person).values("pk"))
    )


def page(
    member: Membership,
    subject: Company | Person,
    kinds: list[str] | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> TimelinePage:
    """Return one page of the subject's timeline, newest first; `before` continues a page.

    The caller has already checked the member may view the subject.
    """
    qs = entries(member, subject).select_related("actor", "person")
    wanted = [k for k in kinds or [] if k in Kind.values]
    if wanted:
        qs = qs.filter(kind__in=wanted)
    position = decode_cursor(before) if before else None
    if position is not None:
        when, pk = position
        qs = qs.filter(Q(occurred_at__lt=when) | Q(occurred_at=when, id__lt=pk))
    rows = list(qs.order_by("-occurred_at", "-id")[: size + 1])
    if len(rows) <= size and _shows_import_creation(subject, wanted, position):
        # The oldest entry of all; on a full page it comes as the next page, alone.
        rows.append(import_creation(subject))
    items = rows[:size]
    return TimelinePage(items, encode_cursor(items[-1]) if len(rows) > size else None)


def _shows_import_creation(
    subject: Company | Person, kinds: list[str], position: tuple[datetime, int] | None
) -> bool:
    if subject.import_job_id is None or (kinds and Kind.CHANGE not in kinds):
        return False
    # Its place in the keyset order is (created_at, 0): before every stored entry.
    return position is None or (subject.created_at, 0) < position


def import_creation(subject: Company | Person) -> TimelineEvent:
    """Return the creation entry of a record an import created, read from the record.

    Unsaved (no id). Imports store none a record: at 100k rows the entries cost ≈ 2 s
    on PostgreSQL, and the record itself says who created it, when and with which import.
    """
    event = TimelineEvent(
        workspace_id=subject.workspace_id,
        kind=Kind.CHANGE,
        occurred_at=subject.created_at,
        actor_id=subject.created_by_id,
        summary="Created",
        data={"action": "create", "import": subject.import_job_id},
        source_app="customers",
        source_model="importjob",
        source_id=str(subject.import_job_id),
        **_subject_fields(subject),
    )
    if isinstance(subject, Person):
        event.person = subject
    if type(subject).created_by.is_cached(subject):  # read with the record: no query
        event.actor = subject.created_by
    return event


def parse_kinds(values: list[str]) -> list[str]:
    """Return the known kinds among `values` (which may be comma-separated)."""
    found: list[str] = []
    for value in values:
        found += [k for k in value.split(",") if k in Kind.values and k not in found]
    return found

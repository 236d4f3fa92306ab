"""The audit log: append-only events, hash-chained per workspace."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model

from amity.core import context
from amity.core.models import AuditChainHead, AuditEvent, User, Workspace

GENESIS = "0" * 64
Action = AuditEvent.Action


def chain_name(workspace_id: int | None) -> str:
    return f"ws:{workspace_id}" if workspace_id else "global"


def _digest(event: AuditEvent) -> str:
    payload = [
        event.prev_hash,
        event.chain,
        event.seq,
        event.workspace_id,
        event.at.isoformat(),
        event.actor_id,
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        event.changes,
        event.reason,
        event.ip,
        event.user_agent,
        event.request_id,
    ]
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def object_type_of(obj: Model) -> str:
    return str(getattr(obj, "ACCESS_TYPE", obj._meta.model_name))


def record(
    action: str,
    *,
    workspace: Workspace | int | None,
    actor: User | None = None,
    actor_label: str = "",
    obj: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to its workspace's chain, inside the caller's transaction."""
    workspace_id = workspace.pk if isinstance(workspace, Workspace) else workspace
    info = context.current()
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)[:200]
    chain = chain_name(workspace_id)
    with transaction.atomic():
        AuditChainHead.objects.bulk_create([AuditChainHead(chain=chain)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
        event = AuditEvent(
            chain=chain,
            seq=head.seq + 1,
            workspace_id=workspace_id,
            actor=actor,
            actor_label=actor_label or (actor.email if actor else ""),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_repr=object_repr,
            changes=changes or {},
            reason=reason[:500],
            ip=info.ip,
            user_agent=info.user_agent[:300],
            request_id=info.request_id,
            prev_hash=head.hash,
        )
        event.hash = _digest(event)
        event.save()
        AuditChainHead.objects.filter(chain=chain).update(seq=event.seq, hash=event.hash)
    return event


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq}: {self.problem}"


def verify(chains: Iterable[str] | None = None) -> list[ChainProblem]:
    """Recompute every chain; report edited, inserted, reordered or deleted events."""
    if chains is None:
        names = set(AuditChainHead.objects.values_list("chain", flat=True))
        names |= set(AuditEvent.objects.values_list("chain", flat=True).distinct())
        chains = sorted(names)
    problems: list[ChainProblem] = []
    for chain in chains:
        prev_hash, expected_seq = GENESIS, 1
        events = AuditEvent.objects.filter(chain=chain).order_by("seq")
        for event in events.iterator(chunk_size=2000):
            if event.seq != expected_seq:
                problems.append(
                    ChainProblem(chain, expected_seq, f"missing events up to #{event.seq - 1}")
                )
            if event.prev_hash != prev_hash:
                problems.append(ChainProblem(chain, event.seq, "link to the previous event broken"))
            if _digest(event) != event.hash:
                problems.append(ChainProblem(chain, event.seq, "contents changed after writing"))
            prev_hash, expected_seq = event.hash, event.seq + 1
        head = AuditChainHead.objects.filter(chain=chain).first()
        if head is not None and (head.seq != expected_seq - 1 or head.hash != prev_hash):
            problems.append(
                ChainProblem(chain, head.seq, "latest events deleted (head does not match)")
            )
    return problems


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for the fields that changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def history_for(
    workspace_id: int, object_type: str, object_id: int | str, limit: int = 200
) -> list[AuditEvent]:
    """Return who viewed, revealed or changed one record, newest first."""
    return list(
        AuditEvent.objects.filter(
            workspace_id=workspace_id, object_type=object_type, object_id=str(object_id)
        )
        .select_related("actor")
        .order_by("-at", "-seq")[:limit]
    )

"""Per-address, per-minute counters for public routes (web-to-lead form, email tracking).

Each rate-limited route keeps its own table of hits, a `core.models.MinuteHits`
subclass unique on (workspace, ip, minute). The counts live in the database, so a
limit holds across server processes.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from amity.core.models import MinuteHits

KEEP_MINUTES = 10


def count_hit(model: type[MinuteHits], workspace_id: int, ip: str) -> int:
    """Count one hit from `ip` in the workspace this minute; return the minute's count."""
    manager = model._default_manager
    minute = timezone.now().replace(second=0, microsecond=0)
    key = {"workspace_id": workspace_id, "ip": ip[:45], "minute": minute}
    if not manager.filter(**key).update(count=F("count") + 1):
        try:
            with transaction.atomic():
                manager.create(count=1, **key)
        except IntegrityError:
            manager.filter(**key).update(count=F("count") + 1)
    manager.filter(
        workspace_id=workspace_id, minute__lt=minute - timedelta(minutes=KEEP_MINUTES)
    ).delete()
    count: int = manager.filter(**key).values_list("count", flat=True).first() or 0
    return count

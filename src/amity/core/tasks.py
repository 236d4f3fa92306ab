"""Background jobs of the core app, run by `amity worker`."""

from __future__ import annotations

import logging

from django.conf import settings
from django.tasks import task
from django.utils.module_loading import import_string

from amity.core import outbox


@task()
def deliver_outbox_message(message_id: int) -> str:
    return outbox.deliver(message_id)


@task()
def deliver_due_outbox() -> int:
    """Retry every message whose next attempt is due (the worker runs this periodically)."""
    ids = outbox.due_message_ids()
    for message_id in ids:
        outbox.deliver(message_id)
    return len(ids)


@task()
def run_maintenance() -> dict[str, int]:
    """Run each housekeeping job of settings.AMITY_MAINTENANCE; one failing never stops the rest."""
    done: dict[str, int] = {}
    for path in settings.AMITY_MAINTENANCE:
        try:
            done[path] = int(import_string(path)())
        except Exception:  # logged, and retried on the next round
            logging.getLogger("amity.worker").exception("Maintenance job %s failed", path)
            done[path] = -1
    return done

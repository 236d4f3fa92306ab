"""Background jobs of the core app, run by `amity worker`."""

from __future__ import annotations

from django.tasks import task

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

"""`amity worker`: run background jobs, and sweep the outbox for messages due a retry."""

from __future__ import annotations

import io
import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.db import connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.models import DBTaskResult

from amity.core import outbox, tasks

logger = logging.getLogger("amity.worker")
PRUNE_EVERY = 3600.0
SWEEP_TASK = tasks.deliver_due_outbox.module_path


def sweep_once() -> bool:
    """Queue one outbox sweep if a message is due and no sweep is waiting already."""
    if not outbox.due_message_ids(limit=1):
        return False
    if DBTaskResult.objects.ready().filter(task_path=SWEEP_TASK).exists():
        return False
    tasks.deliver_due_outbox.enqueue()
    return True


def _sweep_forever(stop: threading.Event, interval: float) -> None:
    pruned_at = -PRUNE_EVERY
    while not stop.is_set():
        try:
            if sweep_once():
                logger.info("Queued an outbox sweep")
            tasks.run_sweeps()
            if time.monotonic() - pruned_at > PRUNE_EVERY:
                # Finished job results older than 14 days; the outbox keeps its own rows.
                call_command("prune_db_task_results", verbosity=0, stdout=io.StringIO())
                tasks.run_maintenance.enqueue()
                pruned_at = time.monotonic()
        except Exception:  # a broken sweep must not kill the worker
            logger.exception("Outbox sweep failed")
        finally:
            connections.close_all()
        stop.wait(interval)


class Command(DbWorkerCommand):
    help = (
        "Run background jobs from the database queue; every --outbox-interval seconds, "
        "queue a retry of outbox messages that are due (after a failure or a crash)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--outbox-interval",
            type=float,
            default=30.0,
            help="seconds between outbox sweeps; 0 turns them off (default: 30)",
        )
        parser.set_defaults(reload=False, queue_name="*")

    def handle(self, *args: Any, **options: Any) -> None:
        outbox_interval = float(options.pop("outbox_interval"))
        stop = threading.Event()
        if outbox_interval > 0 and not options.get("batch"):
            thread = threading.Thread(
                target=_sweep_forever,
                args=(stop, outbox_interval),
                name="outbox-sweep",
                daemon=True,
            )
            thread.start()
        elif options.get("batch"):
            sweep_once()
            tasks.run_sweeps()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()

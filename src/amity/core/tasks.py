"""Background jobs of the core app, run by `amity worker`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
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


# Rows each index is sampled at: ANALYZE then takes milliseconds, not minutes, at a
# million rows, and its estimates are enough to choose between indexes.
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_statistics() -> int:
    """Keep SQLite's planner statistics (sqlite_stat1) current; PostgreSQL's autovacuum
    does this by itself. Without them SQLite guesses, and at a million people it chose
    to walk a whole workspace's index for a five-row lookup."""
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return 1


# Due-time sweeps other apps register from AppConfig.ready (reminders, scheduled
# messages): `amity worker` runs each on every outbox interval; each delivers
# what is due and returns how many.
SWEEPS: list[Callable[[], int]] = []


def register_sweep(sweep: Callable[[], int]) -> None:
    if sweep not in SWEEPS:
        SWEEPS.append(sweep)


def run_sweeps() -> int:
    """Run every registered sweep once; one failing never stops the rest."""
    done = 0
    for sweep in SWEEPS:
        try:
            done += sweep()
        except Exception:  # logged, and retried on the next round
            logging.getLogger("amity.worker").exception("Sweep %s failed", sweep)
    return done

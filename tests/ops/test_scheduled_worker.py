"""Scheduled emails and event reminders survive a worker killed mid-batch: each goes exactly once.

Runs the real `amity worker` against an on-disk SQLite database, kills it with
SIGKILL while it works through the due rows, starts it again and counts: every
scheduled email became exactly one outbox message and one timeline entry, every
event reminder exactly one notification, each within a minute of its moment.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

AMITY = [sys.executable, "-m", "amity.cli"]
TOTAL = 50
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs once, in the SQLite pass (the processes get their own SQLite database)",
)

SEED = f"""
from datetime import timedelta
from django.utils import timezone
from amity.activities.models import Event, Reminder, ScheduledEmail
from amity.core import services
from amity.core.models import User
from amity.customers.models import Person
ws = services.create_workspace("Acme", "acme")
user = User.objects.create(email="bob@acme.test", full_name="Bob")
services.add_member(ws, user, "sales")
ann = Person.objects.create(
    workspace=ws, last_name="Ann", email="ann@example.test", email_consent=True
)
due = timezone.now() - timedelta(seconds=1)
ScheduledEmail.objects.bulk_create(
    ScheduledEmail(workspace=ws, person=ann, author=user, subject=f"Email {{n}}", body="Hi",
                   send_at=due)
    for n in range({TOTAL})
)
starts = timezone.now() + timedelta(minutes=10)
events = Event.objects.bulk_create(
    Event(workspace=ws, title=f"Event {{n}}", starts_at=starts,
          ends_at=starts + timedelta(hours=1), owner=user)
    for n in range({TOTAL})
)
Reminder.objects.bulk_create(
    Reminder(workspace=ws, event=e, recipient=user, minutes_before=10, due_at=due)
    for e in events
)
"""


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db, timeout=10) as conn:
        return list(conn.execute(sql).fetchall())


def _sent(db: Path) -> int:
    emails = _query(db, "SELECT count(*) FROM activities_scheduledemail WHERE status='sent'")
    told = _query(db, "SELECT count(*) FROM activities_reminder WHERE status='sent'")
    return int(emails[0][0]) + int(told[0][0])  # type: ignore[call-overload]


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*AMITY, "worker", "--outbox-interval", "0.2", "--no-startup-delay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _moment(value: object) -> datetime:
    """Return a stored UTC moment as a naive datetime (SQLite keeps them as text)."""
    return datetime.fromisoformat(str(value)).replace(tzinfo=None)


def test_each_email_and_reminder_goes_once_across_a_kill_and_restart(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    var = tmp_path_factory.mktemp("var")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AMITY_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(AMITY_VAR_DIR=str(var), AMITY_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    subprocess.run([*AMITY, "migrate", "-v0"], env=env, check=True, timeout=120)
    subprocess.run([*AMITY, "shell", "-c", SEED], env=env, check=True, timeout=120)
    db = var / "amity.sqlite3"
    assert _sent(db) == 0

    first = _worker(env)
    deadline = time.monotonic() + 60
    try:
        while _sent(db) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
    sent_before_kill = _sent(db)
    assert 0 < sent_before_kill < 2 * TOTAL, "the kill must land mid-way through the batch"

    restarted = datetime.now(UTC).replace(tzinfo=None)
    second = _worker(env)
    try:
        deadline = time.monotonic() + 120
        while _sent(db) < 2 * TOTAL and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    outbox = _query(db, "SELECT json_extract(payload, '$.subject') FROM core_outboxmessage")
    subjects = sorted(str(row[0]) for row in outbox)
    assert subjects == sorted(f"Email {n}" for n in range(TOTAL))  # each once, none lost
    linked = _query(db, "SELECT count(DISTINCT outbox_message_id) FROM activities_scheduledemail")
    assert linked == [(TOTAL,)]
    entries = _query(db, "SELECT count(*) FROM customers_timelineevent WHERE kind='email'")
    assert entries == [(TOTAL,)]
    told = _query(
        db, "SELECT count(*), count(DISTINCT url) FROM core_notification WHERE kind='reminder'"
    )
    assert told == [(TOTAL, TOTAL)]
    # On time: within a minute of the moment it was due, or of the restart for what the
    # killed worker left (the restart's boot time included).
    late = [
        (_moment(sent) - max(_moment(due), restarted)).total_seconds()
        for sent, due in _query(db, "SELECT sent_at, send_at FROM activities_scheduledemail")
        + _query(db, "SELECT sent_at, due_at FROM activities_reminder")
    ]
    print(f"sent before the kill: {sent_before_kill}; the last {max(late):.1f} s after restart")
    assert max(late) < 60

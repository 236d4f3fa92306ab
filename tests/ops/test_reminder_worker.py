"""Reminders survive a worker killed mid-batch: each is delivered exactly once after a restart.

Runs the real `amity worker` against an on-disk SQLite database, kills it with
SIGKILL while it works through a batch, starts it again and counts.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

AMITY = [sys.executable, "-m", "amity.cli"]
TOTAL = 300
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs once, in the SQLite pass (the processes get their own SQLite database)",
)

SEED = f"""
from datetime import date, timedelta
from django.utils import timezone
from amity.activities.models import Reminder, Task
from amity.core import services
from amity.core.models import User
ws = services.create_workspace("Acme", "acme")
user = User.objects.create(email="bob@acme.test", full_name="Bob")
services.add_member(ws, user, "sales")
due = timezone.now() - timedelta(minutes=1)
tasks = Task.objects.bulk_create(
    Task(workspace=ws, title=f"Task {{n}}", due_date=date(2026, 1, 1), due_at=due, owner=user)
    for n in range({TOTAL})
)
Reminder.objects.bulk_create(
    Reminder(workspace=ws, task=t, recipient=user, due_at=due) for t in tasks
)
"""


def _counts(db: Path) -> tuple[int, int, int]:
    """Return (reminders sent, reminder notifications, distinct tasks told about)."""
    with sqlite3.connect(db, timeout=10) as conn:
        sent = conn.execute("SELECT count(*) FROM activities_reminder WHERE status='sent'")
        told = conn.execute(
            "SELECT count(*), count(DISTINCT url) FROM core_notification WHERE kind='reminder'"
        ).fetchone()
        return int(sent.fetchone()[0]), int(told[0]), int(told[1])


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*AMITY, "worker", "--outbox-interval", "0.2", "--no-startup-delay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_each_reminder_is_delivered_once_across_a_kill_and_restart(
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
    assert _counts(db) == (0, 0, 0)

    first = _worker(env)
    deadline = time.monotonic() + 60
    try:
        while _counts(db)[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
    sent_before_kill = _counts(db)[0]
    assert 0 < sent_before_kill < TOTAL, "the kill must land mid-way through the reminders"

    second = _worker(env)
    try:
        deadline = time.monotonic() + 120
        while _counts(db)[0] < TOTAL and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    assert _counts(db) == (TOTAL, TOTAL, TOTAL)

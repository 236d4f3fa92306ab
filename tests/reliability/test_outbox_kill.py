"""TESTPLAN R5: outbox delivery survives `kill -9` of the worker, the producer and the receiver.

tests/ops/test_outbox_smtp.py covers send-after-commit, nothing after rollback and
retry with backoff in-process; tests/ops/test_processes.py one worker delivering
queued and orphaned messages. Here real processes share an on-disk database: a
producer commits business events (every fifth transaction rolls back), while the
worker is killed with SIGKILL at random moments (before a claim, mid-send, after
the send before it is marked sent), the producer is killed once mid-transaction,
and the SMTP receiver goes away for a while. Then the leases and backoffs are
expired (the only thing not waited for in real time) and the worker catches up.

Targets: 0 committed events lost, 0 sends for rolled-back transactions,
duplicates only with the same Message-ID (so the receiver drops them).
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

AMITY = [sys.executable, "-m", "amity.cli"]
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs once, in the SQLite pass (the processes get their own SQLite database)",
)

PRODUCER = """
import time
from django.db import transaction
from amity.core import outbox

class Rollback(Exception):
    pass

for i in range(START, END):
    try:
        with transaction.atomic():
            rolled = i % 5 == 4
            outbox.queue_email(
                to=[f"user{i}@example.test"],
                subject=("rollback " if rolled else "event ") + str(i),
                body=f"business event {i}",
            )
            time.sleep(PAUSE)
            if rolled:
                raise Rollback
    except Rollback:
        pass
"""


class Receiver:
    """A real SMTP server recording (Message-ID, Subject); it can be stopped and restarted."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.received: list[tuple[str, str]] = []
        self.controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        received = self.received

        class Record(Message):  # type: ignore[misc]
            def handle_message(self, message: Any) -> None:
                # A slow receiver widens the "mid-send" window for the kills.
                time.sleep(0.01)
                received.append((str(message["Message-ID"]), str(message["Subject"])))

        self.controller = Controller(Record(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _rows(db: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db, timeout=30) as conn:
        rows = conn.execute("SELECT uid, status, payload FROM core_outboxmessage").fetchall()

    return [(uid, status, json.loads(payload)["subject"]) for uid, status, payload in rows]


def _expire_leases(db: Path) -> None:
    """Let the time pass that leases and backoffs wait for (minutes) in one step."""
    with sqlite3.connect(db, timeout=30) as conn:
        conn.execute(
            "UPDATE core_outboxmessage SET next_attempt_at = '2000-01-01 00:00:00' "
            "WHERE status = 'pending'"
        )


def _kill(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.parametrize(
    ("events", "max_kills"),
    [pytest.param(100, 4, id="100"), pytest.param(1000, 1000, id="1000", marks=pytest.mark.soak)],
)
def test_no_committed_event_is_lost_and_no_rolled_back_one_is_sent(
    tmp_path: Path, events: int, max_kills: int
) -> None:
    seed = int(os.environ.get("AMITY_CHAOS_SEED", time.time_ns() % 10**6))
    print(f"chaos seed {seed} (AMITY_CHAOS_SEED={seed} repeats it)")
    rng = random.Random(seed)
    receiver = Receiver()
    receiver.start()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AMITY_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        AMITY_VAR_DIR=str(tmp_path),
        AMITY_LOG_LEVEL="ERROR",
        AMITY_SMTP_PORT=str(receiver.port),
        PYTHONUNBUFFERED="1",
    )
    db = tmp_path / "amity.sqlite3"
    subprocess.run([*AMITY, "migrate", "-v0"], env=env, check=True, timeout=180)

    def worker() -> subprocess.Popen[bytes]:
        command = [*AMITY, "worker", "--outbox-interval", "0.5", "--no-startup-delay"]
        return subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def producer(start: int) -> subprocess.Popen[bytes]:
        script = PRODUCER.replace("START", str(start)).replace("END", str(events))
        script = script.replace("PAUSE", "0.02")
        command = [*AMITY, "shell", "-c", script]
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    kills = Counter[str]()
    running = worker()
    making = producer(0)
    producer_killed = receiver_down = False
    try:
        # At least two kills even when the producer is through first (a slow machine boots
        # the worker slowly): the messages still due keep the next worker delivering.
        while (making.poll() is None or kills["worker"] < 2) and kills["worker"] < max_kills:
            # Kill while it delivers: once this worker has sent something, after 0-300 ms.
            seen = len(receiver.received)
            until = time.monotonic() + 30
            while len(receiver.received) == seen and time.monotonic() < until:
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.3))
            _kill(running)
            kills["worker"] += 1
            if not producer_killed and rng.random() < 0.5:
                _kill(making)
                kills["producer"] += 1
                producer_killed = True
                done = [int(s.split()[1]) for _, _, s in _rows(db)]
                making = producer(max(done, default=-1) + 1)
            if not receiver_down and (kills["worker"] == 2 or rng.random() < 0.3):
                receiver.stop()
                kills["receiver"] += 1
                receiver_down = True
            elif receiver_down:
                receiver.start()
                receiver_down = False
            running = worker()
        assert making.wait(300) == 0, making.stderr.read() if making.stderr else ""
        if receiver_down:
            receiver.start()
        # Catch up: the sweeper re-queues what the kills left behind once it is due.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            _expire_leases(db)
            if all(status == "sent" for _, status, _ in _rows(db)):
                break
            time.sleep(1.0)
    finally:
        _kill(running)
        _kill(making)
        receiver.stop()

    rows = _rows(db)
    committed = {f"<{uuid.UUID(uid)}@amity>": subject for uid, _, subject in rows}
    delivered = Counter(message_id for message_id, _ in receiver.received)
    subjects = {subject for _, subject in receiver.received}
    print(f"kills: {dict(kills)}; committed {len(rows)}; deliveries {len(receiver.received)}")
    assert kills["worker"] >= 2
    assert sorted(s for s in committed.values()) == sorted(
        f"event {i}" for i in range(events) if i % 5 != 4
    )
    assert [status for _, status, _ in rows] == ["sent"] * len(rows)
    assert set(delivered) == set(committed)  # 0 lost, nothing unknown sent
    assert not {s for s in subjects if s.startswith("rollback")}  # 0 sends for rollbacks
    # A duplicate is the same message again (same Message-ID), so the receiver drops it.
    assert len(delivered) == len(committed)

"""The outbox against a real SMTP server: sent after commit, never after rollback, retried."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import Message
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amity.core import outbox, tasks
from amity.core.models import OutboxMessage
from tests.conftest import SmtpServer, World

Capture = Callable[..., Any]


def _queue(world: World, subject: str = "Welcome") -> OutboxMessage:
    return outbox.queue_email(
        workspace_id=world.acme.pk, to=["bob@acme.test"], subject=subject, body="Hello Bob"
    )


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _point_mail_at(settings: Any, port: int) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def db_tasks(settings: Any) -> Iterator[None]:
    """Queue tasks in the database, as in production, instead of running them at once."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def test_it_sends_after_commit(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = _queue(world)
        assert smtp_server.messages == []  # nothing leaves before the commit

    assert len(smtp_server.messages) == 1
    sent: Message = smtp_server.messages[0]
    assert (sent["Subject"], sent["To"], sent["Message-ID"]) == (
        "Welcome",
        "bob@acme.test",
        f"<{message.uid}@amity>",
    )
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")


def test_it_sends_nothing_after_rollback(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _queue(world)
        raise RuntimeError("the change failed")

    assert callbacks == []
    assert smtp_server.messages == []
    assert OutboxMessage.objects.count() == 0


# The worker closes connections it finds inside a transaction: these tests commit for real.
@pytest.mark.django_db(transaction=True)
def test_it_retries_with_backoff_until_the_server_is_up(
    world: World, smtp_server: SmtpServer, settings: Any, db_tasks: None
) -> None:
    _point_mail_at(settings, _dead_port())
    message = _queue(world)

    before = timezone.now()
    assert outbox.deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in message.last_error
    wait = message.next_attempt_at - before
    assert timedelta(seconds=29) < wait <= timedelta(seconds=31)
    assert outbox.due_message_ids() == []  # not before its time
    assert outbox.deliver(message.pk) == "not due"

    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert timedelta(seconds=59) < message.next_attempt_at - timezone.now() <= timedelta(seconds=61)

    _point_mail_at(settings, smtp_server.port)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0, stdout=StringIO())

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 3)
    assert [m["Message-ID"] for m in smtp_server.messages] == [f"<{message.uid}@amity>"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_queued_deliveries(
    world: World,
    smtp_server: SmtpServer,
    db_tasks: None,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = _queue(world, "First")
    # A message whose delivery job was lost in a crash: only the sweep finds it.
    orphan = OutboxMessage.objects.create(
        workspace=world.acme,
        payload={"to": ["carol@acme.test"], "subject": "Orphan", "body": "Hi"},
    )
    assert (
        DBTaskResult.objects.filter(task_path=tasks.deliver_outbox_message.module_path).count() == 1
    )
    assert smtp_server.messages == []

    call_command("worker", "--batch", "--no-startup-delay", verbosity=0, stdout=StringIO())

    assert sorted(m["Subject"] for m in smtp_server.messages) == ["First", "Orphan"]
    statuses = set(
        OutboxMessage.objects.filter(pk__in=[first.pk, orphan.pk]).values_list("status", flat=True)
    )
    assert statuses == {"sent"}
    assert DBTaskResult.objects.exclude(status="SUCCESSFUL").count() == 0


def test_it_sends_attachments_and_html(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    pdf = b"%PDF-1.7\n\x00\xff binary"
    invitation = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.queue_email(
            workspace_id=world.acme.pk,
            to=["bob@acme.test"],
            subject="Your quote",
            body="Attached.",
            html="<p>Attached.</p>",
            attachments=[
                outbox.Attachment("Q-0001.pdf", pdf, "application/pdf"),
                outbox.Attachment("invite.ics", invitation, "text/calendar; method=REQUEST"),
            ],
        )

    sent = smtp_server.messages[0]
    parts = {part.get_content_type(): part for part in sent.walk()}
    assert parts["text/html"].get_payload(decode=True).strip() == b"<p>Attached.</p>"
    assert parts["application/pdf"].get_filename() == "Q-0001.pdf"
    assert parts["application/pdf"].get_payload(decode=True) == pdf
    calendar = parts["text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_payload(decode=True).replace(b"\r\n", b"\n") == invitation.replace(
        b"\r\n", b"\n"
    )
    stored = OutboxMessage.objects.get()
    assert "attachments" not in stored.payload  # nothing of the content is kept once sent

"""The outbox: messages written in the same transaction as the change that caused them."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from amity.core.models import OutboxMessage

MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email: a quote's PDF, a meeting's .ics invitation."""

    filename: str
    content: bytes
    content_type: str  # may carry parameters, e.g. "text/calendar; method=REQUEST"

    def as_payload(self) -> dict[str, str]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "content_b64": base64.b64encode(self.content).decode("ascii"),
        }


def queue_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    workspace_id: int | None = None,
    html: str = "",
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
    reply_to: list[str] | None = None,
) -> OutboxMessage:
    """Record an email to send once the surrounding transaction commits.

    Attachments travel inside the message row, so the email that leaves is
    exactly the one written with the change, even if the source file changes later.
    """
    payload: dict[str, object] = {"to": to, "subject": subject, "body": body}
    if html:
        payload["html"] = html
    if attachments:
        payload["attachments"] = [attachment.as_payload() for attachment in attachments]
    if reply_to:
        payload["reply_to"] = reply_to
    message = OutboxMessage.objects.create(
        workspace_id=workspace_id,
        kind=OutboxMessage.Kind.EMAIL,
        payload=payload,
    )
    from amity.core.tasks import deliver_outbox_message

    transaction.on_commit(lambda: deliver_outbox_message.enqueue(message.pk))
    return message


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


LEASE = timedelta(minutes=5)


def deliver(message_id: int) -> str:
    """Send one message if it is due; on failure schedule the next attempt.

    The message is claimed with a lease in a short transaction and sent outside
    it, so a slow mail server never holds a database lock. A worker killed
    mid-send leaves the lease to expire and the sweeper sends again; the fixed
    Message-ID lets the receiver drop that duplicate.
    """
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return "not due"
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        message.save(update_fields=["attempts", "next_attempt_at"])
    payload = message.payload
    email = build_email(message)
    try:
        email.send()
    except Exception as exc:  # noqa: BLE001 - any transport failure is retried
        failed = message.attempts >= MAX_ATTEMPTS
        OutboxMessage.objects.filter(pk=message.pk).update(
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            status=OutboxMessage.Status.FAILED if failed else OutboxMessage.Status.PENDING,
            next_attempt_at=timezone.now() + backoff(message.attempts),
        )
        return "failed" if failed else "retry"
    # The body can hold a one-time link (invitation, password reset) or a note
    # about a customer: once delivered, keep only who it went to and the subject.
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        payload={"to": payload["to"], "subject": payload["subject"], "body": ""},
    )
    return "sent"


def build_email(message: OutboxMessage) -> EmailMultiAlternatives:
    payload = message.payload
    email = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        to=payload["to"],
        reply_to=payload.get("reply_to") or None,
        headers={"Message-ID": f"<{message.uid}@amity>"},
    )
    if payload.get("html"):
        email.attach_alternative(payload["html"], "text/html")
    for item in payload.get("attachments", []):
        email.attach(item["filename"], base64.b64decode(item["content_b64"]), item["content_type"])
    return email


def due_message_ids(limit: int = 100) -> list[int]:
    return list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )

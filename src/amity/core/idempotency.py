"""Idempotency keys for API creates: a repeated request replays the first answer (TESTPLAN R4).

The key is reserved in its own short transaction before the work runs, so a
concurrent duplicate finds the reservation (409) instead of creating a second
object. The work and the stored answer commit together; an answer of 4xx is
stored and replayed too, while a crash or 5xx releases the reservation so the
client can retry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from amity.core.api import ApiError, error_response
from amity.core.models import IdempotencyRecord, Membership

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 255
KEEP = timedelta(hours=24)
# A reservation this old belongs to a request that died without answering.
ABANDONED = timedelta(minutes=5)
REPLAYED_HEADERS = ("Content-Type", "ETag", "Location")


def fingerprint(request: HttpRequest) -> str:
    """Return a hash of what the request asks for: method, path and JSON body."""
    body: bytes = request.body
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (request.method or "", request.path):
        digest.update(part.encode())
        digest.update(b"\x00")
    digest.update(canonical)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    assert record.status_code is not None
    headers = dict(record.response_headers)
    response = HttpResponse(
        bytes(record.response_body or b""),
        status=record.status_code,
        content_type=headers.pop("Content-Type", None),
    )
    for name, value in headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _reserve(
    member: Membership, key: str, request: HttpRequest, digest: str
) -> IdempotencyRecord | HttpResponse:
    scope = {"workspace_id": member.workspace_id, "user_id": member.user_id, "key": key}
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    **scope,
                    method=request.method or "",
                    path=request.path[:300],
                    request_hash=digest,
                )
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(**scope).first()
        if existing is None:
            continue  # released meanwhile: try to take it
        now = timezone.now()
        if existing.created_at < now - KEEP or (
            existing.status_code is None and existing.created_at < now - ABANDONED
        ):
            IdempotencyRecord.objects.filter(
                pk=existing.pk, workspace_id=member.workspace_id, created_at=existing.created_at
            ).delete()
            continue
        if existing.request_hash != digest:
            raise ApiError(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request.",
                {HEADER: ["Use a new key for a new request."]},
            )
        if existing.status_code is None:
            raise ApiError(
                409,
                "idempotency_in_progress",
                "A request with this Idempotency-Key is still running; retry shortly.",
                headers={"Retry-After": "1"},
            )
        return _replay(existing)
    raise ApiError(
        409,
        "idempotency_in_progress",
        "A request with this Idempotency-Key is still running; retry shortly.",
        headers={"Retry-After": "1"},
    )


def _store(member: Membership, record: IdempotencyRecord, response: HttpResponse) -> None:
    headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    IdempotencyRecord.objects.filter(pk=record.pk, workspace_id=member.workspace_id).update(
        status_code=response.status_code,
        response_body=response.content,
        response_headers=headers,
    )


def respond(
    request: HttpRequest,
    member: Membership,
    key: str | None,
    produce: Callable[[], HttpResponse],
) -> HttpResponse:
    """Run `produce` once per key; answer repeats with the stored first answer."""
    if key is None:
        return produce()
    reserved = _reserve(member, key, request, fingerprint(request))
    if isinstance(reserved, HttpResponse):
        return reserved
    try:
        with transaction.atomic():
            response = produce()
            _store(member, reserved, response)
        return response
    except Exception as exc:
        answer = error_response(request, exc)
        if answer is not None and answer.status_code < 500:
            with transaction.atomic():
                _store(member, reserved, answer)
            return answer
        IdempotencyRecord.objects.filter(pk=reserved.pk, workspace_id=member.workspace_id).delete()
        raise


def purge_expired(*, now: datetime | None = None) -> int:
    """Delete stored answers older than 24 hours; return how many."""
    cutoff = (now or timezone.now()) - KEEP
    count, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return count

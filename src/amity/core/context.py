"""Who is asking, from where: set once per request (or job) and read by the audit log."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""
    request_id: str = ""


_NOBODY = RequestInfo()
_info: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar("amity_request_info")


def current() -> RequestInfo:
    return _info.get(_NOBODY)


def set_current(info: RequestInfo) -> contextvars.Token[RequestInfo]:
    return _info.set(info)


def reset(token: contextvars.Token[RequestInfo]) -> None:
    _info.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    """Return the client address, trusting X-Forwarded-For only from configured proxies."""
    hops = settings.AMITY_TRUSTED_PROXIES
    if hops > 0:
        forwarded = [p.strip() for p in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None

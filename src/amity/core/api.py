"""The API object, bearer-token auth, the one error shape, and ETag preconditions."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import NinjaAPI, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field, field_validator

from amity.core import services
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership

log = logging.getLogger("amity.api")

RENDERER = JSONRenderer()
CONTENT_TYPE = f"{RENDERER.media_type}; charset={RENDERER.charset}"
# Largest id a path or filter accepts: PostgreSQL's bigint.
MAX_ID = 2**63 - 1


class TokenAuth(HttpBearer):
    """`Authorization: Bearer amity_…`; the request then acts as the token's membership."""

    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        membership = services.membership_for_token(token.strip())
        if membership is not None:
            request.membership = membership  # type: ignore[attr-defined]
            request.user = membership.user
        return membership


class ApiError(Exception):
    """An error answered as {"error": {"code", "message", "fields"}} with its HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = dict(headers or {})


class RequestBody(Schema):
    """Base of request bodies: unknown fields (id, workspace, version…) are refused,
    text is stripped and may not hold a NUL (PostgreSQL cannot store one)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Remove the NUL character.")
        return value


class ErrorDetail(Schema):
    code: str = Field(description="Stable machine-readable code, e.g. `not_found`.")
    message: str = Field(description="A human-readable explanation.")
    fields: dict[str, list[str]] = Field(
        description="Problems per input field (`__all__` for the request as a whole)."
    )


class ErrorOut(Schema):
    """The body of every error answer."""

    error: ErrorDetail


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Return the `response=` entries declaring that an operation may answer these errors."""
    return dict.fromkeys(statuses, ErrorOut)


def documents_headers(*statuses: int, location: bool = False) -> dict[str, Any]:
    """Return `openapi_extra` declaring the ETag (and Location) headers of success answers."""
    headers: dict[str, Any] = {
        "ETag": {
            "description": 'The record\'s version, e.g. `"person-12-v3"`; send it in If-Match.',
            "schema": {"type": "string"},
            "required": True,
        }
    }
    if location:
        headers["Location"] = {
            "description": "The new record's URL.",
            "schema": {"type": "string"},
            "required": True,
        }
    return {"responses": {status: {"headers": headers} for status in statuses}}


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def json_response(
    request: HttpRequest, status: int, data: Any, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """Render `data` the way every API answer is rendered."""
    if isinstance(data, Schema):
        data = data.model_dump()
    content = RENDERER.render(request, data, response_status=status)
    response = HttpResponse(content, status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def member_of(request: HttpRequest) -> Membership:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    return membership


# Errors ---------------------------------------------------------------------

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            name: [str(m) for e in errs for m in e.messages]
            for name, errs in exc.error_dict.items()
        }
    return {"__all__": [str(m) for m in exc.messages]}


def _ninja_field_errors(exc: NinjaValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [
            str(p)
            for p in err.get("loc", ())
            if p not in ("body", "payload", "query", "path", "header", "filters")
        ]
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            message = "This field cannot be set."
        fields.setdefault(".".join(loc) or "__all__", []).append(message)
    return fields


def error_response(request: HttpRequest, exc: Exception) -> HttpResponse | None:
    """Return the answer for an exception the API knows, or None for a bug."""
    status: int
    headers: dict[str, str] = {}
    if isinstance(exc, ApiError):
        status, body, headers = (
            exc.status,
            error_body(exc.code, exc.message, exc.fields),
            exc.headers,
        )
    elif isinstance(exc, ValidationError):
        status = 422
        body = error_body("invalid", "Some fields are not valid.", _field_errors(exc))
    elif isinstance(exc, NinjaValidationError):
        status = 422
        body = error_body("invalid", "Some fields are not valid.", _ninja_field_errors(exc))
    elif isinstance(exc, AuthenticationError):
        status = 401
        body = error_body("unauthenticated", "Send a valid bearer token.")
        headers["WWW-Authenticate"] = "Bearer"
    elif isinstance(exc, Http404):
        status, body = 404, error_body("not_found", "Not found.")
    elif isinstance(exc, PermissionDenied):
        status = 403
        body = error_body("forbidden", str(exc) or "Your role does not allow this.")
    elif isinstance(exc, VersionConflict):
        status = 412
        body = error_body(
            "version_conflict",
            "The record changed since you read it; fetch it again and reapply your change.",
        )
        if exc.current is not None and getattr(exc.current, "deleted_at", None) is None:
            headers["ETag"] = etag_for(exc.current)
    elif isinstance(exc, HttpError):
        status = exc.status_code
        body = error_body(_HTTP_CODES.get(status, "error"), str(exc))
    elif isinstance(exc, (OperationalError, InterfaceError)):
        log.exception("Database unavailable")
        status = 503
        body = error_body("unavailable", "The database is not answering; retry shortly.")
        headers["Retry-After"] = "5"
    else:
        return None
    return json_response(request, status, body, headers)


# ETags and preconditions ------------------------------------------------------

_ETAG = re.compile(r'\s*(W/)?("[^"]*")\s*(?:,|$)')


def record_response(
    request: HttpRequest, status: int, record: Any, body: Any, *, location: str | None = None
) -> HttpResponse:
    """Answer with one versioned record: its ETag, and on 201 its Location (by default
    the collection path the create was posted to, plus the new id)."""
    headers = {"ETag": etag_for(record)}
    if status == 201:
        headers["Location"] = location or f"{request.path.rstrip('/')}/{record.pk}"
    return json_response(request, status, body, headers)


def etag_for(obj: Any) -> str:
    """Return the strong ETag of a versioned record: `"person-12-v3"`."""
    return f'"{obj.ACCESS_TYPE}-{obj.pk}-v{obj.version}"'


def _tags(header: str) -> list[tuple[bool, str]]:
    return [(bool(m.group(1)), m.group(2)) for m in _ETAG.finditer(header)]


def expected_version(obj: Any, if_match: str | None) -> int:
    """Return the version an `If-Match` write is based on.

    Missing (or `*`, which would defeat the point) → 428; an ETag that is not the
    record's current one → 412 through VersionConflict.
    """
    value = (if_match or "").strip()
    if not value or value == "*":
        raise ApiError(
            428,
            "precondition_required",
            "Send If-Match with the ETag of the version you read (`*` is not accepted).",
        )
    current = etag_for(obj)
    # If-Match uses the strong comparison: weak tags never match (RFC 9110 §13.1.1).
    if any(not weak and tag == current for weak, tag in _tags(value)):
        version: int = obj.version
        return version
    raise VersionConflict(obj)


def not_modified(obj: Any, if_none_match: str | None) -> bool:
    """Return whether `If-None-Match` already names the current version (weak comparison)."""
    value = (if_none_match or "").strip()
    if not value:
        return False
    return value == "*" or any(tag == etag_for(obj) for _, tag in _tags(value))


# Request checks -------------------------------------------------------------

_JSON_TYPES = re.compile(r"^application/([a-z0-9.+-]+\+)?json$")


def _json_only(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.body and not _JSON_TYPES.match(request.content_type or ""):
            return json_response(
                request,
                415,
                error_body("unsupported_media_type", "Send the body as application/json."),
                {"Accept-Patch": "application/json"} if request.method == "PATCH" else {},
            )
        return run(request, *args, **kwargs)

    return wrapper


json_only = decorate_view(_json_only)
"""Answer 415 to an operation's request whose body is not JSON."""


# The API --------------------------------------------------------------------

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _not_allowed(allowed: list[str], *, with_id: bool) -> Callable[..., HttpResponse]:
    def refuse() -> NoReturn:
        raise ApiError(
            405,
            "method_not_allowed",
            f"Use {', '.join(allowed)} here.",
            headers={"Allow": ", ".join(allowed)},
        )

    def not_allowed(request: HttpRequest) -> HttpResponse:
        refuse()

    def not_allowed_with_id(request: HttpRequest, id: str) -> HttpResponse:
        refuse()

    return not_allowed_with_id if with_id else not_allowed


def refuse_other_methods(router: Router) -> None:
    """Answer 405 (with Allow) in the API's error shape to methods a path does not have."""
    for path, view in list(router.path_operations.items()):
        allowed = sorted({m for op in view.operations for m in op.methods})
        others = [m for m in METHODS if m not in allowed]
        if others:
            router.add_api_operation(
                path,
                others,
                _not_allowed(allowed, with_id="{id}" in path),
                auth=None,
                include_in_schema=False,
            )


fallback = Router(auth=None)


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    """Answer 404 in the API's error shape for a path no operation has."""
    raise Http404


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Amity API",
        version="1",
        description=(
            "The Amity CRM API. Authenticate with `Authorization: Bearer <token>` "
            "(create one with `amity token create EMAIL` or under Account → API tokens).\n\n"
            "Reads return an `ETag`; updates and deletes require `If-Match` with it "
            "(missing → 428, stale → 412). Creates accept an `Idempotency-Key` (kept 24 h): "
            "a repeat replays the first answer, the same key with another body → 422, "
            "a repeat while the first is still running → 409.\n\n"
            'Every error answers `{"error": {"code", "message", "fields"}}`.'
        ),
        auth=TokenAuth(),
        urls_namespace="api",
        renderer=RENDERER,
    )

    def on_known_error(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        assert isinstance(exc, Exception)
        response = error_response(request, exc)
        assert response is not None
        return response

    for exc_class in (
        ApiError,
        ValidationError,
        NinjaValidationError,
        AuthenticationError,
        Http404,
        PermissionDenied,
        VersionConflict,
        HttpError,
        OperationalError,
        InterfaceError,
    ):
        api.add_exception_handler(exc_class, on_known_error)

    @api.exception_handler(Exception)
    def on_bug(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.error("Unhandled API error", exc_info=exc)
        # What Django sends for an unhandled view error: error reporters and the
        # test client (which re-raises it) still see the exception.
        got_request_exception.send(sender=None, request=request)
        return json_response(
            request, 500, error_body("server_error", "Something went wrong on our side.")
        )

    from amity.customers.api import router as customers_router
    from amity.customers.api_data import router as customers_data_router
    from amity.customers.merge_api import router as merge_router

    # First: "/people/export" must not be taken for "/people/{id}".
    api.add_router("/", customers_data_router)
    from amity.customers.api_lists import router as lists_router

    # Also before "/people/{id}": "/people/bulk" is not a person.
    api.add_router("/", lists_router)
    from amity.customers.api_imports import router as imports_router

    api.add_router("/", imports_router)
    api.add_router("/", customers_router)
    from amity.customers.api_fields import router as custom_fields_router

    api.add_router("/", custom_fields_router)
    api.add_router("/", merge_router)
    from amity.activities.api import router as notes_router
    from amity.core.notifications_api import router as notifications_router
    from amity.customers.timeline_api import router as timeline_router

    api.add_router("/", timeline_router)
    api.add_router("/", notes_router)
    from amity.sales.api import router as sales_router

    api.add_router("/", sales_router)
    from amity.sales.api_rules import router as sales_rules_router

    api.add_router("/", sales_rules_router)
    from amity.sales.api_quotes import router as quotes_router

    api.add_router("/", quotes_router)
    api.add_router("/", notifications_router)
    from amity.activities.task_api import router as tasks_router

    api.add_router("/", tasks_router)
    from amity.activities.event_api import router as events_router

    api.add_router("/", events_router)

    from amity.activities.reminder_api import router as reminders_router

    api.add_router("/", reminders_router)
    from amity.core.search_api import router as search_router

    api.add_router("/", search_router)
    api.add_router("/", fallback)
    return api

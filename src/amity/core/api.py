"""The API object, bearer-token auth and the one error shape every operation answers with."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from amity.core import services
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership


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
        self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def member_of(request: HttpRequest) -> Membership:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    return membership


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
            if p not in ("body", "payload", "query", "path", "header")
        ]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "invalid")))
    return fields


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Amity API",
        version="1",
        description=(
            "The Amity CRM API. Authenticate with `Authorization: Bearer <token>` "
            "(create one with `amity token create EMAIL` or under Account → API tokens). "
            "Reads return an `ETag`; updates and deletes require `If-Match`. "
            "Creates accept an `Idempotency-Key`."
        ),
        auth=TokenAuth(),
        urls_namespace="api",
    )

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, error_body(exc.code, exc.message, exc.fields))

    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = _field_errors(exc)
        return respond(request, 422, error_body("invalid", "Some fields are not valid.", fields))

    @api.exception_handler(NinjaValidationError)
    def on_schema_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields = _ninja_field_errors(exc)
        return respond(request, 422, error_body("invalid", "Some fields are not valid.", fields))

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(
            request, 401, error_body("unauthenticated", "Send a valid bearer token.")
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body("not_found", "Not found."))

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or "Your role does not allow this."
        return respond(request, 403, error_body("forbidden", message))

    @api.exception_handler(VersionConflict)
    def on_conflict(request: HttpRequest, exc: VersionConflict) -> HttpResponse:
        return respond(
            request,
            412,
            error_body(
                "version_conflict",
                "The record changed since you read it; fetch it again and reapply your change.",
            ),
        )

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, error_body("error", str(exc)))

    from amity.customers.api import router as customers_router

    api.add_router("/", customers_router)
    return api

"""Data and clients shared by the customer screen tests, made through the real services."""

from __future__ import annotations

from typing import Any

from django.test import Client

from amity.core.models import AuditEvent, User
from amity.customers import services
from amity.customers.models import Company, Person
from tests.conftest import World, tenant_guard_off

NATIONAL_ID = "12345678901"
IBAN = "NO9386011117947"


def company(world: World, owner: User | None = None, **data: Any) -> Company:
    """Create a company in acme owned by `owner` (alice by default)."""
    member = world.member(owner or world.alice)
    return services.create_company(member, {"name": "Initech", **data})


def person(
    world: World,
    owner: User | None = None,
    sensitive: dict[str, str | None] | None = None,
    **data: Any,
) -> Person:
    """Create a person in acme owned by `owner` (alice by default)."""
    member = world.member(owner or world.alice)
    return services.create_person(member, {"last_name": "Lee", **data}, sensitive)


def client_for(user: User) -> Client:
    """Return a fresh client logged in as `user`, as the `as_user` fixture does."""
    client = Client()
    client.force_login(user)
    session = client.session
    session["epoch"] = user.session_epoch
    session["started_at"] = 10**10
    session.save()
    return client


def events(action: str, obj: Company | Person) -> list[AuditEvent]:
    """Return the audit events of one kind written about a record, oldest first."""
    with tenant_guard_off():
        return list(
            AuditEvent.objects.filter(
                action=action, object_type=obj.ACCESS_TYPE, object_id=str(obj.pk)
            ).order_by("seq")
        )


def reload(obj: Company | Person) -> Any:
    """Return the record as stored now (trashed or not)."""
    with tenant_guard_off():
        return type(obj)._default_manager.get(pk=obj.pk)


def form_data(obj: Company | Person, **changes: Any) -> dict[str, Any]:
    """Return the POST data of the edit form as loaded now, with `changes` applied."""
    fields = services.COMPANY_FIELDS if isinstance(obj, Company) else services.PERSON_FIELDS
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, f"{name}_id" if name in ("owner", "company") else name)
        data[name] = "" if value is None else value
    data["version"] = obj.version
    data.update(changes)
    return data

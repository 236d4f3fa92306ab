"""Records and clients for the authorization matrix."""

from __future__ import annotations

import itertools
import re
from typing import Any

from django.test import Client

from amity.core import services as core_services
from amity.core.models import User
from amity.customers import services as customers
from amity.customers.models import Company, CustomerRecord, Person
from tests.authz.matrix import Target
from tests.conftest import World

MISSING_ID = 987_654_321
_counter = itertools.count(1)


def make_record(world: World, obj: str, role_user: User, target: Target) -> CustomerRecord | None:
    """Create the record a case acts on: owned by the role, by someone else, or elsewhere."""
    if target == "missing":
        return None
    n = next(_counter)
    if target == "other_workspace":
        creator = world.member(world.mallory, world.globex)
        owner = world.mallory
    else:
        creator = world.member(world.alice)
        if target == "own":
            owner = role_user
        else:
            owner = world.bob if role_user == world.alice else world.alice
    if obj == "company":
        return customers.create_company(creator, {"name": f"Matrix Co {n}", "owner": owner.pk})
    return customers.create_person(
        creator,
        {"first_name": "Matrix", "last_name": f"Person {n}", "owner": owner.pk},
        {"national_id": f"MX{n:08d}", "bank_account": ""},
    )


def record_pk(record: CustomerRecord | None) -> int:
    return record.pk if record is not None else MISSING_ID


def reload(record: CustomerRecord | None) -> tuple[Any, ...] | None:
    if record is None:
        return None
    model = type(record)
    names = {f.name for f in model._meta.fields}
    shows_change = ("version", "deleted_at", "read_at", "status", "undone_at", "dismissed_at")
    columns = [c for c in shows_change if c in names]
    if model not in (Company, Person):  # notes, notifications, jobs: whatever shows a change
        assert columns, model
    row = model._default_manager.filter(pk=record.pk, workspace_id=record.workspace_id).values_list(
        *columns
    )
    return tuple(row[0]) if row else None


def html_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
        session = client.session
        session["epoch"] = user.session_epoch
        session["started_at"] = 10**10
        session.save()
    return client


def api_token(world: World, user: User) -> str:
    workspace = world.globex if user == world.mallory else world.acme
    _, raw = core_services.create_token(world.member(user, workspace), "matrix")
    return raw


_VOLATILE = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]*')


def normalised(body: bytes) -> bytes:
    """Drop per-request tokens so two 404 pages can be compared byte for byte."""
    return _VOLATILE.sub(rb"\1", body)

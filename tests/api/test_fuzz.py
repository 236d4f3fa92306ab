"""TESTPLAN S4: schemathesis drives every operation from our own OpenAPI schema.

Runs in-process against amity.wsgi.application with alice's token, inside the
test's database transaction (so the tenant guard watches every query too).
AMITY_FUZZ_EXAMPLES sets the examples per operation: 25 by default, 100 in CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from amity.customers import services as customers
from amity.customers.models import Company, Person
from amity.wsgi import application
from tests.api.conftest import token_for
from tests.conftest import World

EXAMPLES = int(os.environ.get("AMITY_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """Keep the test's connection open across requests, as Django's test client does.

    The WSGI handler closes connections that are not in autocommit mode at the end
    of each request; inside the test's transaction that would close it on PostgreSQL.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(world: World, keep_connection: None, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """Give the fuzzer records to hit (one of each kind in the trash) and alice's token."""
    settings.VAR_DIR = tmp_path  # uploaded import files land here
    alice = world.member(world.alice)
    ids: dict[str, list[int]] = {"companies": [], "people": []}
    for n in range(4):
        company = customers.create_company(alice, {"name": f"Fuzz Co {n}"})
        person = customers.create_person(
            alice,
            {"last_name": f"Fuzz {n}", "company": company.pk},
            {"national_id": f"FZ{n:06d}", "bank_account": "NO9386011117947"},
        )
        ids["companies"].append(company.pk)
        ids["people"].append(person.pk)
        if n == 3:
            customers.trash(alice, company)
            customers.trash(alice, person)
    from amity.sales import services as sales

    pipeline = sales.install_default_pipeline(world.acme)
    ids["pipelines"] = [pipeline.pk] * 4
    ids["deals"] = [
        sales.create_deal(alice, pipeline, {"name": f"Fuzz deal {n}"}).pk for n in range(4)
    ]
    from amity.sales import leads

    ids["leads"] = [
        leads.create_lead(alice, {"last_name": f"Fuzz lead {n}", "company_name": "Fuzz"}).pk
        for n in range(4)
    ]
    from amity.sales import products, quotes

    ids["products"] = [
        products.create_product(alice, {"sku": f"FZ-{n}", "name": f"Fuzz product {n}"}).pk
        for n in range(4)
    ]
    ids["price-lists"] = [
        products.create_price_list(alice, {"name": f"Fuzz {n}", "currency": "EUR"}).pk
        for n in range(4)
    ]
    from amity.sales.models import Deal as _Deal

    ids["quotes"] = [
        quotes.create_quote(alice, _Deal.objects.get(workspace=world.acme, pk=pk)).pk
        for pk in ids["deals"]
    ]
    token = token_for(world, world.alice)
    return {"ids": ids, "workspace": world.acme, "headers": {"Authorization": f"Bearer {token}"}}


def _aim(case: Any, world: dict[str, Any]) -> None:
    """Point small generated ids at real records and use their real ETag in If-Match.

    Ids differ between databases (PostgreSQL sequences survive rollbacks), and
    a random If-Match is always stale; without this, writes would rarely get
    past 404 and 412 to the services.
    """
    raw_id = str((case.path_parameters or {}).get("id", ""))
    if not raw_id.isdigit() or int(raw_id) > 100:
        return
    kind = "companies" if case.path.startswith("/api/v1/companies") else "people"
    for sales_kind in ("deals", "pipelines", "leads", "products", "price-lists", "quotes"):
        if case.path.startswith(f"/api/v1/{sales_kind}"):
            kind = sales_kind
    record_id = world["ids"][kind][int(raw_id) % 4]
    case.path_parameters["id"] = record_id
    if case.method in ("PATCH", "DELETE", "POST") and "If-Match" in (case.headers or {}):
        from amity.sales.models import Deal, Lead, PriceList, Product, Quote

        models: dict[str, Any] = {
            "companies": Company,
            "people": Person,
            "deals": Deal,
            "leads": Lead,
            "products": Product,
            "price-lists": PriceList,
            "quotes": Quote,
        }
        model = models.get(kind, Person)
        version = (
            model._default_manager.filter(workspace=world["workspace"], pk=record_id)
            .values_list("version", flat=True)
            .first()
        )
        if version is not None:
            case.headers["If-Match"] = f'"{model.ACCESS_TYPE}-{record_id}-v{version}"'


# The schema view needs no database, so it can be loaded while collecting.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api(case: Any, fuzz_world: dict[str, Any]) -> None:
    _aim(case, fuzz_world)
    case.call_and_validate(headers=fuzz_world["headers"], checks=CHECKS)

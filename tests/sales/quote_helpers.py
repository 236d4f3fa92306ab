"""Products, price lists and quotes for the quote tests, made through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from amity.core.models import User
from amity.customers import services as customers
from amity.sales import products, quotes
from amity.sales.models import Deal, PriceList, Product, Quote
from tests.conftest import World
from tests.sales import helpers


def product(world: World, sku: str = "WID-1", tax_rate: str = "25", **data: Any) -> Product:
    values = {"sku": sku, "name": f"Widget {sku}", "tax_rate": tax_rate, "unit": "pcs", **data}
    return products.create_product(world.member(world.erin), values)


def price_list(world: World, currency: str = "EUR", discount: str = "0") -> PriceList:
    return products.create_price_list(
        world.member(world.erin),
        {"name": f"List {currency}", "currency": currency, "default_discount": discount},
    )


def customer_deal(world: World, owner: User | None = None, currency: str = "EUR") -> Deal:
    """A deal with a company (billing address) and a contact person with an email."""
    by = world.member(world.alice)
    company = customers.create_company(
        by,
        {
            "name": "Initech AS",
            "billing_street": "Storgata 1",
            "billing_city": "Oslo",
            "billing_postal_code": "0155",
            "billing_country": "NO",
        },
    )
    person = customers.create_person(
        by, {"first_name": "Peter", "last_name": "Gibbons", "email": "peter@initech.test"}
    )
    deal = helpers.deal(world, owner or world.bob, currency=currency, company=company.pk)
    from amity.sales import services

    services.set_people(world.member(owner or world.bob), deal, [(person.pk, "buyer")])
    return deal


def quote_with_lines(world: World, deal: Deal, lines: list[dict[str, Any]]) -> Quote:
    member = world.member(world.bob)
    quote = quotes.create_quote(member, deal)
    return add_lines(world, quote, lines)


def add_lines(world: World, quote: Quote, lines: list[dict[str, Any]]) -> Quote:
    member = world.member(world.bob)
    quotes.set_lines(member, quote, lines, expected_version=quote.version)
    quote.refresh_from_db()
    return quote


def d(value: str) -> Decimal:
    return Decimal(value)

"""Quotes: totals to the cent, numbering, editing rules and the catalogue behind them."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from amity.core.exceptions import VersionConflict
from amity.core.models import AuditEvent
from amity.sales import products, quotes
from amity.sales.models import Quote, QuoteCounter
from tests.conftest import World
from tests.sales import helpers
from tests.sales.quote_helpers import (
    add_lines,
    customer_deal,
    d,
    price_list,
    product,
    quote_with_lines,
)


def test_line_amounts_round_half_up_per_line() -> None:
    """Each line is rounded to the cent before summing: 3 × 0.335 = 1.005 → 1.01."""
    amounts = quotes.line_amounts(d("3"), d("0.335"), d("0"), d("0"))
    assert amounts.gross == d("1.01")
    # 10 % off 19.99 is 1.999 → 2.00; tax 15 % of 17.99 is 2.6985 → 2.70.
    amounts = quotes.line_amounts(d("1"), d("19.99"), d("10"), d("15"))
    assert (amounts.gross, amounts.discount, amounts.net, amounts.tax) == (
        d("19.99"),
        d("2.00"),
        d("17.99"),
        d("2.70"),
    )


def test_eur_quote_with_discounts_and_mixed_tax_rates(world: World) -> None:
    widget = product(world, "WID-1", tax_rate="25")
    book = product(world, "BOOK-1", tax_rate="12")
    eur = price_list(world, "EUR", discount="5")
    products.set_price(world.member(world.erin), eur, widget.pk, "19.99")
    products.set_price(world.member(world.erin), eur, book.pk, "7.35")
    deal = customer_deal(world)
    quote = quote_with_lines(
        world,
        deal,
        [
            # 3 × 19.99 = 59.97; list discount 5 % = 3.00 (2.9985); net 56.97; tax 25 % = 14.24
            {"product": widget.pk, "quantity": "3"},
            # 7 × 7.35 = 51.45; line discount 12.5 % = 6.43 (6.43125); net 45.02; 12 % = 5.40
            {"product": book.pk, "quantity": "7", "discount": "12.5"},
            # free text, no tax: 2.5 × 80.00 = 200.00
            {"description": "Installation (hours)", "quantity": "2.5", "unit_price": "80"},
        ],
    )
    assert quote.currency == "EUR" and quote.price_list_id == eur.pk
    found = quotes.quote_totals(quote, quotes.lines_of(quote))
    assert found.subtotal == d("311.42")
    assert found.discount_total == d("9.43")
    assert found.tax_by_rate == {d("25.00"): d("14.24"), d("12.00"): d("5.40"), d("0.00"): d("0")}
    assert found.tax_total == d("19.64")
    assert found.total == d("321.63")
    assert (quote.subtotal, quote.discount_total, quote.tax_total, quote.total) == (
        d("311.42"),
        d("9.43"),
        d("19.64"),
        d("321.63"),
    )


def test_usd_quote_uses_the_usd_price_list(world: World) -> None:
    widget = product(world, "WID-1", tax_rate="8.875")
    eur, usd = price_list(world, "EUR"), price_list(world, "USD")
    products.set_price(world.member(world.erin), eur, widget.pk, "10.00")
    products.set_price(world.member(world.erin), usd, widget.pk, "11.49")
    deal = customer_deal(world, currency="USD")
    quote = quote_with_lines(
        world,
        deal,
        [
            # 13 × 11.49 = 149.37; tax 8.875 % = 13.256 → 13.26
            {"product": widget.pk, "quantity": "13"},
            # 0.333 × 100.00 = 33.30; 3 % off = 0.999 → 1.00; 32.30; tax 20 % = 6.46
            {
                "description": "Support",
                "quantity": "0.333",
                "unit_price": "100",
                "discount": "3",
                "tax_rate": "20",
            },
        ],
    )
    assert (quote.currency, quote.price_list_id) == ("USD", usd.pk)
    assert (quote.subtotal, quote.discount_total, quote.tax_total, quote.total) == (
        d("182.67"),
        d("1.00"),
        d("19.72"),
        d("201.39"),
    )
    with pytest.raises(ValidationError) as error:
        quotes.update_quote(
            world.member(world.bob), quote, {"price_list": eur.pk}, expected_version=quote.version
        )
    assert "price_list" in error.value.message_dict


def test_a_product_without_a_price_needs_one_typed(world: World) -> None:
    widget = product(world)
    price_list(world)
    quote = quotes.create_quote(world.member(world.bob), customer_deal(world))
    with pytest.raises(ValidationError) as error:
        quotes.add_line(world.member(world.bob), quote, {"product": widget.pk}, expected_version=1)
    assert "unit_price" in error.value.message_dict


def test_numbers_run_per_workspace_and_year(world: World) -> None:
    year = timezone.localdate().year
    first = quotes.create_quote(world.member(world.bob), helpers.deal(world))
    second = quotes.create_quote(world.member(world.bob), helpers.deal(world))
    from amity.sales import services

    mallory = world.member(world.mallory, world.globex)
    pipeline = services.install_default_pipeline(world.globex)
    other = quotes.create_quote(mallory, services.create_deal(mallory, pipeline, {"name": "G"}))
    assert (first.number, second.number) == (f"Q-{year}-0001", f"Q-{year}-0002")
    assert other.number == f"Q-{year}-0001"


@pytest.mark.django_db(transaction=True)
def test_numbering_is_safe_under_concurrency(world: World) -> None:
    """Eight threads numbering at once never share or skip a number."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    from django.db import close_old_connections, transaction

    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def number() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                numbers.append(quotes.next_number(world.acme.pk, 2031))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=number) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"Q-2031-{n:04d}" for n in range(1, 9)]
    assert QuoteCounter.objects.get(workspace=world.acme, year=2031).last == 8


def test_only_drafts_change_and_stale_versions_are_refused(world: World) -> None:
    deal = customer_deal(world)
    quote = quote_with_lines(world, deal, [{"description": "A", "unit_price": "1"}])
    member = world.member(world.bob)
    with pytest.raises(VersionConflict):
        quotes.update_quote(member, quote, {"notes": "late"}, expected_version=quote.version - 1)
    quote.refresh_from_db()
    Quote.objects.filter(pk=quote.pk, workspace=world.acme).update(status=Quote.Status.SENT)
    quote.refresh_from_db()
    with pytest.raises(ValidationError):
        quotes.update_quote(member, quote, {"notes": "x"}, expected_version=quote.version)
    with pytest.raises(ValidationError):
        add_lines(world, quote, [{"description": "B", "unit_price": "1"}])


def test_who_may_quote(world: World) -> None:
    deal = customer_deal(world, owner=world.bob)
    with pytest.raises(PermissionDenied):
        quotes.create_quote(world.member(world.sam), deal)  # not sam's deal
    with pytest.raises(PermissionDenied):
        quotes.create_quote(world.member(world.dave), deal)  # read-only
    quote = quotes.create_quote(world.member(world.erin), deal)  # managers may
    assert quote.owner_id == world.bob.pk
    with pytest.raises(PermissionDenied):
        products.create_product(world.member(world.bob), {"sku": "X", "name": "X"})


def test_skus_are_unique_per_workspace_and_products_deactivate(world: World) -> None:
    widget = product(world, "SKU-1")
    with pytest.raises(ValidationError) as error:
        product(world, "SKU-1")
    assert "sku" in error.value.message_dict
    mallory = world.member(world.mallory, world.globex)
    products.create_product(mallory, {"sku": "SKU-1", "name": "Theirs"})
    products.update_product(
        world.member(world.erin), widget, {"active": False}, expected_version=widget.version
    )
    with pytest.raises(VersionConflict):
        products.update_product(world.member(world.erin), widget, {"name": "x"}, expected_version=1)
    quote = quotes.create_quote(world.member(world.bob), customer_deal(world))
    with pytest.raises(ValidationError) as error:
        add_lines(world, quote, [{"product": widget.pk, "unit_price": "1"}])
    assert "lines.0.product" in error.value.message_dict
    assert AuditEvent.objects.filter(object_type="product", action="update").exists()


def test_valid_until_defaults_to_thirty_days(world: World) -> None:
    quote = quotes.create_quote(world.member(world.bob), helpers.deal(world))
    assert quote.valid_until == timezone.localdate() + timedelta(days=30)
    assert quote.total == Decimal("0")

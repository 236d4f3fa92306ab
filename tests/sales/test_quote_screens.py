"""The quote screens and API: editing a draft, query counts, settings and the JSON operations."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from amity.core.models import User
from amity.sales import products, quotes
from amity.sales.models import Quote, QuoteSettings
from tests.api.conftest import Api, api_as, body, error_code
from tests.conftest import World
from tests.sales.quote_helpers import customer_deal, price_list, product, quote_with_lines

__all__ = ["api_as"]

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


def test_a_new_quote_from_the_deal_page_then_lines_added_and_removed(
    world: World, as_user: Callable[[User], Client]
) -> None:
    widget = product(world, "WID-1", tax_rate="25")
    eur = price_list(world)
    products.set_price(world.member(world.erin), eur, widget.pk, "19.99")
    deal = customer_deal(world)
    client = as_user(world.bob)
    page = client.get(f"/deals/{deal.pk}/")
    assert b"New quote" in page.content
    response = client.post(f"/deals/{deal.pk}/quotes/new/")
    quote = Quote.objects.get(workspace=world.acme, deal=deal)
    assert response["Location"] == f"/quotes/{quote.pk}/"
    response = client.post(
        f"/quotes/{quote.pk}/",
        {"form": "line", "version": quote.version, "product": widget.pk, "quantity": "2"},
    )
    assert response.status_code == 302
    quote.refresh_from_db()
    assert str(quote.total) == "49.98"  # 39.98 + 25 % tax 9.995 → 10.00
    page = client.get(f"/quotes/{quote.pk}/")
    assert b"49.98" in page.content and b"WID-1" in page.content
    bad = client.post(
        f"/quotes/{quote.pk}/",
        {"form": "line", "version": quote.version, "description": "X", "unit_price": "abc"},
    )
    assert bad.status_code == 400 and b"unit_price" in bad.content
    line = quotes.lines_of(quote)[0]
    client.post(
        f"/quotes/{quote.pk}/", {"form": "remove", "line": line.pk, "version": quote.version}
    )
    quote.refresh_from_db()
    assert str(quote.total) == "0.00" and quotes.lines_of(quote) == []


def test_a_stale_editor_is_told_and_nothing_is_overwritten(
    world: World, as_user: Callable[[User], Client]
) -> None:
    quote = quote_with_lines(world, customer_deal(world), [{"description": "A", "unit_price": "1"}])
    client = as_user(world.bob)
    response = client.post(
        f"/quotes/{quote.pk}/",
        {
            "form": "quote",
            "version": quote.version - 1,
            "notes": "stale",
            "valid_until": "2030-01-01",
        },
        follow=True,
    )
    assert b"changed this quote meanwhile" in response.content
    quote.refresh_from_db()
    assert quote.notes == ""


def test_query_counts_stay_flat(
    world: World, as_user: Callable[[User], Client], django_assert_max_num_queries: Any
) -> None:
    deal = customer_deal(world)
    few = quote_with_lines(world, deal, [{"description": "A", "unit_price": "1"}])
    many = quote_with_lines(
        world,
        deal,
        [{"description": f"L{n}", "unit_price": "1", "tax_rate": str(n)} for n in range(30)],
    )
    for n in range(10):
        product(world, f"SKU-{n}")
    client = as_user(world.bob)
    client.get(f"/quotes/{few.pk}/")  # the first request of a session does its own bookkeeping
    counts = []
    for quote in (few, many):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/quotes/{quote.pk}/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(f"/quotes/{many.pk}/")
    with django_assert_max_num_queries(25):
        assert client.get(f"/deals/{deal.pk}/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/products/").status_code == 200


def test_the_logo_upload_takes_png_and_refuses_anything_else(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.alice)
    svg = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post(
        "/deals/settings/quotes/", {"logo": svg, "accepted_wins_deal": "on", "company_details": ""}
    )
    assert response.status_code == 400
    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = client.post(
        "/deals/settings/quotes/",
        {"logo": logo, "accepted_wins_deal": "on", "company_details": "VAT NO 123"},
    )
    assert response.status_code == 302
    found = QuoteSettings.objects.get(workspace=world.acme)
    assert found.accepted_wins_deal and found.logo.startswith("data:image/png;base64,")
    big = SimpleUploadedFile("big.png", PNG + b"\0" * 200_001, content_type="image/png")
    assert client.post("/deals/settings/quotes/", {"logo": big}).status_code == 400
    quote = quote_with_lines(world, customer_deal(world), [{"description": "A", "unit_price": "1"}])
    assert as_user(world.bob).get(f"/quotes/{quote.pk}/pdf/").status_code == 200


# API ---------------------------------------------------------------------------------


def test_api_quote_lifecycle(world: World, api_as: Callable[[User], Api]) -> None:
    erin, bob = api_as(world.erin), api_as(world.bob)
    created = erin.post(
        "/products",
        {"sku": "API-1", "name": "Widget", "tax_rate": "25"},
        headers={"Idempotency-Key": "p-1"},
    )
    assert created.status_code == 201
    again = erin.post(
        "/products",
        {"sku": "API-1", "name": "Widget", "tax_rate": "25"},
        headers={"Idempotency-Key": "p-1"},
    )
    assert again.content == created.content
    widget = body(created)["id"]
    assert error_code(erin.post("/products", {"sku": "API-1", "name": "Again"})) == "invalid"
    pl = body(erin.post("/price-lists", {"name": "EUR list", "currency": "EUR"}))["id"]
    prices = erin.post(f"/price-lists/{pl}/prices", {"product": widget, "amount": "19.99"})
    assert body(prices)["prices"] == [{"product": widget, "sku": "API-1", "amount": "19.99"}]
    assert (
        bob.post(f"/price-lists/{pl}/prices", {"product": widget, "amount": "1"}).status_code == 403
    )

    deal = customer_deal(world)
    response = bob.post(
        f"/deals/{deal.pk}/quotes",
        {
            "lines": [
                {"product": widget, "quantity": "3"},
                {"description": "Setup", "unit_price": "50"},
            ]
        },
    )
    assert response.status_code == 201, response.content
    quote = body(response)
    assert (quote["subtotal"], quote["tax_total"], quote["total"]) == ("109.97", "14.99", "124.96")
    assert quote["taxes"] == [
        {"rate": "25.00", "amount": "14.99"},
        {"rate": "0.00", "amount": "0.00"},
    ]
    path = f"/quotes/{quote['id']}"
    etag = response["ETag"]
    assert bob.patch(path, {"notes": "x"}).status_code == 428
    assert (
        bob.patch(path, {"notes": "x"}, headers={"If-Match": '"quote-1-v999"'}).status_code == 412
    )
    patched = bob.patch(path, {"terms": "Net 30", "lines": []}, headers={"If-Match": etag})
    assert patched.status_code == 200 and body(patched)["total"] == "0.00"
    pdf = bob.get(f"{path}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    sent = bob.post(f"{path}/send", {}, headers={"If-Match": patched["ETag"]})
    assert sent.status_code == 200 and body(sent)["status"] == "sent"
    assert body(sent)["sent_to"] == "peter@initech.test"
    # Sent quotes are no longer drafts: no edits, no delete.
    assert bob.patch(path, {"notes": "y"}, headers={"If-Match": sent["ETag"]}).status_code == 422
    assert bob.delete(path, headers={"If-Match": sent["ETag"]}).status_code == 422
    listed = body(bob.get(f"/quotes?deal={deal.pk}"))
    assert [q["number"] for q in listed["items"]] == [quote["number"]]
    assert api_as(world.mallory).get(path).status_code == 404

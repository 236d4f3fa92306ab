"""A quote journey in a real Chromium: a seller quotes a product on a deal, opens the PDF and
sends it; the customer opens the public link in a fresh browser and accepts; the deal is won."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from amity.sales import products
from amity.sales.models import Deal, Quote, QuoteSettings
from tests.browser_fixtures import VIEWPORTS
from tests.conftest import PASSWORD, World, tenant_guard_off
from tests.sales.quote_helpers import customer_deal, price_list, product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _serious(page: Any) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def test_a_quote_is_made_sent_and_accepted(
    page: Any, browser: Any, world: World, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    widget = product(world, "WID-1", tax_rate="25")
    eur = price_list(world)
    products.set_price(world.member(world.erin), eur, widget.pk, "19.99")
    QuoteSettings.objects.update_or_create(
        workspace=world.acme, defaults={"accepted_wins_deal": True}
    )
    deal = customer_deal(world)

    page.goto("/login/")
    page.fill("#id_email", world.bob.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    page.goto(f"/deals/{deal.pk}/")
    page.click("button:has-text('New quote')")
    page.wait_for_url("**/quotes/*/")
    page.select_option("#l-product", label="WID-1 · Widget WID-1")
    page.fill("#l-quantity", "2")
    page.click("button:has-text('Add line')")
    page.locator("[data-total=total]", has_text="49.98").wait_for()
    found = {"editor": _serious(page)}
    with tenant_guard_off():
        quote = Quote.objects.get(deal_id=deal.pk)

    pdf = page.request.get(f"/quotes/{quote.pk}/pdf/")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    page.click("button:has-text('Send quote')")
    page.locator(".record-sub", has_text="Sent").wait_for()
    link = page.locator("a[href*='/q/']").get_attribute("href")
    assert link and link.startswith(live_server.url)

    customer = browser.new_context(viewport=VIEWPORTS[page.viewport_name])
    public = customer.new_page()
    public.goto(link)
    public.locator("h1", has_text=quote.number).wait_for()
    found["public"] = _serious(public)
    public.fill("#d-name", "Peter Gibbons")
    public.click("button:has-text('Accept')")
    public.locator(".banner", has_text="You accepted").wait_for()
    customer.close()

    page.goto(f"/deals/{deal.pk}/")
    page.locator(".record-sub", has_text="Won").wait_for()
    with tenant_guard_off():
        assert Deal.objects.get(pk=deal.pk).status == Deal.Status.WON
    assert found == {"editor": [], "public": []}

"""The board in a real Chromium: drag a deal across stages (desktop) or use the stage select
(phone), then see the move on the deal's history; no serious accessibility violations."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from amity.customers import services as customers
from amity.sales.models import Deal, DealStageChange
from tests.conftest import PASSWORD, World, tenant_guard_off
from tests.sales import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, email: str) -> None:
    page.goto("/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_a_deal_moves_across_the_board(page: Any, world: World) -> None:
    initech = customers.create_company(world.member(world.bob), {"name": "Initech"})
    deal = helpers.deal(world, name="Printer fleet", company=initech.pk)
    stages = helpers.stages(deal.pipeline)
    _login(page, world.bob.email)
    if page.locator(".menu-toggle").is_visible():
        page.click(".menu-toggle")
    page.click("#sidebar >> text=Deals")
    page.wait_for_url(f"**/deals/pipelines/{deal.pipeline_id}/")
    card = page.locator(f"#deal-{deal.pk}")
    card.wait_for()
    target = page.locator(f".board-column[data-stage='{stages[2].pk}']")
    if page.viewport_name == "desktop":
        card.drag_to(target)
    else:
        card.locator("select[name=stage]").select_option(str(stages[2].pk))
        card.locator("button", has_text="Move").click()
    target.locator(f"#deal-{deal.pk}").wait_for()
    page.locator(".message", has_text="Moved Printer fleet.").wait_for()
    with tenant_guard_off():
        assert Deal.objects.get(pk=deal.pk).stage_id == stages[2].pk
        assert DealStageChange.objects.filter(deal=deal).count() == 2

    axe = Axe()
    found = {}
    for url in (
        f"/deals/pipelines/{deal.pipeline_id}/",
        "/deals/list/",
        f"/deals/{deal.pk}/",
        f"/deals/{deal.pk}/edit/",
        f"/deals/pipelines/{deal.pipeline_id}/funnel/",
        f"/companies/{initech.pk}/",
    ):
        page.goto(url)
        violations = axe.run(page).response["violations"]
        found[url] = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert found == {url: [] for url in found}
    page.goto(f"/deals/{deal.pk}/")
    page.locator(".stage-history li", has_text="Qualified → Proposal sent").wait_for()

"""A web-to-lead journey in a real Chromium: a visitor posts the embedded form on another
page; the lead lands assigned (round-robin in the East team), classified and scored by the
workspace's rules, and the seller converts it into a deal."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from amity.sales import leads, rules
from amity.sales.models import AssignmentRule, ClassificationRule, Deal, Lead
from tests.conftest import PASSWORD, World, tenant_guard_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_web_lead_becomes_a_deal(page: Any, world: World, live_server: Any) -> None:
    admin = world.member(world.alice)
    rules.create_rule(
        admin,
        AssignmentRule,
        {"name": "Web", "source": "web", "strategy": "round_robin", "team": world.east.pk},
    )
    rules.create_rule(
        admin,
        ClassificationRule,
        {"name": "Nordic", "countries": "NO", "segment": "Nordics", "priority": "high"},
    )
    leads.add_rule(admin, "country", "NO", 10)
    leads.add_rule(admin, "form_submitted", "", 7)
    key = leads.form_key(world.acme.pk)
    page.set_content(
        f'<form method="post" action="{live_server.url}/leads/form/{key}/">'
        '<input name="first_name"><input name="last_name"><input name="company_name">'
        '<input name="country"><input name="website" hidden><button type="submit">Send</button>'
        "</form>"
    )
    page.fill("input[name=first_name]", "Ann")
    page.fill("input[name=last_name]", "Lee")
    page.fill("input[name=company_name]", "Initech")
    page.fill("input[name=country]", "no")
    page.click("button")
    page.locator("h1", has_text="Thank you").wait_for()
    with tenant_guard_off():
        lead = Lead.objects.get()
    # Round-robin starts with the team's lowest user id; the worker scored it after commit.
    first = min(world.bob.pk, world.sam.pk)
    assert (lead.owner_id, lead.source, lead.segment, lead.priority) == (
        first,
        "web",
        "Nordics",
        "high",
    )
    assert (lead.score, [r["points"] for r in lead.score_reasons]) == (17, [10, 7])

    page.goto("/login/")
    page.fill("#id_email", world.bob.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    if page.locator(".menu-toggle").is_visible():
        page.click(".menu-toggle")
    page.click("#sidebar >> text=Leads")
    page.wait_for_url("**/leads/")
    axe = Axe()
    found = {"list": axe.run(page).response["violations"]}
    page.click("text=Ann Lee")
    page.wait_for_url(f"**/leads/{lead.pk}/")
    assert page.get_by_test_id("lead-segment").inner_text().startswith("Nordics")
    assert page.get_by_test_id("lead-score").inner_text().startswith("17")
    found["detail"] = axe.run(page).response["violations"]
    page.click("text=Convert to company, person and deal")
    page.wait_for_url("**/deals/*/")
    page.locator("h1", has_text="Initech").wait_for()
    found["deal"] = axe.run(page).response["violations"]
    with tenant_guard_off():
        deal = Deal.objects.get()
    assert (deal.name, deal.owner_id) == ("Initech", world.bob.pk)
    serious = {
        k: [v["id"] for v in vs if v["impact"] in ("serious", "critical")]
        for k, vs in found.items()
    }
    assert serious == {"list": [], "detail": [], "deal": []}

"""The shell and the customer screens in a real Chromium: keyboard, menu, htmx, reveal."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from amity.customers import services
from tests.conftest import PASSWORD, World
from tests.customers import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, email: str) -> None:
    page.goto("/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_it_focuses_the_search_box_with_slash(page: Any, world: World) -> None:
    helpers.person(world, first_name="Ann")
    _login(page, world.dave.email)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "global-search"
    page.keyboard.type("Ann")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=Ann")
    assert page.locator(".search-hits li").count() == 1


def test_it_opens_and_closes_the_sidebar_with_the_menu_button(page: Any, world: World) -> None:
    _login(page, world.dave.email)
    toggle = page.locator(".menu-toggle")
    if page.viewport_name == "desktop":
        assert not toggle.is_visible()
        assert page.locator("#sidebar").is_visible()
        return
    assert not page.locator("#sidebar").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.locator("#sidebar a[href='/people/']").wait_for(state="visible")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"


def test_it_filters_people_in_place(page: Any, world: World) -> None:
    for last in ("Adams", "Berg", "Bell"):
        helpers.person(world, last_name=last)
    _login(page, world.dave.email)
    page.goto("/people/")
    if page.viewport_name == "phone":
        page.click(".filter-panel summary")
    page.fill("#filter-q", "Be")
    page.wait_for_url("**/people/?q=Be&sort=name")
    page.locator("#result-count", has_text="2 people").wait_for()
    assert page.locator("#results tbody th a").all_inner_texts() == ["Bell", "Berg"]
    if page.viewport_name == "phone":
        page.select_option("#list-sort", "-name")
    else:
        page.click("#results th a.sort")
        expect(page.locator("#list-sort")).to_have_value("-name")
    page.wait_for_url("**sort=-name**")
    expect(page.locator("#results tbody th a").first).to_have_text("Berg")
    assert page.locator("#results tbody th a").all_inner_texts() == ["Berg", "Bell"]


def test_it_reveals_a_value_after_asking_why(page: Any, world: World) -> None:
    ann = helpers.person(world, sensitive={"national_id": helpers.NATIONAL_ID})
    _login(page, world.frank.email)
    page.goto(f"/people/{ann.pk}/")
    assert helpers.NATIONAL_ID not in page.content()
    page.click("#sensitive-national_id summary")
    page.click("#sensitive-national_id button[type=submit]")
    page.locator("#reason-national_id-error").wait_for()
    assert helpers.events("reveal", ann) == []
    page.fill("#reason-national_id", "Identity check on the phone")
    page.click("#sensitive-national_id button[type=submit]")
    page.locator("#sensitive-national_id .revealed code", has_text=helpers.NATIONAL_ID).wait_for()
    assert [e.reason for e in helpers.events("reveal", ann)] == ["Identity check on the phone"]
    assert services.masked(helpers.reload(ann), "national_id") == "•••• 8901"


def test_it_has_no_serious_accessibility_violations(page: Any, world: World) -> None:
    initech = helpers.company(world, name="Initech")
    ann = helpers.person(world, company=initech.pk, sensitive={"national_id": helpers.NATIONAL_ID})
    services.trash(world.member(world.alice), helpers.person(world, last_name="Gone"))
    _login(page, world.alice.email)
    axe = Axe()
    found = {}
    for url in (
        "/",
        "/people/",
        "/companies/",
        f"/people/{ann.pk}/",
        f"/companies/{initech.pk}/",
        f"/people/{ann.pk}/edit/",
        f"/people/{ann.pk}/history/",
        "/trash/",
    ):
        page.goto(url)
        violations = axe.run(page).response["violations"]
        found[url] = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    page.goto("/people/new/")
    # An empty form: errors tied to fields. Wait for the answer: axe on the page being
    # left finds no document.
    with page.expect_navigation():
        page.click("button.primary[type=submit]")
    violations = axe.run(page).response["violations"]
    found["/people/new/ with errors"] = [
        v["id"] for v in violations if v["impact"] in ("serious", "critical")
    ]
    assert found == {url: [] for url in found}

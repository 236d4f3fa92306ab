"""The top bar's quick results in a real Chromium, at desktop and phone widths."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, World
from tests.customers import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, email: str) -> None:
    page.goto("/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_it_opens_a_hit_with_the_keyboard(page: Any, world: World) -> None:
    helpers.person(world, first_name="Ola", last_name="Hansen")
    kari = helpers.person(world, first_name="Kari", last_name="Hansenberg")
    _login(page, world.dave.email)
    page.keyboard.press("/")
    page.keyboard.type("hans")
    options = page.locator("#search-dropdown [role='option']")
    expect(options).to_have_count(2)
    expect(page.locator("#global-search")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/people/{kari.pk}/")
    expect(page.locator("h1")).to_contain_text("Kari Hansenberg")


def test_it_opens_a_hit_with_a_click_and_closes_with_escape(page: Any, world: World) -> None:
    fjord = helpers.company(world, name="Fjord Shipping")
    _login(page, world.dave.email)
    page.fill("#global-search", "fjrd")  # a typo still finds it
    option = page.locator("#search-dropdown [role='option']")
    expect(option).to_have_count(1)
    expect(option).to_contain_text("Fjord Shipping")
    page.keyboard.press("Escape")
    expect(page.locator("#search-dropdown")).to_be_hidden()
    page.fill("#global-search", "fjor")
    expect(page.locator("#search-dropdown")).to_be_visible()
    option.click()
    page.wait_for_url(f"**/companies/{fjord.pk}/")

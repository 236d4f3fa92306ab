"""A mention in a real Chromium: alice writes a note naming bob; bob follows the bell to it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD, World
from tests.customers import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, email: str) -> None:
    page.goto("/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_a_mention_leads_the_colleague_to_the_record(page: Any, world: World) -> None:
    ann = helpers.person(world, first_name="Ann", last_name="Lee")
    _log_in(page, world.alice.email)
    page.goto(f"/people/{ann.pk}/")
    page.fill("#note-body", "@bob please call **Ann** about the renewal")
    page.click("button:has-text('Add note')")
    page.wait_for_url(f"**/people/{ann.pk}/")
    page.locator(".note-body strong", has_text="Ann").wait_for()

    page.click(".user-menu summary")
    page.click(".user-menu button:has-text('Log out')")
    page.wait_for_url("**/login/**")
    _log_in(page, world.bob.email)
    assert page.locator("[data-testid=bell-count]").inner_text() == "1"
    page.click("a.bell")
    page.wait_for_url("**/notifications/")
    page.click("button:has-text('Alice mentioned you in a note on Ann Lee')")
    page.wait_for_url(f"**/people/{ann.pk}/")
    page.locator("h1", has_text="Ann Lee").wait_for()
    assert page.locator("[data-testid=bell-count]").count() == 0

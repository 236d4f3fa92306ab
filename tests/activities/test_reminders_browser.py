"""Remind me and a scheduled email in a real Chromium at 1280 and 375 px; no serious axe issues."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from amity.customers.models import Person
from tests.conftest import PASSWORD, World
from tests.customers import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, email: str) -> None:
    page.goto("/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_remind_me_and_a_scheduled_email_from_the_person_page(page: Any, world: World) -> None:
    ann = helpers.person(world, first_name="Ann", last_name="Lee")
    Person.objects.filter(pk=ann.pk, workspace_id=ann.workspace_id).update(
        email="ann@example.test", email_consent=True
    )
    _log_in(page, world.bob.email)
    page.goto(f"/people/{ann.pk}/")
    page.click(".remind-me summary")
    page.select_option("#remind-preset", "hour")
    page.fill("#remind-note", "Ask about the renewal")
    page.click(".remind-me button[type=submit]")
    page.wait_for_url(f"**/people/{ann.pk}/")
    page.locator(".panel-remind_me", has_text="Ask about the renewal").wait_for()

    page.click(".schedule-email summary")
    page.fill("#schedule-subject", "Our offer")
    page.fill("#schedule-body", "Hello Ann")
    later = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#schedule-send_at", later)
    page.click(".schedule-email button[type=submit]")
    page.wait_for_url(f"**/people/{ann.pk}/")
    page.locator(".scheduled-emails", has_text="Our offer").wait_for()
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]

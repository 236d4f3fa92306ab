"""Tasks in a real Chromium at 1280 and 375 px: add one from a person, see it in My day,
complete it there, and find it on the person's timeline; no serious axe violations."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import PASSWORD, World
from tests.customers import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, email: str) -> None:
    page.goto("/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def _serious(axe: Any, page: Any) -> list[str]:
    violations = axe.run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def test_a_task_goes_from_a_person_to_my_day_to_the_timeline(page: Any, world: World) -> None:
    ann = helpers.person(world, first_name="Ann", last_name="Lee")
    _log_in(page, world.bob.email)
    page.goto(f"/people/{ann.pk}/")
    page.click(".record-tasks summary")
    page.fill("#record-task-title", "Send Ann the offer")
    page.click(".record-tasks button[type=submit]")
    page.wait_for_url(f"**/people/{ann.pk}/")
    page.locator(".messages", has_text="Send Ann the offer").wait_for()

    page.goto("/tasks/my-day/")
    row = page.locator("[data-testid=today] [data-testid=task-row]", has_text="Send Ann the offer")
    row.wait_for()
    axe = Axe()
    assert _serious(axe, page) == []
    row.locator("button", has_text="Complete").click()
    page.locator(".task-flash", has_text="Done: Send Ann the offer.").wait_for()
    assert row.locator("button", has_text="Reopen").count() == 1

    page.goto(f"/people/{ann.pk}/")
    page.locator(
        ".timeline-entry.kind-task", has_text="Completed task: Send Ann the offer"
    ).wait_for()
    page.goto("/tasks/?status=done")
    page.locator("tbody th a", has_text="Send Ann the offer").wait_for()
    assert _serious(axe, page) == []

"""The calendar in a real Chromium at 1280 and 375 px: add a meeting by clicking a slot of
the week, then move it to another day (by drag at 1280 px, by its form on the phone)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from amity.activities import recurrence
from amity.activities.models import Event
from tests.conftest import PASSWORD, World, tenant_guard_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_meeting_is_added_by_clicking_the_week_and_dragged_to_another_day(
    page: Any, world: World
) -> None:
    page.goto("/login/")
    page.fill("#id_email", world.bob.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    monday = recurrence.local_today("UTC") - timedelta(days=recurrence.local_today("UTC").weekday())
    # Tuesday and Wednesday: side by side even at 375 px, where the week scrolls sideways.
    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    page.goto(f"/calendar/?date={monday.isoformat()}")
    page.click(f'a.cal-slot[data-start="{tuesday.isoformat()}T10:00"]')
    page.wait_for_url("**/calendar/new/**")
    page.fill("#id_title", "Kick-off with Initech")
    page.click("form.record-form button[type=submit]")
    page.wait_for_url("**/calendar/?date=**")
    meeting = page.locator("[data-testid=event]", has_text="Kick-off with Initech")
    meeting.wait_for()
    # Checked without the flash message: base.html's role="status" list is not this test's.
    page.reload()
    meeting.wait_for()
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []

    if page.viewport_name == "desktop":
        target = page.locator(f'.cal-slot[data-start="{wednesday.isoformat()}T11:00"]')
        meeting.drag_to(target)
    else:
        # HTML5 drag and drop is for a mouse; on a phone the event's form moves it.
        meeting.click()
        page.wait_for_url("**/calendar/events/**")
        page.fill("#id_date", wednesday.isoformat())
        page.fill("#id_start", "11:00")
        page.fill("#id_end", "11:30")
        page.click("form.record-form button[type=submit]")
    page.wait_for_function(
        "sel => document.querySelector(sel) !== null",
        arg=f'section[data-date="{wednesday.isoformat()}"] [data-testid=event]',
    )
    with tenant_guard_off():
        event = Event.objects.get()
    assert (event.starts_at.date(), event.starts_at.hour, event.version) == (wednesday, 11, 2)
    assert event.ends_at - event.starts_at == timedelta(minutes=30)

"""The calendar views in a real Chromium at 1280 and 375 px: switch to the month and open a
day; change an event's end by dragging its bottom edge, then with the keyboard."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from amity.activities import events, recurrence
from amity.activities.models import Event
from tests.conftest import PASSWORD, World, tenant_guard_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, world: World) -> None:
    page.goto("/login/")
    page.fill("#id_email", world.bob.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def _tuesday() -> date:
    today = recurrence.local_today("UTC")
    return today - timedelta(days=today.weekday()) + timedelta(days=1)


def _meeting(world: World, day: date, start: time, end: time, title: str) -> Event:
    member = world.member(world.bob)
    return events.create_event(
        member,
        {
            "title": title,
            "starts_at": events.local_moment(member, day, start),
            "ends_at": events.local_moment(member, day, end),
        },
    )


def _reload(event: Event) -> Event:
    with tenant_guard_off():
        return Event.objects.get(pk=event.pk)


def _wait_for(page: Any, selector: str) -> None:
    page.wait_for_function("sel => document.querySelector(sel) !== null", arg=selector)


def _serious(page: Any) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def test_the_month_view_opens_a_day(page: Any, world: World) -> None:
    day = _tuesday()
    _meeting(world, day, time(10), time(11), "Quarterly review")
    _log_in(page, world)
    page.goto(f"/calendar/?date={day.isoformat()}")
    page.click("a[data-view=month]")
    page.wait_for_url("**view=month**")
    page.locator("[data-testid=month] [data-testid=event]", has_text="Quarterly review").wait_for()
    assert _serious(page) == []
    page.click(f'a[data-testid=month-day][data-date="{day.isoformat()}"]')
    page.wait_for_url(f"**view=day&date={day.isoformat()}**")
    page.locator("[data-testid=day] [data-testid=event]", has_text="Quarterly review").wait_for()
    assert page.locator("[data-testid=cal-title]").inner_text() != ""
    assert _serious(page) == []


def test_an_event_is_resized_by_drag_and_by_keyboard(page: Any, world: World) -> None:
    day = _tuesday()
    event = _meeting(world, day, time(10), time(10, 30), "Stand-up")
    _log_in(page, world)
    page.goto(f"/calendar/?date={day.isoformat()}")
    block = page.locator("[data-testid=event]", has_text="Stand-up")
    block.scroll_into_view_if_needed()
    slot = page.locator(".cal-slot").first.bounding_box()
    handle = block.locator(".cal-resize").bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + slot["height"], steps=4)  # half an hour further down
    page.mouse.move(x, y + 2 * slot["height"], steps=4)  # an hour
    page.mouse.up()
    _wait_for(page, f'[data-testid=event][data-end="{day.isoformat()}T11:30"]')
    event = _reload(event)
    assert (event.ends_at - event.starts_at, event.version) == (timedelta(minutes=90), 2)

    # The keyboard way: Shift+ArrowUp ends it a quarter earlier, ArrowRight moves it a day.
    block = page.locator("[data-testid=event]", has_text="Stand-up")
    block.focus()
    page.keyboard.press("Shift+ArrowUp")
    _wait_for(page, f'[data-testid=event][data-end="{day.isoformat()}T11:15"]')
    page.wait_for_function("() => document.activeElement.dataset.testid === 'event'")
    page.keyboard.press("ArrowRight")
    wednesday = day + timedelta(days=1)
    _wait_for(page, f'section[data-date="{wednesday.isoformat()}"] [data-testid=event]')
    event = _reload(event)
    assert event.starts_at.date() == wednesday and event.version == 4
    assert event.ends_at - event.starts_at == timedelta(minutes=75)

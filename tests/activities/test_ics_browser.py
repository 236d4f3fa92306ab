"""Calendar interop in a real Chromium at 1280 and 375 px: make the private feed URL (shown
once, with a copy button) and fetch it; invite an outside attendee on the event form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from amity.activities.models import EventAttendee
from tests.conftest import PASSWORD, World, tenant_guard_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Any, world: World) -> None:
    page.goto("/login/")
    page.fill("#id_email", world.bob.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_the_feed_url_is_made_shown_once_and_serves_icalendar(page: Any, world: World) -> None:
    _login(page, world)
    page.goto("/calendar/")
    page.click("text=Subscribe and import")
    page.wait_for_url("**/calendar/settings/")
    page.click("text=Make my private URL")
    url = page.locator("[data-testid=feed-url]").inner_text()
    assert "/calendar/feed/cal_" in url
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    assert _fits(page)
    # The page's origin: SITE_URL is not the live test server's.
    answer = page.request.get(urlsplit(url).path)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    assert answer.body().startswith(b"BEGIN:VCALENDAR")
    page.goto("/calendar/settings/")
    assert page.locator("[data-testid=feed-url]").count() == 0


def test_an_outside_attendee_is_invited_from_the_event_form(page: Any, world: World) -> None:
    _login(page, world)
    page.goto("/calendar/new/?start=2031-03-04T09:00")
    page.fill("#id_title", "Kick-off with Initech")
    page.fill("#id_emails", "pat@initech.test")
    assert page.is_checked("#id_send_invitations")
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    assert _fits(page)
    page.click("form.record-form button[type=submit]")
    page.wait_for_url("**/calendar/?date=**")
    with tenant_guard_off():
        assert list(EventAttendee.objects.values_list("email", flat=True)) == ["pat@initech.test"]

"""Saved views and bulk actions on the people list, in a real Chromium on a desktop and a phone."""

from __future__ import annotations

from typing import Any

import pytest

from amity.customers import services
from amity.customers.models import Person, SavedView
from tests.conftest import PASSWORD, World, tenant_guard_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, world: World) -> None:
    page.goto("/login/")
    page.fill("#id_email", world.alice.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_it_gives_the_ticked_people_an_owner(page: Any, world: World) -> None:
    member = world.member(world.alice)
    for last in ("Hansen", "Hauge", "Berg"):
        services.create_person(member, {"last_name": last})
    _log_in(page, world)
    page.goto("/people/?q=Ha")
    if page.viewport_name == "phone":
        page.click("summary:text-is('Bulk actions')")
        page.check(".select-page input")
    else:
        page.check("thead input[data-select-all]")
    assert page.locator("input.bulk-ids:checked").count() == 2
    page.select_option("#bulk-action", "assign")
    page.select_option("#bulk-owner", str(world.bob.pk))
    page.click("#bulk-form button[type=submit]")
    page.get_by_text("Give Bob 2 records?").wait_for()
    page.click("form button.primary")
    page.get_by_text("Done: 2 changed, 0 left as they were.").wait_for()
    with tenant_guard_off():
        owners = dict(Person.objects.values_list("last_name", "owner_id"))
    assert owners == {"Hansen": world.bob.pk, "Hauge": world.bob.pk, "Berg": world.alice.pk}


def test_it_saves_a_view_and_opens_it_again(page: Any, world: World) -> None:
    services.create_person(world.member(world.alice), {"last_name": "Hansen", "title": "CFO"})
    _log_in(page, world)
    page.goto("/people/?q=Han")
    page.click("summary:text-is('Columns')")
    page.uncheck("input[name=cols][value=phone]")
    page.check("input[name=cols][value=title]")
    page.click(".tool-form button:text-is('Apply')")
    page.wait_for_url("**cols=**")
    page.click("summary:text-is('Save view')")
    page.fill("#view-name", "Hansens")
    page.click(".tool-form button:text-is('Save')")
    page.get_by_text("Saved the view “Hansens”.").wait_for()
    with tenant_guard_off():
        [view] = SavedView.objects.all()
    assert view.params["q"] == "Han" and "title" in view.params["cols"].split(",")
    page.goto("/people/")
    page.click("nav.saved-views a:text-is('Hansens')")
    page.wait_for_url(f"**view={view.pk}**")
    assert page.locator("thead th", has_text="Job title").count() == 1
    assert page.locator("thead th", has_text="Phone").count() == 0

"""Bulk tagging, the several-tags filter and the tags screen in a real Chromium (desktop, phone)."""

from __future__ import annotations

from typing import Any

import pytest

from amity.customers import fields, services
from amity.customers.models import Person, Tag
from tests.conftest import PASSWORD, World, tenant_guard_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, world: World) -> None:
    page.goto("/login/")
    page.fill("#id_email", world.alice.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def _open(page: Any, selector: str) -> None:
    panel = page.locator(selector).first
    if panel.get_attribute("open") is None:
        panel.locator("summary").first.click()


def test_it_tags_ticked_people_and_filters_by_all_of_two_tags(page: Any, world: World) -> None:
    member = world.member(world.alice)
    services.create_person(member, {"last_name": "Hansen", "tags": ["Lead"]})
    services.create_person(member, {"last_name": "Hauge", "tags": ["Lead"]})
    services.create_person(member, {"last_name": "Berg"})
    _log_in(page, world)
    page.goto("/people/?q=Hansen")
    if page.viewport_name == "phone":
        _open(page, "details.bulk-panel")
        page.check(".select-page input")
    else:
        page.check("thead input[data-select-all]")
    page.select_option("#bulk-action", "tag_add")
    page.fill("#bulk-tag", "VIP")
    page.click("#bulk-form button[type=submit]")
    page.get_by_text("Add the tag “VIP” to 1 record?").wait_for()
    page.click("form button.primary")
    page.get_by_text("Done: 1 changed, 0 left as they were.").wait_for()
    with tenant_guard_off():
        assert fields.tag_names(Person.objects.get(last_name="Hansen")) == ["Lead", "VIP"]
    page.goto("/people/")
    _open(page, "details.filter-panel")
    _open(page, "details.filter-multi")
    # Each change filters at once (htmx); wait for each before the next.
    page.check("input[name=tag][value=Lead]")
    page.wait_for_url("**tag=Lead**")
    page.check("input[name=tag][value=VIP]")
    page.wait_for_url("**tag=VIP**")
    page.select_option("#filter-tag-mode", "all")
    page.wait_for_url("**tag_mode=all**")
    page.locator("#result-count").get_by_text("1").first.wait_for()
    assert page.locator("table.records tbody tr").count() == 1


def test_it_renames_a_tag_on_the_tags_screen(page: Any, world: World) -> None:
    services.create_person(world.member(world.alice), {"last_name": "Hansen", "tags": ["Lead"]})
    _log_in(page, world)
    page.goto("/settings/tags/")
    tag = Tag.objects.get(workspace=world.acme, name="Lead")
    row = page.locator(f"#tag-{tag.pk}")
    row.locator("summary").click()
    row.locator("input[name=name]").fill("Warm lead")
    row.locator("button:text-is('Rename')").click()
    page.get_by_text("Renamed “Lead” to “Warm lead”.").wait_for()
    with tenant_guard_off():
        assert fields.tag_names(Person.objects.get(last_name="Hansen")) == ["Warm lead"]

"""Merging two duplicates and undoing it in a real Chromium, on a desktop and a phone screen."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from amity.customers import duplicates
from amity.customers.models import DuplicatePair, MergeRecord, Person
from tests.conftest import PASSWORD, World, tenant_guard_off
from tests.customers import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _serious(axe: Axe, page: Any) -> list[str]:
    violations = axe.run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def test_it_merges_two_duplicates_and_undoes_it(page: Any, world: World) -> None:
    keep = helpers.person(world, first_name="Ann", last_name="Berg", email="ann@x.no")
    drop = helpers.person(
        world, first_name="Anne", last_name="Berg", email="ann@x.no", title="Finance director"
    )
    duplicates.refresh_workspace(world.acme.pk, "person")
    page.goto("/login/")
    page.fill("#id_email", world.alice.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    axe = Axe()
    found: dict[str, list[str]] = {}

    page.goto("/duplicates/")
    row = page.locator("tbody tr").first
    row.wait_for()
    found["duplicates"] = _serious(axe, page)
    row.locator("a.button", has_text="Merge").click()
    page.wait_for_url(f"**/people/{keep.pk}/merge/?with={drop.pk}")
    found["merge"] = _serious(axe, page)
    page.check("input[name=choice_first_name][value=loser]")
    page.click("button.primary[type=submit]")
    page.wait_for_url(f"**/people/{keep.pk}/")
    page.locator("h1", has_text="Anne Berg").wait_for()
    panel = page.locator(".panel-merged_from")
    panel.wait_for()
    found["record with panel"] = _serious(axe, page)
    with tenant_guard_off():
        survivor = Person.objects.get(pk=keep.pk)
        assert (survivor.first_name, survivor.title) == ("Anne", "Finance director")
        assert Person.objects.get(pk=drop.pk).merged_into_id == keep.pk

    panel.locator("button", has_text="Undo").click()
    page.wait_for_url(f"**/people/{drop.pk}/")
    page.locator("h1", has_text="Anne Berg").wait_for()
    with tenant_guard_off():
        assert Person.objects.get(pk=drop.pk).deleted_at is None
        assert Person.objects.get(pk=keep.pk).first_name == "Ann"
        assert MergeRecord.objects.get().undone_at is not None
    assert found == {name: [] for name in found}


def test_it_dismisses_one_pair_of_several(page: Any, world: World) -> None:
    for name in ("Berg", "Dahl"):
        helpers.person(world, first_name="Ann", last_name=name, email=f"{name}@x.no")
        helpers.person(world, first_name="Anne", last_name=name, email=f"{name}@x.no")
    duplicates.refresh_workspace(world.acme.pk, "person")
    page.goto("/login/")
    page.fill("#id_email", world.alice.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")

    page.goto("/duplicates/")
    row = page.locator("tbody tr", has_text="Dahl")
    row.locator("button", has_text="Not a duplicate").click()
    page.get_by_text("Marked as not a duplicate").wait_for()
    assert page.locator("tbody tr").count() == 1
    assert page.locator("tbody tr", has_text="Berg").count() == 1
    with tenant_guard_off():
        dismissed = DuplicatePair.objects.get(dismissed_at__isnull=False)
        assert Person.objects.get(pk=dismissed.second_id).last_name == "Dahl"

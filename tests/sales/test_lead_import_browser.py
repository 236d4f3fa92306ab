"""Importing leads in a real Chromium at 1280 and 375 px: a file with a bad row shows the
report and imports nothing; the fixed file imports. No serious axe issues, no sideways scroll."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from amity.sales.models import Lead
from tests.conftest import PASSWORD, World, tenant_guard_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _file(text: str) -> dict[str, Any]:
    return {"name": "leads.csv", "mimeType": "text/csv", "buffer": text.encode()}


def test_import_reports_a_bad_row_then_imports_the_fixed_file(page: Any, world: World) -> None:
    page.goto("/login/")
    page.fill("#id_email", world.erin.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    page.goto("/leads/")
    page.click("text=Import leads")
    page.wait_for_url("**/leads/import/")
    page.set_input_files(
        "input[type=file]", _file("Last Name,E-mail\nLee,ann@x.example\nBo,nope\n")
    )
    page.click("button[type=submit] >> text=Import")
    page.locator("#import-report", has_text="Nothing was imported").wait_for()
    assert "Email" in page.locator("#import-report tbody tr").inner_text()
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    with tenant_guard_off():
        assert not Lead.objects.exists()
    page.set_input_files("input[type=file]", _file("Last Name,E-mail\nLee,ann@x.example\n"))
    page.click("button[type=submit] >> text=Import")
    page.wait_for_url("**/leads/")
    page.locator("text=Imported 1 lead.").wait_for()
    with tenant_guard_off():
        assert Lead.objects.get().email == "ann@x.example"

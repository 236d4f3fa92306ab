"""Importing a CSV in a real Chromium, on a desktop and a phone: mapping, dry run, report."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from amity.customers import services
from amity.customers.models import Person
from tests.conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILE = (
    "First Name,Last Name,Email Address,Mobile Phone Number\r\n"
    "Ada,Lovelace,ada@example.test,+44 20 7946 0001\r\n"
    "Bad,Row,=HYPERLINK(1),\r\n"
    "Grace,Hopper,grace@example.test,\r\n"
)


def _serious(axe: Axe, page: Any) -> list[str]:
    violations = axe.run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def test_it_imports_a_csv_and_offers_the_error_report(
    page: Any, world: World, settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    services.create_person(
        world.member(world.alice), {"last_name": "Hopper", "email": "grace@example.test"}
    )
    upload = tmp_path / "hubspot.csv"
    upload.write_text(FILE, encoding="utf-8")
    axe = Axe()
    page.goto("/login/")
    page.fill("#id_email", world.alice.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    page.goto("/people/")
    page.click("a.button:text-is('Import')")
    page.wait_for_url("**/people/import/")
    assert _serious(axe, page) == []
    page.set_input_files("#id_file", str(upload))
    page.click("text=Upload and continue")
    page.wait_for_url("**/mapping/")
    assert page.input_value("select[name=col_2]") == "email"
    assert page.input_value("select[name=col_3]") == "mobile"
    assert _serious(axe, page) == []
    page.check("input[name=on_match][value=skip]")
    page.click("text=Check the file (dry run)")
    page.locator("text=Step 3 of 3: dry run").wait_for()
    assert page.locator(".import-counts dd").all_inner_texts()[:5] == ["1", "0", "0", "1", "1"]
    assert _serious(axe, page) == []
    assert Person.objects.filter(workspace=world.acme).count() == 1
    page.click("text=Start the import")
    page.locator("text=The import is done.").wait_for()
    assert _serious(axe, page) == []
    with page.expect_download() as info:
        page.click("text=Download the error report (CSV)")
    body = Path(info.value.path()).read_text(encoding="utf-8")
    assert list(csv.reader(io.StringIO(body, newline=""))) == [
        ["Row", "Column", "Value", "Reason"],
        ["3", "Email Address", "'=HYPERLINK(1)", "Not a valid email address."],
    ]
    assert sorted(
        Person.objects.filter(workspace=world.acme).values_list("last_name", flat=True)
    ) == [
        "Hopper",
        "Lovelace",
    ]
    page.goto("/imports/")
    assert page.locator("td:text-is('1')").count() >= 1
    assert _serious(axe, page) == []

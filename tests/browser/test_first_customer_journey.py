"""The foundation's journey in a real Chromium, on a desktop and a phone screen."""

from __future__ import annotations

from typing import Any

import pytest

from amity.core.models import AuditEvent
from amity.customers.models import Company, Person
from tests.conftest import PASSWORD, World, tenant_guard_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NATIONAL_ID = "29029912345"


def _open_module(page: Any, name: str) -> None:
    """Follow a sidebar link, opening the menu first on a phone."""
    if page.locator(".menu-toggle").is_visible():
        page.click(".menu-toggle")
    page.click(f"#sidebar >> text={name}")


def test_admin_records_a_customer_and_audits_a_reveal(page: Any, world: World) -> None:
    page.goto("/")
    page.wait_for_url("**/login/**")
    page.fill("#id_email", world.alice.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")

    _open_module(page, "Companies")
    page.wait_for_url("**/companies/")
    page.click("text=Add company")
    page.fill("#id_name", "Initech")
    page.click("button.primary[type=submit]")
    page.wait_for_url("**/companies/*/")
    page.locator("h1", has_text="Initech").wait_for()

    page.click("text=Add person")
    page.fill("#id_first_name", "Peter")
    page.fill("#id_last_name", "Gibbons")
    page.fill("#id_national_id", NATIONAL_ID)
    page.click("button.primary[type=submit]")
    page.wait_for_url("**/people/*/")
    page.locator("h1", has_text="Peter Gibbons").wait_for()
    assert NATIONAL_ID not in page.content()
    assert page.locator("text=•••• 2345").count() >= 1

    page.click("#sensitive-national_id summary")
    page.fill("#reason-national_id", "Verifying identity for a contract")
    page.click("#sensitive-national_id button[type=submit]")
    page.locator("#sensitive-national_id .revealed code", has_text=NATIONAL_ID).wait_for()

    page.click("a.button:has-text('Access history')")
    page.wait_for_url("**/history/")
    row = page.locator("tr", has_text="Verifying identity for a contract")
    row.wait_for()
    assert "Alice" in row.inner_text()

    with tenant_guard_off():
        person = Person.objects.get(last_name="Gibbons")
        company = Company.objects.get(name="Initech")
        reveals = AuditEvent.objects.filter(action="reveal", object_id=str(person.pk))
        assert person.company_id == company.pk
        assert NATIONAL_ID not in person.national_id
        assert [(e.actor_id, e.reason) for e in reveals] == [
            (world.alice.pk, "Verifying identity for a contract")
        ]

"""Exporting the filtered people list as CSV in a real Chromium, on a desktop and a phone."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from amity.core.models import AuditEvent
from amity.customers import services
from tests.conftest import PASSWORD, World, tenant_guard_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_downloads_the_filtered_people_list_as_csv(
    page: Any, world: World, settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    member = world.member(world.alice)
    services.create_person(
        member, {"first_name": "Ann", "last_name": "Lee", "email": "=cmd@x.test"}
    )
    services.create_person(member, {"first_name": "Bo", "last_name": "Moe"})
    page.goto("/login/")
    page.fill("#id_email", world.alice.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    page.goto("/people/?q=Lee")
    with page.expect_download() as info:
        page.click("text=Export CSV")
    download = info.value
    assert download.suggested_filename.startswith("people-")
    assert download.suggested_filename.endswith(".csv")
    body = Path(download.path()).read_text(encoding="utf-8")
    # The list's columns, under the screen's headers; the email cell is formula-safe.
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert [(r["Name"], r["Email"]) for r in rows] == [("Ann Lee", "'=cmd@x.test")]
    with tenant_guard_off():
        [event] = AuditEvent.objects.filter(action="export")
    assert event.changes["filters"] == {"q": "Lee", "sort": "name"}

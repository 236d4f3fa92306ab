"""Exports of a list view hold exactly its chosen columns, in order, under the screen's headers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import openpyxl
import pytest
from django.test import Client

from amity.core.models import AuditEvent, User
from amity.customers import custom_fields, exports, saved_views
from amity.customers.models import ExportJob
from tests.api.conftest import Api, token_for
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


@pytest.fixture(autouse=True)
def _exports_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def _define(world: World, key: str, type: str, **extra: Any) -> None:
    data = {"target": "person", "key": key, "label": key.title(), "type": type, **extra}
    custom_fields.create_definition(world.member(world.alice), data)


@pytest.fixture
def view_url(world: World) -> str:
    """A saved view of VIPs showing a custom column, the email, and a sensitive field asked for."""
    _define(world, "tier", "select", options=["Gold", "=cmd|' /C calc'!A0"])
    _define(world, "passport", "sensitive")
    helpers.person(
        world,
        first_name="Ann",
        last_name="Berg",
        email="ann@example.com",
        tags=["VIP"],
        custom={"tier": "=cmd|' /C calc'!A0"},
        title="CEO",
    )
    helpers.person(world, first_name="Bo", last_name="Dahl", tags=["VIP"], custom={"tier": "Gold"})
    helpers.person(world, first_name="Cy", last_name="Eng", email="cy@example.com")
    view = saved_views.save(
        world.member(world.alice),
        "person",
        "VIP tiers",
        {"tag": "VIP", "cols": "cf_tier,email,cf_passport,title", "sort": "-name"},
    )
    return f"/people/?view={view.pk}&" + "&".join(f"{k}={v}" for k, v in view.params.items())


def _export_href(client: Client, url: str, fmt: str) -> str:
    page = client.get(url).content.decode()
    start = page.index('href="/people/export/?format=' + fmt)
    return page[start + 6 : page.index('"', start + 6)].replace("&amp;", "&")


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode(), newline="")))


def test_the_csv_has_the_views_columns_and_filters(
    world: World, view_url: str, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.alice)
    response = client.get(view_url)
    headers = ["Name", *[str(c.label) for c in response.context["columns"]]]
    assert headers == ["Name", "Tier", "Email", "Job title"]  # the sensitive one is no column
    href = _export_href(client, view_url, "csv")
    assert dict(parse_qsl(urlsplit(href).query))["cols"] == "cf_tier,email,title"
    rows = _csv(client.get(href).content)
    assert rows == [
        headers,
        ["Bo Dahl", "Gold", "", ""],
        ["Ann Berg", "'=cmd|' /C calc'!A0", "ann@example.com", "CEO"],
    ]
    with tenant_guard_off():
        [event] = AuditEvent.objects.filter(action="export")
    assert event.changes["columns"] == ["cf_tier", "email", "title"]
    assert event.changes["filters"] == {"tag": "VIP", "sort": "-name"}


def test_the_xlsx_has_the_same_columns(
    world: World, view_url: str, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.alice)
    response = client.get(_export_href(client, view_url, "xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert rows[0] == ["Name", "Tier", "Email", "Job title"]
    assert rows[2][:2] == ["Ann Berg", "'=cmd|' /C calc'!A0"]


def test_the_default_columns_are_exported_as_shown(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.person(world, first_name="Ann", last_name="Berg", email="ann@example.com")
    client = as_user(world.alice)
    rows = _csv(client.get(_export_href(client, "/people/", "csv")).content)
    assert rows[0] == ["Name", "Company", "Email", "Phone", "Owner", "Added", "Updated"]
    assert rows[1][:3] == ["Ann Berg", "", "ann@example.com"] and rows[1][4] == "Alice"


def test_a_background_export_keeps_the_columns(
    world: World,
    view_url: str,
    as_user: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(exports, "SYNC_LIMIT", 1)
    client = as_user(world.alice)
    href = _export_href(client, view_url, "csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(href)
    job = ExportJob.objects.get(workspace=world.acme)
    assert response["Location"] == f"/exports/{job.pk}/"
    download = client.get(f"/exports/{job.pk}/download/")
    rows = _csv(b"".join(download.streaming_content))  # type: ignore[attr-defined]
    assert rows[0] == ["Name", "Tier", "Email", "Job title"]
    assert [r[0] for r in rows[1:]] == ["Bo Dahl", "Ann Berg"]


def test_the_api_export_takes_the_columns(world: World, view_url: str) -> None:
    api = Api(token_for(world, world.alice))
    response = api.get("/people/export?cols=email,cf_tier,cf_passport&tags=VIP")
    assert _csv(response.content) == [
        ["Name", "Email", "Tier"],
        ["Ann Berg", "ann@example.com", "'=cmd|' /C calc'!A0"],
        ["Bo Dahl", "", "Gold"],
    ]

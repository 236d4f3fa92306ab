"""Bulk tagging: add or remove a tag on ticked records or on the whole filtered list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from amity.core import search
from amity.core.models import AuditEvent, User
from amity.customers import bulk, fields
from amity.customers.models import BulkJob, Company, Person
from tests.api.conftest import Api, body, token_for
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


def _tags() -> dict[str, list[str]]:
    with tenant_guard_off():
        return {p.last_name: fields.tag_names(p) for p in Person.objects.order_by("id")}


def test_it_adds_a_tag_to_the_ticked_records_with_history_and_search(
    world: World, as_user: Callable[[User], Client]
) -> None:
    a = helpers.person(world, last_name="Ann", tags=["Lead"])
    b = helpers.person(world, last_name="Bo")
    helpers.person(world, last_name="Cy")
    response = as_user(world.erin).post(
        "/people/bulk/",
        {"action": "tag_add", "bulk_tag": "  VIP ", "ids": [a.pk, b.pk], "confirm": "yes"},
    )
    assert response.status_code == 302
    assert _tags() == {"Ann": ["Lead", "VIP"], "Bo": ["VIP"], "Cy": []}
    with tenant_guard_off():
        update = AuditEvent.objects.get(action="update", object_id=str(a.pk))
    assert update.changes["tags"] == ["Lead", "Lead, VIP"]
    assert helpers.reload(a).version == 2
    member = world.member(world.erin)
    assert {hit.id for hit in search.query(member, "VIP", ["person"])} == {a.pk, b.pk}


def test_it_asks_first_and_names_the_tag(world: World, as_user: Callable[[User], Client]) -> None:
    helpers.person(world, last_name="Ann")
    response = as_user(world.alice).post(
        "/people/bulk/", {"action": "tag_add", "bulk_tag": "VIP", "scope": "all"}
    )
    assert "Add the tag “VIP” to 1 record?" in response.content.decode()
    assert _tags() == {"Ann": []}


def test_it_removes_a_tag_from_the_filtered_set_within_the_roles_scope(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.person(world, world.bob, last_name="Ann", tags=["VIP", "Lead"])
    helpers.person(world, world.alice, last_name="Bo", tags=["vip"])
    helpers.person(world, world.bob, last_name="Cy", tags=["Other"])
    response = as_user(world.bob).post(
        "/people/bulk/",
        {"action": "tag_remove", "bulk_tag": "VIP", "scope": "all", "confirm": "yes"},
    )
    assert response.status_code == 302
    # Bo is not bob's to change; Cy has no such tag and stays untouched.
    assert _tags() == {"Ann": ["Lead"], "Bo": ["VIP"], "Cy": ["Other"]}


def test_it_filters_the_set_by_tag_before_tagging(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.person(world, last_name="Ann", tags=["Lead"])
    helpers.person(world, last_name="Bo")
    as_user(world.alice).post(
        "/people/bulk/",
        {"action": "tag_add", "bulk_tag": "Hot", "scope": "all", "q": "Ann", "confirm": "yes"},
    )
    assert _tags() == {"Ann": ["Hot", "Lead"], "Bo": []}


def test_it_refuses_a_blank_tag(world: World, as_user: Callable[[User], Client]) -> None:
    a = helpers.person(world, last_name="Ann")
    response = as_user(world.alice).post(
        "/people/bulk/", {"action": "tag_add", "bulk_tag": " ", "ids": [a.pk], "confirm": "yes"}
    )
    assert response.status_code == 302
    assert _tags() == {"Ann": []}


def test_a_large_tagging_runs_as_a_job(
    world: World,
    as_user: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(bulk, "SYNC_LIMIT", 2)
    monkeypatch.setattr(bulk, "CHUNK", 2)
    for name in ("Ann", "Bo", "Cy", "Di", "Ed"):
        helpers.company(world, name=name, tags=["Old"] if name == "Cy" else [])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(world.alice).post(
            "/companies/bulk/",
            {"action": "tag_add", "bulk_tag": "Old", "scope": "all", "confirm": "yes"},
        )
    job = BulkJob.objects.get(workspace=world.acme)
    assert response["Location"] == f"/bulk/{job.pk}/"
    assert (job.status, job.total, job.changed, job.action) == ("done", 5, 4, "tag_add")
    with tenant_guard_off():
        assert {tuple(fields.tag_names(c)) for c in Company.objects.all()} == {("Old",)}


def test_the_api_tags_and_untags(world: World) -> None:
    a = helpers.person(world, last_name="Ann", tags=["A"])
    b = helpers.person(world, last_name="Bo", tags=["B"])
    api = Api(token_for(world, world.erin))
    response = api.post("/people/bulk", {"action": "tag_add", "ids": [a.pk, b.pk], "tag": "X"})
    assert body(response) == {"status": "done", "job": None, "total": 2, "changed": 2, "skipped": 0}
    response = api.post(
        "/people/bulk",
        {"action": "tag_remove", "filters": {"tags": ["A", "B"], "tag_mode": "all"}, "tag": "X"},
    )
    assert body(response)["changed"] == 0
    response = api.post(
        "/people/bulk", {"action": "tag_remove", "filters": {"tags": ["A"]}, "tag": "X"}
    )
    assert body(response)["changed"] == 1
    assert _tags() == {"Ann": ["A"], "Bo": ["B", "X"]}
    response = api.post("/people/bulk", {"action": "tag_add", "ids": [a.pk]})
    assert response.status_code == 422


def test_the_bulk_bar_offers_the_tag_actions(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.person(world, last_name="Ann")
    page = as_user(world.alice).get("/people/").content.decode()
    assert 'value="tag_add"' in page and 'value="tag_remove"' in page
    assert 'id="bulk-tag"' in page


def test_removing_the_filtered_tag_keeps_the_filter_apart(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.person(world, last_name="Ann", tags=["VIP", "Lead"])
    helpers.person(world, last_name="Bo", tags=["Lead"])
    as_user(world.alice).post(
        "/people/bulk/",
        {"action": "tag_remove", "bulk_tag": "Lead", "scope": "all", "tag": "VIP"}
        | {"confirm": "yes"},
    )
    assert _tags() == {"Ann": ["VIP"], "Bo": ["Lead"]}

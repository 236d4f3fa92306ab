"""POST /people/{id}/merge, /companies/{id}/merge, GET /merges/{id}, POST /merges/{id}/undo,
GET /duplicates and the 409 on likely duplicate creates."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from amity.core.models import User
from amity.customers import duplicates
from amity.customers.models import Company, MergeRecord, Person
from tests.api.conftest import Api, body, error_code
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _twins(alice: Api) -> tuple[dict, dict]:  # type: ignore[type-arg]
    a = body(alice.post("/people", {"first_name": "Ann", "last_name": "Berg", "email": "a@x.no"}))
    b = body(
        alice.post(
            "/people?allow_duplicate=true",
            {"first_name": "Anne", "last_name": "Berg", "email": "a@x.no", "title": "CFO"},
        )
    )
    return a, b


def test_a_likely_duplicate_create_answers_409_with_candidates(
    world: World, api_as: Callable[[User], Api]
) -> None:
    alice = api_as(world.alice)
    first = body(alice.post("/companies", {"name": "Initech", "domain": "initech.no"}))
    response = alice.post("/companies", {"name": "Initech Oslo", "domain": "initech.no"})
    assert response.status_code == 409
    assert error_code(response) == "duplicate"
    assert body(response)["candidates"] == [
        {
            "id": first["id"],
            "type": "company",
            "name": "Initech",
            "score": 90,
            "reasons": ["domain"],
        }
    ]
    assert Company.objects.filter(workspace=world.acme).count() == 1
    ok = alice.post(
        "/companies?allow_duplicate=true", {"name": "Initech Oslo", "domain": "initech.no"}
    )
    assert ok.status_code == 201


def test_it_merges_with_field_choices_and_undoes(
    world: World, api_as: Callable[[User], Api]
) -> None:
    alice = api_as(world.alice)
    a, b = _twins(alice)
    response = alice.post(
        f"/people/{a['id']}/merge",
        {
            "loser": b["id"],
            "survivor_version": a["version"],
            "loser_version": b["version"],
            "fields": {"title": "loser"},
        },
    )
    assert response.status_code == 200
    merged = body(response)
    assert (merged["survivor"], merged["loser"], merged["undone_at"]) == (a["id"], b["id"], None)
    assert merged["fields"]["title"] == "loser" and merged["fields"]["first_name"] == "survivor"
    assert body(alice.get(f"/people/{a['id']}"))["title"] == "CFO"
    assert alice.get(f"/people/{b['id']}").status_code == 404
    assert body(alice.get(f"/merges/{merged['id']}"))["id"] == merged["id"]
    undone = alice.post(f"/merges/{merged['id']}/undo", None)
    assert undone.status_code == 200 and body(undone)["undone_at"] is not None
    assert body(alice.get(f"/people/{a['id']}"))["title"] == ""
    again = alice.post(f"/merges/{merged['id']}/undo", None)
    assert (again.status_code, error_code(again)) == (409, "cannot_undo")


def test_stale_versions_unknown_fields_and_other_workspaces(
    world: World, api_as: Callable[[User], Api]
) -> None:
    alice = api_as(world.alice)
    a, b = _twins(alice)
    stale = alice.post(
        f"/people/{a['id']}/merge", {"loser": b["id"], "survivor_version": 9, "loser_version": 1}
    )
    assert stale.status_code == 412
    unknown = alice.post(
        f"/people/{a['id']}/merge",
        {"loser": b["id"], "survivor_version": 1, "loser_version": 1, "fields": {"uid": "loser"}},
    )
    assert unknown.status_code == 422
    theirs = api_as(world.mallory).post(
        f"/people/{a['id']}/merge", {"loser": b["id"], "survivor_version": 1, "loser_version": 1}
    )
    assert theirs.status_code == 404
    assert Person.objects.filter(workspace=world.acme, deleted_at__isnull=True).count() == 2
    assert not MergeRecord.objects.filter(workspace=world.acme).exists()


def test_without_delete_on_the_loser_it_is_403(world: World, api_as: Callable[[User], Api]) -> None:
    alice, bob = api_as(world.alice), api_as(world.bob)
    mine = body(bob.post("/people", {"last_name": "Mine", "email": "m@x.no"}))
    theirs = body(
        alice.post("/people?allow_duplicate=true", {"last_name": "Th", "email": "m@x.no"})
    )
    response = bob.post(
        f"/people/{mine['id']}/merge",
        {"loser": theirs["id"], "survivor_version": 1, "loser_version": 1},
    )
    assert response.status_code == 403
    assert Person.objects.get(workspace=world.acme, pk=theirs["id"]).deleted_at is None


def test_the_duplicates_list(world: World, api_as: Callable[[User], Api]) -> None:
    alice = api_as(world.alice)
    a, b = _twins(alice)
    duplicates.refresh_workspace(world.acme.pk, "person")
    page = body(alice.get("/duplicates?type=person"))
    assert [(p["first"]["id"], p["second"]["id"], p["score"]) for p in page["items"]] == [
        (a["id"], b["id"], 100)
    ]
    assert body(api_as(world.mallory).get("/duplicates"))["items"] == []

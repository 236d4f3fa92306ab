"""/api/v1/people/bulk and /companies/bulk, and following a bulk job."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from amity.core.models import User
from amity.customers import bulk
from amity.customers.models import Company, Person
from tests.api.conftest import Api, body
from tests.conftest import World
from tests.customers import helpers


def test_it_assigns_an_owner_to_the_given_ids(world: World, api_as: Callable[[User], Api]) -> None:
    a = helpers.person(world, last_name="Ann")
    helpers.person(world, last_name="Bo")
    response = api_as(world.erin).post(
        "/people/bulk", {"action": "assign", "ids": [a.pk], "owner": world.sam.pk}
    )
    assert response.status_code == 200
    assert body(response) == {"status": "done", "job": None, "total": 1, "changed": 1, "skipped": 0}
    owners = dict(Person.objects.filter(workspace=world.acme).values_list("last_name", "owner_id"))
    assert owners == {"Ann": world.sam.pk, "Bo": world.alice.pk}


def test_it_trashes_the_filtered_set_within_the_roles_scope(
    world: World, api_as: Callable[[User], Api]
) -> None:
    helpers.company(world, world.bob, name="Hansen AS")
    helpers.company(world, world.alice, name="Hauge AS")
    response = api_as(world.bob).post(
        "/companies/bulk", {"action": "delete", "filters": {"q": "ha"}}
    )
    assert body(response) == {"status": "done", "job": None, "total": 2, "changed": 1, "skipped": 1}
    trashed = Company.objects.filter(workspace=world.acme, deleted_at__isnull=False)
    assert [c.name for c in trashed] == ["Hansen AS"]


@pytest.mark.parametrize(
    "payload",
    [
        {"action": "delete"},
        {"action": "delete", "ids": [1], "filters": {}},
        {"action": "archive", "ids": [1]},
        {"action": "delete", "ids": [1], "workspace": 2},
    ],
)
def test_it_refuses_unclear_requests(
    world: World, api_as: Callable[[User], Api], payload: dict[str, Any]
) -> None:
    ann = helpers.person(world, last_name="Ann")
    payload = {**payload, "ids": [ann.pk]} if payload.get("ids") else payload
    assert api_as(world.alice).post("/people/bulk", payload).status_code == 422
    assert Person.objects.get(pk=ann.pk, workspace=world.acme).deleted_at is None


def test_read_only_may_not(world: World, api_as: Callable[[User], Api]) -> None:
    ann = helpers.person(world, last_name="Ann")
    response = api_as(world.dave).post("/people/bulk", {"action": "delete", "ids": [ann.pk]})
    assert response.status_code == 403
    assert Person.objects.get(pk=ann.pk, workspace=world.acme).deleted_at is None


def test_a_large_set_answers_202_with_a_job_to_follow(
    world: World,
    api_as: Callable[[User], Api],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(bulk, "SYNC_LIMIT", 1)
    for name in ("Ann", "Bo", "Cy"):
        helpers.person(world, last_name=name)
    api = api_as(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/people/bulk", {"action": "delete", "filters": {}})
    assert response.status_code == 202
    job = body(response)["job"]
    assert response["Location"] == f"/api/v1/bulk-jobs/{job}"
    followed = body(api.get(f"/bulk-jobs/{job}"))
    assert followed == {"status": "done", "job": job, "total": 3, "changed": 3, "skipped": 0}
    assert api_as(world.erin).get(f"/bulk-jobs/{job}").status_code == 404

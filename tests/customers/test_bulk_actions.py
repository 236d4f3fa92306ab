"""Bulk actions on the people and companies lists: confirm, scope, background jobs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from amity.core.models import AuditEvent, User
from amity.customers import bulk
from amity.customers.models import BulkJob, Company, Person
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


def _owners() -> dict[str, int | None]:
    with tenant_guard_off():
        return dict(Person.objects.order_by("id").values_list("last_name", "owner_id"))


def _trashed() -> set[str]:
    with tenant_guard_off():
        return set(
            Person.objects.filter(deleted_at__isnull=False).values_list("last_name", flat=True)
        )


def test_it_asks_first_and_changes_nothing(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world, world.bob, last_name="Ann")
    helpers.person(world, world.alice, last_name="Bo")
    response = as_user(world.bob).post(
        "/people/bulk/",
        {"action": "assign", "new_owner": world.sam.pk, "scope": "all", "q": ""},
    )
    assert response.status_code == 200
    plan = response.context["plan"]
    assert (plan.allowed, plan.skipped) == (1, 1)
    assert "Give Sam 1 record?" in response.content.decode()
    assert _owners() == {"Ann": world.bob.pk, "Bo": world.alice.pk}
    assert ann.version == 1


def test_it_assigns_an_owner_to_the_ticked_records(
    world: World, as_user: Callable[[User], Client]
) -> None:
    a = helpers.person(world, last_name="Ann")
    b = helpers.person(world, last_name="Bo")
    helpers.person(world, last_name="Cy")
    response = as_user(world.erin).post(
        "/people/bulk/",
        {"action": "assign", "new_owner": world.sam.pk, "ids": [a.pk, b.pk], "confirm": "yes"},
    )
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert _owners() == {"Ann": world.sam.pk, "Bo": world.sam.pk, "Cy": world.alice.pk}
    with tenant_guard_off():
        updates = AuditEvent.objects.filter(action="update", object_type="person")
        assert sorted(int(e.object_id) for e in updates) == [a.pk, b.pk]
        assert Person.objects.get(pk=a.pk).version == 2


def test_it_trashes_only_what_the_role_may_delete(
    world: World, as_user: Callable[[User], Client]
) -> None:
    helpers.person(world, world.bob, last_name="Hansen")
    helpers.person(world, world.alice, last_name="Hauge")
    helpers.person(world, world.bob, last_name="Berg")
    response = as_user(world.bob).post(
        "/people/bulk/", {"action": "delete", "scope": "all", "q": "ha", "confirm": "yes"}
    )
    assert response.status_code == 302 and response["Location"] == "/people/?q=ha"
    assert _trashed() == {"Hansen"}


def test_it_ignores_another_workspaces_ids(world: World, as_user: Callable[[User], Client]) -> None:
    theirs = helpers.person(world, last_name="Acme")
    response = as_user(world.mallory).post(
        "/people/bulk/", {"action": "delete", "ids": [theirs.pk], "confirm": "yes"}
    )
    assert response.status_code == 302
    assert _trashed() == set()


def test_it_requires_write_access(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world, last_name="Ann")
    response = as_user(world.dave).post(
        "/people/bulk/", {"action": "delete", "ids": [ann.pk], "confirm": "yes"}
    )
    assert response.status_code == 403
    assert _trashed() == set()


def test_a_role_without_delete_cannot_trash(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world, last_name="Ann")
    response = as_user(world.carol).post(
        "/people/bulk/", {"action": "delete", "ids": [ann.pk], "confirm": "yes"}
    )
    assert response.status_code == 403
    assert _trashed() == set()


def test_it_refuses_an_owner_from_outside_the_workspace(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world, last_name="Ann")
    response = as_user(world.alice).post(
        "/people/bulk/",
        {"action": "assign", "new_owner": world.mallory.pk, "ids": [ann.pk], "confirm": "yes"},
    )
    assert response.status_code == 302
    assert _owners() == {"Ann": world.alice.pk}


def test_it_rejects_get_and_needs_a_login(
    world: World, client: Client, as_user: Callable[[User], Client]
) -> None:
    assert client.post("/people/bulk/", {"action": "delete"})["Location"].startswith("/login/")
    assert as_user(world.alice).get("/companies/bulk/").status_code == 405


def test_a_large_set_runs_as_a_job_with_progress(
    world: World,
    as_user: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(bulk, "SYNC_LIMIT", 2)
    monkeypatch.setattr(bulk, "CHUNK", 2)
    for name in ("Ann", "Bo", "Cy", "Di", "Ed"):
        helpers.company(world, name=name)
    client = as_user(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/companies/bulk/",
            {"action": "assign", "new_owner": world.bob.pk, "scope": "all", "confirm": "yes"},
        )
    job = BulkJob.objects.get(workspace=world.acme)
    assert response.status_code == 302 and response["Location"] == f"/bulk/{job.pk}/"
    assert (job.status, job.total, job.done, job.changed, job.skipped) == ("done", 5, 5, 5, 0)
    with tenant_guard_off():
        assert set(Company.objects.values_list("owner_id", flat=True)) == {world.bob.pk}
    page = client.get(f"/bulk/{job.pk}/").content.decode()
    assert "Done: 5 changed, 0 left as they were." in page
    assert as_user(world.erin).get(f"/bulk/{job.pk}/").status_code == 404
    assert as_user(world.mallory).get(f"/bulk/{job.pk}/").status_code == 404


def test_a_job_is_idempotent_when_run_again(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "SYNC_LIMIT", 0)
    for name in ("Ann", "Bo"):
        helpers.person(world, last_name=name)
    member = world.member(world.alice)
    plan = bulk.plan(member, "person", "assign", bulk.Target(filters={}), {"owner": world.bob.pk})
    job = bulk.start_job(member, plan)
    assert bulk.run_job(job.pk, world.acme.pk) == "done"
    job.refresh_from_db()
    assert job.changed == 2
    # As if the worker died before marking it done: running it again changes nothing more.
    BulkJob.objects.filter(pk=job.pk, workspace=world.acme).update(status="running")
    assert bulk.run_job(job.pk, world.acme.pk) == "done"
    job.refresh_from_db()
    assert (job.changed, job.skipped) == (0, 0)
    assert _owners() == {"Ann": world.bob.pk, "Bo": world.bob.pk}


def test_a_job_fails_when_its_member_left(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(bulk, "SYNC_LIMIT", 0)
    helpers.person(world, last_name="Ann")
    member = world.member(world.erin)
    plan: Any = bulk.plan(member, "person", "delete", bulk.Target(filters={}), {})
    member.is_active = False
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk.start_job(world.member(world.erin), plan)
    job.refresh_from_db()
    assert job.status == "failed"
    assert _trashed() == set()

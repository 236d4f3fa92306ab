"""Settings → Tags: usage counts; rename, merge and delete on every record, audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from amity.core import search
from amity.core.models import AuditEvent, User
from amity.customers import bulk, fields, selectors, services, tags
from amity.customers.models import BulkJob, Company, Person, Tag
from tests.api.conftest import Api, body, token_for
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


def _tags_of(obj: Person | Company) -> list[str]:
    with tenant_guard_off():
        return fields.tag_names(helpers.reload(obj))


def _tag(world: World, name: str) -> Tag:
    return Tag.objects.get(workspace=world.acme, name=name)


def _found(world: World, q: str) -> set[int]:
    return {hit.id for hit in search.query(world.member(world.alice), q)}


@pytest.fixture
def tagged(world: World) -> dict[str, Any]:
    ann = helpers.person(world, last_name="Ann", tags=["Lead", "VIP"])
    bo = helpers.person(world, last_name="Bo", tags=["Lead"])
    gone = helpers.person(world, last_name="Gone", tags=["Lead"])
    services.trash(world.member(world.alice), gone)
    acme = helpers.company(world, name="Acme AS", tags=["Lead", "Partner"])
    return {"ann": ann, "bo": bo, "acme": acme}


def test_it_lists_the_tags_with_their_use(
    world: World, tagged: dict[str, Any], as_user: Callable[[User], Client]
) -> None:
    Tag.objects.create(workspace=world.globex, name="Theirs")
    response = as_user(world.erin).get("/settings/tags/")
    assert response.status_code == 200
    rows = [(t.name, t.people, t.companies) for t in response.context["tags"]]
    # The trashed person is not counted.
    assert rows == [("Lead", 2, 1), ("Partner", 0, 1), ("VIP", 1, 0)]
    assert as_user(world.carol).get("/settings/tags/").status_code == 403


@pytest.mark.parametrize("count", [3, 30])
def test_the_screen_uses_a_fixed_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., Any],
    count: int,
) -> None:
    for i in range(count):
        helpers.person(world, last_name=f"P{i}", tags=[f"T{i}", "All"])
    client = as_user(world.erin)
    client.get("/settings/tags/")
    with django_assert_num_queries(6):
        response = client.get("/settings/tags/")
    assert len(response.context["tags"]) == count + 1


def test_renaming_reaches_every_record_history_and_search(
    world: World, tagged: dict[str, Any], as_user: Callable[[User], Client]
) -> None:
    ann, acme = tagged["ann"], tagged["acme"]
    lead = _tag(world, "Lead")
    response = as_user(world.erin).post(
        f"/settings/tags/{lead.pk}/rename/", {"name": " Hot  lead ", "version": lead.version}
    )
    assert response.status_code == 302 and response["Location"] == "/settings/tags/"
    assert _tags_of(ann) == ["Hot lead", "VIP"]
    assert _tags_of(acme) == ["Hot lead", "Partner"]
    assert helpers.reload(ann).version == 2
    change = helpers.events("update", ann)[-1].changes
    assert change == {"tags": ["Lead, VIP", "Hot lead, VIP"]}
    assert selectors.field_history(world.member(world.alice), ann, "tags")[0].new == (
        "Hot lead, VIP"
    )
    assert {ann.pk, acme.pk} <= _found(world, "hot")
    with tenant_guard_off():
        [event] = AuditEvent.objects.filter(object_type="tag", action="update")
    assert event.changes == {"name": ["Lead", "Hot lead"]}


def test_renaming_to_another_tags_name_is_refused(world: World, tagged: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        tags.rename(world.member(world.erin), _tag(world, "Lead"), "vip")
    assert "merge" in str(caught.value)
    # A change of case alone is a rename.
    tags.rename(world.member(world.erin), _tag(world, "Lead"), "LEAD")
    assert _tags_of(tagged["bo"]) == ["LEAD"]


def test_merging_keeps_one_tag_on_each_record(
    world: World, tagged: dict[str, Any], as_user: Callable[[User], Client]
) -> None:
    ann, bo = tagged["ann"], tagged["bo"]
    vip = _tag(world, "VIP")
    response = as_user(world.alice).post(f"/settings/tags/{vip.pk}/merge/", {"into": "lead"})
    assert response.status_code == 302
    assert _tags_of(ann) == ["Lead"]
    assert _tags_of(bo) == ["Lead"]
    assert not Tag.objects.filter(workspace=world.acme, name="VIP").exists()
    assert helpers.events("update", ann)[-1].changes == {"tags": ["Lead, VIP", "Lead"]}
    assert helpers.reload(bo).version == 1  # Bo had no VIP: untouched
    assert ann.pk not in _found(world, "vip")


def test_deleting_takes_it_off_every_record(
    world: World, tagged: dict[str, Any], as_user: Callable[[User], Client]
) -> None:
    ann, acme = tagged["ann"], tagged["acme"]
    lead = _tag(world, "Lead")
    response = as_user(world.erin).post(
        f"/settings/tags/{lead.pk}/delete/", {"version": lead.version}
    )
    assert response.status_code == 302
    assert _tags_of(ann) == ["VIP"] and _tags_of(acme) == ["Partner"]
    assert helpers.events("update", acme)[-1].changes == {"tags": ["Lead, Partner", "Partner"]}
    assert ann.pk not in _found(world, "lead")
    with tenant_guard_off():
        assert AuditEvent.objects.filter(object_type="tag", action="delete").count() == 1


def test_a_stale_form_is_refused(
    world: World, tagged: dict[str, Any], as_user: Callable[[User], Client]
) -> None:
    lead = _tag(world, "Lead")
    tags.rename(world.member(world.erin), lead, "Lead2")
    client = as_user(world.erin)
    client.post(f"/settings/tags/{lead.pk}/delete/", {"version": 1})
    assert Tag.objects.filter(workspace=world.acme, pk=lead.pk).exists()


def test_only_managers_may_change_tags(world: World, tagged: dict[str, Any]) -> None:
    for user in (world.bob, world.carol, world.frank):
        with pytest.raises(PermissionDenied):
            tags.delete(world.member(user), _tag(world, "Lead"))


def test_many_records_are_updated_by_a_job(
    world: World,
    tagged: dict[str, Any],
    as_user: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(bulk, "SYNC_LIMIT", 2)
    monkeypatch.setattr(bulk, "CHUNK", 2)
    lead = _tag(world, "Lead")
    client = as_user(world.erin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/settings/tags/{lead.pk}/rename/", {"name": "Warm"})
    job = BulkJob.objects.get(workspace=world.acme)
    assert response["Location"] == f"/bulk/{job.pk}/"
    assert (job.kind, job.status, job.total, job.changed) == ("tag", "done", 4, 4)
    assert _tags_of(tagged["acme"]) == ["Partner", "Warm"]
    assert tagged["acme"].pk in _found(world, "warm")
    assert "/settings/tags/" in client.get(f"/bulk/{job.pk}/").content.decode()


def test_the_api_lists_renames_and_deletes(world: World, tagged: dict[str, Any]) -> None:
    api = Api(token_for(world, world.erin))
    listed = body(api.get("/tags"))["items"]
    assert [(t["name"], t["people"], t["companies"]) for t in listed] == [
        ("Lead", 2, 1),
        ("Partner", 0, 1),
        ("VIP", 1, 0),
    ]
    lead = _tag(world, "Lead")
    path = f"/tags/{lead.pk}"
    assert api.patch(path, {"name": "Hot"}).status_code == 428
    assert api.patch(path, {"name": "Hot"}, {"If-Match": f'"tag-{lead.pk}-v9"'}).status_code == 412
    response = api.patch(path, {"name": "VIP"}, {"If-Match": f'"tag-{lead.pk}-v1"'})
    assert response.status_code == 422 and "name" in body(response)["error"]["fields"]
    response = api.patch(path, {"name": "Hot"}, {"If-Match": f'"tag-{lead.pk}-v1"'})
    assert response.status_code == 200 and response["ETag"] == f'"tag-{lead.pk}-v2"'
    assert body(response)["name"] == "Hot" and body(response)["people"] == 2
    assert _tags_of(tagged["bo"]) == ["Hot"]
    assert api.delete(path, {"If-Match": f'"tag-{lead.pk}-v2"'}).status_code == 204
    assert _tags_of(tagged["bo"]) == []
    assert Api(token_for(world, world.bob)).get("/tags").status_code == 403

"""The customer timeline: change entries written by customers.services, paging and filters."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from amity.customers import services, timeline
from amity.customers.models import TimelineEvent
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


def _entries(subject_field: str, pk: int) -> list[tuple[str, dict[str, object]]]:
    with tenant_guard_off():
        rows = TimelineEvent.objects.filter(**{subject_field: pk}).order_by("occurred_at", "id")
        return [(e.kind, e.data) for e in rows]


def test_it_records_a_creation(world: World) -> None:
    ann = helpers.person(world, first_name="Ann")
    assert _entries("person", ann.pk) == [("change", {"action": "create"})]


def test_it_records_field_changes_with_sensitive_values_masked(world: World) -> None:
    ann = helpers.person(world, first_name="Ann", sensitive={"national_id": helpers.NATIONAL_ID})
    services.update_person(
        world.member(world.alice),
        ann,
        {"title": "CFO"},
        expected_version=ann.version,
        sensitive={"national_id": "99999999999"},
    )
    kind, data = _entries("person", ann.pk)[-1]
    assert kind == "change"
    assert data == {
        "action": "update",
        "changes": {"title": ["", "CFO"], "national_id": [services.CHANGED, services.CHANGED]},
    }
    with tenant_guard_off():
        raw = str(list(TimelineEvent.objects.values_list("data", "summary")))
    assert "99999999999" not in raw and helpers.NATIONAL_ID not in raw


def test_it_writes_nothing_when_nothing_changed(world: World) -> None:
    ann = helpers.person(world, title="CFO")
    services.update_person(
        world.member(world.alice), ann, {"title": "CFO"}, expected_version=ann.version
    )
    assert len(_entries("person", ann.pk)) == 1


def test_it_records_trash_and_restore(world: World) -> None:
    acme = helpers.company(world)
    member = world.member(world.alice)
    services.trash(member, acme)
    services.restore(member, acme)
    assert [d["action"] for _, d in _entries("company", acme.pk)] == [
        "create",
        "trash",
        "restore",
    ]


def test_it_shows_a_companys_people_on_its_timeline(world: World) -> None:
    initech = helpers.company(world)
    ann = helpers.person(world, company=initech.pk)
    page = timeline.page(world.member(world.dave), initech)
    assert [(e.person_id, e.company_id) for e in page.items] == [
        (ann.pk, initech.pk),
        (None, initech.pk),
    ]
    # A person's own timeline has only their entries.
    assert [e.person_id for e in timeline.page(world.member(world.dave), ann).items] == [ann.pk]


def test_it_pages_newest_first_by_keyset_and_filters_by_kind(world: World) -> None:
    ann = helpers.person(world)
    for i in range(24):
        timeline.add(world.acme, ann, timeline.Kind.CALL, f"Call {i}", actor=world.bob)
    member = world.member(world.dave)
    first = timeline.page(member, ann)
    assert [e.summary for e in first.items] == [f"Call {i}" for i in range(23, 3, -1)]
    assert first.next_cursor is not None
    second = timeline.page(member, ann, before=first.next_cursor)
    assert [e.summary for e in second.items] == [f"Call {i}" for i in range(3, -1, -1)] + [
        "Created"
    ]
    assert second.next_cursor is None
    only_changes = timeline.page(member, ann, kinds=["change"])
    assert [e.kind for e in only_changes.items] == ["change"]
    # A forged cursor starts from the top rather than failing.
    assert timeline.page(member, ann, before="not-a-cursor").items == first.items


def test_it_refuses_a_subject_from_another_workspace(world: World) -> None:
    ann = helpers.person(world)
    try:
        timeline.add(world.globex, ann, timeline.Kind.CALL, "Call")
    except ValueError:
        pass
    else:
        raise AssertionError("an entry crossed workspaces")
    assert len(_entries("person", ann.pk)) == 1


def test_it_serves_older_entries_as_an_htmx_fragment(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    for i in range(22):
        timeline.add(world.acme, ann, timeline.Kind.CALL, f"Call {i}")
    client = as_user(world.dave)
    page = timeline.page(world.member(world.dave), ann)
    response = client.get(
        f"/people/{ann.pk}/timeline/", {"before": page.next_cursor}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "Call 1" in body and "Call 0" in body and "Call 2<" not in body


def test_it_filters_the_page_by_kind(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    timeline.add(world.acme, ann, timeline.Kind.CALL, "Rang about the invoice")
    response = as_user(world.dave).get(f"/people/{ann.pk}/timeline/", {"kind": "change"})
    assert response.status_code == 200
    assert b"Rang about the invoice" not in response.content
    assert b"Created the record." in response.content


def test_it_answers_404_for_another_workspace(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    assert as_user(world.mallory).get(f"/people/{ann.pk}/timeline/").status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(world: World, client: Client) -> None:
    ann = helpers.person(world)
    response = client.get(f"/people/{ann.pk}/timeline/")
    assert response.status_code == 302 and "/login/" in response["Location"]

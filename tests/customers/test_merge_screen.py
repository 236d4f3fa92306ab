"""The merge screen, undo from the record page, the create warning and the record panels."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from amity.core.models import User
from amity.customers import duplicates, panels, services
from amity.customers.models import MergeRecord, Person
from tests.conftest import World
from tests.customers.helpers import NATIONAL_ID, company, person

# The panels this app registers itself (others come from sales and activities).
CUSTOMERS_PANELS = {"duplicates", "merged_from", "test_orders"}

pytestmark = pytest.mark.django_db


def _twins(world: World, owner: User | None = None) -> tuple[Person, Person]:
    keep = person(world, owner, first_name="Ann", last_name="Berg", email="ann@x.no")
    drop = person(world, owner, first_name="Anne", last_name="Berg", email="ann@x.no", title="CFO")
    return keep, drop


def test_it_shows_both_values_of_each_field_masking_sensitive_ones(
    world: World, as_user: Callable[[User], Client]
) -> None:
    keep, _ = _twins(world)
    drop = person(world, sensitive={"national_id": NATIONAL_ID}, last_name="Berg", email="ann@x.no")
    response = as_user(world.alice).get(f"/people/{keep.pk}/merge/?with={drop.pk}")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.context["rows"]}
    assert rows["national_id"]["loser"] == "•••• 8901"
    assert rows["national_id"]["choice"] == "loser"  # the survivor has none
    assert NATIONAL_ID.encode() not in response.content
    assert rows["first_name"]["choice"] == "survivor"


def test_it_lists_candidates_without_a_choice(
    world: World, as_user: Callable[[User], Client]
) -> None:
    keep, drop = _twins(world)
    duplicates.refresh_records(world.acme.pk, "person", [keep.pk])  # the job after a write
    response = as_user(world.alice).get(f"/people/{keep.pk}/merge/")
    assert [p.pk for p in response.context["candidates"]] == [drop.pk]


def test_it_merges_with_the_chosen_values_then_undoes(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _, drop = _twins(world)
    client = as_user(world.bob)
    bob_keep, bob_drop = _twins(world, world.bob)
    response = client.post(
        f"/people/{bob_keep.pk}/merge/",
        {
            "loser": bob_drop.pk,
            "survivor_version": bob_keep.version,
            "loser_version": bob_drop.version,
            "choice_first_name": "loser",
            "choice_title": "loser",
        },
    )
    assert response.status_code == 302
    fresh = Person.objects.get(workspace=world.acme, pk=bob_keep.pk)
    assert (fresh.first_name, fresh.title) == ("Anne", "CFO")
    page = client.get(f"/people/{bob_keep.pk}/")
    assert [p.key for p in page.context["panels"] if p.key in CUSTOMERS_PANELS] == ["merged_from"]
    record = MergeRecord.objects.get(workspace=world.acme, survivor_id=bob_keep.pk)
    assert client.post(f"/merges/{record.pk}/undo/").status_code == 302
    assert Person.objects.get(workspace=world.acme, pk=bob_drop.pk).deleted_at is None
    assert Person.objects.get(workspace=world.acme, pk=bob_keep.pk).first_name == "Ann"
    # Bob may not merge alice's records: no delete on the loser.
    response = client.post(
        f"/people/{bob_keep.pk}/merge/",
        {"loser": drop.pk, "survivor_version": 3, "loser_version": drop.version},
    )
    assert response.status_code == 403
    assert Person.objects.get(workspace=world.acme, pk=drop.pk).deleted_at is None


def test_a_stale_version_is_a_conflict_and_changes_nothing(
    world: World, as_user: Callable[[User], Client]
) -> None:
    keep, drop = _twins(world)
    response = as_user(world.alice).post(
        f"/people/{keep.pk}/merge/",
        {"loser": drop.pk, "survivor_version": keep.version + 1, "loser_version": drop.version},
    )
    assert response.status_code == 409
    assert b"changed while you were choosing" in response.content
    assert not MergeRecord.objects.filter(workspace=world.acme).exists()


def test_a_refused_undo_says_why(world: World, as_user: Callable[[User], Client]) -> None:
    keep, drop = _twins(world)
    client = as_user(world.alice)
    client.post(
        f"/people/{keep.pk}/merge/",
        {"loser": drop.pk, "survivor_version": keep.version, "loser_version": drop.version},
    )
    record = MergeRecord.objects.get(workspace=world.acme)
    fresh = Person.objects.get(workspace=world.acme, pk=keep.pk)
    client.post(f"/people/{keep.pk}/edit/", {"version": fresh.version, "last_name": "Berg-Lie"})
    response = client.post(f"/merges/{record.pk}/undo/", follow=True)
    assert "changed after the merge" in response.content.decode()
    assert Person.objects.get(workspace=world.acme, pk=drop.pk).deleted_at is not None


def test_the_create_form_warns_of_duplicates_until_confirmed(
    world: World, as_user: Callable[[User], Client]
) -> None:
    existing = person(world, last_name="Berg", email="ann@x.no")
    client = as_user(world.alice)
    data = {"version": 1, "last_name": "Berg", "email": "ann@x.no"}
    response = client.post("/people/new/", data)
    assert response.status_code == 200
    assert [c.record.pk for c in response.context["possible_duplicates"]] == [existing.pk]
    assert existing.get_absolute_url().encode() in response.content
    assert Person.objects.filter(workspace=world.acme).count() == 1
    response = client.post("/people/new/", {**data, "allow_duplicate": "1"})
    assert response.status_code == 302
    assert Person.objects.filter(workspace=world.acme).count() == 2


def test_the_company_form_warns_of_the_same_domain(
    world: World, as_user: Callable[[User], Client]
) -> None:
    company(world, name="Initech", domain="initech.no")
    response = as_user(world.alice).post(
        "/companies/new/", {"version": 1, "name": "Other name", "website": "https://initech.no"}
    )
    assert response.status_code == 200
    assert len(response.context["possible_duplicates"]) == 1


def test_a_registered_panel_shows_on_the_record_page(
    world: World, as_user: Callable[[User], Client]
) -> None:
    keep, drop = _twins(world)
    panels.register(
        "test_orders",
        title="Orders",
        template="customers/_merged_panel.html",
        context=lambda member, record: {"merges": []},
        allowed=lambda member, record: member.user_id == world.alice.pk,
        kinds=("person",),
    )
    try:
        duplicates.refresh_records(world.acme.pk, "person", [keep.pk])
        alice = as_user(world.alice).get(f"/people/{keep.pk}/")
        dave = as_user(world.dave).get(f"/people/{keep.pk}/")
    finally:
        panels.unregister("test_orders")
    keys = [p.key for p in alice.context["panels"] if p.key in CUSTOMERS_PANELS]
    assert keys == ["duplicates", "test_orders"]
    assert [p.key for p in dave.context["panels"] if p.key in CUSTOMERS_PANELS] == ["duplicates"]
    assert drop.get_absolute_url().encode() in dave.content
    assert b'id="panel-test_orders-heading"' in alice.content


def test_a_role_without_reveal_keeps_the_survivors_sensitive_values(
    world: World, as_user: Callable[[User], Client]
) -> None:
    alice = world.member(world.alice)
    keep = services.create_person(alice, {"last_name": "Berg", "owner": world.bob.pk})
    drop = services.create_person(
        alice, {"last_name": "Berg", "owner": world.bob.pk}, {"national_id": NATIONAL_ID}
    )
    client = as_user(world.bob)
    page = client.get(f"/people/{keep.pk}/merge/?with={drop.pk}")
    rows = {row["name"]: row for row in page.context["rows"]}
    assert (rows["national_id"]["locked"], rows["national_id"]["choice"]) == (True, "survivor")
    response = client.post(
        f"/people/{keep.pk}/merge/",
        {"loser": drop.pk, "survivor_version": keep.version, "loser_version": drop.version},
    )
    assert response.status_code == 302
    assert Person.objects.get(workspace=world.acme, pk=keep.pk).national_id == ""

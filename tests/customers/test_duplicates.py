"""customers.duplicates: blocking keys, scoring, pairs, dismissal and the list screen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from amity.core.models import User
from amity.customers import duplicates, services
from amity.customers.models import DuplicateKey, DuplicatePair, Person
from tests.conftest import World
from tests.customers.helpers import company, person

pytestmark = pytest.mark.django_db


def _pairs(world: World, kind: str = "person") -> dict[tuple[int, int], tuple[int, list[str]]]:
    return {
        (p.first_id, p.second_id): (p.score, p.reasons)
        for p in DuplicatePair.objects.filter(workspace=world.acme, object_type=kind)
    }


def test_it_scores_by_the_best_shared_key(world: World) -> None:
    a = person(world, first_name="Ann", last_name="Berg", email="ANN@X.no", phone="+47 2233 4455")
    b = person(world, first_name="Anne", last_name="Bergh", email="ann@x.no")
    c = person(
        world, first_name="Kari", last_name="Nord", mobile="22 33 44 55", billing_country="NO"
    )
    d = person(world, first_name="Ann", last_name="Berg")
    e = person(world, first_name="Olav", last_name="Haugen")
    assert duplicates.refresh_workspace(world.acme.pk, "person") >= 4
    found = _pairs(world)
    assert found[(a.pk, b.pk)] == (100, ["email", "fuzzy"])
    assert found[(a.pk, c.pk)] == (80, ["phone"])
    assert found[(a.pk, d.pk)] == (60, ["name", "fuzzy"])
    assert found[(b.pk, d.pk)] == (40, ["fuzzy"])
    assert not any(e.pk in pair for pair in found)


def test_companies_pair_by_domain_and_name(world: World) -> None:
    a = company(world, name="Initech AS", website="https://www.initech.no/about")
    b = company(world, name="Initech", domain="initech.no")
    c = company(world, name="Initech AS")
    duplicates.refresh_workspace(world.acme.pk, "company")
    found = _pairs(world, "company")
    assert found[(a.pk, b.pk)] == (90, ["domain"])
    assert found[(a.pk, c.pk)][0] == 60


def test_a_key_shared_by_too_many_records_makes_no_pairs(world: World) -> None:
    for i in range(duplicates.MAX_BLOCK + 1):
        person(world, last_name=f"Staff{i}x{i}", email="info@x.no")
    duplicates.refresh_workspace(world.acme.pk, "person")
    assert _pairs(world) == {}


def test_keys_follow_writes_and_dismissals_are_remembered(world: World) -> None:
    a = person(world, last_name="Solo", email="a@x.no")
    b = person(world, last_name="Other", email="b@x.no")
    member = world.member(world.alice)
    fresh = Person.objects.get(workspace=world.acme, pk=b.pk)
    services.update_person(member, fresh, {"email": "a@x.no"}, expected_version=fresh.version)
    assert DuplicateKey.objects.filter(
        workspace=world.acme, object_id=b.pk, key="email:a@x.no"
    ).exists()
    duplicates.refresh_records(world.acme.pk, "person", [b.pk])
    [pair] = DuplicatePair.objects.filter(workspace=world.acme)
    duplicates.dismiss(member, pair)
    duplicates.refresh_workspace(world.acme.pk, "person")
    [kept] = DuplicatePair.objects.filter(workspace=world.acme)
    assert kept.pk == pair.pk and kept.dismissed_at is not None
    _, rows = duplicates.pairs(member, "person")
    assert rows == []
    assert (a.pk, b.pk) == (kept.first_id, kept.second_id)


def test_the_create_check_finds_visible_candidates_only(world: World) -> None:
    ann = person(world, last_name="Berg", email="ann@x.no")
    globex = world.member(world.mallory, world.globex)
    services.create_person(globex, {"last_name": "Berg", "email": "ann@x.no"})
    with pytest.raises(services.DuplicatesFound) as caught:
        services.create_person(
            world.member(world.bob), {"last_name": "B", "email": "Ann@X.no"}, allow_duplicate=False
        )
    assert [c.record.pk for c in caught.value.candidates] == [ann.pk]
    assert Person.objects.filter(workspace=world.acme).count() == 1


def test_the_list_shows_pairs_with_a_fixed_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., object],
) -> None:
    names = ["Aker", "Berg", "Dahl", "Eik", "Fjell", "Gran", "Holm", "Lund"]

    def make(chosen: list[str]) -> None:
        for name in chosen:
            person(world, last_name=name, email=f"{name}@x.no")
            person(world, last_name=name, email=f"{name}@x.no")
        duplicates.refresh_workspace(world.acme.pk, "person")

    make(names[:2])
    client = as_user(world.dave)
    with django_assert_num_queries(11):  # type: ignore[operator]
        client.get("/duplicates/")
    make(names[2:6])
    # The layout's own (session, user, membership, 2FA check, workspaces, session save…),
    # then the pairs' count, one page of pairs and the records on it: the same for any data.
    with django_assert_num_queries(11):  # type: ignore[operator]
        response = client.get("/duplicates/?kind=person")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 6
    assert b"Not a duplicate" in response.content
    assert b"/merge/?with=" not in response.content  # dave may not merge


def test_dismissing_from_the_screen_hides_the_pair(
    world: World, as_user: Callable[[User], Client]
) -> None:
    person(world, last_name="Twin", email="t@x.no")
    person(world, last_name="Twain", email="t@x.no")
    duplicates.refresh_workspace(world.acme.pk, "person")
    [pair] = DuplicatePair.objects.filter(workspace=world.acme)
    response = as_user(world.dave).post(f"/duplicates/{pair.pk}/dismiss/")
    assert response.status_code == 302
    assert DuplicatePair.objects.get(workspace=world.acme, pk=pair.pk).dismissed_by == world.dave
    assert as_user(world.mallory).post(f"/duplicates/{pair.pk}/dismiss/").status_code == 404


def test_refresh_on_demand_recomputes_the_pairs(
    world: World, as_user: Callable[[User], Client]
) -> None:
    person(world, last_name="Twin", email="t@x.no")
    person(world, last_name="Twain", email="t@x.no")
    DuplicatePair.objects.filter(workspace=world.acme).delete()
    response = as_user(world.bob).post("/duplicates/refresh/", {"kind": "person"})
    assert response.status_code == 302
    assert DuplicatePair.objects.filter(workspace=world.acme).count() == 1

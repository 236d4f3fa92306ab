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
    client.get("/duplicates/")  # the first request after login also renews the idle timer
    make(names[2:6])
    # The layout's own (session, user, membership, 2FA check, workspaces…),
    # then the pairs' count, one page of pairs and the records on it: the same for any data.
    with django_assert_num_queries(8):  # type: ignore[operator]
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


def _twins(world: World, name: str, first: User, second: User) -> tuple[Person, Person]:
    admin = world.member(world.alice)
    return (
        services.create_person(
            admin, {"last_name": name, "email": f"{name}@x.no", "owner": first.pk}
        ),
        services.create_person(
            admin, {"last_name": name, "email": f"{name}@x.no", "owner": second.pk}
        ),
    )


def test_pairs_carry_their_owners_and_the_list_filters_by_them(world: World) -> None:
    """A member who sees only their own records sees only pairs of two of their records."""
    from tests.search.helpers import member_with_grants

    own = member_with_grants(world, "own@acme.test", {"person": {"view": "own"}})
    mine = _twins(world, "Mine", own.user, own.user)
    _twins(world, "Half", own.user, world.alice)
    _twins(world, "Theirs", world.alice, world.bob)
    duplicates.refresh_workspace(world.acme.pk, "person")
    pair = DuplicatePair.objects.get(workspace=world.acme, first_id=mine[0].pk)
    assert (pair.first_owner_id, pair.second_owner_id) == (own.user_id, own.user_id)
    _, rows = duplicates.pairs(own, "person")
    assert [(r.first.pk, r.second.pk) for r in rows] == [(mine[0].pk, mine[1].pk)]
    _, everything = duplicates.pairs(world.member(world.alice), "person")
    assert len(everything) == 3


def test_a_reassigned_record_moves_its_pairs_to_the_new_owner(world: World) -> None:
    from tests.search.helpers import member_with_grants

    own = member_with_grants(world, "own@acme.test", {"person": {"view": "own", "edit": "all"}})
    a, b = _twins(world, "Moved", own.user, world.alice)
    duplicates.refresh_workspace(world.acme.pk, "person")
    assert duplicates.pairs(own, "person")[1] == []
    fresh = Person.objects.get(workspace=world.acme, pk=b.pk)
    services.update_person(
        world.member(world.alice), fresh, {"owner": own.user_id}, expected_version=fresh.version
    )
    # The refresh the write queued: the pair is computed again with the new owner.
    duplicates.refresh_records(world.acme.pk, "person", [b.pk])
    [row] = duplicates.pairs(own, "person")[1]
    assert (row.first.pk, row.second.pk) == (a.pk, b.pk)


def test_a_trashed_record_leaves_the_list_and_comes_back_on_restore(world: World) -> None:
    _, b = _twins(world, "Binned", world.alice, world.alice)
    duplicates.refresh_workspace(world.acme.pk, "person")
    member = world.member(world.alice)
    services.trash(member, Person.objects.get(workspace=world.acme, pk=b.pk))
    assert not DuplicatePair.objects.filter(workspace=world.acme).exists()
    services.restore(member, Person.objects.get(workspace=world.acme, pk=b.pk))
    duplicates.refresh_records(world.acme.pk, "person", [b.pk])
    assert duplicates.pairs(member, "person")[1][0].second.pk == b.pk


def test_refreshing_one_record_reads_by_index_only(
    world: World, django_assert_max_num_queries: Callable[..., object]
) -> None:
    """The refresh after a save: its keys, one bounded read per key, its live records, the pairs.

    Besides one query per key: the keys, the live records, a DELETE per side of the
    pair, the INSERT, and the savepoint's two.
    """
    for i in range(30):
        person(world, last_name=f"Other{i}x", email=f"o{i}@x.no")
    a, b = _twins(world, "Fresh", world.alice, world.alice)
    keys = len(duplicates.keys_for(b))
    with django_assert_max_num_queries(keys + 7):  # type: ignore[operator]
        assert duplicates.refresh_records(world.acme.pk, "person", [b.pk]) == 1
    assert DuplicatePair.objects.get(workspace=world.acme).first_id == a.pk


def test_the_api_dismisses_a_pair(world: World) -> None:
    from amity.core import services as core_services
    from amity.core.models import AuditEvent

    _twins(world, "Api", world.alice, world.alice)
    duplicates.refresh_workspace(world.acme.pk, "person")
    [pair] = DuplicatePair.objects.filter(workspace=world.acme)

    def post(user: User) -> object:
        workspace = world.globex if user == world.mallory else world.acme
        _, raw = core_services.create_token(world.member(user, workspace), "t")
        return Client().post(
            f"/api/v1/duplicates/{pair.pk}/dismiss", headers={"Authorization": f"Bearer {raw}"}
        )

    assert post(world.mallory).status_code == 404  # type: ignore[attr-defined]
    response = post(world.dave)
    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert (body["id"], body["dismissed_by"]) == (pair.pk, world.dave.pk)
    again = post(world.bob).json()  # type: ignore[attr-defined]
    assert again["dismissed_by"] == world.dave.pk  # the first dismissal stands
    assert duplicates.pairs(world.member(world.alice), "person")[1] == []
    assert (
        AuditEvent.objects.filter(
            workspace=world.acme, object_type="duplicate_pair", object_id=str(pair.pk)
        ).count()
        == 1
    )


def test_the_list_escapes_names_in_its_button_labels(
    world: World, as_user: Callable[[User], Client]
) -> None:
    person(world, last_name="<b>Twin</b>", email="t@x.no")
    person(world, last_name="<b>Twin</b>", email="t@x.no")
    duplicates.refresh_workspace(world.acme.pk, "person")
    content = as_user(world.alice).get("/duplicates/?kind=company").content
    assert b"<b>Twin" not in content
    content = as_user(world.alice).get("/duplicates/?kind=person").content
    assert b"<b>Twin" not in content
    assert b'<span class="visually-hidden">: &lt;b&gt;Twin&lt;/b&gt;</span>' in content
    assert b'<span class="visually-hidden"> &lt;b&gt;Twin&lt;/b&gt;</span>' in content  # Merge

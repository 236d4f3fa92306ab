from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from amity.core.models import User
from amity.customers import services, timeline
from tests.conftest import World
from tests.customers import helpers


def test_it_shows_the_record_with_sensitive_fields_masked(
    world: World, as_user: Callable[[User], Client]
) -> None:
    initech = helpers.company(world, name="Initech")
    ann = helpers.person(
        world,
        first_name="Ann",
        title="Buyer",
        company=initech.pk,
        email="ann@initech.test",
        billing_street="Storgata 1",
        billing_city="Oslo",
        billing_country="NO",
        sensitive={"national_id": helpers.NATIONAL_ID, "bank_account": helpers.IBAN},
    )
    response = as_user(world.erin).get(f"/people/{ann.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Ann Lee</h1>" in html
    assert "Initech" in html
    assert "Owner: Alice" in html
    assert "ann@initech.test" in html
    assert "Storgata 1" in html
    assert "•••• 8901" in html
    assert "•••• 7947" in html
    assert helpers.NATIONAL_ID not in html
    assert helpers.IBAN not in html
    assert f"/people/{ann.pk}/reveal/" in html


def test_it_records_a_view_event_on_every_open(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    client = as_user(world.dave)
    client.get(f"/people/{ann.pk}/")
    client.get(f"/people/{ann.pk}/")
    views = helpers.events("view", ann)
    assert [(e.actor_id, e.workspace_id) for e in views] == [(world.dave.pk, world.acme.pk)] * 2


@pytest.mark.parametrize(
    ("user", "buttons"),
    [
        ("alice", {"edit", "delete", "history", "reveal"}),
        ("erin", {"edit", "delete", "history", "reveal"}),
        ("frank", {"edit", "reveal"}),
        ("carol", {"edit"}),
        ("dave", set()),
    ],
)
def test_it_shows_only_the_buttons_the_role_may_use(
    world: World, as_user: Callable[[User], Client], user: str, buttons: set[str]
) -> None:
    ann = helpers.person(world, sensitive={"national_id": helpers.NATIONAL_ID})
    html = as_user(getattr(world, user)).get(f"/people/{ann.pk}/").content.decode()
    shown = {
        name
        for name, url in {
            "edit": f"/people/{ann.pk}/edit/",
            "delete": f"/people/{ann.pk}/delete/",
            "history": f"/people/{ann.pk}/history/",
            "reveal": f"/people/{ann.pk}/reveal/",
        }.items()
        if url in html
    }
    assert shown == buttons


def test_it_lets_sales_edit_only_their_own(world: World, as_user: Callable[[User], Client]) -> None:
    own = helpers.person(world, world.bob, last_name="Mine")
    other = helpers.person(world, world.alice, last_name="Theirs")
    client = as_user(world.bob)
    assert f"/people/{own.pk}/edit/" in client.get(f"/people/{own.pk}/").content.decode()
    assert f"/people/{other.pk}/edit/" not in client.get(f"/people/{other.pk}/").content.decode()


def test_it_shows_recent_access_history_to_audit_viewers(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    as_user(world.dave).get(f"/people/{ann.pk}/")
    html = as_user(world.erin).get(f"/people/{ann.pk}/").content.decode()
    assert 'id="history-heading"' in html
    assert "Dave" in html
    assert (
        'id="history-heading"' not in as_user(world.bob).get(f"/people/{ann.pk}/").content.decode()
    )


def test_it_hides_other_workspaces_records(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    response = as_user(world.mallory).get(f"/people/{ann.pk}/")
    assert response.status_code == 404
    assert helpers.events("view", ann) == []


def test_it_hides_trashed_records(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    services.trash(world.member(world.alice), ann)
    assert as_user(world.alice).get(f"/people/{ann.pk}/").status_code == 404


def test_it_answers_404_for_missing_ids(world: World, as_user: Callable[[User], Client]) -> None:
    client = as_user(world.alice)
    assert client.get("/people/999999/").status_code == 404
    assert client.get("/people/99999999999999999999999/").status_code == 404


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    ann = helpers.person(world)
    response = client.get(f"/people/{ann.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert helpers.events("view", ann) == []


@pytest.mark.parametrize("user", ["dave", "erin"])
def test_it_uses_a_fixed_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., object],
    user: str,
) -> None:
    """Session, user, membership, 2FA check, the person, the view event (six), workspaces,
    session save (three), one page of the timeline (however long), the tags and the custom
    field definitions (however many), one query per registered panel (possible duplicates,
    merged from, deals); an audit viewer adds one for the history.
    """
    initech = helpers.company(world)
    ann = helpers.person(
        world,
        company=initech.pk,
        sensitive={"national_id": helpers.NATIONAL_ID, "bank_account": helpers.IBAN},
    )
    for i in range(30):
        timeline.add(world.acme.pk, ann, timeline.Kind.CALL, f"Call {i}", actor=world.bob)
    client = as_user(getattr(world, user))
    client.get(f"/people/{ann.pk}/")  # the data key is cached from here on
    # incl. the Deals, Score, Reminders and Scheduled emails panels (one query each)
    expected = 21 if user == "dave" else 22
    with django_assert_num_queries(expected):  # type: ignore[operator]
        response = client.get(f"/people/{ann.pk}/")
    assert response.status_code == 200

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from amity.customers.models import Person
from tests.conftest import World
from tests.customers import helpers


def _ann(world: World) -> Person:
    return helpers.person(
        world, sensitive={"national_id": helpers.NATIONAL_ID, "bank_account": helpers.IBAN}
    )


def test_it_reveals_one_field_with_one_audit_event(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = _ann(world)
    response = as_user(world.frank).post(
        f"/people/{ann.pk}/reveal/",
        {"field": "national_id", "reason": "Customer asked to verify identity"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="sensitive" id="sensitive-national_id">')
    assert f"<code>{helpers.NATIONAL_ID}</code>" in html
    assert helpers.IBAN not in html
    [event] = helpers.events("reveal", ann)
    assert (event.actor_id, event.changes, event.reason) == (
        world.frank.pk,
        {"field": "national_id"},
        "Customer asked to verify identity",
    )


def test_it_writes_one_event_per_field_revealed(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = _ann(world)
    response = as_user(world.erin).post(
        f"/people/{ann.pk}/reveal/",
        {"field": ["national_id", "bank_account"], "reason": "Refund to the right account"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert helpers.NATIONAL_ID in html
    assert helpers.IBAN in html
    assert sorted(e.changes["field"] for e in helpers.events("reveal", ann)) == [
        "bank_account",
        "national_id",
    ]


def test_it_requires_a_reason(world: World, as_user: Callable[[User], Client]) -> None:
    ann = _ann(world)
    client = as_user(world.frank)
    for reason in ("", "  ", "ab"):
        response = client.post(
            f"/people/{ann.pk}/reveal/",
            {"field": "national_id", "reason": reason},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="reason-national_id-error"' in html
        assert 'aria-invalid="true"' in html
        assert helpers.NATIONAL_ID not in html
    assert helpers.events("reveal", ann) == []


def test_it_rejects_unknown_fields(world: World, as_user: Callable[[User], Client]) -> None:
    ann = _ann(world)
    response = as_user(world.frank).post(
        f"/people/{ann.pk}/reveal/", {"field": "email", "reason": "Just because"}
    )
    assert response.status_code == 200
    assert "field" in response.context["form"].errors
    assert helpers.events("reveal", ann) == []


def test_it_never_puts_plaintext_in_the_detail_page(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = _ann(world)
    client = as_user(world.alice)
    before = client.get(f"/people/{ann.pk}/").content.decode()
    client.post(f"/people/{ann.pk}/reveal/", {"field": "national_id", "reason": "Checking ID"})
    after = client.get(f"/people/{ann.pk}/").content.decode()
    for html in (before, after):
        assert helpers.NATIONAL_ID not in html
        assert helpers.IBAN not in html
        assert "•••• 8901" in html


def test_it_shows_the_reason_form_without_revealing_on_get(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = _ann(world)
    response = as_user(world.frank).get(f"/people/{ann.pk}/reveal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="reason-national_id"' in html
    assert 'id="reason-bank_account"' in html
    assert helpers.NATIONAL_ID not in html
    assert helpers.events("reveal", ann) == []


def test_it_requires_the_reveal_permission(world: World, as_user: Callable[[User], Client]) -> None:
    ann = _ann(world)
    for user in (world.bob, world.carol, world.dave):
        response = as_user(user).post(
            f"/people/{ann.pk}/reveal/", {"field": "national_id", "reason": "Let me see"}
        )
        assert response.status_code == 403
        assert helpers.NATIONAL_ID not in response.content.decode()
    assert helpers.events("reveal", ann) == []


def test_it_hides_other_workspaces_records(world: World, as_user: Callable[[User], Client]) -> None:
    ann = _ann(world)
    response = as_user(world.mallory).post(
        f"/people/{ann.pk}/reveal/", {"field": "national_id", "reason": "Let me see"}
    )
    assert response.status_code == 404
    assert helpers.events("reveal", ann) == []


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    ann = _ann(world)
    response = client.post(
        f"/people/{ann.pk}/reveal/", {"field": "national_id", "reason": "Let me see"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert helpers.events("reveal", ann) == []

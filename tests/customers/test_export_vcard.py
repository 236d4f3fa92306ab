"""vCard 4.0 of one person, in HTML and the API."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core import services as core_services
from amity.core.models import User
from amity.customers import services
from amity.customers.exports import vcard
from tests.conftest import World
from tests.customers import helpers


def test_it_downloads_a_vcard_with_escaped_values_and_an_audit_event(
    world: World, as_user: Callable[[User], Client]
) -> None:
    co = helpers.company(world, name="Smith, Jones; Partners")
    ann = helpers.person(
        world,
        first_name="Ann",
        last_name="Lee\\Kim",
        title="Head of A;B",
        company=co.pk,
        email="ann@x.test",
        phone="+47 22 33 44 55",
        mobile="+47 999 99 999",
        billing_street="1 Main St\nFloor 2",
        billing_city="Oslo",
        billing_postal_code="0150",
        billing_country="NO",
    )
    response = as_user(world.dave).get(f"/people/{ann.pk}/vcard/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    lines = response.content.decode().split("\r\n")
    assert lines[:3] == ["BEGIN:VCARD", "VERSION:4.0", f"UID:urn:uuid:{ann.uid}"]
    assert "FN:Ann Lee\\\\Kim" in lines
    assert "N:Lee\\\\Kim;Ann;;;" in lines
    assert "ORG:Smith\\, Jones\\; Partners" in lines
    assert "TITLE:Head of A\\;B" in lines
    assert "EMAIL;TYPE=work;PREF=1:ann@x.test" in lines
    assert "TEL;VALUE=uri;TYPE=cell:tel:+4799999999" in lines
    assert "ADR;TYPE=x-billing:;;1 Main St\\nFloor 2;Oslo;;0150;NO" in lines
    assert not any(line.startswith("ADR;TYPE=x-shipping") for line in lines)
    assert lines[-2:] == ["END:VCARD", ""]
    [event] = helpers.events("export", ann)
    assert (event.actor_id, event.changes) == (world.dave.pk, {"format": "vcard"})


def test_it_folds_long_lines_at_75_octets(world: World) -> None:
    ann = helpers.person(world, first_name="Å" * 60, last_name="Lee")
    text = vcard(ann)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert f"FN:{'Å' * 60} Lee\r\n" in unfolded


def test_it_is_a_404_for_another_workspace_and_a_redirect_for_anonymous(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    assert as_user(world.mallory).get(f"/people/{ann.pk}/vcard/").status_code == 404
    assert Client().get(f"/people/{ann.pk}/vcard/").status_code == 302
    assert helpers.events("export", ann) == []


def test_it_serves_the_vcard_through_the_api(world: World) -> None:
    ann = helpers.person(world, first_name="Ann", last_name="Lee")
    _, token = core_services.create_token(world.member(world.carol), "t")
    response = Client().get(
        f"/api/v1/people/{ann.pk}/vcard", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert "FN:Ann Lee\r\n" in response.content.decode()
    other = services.create_person(world.member(world.mallory, world.globex), {"last_name": "G"})
    response = Client().get(
        f"/api/v1/people/{other.pk}/vcard", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 404

"""Settings → Custom fields: admins add and change fields; nobody else gets in."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from amity.customers.models import CustomField
from tests.conftest import World


def test_it_adds_renames_and_archives_a_field(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.alice)
    assert 'href="/settings/custom-fields/"' in client.get("/").content.decode()
    response = client.post(
        "/settings/custom-fields/",
        {
            "target": "company",
            "key": "tier",
            "label": "Tier",
            "type": "select",
            "options": "Gold\nSilver\n",
            "position": 1,
        },
    )
    assert response.status_code == 302
    field = CustomField.objects.get(workspace=world.acme)
    assert (field.key, field.options, field.archived) == ("tier", ["Gold", "Silver"], False)
    edit = f"/settings/custom-fields/{field.pk}/"
    assert client.get(edit).status_code == 200
    data = {"label": "Level", "options": "Gold\nSilver", "position": 2, "archived": "on"}
    assert client.post(edit, {**data, "version": 1}).status_code == 302
    field.refresh_from_db()
    assert (field.label, field.archived, field.version) == ("Level", True, 2)
    stale = client.post(edit, {**data, "label": "Stale", "version": 1})
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()
    listed = client.get("/settings/custom-fields/").content.decode()
    assert "Level" in listed and "Archived" in listed


def test_it_shows_errors_on_their_fields(world: World, as_user: Callable[[User], Client]) -> None:
    response = as_user(world.alice).post(
        "/settings/custom-fields/",
        {"target": "person", "key": "x", "label": "X", "type": "select", "position": 0},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"options"}
    assert CustomField.objects.filter(workspace=world.acme).count() == 0


def test_it_requires_the_admin_role(world: World, as_user: Callable[[User], Client]) -> None:
    field = CustomField.objects.create(
        workspace=world.acme, target="person", key="k", label="K", type="text"
    )
    for user in (world.erin, world.bob, world.dave):
        client = as_user(user)
        assert client.get("/settings/custom-fields/").status_code == 403
        response = client.post(
            f"/settings/custom-fields/{field.pk}/", {"label": "Hacked", "position": 0, "version": 1}
        )
        assert response.status_code == 403
    field.refresh_from_db()
    assert field.label == "K"

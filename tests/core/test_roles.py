"""The roles screen: every role's grid, and editing a non-admin role (admins only)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from pytest_django.asserts import assertContains

from amity.core import access
from amity.core.models import AuditEvent, Role
from tests.conftest import World, login, tenant_guard_off


def role(world: World, key: str) -> Role:
    return Role.objects.get(workspace=world.acme, key=key)


def grid(**scopes: str) -> dict[str, str]:
    """Return a full form: every cell "none" except the ones given as type__action=scope."""
    data = {f"{t}.{a}": "" for t in ("company", "person", "audit") for a in access.ACTIONS}
    data.update({k.replace("__", "."): v for k, v in scopes.items()})
    return data


def test_it_lists_the_eight_roles(
    client: Client,
    as_user: Callable[..., Client],
    world: World,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    as_user(world.alice)
    with django_assert_num_queries(9):
        response = client.get("/roles/")
    assert response.status_code == 200
    names = [r.name for r, _ in response.context["roles"]]
    assert names == [
        "Admin",
        "Billing",
        "Manager",
        "Marketing",
        "Read-only",
        "Sales",
        "Shipping",
        "Support",
    ]
    sales_rows = dict(response.context["roles"])[role(world, "sales")]
    company = next(r for r in sales_rows if r.object_type == "company")
    assert [c.scope for c in company.cells] == ["all", "all", "own", "own", "own", "", ""]
    assertContains(response, f'href="/roles/{role(world, "sales").pk}/"')


@pytest.mark.parametrize("name", ["erin", "bob", "dave"])
def test_it_is_for_admins_only(
    client: Client, as_user: Callable[..., Client], world: World, name: str
) -> None:
    as_user(getattr(world, name))
    assert client.get("/roles/").status_code == 403
    sales = role(world, "sales")
    assert client.post(f"/roles/{sales.pk}/", grid(company__view="all")).status_code == 403
    sales.refresh_from_db()
    assert sales.grants["company"]["edit"] == "own"


def test_it_needs_a_login(client: Client, world: World) -> None:
    assert client.get("/roles/")["Location"] == "/login/?next=/roles/"


def test_it_edits_a_role_and_audits_the_diff(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    sales = role(world, "sales")
    response = client.get(f"/roles/{sales.pk}/")
    assert response.status_code == 200
    assertContains(response, 'name="company.edit"')
    data = grid(
        company__view="all",
        company__create="all",
        company__edit="team",
        company__delete="own",
        company__export="own",
        person__view="team",
        audit__view="all",
    )
    response = client.post(f"/roles/{sales.pk}/", data)
    assert response.status_code == 302
    sales.refresh_from_db()
    assert sales.grants["company"] == {
        "view": "all",
        "create": "all",
        "edit": "team",
        "delete": "own",
        "export": "own",
    }
    assert sales.grants["person"] == {"view": "team"}
    assert sales.grants["audit"] == {"view": "all"}
    with tenant_guard_off():
        event = AuditEvent.objects.filter(action="permission", object_type="role").get()
    assert event.changes["company.edit"] == ["own", "team"]
    assert event.changes["person.create"] == ["all", None]
    assert event.changes["audit.view"] == [None, "all"]
    assert "company.view" not in event.changes
    assert (event.actor_id, event.object_id) == (world.alice.pk, str(sales.pk))


def test_it_takes_effect_at_once(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    readonly = role(world, "readonly")
    client.post(f"/roles/{readonly.pk}/", grid(company__view="all", audit__view="all"))
    dave = Client()
    login(dave, world.dave)
    assert dave.get("/audit/").status_code == 200


def test_it_refuses_an_unknown_scope(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    sales = role(world, "sales")
    before = dict(sales.grants)
    response = client.post(f"/roles/{sales.pk}/", grid(company__view="everything"))
    assert response.status_code == 400
    sales.refresh_from_db()
    assert sales.grants == before


def test_it_keeps_the_admin_role_fixed(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    admin = role(world, "admin")
    response = client.post(f"/roles/{admin.pk}/", grid())
    assert response.status_code == 400
    admin.refresh_from_db()
    assert (admin.is_admin, admin.grants) == (True, {})


def test_it_keeps_grants_the_grid_does_not_show(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    sales = role(world, "sales")
    Role.objects.filter(pk=sales.pk, workspace_id=world.acme.pk).update(
        grants={**sales.grants, "member": {"view": "all"}}
    )
    client.post(f"/roles/{sales.pk}/", grid(company__view="all"))
    sales.refresh_from_db()
    assert sales.grants == {"company": {"view": "all"}, "member": {"view": "all"}}


def test_it_hides_other_workspaces_roles(
    client: Client, as_user: Callable[..., Client], world: World
) -> None:
    as_user(world.alice)
    theirs = Role.objects.get(workspace=world.globex, key="sales")
    assert client.get(f"/roles/{theirs.pk}/").status_code == 404
    assert client.post(f"/roles/{theirs.pk}/", grid()).status_code == 404
    theirs.refresh_from_db()
    assert theirs.grants["company"]["view"] == "all"


def test_it_grants_the_data_subject_rights_to_a_role(world: World) -> None:
    """The `privacy` action is a grant like the others, so a manager can be given it."""
    from amity.core import access, services
    from amity.core.models import Role

    manager = Role.objects.get(workspace=world.acme, key="manager")
    grants = {**manager.grants, "person": {**manager.grants["person"], "privacy": "all"}}
    services.update_role_grants(world.member(world.alice), manager, grants)
    assert access.can(world.member(world.erin), "person", "privacy")

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core.models import User
from amity.customers import services
from amity.customers.models import Person
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


def _people() -> list[Person]:
    with tenant_guard_off():
        return list(Person.objects.order_by("pk"))


def test_it_shows_the_form_with_required_marks(
    world: World, as_user: Callable[[User], Client]
) -> None:
    response = as_user(world.bob).get("/people/new/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<label for="id_last_name">Last name <span class="required" aria-hidden="true">*</span>'
        in html
    )
    assert f'<option value="{world.bob.pk}" selected>Bob</option>' in html
    # Sales may not write what they could not read back.
    assert 'name="national_id"' not in html


def test_it_creates_a_person(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    response = as_user(world.bob).post(
        "/people/new/",
        {
            "first_name": "Ann",
            "last_name": "Lee",
            "company": initech.pk,
            "email": "ann@initech.test",
            "owner": world.sam.pk,
            "billing_country": "no",
        },
    )
    [ann] = _people()
    assert response.status_code == 302
    assert response["Location"] == f"/people/{ann.pk}/"
    assert (ann.full_name, ann.company_id, ann.email, ann.owner_id, ann.billing_country) == (
        "Ann Lee",
        initech.pk,
        "ann@initech.test",
        world.sam.pk,
        "NO",
    )
    assert ann.workspace_id == world.acme.pk
    assert ann.created_by_id == world.bob.pk
    assert len(helpers.events("create", ann)) == 1


def test_it_encrypts_sensitive_values_for_roles_that_may_reveal(
    world: World, as_user: Callable[[User], Client]
) -> None:
    as_user(world.erin).post(
        "/people/new/",
        {
            "last_name": "Lee",
            "national_id": helpers.NATIONAL_ID,
            "bank_account": "no93 8601 1117 947",
        },
    )
    [ann] = _people()
    assert ann.national_id.startswith("v1.")
    assert helpers.NATIONAL_ID not in ann.national_id
    assert services.masked(ann, "national_id") == "•••• 8901"
    assert services.masked(ann, "bank_account") == "•••• 7947"


def test_it_ignores_sensitive_values_from_roles_that_may_not_reveal(
    world: World, as_user: Callable[[User], Client]
) -> None:
    as_user(world.bob).post("/people/new/", {"last_name": "Lee", "national_id": "99999999999"})
    [ann] = _people()
    assert ann.national_id == ""
    assert ann.national_id_bidx == ""


def test_it_shows_errors_next_to_fields(world: World, as_user: Callable[[User], Client]) -> None:
    response = as_user(world.erin).post(
        "/people/new/",
        {
            "last_name": "",
            "email": "not-an-email",
            "bank_account": "NO00 0000",
            "billing_country": "Norway",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-describedby="id_last_name_error"' in html
    assert (
        '<ul class="errorlist" id="id_last_name_error"><li>This field is required.</li></ul>'
        in html
    )
    assert 'id="id_email_error"' in html
    assert 'id="id_bank_account_error"' in html
    assert 'id="id_billing_country_error"' in html
    assert _people() == []


def test_it_rejects_a_company_or_owner_from_another_workspace(
    world: World, as_user: Callable[[User], Client]
) -> None:
    umbrella = services.create_company(world.member(world.mallory, world.globex), {"name": "Umb"})
    response = as_user(world.alice).post(
        "/people/new/", {"last_name": "Lee", "company": umbrella.pk, "owner": world.mallory.pk}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"company", "owner"}
    assert _people() == []


def test_it_prefills_the_company(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world, name="Initech")
    html = as_user(world.bob).get(f"/people/new/?company={initech.pk}").content.decode()
    assert f'<option value="{initech.pk}" selected>Initech</option>' in html


def test_it_requires_the_create_permission(world: World, as_user: Callable[[User], Client]) -> None:
    client = as_user(world.dave)
    assert client.get("/people/new/").status_code == 403
    assert client.post("/people/new/", {"last_name": "Lee"}).status_code == 403
    assert as_user(world.frank).post("/people/new/", {"last_name": "Lee"}).status_code == 403
    assert _people() == []


def test_it_creates_in_the_users_own_workspace_only(
    world: World, as_user: Callable[[User], Client]
) -> None:
    as_user(world.mallory).post("/people/new/", {"last_name": "Lee"})
    [lee] = _people()
    assert lee.workspace_id == world.globex.pk


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    response = client.post("/people/new/", {"last_name": "Lee"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert _people() == []


def test_it_rejects_malformed_references(world: World, as_user: Callable[[User], Client]) -> None:
    response = as_user(world.alice).post(
        "/people/new/",
        {"last_name": "Lee", "company": "99999999999999999999999", "owner": "²"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"company", "owner"}
    assert _people() == []

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

from amity.core.models import User
from amity.customers import services
from tests.conftest import World
from tests.customers import helpers


def test_it_shows_the_form_with_the_version(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world, first_name="Ann", sensitive={"national_id": helpers.NATIONAL_ID})
    response = as_user(world.erin).get(f"/people/{ann.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<input type="hidden" name="version" value="1" id="id_version">' in html
    assert 'value="Ann"' in html
    assert "Now •••• 8901. Leave blank to keep it." in html
    assert helpers.NATIONAL_ID not in html
    assert 'name="clear_national_id"' in html
    assert 'name="clear_bank_account"' not in html


def test_it_saves_changes_and_bumps_the_version(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world, first_name="Ann")
    response = as_user(world.carol).post(
        f"/people/{ann.pk}/edit/",
        helpers.form_data(ann, first_name="Anna", phone="+47 22 33 44 55"),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{ann.pk}/"
    stored = helpers.reload(ann)
    assert (stored.first_name, stored.phone, stored.version) == ("Anna", "+4722334455", 2)
    [update] = helpers.events("update", ann)
    assert update.changes == {"first_name": ["Ann", "Anna"], "phone": ["", "+4722334455"]}


def test_it_keeps_sensitive_values_when_left_blank(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world, sensitive={"national_id": helpers.NATIONAL_ID})
    sealed = ann.national_id
    as_user(world.erin).post(f"/people/{ann.pk}/edit/", helpers.form_data(ann, title="CEO"))
    stored = helpers.reload(ann)
    assert stored.title == "CEO"
    assert stored.national_id == sealed


def test_it_replaces_and_clears_sensitive_values(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world, sensitive={"national_id": helpers.NATIONAL_ID})
    client = as_user(world.erin)
    client.post(f"/people/{ann.pk}/edit/", helpers.form_data(ann, bank_account=helpers.IBAN))
    stored = helpers.reload(ann)
    assert services.masked(stored, "bank_account") == "•••• 7947"
    client.post(f"/people/{ann.pk}/edit/", helpers.form_data(stored, clear_national_id="on"))
    stored = helpers.reload(ann)
    assert (stored.national_id, stored.national_id_bidx) == ("", "")
    assert services.masked(stored, "bank_account") == "•••• 7947"


def test_it_shows_the_newer_values_on_a_version_conflict(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world, first_name="Ann", phone="+47 22 33 44 55")
    stale = helpers.form_data(ann, first_name="Mine", phone="+47 22 33 44 55")
    services.update_person(
        world.member(world.alice), ann, {"first_name": "Theirs"}, expected_version=1
    )
    response = as_user(world.erin).post(f"/people/{ann.pk}/edit/", stale)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this record while you were editing" in html
    assert response.context["conflict"] == [
        {"label": "First name", "theirs": "Theirs", "yours": "Mine"}
    ]
    assert '<input type="hidden" name="version" value="2" id="id_version">' in html
    assert helpers.reload(ann).first_name == "Theirs"
    # Saving the re-rendered form again is a deliberate overwrite, and it applies.
    again = as_user(world.erin).post(f"/people/{ann.pk}/edit/", {**stale, "version": 2})
    assert again.status_code == 302
    assert (helpers.reload(ann).first_name, helpers.reload(ann).version) == ("Mine", 3)


def test_it_shows_owner_and_company_names_in_a_conflict(
    world: World, as_user: Callable[[User], Client]
) -> None:
    initech = helpers.company(world, name="Initech")
    ann = helpers.person(world)
    stale = helpers.form_data(ann, owner=world.carol.pk)
    services.update_person(
        world.member(world.alice),
        ann,
        {"company": initech.pk, "owner": world.bob.pk},
        expected_version=1,
    )
    response = as_user(world.erin).post(f"/people/{ann.pk}/edit/", stale)
    assert response.context["conflict"] == [
        {"label": "Owner", "theirs": "Bob", "yours": "Carol"},
        {"label": "Company", "theirs": "Initech", "yours": "—"},
    ]


def test_it_attaches_service_errors_to_fields(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    response = as_user(world.erin).post(
        f"/people/{ann.pk}/edit/", helpers.form_data(ann, national_id="x" * 65)
    )
    assert response.status_code == 200
    assert "national_id" in response.context["form"].errors
    assert helpers.reload(ann).version == 1


def test_it_requires_edit_permission(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world, first_name="Ann")
    for user in (world.dave, world.bob):  # read-only; sales on someone else's record
        client = as_user(user)
        assert client.get(f"/people/{ann.pk}/edit/").status_code == 403
        response = client.post(f"/people/{ann.pk}/edit/", helpers.form_data(ann, first_name="X"))
        assert response.status_code == 403
    stored = helpers.reload(ann)
    assert (stored.first_name, stored.version) == ("Ann", 1)


def test_it_lets_sales_edit_their_own(world: World, as_user: Callable[[User], Client]) -> None:
    mine = helpers.person(world, world.bob)
    response = as_user(world.bob).post(
        f"/people/{mine.pk}/edit/", helpers.form_data(mine, title="CTO")
    )
    assert response.status_code == 302
    assert helpers.reload(mine).title == "CTO"


def test_it_hides_other_workspaces_records(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world, first_name="Ann")
    client = as_user(world.mallory)
    assert client.get(f"/people/{ann.pk}/edit/").status_code == 404
    assert (
        client.post(f"/people/{ann.pk}/edit/", helpers.form_data(ann, first_name="X")).status_code
        == 404
    )
    assert helpers.reload(ann).first_name == "Ann"


def test_it_redirects_anonymous_to_login(client: Client, world: World) -> None:
    ann = helpers.person(world, first_name="Ann")
    response = client.post(f"/people/{ann.pk}/edit/", helpers.form_data(ann, first_name="X"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert helpers.reload(ann).first_name == "Ann"


def _loaded_version(client: Client, pk: int) -> int:
    html = client.get(f"/people/{pk}/edit/").content.decode()
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match is not None
    return int(match.group(1))


def test_it_never_loses_an_update_between_two_editors(world: World) -> None:
    """TESTPLAN R2, form side: of two submits from the same version, one applies, one conflicts."""
    ann = helpers.person(world, first_name="Start")
    editors = {"alice": helpers.client_for(world.alice), "erin": helpers.client_for(world.erin)}
    rng = random.Random(20240601)
    for trial in range(50):
        versions = {name: _loaded_version(client, ann.pk) for name, client in editors.items()}
        assert len(set(versions.values())) == 1
        loaded = helpers.reload(ann)
        forms = {
            name: helpers.form_data(loaded, first_name=f"{name}-{trial}", version=version)
            for name, version in versions.items()
        }
        order = rng.sample(sorted(editors), 2)
        outcomes = {}
        for name in order:
            outcomes[name] = editors[name].post(f"/people/{ann.pk}/edit/", forms[name])
        winner, loser = order
        assert outcomes[winner].status_code == 302
        assert outcomes[loser].status_code == 200
        assert outcomes[loser].context["conflict"] == [
            {"label": "First name", "theirs": f"{winner}-{trial}", "yours": f"{loser}-{trial}"}
        ]
        stored = helpers.reload(ann)
        assert stored.first_name == f"{winner}-{trial}"
        assert stored.version == versions[winner] + 1
    assert len(helpers.events("update", ann)) == 50


def _race(pk: int, posts: list[tuple[Client, dict[str, object]]]) -> list[int]:
    """Post every form at the same moment from its own thread; return the status codes."""
    barrier = threading.Barrier(len(posts))
    statuses: list[int] = []

    def submit(client: Client, data: dict[str, object]) -> None:
        try:
            barrier.wait()
            statuses.append(client.post(f"/people/{pk}/edit/", data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_it_applies_exactly_one_of_ten_concurrent_submits(world: World) -> None:
    """TESTPLAN R2 with ten editors posting the same version at once."""
    ann = helpers.person(world, first_name="Start")
    users = [world.alice, world.erin, world.carol]
    clients = [helpers.client_for(users[i % len(users)]) for i in range(10)]
    for trial in range(10):
        loaded = helpers.reload(ann)
        posts = [
            (client, helpers.form_data(loaded, first_name=f"e{i}-{trial}"))
            for i, client in enumerate(clients)
        ]
        assert sorted(_race(ann.pk, posts)) == [200] * 9 + [302]
        stored = helpers.reload(ann)
        assert stored.version == loaded.version + 1
        assert stored.first_name.endswith(f"-{trial}")


def test_it_shows_the_stored_record_after_a_conflict_on_company_and_id(
    world: World, as_user: Callable[[User], Client]
) -> None:
    """The re-rendered form loads the record again; nothing is read across workspaces."""
    initech, globo = helpers.company(world, name="Initech"), helpers.company(world, name="Globo")
    ann = helpers.person(world, company=initech.pk, sensitive={"national_id": helpers.NATIONAL_ID})
    stale = helpers.form_data(ann, company=globo.pk, national_id="55555555555")
    services.update_person(world.member(world.alice), ann, {"title": "CEO"}, expected_version=1)
    response = as_user(world.erin).post(f"/people/{ann.pk}/edit/", stale)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Now •••• 8901. Leave blank to keep it." in html
    assert f'<option value="{globo.pk}" selected>Globo</option>' in html
    assert response.context["conflict"] == [
        {"label": "Job title", "theirs": "CEO", "yours": "—"},
        {"label": "Company", "theirs": "Initech", "yours": "Globo"},
    ]
    stored = helpers.reload(ann)
    assert (stored.company_id, services.masked(stored, "national_id")) == (initech.pk, "•••• 8901")


def test_it_refuses_a_form_without_a_version(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world, first_name="Ann")
    client = as_user(world.erin)
    for version in ("", "abc"):
        response = client.post(
            f"/people/{ann.pk}/edit/", helpers.form_data(ann, first_name="X", version=version)
        )
        assert response.status_code == 200
        assert 'id="form-errors"' in response.content.decode()
    assert (helpers.reload(ann).first_name, helpers.reload(ann).version) == ("Ann", 1)

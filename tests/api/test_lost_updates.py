"""TESTPLAN R2: two writers of the same version never both win; the loser gets 412."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from amity.core.models import User
from amity.customers import services as customers
from amity.customers.models import Person
from tests.api.conftest import Api, token_for
from tests.conftest import World, tenant_guard_off


def test_two_editors_of_one_version_never_both_win(
    world: World, api_as: Callable[[User], Api]
) -> None:
    person = customers.create_person(world.member(world.alice), {"last_name": "Lovelace"})
    alice, erin = api_as(world.alice), api_as(world.erin)
    read = alice.get(f"/people/{person.pk}")["ETag"]
    assert erin.get(f"/people/{person.pk}")["ETag"] == read
    outcomes: dict[tuple[int, int], int] = {}
    trials = 200
    for n in range(trials):
        # Both hold the ETag of the same version; they write in alternating order.
        first, second = (alice, erin) if n % 2 else (erin, alice)
        a = first.patch(f"/people/{person.pk}", {"title": f"first {n}"}, {"If-Match": read})
        b = second.patch(f"/people/{person.pk}", {"title": f"second {n}"}, {"If-Match": read})
        key = (a.status_code, b.status_code)
        outcomes[key] = outcomes.get(key, 0) + 1
        assert b["ETag"] == a["ETag"]  # the loser learns the version to fetch
        read = a["ETag"]
    assert outcomes == {(200, 412): trials}
    person.refresh_from_db()
    assert (person.version, person.title) == (1 + trials, f"first {trials - 1}")


def _race(token: str, person_id: int, etag: str, writers: int) -> list[tuple[int, str]]:
    barrier = threading.Barrier(writers)
    answers: list[tuple[int, str]] = []

    def write(n: int) -> None:
        try:
            api = Api(token)
            barrier.wait()
            r = api.patch(f"/people/{person_id}", {"title": f"writer {n}"}, {"If-Match": etag})
            answers.append((r.status_code, json.loads(r.content).get("title", "")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_editors_of_one_version_yield_one_winner(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite's in-memory test database has table-level locks "
            "across connections, so concurrent writers fail instead of waiting"
        )
    person = customers.create_person(world.member(world.alice), {"last_name": "Lovelace"})
    token = token_for(world, world.erin)
    rounds = 20
    for version in range(1, rounds + 1):
        answers = _race(token, person.pk, f'"person-{person.pk}-v{version}"', writers=10)
        assert sorted(status for status, _ in answers) == [200] + [412] * 9, answers
        winner = next(title for status, title in answers if status == 200)
        with tenant_guard_off():
            stored = Person.objects.values_list("version", "title").get(pk=person.pk)
        assert stored == (version + 1, winner)

"""TESTPLAN R2 at full count: concurrent editors of one record, through the API and the form.

tests/api/test_lost_updates.py covers the sequential API case (200 trials) and
20 rounds of 10 writers; tests/customers/test_person_edit.py the sequential form
case. Here every trial is a real race (threads released by a barrier), and the
audit log is the ledger: each acknowledged write must be in it, in order, and
the record's version must count exactly the winners. `make test` runs the short
counts; `make soak` the TESTPLAN's 1,000 trials.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client

from amity.customers import services as customers
from amity.customers.models import Person
from tests.api.conftest import Api, token_for
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite's in-memory test database has table-level locks "
            "across connections, so concurrent writers fail instead of waiting"
        )


def _race[T](calls: list[Callable[[], T]]) -> list[T]:
    """Run the calls at the same moment, each in its own thread with its own connection."""
    barrier = threading.Barrier(len(calls))
    results: list[T] = []

    def run(call: Callable[[], T]) -> None:
        try:
            barrier.wait()
            results.append(call())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _ledger(person: Person) -> list[str]:
    """Return the titles the audit log says were written, in order."""
    return [
        str(event.changes["title"][1])
        for event in helpers.events("update", person)
        if "title" in event.changes
    ]


@pytest.mark.parametrize(
    ("writers", "trials"),
    [
        pytest.param(2, 100, id="2x100"),
        pytest.param(2, 1000, id="2x1000", marks=pytest.mark.soak),
        pytest.param(10, 1000, id="10x1000", marks=pytest.mark.soak),
    ],
)
def test_concurrent_api_editors_lose_no_update(world: World, writers: int, trials: int) -> None:
    _needs_postgres()
    person = customers.create_person(world.member(world.alice), {"last_name": "Lovelace"})
    tokens = [token_for(world, world.alice), token_for(world, world.erin)]
    apis = [Api(tokens[n % 2]) for n in range(writers)]
    winners: list[str] = []
    for trial in range(trials):
        etag = f'"person-{person.pk}-v{trial + 1}"'

        def write(n: int, trial: int = trial, etag: str = etag) -> tuple[int, str, str]:
            r = apis[n].patch(
                f"/people/{person.pk}", {"title": f"t{trial} w{n}"}, {"If-Match": etag}
            )
            return r.status_code, r["ETag"], json.loads(r.content).get("title", "")

        answers = _race([lambda n=n: write(n) for n in range(writers)])
        assert sorted(status for status, _, _ in answers) == [200] + [412] * (writers - 1)
        # Every loser is told the version that won, so it can fetch and retry.
        assert {tag for _, tag, _ in answers} == {f'"person-{person.pk}-v{trial + 2}"'}
        winners.append(next(title for status, _, title in answers if status == 200))
    with tenant_guard_off():
        stored = Person.objects.values_list("version", "title").get(pk=person.pk)
    assert stored == (trials + 1, winners[-1])
    assert _ledger(person) == winners


def _form_version(client: Client, pk: int) -> int:
    html = client.get(f"/people/{pk}/edit/").content.decode()
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match is not None
    return int(match.group(1))


@pytest.mark.parametrize(
    "trials", [pytest.param(10, id="10"), pytest.param(1000, id="1000", marks=pytest.mark.soak)]
)
def test_concurrent_form_editors_lose_no_update(world: World, trials: int) -> None:
    _needs_postgres()
    person = helpers.person(world, first_name="Start", title="start")
    editors = [helpers.client_for(world.alice), helpers.client_for(world.erin)]
    winners: list[str] = []
    for trial in range(trials):
        versions = [_form_version(client, person.pk) for client in editors]
        assert versions == [trial + 1] * 2
        loaded = helpers.reload(person)
        forms = [
            helpers.form_data(loaded, title=f"t{trial} e{n}", version=versions[n]) for n in range(2)
        ]

        def submit(n: int, forms: list[dict[str, object]] = forms) -> tuple[int, str, bool]:
            r = editors[n].post(f"/people/{person.pk}/edit/", forms[n])
            conflict = r.status_code == 200 and bool(r.context["conflict"])
            return r.status_code, str(forms[n]["title"]), conflict

        answers = _race([lambda n=n: submit(n) for n in range(2)])
        # One is saved (redirect); the other sees the conflict message with the newer values.
        assert sorted((status, conflict) for status, _, conflict in answers) == [
            (200, True),
            (302, False),
        ]
        winners.append(next(title for status, title, _ in answers if status == 302))
    stored = helpers.reload(person)
    assert (stored.version, stored.title) == (trials + 1, winners[-1])
    assert _ledger(person) == winners

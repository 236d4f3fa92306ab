"""TESTPLAN R4 at full count: 100 rounds of 10 concurrent duplicates, each creating exactly one.

tests/api/test_idempotency.py runs the short version in `make test` (100 sequential
repeats, 5 concurrent rounds, 409 in flight, 422 for another body); this is the
soak count, with the replays checked byte for byte.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from amity.customers.models import Company
from tests.api.conftest import token_for
from tests.api.test_idempotency import _race
from tests.conftest import World, tenant_guard_off


@pytest.mark.soak
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_hundred_rounds_of_ten_concurrent_duplicates_create_one_each(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers on SQLite's test database fail")
    token = token_for(world, world.alice)
    for round_no in range(100):
        name = f"Soak {round_no}"
        answers = _race(token, name)
        created = [a for a in answers if a[0] == 201 and a[2] is None]
        assert len(answers) == 10 and len(created) == 1, answers
        for status, content, _ in answers:
            if status == 201:
                assert content == created[0][1]  # a replay is byte-identical
            else:
                assert (status, json.loads(content)["error"]["code"]) == (
                    409,
                    "idempotency_in_progress",
                )
    with tenant_guard_off():
        names = Company.objects.filter(name__startswith="Soak ").values_list("name", flat=True)
        assert sorted(names) == sorted(f"Soak {n}" for n in range(100))

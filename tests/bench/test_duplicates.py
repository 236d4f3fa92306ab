"""The near-duplicates data step: realistic pairs, the app's own keys and pairs, addable later."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from amity.bench import duplicates as bench_duplicates
from amity.bench import generator, runner, scenarios
from amity.core import audit
from amity.core.models import Workspace
from amity.customers import duplicates
from amity.customers.models import DuplicateKey, DuplicatePair, Person
from tests.conftest import tenant_guard_off

CONTACTS = 2000
SEED = 5
NEAR_DUPLICATES = round(CONTACTS * bench_duplicates.DUPLICATE_SHARE)


def _fingerprint(ws: Workspace) -> dict[str, Any]:
    people = list(
        Person.objects.filter(workspace=ws)
        .order_by("pk")
        .values_list("pk", "first_name", "last_name", "email", "phone", "company_id", "owner_id")
    )
    first = people[0][0]
    pairs = DuplicatePair.objects.filter(workspace=ws, object_type="person")
    return {
        "people": [(pk - first, *rest[:4]) for pk, *rest in people],
        "pairs": sorted(
            (a - first, b - first, score, tuple(reasons))
            for a, b, score, reasons in pairs.values_list(
                "first_id", "second_id", "score", "reasons"
            )
        ),
        "keys": DuplicateKey.objects.filter(workspace=ws).count(),
    }


def _pairs(ws: Workspace) -> set[tuple[int, int, int, tuple[str, ...]]]:
    rows = DuplicatePair.objects.filter(workspace=ws, object_type="person").values_list(
        "first_id", "second_id", "score", "reasons"
    )
    return {(a, b, score, tuple(reasons)) for a, b, score, reasons in rows}


@pytest.mark.django_db(transaction=False)
def test_the_step_adds_near_duplicates_to_an_older_data_set_as_a_fresh_one_has_them() -> None:
    with tenant_guard_off():
        # A data set generated before the step existed, then reused: the step is added.
        with transaction.atomic():
            generator.ensure(CONTACTS, SEED, progress=lambda _: None, add_steps=False)
            ws = Workspace.objects.get(slug=generator.SLUG)
            assert Person.objects.filter(workspace=ws).count() == CONTACTS
            assert not DuplicateKey.objects.filter(workspace=ws).exists()
            assert generator.missing_steps(ws) == [bench_duplicates.STEP]
            reused = generator.ensure(CONTACTS, SEED, progress=lambda _: None)
            assert reused.reused and reused.rows["customers_duplicatekey"] > 0
            assert reused.rows["customers_person"] >= NEAR_DUPLICATES
            added_later = _fingerprint(ws)
            transaction.set_rollback(True)
        fresh = generator.ensure(CONTACTS, SEED, progress=lambda _: None)
        assert not fresh.reused
        ws = Workspace.objects.get(slug=generator.SLUG)
        assert _fingerprint(ws) == added_later  # seeded: the same rows either way
        assert audit.verify() == []

        people = Person.objects.filter(workspace=ws)
        assert people.count() == CONTACTS + NEAR_DUPLICATES
        copies = list(people.order_by("-pk")[:NEAR_DUPLICATES])
        pairs = _pairs(ws)
        for copy in copies:
            scores = [score for a, b, score, _ in pairs if copy.pk in (a, b)]
            assert scores and max(scores) >= duplicates.SCORES["name"], copy
        # Every person has the keys the app writes, and the pairs are what the app computes
        # for the copies from them.
        keyed = DuplicateKey.objects.filter(workspace=ws, object_type="person")
        assert keyed.values("object_id").distinct().count() == people.count()
        written_keys = sorted(keyed.values_list("object_id", "key"))
        duplicates.rewrite_keys(ws.pk, "person", list(people.values_list("pk", flat=True)))
        assert sorted(keyed.values_list("object_id", "key")) == written_keys
        duplicates.refresh_records(ws.pk, "person", [c.pk for c in copies])
        assert _pairs(ws) == pairs
        assert all(
            {a, b} & {c.pk for c in copies} for a, b, _, _ in pairs
        )  # only the copies' pairs

        # Idempotent: reusing the data set adds nothing, twice.
        for _ in range(2):
            again = generator.ensure(CONTACTS, SEED, progress=lambda _: None)
            assert again.reused and again.rows == {}
        assert people.count() == CONTACTS + NEAR_DUPLICATES
        assert generator.missing_steps(ws) == []
    _the_scenario_runs_with_a_fixed_query_count()


def _the_scenario_runs_with_a_fixed_query_count() -> None:
    scenarios.builtin()
    ds = scenarios.load_dataset(CONTACTS)
    sessions = runner.Sessions(ds)
    scenario = next(s for s in runner.registry.scenarios() if s.name == "duplicates list")
    assert scenario.budget_ms == 50 and scenario.floor is not None
    with tenant_guard_off():
        figure = runner.measure(ds, scenario, sessions, rounds=2)
        assert figure.status == 200 and figure.floor_p95_ms is not None
        assert figure.queries == QUERIES
        # Fewer pairs (a page of 50 still full or not): the same queries.
        kept = DuplicatePair.objects.filter(workspace=ds.workspace).order_by("-score", "-id")[:3]
        DuplicatePair.objects.filter(workspace=ds.workspace).exclude(
            pk__in=[p.pk for p in kept]
        ).delete()
        assert runner.measure(ds, scenario, sessions, rounds=1).queries == QUERIES


QUERIES = 8  # session, user, membership, the pairs, their count, their people …

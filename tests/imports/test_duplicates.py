"""Duplicate rules: match by email, phone or name + company; then skip, update or create."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from amity.core.models import AuditEvent
from amity.customers.models import Company, Person
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers as customer_helpers
from tests.imports import helpers

FILE = (
    "First Name,Last Name,Email,Phone,Company,Job Title\r\n"
    "Ada,Lovelace,ADA@example.test,+44 (20) 7946-0001,Analytical,Countess\r\n"
)


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.fixture
def ada(world: World) -> Person:
    company = customer_helpers.company(world, name="Analytical")
    return customer_helpers.person(
        world,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.test",
        phone="+44 20 7946 0001",
        company=company.pk,
        title="Programmer",
    )


@pytest.mark.parametrize("match_on", ["email", "phone", "name"])
@pytest.mark.parametrize(
    ("on_match", "expected"),
    [
        ("skip", {"people": 1, "title": "Programmer", "version": 1, "counts": (0, 0, 1)}),
        ("update", {"people": 1, "title": "Countess", "version": 2, "counts": (0, 1, 0)}),
        ("create", {"people": 2, "title": "Programmer", "version": 1, "counts": (1, 0, 0)}),
    ],
)
def test_it_applies_each_rule_and_action(
    world: World, ada: Person, match_on: str, on_match: str, expected: dict[str, Any]
) -> None:
    job = helpers.run(world, FILE, match_on=match_on, on_match=on_match)
    assert (job.created, job.updated, job.skipped) == expected["counts"]
    assert Person.objects.filter(workspace=world.acme).count() == expected["people"]
    ada = Person.objects.get(pk=ada.pk, workspace=world.acme)
    assert (ada.title, ada.version) == (expected["title"], expected["version"])
    assert Company.objects.filter(workspace=world.acme).count() == 1


def test_it_records_field_history_for_an_update(world: World, ada: Person) -> None:
    job = helpers.run(world, FILE, on_match="update")
    with tenant_guard_off():
        [event] = AuditEvent.objects.filter(action="update", object_id=str(ada.pk))
    assert event.changes == {
        "title": ["Programmer", "Countess"],
        "email": ["ada@example.test", "ADA@example.test"],
    }
    assert event.reason == f"import #{job.pk}"


def test_it_skips_later_rows_that_repeat_an_earlier_one(world: World) -> None:
    data = FILE + "Ada,Lovelace,ada@example.test,,,Other\r\n"
    job = helpers.run(world, data, on_match="update")
    assert (job.created, job.skipped) == (1, 1)
    assert Person.objects.get(workspace=world.acme).title == "Countess"


def test_it_counts_records_outside_the_edit_scope_as_errors(world: World, ada: Person) -> None:
    # Bob (Sales) may edit only his own records; Ada belongs to Alice.
    job = helpers.run(world, FILE, user=world.bob, on_match="update")
    assert (job.updated, job.failed) == (0, 1)
    assert Person.objects.get(pk=ada.pk, workspace=world.acme).version == 1
    from amity.customers.models import ImportRowError

    [error] = ImportRowError.objects.filter(workspace=world.acme)
    assert (error.row, error.code) == (2, "not_yours")


def test_it_changes_nothing_when_a_rerun_finds_the_same_values(world: World) -> None:
    helpers.run(world, FILE, on_match="update")
    with tenant_guard_off():
        events = AuditEvent.objects.count()
    job = helpers.run(world, FILE, on_match="update")
    assert (job.created, job.updated, job.unchanged) == (0, 0, 1)
    assert Person.objects.get(workspace=world.acme).version == 1
    with tenant_guard_off():
        assert AuditEvent.objects.count() == events + 1  # only the job's own event


def test_imported_people_get_blocking_keys_and_pairs(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The import queues its new people's keys and pairs for the worker (run here at commit)."""
    from amity.customers import services
    from amity.customers.models import DuplicateKey, DuplicatePair

    known = customer_helpers.person(world, first_name="Kari", last_name="Nord", email="k@x.test")
    data = "First Name,Last Name,Email\r\nKari,Nordh,K@x.test\r\nOla,Vik,ola@x.test\r\n"
    job = helpers.run(world, data, on_match="create", capture=django_capture_on_commit_callbacks)
    assert job.status == "done" and job.created == 2
    kari = Person.objects.get(workspace=world.acme, last_name="Nordh")
    assert DuplicateKey.objects.filter(
        workspace=world.acme, object_type="person", object_id=kari.pk, key="email:k@x.test"
    ).exists()
    pair = DuplicatePair.objects.get(workspace=world.acme)
    assert (pair.first_id, pair.second_id, pair.score) == (known.pk, kari.pk, 100)
    # And a create is warned about the imported record.
    with pytest.raises(services.DuplicatesFound):
        services.create_person(
            world.member(world.bob),
            {"last_name": "V", "email": "ola@x.test"},
            allow_duplicate=False,
        )

"""Importing people and companies: rows in, bad rows reported, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from amity.core import search
from amity.core.models import AuditEvent, SearchEntry
from amity.customers.imports import jobs
from amity.customers.models import Company, ImportRowError, Person, TimelineEvent
from tests.conftest import World, tenant_guard_off
from tests.imports import helpers


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def test_it_imports_good_rows_and_reports_bad_ones(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    job = helpers.run(world, helpers.PEOPLE_CSV, capture=django_capture_on_commit_callbacks)
    assert (job.status, job.created, job.failed, job.skipped) == ("done", 3, 1, 0)
    people = Person.objects.filter(workspace=world.acme).order_by("last_name")
    assert [(p.first_name, p.last_name, p.email, p.billing_country) for p in people] == [
        ("Grace", "Hopper", "grace@example.test", "US"),
        ("Ada", "Lovelace", "ada@example.test", "GB"),
        ("Alan", "Turing", "alan@example.test", "GB"),
    ]
    ada = people.get(last_name="Lovelace")
    assert ada.company is not None and ada.company.name == "Analytical"
    assert ada.mobile == "+44 20 7946 0001"
    assert ada.owner_id == world.alice.pk and ada.version == 1
    assert Company.objects.filter(workspace=world.acme).count() == 2
    [error] = ImportRowError.objects.filter(workspace=world.acme)
    assert (error.row, error.column, error.value, error.code) == (
        4,
        "Email Address",
        "not-an-email",
        "email",
    )
    hits = search.query(world.member(world.alice), "lovelace")
    assert [h.title for h in hits] == ["Ada Lovelace"]
    assert TimelineEvent.objects.filter(workspace=world.acme, person=ada).count() == 1
    with tenant_guard_off():
        [event] = AuditEvent.objects.filter(object_type="import")
    assert event.changes["counts"] == {
        "create": 3,
        "update": 0,
        "unchanged": 0,
        "skip": 0,
        "error": 1,
        "new_companies": 2,
    }
    assert not list(Path(jobs.import_dir()).iterdir())


def test_it_changes_nothing_when_the_same_file_runs_again_with_update(world: World) -> None:
    helpers.run(world, helpers.PEOPLE_CSV, on_match="update")
    before = list(Person.objects.filter(workspace=world.acme).values_list("id", "version"))
    entries = SearchEntry.objects.filter(workspace=world.acme).count()
    job = helpers.run(world, helpers.PEOPLE_CSV, on_match="update")
    assert (job.created, job.updated, job.unchanged, job.failed) == (0, 0, 3, 1)
    after = list(Person.objects.filter(workspace=world.acme).values_list("id", "version"))
    assert after == before
    assert SearchEntry.objects.filter(workspace=world.acme).count() == entries

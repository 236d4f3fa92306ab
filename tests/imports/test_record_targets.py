"""Record fields added after the first import: source, consent, stage, size and tags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from amity.core import search
from amity.core.models import AuditEvent, SearchEntry
from amity.customers import fields
from amity.customers.imports import mapping
from amity.customers.models import Company, ImportRowError, Person, PersonTag, Tag
from tests.conftest import World, tenant_guard_off
from tests.imports import helpers

PEOPLE = (
    "First Name,Last Name,Lead Source,Email Consent,SMS Consent\r\n"
    "Ada,Lovelace,Webinar,yes,0\r\n"
    "Alan,Turing,,,TRUE\r\n"
    "Bad,Consent,Fair,maybe,no\r\n"
)
COMPANIES = (
    "Account Name,Type,Employees\r\n"
    "Analytical,Customer - Direct,120\r\n"
    "Bletchley,Marketing Qualified Lead,11–50\r\n"
    "Babbage,Partner,3\r\n"
    "Difference,Prospect,lots\r\n"
)


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def test_it_guesses_the_new_targets_from_crm_exports() -> None:
    hubspot = ["Last Name", "Original Source", "Marketing email consent", "SMS consent"]
    assert mapping.guess(hubspot, "person") == {
        0: "last_name",
        1: "source",
        2: "email_consent",
        3: "messaging_consent",
    }
    assert mapping.guess(["Last Name", "Lead Source"], "person")[1] == "source"
    salesforce = ["Account Name", "Type", "Employees"]
    assert mapping.guess(salesforce, "company") == {0: "name", 1: "lifecycle_stage", 2: "size"}
    hubspot_companies = ["Company name", "Lifecycle Stage", "Number of Employees"]
    assert mapping.guess(hubspot_companies, "company") == {
        0: "name",
        1: "lifecycle_stage",
        2: "size",
    }


def test_it_writes_source_and_consent_with_its_time(world: World) -> None:
    job = helpers.run(world, PEOPLE)
    assert (job.status, job.created, job.failed) == ("done", 2, 1)
    people = Person.objects.filter(workspace=world.acme).order_by("last_name")
    assert [(p.last_name, p.source, p.email_consent, p.messaging_consent) for p in people] == [
        ("Lovelace", "Webinar", True, False),
        ("Turing", "", False, True),
    ]
    ada, alan = people
    assert ada.email_consent_at is not None and ada.messaging_consent_at is None
    assert alan.email_consent_at is None and alan.messaging_consent_at is not None
    [error] = ImportRowError.objects.filter(workspace=world.acme)
    assert (error.row, error.column, error.value, error.code) == (
        4,
        "Email Consent",
        "maybe",
        "yes_no",
    )


def test_it_records_when_an_update_changes_consent(world: World) -> None:
    helpers.run(world, PEOPLE, match_on="name", on_match="update")
    data = "First Name,Last Name,Email Consent\r\nAda,Lovelace,no\r\nAlan,Turing,\r\n"
    job = helpers.run(world, data, match_on="name", on_match="update")
    assert (job.updated, job.unchanged) == (1, 1)
    ada = Person.objects.get(workspace=world.acme, last_name="Lovelace")
    assert (ada.email_consent, ada.version) == (False, 2)
    assert ada.email_consent_at is not None


def test_it_writes_lifecycle_stage_and_size_brackets(world: World) -> None:
    job = helpers.run(world, COMPANIES, kind="company", name="companies.csv", match_on="name")
    assert (job.status, job.created, job.failed) == ("done", 2, 2)
    companies = Company.objects.filter(workspace=world.acme).order_by("name")
    assert [(c.name, c.lifecycle_stage, c.size) for c in companies] == [
        ("Analytical", "customer", "51-200"),
        ("Bletchley", "lead", "11-50"),
    ]
    errors = ImportRowError.objects.filter(workspace=world.acme).order_by("row")
    assert [(e.row, e.column, e.value, e.code, e.params) for e in errors] == [
        (4, "Type", "Partner", "choice", {"choices": "lead, prospect, customer, former"}),
        (5, "Employees", "lots", "size", {}),
    ]


TAGGED = (
    "Last Name,Tags\r\n"
    "Lovelace,vip; Nordic, VIP\r\n"
    "Turing,\r\n"
    f"Many,{';'.join(f't{n}' for n in range(21))}\r\n"
)


def test_it_links_tags_reusing_the_workspace_tags(world: World) -> None:
    existing = Tag.objects.create(workspace=world.acme, name="Nordic")
    assert mapping.guess(["Last Name", "Tags"], "person") == {0: "last_name", 1: "tags"}
    assert mapping.guess(["Name", "Labels"], "company") == {0: "name", 1: "tags"}
    job = helpers.run(world, TAGGED)
    assert (job.created, job.failed) == (2, 1)
    ada = Person.objects.get(workspace=world.acme, last_name="Lovelace")
    assert fields.tag_names(ada) == ["Nordic", "vip"]
    assert Tag.objects.filter(workspace=world.acme).count() == 2
    assert PersonTag.objects.get(workspace=world.acme, person=ada, tag__name="Nordic").tag_id == (
        existing.pk
    )
    [error] = ImportRowError.objects.filter(workspace=world.acme)
    assert (error.row, error.code, error.params) == (4, "tags", {"count": 20, "length": 50})
    entry = SearchEntry.objects.get(workspace=world.acme, object_type="person", object_id=ada.pk)
    assert entry.document == " ".join(search.document_tokens(ada)[0])


def test_it_replaces_tags_on_update_and_records_the_change(world: World) -> None:
    helpers.run(world, TAGGED, match_on="name", on_match="update")
    data = "Last Name,Tags\r\nLovelace,alumni\r\nTuring,\r\n"
    job = helpers.run(world, data, match_on="name", on_match="update")
    assert (job.updated, job.unchanged) == (1, 1)
    ada = Person.objects.get(workspace=world.acme, last_name="Lovelace")
    assert (fields.tag_names(ada), ada.version) == (["alumni"], 2)
    with tenant_guard_off():
        [event] = AuditEvent.objects.filter(action="update", object_id=str(ada.pk))
    assert event.changes == {"tags": ["Nordic, vip", "alumni"]}

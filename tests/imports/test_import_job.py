"""Importing people and companies: rows in, bad rows reported, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from amity.core import search
from amity.core.models import AuditEvent, SearchEntry
from amity.customers import fields, timeline
from amity.customers.imports import jobs, writer
from amity.customers.models import Company, ImportJob, ImportRowError, Person, TimelineEvent
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
    assert ada.mobile == "+442079460001"
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
    # No stored entry a record: the timeline reads the creation from the record.
    assert ada.import_job_id == job.pk
    assert not TimelineEvent.objects.filter(workspace=world.acme, person=ada).exists()
    [created] = timeline.page(world.member(world.alice), ada).items
    assert (created.pk, created.kind, created.actor_id, created.occurred_at) == (
        None,
        "change",
        world.alice.pk,
        ada.created_at,
    )
    assert created.data == {"action": "create", "import": job.pk}
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


def test_it_writes_nothing_when_a_chunk_fails_halfway(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    helpers.small_chunks(monkeypatch, 2)

    def fail(written: int) -> None:
        if written >= 2:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(writer, "after_chunk", fail)
    member = world.member(world.alice)
    job = jobs.upload(member, "person", "people.csv", helpers.PEOPLE_CSV.encode())
    jobs.configure(member, job, {int(i): k for i, k in job.mapping.items()}, "email", "skip")
    jobs.start(member, job)
    with pytest.raises(RuntimeError, match="the disk is full"):
        jobs.run(job.pk, job.workspace_id)
    assert jobs.reload(job).status == "failed"
    assert Person.objects.filter(workspace=world.acme).count() == 0
    assert Company.objects.filter(workspace=world.acme).count() == 0
    assert SearchEntry.objects.filter(workspace=world.acme).count() == 0
    assert TimelineEvent.objects.filter(workspace=world.acme).count() == 0
    assert ImportRowError.objects.filter(workspace=world.acme).count() == 0
    # The file stays for a retry, which then imports everything once.
    monkeypatch.setattr(writer, "after_chunk", None)
    assert jobs.run(job.pk, job.workspace_id) == "done"
    assert jobs.run(job.pk, job.workspace_id) == "done"
    assert Person.objects.filter(workspace=world.acme).count() == 3
    assert jobs.reload(job).attempts == 2


def test_it_rolls_back_a_cancel_during_the_write(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    helpers.small_chunks(monkeypatch, 1)
    member = world.member(world.alice)
    job = jobs.upload(member, "person", "people.csv", helpers.PEOPLE_CSV.encode())
    jobs.configure(member, job, {int(i): k for i, k in job.mapping.items()}, "email", "skip")
    jobs.start(member, job)
    monkeypatch.setattr(
        writer, "after_chunk", lambda written: jobs.cancel(member, jobs.reload(job))
    )
    assert jobs.run(job.pk, job.workspace_id) == "cancelled"
    assert jobs.reload(job).status == "cancelled"
    assert Person.objects.filter(workspace=world.acme).count() == 0
    assert not list(jobs.import_dir().iterdir())


def test_it_dry_runs_without_writing(world: World) -> None:
    member = world.member(world.alice)
    job = jobs.upload(member, "person", "people.csv", helpers.PEOPLE_CSV.encode())
    summary = jobs.dry_run(member, job)
    assert summary["counts"] == {
        "create": 3,
        "update": 0,
        "unchanged": 0,
        "skip": 0,
        "error": 1,
        "new_companies": 2,
    }
    assert summary["errors"] == [
        {
            "row": 4,
            "column": "Email Address",
            "value": "not-an-email",
            "code": "email",
            "params": {},
        }
    ]
    assert Person.objects.filter(workspace=world.acme).count() == 0
    assert Company.objects.filter(workspace=world.acme).count() == 0


def test_it_seals_sensitive_values_for_members_who_may_reveal(world: World) -> None:
    from amity.core import crypto

    data = "Last Name,National ID,IBAN\r\nHansen,12345678901,NO93 8601 1117 947\r\nBad,1,NO00\r\n"
    job = helpers.run(world, data)
    assert (job.created, job.failed) == (1, 1)
    hansen = Person.objects.get(workspace=world.acme)
    assert "12345678901" not in hansen.national_id
    opened = crypto.unseal(
        world.acme.pk, "person", "national_id", str(hansen.uid), hansen.national_id
    )
    assert opened == "12345678901"
    assert hansen.bank_account_bidx == crypto.blind_index(
        world.acme.pk, "bank_account", "NO9386011117947"
    )
    [error] = ImportRowError.objects.filter(workspace=world.acme)
    assert (error.column, error.value, error.code) == ("IBAN", "••••", "iban")


def test_it_uses_the_same_number_of_queries_for_more_rows(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(rows: int) -> int:
        lines = ["Last Name,Email"] + [f"P{n},p{n}-{rows}@example.test" for n in range(rows)]
        member = world.member(world.alice)
        job = jobs.upload(member, "person", "p.csv", ("\r\n".join(lines)).encode())
        jobs.configure(member, job, {0: "last_name", 1: "email"}, "email", "update")
        jobs.start(member, job)
        with CaptureQueriesContext(connection) as captured:
            jobs.run(job.pk, job.workspace_id)
        return len(captured.captured_queries)

    count(1)  # the first run also creates the workspace's keys and audit chain
    # PostgreSQL's COPY statements go past Django's query log.
    # One more than before: the workspace's custom field definitions (the custom targets).
    # PostgreSQL: three for the search index's bulk merge (search.bulk_writes), two
    # to check references as the rows go in (bulk.references_checked_as_written).
    assert count(5) == count(200) == (22 if connection.vendor == "sqlite" else 23)


def test_it_imports_companies_with_owners_by_email(world: World) -> None:
    data = (
        "Company name,Company Domain Name,Website URL,Country/Region,Company owner\r\n"
        "Initech,INITECH.test,initech.test,Norway,bob@acme.test\r\n"
        "Globex,globex.test,,GB,nobody@example.test\r\n"
    )
    job = helpers.run(world, data, kind="company", name="companies.csv", match_on="name")
    assert (job.created, job.failed) == (1, 1)
    initech = Company.objects.get(workspace=world.acme)
    assert (initech.domain, initech.website, initech.billing_country, initech.owner_id) == (
        "initech.test",
        "https://initech.test",
        "NO",
        world.bob.pk,
    )
    [error] = ImportRowError.objects.filter(workspace=world.acme)
    assert (error.row, error.column, error.code) == (3, "Company owner", "owner")


def test_it_imports_a_vcard_file(world: World) -> None:
    data = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nEMAIL:ada@example.test\r\n"
        "ORG:Analytical\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alan Turing\r\n"
        "TEL;TYPE=CELL:call me\r\nEND:VCARD\r\n"
    )
    job = helpers.run(world, data, name="contacts.vcf")
    assert (job.created, job.failed) == (1, 1)  # "call me" is not a phone number
    ada = Person.objects.select_related("company").get(workspace=world.acme)
    assert (ada.first_name, ada.last_name, ada.company.name if ada.company else "") == (
        "Ada",
        "Lovelace",
        "Analytical",
    )


def test_it_forgets_error_reports_after_thirty_days(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    job = helpers.run(world, helpers.PEOPLE_CSV)
    assert jobs.purge_old() == 0
    ImportJob.objects.filter(pk=job.pk, workspace=world.acme).update(
        finished_at=timezone.now() - timedelta(days=31)
    )
    assert jobs.purge_old() == 1
    assert not ImportRowError.objects.filter(workspace=world.acme).exists()
    assert Person.objects.filter(workspace=world.acme).count() == 3


CHUNKED = (
    "First Name,Last Name,Email,Company,Tags\r\n"
    "Ada,Lovelace,ada@example.test,Analytical,\r\n"
    "Alan,Turing,alan@example.test,,\r\n"
    "Grace,Hopper,grace@example.test,Analytical,navy\r\n"  # a company made one chunk before
    "Bad,Row,not-an-email,,\r\n"
    "Ada,Again,ADA@example.test,Bletchley,\r\n"  # repeats row 2's email: skipped
    "Kari,Nordmann,kari@example.test,Bletchley,navy; vip\r\n"  # matches a record: updated
    "Linus,Torvalds,linus@example.test,Bletchley,vip\r\n"
)


def test_checking_and_writing_chunk_by_chunk_does_what_the_dry_run_says(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Companies, tags and repeats first seen in a later chunk; a match among them."""
    helpers.small_chunks(monkeypatch, 2)
    member = world.member(world.alice)
    kari = Person.objects.create(
        workspace=world.acme, owner=world.alice, last_name="Nordmann", email="kari@example.test"
    )
    job = jobs.upload(member, "person", "people.csv", CHUNKED.encode())
    jobs.configure(member, job, {int(i): k for i, k in job.mapping.items()}, "email", "update")
    expected = jobs.dry_run(member, job)["counts"]
    assert expected == {
        "create": 4,
        "update": 1,
        "unchanged": 0,
        "skip": 1,
        "error": 1,
        "new_companies": 2,
    }
    jobs.start(member, job)
    assert jobs.run(job.pk, job.workspace_id) == "done"
    job = jobs.reload(job)
    assert (job.created, job.updated, job.skipped, job.failed) == (4, 1, 1, 1)
    companies = dict(Company.objects.filter(workspace=world.acme).values_list("name", "pk"))
    assert sorted(companies) == ["Analytical", "Bletchley"]
    people = {p.last_name: p for p in Person.objects.filter(workspace=world.acme)}
    assert sorted(people) == ["Hopper", "Lovelace", "Nordmann", "Torvalds", "Turing"]
    assert people["Hopper"].company_id == companies["Analytical"]
    assert people["Torvalds"].company_id == companies["Bletchley"]
    assert fields.tag_names(people["Torvalds"]) == ["vip"]
    assert fields.tag_names(people["Hopper"]) == ["navy"]
    kari.refresh_from_db()
    assert (kari.first_name, kari.company_id, kari.version) == ("Kari", companies["Bletchley"], 2)
    assert fields.tag_names(kari) == ["navy", "vip"]
    # Every new record and company has its own search entry.
    assert SearchEntry.objects.filter(workspace=world.acme, object_type="person").count() == 5
    assert SearchEntry.objects.filter(workspace=world.acme, object_type="company").count() == 2
    hits = search.query(member, "torvalds")
    assert [h.title for h in hits] == ["Linus Torvalds"]
    [error] = ImportRowError.objects.filter(workspace=world.acme)
    assert (error.row, error.code) == (5, "email")

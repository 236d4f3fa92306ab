"""Imported phones are stored as the services store them: E.164, local ones in the row's country."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from amity.core import search
from amity.core.models import SearchEntry
from amity.customers.models import ImportRowError, Person
from tests.conftest import World
from tests.imports import helpers

FILE = (
    "First Name,Last Name,Phone,Mobile,Country\r\n"
    "Kari,Nordmann,22 33 44 55,+44 20 7946 0002,NO\r\n"
    "Ola,Lokal,22 33 44 55,,\r\n"
    "Per,Kort,,123,NO\r\n"
)


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def test_it_stores_phones_in_e164_and_reports_numbers_it_cannot_read(world: World) -> None:
    job = helpers.run(world, FILE)
    assert (job.status, job.created, job.failed) == ("done", 1, 2)
    [kari] = Person.objects.filter(workspace=world.acme)
    assert (kari.phone, kari.mobile) == ("+4722334455", "+442079460002")
    errors = ImportRowError.objects.filter(workspace=world.acme).order_by("row")
    assert [(e.row, e.column, e.value, e.code) for e in errors] == [
        (3, "Phone", "22 33 44 55", "phone_country"),
        (4, "Mobile", "123", "phone"),
    ]


def test_it_indexes_imported_rows_as_customer_search_does(world: World) -> None:
    helpers.run(world, FILE)
    [kari] = Person.objects.filter(workspace=world.acme)
    entry = SearchEntry.objects.get(workspace=world.acme, object_type="person", object_id=kari.pk)
    plain, _ = search.document_tokens(kari)
    assert entry.document == " ".join(plain)
    hits = search.query(world.member(world.alice), "22334455")
    assert [h.title for h in hits] == ["Kari Nordmann"]


def test_an_imported_number_is_found_as_its_country_writes_it(world: World) -> None:
    helpers.run(world, FILE)
    hits = search.query(world.member(world.alice), "020 7946 0002")
    assert [h.title for h in hits] == ["Kari Nordmann"]

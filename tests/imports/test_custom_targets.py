"""Custom fields as import targets: `custom.<key>`, checked by customers.custom_fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from amity.customers import custom_fields
from amity.customers.imports import mapping
from amity.customers.models import ImportRowError, Person
from tests.conftest import World
from tests.imports import helpers


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.fixture
def defined(world: World) -> None:
    member = world.member(world.alice)
    for data in (
        {"key": "shoe_size", "label": "Shoe size", "type": "number"},
        {"key": "newsletter", "label": "Newsletter", "type": "checkbox"},
        {"key": "tier", "label": "Tier", "type": "select", "options": ["gold", "silver"]},
        {"key": "passport", "label": "Passport", "type": "sensitive"},
    ):
        custom_fields.create_definition(member, {"target": "person", **data})


@pytest.mark.usefixtures("defined")
def test_it_offers_and_guesses_the_workspace_custom_fields_but_not_sensitive_ones(
    world: World,
) -> None:
    keys = [t.key for t in mapping.targets_for("person", workspace_id=world.acme.pk)]
    assert keys[-3:] == ["custom.shoe_size", "custom.newsletter", "custom.tier"]
    header = ["Last Name", "Shoe size", "newsletter", "Passport"]
    assert mapping.guess(header, "person", workspace_id=world.acme.pk) == {
        0: "last_name",
        1: "custom.shoe_size",
        2: "custom.newsletter",
    }
    assert "custom.tier" not in [t.key for t in mapping.targets_for("person")]


@pytest.mark.usefixtures("defined")
def test_it_writes_custom_values_and_reports_bad_ones(world: World) -> None:
    data = (
        "Last Name,Shoe size,Newsletter,Tier\r\n"
        "Lovelace,38,yes,gold\r\n"
        "Turing,,no,\r\n"
        "Bad,big,yes,gold\r\n"
        "Worse,40,yes,bronze\r\n"
    )
    job = helpers.run(world, data)
    assert (job.created, job.failed) == (2, 2)
    people = Person.objects.filter(workspace=world.acme).order_by("last_name")
    assert [(p.last_name, p.custom) for p in people] == [
        ("Lovelace", {"shoe_size": 38, "newsletter": True, "tier": "gold"}),
        ("Turing", {"newsletter": False}),
    ]
    errors = ImportRowError.objects.filter(workspace=world.acme).order_by("row")
    assert [(e.row, e.column, e.value, e.code) for e in errors] == [
        (4, "Shoe size", "big", "custom"),
        (5, "Tier", "bronze", "custom"),
    ]
    # An update merges into the values the record holds.
    again = "Last Name,Tier\r\nLovelace,silver\r\n"
    job = helpers.run(world, again, match_on="name", on_match="update")
    assert job.updated == 1
    ada = Person.objects.get(workspace=world.acme, last_name="Lovelace")
    assert ada.custom == {"shoe_size": 38, "newsletter": True, "tier": "silver"}

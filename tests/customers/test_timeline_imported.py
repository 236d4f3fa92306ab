"""The timeline of a record an import created: its creation is read from the record."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from amity.core import services as core_services
from amity.core.models import User
from amity.customers import timeline
from amity.customers.models import Person
from tests.conftest import World
from tests.customers import helpers
from tests.imports import helpers as imports


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def _imported(world: World) -> Person:
    job = imports.run(world, "Last Name,Email\r\nLovelace,ada@example.test\r\n")
    return Person.objects.get(workspace=world.acme, import_job=job.pk)


def test_the_creation_is_the_oldest_entry_on_a_page_of_its_own_when_the_last_is_full(
    world: World,
) -> None:
    ada = _imported(world)
    for i in range(timeline.PAGE_SIZE):
        timeline.add(world.acme, ada, timeline.Kind.CALL, f"Call {i}", actor=world.bob)
    member = world.member(world.dave)
    first = timeline.page(member, ada)
    assert len(first.items) == timeline.PAGE_SIZE and first.next_cursor is not None
    assert all(e.pk is not None for e in first.items)
    second = timeline.page(member, ada, before=first.next_cursor)
    [created] = second.items
    assert (created.pk, created.kind, created.summary, created.actor_id) == (
        None,
        "change",
        "Created",
        world.alice.pk,
    )
    assert created.data == {"action": "create", "import": ada.import_job_id}
    assert created.occurred_at == ada.created_at
    assert second.next_cursor is None


def test_kind_filters_and_cursors_past_it_leave_it_out(world: World) -> None:
    ada = _imported(world)
    timeline.add(world.acme, ada, timeline.Kind.CALL, "Call", actor=world.bob)
    member = world.member(world.dave)
    assert [e.summary for e in timeline.page(member, ada, kinds=["call"]).items] == ["Call"]
    assert [e.summary for e in timeline.page(member, ada, kinds=["change"]).items] == ["Created"]
    assert [e.summary for e in timeline.page(member, ada, size=1).items] == ["Call"]
    last = timeline.page(member, ada, size=1)
    older = timeline.page(member, ada, before=last.next_cursor, size=1)
    assert [e.summary for e in older.items] == ["Created"]
    assert older.next_cursor is None


def test_a_record_created_by_hand_has_only_its_stored_creation(world: World) -> None:
    ann = helpers.person(world)
    [created] = timeline.page(world.member(world.alice), ann).items
    assert created.pk is not None and created.data == {"action": "create"}


def test_the_record_page_shows_it_with_the_same_number_of_queries(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    ada = _imported(world)
    client = as_user(world.dave)
    client.get(f"/people/{ada.pk}/")  # the data key is cached from here on
    # As for a record created by hand (test_person_detail): the creator comes with the record.
    with django_assert_num_queries(21):
        response = client.get(f"/people/{ada.pk}/")
    page = response.content.decode()
    entry = page[page.index("timeline-entry kind-change") :]
    entry = entry[: entry.index("</li>")]
    assert "Created the record." in entry and str(world.alice) in entry


def test_the_api_gives_it_without_an_id(world: World) -> None:
    ada = _imported(world)
    _, raw = core_services.create_token(world.member(world.dave), "t")
    response = Client().get(
        f"/api/v1/people/{ada.pk}/timeline", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert (item["id"], item["summary"], item["actor"]) == (None, "Created", world.alice.pk)
    assert item["data"] == {"action": "create", "import": ada.import_job_id}


def test_the_data_subject_export_keeps_it(world: World, as_user: Callable[[User], Client]) -> None:
    ada = _imported(world)
    response = as_user(world.alice).get(f"/people/{ada.pk}/privacy/export/")
    document = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("person.json"))
    [row] = document["sections"]["person"]
    assert row["import_job"] == ada.import_job_id
    [created] = document["sections"]["timeline"]
    assert (created["summary"], created["actor"], created["data"]) == (
        "Created",
        world.alice.pk,
        {"action": "create", "import": ada.import_job_id},
    )

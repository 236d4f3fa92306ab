"""customers.merge: moving every related row, field choices, permissions, versions, undo."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from amity.activities.models import Note
from amity.core.exceptions import VersionConflict
from amity.core.models import AuditEvent, SearchEntry
from amity.customers import merge, services, timeline
from amity.customers.models import (
    Company,
    DuplicateKey,
    DuplicatePair,
    MergeRecord,
    Person,
    TimelineEvent,
)
from tests.conftest import World
from tests.customers.helpers import IBAN, NATIONAL_ID, company, person

pytestmark = pytest.mark.django_db
WS = [0]


@pytest.fixture(autouse=True)
def _acme(world: World) -> None:
    WS[0] = world.acme.pk


def _state(model: Any, pk: int) -> dict[str, Any]:
    obj = model.objects.get(pk=pk, workspace_id=WS[0])
    return {
        f.attname: getattr(obj, f.attname)
        for f in model._meta.concrete_fields
        if f.attname not in ("version", "updated_at")
    }


def _relations(person_id: int) -> dict[str, list[int]]:
    ws = WS[0]
    return {
        "timeline": sorted(
            TimelineEvent.objects.filter(workspace_id=ws, person_id=person_id).values_list(
                "pk", flat=True
            )
        ),
        "notes": sorted(
            Note.objects.filter(workspace_id=ws, person_id=person_id).values_list("pk", flat=True)
        ),
    }


def _pair(world: World) -> tuple[Person, Person]:
    acme = world.acme
    survivor = person(world, first_name="Ann", last_name="Berg", email="ann@x.no", phone="")
    loser = person(
        world,
        sensitive={"national_id": NATIONAL_ID, "bank_account": IBAN},
        first_name="Anne",
        last_name="Berg",
        email="ann@x.no",
        phone="+47 22 33 44 55",
        title="CFO",
    )
    for subject in (survivor, loser):
        Note.objects.create(workspace=acme, person=subject, body=f"note on {subject.pk}")
        timeline.add(world.member(world.alice), subject, timeline.Kind.NOTE, "hello")
    return survivor, loser


def test_it_moves_every_related_row_and_trashes_the_loser(world: World) -> None:
    survivor, loser = _pair(world)
    loser_rows = _relations(loser.pk)
    survivor_rows = _relations(survivor.pk)
    member = world.member(world.alice)

    record = merge.merge(
        member,
        survivor,
        loser,
        {"first_name": "loser", "phone": "loser", "national_id": "loser"},
        survivor_version=survivor.version,
        loser_version=loser.version,
    )

    after = _relations(survivor.pk)
    assert after["notes"] == sorted(survivor_rows["notes"] + loser_rows["notes"])
    assert set(loser_rows["timeline"]) <= set(after["timeline"])
    assert _relations(loser.pk) == {"timeline": [], "notes": []}
    fresh = Person.objects.get(workspace_id=WS[0], pk=survivor.pk)
    assert (fresh.first_name, fresh.phone, fresh.title) == ("Anne", "+4722334455", "")
    assert services.plaintext(fresh, "national_id") == NATIONAL_ID
    assert (
        fresh.national_id != Person.objects.get(workspace_id=WS[0], pk=loser.pk).national_id
    )  # sealed again
    gone = Person.objects.get(workspace_id=WS[0], pk=loser.pk)
    assert gone.deleted_at is not None and gone.merged_into_id == survivor.pk
    assert (
        not SearchEntry.objects.filter(workspace_id=WS[0])
        .filter(object_type="person", object_id=loser.pk)
        .exists()
    )
    assert (
        not DuplicateKey.objects.filter(workspace_id=WS[0])
        .filter(object_type="person", object_id=loser.pk)
        .exists()
    )
    event = (
        AuditEvent.objects.filter(workspace_id=WS[0])
        .filter(object_type="person", object_id=str(survivor.pk))
        .first()
    )
    assert event is not None and event.reason == "merge"
    assert event.changes["merge"]["choices"]["national_id"] == "loser"
    assert event.changes["national_id"] == ["", "••••"]
    assert NATIONAL_ID not in str(event.changes)
    assert record.moved["activities.note.person_id"] == loser_rows["notes"]
    entry = (
        TimelineEvent.objects.filter(workspace_id=WS[0], person_id=survivor.pk)
        .order_by("-id")
        .first()
    )
    assert entry is not None and entry.data == {"action": "merge", "merge": record.pk}


def test_it_moves_a_companys_people(world: World) -> None:
    keep, drop = company(world, name="Initech"), company(world, name="Initech AS")
    staff = [person(world, last_name=n, company=drop.pk) for n in ("A", "B")]
    member = world.member(world.alice)
    record = merge.merge(member, keep, drop, {}, survivor_version=1, loser_version=1)
    assert sorted(
        Person.objects.filter(workspace_id=WS[0]).filter(company=keep).values_list("pk", flat=True)
    ) == sorted(p.pk for p in staff)
    merge.undo(member, record)
    assert sorted(
        Person.objects.filter(workspace_id=WS[0]).filter(company=drop).values_list("pk", flat=True)
    ) == sorted(p.pk for p in staff)


def test_undo_restores_every_field_and_relation(world: World) -> None:
    survivor, loser = _pair(world)
    before = {"s": _state(Person, survivor.pk), "l": _state(Person, loser.pk)}
    rows = {"s": _relations(survivor.pk), "l": _relations(loser.pk)}
    member = world.member(world.alice)
    record = merge.merge(
        member,
        survivor,
        loser,
        {"first_name": "loser", "national_id": "loser", "title": "loser"},
        survivor_version=survivor.version,
        loser_version=loser.version,
    )

    merge.undo(member, MergeRecord.objects.get(workspace_id=WS[0], pk=record.pk))

    assert _state(Person, survivor.pk) == before["s"]
    assert _state(Person, loser.pk) == before["l"]
    assert _relations(loser.pk) == rows["l"]
    assert _relations(survivor.pk)["notes"] == rows["s"]["notes"]
    assert (
        SearchEntry.objects.filter(workspace_id=WS[0])
        .filter(object_type="person", object_id=loser.pk)
        .exists()
    )
    assert MergeRecord.objects.get(workspace_id=WS[0], pk=record.pk).undone_at is not None
    assert (
        AuditEvent.objects.filter(workspace_id=WS[0])
        .filter(
            action="restore", object_type="person", object_id=str(loser.pk), reason="undo merge"
        )
        .exists()
    )


def test_undo_is_refused_when_the_survivor_changed(world: World) -> None:
    survivor, loser = _pair(world)
    member = world.member(world.alice)
    record = merge.merge(
        member, survivor, loser, {}, survivor_version=survivor.version, loser_version=loser.version
    )
    fresh = Person.objects.get(workspace_id=WS[0], pk=survivor.pk)
    services.update_person(member, fresh, {"title": "CEO"}, expected_version=fresh.version)
    with pytest.raises(merge.MergeRefused, match="changed after the merge"):
        merge.undo(member, record)
    assert Person.objects.get(workspace_id=WS[0], pk=loser.pk).deleted_at is not None
    assert Person.objects.get(workspace_id=WS[0], pk=survivor.pk).title == "CEO"


def test_undo_is_refused_when_the_loser_was_restored(world: World) -> None:
    survivor, loser = _pair(world)
    member = world.member(world.alice)
    record = merge.merge(
        member, survivor, loser, {}, survivor_version=survivor.version, loser_version=loser.version
    )
    services.restore(member, Person.objects.get(workspace_id=WS[0], pk=loser.pk))
    with pytest.raises(merge.MergeRefused, match="restored"):
        merge.undo(member, record)


def test_undo_twice_and_after_expiry_is_refused_and_housekeeping_forgets(world: World) -> None:
    survivor, loser = _pair(world)
    member = world.member(world.alice)
    record = merge.merge(
        member, survivor, loser, {}, survivor_version=survivor.version, loser_version=loser.version
    )
    MergeRecord.objects.filter(workspace_id=WS[0], pk=record.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(merge.MergeRefused, match="30 days"):
        merge.undo(member, MergeRecord.objects.get(workspace_id=WS[0], pk=record.pk))
    assert merge.purge_expired() == 1
    assert not MergeRecord.objects.filter(workspace_id=WS[0], pk=record.pk).exists()


def test_it_needs_edit_on_the_survivor_and_delete_on_the_loser(world: World) -> None:
    mine = person(world, world.bob, last_name="Mine", email="m@x.no")
    theirs = person(world, world.alice, last_name="Theirs", email="m@x.no")
    bob = world.member(world.bob)
    with pytest.raises(PermissionDenied):
        merge.merge(bob, mine, theirs, {}, survivor_version=1, loser_version=1)
    with pytest.raises(PermissionDenied):
        merge.merge(bob, theirs, mine, {}, survivor_version=1, loser_version=1)
    assert (
        Person.objects.filter(workspace_id=WS[0])
        .filter(deleted_at__isnull=True, pk__in=[mine.pk, theirs.pk])
        .count()
        == 2
    )


def test_it_refuses_stale_versions_and_unknown_fields(world: World) -> None:
    survivor, loser = _pair(world)
    member = world.member(world.alice)
    with pytest.raises(VersionConflict):
        merge.merge(
            member, survivor, loser, {}, survivor_version=survivor.version, loser_version=99
        )
    with pytest.raises(ValidationError):
        merge.merge(
            member, survivor, loser, {"version": "loser"}, survivor_version=1, loser_version=1
        )
    assert MergeRecord.objects.filter(workspace_id=WS[0]).count() == 0


def test_a_sensitive_choice_needs_reveal(world: World) -> None:
    mine = person(world, world.bob, last_name="Mine")
    other = services.create_person(
        world.member(world.alice),
        {"last_name": "Other", "owner": world.bob.pk},
        {"national_id": NATIONAL_ID},
    )
    with pytest.raises(ValidationError):
        merge.merge(
            world.member(world.bob),
            mine,
            other,
            {"national_id": "loser"},
            survivor_version=mine.version,
            loser_version=other.version,
        )


def test_merge_drops_the_pairs_of_the_loser(world: World) -> None:
    survivor, loser = _pair(world)
    DuplicatePair.objects.create(
        workspace=world.acme,
        object_type="person",
        first_id=survivor.pk,
        second_id=loser.pk,
        score=100,
    )
    merge.merge(world.member(world.alice), survivor, loser, {}, survivor_version=1, loser_version=1)
    assert not DuplicatePair.objects.filter(workspace_id=WS[0]).filter(second_id=loser.pk).exists()


def test_get_merge_is_404_in_another_workspace(world: World) -> None:
    survivor, loser = _pair(world)
    record = merge.merge(
        world.member(world.alice), survivor, loser, {}, survivor_version=1, loser_version=1
    )
    with pytest.raises(Http404):
        merge.get_merge(world.member(world.mallory, world.globex), record.pk)
    assert Company.objects.filter(workspace_id=WS[0]).count() == 0


def test_a_national_id_taken_from_the_loser_reveals_on_the_survivor(world: World) -> None:
    """The loser's sealed value is sealed again for the survivor's row, so it still decrypts."""
    survivor, loser = _pair(world)
    member = world.member(world.alice)
    choices = merge.default_choices(survivor, loser, member)
    assert choices["national_id"] == "loser"  # the survivor has none
    merge.merge(
        member,
        survivor,
        loser,
        choices,
        survivor_version=survivor.version,
        loser_version=loser.version,
    )
    fresh = Person.objects.get(workspace_id=WS[0], pk=survivor.pk)
    shown = services.reveal(member, fresh, ["national_id", "bank_account"], "merge check")
    assert shown == {"national_id": NATIONAL_ID, "bank_account": IBAN}
    # The blind index came along too: an exact search for the number finds the survivor.
    found = Person.objects.filter(
        workspace_id=WS[0], national_id_bidx=fresh.national_id_bidx, deleted_at__isnull=True
    )
    assert list(found.values_list("pk", flat=True)) == [survivor.pk]

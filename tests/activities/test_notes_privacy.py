"""Notes and timeline entries in data-subject exports and erasures."""

from __future__ import annotations

from amity.activities import services
from amity.activities.models import Note
from amity.customers import privacy
from amity.customers.models import TimelineEvent
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


def test_the_export_holds_the_notes_and_timeline(world: World) -> None:
    ann = helpers.person(world, first_name="Ann", last_name="Lee")
    services.create_note(world.member(world.bob), ann, "Prefers email")
    sections = privacy.collect(ann)
    assert [n["body"] for n in sections["notes"]] == ["Prefers email"]
    assert [(e["kind"], e["summary"]) for e in sections["timeline"]] == [
        ("change", "Created"),
        ("note", "Prefers email"),
    ]


def test_an_erasure_removes_them_and_can_run_again(world: World) -> None:
    ann = helpers.person(world, first_name="Ann", last_name="Lee")
    other = helpers.person(world, first_name="Bo", last_name="Ek")
    services.create_note(world.member(world.bob), ann, "Prefers email")
    services.create_note(world.member(world.bob), other, "Stays")
    assert privacy.erase_person(world.member(world.alice), ann, "Ann Lee")
    with tenant_guard_off():
        assert list(Note.objects.values_list("body", flat=True)) == ["Stays"]
        assert not TimelineEvent.objects.filter(person=ann).exists()
        assert TimelineEvent.objects.filter(person=other).count() == 2
    assert privacy.collect(ann)["notes"] == []


def test_purging_the_trash_removes_a_persons_notes_and_entries(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from amity.customers import services as customers

    ann = helpers.person(world, last_name="Gone")
    kept = helpers.person(world, last_name="Kept")
    services.create_note(world.member(world.bob), ann, "On Ann")
    services.create_note(world.member(world.bob), kept, "On Kept")
    customers.trash(world.member(world.alice), ann)
    later = timezone.now() + timedelta(days=31)
    assert customers.purge_expired_trash(world.acme.pk, now=later) == 1
    with tenant_guard_off():
        assert list(Note.objects.values_list("body", flat=True)) == ["On Kept"]
        assert not TimelineEvent.objects.filter(person_id=ann.pk).exists()
        assert TimelineEvent.objects.filter(person=kept).count() == 2


def test_forgetting_a_company_keeps_its_peoples_entries(world: World) -> None:
    from amity.customers import timeline

    initech = helpers.company(world)
    ann = helpers.person(world, company=initech.pk)
    services.create_note(world.member(world.bob), initech, "On the company")
    services.create_note(world.member(world.bob), ann, "On Ann")
    timeline.forget(world.acme.pk, "company", [initech.pk])
    with tenant_guard_off():
        assert list(Note.objects.values_list("body", flat=True)) == ["On Ann"]
        assert not TimelineEvent.objects.filter(person__isnull=True).exists()
        assert set(TimelineEvent.objects.values_list("person", "company")) == {(ann.pk, None)}
